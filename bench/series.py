"""1,000 series in 100 servers over a simulated year, against the same year of one-off meetups.

    python -m bench.series            # 1,000 series in 100 servers, a year (about 5 minutes)
    python -m bench.series --quick    # 40 series in 4 servers, 60 days (what the test runs)

1. **A year of rows.** The use cases on a real SQLite file, clocked by the benchmark (no Discord:
   the announcement is recorded as the board would record it, which plans each meetup's
   follow-ups). 1,000 series (a quarter each weekly, every 2 weeks, monthly, monthly on the first
   Friday) post their occurrences a week ahead, each by its ``series.post`` task run at its due
   second, for a year. Then the same meetups are made in a fresh file as one-off meetups, each
   created at the moment its occurrence was posted (an organiser running ``/meetup create`` a week
   ahead). Printed: rows written (SQLite's ``total_changes()``, every insert, update and delete),
   per meetup, and CPU per meetup, series over one-off.
2. **Start-up and posting with them pending.** The real bot under SimCord, twice in the same
   process: on a file with the same 100 servers and nothing else (the baseline), then with 1,000
   series pending whose next occurrences are all due to be posted in the same minute (every
   series meeting on Friday at 19:00 is the worst case). Printed: start-up time with them pending
   over the baseline; then, moving virtual time through that minute one second at a time, how
   many were posted, duplicates, the posting lateness in virtual time, and the real time taken.
   Posting needs three requests (the event, the announcement, its thread): at Discord's 50 a
   second, 1,000 at once need 60 seconds; the lateness beyond that is what counts.

Targets: rows per meetup at most 1.6 times a one-off's (a series adds four rows per meetup: the
occurrence's record, which is the key that posts it once, and its ``series.post`` task, written,
claimed and finished); start-up with 1,000 series pending at most half a second more than the baseline (all
1,000 are due within the scheduler's horizon here, so each is read into the scheduler's window at
the start: the worst case); every occurrence posted once, none later than Discord's limits force.
"""

from __future__ import annotations

import argparse
import heapq
import logging
import math
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord

from bench import simulated
from bench.reminders import Start, build_world, make_env, migrate, start
from bot.domain.consent import DmMode
from bot.domain.durations import DAY, WEEK
from bot.domain.followups import (
    ANNOUNCE,
    CHECKIN_CLOSE,
    DM_DRAIN,
    HEADCOUNT,
    REMINDER,
    REMINDER_POST,
    SERIES_POST,
    UNDECIDED,
    WHOCAME,
)
from bot.domain.guild_settings import Purpose
from bot.domain.meetups import MeetupDraft
from bot.domain.series import SeriesDraft, local_text
from bot.domain.tasks import ScheduledTask, TaskState
from bot.scheduling.scheduler import Scheduler
from bot.services.config import ConfigService
from bot.services.meetups import MeetupService
from bot.services.outbox import DmOutbox
from bot.services.reminders import RemindersService
from bot.services.series import SeriesService
from bot.storage.database import Database
from bot.storage.followups import FollowupRepository
from bot.storage.guild_settings import GuildSettingsRepository
from bot.storage.meetups import MeetupRepository
from bot.storage.outbox import OutboxRepository
from bot.storage.series import SeriesRepository
from bot.storage.tasks import TaskRepository

RULES = ("weekly", "every 2 weeks", "monthly", "monthly on the first friday")
ROWS_TARGET = 1.6
START_EXTRA_TARGET = 0.5  # seconds added to the baseline's start-up
REQUESTS_PER_POST = 3  # the scheduled event, the announcement, its thread
DISCORD_REQUESTS_PER_SECOND = 50
EPOCH0 = 1767225600  # 2026-01-01 00:00 UTC, where SimCord's clock starts
FIRST_FRIDAY = datetime(2026, 1, 2, 19, 0)  # noqa: DTZ001 - a wall time, in UTC here


@dataclass
class Year:
    meetups: int
    rows: int
    cpu: float

    @property
    def rows_per_meetup(self) -> float:
        return self.rows / max(self.meetups, 1)

    @property
    def cpu_ms_per_meetup(self) -> float:
        return 1000 * self.cpu / max(self.meetups, 1)


@dataclass
class Burst:
    due: int
    posted: int
    duplicates: int
    lateness: list[float]
    forced: list[float]
    wall: float

    @property
    def beyond_forced(self) -> float:
        return max(
            (late - forced for late, forced in zip(self.lateness, self.forced, strict=False)), default=0.0
        )


@dataclass
class Figures:
    series: int
    servers: int
    days: int
    series_year: Year
    oneoff_year: Year
    baseline: Start
    loaded: Start
    burst: Burst

    @property
    def rows_ratio(self) -> float:
        return self.series_year.rows_per_meetup / max(self.oneoff_year.rows_per_meetup, 1e-9)

    @property
    def start_ratio(self) -> float:
        return self.loaded.seconds / max(self.baseline.seconds, 1e-9)

    def report(self) -> str:
        s, o, b = self.series_year, self.oneoff_year, self.burst
        late = sorted(b.lateness)
        p99 = late[max(0, math.ceil(len(late) * 0.99) - 1)] if late else 0.0
        return "\n".join(
            [
                f"a year ({self.days} days) of {self.series:,} series in {self.servers:,} servers: "
                f"{s.meetups:,} meetups posted; the same {o.meetups:,} as one-off meetups",
                f"rows written: series {s.rows:,} ({s.rows_per_meetup:.1f} per meetup), one-off {o.rows:,} "
                f"({o.rows_per_meetup:.1f} per meetup); series / one-off: {self.rows_ratio:.2f} "
                f"(target <= {ROWS_TARGET})",
                f"CPU per meetup: series {s.cpu_ms_per_meetup:.2f} ms, one-off {o.cpu_ms_per_meetup:.2f} ms; "
                f"series / one-off: {s.cpu_ms_per_meetup / max(o.cpu_ms_per_meetup, 1e-9):.2f}",
                f"start-up (login, READY, command sync, start hooks, scheduler rebuilt): baseline "
                f"{self.baseline.seconds:.2f} s; with {self.series:,} series pending "
                f"{self.loaded.seconds:.2f} s; "
                f"with / baseline: {self.start_ratio:.2f}; added "
                f"{self.loaded.seconds - self.baseline.seconds:+.2f} s (target <= +{START_EXTRA_TARGET} s)",
                f"  on_ready: baseline {self.baseline.ready_seconds:.3f} s, with the series "
                f"{self.loaded.ready_seconds:.3f} s (scheduler.start {self.loaded.scheduler_seconds:.3f} s); "
                f"jobs armed {self.loaded.jobs:,}, tasks in the window {self.loaded.window:,}",
                f"busy minute: {b.due:,} occurrences due to be posted; posted {b.posted:,}, duplicates "
                f"{b.duplicates}, in {b.wall:.2f} s real time",
                f"posting lateness (virtual, vs posting time): median "
                f"{statistics.median(late) if late else 0:.0f} s, p99 {p99:.0f} s, "
                f"max {max(late, default=0):.0f} s; "
                f"forced by Discord's limits: max {max(b.forced, default=0):.0f} s; beyond forced: max "
                f"{b.beyond_forced:.0f} s",
            ]
        )

    @property
    def ok(self) -> bool:
        b = self.burst
        return (
            self.rows_ratio <= ROWS_TARGET
            and self.loaded.seconds - self.baseline.seconds <= START_EXTRA_TARGET
            and b.posted == b.due
            and b.duplicates == 0
            and b.beyond_forced <= 1
        )


# -- 1. a year of rows, on the use cases ----------------------------------------------------------


class Clock:
    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


@dataclass
class UseCases:
    db: Database
    clock: Clock
    scheduler: Scheduler
    config: ConfigService
    meetups: MeetupService
    series: SeriesService


async def use_cases(path: Path, clock: Clock) -> UseCases:
    db = await Database.open(path)
    await db.migrate()
    scheduler = Scheduler(TaskRepository(db), now=clock)  # never started: the benchmark runs the tasks

    async def nothing(task: ScheduledTask) -> None:
        return None

    for kind in (
        ANNOUNCE,
        SERIES_POST,
        REMINDER,
        REMINDER_POST,
        WHOCAME,
        CHECKIN_CLOSE,
        UNDECIDED,
        HEADCOUNT,
    ):
        scheduler.register(kind, nothing)
    scheduler.register(DM_DRAIN, nothing)

    async def dm_modes(guild_id: int, members: object) -> dict[int, DmMode]:
        return {member: DmMode.REPLIES for member in members}  # type: ignore[attr-defined]

    config = ConfigService(GuildSettingsRepository(db))
    meetups = MeetupService(db, MeetupRepository(db), config)
    outbox = DmOutbox(OutboxRepository(db), scheduler, dm_modes, now=clock)
    RemindersService(db, FollowupRepository(db), meetups, config, scheduler, outbox, now=clock)
    series = SeriesService(db, SeriesRepository(db), meetups, config, scheduler, now=clock)
    return UseCases(db, clock, scheduler, config, meetups, series)


async def changes(db: Database) -> int:
    return int(await db.fetchval("SELECT total_changes()"))


def draft(guild: int, n: int, when: str) -> MeetupDraft:
    return MeetupDraft(
        guild_id=guild, organiser_id=10**17 + n, title=f"Series {n}", when=when, where="Café Central"
    )


async def configure(u: UseCases, servers: int) -> list[int]:
    guilds = [10**15 + g for g in range(servers)]
    for guild in guilds:
        await u.config.set_channel(guild, Purpose.MEETUPS, guild + 1, u.clock.now)
    return guilds


async def series_year(
    path: Path, count: int, servers: int, days: int
) -> tuple[Year, list[tuple[int, int, int]]]:
    """Run the series for ``days``; (figures, each meetup's (guild, posted at, starts at))."""
    u = await use_cases(path, Clock(EPOCH0))
    try:
        guilds = await configure(u, servers)
        before, began = await changes(u.db), time.process_time()
        made: list[tuple[int, int, int]] = []
        created: list[tuple[int, int]] = []
        message = 10**16
        for n in range(count):
            guild = guilds[n % servers]
            rule = RULES[n % len(RULES)]
            # Monthly-on-the-first-Friday series start on one; the others on any day of the first week.
            first = (
                FIRST_FRIDAY
                if rule == "monthly on the first friday"
                else FIRST_FRIDAY + timedelta(days=n % 7)
            )
            series, meetup = await u.series.create(
                draft(guild, n, f"{first:%Y-%m-%d %H:%M}"), SeriesDraft(rule), u.clock.now
            )
            message += 1
            await u.meetups.set_announcement(meetup, guild + 1, message)
            await u.series.plan_next(series)
            made.append((guild, u.clock.now, meetup.starts_at))
            created.append((guild, series.id))
        end = EPOCH0 + days * DAY
        # The series.post tasks in due order (the scheduler's alarm clock, kept by the benchmark).
        due: list[tuple[int, int, int, int]] = []

        async def queue(guild: int, series_id: int) -> None:
            for pending in await u.scheduler.repo.pending_of_kinds(guild, [SERIES_POST], series_id):
                heapq.heappush(due, (pending.due_at, pending.id, guild, series_id))

        for guild, series_id in created:
            await queue(guild, series_id)
        while due and due[0][0] <= end:
            at, task_id, guild, series_id = heapq.heappop(due)
            u.clock.now = max(u.clock.now, at)
            task = await u.scheduler.repo.claim(task_id, u.clock.now)
            if task is None:
                continue
            meetup = await u.series.post_due(task)
            await u.scheduler.repo.finish(task.id, TaskState.DONE, u.clock.now)
            if meetup is not None:  # what the board records once Discord took the announcement
                message += 1
                await u.meetups.set_announcement(meetup, meetup.guild_id, message)
                made.append((meetup.guild_id, u.clock.now, meetup.starts_at))
            await queue(guild, series_id)
        return Year(len(made), await changes(u.db) - before, time.process_time() - began), made
    finally:
        await u.db.close()


async def oneoff_year(path: Path, servers: int, made: list[tuple[int, int, int]]) -> Year:
    """The same meetups, each created as a one-off when its occurrence was posted."""
    u = await use_cases(path, Clock(EPOCH0))
    try:
        await configure(u, servers)
        before, began = await changes(u.db), time.process_time()
        for n, (guild, posted_at, starts_at) in enumerate(sorted(made, key=lambda m: m[1])):
            u.clock.now = posted_at
            when = datetime.fromtimestamp(starts_at, UTC)
            meetup = await u.meetups.create(draft(guild, n, f"{when:%Y-%m-%d %H:%M}"), posted_at)
            await u.meetups.set_announcement(meetup, guild + 1, 10**16 + n)
        return Year(len(made), await changes(u.db) - before, time.process_time() - began)
    finally:
        await u.db.close()


# -- 2. start-up and a busy minute, the real bot on SimCord ---------------------------------------


def fill(path: Path, guilds: list[tuple[int, int]], count: int, post_at: int, now: int) -> None:
    """``count`` series whose next occurrence (a week after ``post_at``) is to be posted at ``post_at``."""
    anchor = datetime.fromtimestamp(post_at + WEEK, UTC).replace(tzinfo=None)
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO guild_settings (guild_id, timezone, updated_at) VALUES (?, 'UTC', ?)",
            [(guild, now) for guild, _ in guilds],
        )
        conn.executemany(
            "INSERT INTO guild_channels VALUES (?, 'meetups', ?, ?)", [(g, c, now) for g, c in guilds]
        )
        for n in range(count):
            guild, _ = guilds[n % len(guilds)]
            series_id = conn.execute(
                "INSERT INTO meetup_series (guild_id, number, title, tz, when_text, anchor, rule, place, "
                "organiser_id, created_at, updated_at) "
                "VALUES (?, ?, ?, 'UTC', 'fri 7pm', ?, ?, 'Café Central', ?, ?, ?)",
                (
                    guild,
                    n // len(guilds) + 1,
                    f"Series {n}",
                    local_text(anchor),
                    RULES[0],
                    10**17 + n,
                    now,
                    now,
                ),
            ).lastrowid
            conn.execute(
                "INSERT INTO scheduled_tasks (guild_id, kind, subject_id, payload, due_at, created_at) "
                "VALUES (?, ?, ?, '{}', ?, ?)",
                (guild, SERIES_POST, series_id, post_at, now),
            )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def forced_lateness(count: int) -> list[float]:
    """How late each of ``count`` posts due in the same second must be at Discord's global limit."""
    per_second = DISCORD_REQUESTS_PER_SECOND // REQUESTS_PER_POST
    return [float(n // per_second) for n in range(count)]


async def busy_minute(folder: Path, count: int, servers: int) -> tuple[Start, Start, Burst]:
    env = make_env(folder / "empty.db")
    build_world(env, servers)
    try:
        baseline = await start(env)
    finally:
        await env.shutdown()
        await env.bot.close()

    path = folder / "series.db"
    await migrate(path)
    env = make_env(path)
    world = build_world(env, servers)
    now = int(env.now().timestamp())
    post_at = now + 600
    fill(path, world.guilds, count, post_at, now)
    try:
        loaded = await start(env)
        while int(env.now().timestamp()) < post_at - 1:
            await env.advance_time(min(3600, post_at - 1 - int(env.now().timestamp())))
        began = time.perf_counter()
        for _ in range(61):
            await env.advance_time(1)
        wall = time.perf_counter() - began
        backend = env.backend
        lateness, posted, duplicates = [], 0, 0
        for _, channel_id in world.guilds:
            for message in backend.messages.get(channel_id, {}).values():
                if message.author_id == backend.bot_user.id and message.embeds:
                    posted += 1
                    lateness.append(discord.utils.snowflake_time(message.id).timestamp() - post_at)
        series_meetups = await env.bot.services.db.fetchval(
            "SELECT COUNT(*) FROM meetups WHERE series_id IS NOT NULL"
        )
        duplicates = max(0, posted - count) + max(0, int(series_meetups) - count)
    finally:
        await env.shutdown()
        await env.bot.close()
    return (
        baseline,
        loaded,
        Burst(count, min(posted, count), duplicates, lateness, forced_lateness(len(lateness)), wall),
    )


async def measure(series: int = 1000, servers: int = 100, days: int = 365) -> Figures:
    with tempfile.TemporaryDirectory(prefix="meetbridge-bench-") as folder:
        root = Path(folder)
        warm = make_env(root / "warm-up.db")  # imports and first-use costs, not timed
        build_world(warm, 1)
        await start(warm)
        await warm.shutdown()
        await warm.bot.close()
        year, made = await series_year(root / "year-series.db", series, servers, days)
        oneoff = await oneoff_year(root / "year-oneoff.db", servers, made)
        baseline, loaded, burst = await busy_minute(root, series, servers)
    return Figures(series, servers, days, year, oneoff, baseline, loaded, burst)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.series", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="40 series in 4 servers over 60 days")
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--servers", type=int, default=100)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args(argv)
    if args.quick:
        args.series, args.servers, args.days = 40, 4, 60
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    return simulated.run(lambda: measure(args.series, args.servers, args.days), log_level=logging.WARNING)


if __name__ == "__main__":
    raise SystemExit(main())
