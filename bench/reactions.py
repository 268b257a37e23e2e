"""A storm of reactions on meetup polls, through the real bot under SimCord.

    python -m bench.reactions                  # 2,000 members add and remove 10,000 reactions
    python -m bench.reactions --quick          # 200 members, 1,000 reactions (what the test runs)
    python -m bench.reactions --full           # 100,000 reactions over 1,000 live polls in 100 servers
    python -m bench.reactions --full --quick   # 2,000 reactions over 40 polls in 4 servers
    python -m bench.reactions --full --sample  # and py-spy's samples of each storm (pip install py-spy)

With ``--full`` every figure below is per poll as well: none lost or counted twice on any poll,
every poll's message ends on its final tally, and no poll is edited twice within 2 s.

Prints the votes lost (must be 0) or counted twice, the number of poll edits and the shortest
gap between two of them in virtual time (target: at most one edit per 2 s), whether the last
edit shows the final tally, and the cost per reaction against a bare bot whose reaction
listeners do nothing, fed the same storm the same way in the same process (target: ratio <= 2).

Both bots get identical gateway traffic: each reaction is applied to SimCord's backend, which
delivers MESSAGE_REACTION_ADD/REMOVE to discord.py as Discord would; every ``--batch`` reactions
the virtual clock moves ``--step`` seconds and the bot is settled. The timed cost therefore
includes discord.py parsing each event and SimCord's own work, for both bots alike; the
difference between the two is what Meetbridge adds (vote bookkeeping, SQLite writes, edits).

With ``--full`` the garbage collector's share of each bot's CPU is shown too (timed around each of
its passes): at this scale it is about half of the bare bot's, since both processes hold the
simulator's model of 100 servers, and a pass costs more the more the process holds.

With ``--full --sample`` py-spy samples each storm (see :mod:`bench.sampling`): our own code's CPU
per reaction, and the CPU of everything under each kind of work (:data:`UNDER`): a tally edit
with the simulator taking it and discord.py reading it back, the vote writes, the listeners, and
SimCord's settling, for both bots. It shows where the difference between the two bots goes.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import logging
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import discord
import simcord
from discord.ext import commands

from bench import simulated
from bench.sampling import Sampler, Samples
from bot import Settings, create_bot
from bot.app import intents
from bot.boards.polls import POLL_EDIT_INTERVAL
from bot.domain.guild_settings import Purpose
from bot.domain.polls import PLACE_EMOJIS, TIME_EMOJIS
from bot.ui.meetups import poll_embed

Op = tuple[int, int, bool]  # member index, emoji index, added


@dataclass
class Run:
    seconds: float  # CPU time of the whole process (every thread) while the storm ran
    wall: float
    reactions: int
    votes_expected: int = 0
    votes_stored: int = 0
    lost: int = 0
    extra: int = 0
    edits: list[datetime] = field(default_factory=list)
    final_shown: bool = True
    virtual_seconds: float = 0.0

    @property
    def per_reaction_us(self) -> float:
        return self.seconds / self.reactions * 1e6

    @property
    def wall_per_reaction_us(self) -> float:
        return self.wall / self.reactions * 1e6

    @property
    def min_gap(self) -> float | None:
        gaps = [(b - a).total_seconds() for a, b in zip(self.edits, self.edits[1:], strict=False)]
        return min(gaps) if gaps else None


@dataclass
class Figures:
    members: int
    reactions: int
    adds: int
    removes: int
    meetbridge: list[Run]  # one per round, alternating with the bare bot's
    bare: list[Run]

    @property
    def ratio(self) -> float:
        """Median over rounds of Meetbridge's CPU per reaction over the bare bot's in that round."""
        return statistics.median(
            m.seconds / b.seconds for m, b in zip(self.meetbridge, self.bare, strict=True)
        )

    @staticmethod
    def _median_us(runs: list[Run], wall: bool = False) -> float:
        return statistics.median(run.wall_per_reaction_us if wall else run.per_reaction_us for run in runs)

    @property
    def lost(self) -> int:
        return max(run.lost for run in self.meetbridge)

    @property
    def extra(self) -> int:
        return max(run.extra for run in self.meetbridge)

    @property
    def min_gap(self) -> float | None:
        gaps = [run.min_gap for run in self.meetbridge if run.min_gap is not None]
        return min(gaps) if gaps else None

    @property
    def edits(self) -> int:
        return max(len(run.edits) for run in self.meetbridge)

    def report(self) -> str:
        run = self.meetbridge[0]
        gap = "n/a" if self.min_gap is None else f"{self.min_gap:.2f} s"
        shown = all(r.final_shown for r in self.meetbridge)
        rounds = len(self.meetbridge)
        return "\n".join(
            [
                f"storm: {self.members:,} members, {self.reactions:,} reaction events "
                f"({self.adds:,} added, {self.removes:,} removed) on one poll, "
                f"over {run.virtual_seconds:.0f} s of virtual time; {rounds} round(s) per bot",
                f"votes lost: {self.lost}   counted twice: {self.extra}   "
                f"(stored {run.votes_stored:,} = reactions on the message {run.votes_expected:,})",
                f"poll edits: {self.edits}   shortest gap between edits: {gap}   "
                f"last edit shows the final tally: {'yes' if shown else 'NO'}",
                f"cost per reaction (CPU, median): Meetbridge {self._median_us(self.meetbridge):.0f} µs, "
                f"bare bot {self._median_us(self.bare):.0f} µs, ratio {self.ratio:.2f}",
                f"wall time per reaction (median): Meetbridge "
                f"{self._median_us(self.meetbridge, True):.0f} µs, bare bot "
                f"{self._median_us(self.bare, True):.0f} µs (includes SimCord's settling pauses)",
            ]
        )

    @property
    def ok(self) -> bool:
        spaced = self.min_gap is None or self.min_gap >= POLL_EDIT_INTERVAL - 1e-6
        shown = all(run.final_shown for run in self.meetbridge)
        return self.lost == 0 and self.extra == 0 and shown and spaced


def make_storm(members: int, emojis: int, count: int, seed: int) -> list[Op]:
    """Random valid reaction traffic: about 60% adds and 40% removals of an existing reaction."""
    rng = random.Random(seed)
    reacted: list[tuple[int, int]] = []
    where: dict[tuple[int, int], int] = {}
    ops: list[Op] = []
    while len(ops) < count:
        if reacted and rng.random() < 0.4:
            slot = reacted[rng.randrange(len(reacted))]
            last = reacted.pop()
            if last != slot:
                reacted[where[slot]] = last
                where[last] = where[slot]
            del where[slot]
            ops.append((*slot, False))
        else:
            slot = (rng.randrange(members), rng.randrange(emojis))
            if slot in where:
                continue
            where[slot] = len(reacted)
            reacted.append(slot)
            ops.append((*slot, True))
    return ops


class Bare(commands.Cog):
    """The baseline: the same intents and gateway traffic, listeners that do nothing."""

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        return None

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        return None


def bare_bot() -> commands.Bot:
    bot = commands.Bot(command_prefix=commands.when_mentioned, intents=intents(), help_command=None)

    async def setup_hook() -> None:
        await bot.add_cog(Bare())

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot


async def _world(env: simcord.Env, members: int) -> tuple[Any, Any, Any, list[int]]:
    guild = env.create_guild("Bench")
    channel = guild.create_text_channel("meetups")
    organiser = guild.add_member(env.create_user("organiser"))
    ids = []
    for n in range(members):
        ids.append(guild.add_member(env.create_user(f"member{n}")).id)
        if n % 200 == 199:
            await env.settle()  # the joins so far (welcomes), within one settle budget each
    await env.settle()
    return guild, channel, organiser, ids


async def _feed(
    env: simcord.Env, channel_id: int, message_id: int, emojis: Sequence[str], ids: Sequence[int],
    ops: Sequence[Op], batch: int, step: float,
) -> tuple[float, float, float]:  # fmt: skip
    """Apply the storm in batches, moving virtual time and settling after each.

    Returns (CPU, wall, virtual) seconds. CPU time is the cost: SimCord's settle step idles
    ~50 ms when a bot's work touched no thread or I/O, which would bill the bare bot for
    waiting, not working.
    """
    backend = env.backend
    gc.collect()  # start each bot on an equally clean heap
    started_virtual = env.now()
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    for first in range(0, len(ops), batch):
        for member, emoji, added in ops[first : first + batch]:
            backend.set_reaction(channel_id, message_id, emojis[emoji], ids[member], added)
        await env.advance_time(step)
    await env.advance_time(POLL_EDIT_INTERVAL)  # room for the last deferred edit
    cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started_wall
    return cpu, wall, (env.now() - started_virtual).total_seconds()


async def run_meetbridge(members: int, ops: Sequence[Op], batch: int, step: float, folder: Path) -> Run:
    bot = create_bot(Settings(database_path=folder / "bench.db", geocoder="offline"))
    env = simcord.Env(bot)
    await env.start()
    try:
        guild, channel, organiser, ids = await _world(env, members)
        services = bot.services
        await services.config.set_channel(guild.id, Purpose.MEETUPS, channel.id, 0)
        await organiser.slash(
            channel,
            "meetup plan",
            title="Storm",
            times="; ".join(f"2026-02-{day:02d} 19:00" for day in range(1, 11)),
            places="; ".join(f"Place {letter}" for letter in "ABCDEFGHIJ"),
            closes="7d",
        )
        poll = await services.polls.find(guild.id, 1)
        assert poll is not None and poll.message_id is not None
        edits: list[datetime] = []

        def watch(event: str, payload: Any) -> None:
            if event == "MESSAGE_UPDATE" and int(payload["id"]) == poll.message_id:
                edits.append(datetime.fromisoformat(payload["edited_timestamp"]))

        env.backend.subscribers.append(watch)
        cpu, wall, virtual = await _feed(env, channel.id, poll.message_id, poll.emojis, ids, ops, batch, step)
        env.backend.subscribers.remove(watch)

        stored = {(key, member) for key, member in await services.polls.votes(poll)}
        message = env.backend.get_message(channel.id, poll.message_id)
        bot_id = env.backend.bot_user.id
        expected = {
            (poll.key_for(reaction.emoji), user)
            for reaction in message.reactions
            for user in reaction.user_ids
            if user != bot_id
        }
        final = poll_embed(poll, await services.polls.tally(poll)).description
        shown = message.embeds[0]["description"] if message.embeds else None
        return Run(
            seconds=cpu,
            wall=wall,
            reactions=len(ops),
            votes_expected=len(expected),
            votes_stored=len(stored),
            lost=len(expected - stored),
            extra=len(stored - expected),
            edits=edits,
            final_shown=shown == final,
            virtual_seconds=virtual,
        )
    finally:
        await env.shutdown()
        await bot.close()


async def run_bare(members: int, ops: Sequence[Op], batch: int, step: float, emojis: Sequence[str]) -> Run:
    bot = bare_bot()
    env = simcord.Env(bot)
    await env.start()
    try:
        _guild, channel, organiser, ids = await _world(env, members)
        message = await organiser.send(channel, "A poll")
        cpu, wall, virtual = await _feed(env, channel.id, message.id, emojis, ids, ops, batch, step)
        return Run(seconds=cpu, wall=wall, reactions=len(ops), virtual_seconds=virtual)
    finally:
        await env.shutdown()
        await bot.close()


async def measure(
    members: int = 2000, reactions: int = 10_000, *, batch: int = 250, step: float = 0.25, rounds: int = 1,
    seed: int = 4,
) -> Figures:  # fmt: skip
    """Run the storm through a bare bot and Meetbridge, alternating, ``rounds`` times each."""
    ops = make_storm(members, 20, reactions, seed)
    emojis = [*TIME_EMOJIS, *PLACE_EMOJIS]
    bare_runs: list[Run] = []
    real_runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="meetbridge-bench-") as folder:
        for number in range(rounds):
            bare_runs.append(await run_bare(members, ops, batch, step, emojis))
            real_runs.append(await run_meetbridge(members, ops, batch, step, Path(folder) / str(number)))
    adds = sum(1 for op in ops if op[2])
    return Figures(members, len(ops), adds, len(ops) - adds, real_runs, bare_runs)


# -- at scale: many live polls in many servers ------------------------------------------------

ScaleOp = tuple[int, int, int, bool]  # poll index, member index in its server, emoji index, added
SCALE_TIMES = 5  # options per poll: 5 times and 5 places (10 emoji)
SCALE_PLACES = 5
SETTLE_TIMEOUT = 600.0
"""Real seconds a tick may take: a tick at this scale renders hundreds of polls (both bots get it)."""


def make_scale_storm(polls: int, members: int, emojis: int, count: int, seed: int) -> list[ScaleOp]:
    """Random valid reaction traffic over many polls: each event picks a poll at random, then
    adds (about 60%) or removes (40%) a reaction as :func:`make_storm` does on one poll."""
    rng = random.Random(seed)
    reacted: list[list[tuple[int, int]]] = [[] for _ in range(polls)]
    where: list[dict[tuple[int, int], int]] = [{} for _ in range(polls)]
    ops: list[ScaleOp] = []
    while len(ops) < count:
        poll = rng.randrange(polls)
        mine, index = reacted[poll], where[poll]
        if mine and rng.random() < 0.4:
            slot = mine[rng.randrange(len(mine))]
            last = mine.pop()
            if last != slot:
                mine[index[slot]] = last
                index[last] = index[slot]
            del index[slot]
            ops.append((poll, *slot, False))
        else:
            slot = (rng.randrange(members), rng.randrange(emojis))
            if slot in index:
                continue
            index[slot] = len(mine)
            mine.append(slot)
            ops.append((poll, *slot, True))
    return ops


class GcClock:
    """CPU time the garbage collector spends while the clock runs (gc.callbacks around each pass).

    A pass runs in the thread whose allocation started it, holding the GIL; that thread's CPU is
    timed (``time.thread_time``), not the process's, which would add whatever another thread did
    meanwhile without the GIL (aiosqlite's, running SQL)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._began = 0.0

    def _callback(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._began = time.thread_time()
        else:
            self.seconds += time.thread_time() - self._began

    def __enter__(self) -> GcClock:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self._callback)


UNDER = {
    "tally edits": re.compile(r"^(\w+\.)?_render \(bot/boards/polls\.py"),
    "vote writes": re.compile(r"^(\w+\.)?_write \(bot/services/polls\.py"),
    "listeners": re.compile(r"^(\w+\.)?on_raw_reaction_(add|remove) \((cogs|bench)/"),
    "settling": re.compile(r"^(\w+\.)?_settle_internal \(simcord/"),
}  # py-spy names a method with its class when it attaches to a running process
"""With ``--sample``: kinds of work, each everything run under such a frame (our code and what it
calls: for a tally edit, reading the tally, rendering it, and the simulator taking the edit and
discord.py reading it back; for the listeners, discord.py running them; SimCord's settling is the
simulator waiting for the bot's work to finish, in both bots)."""


@dataclass
class ScaleRun:
    seconds: float
    wall: float
    reactions: int
    virtual_seconds: float
    gc_seconds: float = 0.0  # of ``seconds``: the garbage collector's passes
    polls: int = 0
    votes_expected: int = 0
    votes_stored: int = 0
    lost: int = 0
    extra: int = 0
    polls_wrong: int = 0  # polls whose stored votes differ from their reactions
    edits: int = 0
    min_gap: float | None = None  # shortest gap between two edits of the same poll
    not_shown: int = 0  # polls whose message does not end on the final tally
    main_seconds: float = 0.0  # of ``seconds``: the main thread's (the event loop's)
    samples: Samples | None = None  # py-spy's samples of the storm (--sample)

    @classmethod
    def of(cls, fed: Fed, reactions: int, polls: int) -> ScaleRun:
        return cls(
            fed.cpu, fed.wall, reactions, fed.virtual, fed.gc, polls=polls, main_seconds=fed.main,
            samples=fed.samples,
        )  # fmt: skip

    def sampled_us(self, label: str | None = None) -> float:
        """Per reaction, from the samples: our own code's CPU (µs), or with ``label`` the CPU of
        everything under that kind of work (see :data:`UNDER`), outside the collector's passes."""
        if self.samples is None:
            return 0.0
        samples, cpu = self.samples, self.main_seconds
        spent = samples.share(cpu) if label is None else samples.share_under(label, cpu)
        return spent / self.reactions * 1e6


@dataclass
class ScaleFigures:
    servers: int
    polls: int
    members: int  # per server
    reactions: int
    meetbridge: list[ScaleRun]
    bare: list[ScaleRun]

    @property
    def ratio(self) -> float:
        return statistics.median(
            m.seconds / b.seconds for m, b in zip(self.meetbridge, self.bare, strict=True)
        )

    @property
    def ok(self) -> bool:
        return all(
            run.lost == 0
            and run.extra == 0
            and run.not_shown == 0
            and (run.min_gap is None or run.min_gap >= POLL_EDIT_INTERVAL - 1e-6)
            for run in self.meetbridge
        )

    def report(self) -> str:
        run = self.meetbridge[0]
        gap = "n/a" if run.min_gap is None else f"{min(r.min_gap or 0 for r in self.meetbridge):.2f} s"
        mb = statistics.median(r.seconds / r.reactions * 1e6 for r in self.meetbridge)
        bare = statistics.median(r.seconds / r.reactions * 1e6 for r in self.bare)
        mb_gc = statistics.median(r.gc_seconds / r.reactions * 1e6 for r in self.meetbridge)
        bare_gc = statistics.median(r.gc_seconds / r.reactions * 1e6 for r in self.bare)
        return "\n".join(
            [
                f"storm at scale: {self.reactions:,} reaction events over {self.polls:,} live polls in "
                f"{self.servers:,} servers ({self.members:,} members each), over "
                f"{run.virtual_seconds:.0f} s of virtual time; {len(self.meetbridge)} round(s) per bot",
                f"votes lost: {max(r.lost for r in self.meetbridge)}   counted twice: "
                f"{max(r.extra for r in self.meetbridge)}   polls with a wrong count: "
                f"{max(r.polls_wrong for r in self.meetbridge)}   (stored {run.votes_stored:,} = "
                f"reactions on the messages {run.votes_expected:,})",
                f"poll edits: {run.edits:,} ({run.edits / self.polls:.1f} per poll)   shortest gap between "
                f"two edits of one poll: {gap}   polls not ending on their final tally: "
                f"{max(r.not_shown for r in self.meetbridge)}",
                f"cost per reaction (CPU, median): Meetbridge {mb:.0f} µs, bare bot {bare:.0f} µs, "
                f"ratio {self.ratio:.2f} (target <= 1.2)",
                f"of which the garbage collector's passes: Meetbridge {mb_gc:.0f} µs, bare bot "
                f"{bare_gc:.0f} µs; the rest: Meetbridge {mb - mb_gc:.0f} µs, bare bot "
                f"{bare - bare_gc:.0f} µs, ratio {(mb - mb_gc) / (bare - bare_gc):.2f}",
                *self._sampled_lines(),
            ]
        )

    def _sampled_lines(self) -> list[str]:
        runs = [run for run in self.meetbridge if run.samples is not None]
        bare = [run for run in self.bare if run.samples is not None]
        if not runs or not bare:
            return []

        def us(of: list[ScaleRun], label: str | None = None) -> float:
            return statistics.median(run.sampled_us(label) for run in of)

        def threads_us(of: list[ScaleRun]) -> float:
            others = (max(0.0, run.seconds - run.main_seconds) / run.reactions for run in of)
            return statistics.median(others) * 1e6

        return [
            f"sampled by py-spy (native stacks; the collector's passes apart), per reaction: Meetbridge's "
            f"own code (bot/, cogs/) {us(runs):.0f} µs; everything under its tally edits "
            f"{us(runs, 'tally edits'):.0f} µs, its vote writes {us(runs, 'vote writes'):.0f} µs, its "
            f"reaction listeners {us(runs, 'listeners'):.0f} µs (the bare bot's {us(bare, 'listeners'):.0f} "
            f"µs); SimCord's settling: Meetbridge {us(runs, 'settling'):.0f} µs, bare bot "
            f"{us(bare, 'settling'):.0f} µs; threads besides the event loop's (aiosqlite's): Meetbridge "
            f"{threads_us(runs):.0f} µs, bare bot {threads_us(bare):.0f} µs",
            "(py-spy pauses the process for each native sample, which adds to both bots' CPU: judge "
            "the ratio on a run without --sample)",
        ]


async def _scale_world(
    env: simcord.Env, servers: int, per_server: int, members: int
) -> list[tuple[Any, Any, list[Any], list[int]]]:
    """Each server: a meetups channel, one organiser per poll (cooldowns allow 3 plans each) and
    ``members`` voters."""
    worlds = []
    for number in range(servers):
        guild = env.create_guild(f"Bench {number}")
        channel = guild.create_text_channel("meetups")
        organiser = [guild.add_member(env.create_user(f"s{number}o{k}")) for k in range(per_server)]
        ids = [guild.add_member(env.create_user(f"s{number}m{n}")).id for n in range(members)]
        worlds.append((guild, channel, organiser, ids))
        await env.settle()  # each server's joins (welcomes) before the next: one settle budget each
    return worlds


@dataclass
class Fed:
    """What a storm cost (seconds): process CPU, wall, virtual, the collector's passes, the main
    thread's CPU (what the samples' shares are of), and py-spy's samples (``sample``)."""

    cpu: float
    wall: float
    virtual: float
    gc: float
    main: float
    samples: Samples | None


async def _scale_feed(
    env: simcord.Env, targets: Sequence[tuple[int, int, Sequence[str], Sequence[int]]],
    ops: Sequence[ScaleOp], batch: int, step: float, busy: Callable[[], bool] = lambda: False,
    sample: Path | None = None,
) -> Fed:  # fmt: skip
    """As :func:`_feed`, over many messages: ``targets[poll]`` is (channel, message, emoji, member ids).

    After the storm, time moves on by a second at a time while ``busy()`` (tally edits still
    waiting for their turn), up to a minute. With ``sample`` (a file for py-spy's output), the
    storm is sampled too."""
    backend = env.backend
    gc.collect()
    sampler = Sampler(sample, native=True) if sample is not None else None
    if sampler is not None and not sampler.start():
        sampler = None
    started_virtual = env.now()
    with GcClock() as collector:
        started_wall, started_cpu, started_main = time.perf_counter(), time.process_time(), time.thread_time()
        for first in range(0, len(ops), batch):
            for poll, member, emoji, added in ops[first : first + batch]:
                channel_id, message_id, emojis, ids = targets[poll]
                backend.set_reaction(channel_id, message_id, emojis[emoji], ids[member], added)
            await env.advance_time(step)
        await env.advance_time(POLL_EDIT_INTERVAL)
        for _ in range(60):
            if not busy():
                break
            await env.advance_time(1)
        cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started_wall
        main = time.thread_time() - started_main
    samples = sampler.stop(UNDER) if sampler is not None else None
    return Fed(cpu, wall, (env.now() - started_virtual).total_seconds(), collector.seconds, main, samples)


async def run_meetbridge_scale(
    servers: int, per_server: int, members: int, ops: Sequence[ScaleOp], batch: int, step: float,
    folder: Path, *, sample: bool = False,
) -> ScaleRun:  # fmt: skip
    bot = create_bot(Settings(database_path=folder / "bench.db", geocoder="offline"))
    env = simcord.Env(bot, settle_timeout=SETTLE_TIMEOUT)
    await env.start()
    try:
        worlds = await _scale_world(env, servers, per_server, members)
        services = bot.services
        polls = []
        for guild, channel, organisers, _ids in worlds:
            await services.config.set_channel(guild.id, Purpose.MEETUPS, channel.id, 0)
            for number in range(per_server):
                # Through the command, so the closing task's timer belongs to the bot (virtual time).
                await organisers[number].slash(
                    channel,
                    "meetup plan",
                    title=f"Storm {number}",
                    times="; ".join(f"2026-02-{day:02d} 19:00" for day in range(1, SCALE_TIMES + 1)),
                    places="; ".join(f"Place {letter}" for letter in "ABCDEFGHIJ"[:SCALE_PLACES]),
                    closes="7d",
                )
                poll = await services.polls.find(guild.id, number + 1)
                assert poll is not None and poll.message_id is not None
                polls.append(poll)
        await env.settle()
        targets = [
            (poll.channel_id, poll.message_id, poll.emojis, worlds[index // per_server][3])
            for index, poll in enumerate(polls)
        ]
        by_message = {poll.message_id: poll.id for poll in polls}
        edits: dict[int, list[datetime]] = {}

        def watch(event: str, payload: Any) -> None:
            if event == "MESSAGE_UPDATE" and int(payload["id"]) in by_message:
                edits.setdefault(int(payload["id"]), []).append(
                    datetime.fromisoformat(payload["edited_timestamp"])
                )

        env.backend.subscribers.append(watch)
        renders = bot.boards.polls.renders
        fed = await _scale_feed(
            env,
            targets,
            ops,
            batch,
            step,
            lambda: any(renders.pending(poll.id) for poll in polls),
            folder.with_suffix(".spy") if sample else None,
        )
        env.backend.subscribers.remove(watch)

        bot_id = env.backend.bot_user.id
        run = ScaleRun.of(fed, len(ops), len(polls))
        for poll in polls:
            assert poll.message_id is not None
            stored = set(await services.polls.votes(poll))
            message = env.backend.get_message(poll.channel_id, poll.message_id)
            expected = {
                (poll.key_for(reaction.emoji), user)
                for reaction in message.reactions
                for user in reaction.user_ids
                if user != bot_id
            }
            run.votes_expected += len(expected)
            run.votes_stored += len(stored)
            run.lost += len(expected - stored)
            run.extra += len(stored - expected)
            run.polls_wrong += stored != expected
            final = poll_embed(poll, await services.polls.tally(poll)).description
            shown = message.embeds[0]["description"] if message.embeds else None
            run.not_shown += shown != final
        run.edits = sum(len(times) for times in edits.values())
        gaps = [(b - a).total_seconds() for times in edits.values() for a, b in itertools.pairwise(times)]
        run.min_gap = min(gaps) if gaps else None
        return run
    finally:
        await env.shutdown()
        await bot.close()


async def run_bare_scale(
    servers: int, per_server: int, members: int, ops: Sequence[ScaleOp], batch: int, step: float,
    sample: Path | None = None,
) -> ScaleRun:  # fmt: skip
    bot = bare_bot()
    env = simcord.Env(bot, settle_timeout=SETTLE_TIMEOUT)
    await env.start()
    try:
        worlds = await _scale_world(env, servers, per_server, members)
        emojis = [*TIME_EMOJIS[:SCALE_TIMES], *PLACE_EMOJIS[:SCALE_PLACES]]
        targets = []
        for _guild, channel, organisers, ids in worlds:
            for organiser in organisers:
                message = env.backend.create_message(channel.id, organiser.id, "A poll")
                targets.append((channel.id, message.id, emojis, ids))
        await env.settle()
        fed = await _scale_feed(env, targets, ops, batch, step, sample=sample)
        return ScaleRun.of(fed, len(ops), len(targets))
    finally:
        await env.shutdown()
        await bot.close()


async def measure_scale(
    servers: int = 100, per_server: int = 10, members: int = 100, reactions: int = 100_000, *,
    batch: int = 1000, step: float = 0.25, rounds: int = 1, seed: int = 4, sample: bool = False,
) -> ScaleFigures:  # fmt: skip
    """``reactions`` events over ``servers * per_server`` polls, through a bare bot and Meetbridge;
    ``sample``: each storm sampled by py-spy too (when it is installed)."""
    ops = make_scale_storm(servers * per_server, members, SCALE_TIMES + SCALE_PLACES, reactions, seed)
    bare_runs: list[ScaleRun] = []
    real_runs: list[ScaleRun] = []
    with tempfile.TemporaryDirectory(prefix="meetbridge-bench-") as folder:
        for number in range(rounds):
            bare_spy = Path(folder) / f"bare-{number}.spy" if sample else None
            bare_runs.append(await run_bare_scale(servers, per_server, members, ops, batch, step, bare_spy))
            real_runs.append(
                await run_meetbridge_scale(
                    servers, per_server, members, ops, batch, step, Path(folder) / str(number), sample=sample
                )
            )
    return ScaleFigures(servers, servers * per_server, members, len(ops), real_runs, bare_runs)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.reactions", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 members and 1,000 reactions")
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--reactions", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=250, help="reactions between two settles")
    parser.add_argument("--step", type=float, default=0.25, help="virtual seconds per batch")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs of each bot")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument(
        "--full", action="store_true", help="100,000 reactions over 1,000 live polls in 100 servers"
    )
    parser.add_argument("--servers", type=int, default=100, help="with --full")
    parser.add_argument("--polls", type=int, default=10, help="with --full: live polls per server")
    parser.add_argument(
        "--sample",
        action="store_true",
        help="with --full: also sample each storm with py-spy (pip install py-spy): our own code's "
        "share and what each kind of work costs with all it calls",
    )
    args = parser.parse_args(argv)
    if args.full:
        args.members, args.reactions, args.batch, args.rounds = 100, 100_000, 1000, min(args.rounds, 1)
        if args.quick:
            args.servers, args.polls, args.reactions, args.batch = 4, 10, 2000, 100
    elif args.quick:
        args.members, args.reactions, args.rounds = 200, 1000, 1
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.full:
        return simulated.run(
            lambda: measure_scale(
                args.servers,
                args.polls,
                args.members,
                args.reactions,
                batch=args.batch,
                step=args.step,
                rounds=args.rounds,
                seed=args.seed,
                sample=args.sample,
            ),
            log_level=logging.WARNING,
        )
    return simulated.run(
        lambda: measure(
            args.members, args.reactions, batch=args.batch, step=args.step, rounds=args.rounds, seed=args.seed
        ),
        log_level=logging.WARNING,
    )


if __name__ == "__main__":
    raise SystemExit(main())
