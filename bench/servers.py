"""SimCord worlds the reminders benchmarks share; nothing here imports Meetbridge (a bare
discord.py child builds the same world without Meetbridge's modules in its memory).

SimCord's ids are deterministic: the same calls in the same order give the same servers, channels,
members and messages in every process, so a database written against one world fits another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord
import simcord

POOL = 5  # members in every server; three of them are Going to every meetup


@dataclass
class World:
    env: simcord.Env
    guilds: list[tuple[int, int]]  # (guild id, meetups channel id)
    pool: list[int]


def build_world(env: simcord.Env, servers: int) -> World:
    pool = [env.create_user(f"member{n}") for n in range(POOL)]
    guilds = []
    for number in range(servers):
        guild = env.create_guild(f"Server {number}")
        channel = guild.create_text_channel("meetups")
        for user in pool:
            guild.add_member(user)
        guilds.append((guild.id, channel.id))
    return World(env, guilds, [user.id for user in pool])


def announce_busy(world: World) -> list[int]:
    """The announcement of each server's busy meetup (its reminder is posted in a thread under it):
    one message per server, in order; returns their ids."""
    backend = world.env.backend
    return [
        backend.create_message(channel_id, backend.bot_user.id, "Meetup 1", broadcast=False).id
        for _, channel_id in world.guilds
    ]


class NoTranscript(list[Any]):
    """SimCord records every gateway event it sends in a transcript (for a failing test's report):
    memory the bot would not hold on real Discord (hundreds of MB for 10,000 servers), so the
    benchmarks keep none."""

    def append(self, item: Any) -> None:
        return None


def simulated_env(bot: discord.Client) -> simcord.Env:
    """SimCord for thousands of servers, keeping no transcript: time only moves through
    ``advance_time``, whose settling never waits for a later timer in real time (the timeout is a
    budget per one-second step of a busy minute, about 0.3 s needed), and the start may take as
    long as it takes.

    SimCord settles its start with a fixed 5 s budget, which its own work for 10,000 servers (a
    deep copy of each GUILD_CREATE) nearly spends on a busy machine: the start runs to its end and
    the benchmarks report how long it took (targets are judged on that figure, not the budget).
    """
    env = simcord.Env(bot, settle_timeout=30)
    env.backend.transcript = NoTranscript()
    settle = env._settle_internal

    async def start_settle(**options: Any) -> None:
        if options.get("timeout") is not None:
            options["timeout"] = max(options["timeout"], 120.0)
        await settle(**options)

    env._settle_internal = start_settle  # type: ignore[method-assign]
    return env
