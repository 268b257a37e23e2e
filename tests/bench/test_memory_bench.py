"""The memory benchmark's children run: each server arrives chunked, and idle fits the target."""

from __future__ import annotations

import discord

from bench.memory import Figures, cache_settings, parse_args, run_child
from bot.app import CHUNK_AT_STARTUP, intents, member_cache_flags


def test_quick_is_small() -> None:
    args = parse_args(["--quick"])
    assert (args.servers, args.members, args.rounds) == (50, 20, 1)


def test_the_bare_bot_is_told_meetbridges_intents_member_cache_and_chunking() -> None:
    chosen = intents()
    assert cache_settings() == [str(chosen.value), str(member_cache_flags(chosen).value), "1"]
    assert member_cache_flags(chosen) == discord.MemberCacheFlags.from_intents(chosen)
    assert CHUNK_AT_STARTUP and chosen.members


def test_servers_arrive_chunked_with_every_member_for_both_bots() -> None:
    settings = cache_settings()
    figures = Figures(servers=6, members=15)
    for kind in ("meetbridge", "bare"):
        run = run_child("servers", kind, *settings, "6", "15")
        figures.runs[kind].append(run)
        figures.growth[kind].append(run["after"] - run["before"])
        figures.held[kind].append(run["after"] - run["modelled"])
        figures.idle[kind].append(run_child("idle", kind, *settings)["rss"])
    assert figures.runs["meetbridge"][0]["members"] >= 6 * 15
    assert figures.complete
    assert figures.idle_mb("meetbridge") < 100
    assert "each chunked: yes" in figures.report()
