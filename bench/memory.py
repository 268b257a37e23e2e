"""Resident memory: Meetbridge idle, and per 1,000 servers, against a bare discord.py bot.

    python -m bench.memory            # idle; then 1,000 servers of 100 members each
    python -m bench.memory --quick    # idle; then 50 servers of 20 members (what the test runs)

Every figure is measured in a fresh child process (so nothing one measurement loaded flatters or
burdens the next), alternating Meetbridge and the baseline, ``--rounds`` times; medians are shown.

1. **Idle.** The bot started under SimCord with one server, its offline geocoder loaded and used
   once (the gazetteer open), a time read (so the date reader is loaded) and the database migrated:
   the resident set (RSS) after a full garbage collection. SimCord and its simulated Discord are in
   the figure (about 5 MB that production does not have), so it errs high. The baseline is a bare
   ``commands.Bot`` with the same intents in the same setting. Target: Meetbridge < 100 MB.
2. **Servers.** After start, ``--servers`` servers with ``--members`` members each are handed to
   the bot the way Discord does when it joins them or comes back after a reconnect: one
   GUILD_CREATE each, then the member list by chunking. The figure is the RSS growth from the
   started bot to the bot with every server chunked, scaled per 1,000 servers; the baseline is the
   bare bot with the **same intents, member cache flags and chunking**, fed the same servers.
   SimCord's own model of those servers is in both growths alike; the difference is what
   Meetbridge keeps per server beyond discord.py's cache.

**Member cache and chunking: what Meetbridge chooses and why.** ``intents.members`` on,
``member_cache_flags=MemberCacheFlags.from_intents(intents)`` (every member who joined is cached;
no voice state, since the voice intent is off) and ``chunk_guilds_at_startup=True``. Meetbridge
needs a complete member list per server: the departures missed while it was down are found at
start by comparing stored members with the cache (``MembershipBoard.reconcile_members`` runs only
on a chunked server, since any member missing from a partial cache would look gone and lose their
places); ``/match`` and ``/ask`` leave out members who left (``guild.chunked``), pairing rounds keep
only present members, and nudges and introductions read names from the cache. A lazy cache (no
startup chunking, ``MemberCacheFlags.none()`` or ``only_joined``) would save discord.py's member
objects but make each of those either wrong (departures missed) or a ``REQUEST_GUILD_MEMBERS``
round trip per use; discord.py's members cost far less than that (the figure below shows it).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
import psutil
import simcord
from discord.ext import commands
from simcord.backend import serializers

IDLE_TARGET_MB = 100.0
KINDS = ("meetbridge", "bare")


def rss_mb() -> float:
    gc.collect()
    return psutil.Process().memory_info().rss / 1e6


def cache_settings() -> list[str]:
    """Meetbridge's intents, member cache flags and chunking, as the bare child is told them (so it
    never imports Meetbridge, whose modules would count in its baseline)."""
    from bot import app

    chosen = app.intents()
    # (Before Meetbridge named its choice, it had discord.py's defaults: these same values.)
    flags = getattr(app, "member_cache_flags", discord.MemberCacheFlags.from_intents)(chosen)
    return [str(chosen.value), str(flags.value), str(int(getattr(app, "CHUNK_AT_STARTUP", True)))]


def bare_bot(settings: Sequence[str]) -> commands.Bot:
    """discord.py alone, with Meetbridge's intents, member cache flags and chunking."""
    intents, flags, chunk = (int(value) for value in settings)
    return commands.Bot(
        command_prefix=commands.when_mentioned,
        intents=discord.Intents._from_value(intents),
        member_cache_flags=discord.MemberCacheFlags._from_value(flags),
        chunk_guilds_at_startup=bool(chunk),
        help_command=None,
    )


def make_bot(kind: str, folder: Path, settings: Sequence[str]) -> commands.Bot:
    if kind == "bare":
        return bare_bot(settings)
    from bot import Settings, create_bot

    return create_bot(Settings(database_path=folder / "bench.db", geocoder="offline"))


def build_server(env: simcord.Env, number: int, members: int) -> int:
    """A server in SimCord's model only (no event yet); returns its id."""
    backend = env.backend
    backend.emit = lambda event, payload: None  # type: ignore[method-assign]  # build without events
    try:
        guild = env.create_guild(f"Server {number}")
        guild.create_text_channel("general")
        for n in range(members):
            backend.add_member(guild.id, env.create_user(f"s{number}m{n}").id, announce=False)
    finally:
        del backend.emit  # the class's own emit again
    return guild.id


def hand_over(env: simcord.Env, guild_id: int) -> None:
    """The server as Discord hands it to a bot: one GUILD_CREATE (the bot then chunks it)."""
    backend = env.backend
    backend.emit("GUILD_CREATE", serializers.guild_create_payload(backend, backend.guilds[guild_id]))


def add_server(env: simcord.Env, number: int, members: int) -> None:
    hand_over(env, build_server(env, number, members))


async def child_idle(kind: str, settings: Sequence[str]) -> dict[str, Any]:
    """RSS of a started bot with one server, the geocoder used once and a time read."""
    with tempfile.TemporaryDirectory(prefix="meetbridge-bench-") as folder:
        bot = make_bot(kind, Path(folder), settings)
        env = simcord.Env(bot)
        await env.start()
        try:
            add_server(env, 0, 10)
            await env.settle()
            if kind == "meetbridge":
                from bot.domain.when import read_times

                services = bot.services  # type: ignore[attr-defined]
                assert services.profiles.geocoder is not None
                found = await services.profiles.geocoder.geocode("Berlin")
                assert found.place is not None and found.place.name == "Berlin"
                read_times("fri 7pm", now=env.now(), tz="Europe/Berlin")
            return {"rss": rss_mb(), "guilds": len(bot.guilds)}
        finally:
            await env.shutdown()
            await bot.close()


async def child_servers(kind: str, servers: int, members: int, settings: Sequence[str]) -> dict[str, Any]:
    """RSS growth from the started bot to ``servers`` chunked servers of ``members`` each."""
    with tempfile.TemporaryDirectory(prefix="meetbridge-bench-") as folder:
        bot = make_bot(kind, Path(folder), settings)
        env = simcord.Env(bot, settle_timeout=600)
        await env.start()
        try:
            add_server(env, -1, 2)  # the first server warms every path (caches, handlers)
            await env.settle()
            before = rss_mb()
            built = [build_server(env, number, members) for number in range(servers)]
            modelled = rss_mb()  # SimCord's model of the servers, not yet seen by the bot
            began = time.perf_counter()
            for number, guild_id in enumerate(built):
                hand_over(env, guild_id)
                if number % 50 == 49:
                    await env.settle()
            await env.settle()
            seconds = time.perf_counter() - began
            after = rss_mb()
            chunked = sum(
                1 for guild in bot.guilds if guild.chunked and guild.member_count == len(guild.members)
            )
            cached = sum(len(guild.members) for guild in bot.guilds)
            return {
                "before": before, "modelled": modelled, "after": after, "seconds": seconds,
                "guilds": len(bot.guilds),
                "chunked": chunked, "members": cached,
            }  # fmt: skip
        finally:
            await env.shutdown()
            await bot.close()


def run_child(*args: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.memory", "--child", *args]
    done = subprocess.run(
        command, check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1]
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@dataclass
class Figures:
    servers: int
    members: int
    idle: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    growth: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    # the part of the growth after SimCord modelled the servers: what the bot itself keeps
    held: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    runs: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {kind: [] for kind in KINDS})

    def idle_mb(self, kind: str) -> float:
        return statistics.median(self.idle[kind])

    def per_thousand(self, kind: str, part: str = "growth") -> float:
        return statistics.median(getattr(self, part)[kind]) * 1000 / self.servers

    @property
    def complete(self) -> bool:
        """Every server arrived and was chunked with all its members, in every run."""
        return all(
            run["guilds"] == self.servers + 1 and run["chunked"] == self.servers + 1
            and run["members"] >= self.servers * self.members
            for kind in KINDS for run in self.runs[kind]
        )  # fmt: skip

    @property
    def ok(self) -> bool:
        return self.complete and self.idle_mb("meetbridge") < IDLE_TARGET_MB

    def report(self) -> str:
        mb, bare = self.idle_mb("meetbridge"), self.idle_mb("bare")
        grown_mb, grown_bare = self.per_thousand("meetbridge"), self.per_thousand("bare")
        held_mb, held_bare = self.per_thousand("meetbridge", "held"), self.per_thousand("bare", "held")
        rounds = len(self.idle["meetbridge"])
        verdict = "OK" if mb < IDLE_TARGET_MB else "MISSED"
        return "\n".join(
            [
                f"idle RSS (median of {rounds}, fresh process each; SimCord included in both): Meetbridge "
                f"{mb:.1f} MB, bare discord.py bot {bare:.1f} MB (ratio {mb / bare:.2f}); "
                f"target < {IDLE_TARGET_MB:.0f} MB [{verdict}]",
                f"servers: {self.servers:,} of {self.members:,} members, each chunked: "
                f"{'yes' if self.complete else 'NO'}; RSS growth per 1,000 servers: Meetbridge "
                f"{grown_mb:.1f} MB, bare bot {grown_bare:.1f} MB (same intents, member cache and "
                f"chunking), ratio {grown_mb / grown_bare:.2f}, "
                f"Meetbridge adds {grown_mb - grown_bare:.1f} MB",
                f"  of which the bot's own (after SimCord modelled the servers: discord.py's cache and "
                f"what Meetbridge keeps): Meetbridge {held_mb:.1f} MB, bare bot {held_bare:.1f} MB, "
                f"ratio {held_mb / held_bare:.2f}",
            ]
        )


def measure(servers: int, members: int, rounds: int) -> Figures:
    figures = Figures(servers, members)
    settings = cache_settings()
    for _ in range(rounds):
        for kind in KINDS:
            figures.idle[kind].append(run_child("idle", kind, *settings)["rss"])
        for kind in KINDS:
            run = run_child("servers", kind, *settings, str(servers), str(members))
            figures.runs[kind].append(run)
            figures.growth[kind].append(run["after"] - run["before"])
            figures.held[kind].append(run["after"] - run["modelled"])
    return figures


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="50 servers of 20 members, 1 round")
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.servers, args.members, args.rounds = 50, 20, 1
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.child:
        logging.basicConfig(level=logging.ERROR)
        if args.child[1] == "meetbridge":
            from bot.scheduling.clock import use_clock

            use_clock(lambda: discord.utils.utcnow())
        what, kind, *rest = args.child
        settings, sizes = rest[:3], rest[3:]
        if what == "idle":
            result = asyncio.run(child_idle(kind, settings))
        else:
            result = asyncio.run(child_servers(kind, int(sizes[0]), int(sizes[1]), settings))
        print(json.dumps(result))
        return 0
    figures = measure(args.servers, args.members, args.rounds)
    print(figures.report())
    return 0 if figures.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
