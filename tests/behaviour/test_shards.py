"""Shard processes over one database: each server's timed work runs once, by a process that owns it.

Each process is a bot with its own simulated Discord (:mod:`tests.shard_processes`), both on one
database file, their servers split by Discord's rule ``(guild_id >> 22) % shard_count``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord
from simcord.actors import MemberActor
from simcord.builders import ChannelHandle, GuildHandle

from bot import MeetbridgeBot
from bot.domain.shards import shard_of
from tests.behaviour.meetup_world import FRIDAY_7PM, TIMES, TZ, rsvp_id
from tests.shard_processes import FINISHED, HOLD, RUNS, ShardProcess, advance_all, epoch, schedule_probes

HOUR = 3600
DAY = 24 * HOUR
START = 1767225600  # the virtual clock's start: Thursday 2026-01-01 00:00 UTC
MONDAY_10 = 1767603600  # Monday 5 January, 10:00 in Berlin: the first weekly pairing round


@pytest.fixture(autouse=True)
def _fresh_runs() -> None:
    RUNS.clear()
    FINISHED.clear()


# -- the world of one process ------------------------------------------------------------------------


@dataclass
class Server:
    guild: GuildHandle
    admin: MemberActor
    members: list[MemberActor]
    general: ChannelHandle
    meetups: ChannelHandle
    pairing: ChannelHandle
    introductions: ChannelHandle


def build_server(env: simcord.Env, shard: int) -> Server:
    guild = env.create_guild(f"Shard {shard}", shard_id=shard)
    admins = guild.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
    admin = guild.add_member(env.create_user(f"ada{shard}"), roles=[admins])
    members = [
        guild.add_member(env.create_user(f"{name}{shard}")) for name in ("alice", "bob", "carol", "dave")
    ]
    return Server(
        guild=guild,
        admin=admin,
        members=members,
        general=guild.create_text_channel("general"),
        meetups=guild.create_text_channel("meetups"),
        pairing=guild.create_text_channel("pairing"),
        introductions=guild.create_text_channel("introductions"),
    )


async def arrange(server: Server, bot: MeetbridgeBot) -> None:
    """A meetup with reminders, an open poll closing in 24 h, and weekly pairing rounds."""
    admin, general = server.admin, server.general
    for purpose, channel in (
        ("meetups", server.meetups),
        ("pairing", server.pairing),
        ("introductions", server.introductions),
    ):
        await admin.slash(general, "config channel", purpose=purpose, channel=channel)
    await admin.slash(general, "config timezone", name=TZ)
    alice = server.members[0]
    created = await alice.slash(
        general, "meetup create", title="Board games", when=FRIDAY_7PM, where="Café Central"
    )
    assert "is announced" in created.response.content, created.response.content
    # bob is Going and takes reminders by DM too (the DM outbox's drain of this server's shard).
    bob = server.members[1]
    await bob.slash(general, "privacy dm", state="on")
    meetup = await bot.services.meetups.find(server.guild.id, 1)
    assert meetup is not None
    announcement = next(m for m in server.meetups.history() if m.id == meetup.message_id)
    await bob.click(announcement, custom_id=rsvp_id(meetup, "going"))
    planned = await alice.slash(
        general, "meetup plan", title="Picnic", times=TIMES, places="Park", closes="24h"
    )
    assert planned.response is not None or planned.followups, planned
    for member in server.members:
        shown = await member.slash(general, "intro")
        await member.submit_modal(
            shown, {"about": "Hello.", "interests": "chess, hiking", "city": "", "links": ""}
        )
        joined = await member.slash(general, "pairing join")
        assert "You're in" in joined.response.content, joined.response.content
    weekly = await admin.slash(general, "config pairing", cadence="weekly", size=2)
    assert "weekly" in weekly.response.content


def seen(server: Server) -> dict[str, int]:
    """What the members saw: reminders in the meetup's thread, poll results, pairing rounds."""
    threads = server.meetups.threads
    reminders = sum(1 for t in threads for m in t.history() if m.content.startswith("⏰"))
    results = sum(
        1 for m in server.meetups.history() for e in m.embeds for f in e.fields if f.name == "Result"
    )
    rounds = Counter(
        m.content.split("**")[1]
        for m in server.pairing.history()
        if m.content.startswith("🔔 **Pairing round")
    )
    bob = server.members[1]
    dms = sum(1 for m in bob.user.dm_channel.history() if m.author.bot and m.content.startswith("⏰"))
    return {"reminders": reminders, "reminder DMs": dms, "poll results": results, **dict(rounds)}


async def claims(process: ShardProcess, guild_id: int) -> list[tuple[str, str, str | None, int]]:
    async def read(env: simcord.Env) -> list[tuple[str, str, str | None, int]]:
        rows = await env.bot.services.db.fetchall(
            "SELECT kind, state, claimed_by, attempts FROM scheduled_tasks WHERE guild_id = ? ORDER BY id",
            (guild_id,),
        )
        return [(r["kind"], r["state"], r["claimed_by"], int(r["attempts"])) for r in rows]

    return await process.run(read)


Spawn = Callable[..., ShardProcess]


@pytest.fixture
async def spawn(database_target: str | Path) -> AsyncIterator[Spawn]:
    """Starts shard processes on one database (of the test's backend) and stops each at the end."""
    made: list[ShardProcess] = []

    def make(name: str, **settings: Any) -> ShardProcess:
        process = ShardProcess(name, database_target, **settings)
        made.append(process)
        return process

    yield make
    for process in made:
        await process.close()


async def advance_to(procs: list[ShardProcess], at: int, step: int = 6 * HOUR) -> None:
    await advance_all(procs, at - epoch(procs[0]), step=step)


# -- the tests -----------------------------------------------------------------------------------------


async def test_two_processes_with_overlapping_shards_run_every_reminder_poll_close_and_round_once(
    spawn: Spawn,
) -> None:
    """Three shards; one process runs 0 and 1, the other 1 and 2 (as during a re-shard). Every
    server's reminders, poll close and pairing rounds happen once, in the process that serves it;
    the probe tasks of the shared shard, armed by both processes, each run once."""
    a = spawn("a", shard_count=3, shard_ids="0-1", task_lease=600)
    b = spawn("b", shard_count=3, shard_ids="1,2", task_lease=600)
    servers = {
        "a": await a.sync(lambda env: [build_server(env, 0)]),
        "b": await b.sync(lambda env: [build_server(env, 2)]),
    }
    # A server on the shared shard (its probe tasks need no Discord side: each simulated Discord
    # is a world of its own, so a member-facing task there could only be checked in one of them).
    shared = (await a.sync(lambda env: build_server(env, 1))).guild.id
    await a.start()
    await b.start()
    for name, process in (("a", a), ("b", b)):
        for server in servers[name]:
            await process.run(lambda env, s=server: arrange(s, env.bot))
    assert shard_of(shared, 3) == 1

    # Both processes own shard 1: tasks of its server are armed in both.
    [server_b] = servers["b"]
    probe_ids = await schedule_probes(b, server_b.admin, server_b.general, shared, 20, seconds=900, hold=0)
    # Each simulated process has its own clock, on its own thread, and within one step of
    # advance_all one can run ahead of the other, which real machines (NTP) never do. While both
    # run the shared shard's probes, a step longer than the lease (600 s) would let the faster one
    # see the slower one's live claim as lapsed and take it over (seen: a probe run twice). So the
    # probes' hour goes in steps shorter than the lease; the days after, 6 h at a time.
    await advance_all([a, b], 2 * HOUR, step=300)
    await advance_to([a, b], MONDAY_10 + 8 * DAY)

    for name, process in (("a", a), ("b", b)):
        for server in servers[name]:
            assert await process.run(lambda env, s=server: _seen(s)) == {
                "reminders": 2,
                "reminder DMs": 2,
                "poll results": 1,
                "Pairing round 1": 1,
                "Pairing round 2": 1,
            }, server.guild.name
    assert sorted(task for _, task in RUNS) == sorted(probe_ids)  # each probe ran once
    for name, process in (("a", a), ("b", b)):
        for server in servers[name]:
            stored = await claims(process, server.guild.id)
            assert {kind for kind, _, _, _ in stored} >= {"meetup.reminder", "poll.close", "pairing.round"}
            for kind, state, claimer, attempts in stored:
                if state == "done":
                    assert (attempts, claimer) == (1, name), (kind, state, claimer)
    shared_claims = Counter(claimer for kind, _, claimer, _ in await claims(a, shared) if kind == HOLD)
    assert sum(shared_claims.values()) == 20
    assert a.errors() == [] and b.errors() == []


async def _seen(server: Server) -> dict[str, int]:
    return seen(server)


async def test_a_process_that_dies_holding_claims_has_them_taken_over_after_the_lease_once(
    spawn: Spawn,
) -> None:
    """Process a claims long tasks and dies; b, which owns the server (both run shard 0 of 2),
    takes each over once its lease has run out, never before, and a finished task is never rerun."""
    a = spawn("a", shard_count=2, shard_ids="0", task_lease=60)
    b = spawn("b", shard_count=2, shard_ids="0-1", task_lease=60)
    [server_a] = await a.sync(lambda env: [build_server(env, 0)])
    await a.start()
    await b.start()
    guild_id = server_a.guild.id

    long = await schedule_probes(a, server_a.admin, server_a.general, guild_id, 5, seconds=10, hold=600)
    [short] = await schedule_probes(a, server_a.admin, server_a.general, guild_id, 1, seconds=10, hold=0)
    # Only a's clock moves: a claims every task, finishes the short one, is busy with the others.
    await a.advance(20)
    assert sorted(RUNS) == sorted(("a", task) for task in [*long, short])
    assert [("a", short)] == FINISHED
    await a.crash()

    # b's clock catches up: the leases (60 s from a's claim at +10 s) have not run out yet.
    await b.advance(60)
    assert all(process == "a" for process, _ in RUNS)
    await b.advance(30)
    taken = [task for process, task in RUNS if process == "b"]
    assert sorted(taken) == sorted(long)  # each long task once more, the finished one never
    await b.advance(700)  # b's runs renew their leases and finish
    assert sorted(task for process, task in FINISHED if process == "b") == sorted(long)
    assert Counter(task for _, task in RUNS) == {**{task: 2 for task in long}, short: 1}
    stored = await claims(b, guild_id)
    assert [(state, claimer) for kind, state, claimer, _ in stored if kind == HOLD] == [
        *[("done", "b")] * len(long),
        ("done", "a"),
    ]
    assert b.errors() == []


async def test_a_long_task_renews_its_lease_so_no_other_process_takes_it_over(
    spawn: Spawn,
) -> None:
    a = spawn("a", shard_count=2, shard_ids="0-1", task_lease=60)
    b = spawn("b", shard_count=2, shard_ids="0-1", task_lease=60)
    [server] = await a.sync(lambda env: [build_server(env, 0)])
    await a.start()
    await b.start()

    [task_id] = await schedule_probes(
        a, server.admin, server.general, server.guild.id, 1, seconds=10, hold=300
    )
    await a.advance(15)  # a claims it first
    await advance_all([a, b], 400, step=10)

    assert [("a", task_id)] == RUNS and [("a", task_id)] == FINISHED


async def test_a_shard_process_keeps_to_its_share_of_the_global_limit(spawn: Spawn) -> None:
    quarter = spawn("a", shard_count=4, shard_ids="3")
    shared = spawn("b", shard_count=4, shard_ids="0-2", global_rate_share=30)
    await quarter.sync(lambda env: build_server(env, 3))
    await shared.sync(lambda env: build_server(env, 0))
    await quarter.start()
    await shared.start()

    assert quarter.bot.boards.outbound.budget is not None
    assert quarter.bot.boards.outbound.budget.rate == 12.5  # a quarter of the shards: 50 / 4
    assert shared.bot.boards.outbound.budget is not None
    assert shared.bot.boards.outbound.budget.rate == 30
