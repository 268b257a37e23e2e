"""Shard processes over one database: start-up, RSVP throughput, and a busy minute, per backend.

    python -m bench.cluster            # 1,000,000 reminders across 10,000 servers; 10,000 due in a minute
    python -m bench.cluster --quick    # 4,000 across 40; 200 due in 3 s, one RSVP round (what the test runs)

For each backend (SQLite, and PostgreSQL when the backend is installed and a server answers at
``MEETBRIDGE_BENCH_DATABASE_URL``, default ``postgresql://postgres@127.0.0.1:5432/postgres``; a fresh
database is created and dropped), in the same run:

1. **Start-up.** The database holds ``reminders`` pending ``meetup.reminder`` tasks across ``servers``
   servers, due over the next 30 days. A shard process (shard 0 of 2) opens it and starts its
   scheduler, which reads only its servers' tasks within the horizon (6 h) into its window; timed
   against the same start on an empty database. Gateway login and command sync are not part of
   it (they do not grow with the tasks; ``bench/reminders.py`` times a whole bot start).
2. **RSVP throughput.** Members answer meetups through ``MeetupService.rsvp`` (its transaction,
   waitlist rules and all), as fast as one process can, then as two OS processes can, each for
   the servers on its shard; the ratio is RSVPs a second with two over one.
3. **A busy minute.** ``due`` reminders come due within ``window`` seconds, spread over the
   servers; two OS processes (shards 0 and 1 of 2) run their schedulers on the wall clock, and
   then two processes that *both* own every shard (overlapping, as during a re-shard). Each run
   of a task is written down; the figures are the tasks never run (lost), run more than once
   (twice), and how late the runs were.

Targets: start-up under 5 s per process, RSVP throughput with two processes at least 1.8 times
one (PostgreSQL; SQLite has one writer, so its figure is there for comparison), 0 lost, 0 twice.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import logging
import math
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from bot.domain.followups import REMINDER
from bot.domain.meetups import RsvpStatus
from bot.domain.shards import Shards, shard_of
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import Scheduler
from bot.storage.database import Database
from bot.storage.tasks import TaskRepository

DAY = 86400
START_TARGET = 5.0
RSVP_TARGET = 1.8
HORIZON = 6 * 3600
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
FIRED = (
    "CREATE TABLE IF NOT EXISTS bench_fired "
    "(task_id INTEGER NOT NULL, process TEXT NOT NULL, at DOUBLE PRECISION NOT NULL)"
)


# -- databases -------------------------------------------------------------------------------------


def postgres_backend() -> bool:
    return importlib.util.find_spec("bot.storage.postgres") is not None


async def open_db(target: str) -> Any:
    """SQLite for a path, PostgreSQL for a URL (through the backend's own opener)."""
    if target.startswith("postgresql://"):
        from bot.storage.backends import open_database  # type: ignore[import-not-found]

        return await open_database(target)
    return await Database.open(Path(target))


def guild_ids(servers: int) -> list[int]:
    """Snowflake-like server ids, alternating between shard 0 and shard 1 of 2."""
    base = 1_200_000_000_000_000_000 >> 22
    return [((base + n) << 22) | 7 for n in range(servers)]


async def fill_tasks(
    target: str, servers: int, reminders: int, now: int, *, due_within: int = 30 * DAY
) -> None:
    """Pending reminders for ``servers`` servers, due evenly over ``due_within`` seconds."""
    db = await open_db(target)
    try:
        await db.migrate()
        guilds = guild_ids(servers)
        batch: list[tuple[Any, ...]] = []
        if reminders == 0:
            return
        for n in range(reminders):
            due = now + 60 + (n * due_within) // reminders
            batch.append((guilds[n % servers], REMINDER, n, '{"offset":3600}', due, now))
            if len(batch) == 20_000 or n == reminders - 1:
                async with db.transaction():
                    await db.executemany(
                        "INSERT INTO scheduled_tasks "
                        "(guild_id, kind, subject_id, payload, due_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                        batch,
                    )
                batch = []
    finally:
        await db.close()


# -- 1. start-up -------------------------------------------------------------------------------------


@dataclass
class Startup:
    seconds: float
    jobs: int
    window: int = 0  # tasks read into the scheduler's window (no APScheduler job each)


async def start_once(target: str, shards: Shards) -> Startup:
    began = time.perf_counter()
    db = await open_db(target)
    await db.migrate()
    scheduler = Scheduler(TaskRepository(db, shards), now=lambda: int(time.time()), claimer="bench")

    async def never(task: ScheduledTask) -> None:  # armed, not run: the bench stops first
        return None

    scheduler.register(REMINDER, never)
    await scheduler.start()
    seconds = time.perf_counter() - began
    jobs, window = scheduler.job_count(), scheduler.window_size()
    await scheduler.shutdown()
    await db.close()
    return Startup(seconds, jobs, window)


# -- 2. RSVPs ----------------------------------------------------------------------------------------


async def fill_meetups(target: str, servers: int, members: int, now: int) -> list[tuple[int, int]]:
    """One open meetup per server (capacity above the members: RSVPs are Going/Maybe toggles)."""
    db = await open_db(target)
    try:
        await db.migrate()
        rows = []
        for n, guild_id in enumerate(guild_ids(servers)):
            rows.append(
                (
                    guild_id,
                    1,
                    f"Meetup {n}",
                    now + 7 * DAY,
                    now + 7 * DAY + 7200,
                    "UTC",
                    "",
                    "Café",
                    1,
                    1,
                    now,
                    now,
                )
            )
        async with db.transaction():
            await db.executemany(
                "INSERT INTO meetups (guild_id, number, title, starts_at, ends_at, tz, when_text, place, "
                "organiser_id, channel_id, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        found = await db.fetchall("SELECT id, guild_id FROM meetups ORDER BY id")
        return [(int(row["guild_id"]), int(row["id"])) for row in found]
    finally:
        await db.close()


def rsvp_worker(
    target: str, meetups: list[tuple[int, int]], answers: int, start_at: float
) -> tuple[int, float, float]:
    """One process answering ``answers`` RSVPs over ``meetups``: (count, began, ended) wall times."""
    return asyncio.run(_rsvps(target, meetups, answers, start_at))


async def _rsvps(
    target: str, meetups: list[tuple[int, int]], answers: int, start_at: float
) -> tuple[int, float, float]:
    from bot.services.config import ConfigService
    from bot.services.meetups import MeetupService
    from bot.storage.guild_settings import GuildSettingsRepository
    from bot.storage.meetups import MeetupRepository

    db = await open_db(target)
    service = MeetupService(db, MeetupRepository(db), ConfigService(GuildSettingsRepository(db)))
    now = int(time.time())
    with contextlib.suppress(Exception):  # warm the connection and caches, untimed
        await service.rsvp(meetups[0][0], meetups[0][1], 99, RsvpStatus.MAYBE, now)
    await asyncio.sleep(max(0.0, start_at - time.time()))
    began = time.time()
    done = 0
    for n in range(answers):
        guild_id, meetup_id = meetups[n % len(meetups)]
        member = 1000 + (n // len(meetups)) % 40
        status = RsvpStatus.GOING if (n // (len(meetups) * 40)) % 2 == 0 else RsvpStatus.MAYBE
        await service.rsvp(guild_id, meetup_id, member, status, now)
        done += 1
    ended = time.time()
    await db.close()
    return done, began, ended


def rsvp_rate(target: str, meetups: list[tuple[int, int]], answers: int, processes: int) -> float:
    """RSVPs a second with ``processes`` OS processes, each serving its shard's servers."""
    parts = [[m for m in meetups if shard_of(m[0], processes) == k] for k in range(processes)]
    with ProcessPoolExecutor(processes, mp_context=get_context("spawn")) as pool:
        start_at = time.time() + 3.0  # after every worker has imported the bot and connected
        futures = [pool.submit(rsvp_worker, target, part, answers // processes, start_at) for part in parts]
        results = [future.result() for future in futures]
    total = sum(count for count, _, _ in results)
    return total / (max(end for _, _, end in results) - min(began for _, began, _ in results))


# -- 3. the busy minute ------------------------------------------------------------------------------


def minute_worker(target: str, name: str, count: int, ids: Sequence[int], until: float, lease: int) -> int:
    return asyncio.run(_minute(target, name, Shards(count, tuple(ids)), until, lease))


async def _minute(target: str, name: str, shards: Shards, until: float, lease: int) -> int:
    logging.getLogger("apscheduler").setLevel(logging.CRITICAL)  # jobs cancelled at the stop
    db = await open_db(target)
    scheduler = Scheduler(TaskRepository(db, shards), now=lambda: int(time.time()), claimer=name, lease=lease)
    ran = 0

    async def post(task: ScheduledTask) -> None:
        nonlocal ran
        await db.execute(
            "INSERT INTO bench_fired (task_id, process, at) VALUES (?, ?, ?)", (task.id, name, time.time())
        )
        ran += 1

    scheduler.register(REMINDER, post)
    await scheduler.start()
    last_due = await db.fetchone("SELECT COUNT(*), MAX(due_at) FROM scheduled_tasks")
    assert last_due is not None
    # Stop at ``until``, or earlier once every task has run and two seconds passed since the last
    # was due (a second run would come from a lease running out, 30 s later: "twice" is still seen
    # for runs that both processes made at about the same time, which is what overlapping risks).
    while time.time() < until:
        await asyncio.sleep(0.25)
        if time.time() >= int(last_due[1] or 0) + 2:
            ran_once = await db.fetchone("SELECT COUNT(DISTINCT task_id) FROM bench_fired")
            if ran_once is not None and int(ran_once[0]) >= int(last_due[0]):
                break
    await scheduler.shutdown()
    await db.close()
    return ran


@dataclass
class Minute:
    due: int
    lost: int
    twice: int
    lateness: list[float] = field(default_factory=list)
    per_process: dict[str, int] = field(default_factory=dict)


async def busy_minute(target: str, servers: int, due: int, window: int, *, overlap: bool) -> Minute:
    db = await open_db(target)
    await db.migrate()
    await db.execute(FIRED)
    await db.execute("DELETE FROM bench_fired")
    await db.execute("DELETE FROM scheduled_tasks")
    await db.close()
    now = int(time.time())
    first_due = now + 6  # after the workers have started
    await fill_tasks(target, servers, due, first_due - 60, due_within=window)
    until = first_due + window + max(10, window // 2)  # then stop: what did not run by now is lost
    layouts = [("p0", 2, [0, 1]), ("p1", 2, [0, 1])] if overlap else [("p0", 2, [0]), ("p1", 2, [1])]
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        runs = await asyncio.gather(
            *(
                loop.run_in_executor(pool, minute_worker, target, name, count, ids, until, 30)
                for name, count, ids in layouts
            )
        )
    db = await open_db(target)
    try:
        tasks = {
            int(r["id"]): int(r["due_at"])
            for r in await db.fetchall("SELECT id, due_at FROM scheduled_tasks")
        }
        fired = await db.fetchall("SELECT task_id, process, at FROM bench_fired")
    finally:
        await db.close()
    runs_of = Counter(int(r["task_id"]) for r in fired)
    first: dict[int, float] = {}
    for row in fired:
        first[int(row["task_id"])] = min(first.get(int(row["task_id"]), math.inf), float(row["at"]))
    return Minute(
        due=len(tasks),
        lost=sum(1 for task_id in tasks if runs_of[task_id] == 0),
        twice=sum(1 for n in runs_of.values() if n > 1),
        lateness=[first[task_id] - tasks[task_id] for task_id in first],
        per_process={name: n for (name, _, _), n in zip(layouts, runs, strict=True)},
    )


# -- the whole run -----------------------------------------------------------------------------------


@dataclass
class Backend:
    name: str
    empty: Startup
    loaded: Startup
    rsvp_one: float
    rsvp_two: float
    split: Minute
    overlap: Minute


@dataclass
class Figures:
    servers: int
    reminders: int
    due: int
    window: int
    backends: list[Backend]
    skipped: list[str]

    def report(self) -> str:
        lines = [
            f"{self.reminders:,} pending reminders across {self.servers:,} servers; busy minute: "
            f"{self.due:,} reminders due within {self.window} s"
        ]
        for b in self.backends:
            lines += [
                f"[{b.name}] start-up of a shard process (shard 0 of 2; scheduler reads its servers' tasks "
                f"within {HORIZON // 3600} h into its window): empty database {b.empty.seconds:.2f} s, "
                "with the "
                f"reminders {b.loaded.seconds:.2f} s ({b.loaded.jobs:,} jobs armed, "
                f"{b.loaded.window:,} tasks in the window); start-up / target "
                f"({START_TARGET:.0f} s): {b.loaded.seconds / START_TARGET:.2f}",
                f"[{b.name}] RSVPs through MeetupService.rsvp (median of alternated runs): 1 process "
                f"{b.rsvp_one:,.0f}/s, 2 processes "
                f"{b.rsvp_two:,.0f}/s; 2 / 1: {b.rsvp_two / b.rsvp_one:.2f} (target >= {RSVP_TARGET})",
            ]
            for label, m in (("split shards 0 | 1", b.split), ("overlapping: both own both", b.overlap)):
                late = sorted(m.lateness) or [0.0]
                p99 = late[max(0, math.ceil(len(late) * 0.99) - 1)]
                lines.append(
                    f"[{b.name}] busy minute, 2 processes, {label}: {m.due:,} due, lost {m.lost}, twice "
                    f"{m.twice}; runs per process {m.per_process}; lateness median "
                    f"{statistics.median(late):.2f} s, p99 {p99:.2f} s, max {late[-1]:.2f} s"
                )
        if len(self.backends) == 2:
            sqlite, pg = self.backends
            lines.append(
                f"PostgreSQL / SQLite: start-up {pg.loaded.seconds / sqlite.loaded.seconds:.2f}, "
                f"RSVPs with 2 processes {pg.rsvp_two / sqlite.rsvp_two:.2f}"
            )
        lines += [f"skipped: {reason}" for reason in self.skipped]
        return "\n".join(lines)

    @property
    def ok(self) -> bool:
        for b in self.backends:
            if (
                b.loaded.seconds >= START_TARGET
                or b.split.lost
                or b.split.twice
                or b.overlap.lost
                or b.overlap.twice
            ):
                return False
            if b.name == "PostgreSQL" and b.rsvp_two / b.rsvp_one < RSVP_TARGET:
                return False
        return True


async def measure_backend(name: str, fresh: Any, args: argparse.Namespace) -> Backend:
    """``fresh()`` gives a new, empty database target (a path or a URL) each call."""
    await start_once(await fresh(), Shards(2, (0,)))  # warm-up: first-use costs, not timed
    empty_target = await fresh()
    await fill_tasks(empty_target, args.servers, 0, int(time.time()))  # migrated, no tasks
    empty = await start_once(empty_target, Shards(2, (0,)))
    loaded_target = await fresh()
    await fill_tasks(loaded_target, args.servers, args.reminders, int(time.time()))
    loaded = await start_once(loaded_target, Shards(2, (0,)))

    rsvp_target = await fresh()
    meetups = await fill_meetups(rsvp_target, args.rsvp_servers, 40, int(time.time()))
    # Alternated and repeated (the median of each), so that a change in the machine's load
    # during the run weighs on both alike.
    ones, twos = [], []
    for _ in range(args.rounds):
        ones.append(rsvp_rate(rsvp_target, meetups, args.answers, 1))
        twos.append(rsvp_rate(rsvp_target, meetups, args.answers, 2))
    one, two = statistics.median(ones), statistics.median(twos)

    split = await busy_minute(await fresh(), args.servers_due, args.due, args.window, overlap=False)
    overlap = await busy_minute(await fresh(), args.servers_due, args.due, args.window, overlap=True)
    return Backend(name, empty, loaded, one, two, split, overlap)


async def measure(args: argparse.Namespace) -> Figures:
    backends: list[Backend] = []
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="meetbridge-cluster-") as folder:
        counter = 0

        async def sqlite_target() -> str:
            nonlocal counter
            counter += 1
            return str(Path(folder) / f"db{counter}.sqlite")

        backends.append(await measure_backend("SQLite", sqlite_target, args))

    url = os.environ.get("MEETBRIDGE_BENCH_DATABASE_URL", DEFAULT_PG)
    if args.no_postgres:
        skipped.append("PostgreSQL (--no-postgres)")
    elif not postgres_backend():
        skipped.append("PostgreSQL: this checkout has no PostgreSQL backend (bot.storage.postgres)")
    else:
        try:
            backends.append(await measure_postgres(url, args))
        except OSError as exc:
            skipped.append(f"PostgreSQL: no server at {url.split('@')[-1]} ({exc})")
    return Figures(args.servers, args.reminders, args.due, args.window, backends, skipped)


async def measure_postgres(url: str, args: argparse.Namespace) -> Backend:
    import asyncpg  # type: ignore[import-not-found]

    admin = await asyncpg.connect(url)
    made: list[str] = []

    async def fresh() -> str:
        name = f"meetbridge_cluster_{os.getpid()}_{len(made)}"
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return url.rsplit("/", 1)[0] + "/" + name

    try:
        return await measure_backend("PostgreSQL", fresh, args)
    finally:
        for name in made:
            with contextlib.suppress(Exception):
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small run (what the test runs)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--servers", type=int, default=10_000)
    parser.add_argument("--reminders", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--window", type=int, default=60)
    parser.add_argument("--answers", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3, help="RSVP runs of 1 and 2 processes, alternated")
    args = parser.parse_args(argv)
    if args.quick:
        args.servers, args.reminders, args.due, args.window, args.answers = 40, 4_000, 200, 3, 200
        args.rounds = 1
    args.servers_due = min(args.servers, 1000)
    args.rsvp_servers = min(args.servers, 200)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING)
    figures = asyncio.run(measure(args))
    print(figures.report())
    return 0 if figures.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
