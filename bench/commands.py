"""What an everyday command costs, through the real bot under SimCord, against a no-op command.

    python -m bench.commands            # 30 members, 7 rounds of blocks of 20 of each command
    python -m bench.commands --quick    # 12 members, 2 rounds of blocks of 5 (what the test runs)

1. **The server.** An admin configures the channels and the timezone; every member introduces
   themself (interests and a city, geocoded offline); five meetups with RSVPs (one capacity-limited
   with a waitlist) and an open poll with votes.
2. **The commands.** ``/profile``, ``/match``, an RSVP click (**Going** / **Maybe** / **Can't go**
   in turn, each click a change), ``/meetup list``, ``/meetup info``, ``/meetup calendar``,
   ``/privacy show`` and the admin's ``/config show``, and a **no-op** ``/bench-noop`` that only
   answers "ok": it runs inside Meetbridge (its command tree, error handling and after-command
   step), so the ratio is what a command adds to the least a command costs here.
3. **CPU per command, as a ratio.** In each round, every command runs a block of ``--block``
   invocations by members in turn, the no-op's block between every two (so load from other
   processes falls on both alike); the figure is a block's process CPU time divided by its
   invocations; the ratio is a command's median over rounds to the no-op's median. The simulator's
   own work (routing the interaction, discord.py parsing it, the reply) is in both and dominates,
   so the ratio moves by about ±0.3 between runs. Target: 0.6–1.25. A second baseline, a no-op
   that answers a fixed embed shaped like a meetup card (``/bench-noop-card``), is run once per
   round; the ``÷card`` column is each command against it: most commands answer with an embed, and
   the simulator's handling of one (routing, validating and copying it) costs more than our code.
   A third baseline, a no-op that reads ``SELECT 1`` four times before it answers
   (``/bench-noop-db``), prices a round trip to the database thread: its cost beyond the no-op over
   its four trips. Under SimCord a round trip costs about three times what it costs on a plain
   event loop (measured in the same run, outside the simulator), since the simulator's settling
   runs while the bot waits for the thread. ``DB µs`` is each command's round trips at that price,
   ``rest µs`` what the command costs beyond the no-op and them.
4. **Our own code's share.** Each command's block three times more under :mod:`cProfile` (the
   median block is shown): the self time
   (``tottime``) of every function defined under ``bot/`` or ``cogs/``, summed, per invocation
   (the profiler's own overhead is billed to every function it sees, so this is an upper bound;
   the SQLite work on aiosqlite's thread is not in it, hence the round trips to that thread per
   command beside it, ``DB``).
   Target: at most 0.3 ms for ``/profile``, ``/match``, an RSVP click and ``/meetup list``.
5. **Without the profiler's own cost.** cProfile adds a fixed cost to every call it sees, and a
   command makes 35–500 calls into our code, so part of that upper bound is the profiler. The run
   measures that cost (a loop of calls to an empty function, with and without cProfile, best of
   5) and the ``net ms`` column takes it off once per call into our code: an estimate, not a
   bound (calls from our code into libraries also cost, and are not taken off).
6. **Sampled, with ``--sample``** (needs ``pip install py-spy``): each command's blocks once more
   while py-spy samples the process 1,000 times a second without tracing it (see
   :mod:`bench.sampling`); our share is the main thread's samples whose innermost frame is in
   ``bot/`` or ``cogs/`` (C functions our code calls count as ours, the SQLite thread does not),
   times the main thread's CPU over those blocks: ``spy ms``.
   With no profiler cost in it, the own-time target is judged on it when it is there.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import logging
import math
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import simcord
from discord import app_commands
from discord.ext import commands
from simcord.results import to_discord_message

from bench import simulated
from bench.sampling import SAMPLE_RATE, Sampler
from bot import Settings, create_bot
from bot.adapters.replies import reply
from bot.domain.polls import TIME_EMOJIS
from bot.storage.database import Database

ROOT = Path(__file__).resolve().parents[1]
OWN = (str(ROOT / "bot") + "/", str(ROOT / "cogs") + "/")
TARGETED = ("profile", "match", "rsvp click", "meetup list")
OWN_TARGET_MS = 0.3
SAMPLED_BLOCKS = 15  # blocks per command under py-spy: a few thousand samples
PROFILED_BLOCKS = 3  # our own time is the median block's (a block can land on another process's burst)
RATIO_RANGE = (0.6, 1.25)
CITIES = ("Berlin", "Hamburg", "Munich", "Leipzig", "Cologne", "Potsdam")
INTERESTS = ("board games", "hiking", "python", "climbing", "cooking", "jazz", "chess", "cycling")
HOUR, DAY = 3600, 86400
TRIPS = 4  # the third baseline's round trips to the database thread


class NoOp(commands.Cog):
    """The baseline commands: answer and do nothing else."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="bench-noop", description="Answers ok (benchmark baseline)")
    async def noop(self, interaction: discord.Interaction) -> None:
        await reply(interaction, "ok")

    @app_commands.command(name="bench-noop-db", description="Reads SELECT 1 a few times, answers ok")
    async def noop_db(self, interaction: discord.Interaction) -> None:
        db = self.bot.services.db  # type: ignore[attr-defined]
        for _ in range(TRIPS):
            await db.fetchval("SELECT 1")
        await reply(interaction, "ok")

    @app_commands.command(name="bench-noop-card", description="Answers a fixed card (benchmark baseline)")
    async def noop_card(self, interaction: discord.Interaction) -> None:
        await reply(interaction, embed=CARD)


# The second baseline's answer: an embed shaped like a meetup card (title, description, four
# fields, footer), built once, so the simulator's handling of an embed is in the baseline too.
CARD = discord.Embed(
    title="Board games at the Crown",
    description="Bring a game if you like; we have a big table in the back room until ten. " * 3,
    colour=discord.Colour.blurple(),
)
for _name, _value in (
    ("When", "Saturday 12 December, 18:00–20:00 (Europe/Berlin)"),
    ("Where", "Café Kranzler, Kurfürstendamm 18, Berlin"),
    ("Going (6)", "member0, member1, member2, member3, member4, member5"),
    ("Maybe (2)", "member6, member7"),
):
    CARD.add_field(name=_name, value=_value, inline=False)
CARD.set_footer(text="Meetup #1 · organised by member0")


async def setup(bot: commands.Bot) -> None:
    """Loaded as an extra extension (``create_bot(extra_extensions=("bench.commands",))``)."""
    await bot.add_cog(NoOp(bot))


@dataclass
class World:
    env: simcord.Env
    guild: Any
    general: Any
    admin: Any
    members: list[Any]
    meetup_numbers: list[int]
    card: tuple[int, int, int]  # channel id, message id, meetup id of the meetup clicked on
    clicks: int = 0


def at_text(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M")


async def build(env: simcord.Env, members: int) -> World:
    guild = env.create_guild("Commands")
    admins = guild.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
    general = guild.create_text_channel("general")
    channels = {
        name: guild.create_text_channel(name) for name in ("introductions", "meetups", "pairing", "support")
    }
    admin = guild.add_member(env.create_user("ada"), roles=[admins])
    people = [guild.add_member(env.create_user(f"member{n}")) for n in range(members)]
    for purpose, channel in channels.items():
        await admin.slash(general, "config channel", purpose=purpose, channel=channel)
    await admin.slash(general, "config timezone", name="Europe/Berlin")
    for number, member in enumerate([admin, *people]):
        shown = await member.slash(general, "intro")
        interests = ", ".join(INTERESTS[(number + k) % len(INTERESTS)] for k in (0, 2, 5))
        await member.submit_modal(
            shown,
            {"about": f"Member {number}, into {interests}.", "interests": interests,
             "city": CITIES[number % len(CITIES)], "links": ""},
        )  # fmt: skip
    now = int(env.now().timestamp())
    numbers: list[int] = []
    for n in range(5):
        organiser = people[n % len(people)]
        options: dict[str, Any] = {"capacity": 4} if n == 1 else {}
        result = await organiser.slash(
            general, "meetup create", title=f"Meetup {n}", when=at_text(now + (3 + n) * DAY + 18 * HOUR),
            where="Café Kranzler, Berlin", **options,
        )  # fmt: skip
        meetup = await env.bot.services.meetups.find(guild.id, n + 1)
        assert meetup is not None and meetup.channel_id and meetup.message_id, result
        numbers.append(meetup.number)
        for member in people[n : n + 6]:
            message = to_discord_message(env, env.backend.get_message(meetup.channel_id, meetup.message_id))
            await member.click(message, custom_id=f"meetup:rsvp:{meetup.id}:going")
    times = "; ".join(at_text(now + d * DAY + 18 * HOUR) for d in (9, 10))
    await people[0].slash(
        general, "meetup plan", title="Poll", times=times, places="Here; There", closes="48h"
    )
    (poll,) = await env.bot.services.polls.open_polls(guild.id)
    assert poll.message_id is not None
    for member in people[:6]:
        env.backend.set_reaction(poll.channel_id, poll.message_id, TIME_EMOJIS[0], member.id, True)
    await env.advance_time(5)
    first = await env.bot.services.meetups.find(guild.id, numbers[0])
    assert first is not None and first.channel_id and first.message_id
    return World(env, guild, general, admin, people, numbers, (first.channel_id, first.message_id, first.id))


Act = Callable[[World, int], Awaitable[Any]]


async def act_noop(world: World, n: int) -> Any:
    return await world.members[n % len(world.members)].slash(world.general, "bench-noop")


async def act_noop_db(world: World, n: int) -> Any:
    return await world.members[n % len(world.members)].slash(world.general, "bench-noop-db")


async def act_noop_card(world: World, n: int) -> Any:
    return await world.members[n % len(world.members)].slash(world.general, "bench-noop-card")


async def act_profile(world: World, n: int) -> Any:
    members = world.members
    other = members[(n + 1) % len(members)]
    return await members[n % len(members)].slash(world.general, "profile", member=other)


async def act_match(world: World, n: int) -> Any:
    return await world.members[n % len(world.members)].slash(world.general, "match")


async def act_rsvp(world: World, n: int) -> Any:
    channel_id, message_id, meetup_id = world.card
    # Each member cycles going -> maybe -> no, so every click changes something.
    member = world.members[(6 + world.clicks) % len(world.members)]
    status = ("going", "maybe", "no")[(world.clicks // len(world.members)) % 3]
    world.clicks += 1
    message = to_discord_message(world.env, world.env.backend.get_message(channel_id, message_id))
    return await member.click(message, custom_id=f"meetup:rsvp:{meetup_id}:{status}")


async def act_meetup_list(world: World, n: int) -> Any:
    return await world.members[n % len(world.members)].slash(world.general, "meetup list")


async def act_meetup_info(world: World, n: int) -> Any:
    number = world.meetup_numbers[n % len(world.meetup_numbers)]
    return await world.members[n % len(world.members)].slash(world.general, "meetup info", id=number)


async def act_calendar(world: World, n: int) -> Any:
    number = world.meetup_numbers[n % len(world.meetup_numbers)]
    return await world.members[n % len(world.members)].slash(world.general, "meetup calendar", id=number)


async def act_privacy_show(world: World, n: int) -> Any:
    return await world.members[n % len(world.members)].slash(world.general, "privacy show")


async def act_config_show(world: World, n: int) -> Any:
    return await world.admin.slash(world.general, "config show")


ACTS: dict[str, Act] = {
    "profile": act_profile,
    "match": act_match,
    "rsvp click": act_rsvp,
    "meetup list": act_meetup_list,
    "meetup info": act_meetup_info,
    "meetup calendar": act_calendar,
    "privacy show": act_privacy_show,
    "config show": act_config_show,
}


@dataclass
class Command:
    name: str
    cpu_us: list[float] = field(default_factory=list)  # per invocation, one value per block
    own_ms: float = 0.0  # our own code's self time per invocation, under cProfile
    sampled_ms: float | None = None  # the same from py-spy's samples (--sample), no tracing cost
    calls: float = 0.0  # calls into our code per invocation (coroutine resumptions count)
    statements: float = 0.0  # round trips to the database thread per invocation
    top: list[tuple[str, float]] = field(default_factory=list)  # our heaviest functions (ms per call)
    answered: int = 0
    failed: int = 0

    @property
    def median_us(self) -> float:
        return statistics.median(self.cpu_us)


@dataclass
class Figures:
    noop: Command
    commands: list[Command]
    block: int
    rounds: int
    detail: bool = False
    card: Command | None = None  # the second baseline: a no-op that answers a fixed card
    call_cost_us: float = 0.0  # what cProfile adds per call it sees, measured in this run
    db: Command | None = None  # the third baseline: a no-op that reads SELECT 1 TRIPS times
    plain_trip_us: float = math.nan  # one round trip to aiosqlite's thread outside SimCord

    @property
    def trip_us(self) -> float:
        """Process CPU per round trip to the database thread, here: the third baseline's cost
        beyond the no-op, over its round trips."""
        if self.db is None or not self.db.cpu_us:
            return math.nan
        return max(0.0, (self.db.median_us - self.noop.median_us) / TRIPS)

    def db_us(self, command: Command) -> float:
        return command.statements * self.trip_us

    def rest_us(self, command: Command) -> float:
        """What a command costs beyond the no-op and its round trips at the measured price."""
        return command.median_us - self.noop.median_us - self.db_us(command)

    def judged_ms(self, command: Command) -> float:
        """Our own time as the target judges it: sampled when it was (no profiler in the way)."""
        return command.own_ms if command.sampled_ms is None else command.sampled_ms

    def net_ms(self, command: Command) -> float:
        """Our own time with the profiler's cost taken off once per call into our code."""
        return max(0.0, command.own_ms - command.calls * self.call_cost_us / 1e3)

    def ratio(self, command: Command) -> float:
        return command.median_us / self.noop.median_us

    def _all(self) -> list[Command]:
        return [
            self.noop,
            *([self.card] if self.card else []),
            *([self.db] if self.db else []),
            *self.commands,
        ]

    def card_ratio(self, command: Command) -> float:
        return command.median_us / self.card.median_us if self.card and self.card.cpu_us else math.nan

    @property
    def ok(self) -> bool:
        answered = all(c.failed == 0 and c.answered > 0 for c in self._all())
        return answered and all(
            self.judged_ms(command) <= OWN_TARGET_MS for command in self.commands if command.name in TARGETED
        )

    def report(self) -> str:
        noop = self.noop
        lines = [
            f"{self.rounds} rounds of blocks of {self.block}; CPU per command is a block's process CPU "
            f"over its invocations, median over rounds; no-op command {noop.median_us:.0f} µs, "
            f"our code {noop.own_ms:.3f} ms, {noop.statements:.1f} database round trips",
        ]
        if self.card is not None and self.card.cpu_us:
            lines.append(
                f"no-op answering a fixed meetup-sized card {self.card.median_us:.0f} µs "
                f"({self.ratio(self.card):.2f}× the no-op: the simulator's handling of an embed); "
                f"'÷card' is each command against it"
            )
        if self.db is not None and self.db.cpu_us:
            lines.append(
                f"no-op reading SELECT 1 {TRIPS} times {self.db.median_us:.0f} µs: a round trip to the "
                f"database thread costs {self.trip_us:.0f} µs of process CPU under SimCord, "
                f"{self.plain_trip_us:.0f} µs in plain asyncio (measured now, outside it); 'DB µs' is a "
                f"command's round trips ('DB') at the price under SimCord, 'rest µs' what it costs beyond "
                f"the no-op and them (its answer's embed and buttons, discord.py, our code)"
            )
        lines.append(
            f"cProfile adds {self.call_cost_us:.2f} µs to each call it sees (measured now); 'net ms' is "
            f"'own ms' less that cost for each of the command's 'calls' into our code"
        )
        sampled = any(command.sampled_ms is not None for command in self.commands)
        if sampled:
            lines.append(
                f"'spy ms': our own code's share of py-spy's samples of the main thread ({SAMPLE_RATE} a "
                f"second, innermost frame in bot/ or cogs/) times that thread's CPU; no tracing cost, so "
                f"the target is judged on it"
            )
        lines.append(
            f"{'command':<16} {'CPU µs':>8} {'ratio':>6} {'÷card':>6} {'DB µs':>6} {'rest µs':>7}  "
            f"{'own ms':>7} {'calls':>6} {'net ms':>7}{' spy ms' if sampled else ''} {'DB':>5}   "
            f"(ratio target {RATIO_RANGE[0]}–{RATIO_RANGE[1]}; own target <= {OWN_TARGET_MS} ms for "
            f"{', '.join(TARGETED)})"
        )
        for command in self.commands:
            mark = ""
            if command.name in TARGETED:
                mark = "ok" if self.judged_ms(command) <= OWN_TARGET_MS else "OVER"
            lines.append(
                f"{command.name:<16} {command.median_us:>8.0f} {self.ratio(command):>6.2f} "
                f"{self.card_ratio(command):>6.2f} {self.db_us(command):>6.0f} "
                f"{self.rest_us(command):>7.0f}  "
                f"{command.own_ms:>7.3f} {command.calls:>6.0f} "
                f"{self.net_ms(command):>7.3f}"
                f"{'' if command.sampled_ms is None else f'{command.sampled_ms:>7.3f}'} "
                f"{command.statements:>5.1f}   {mark}"
            )
            if self.detail:
                for where, ms in command.top:
                    lines.append(f"      {ms:7.3f} ms  {where}")
        failed = sum(c.failed for c in self._all())
        lines.append(f"every command answered: {'yes' if failed == 0 else f'NO ({failed} failed)'}")
        return "\n".join(lines)


async def _sampled(world: World, act: Act, block: int, start: int, folder: Path) -> float | None:
    """Our own time per invocation (ms) from py-spy sampling this process while ``act`` runs
    ``SAMPLED_BLOCKS`` blocks; None without py-spy."""
    sampler = Sampler(folder / f"spy-{start}.txt")
    if not sampler.start():
        return None
    began, invocations = time.thread_time(), 0
    for n in range(SAMPLED_BLOCKS):
        for k in range(block):
            await act(world, start + n * block + k)
            invocations += 1
        await world.env.advance_time(3)
    cpu = time.thread_time() - began  # the main thread's: the one whose samples are counted
    samples = sampler.stop()
    if samples is None or not samples.main:
        return None
    return samples.share(cpu) / invocations * 1e3


def _answered(result: Any) -> bool:
    """The member saw an answer: a reply with text, an embed or a file (an RSVP: its reply)."""
    response = getattr(result, "response", None)
    if response is None:
        return False
    return bool(response.content or response.embeds or response.attachments)


class StatementCounter:
    """Counts round trips to aiosqlite's thread (every query makes at least one)."""

    def __init__(self, bot: Any) -> None:
        self.count = 0
        conn = bot.services.db._conn
        original = conn._execute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return original(*args, **kwargs)

        conn._execute = counted


async def _block(world: World, act: Act, command: Command, block: int, start: int) -> float:
    gc.collect()
    began = time.process_time()
    for n in range(start, start + block):
        result = await act(world, n)
        if _answered(result):
            command.answered += 1
        else:
            command.failed += 1
    spent = time.process_time() - began
    await world.env.advance_time(3)  # coalesced re-renders (an RSVP's card) go out between blocks
    return spent / block * 1e6


def _own_time(stats: pstats.Stats, calls: int) -> tuple[float, float, list[tuple[str, float]]]:
    """Our code's self time (ms) and calls into it, per invocation, and its heaviest functions."""
    total = 0.0
    entered = 0
    ours: list[tuple[str, float]] = []
    for (filename, line, name), (_cc, nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if filename.startswith(OWN):
            total += tottime
            entered += nc
            ours.append((f"{Path(filename).relative_to(ROOT)}:{line} {name}", tottime / calls * 1e3))
    ours.sort(key=lambda item: -item[1])
    return total / calls * 1e3, entered / calls, ours[:5]


def profiler_call_cost(n: int = 100_000, tries: int = 5) -> float:
    """Microseconds cProfile adds to the self time of the functions it sees, per call: ``n`` calls
    of an empty function from a loop, the time it bills both minus the loop's time without it
    (best of ``tries`` each, so a burst of other work does not count)."""

    def empty() -> None:
        return None

    def loop() -> None:
        for _ in range(n):
            empty()

    plain = math.inf
    for _ in range(tries):
        began = time.perf_counter()
        loop()
        plain = min(plain, time.perf_counter() - began)
    billed = math.inf
    for _ in range(tries):
        profiler = cProfile.Profile()
        profiler.runcall(loop)
        stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
        billed = min(billed, sum(row[2] for key, row in stats.items() if key[2] in ("loop", "empty")))
    return max(0.0, (billed - plain) / n * 1e6)


def plain_trip_cost(path: Path, trips: int = 3000, tries: int = 3) -> float:
    """Process CPU (µs) per ``SELECT 1`` round trip to aiosqlite's thread on a plain event loop of
    its own (no simulator), through :class:`Database` as the bot reads; best of ``tries``."""

    async def run() -> float:
        db = await Database.open(path)
        try:
            best = math.inf
            for _ in range(tries):
                began = time.process_time()
                for _ in range(trips):
                    await db.fetchval("SELECT 1")
                best = min(best, (time.process_time() - began) / trips * 1e6)
            return best
        finally:
            await db.close()

    return asyncio.run(run())


async def measure(
    members: int = 30, block: int = 20, rounds: int = 7, *, detail: bool = False, sample: bool = False
) -> Figures:
    with tempfile.TemporaryDirectory(prefix="meetbridge-bench-") as folder:
        bot = create_bot(
            Settings(database_path=Path(folder) / "bench.db", geocoder="offline"),
            extra_extensions=("bench.commands",),
        )
        env = simcord.Env(bot)
        await env.start()
        try:
            world = await build(env, members)
            counter = StatementCounter(bot)
            noop, card, db = Command("no-op"), Command("no-op card"), Command("no-op db")
            measured = [Command(name) for name in ACTS]
            await act_noop_card(world, 0)
            await act_noop_db(world, 0)
            for command in [noop, *measured]:  # warm every path once
                await (ACTS.get(command.name) or act_noop)(world, 0)
            position = 1
            for _ in range(rounds):
                for command in measured:
                    noop.cpu_us.append(await _block(world, act_noop, noop, block, position))
                    command.cpu_us.append(await _block(world, ACTS[command.name], command, block, position))
                    position += block
                card.cpu_us.append(await _block(world, act_noop_card, card, block, position))
                position += block
                db.cpu_us.append(await _block(world, act_noop_db, db, block, position))
                position += block
            before = counter.count
            await act_noop_db(world, position)
            db.statements = counter.count - before  # the counter sees the baseline's round trips
            for command in [noop, *measured]:
                act = ACTS.get(command.name) or act_noop
                own: list[tuple[float, float, list[tuple[str, float]]]] = []
                trips = 0
                for _ in range(PROFILED_BLOCKS):
                    before = counter.count
                    profiler = cProfile.Profile()
                    profiler.enable()
                    results = [await act(world, n) for n in range(position, position + block)]
                    profiler.disable()
                    trips += counter.count - before
                    command.answered += sum(1 for result in results if _answered(result))
                    command.failed += sum(1 for result in results if not _answered(result))
                    own.append(_own_time(pstats.Stats(profiler), block))
                    await env.advance_time(3)
                    position += block
                command.statements = trips / (block * PROFILED_BLOCKS)
                command.own_ms, command.calls, command.top = sorted(own, key=lambda item: item[0])[
                    PROFILED_BLOCKS // 2
                ]
            if sample:
                for command in [noop, *measured]:
                    act = ACTS.get(command.name) or act_noop
                    command.sampled_ms = await _sampled(world, act, block, position, Path(folder))
                    position += block * SAMPLED_BLOCKS
            figures = Figures(noop, measured, block, rounds, detail, card, profiler_call_cost(), db)
        finally:
            await env.shutdown()
            await bot.close()
        figures.plain_trip_us = await asyncio.to_thread(plain_trip_cost, Path(folder) / "plain.db")
        return figures


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.commands", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="12 members, 2 rounds of blocks of 5")
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--block", type=int, default=20, help="invocations per block")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--detail", action="store_true", help="our five heaviest functions per command")
    parser.add_argument(
        "--sample", action="store_true", help="also our own time from py-spy's samples (pip install py-spy)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.members, args.block, args.rounds = 12, 5, 2
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    return simulated.run(
        lambda: measure(args.members, args.block, args.rounds, detail=args.detail, sample=args.sample),
        log_level=logging.WARNING,
    )


if __name__ == "__main__":
    raise SystemExit(main())
