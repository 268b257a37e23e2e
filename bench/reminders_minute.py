"""A busy minute at a million: 10,000 reminders due within one minute among 1,000,000 pending.

    python -m bench.reminders_minute          # 1,000,000 pending, 10,000 servers, 10,000 due in a minute
    python -m bench.reminders_minute --quick  # 2,000 pending, 100 due within 3 s (what the test runs)

What is real: the Scheduler (start-up, refill, window job, one claim per task, the task's state
written when it ends), TaskRepository and a SQLite file holding the million pending reminder rows,
on the wall clock: the minute takes a minute.

What is simulated: Discord. SimCord cannot drive this minute (its per-step settle budget runs out
with about 170 reminders a second, each a thread and a post through its simulated REST), so the
reminder kind's handler is a recording sink standing in for RemindersService's Discord step: it
records when the scheduler handed it each task, and books the reminder's two requests (the thread,
then the post) on Discord's global limit of 50 requests a second, first come first served: that
gives the second each reminder would go out. No RSVPs, meetups or posts are read or written.

Counted: reminders due in the minute that never reached the sink (lost), that reached it more
than once (twice), and lateness. Discord's limit alone forces lateness (25 reminders a second at
most; 10,000 in a minute need 400 s): the best schedule it allows is computed from the due times
with the same rule as bench.reminders (``forced_lateness``), and the n-th reminder to go out is
compared with the n-th of that best schedule ("beyond forced"). The scheduler's own dispatch delay
(handed to the sink minus due) is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import math
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.reminders import (
    DISCORD_REQUESTS_PER_SECOND,
    LATENESS_TARGET,
    REQUESTS_PER_REMINDER,
    START_TARGET,
    forced_lateness,
)
from bot.domain.followups import REMINDER
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import Scheduler
from bot.storage.database import Database
from bot.storage.tasks import TaskRepository

DAY = 86400
LEAD = 8  # seconds from the end of the fill to the first due reminder (the start runs meanwhile)
QUICK_LEAD = 3  # at least 2 s (the due second is whole): the start and the window count come first


@dataclass
class Sink:
    """Stands in for Discord: when each reminder was handed over, and Discord's global bucket."""

    arrivals: list[tuple[int, float]] = field(default_factory=list)  # (task id, wall time)
    used: Counter[int] = field(default_factory=Counter)  # requests booked per second
    sent: list[float] = field(default_factory=list)  # second each reminder's post goes out

    async def handle(self, task: ScheduledTask) -> None:
        now = time.time()
        self.arrivals.append((task.id, now))
        second = math.floor(now)
        while self.used[second] + REQUESTS_PER_REMINDER > DISCORD_REQUESTS_PER_SECOND:
            second += 1
        self.used[second] += REQUESTS_PER_REMINDER
        self.sent.append(float(second))


@dataclass
class Figures:
    pending: int
    servers: int
    due: int
    fill_seconds: float
    start_seconds: float
    rss_before_mb: float
    rss_after_mb: float
    jobs: int
    window: int
    lost: int
    twice: int
    dispatch: list[float]  # handed to the sink minus due, per reminder
    beyond: list[float]  # n-th post minus n-th post of the best schedule
    forced_max: float
    done: int

    def report(self) -> str:
        dispatch = sorted(self.dispatch) or [0.0]
        p99 = dispatch[max(0, math.ceil(len(dispatch) * 0.99) - 1)]
        return "\n".join(
            [
                f"database: {self.pending:,} pending reminders across {self.servers:,} servers; "
                f"{self.due:,} due within the busy minute (written in {self.fill_seconds:.1f} s)",
                f"Scheduler.start on it: {self.start_seconds:.3f} s (/ target {START_TARGET:.0f} s: "
                f"{self.start_seconds / START_TARGET:.3f}); APScheduler jobs {self.jobs}, tasks in the "
                f"window arrays {self.window:,}; process RSS {self.rss_before_mb:.0f} MB before the "
                f"start, {self.rss_after_mb:.0f} MB after (+{self.rss_after_mb - self.rss_before_mb:.0f} MB)",
                f"busy minute: {self.due:,} due; lost {self.lost}, twice {self.twice}; "
                f"{self.done:,} recorded done in the database",
                f"dispatch delay (handed to the sink minus due, wall clock): median "
                f"{statistics.median(dispatch):.3f} s, p99 {p99:.3f} s, max {dispatch[-1]:.3f} s",
                f"Discord's limit alone forces up to {self.forced_max:.0f} s; beyond forced (n-th post vs "
                f"the n-th of the best schedule): max {max(self.beyond, default=0.0):.0f} s "
                f"(target <= {LATENESS_TARGET:.0f} s)",
            ]
        )

    @property
    def ok(self) -> bool:
        return (
            self.start_seconds < START_TARGET
            and self.lost == 0
            and self.twice == 0
            and max(self.beyond, default=0.0) <= LATENESS_TARGET
        )


def fill(path: Path, pending: int, servers: int, due: int, busy_from: int, minute: int, now: int) -> None:
    """The rows, generated by SQLite itself: ``due`` reminders spread over the busy minute, the
    rest over the next 30 days (about 1 in 120 within the scheduler's 6 h horizon)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    with conn:
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?) "
            "INSERT INTO scheduled_tasks (guild_id, kind, subject_id, payload, due_at, state, created_at) "
            "SELECT (((i % ?) + 1) << 22) + 1, ?, i + 1, '{\"offset\":3600}', "
            "CASE WHEN i < ? THEN ? + i * ? / ? ELSE ? + (i * 997) % (30 * 86400) END, 'pending', ? FROM n",
            (pending, servers, REMINDER, due, busy_from, minute, due, busy_from + minute + 60, now),
        )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def rss_mb() -> float:
    gc.collect()
    return psutil.Process().memory_info().rss / 1e6


async def measure(
    pending: int = 1_000_000, servers: int = 10_000, due: int = 10_000, minute: int = 60, lead: int = LEAD
) -> Figures:
    with tempfile.TemporaryDirectory(prefix="meetbridge-minute-") as folder:
        path = Path(folder) / "reminders.db"
        db = await Database.open(path)
        await db.migrate()
        await db.close()
        began = time.perf_counter()
        fill_now = int(time.time())
        fill(path, pending, servers, due, fill_now + 3600, minute, fill_now)  # busy times set below
        fill_seconds = time.perf_counter() - began
        # Now that the fill's time is known, the busy minute starts LEAD seconds from here.
        busy_from = int(time.time()) + lead
        conn = sqlite3.connect(path)
        with conn:
            conn.execute(
                "UPDATE scheduled_tasks SET due_at = ? + (id - 1) * ? / ? WHERE id <= ?",
                (busy_from, minute, due, due),
            )
        conn.close()
        dues = [busy_from + index * minute // due for index in range(due)]

        rss_before = rss_mb()
        db = await Database.open(path)
        sink = Sink()
        scheduler = Scheduler(TaskRepository(db), now=lambda: int(time.time()), claimer="bench")
        scheduler.register(REMINDER, sink.handle, max_lateness=None)
        began = time.perf_counter()
        await scheduler.start()
        start_seconds = time.perf_counter() - began
        rss_after = rss_mb()
        jobs, window = scheduler.job_count(), scheduler.window_size()
        try:
            end = busy_from + minute
            while time.time() < end + 2 or (len(sink.arrivals) < due and time.time() < end + 30):  # noqa: ASYNC110
                await asyncio.sleep(0.5)  # the wall clock is the measurement: the minute takes a minute
            done = await db.fetchval(
                "SELECT COUNT(*) FROM scheduled_tasks WHERE id <= ? AND state = 'done'", (due,)
            )
        finally:
            await scheduler.shutdown()
            await db.close()

    due_at = {index + 1: dues[index] for index in range(due)}
    counts = Counter(task_id for task_id, _ in sink.arrivals)
    busy = [(task_id, at) for task_id, at in sink.arrivals if task_id in due_at]
    first: dict[int, float] = {}
    for task_id, at in busy:
        first.setdefault(task_id, at)
    forced = forced_lateness(dues)
    best = sorted(d + f for d, f in zip(sorted(dues), forced, strict=True))
    booked = zip(sink.arrivals, sink.sent, strict=True)
    sent = sorted(second for (task_id, _), second in booked if task_id in due_at)
    return Figures(
        pending=pending,
        servers=servers,
        due=due,
        fill_seconds=fill_seconds,
        start_seconds=start_seconds,
        rss_before_mb=rss_before,
        rss_after_mb=rss_after,
        jobs=jobs,
        window=window,
        lost=sum(1 for task_id in due_at if task_id not in first),
        twice=sum(1 for task_id in due_at if counts[task_id] > 1),
        dispatch=[at - due_at[task_id] for task_id, at in first.items()],
        beyond=[actual - ideal for actual, ideal in zip(sent, best, strict=False)],
        forced_max=max(forced, default=0.0),
        done=int(done or 0),
    )


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    summary = __doc__.split("\n\n")[0]
    parser = argparse.ArgumentParser(prog="python -m bench.reminders_minute", description=summary)
    parser.add_argument("--quick", action="store_true", help="2,000 pending, 100 due within 3 s")
    args = parser.parse_args(argv)
    args.pending, args.servers, args.due, args.minute = (
        (2000, 20, 100, 3) if args.quick else (1_000_000, 10_000, 10_000, 60)
    )
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING)
    lead = QUICK_LEAD if args.quick else LEAD
    figures = asyncio.run(measure(args.pending, args.servers, args.due, args.minute, lead))
    print(figures.report())
    return 0 if figures.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
