"""100,000 pending reminders: start-up, memory, and a minute with 1,000 of them due.

    python -m bench.reminders            # 100,000 reminders across 1,000 servers
    python -m bench.reminders --quick    # 2,000 reminders across 20 servers (what the test runs)
    python -m bench.reminders --full     # 1,000,000 reminders across 10,000 servers

1. Writes a real SQLite file as months of use would leave it: 1,000 servers with a meetups
   channel, 50,500 announced meetups with three Going members each, and their follow-up tasks:
   100,000 pending ``meetup.reminder`` rows (24 h and 1 h before each meetup) plus the Who came?
   and check-in-close rows, about 200,000 scheduled tasks in all. One meetup per server starts
   so that its 1 h reminder falls in a minute ten minutes after start, 1,000 reminders in that
   minute, each with one Going member who turned DMs on.
2. Starts the real bot under SimCord with those 1,000 servers, twice in the same process: first
   on an empty database (the baseline), then on the full one. Measures the wall time of the whole
   start (login, READY, command sync, start hooks, the scheduler rebuilding its jobs) and the
   process's resident memory after it. The scheduler reads the tasks due within its horizon
   (6 h) into two sorted arrays started by one window job (no APScheduler job per task) and
   refills as time passes; the APScheduler jobs armed and the tasks in the window are printed.
3. Moves virtual time through the busy minute one second at a time, the REST layer simulated by
   SimCord, and measures the real (and CPU) time that took, whether every reminder was posted
   exactly once, and how late each was in virtual time against its due second; the lateness that
   Discord's limits would force (50 requests a second; each reminder needs a thread and a post) is
   computed and subtracted. Then it lets the DM outbox drain and reports its pace.

Targets: start-up under 5 s, resident memory under 200 MB, no reminder late by more than 1 s
beyond what rate limits force.

With ``--full`` the busy minute would have 10,000 reminders due, which SimCord cannot drive (its
settle budget for a one-second step runs out), so it is not run; the start-up figures are printed.
That minute is measured by ``bench.reminders_minute``: the real scheduler, Discord replaced by a
recording sink on Discord's global limit.
"""

from __future__ import annotations

import argparse
import gc
import logging
import math
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import discord
import psutil
import simcord

from bench import simulated
from bench.servers import World, announce_busy, build_world, simulated_env
from bot import Settings, create_bot
from bot.domain.followups import CHECKIN_CLOSE, CHECKIN_WINDOW, REMINDER, WHOCAME
from bot.storage.database import Database

HOUR = 3600
DAY = 24 * HOUR
LENGTH = 2 * HOUR
GOING = 3
DISCORD_REQUESTS_PER_SECOND = 50
REQUESTS_PER_REMINDER = 2  # the thread under the announcement, then the reminder itself
START_TARGET = 5.0
RSS_TARGET_MB = 200.0
RSS_TARGET_MB_MILLION = 250.0  # issue 18: a million reminders across 10,000 servers
LATENESS_TARGET = 1.0
SIMCORD_MINUTE_LIMIT = 1_000_000  # from here the busy minute (10,000 due) is left to bench.reminders_minute


@dataclass
class Start:
    seconds: float
    rss_mb: float
    jobs: int  # APScheduler jobs
    scheduler_seconds: float
    ready_seconds: float  # on_ready: start hooks (reconcile polls, outbox, follow-ups) + scheduler
    window: int = 0  # tasks due within the horizon, held in the window arrays (no job each)


@dataclass
class Dispatch:
    due: int
    posted: int
    duplicates: int
    wall: float
    cpu: float
    lateness: list[float]
    forced: list[float]
    dms_queued: int
    dms_sent: int
    dm_seconds: float

    @property
    def beyond_forced(self) -> list[float]:
        return [late - forced for late, forced in zip(self.lateness, self.forced, strict=True)]


@dataclass
class Figures:
    servers: int
    reminders: int
    tasks: int
    meetups: int
    file_mb: float
    baseline: Start
    loaded: Start
    dispatch: Dispatch | None  # None: the busy minute is too big for SimCord (see --full)
    horizon: int
    world_seconds: float = 0.0  # SimCord creating the servers (the simulator's cost, not ours)
    fill_seconds: float = 0.0  # writing the database (the bench's cost)
    rss_target: float = RSS_TARGET_MB

    def report(self) -> str:
        b, s = self.baseline, self.loaded
        return "\n".join(
            [
                f"database: {self.reminders:,} pending reminders across {self.servers:,} servers "
                f"({self.meetups:,} meetups, {self.tasks:,} scheduled tasks in all), "
                f"{self.file_mb:.0f} MB SQLite file",
                f"start-up (login, READY, command sync, start hooks, scheduler rebuilt): "
                f"baseline (empty database) {b.seconds:.2f} s; with the reminders {s.seconds:.2f} s "
                f"(difference {s.seconds - b.seconds:+.2f} s)",
                f"  on_ready (start hooks + scheduler.start): baseline {b.ready_seconds:.3f} s, with the "
                f"reminders {s.ready_seconds:.3f} s, of which scheduler.start {s.scheduler_seconds:.3f} s",
                f"start-up / target ({START_TARGET:.0f} s): {s.seconds / START_TARGET:.2f}; our own part "
                f"(with the reminders minus the baseline, plus the baseline's on_ready): "
                f"{s.seconds - b.seconds + b.ready_seconds:.2f} s",
                f"bench set-up, not in the figures above: SimCord creating the {self.servers:,} servers "
                f"{self.world_seconds:.2f} s; writing the database {self.fill_seconds:.2f} s",
                f"APScheduler jobs armed: {s.jobs:,}; tasks due within the {self.horizon // HOUR} h horizon "
                f"held in the window arrays (no job each): {s.window:,}; a refill job reads later ones "
                "as time passes",
                f"RSS after start: baseline {b.rss_mb:.0f} MB; with the reminders {s.rss_mb:.0f} MB "
                f"(+{s.rss_mb - b.rss_mb:.0f} MB); RSS / target ({self.rss_target:.0f} MB): "
                f"{s.rss_mb / self.rss_target:.2f}; the reminders' own part (difference) / target: "
                f"{(s.rss_mb - b.rss_mb) / self.rss_target:.2f}",
                *self._minute_lines(),
            ]
        )

    def _minute_lines(self) -> list[str]:
        d = self.dispatch
        if d is None:
            return [
                "busy minute: not run through SimCord at this scale (its settle budget for a one-second "
                "step runs out); python -m bench.reminders_minute measures it with the real scheduler"
            ]
        late = sorted(d.lateness)
        beyond = max(d.beyond_forced, default=0.0)
        p99 = late[max(0, math.ceil(len(late) * 0.99) - 1)] if late else 0.0
        return [
            f"busy minute: {d.due:,} reminders due; posted {d.posted:,}, duplicates {d.duplicates}; "
            f"dispatched in {d.wall:.2f} s real time ({d.cpu:.2f} s CPU) for 60 s of virtual time",
            f"lateness (virtual, vs due second): median {statistics.median(late) if late else 0:.0f} s, "
            f"p99 {p99:.0f} s, max {max(late, default=0):.0f} s; forced by Discord's limits: max "
            f"{max(d.forced, default=0):.0f} s; beyond forced: max {beyond:.0f} s "
            f"(target <= {LATENESS_TARGET:.0f} s)",
            f"reminder DMs: {d.dms_queued:,} queued, {d.dms_sent:,} sent over {d.dm_seconds:.0f} s of "
            f"virtual time (paced at 10 every 2 s)",
        ]

    @property
    def ok(self) -> bool:
        d = self.dispatch
        started = self.loaded.seconds < START_TARGET and self.loaded.rss_mb < self.rss_target
        if d is None:
            return started
        return (
            started
            and d.posted == d.due
            and d.duplicates == 0
            and max(d.beyond_forced, default=0.0) <= LATENESS_TARGET
            and d.dms_sent == d.dms_queued
        )


def forced_lateness(dues: Sequence[int]) -> list[float]:
    """How late each reminder must be if the bot never exceeds Discord's global request rate."""
    used: dict[int, int] = {}
    forced = []
    for due in sorted(dues):
        second = due
        while used.get(second, 0) + REQUESTS_PER_REMINDER > DISCORD_REQUESTS_PER_SECOND:
            second += 1
        used[second] = used.get(second, 0) + REQUESTS_PER_REMINDER
        forced.append(float(second - due))
    return forced


async def migrate(path: Path) -> None:
    db = await Database.open(path)
    try:
        await db.migrate()
    finally:
        await db.close()


def fill(path: Path, world: World, reminders: int, now: int, busy_from: int) -> tuple[int, int, list[int]]:
    """Bulk-write the servers, meetups, RSVPs and tasks; returns (meetups, tasks, busy due times).

    Meetup ids 1..servers are the busy ones (one per server, its 1 h reminder due in the busy
    minute, its 24 h one done); the others follow, round-robin over the servers, starting between
    one and thirty days later, each with two pending reminders, a Who came? and a check-in close.
    SQLite generates the rows itself (one transaction), so a million reminders never sit in Python
    lists: the bench's own garbage would otherwise be counted in the bot's resident memory
    measured next.
    """
    servers = len(world.guilds)
    others = (reminders - servers) // 2  # each other meetup has two pending reminders
    busy_dues = [busy_from + index * 60 // servers for index in range(servers)]
    messages = announce_busy(world)

    total = servers + others
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    with conn:
        conn.executemany(
            "INSERT INTO guild_settings (guild_id, timezone, updated_at) VALUES (?, ?, ?)",
            ((guild_id, "UTC", now) for guild_id, _ in world.guilds),
        )
        conn.executemany(
            "INSERT INTO guild_channels VALUES (?, ?, ?, ?)",
            ((guild_id, "meetups", channel_id, now) for guild_id, channel_id in world.guilds),
        )
        # One Going member per server wants DMs.
        conn.executemany(
            "INSERT INTO member_preferences (guild_id, member_id, dm_mode, updated_at) "
            "VALUES (?, ?, 'on', ?)",
            ((guild_id, world.pool[1], now) for guild_id, _ in world.guilds),
        )
        # The big tables are generated by SQLite from the servers (a temporary table) and the meetup
        # numbers (the payloads as RemindersService.schedule writes them: start-up compares them
        # with the meetup), several times faster than Python building each row.
        conn.execute(
            "CREATE TEMP TABLE bench_servers (n INTEGER PRIMARY KEY, guild_id, channel_id, message_id)"
        )
        conn.executemany(
            "INSERT INTO bench_servers VALUES (?, ?, ?, ?)",
            ((n, guild_id, channel_id, messages[n]) for n, (guild_id, channel_id) in enumerate(world.guilds)),
        )
        conn.execute(
            "CREATE TEMP TABLE bench_meetups AS "
            "WITH RECURSIVE ids(m) AS (SELECT 1 UNION ALL SELECT m + 1 FROM ids WHERE m < :total) "
            "SELECT m, s.guild_id, s.channel_id, "
            "CASE WHEN m <= :servers THEN s.message_id ELSE :far + m END AS message_id, "
            "CASE WHEN m <= :servers THEN 1 ELSE 2 + (m - :servers - 1) / :servers END AS number, "
            "CASE WHEN m <= :servers THEN :busy_from + (m - 1) * 60 / :servers + :hour "
            "ELSE :busy_from + :day + :hour + ((m - :servers - 1) * 997) % (29 * :day) END AS starts "
            "FROM ids JOIN bench_servers s ON s.n = "
            "CASE WHEN m <= :servers THEN m - 1 ELSE (m - :servers - 1) % :servers END",
            {
                "total": total,
                "servers": servers,
                "far": 10**17,
                "busy_from": busy_from,
                "hour": HOUR,
                "day": DAY,
            },
        )
        conn.execute(
            "INSERT INTO meetups (id, guild_id, number, title, starts_at, ends_at, tz, when_text, place, "
            "organiser_id, channel_id, message_id, created_at, updated_at) "
            "SELECT m, guild_id, number, 'Meetup ' || number, starts, starts + ?, 'UTC', '', 'Café Central', "
            "?, channel_id, message_id, ?, ? FROM bench_meetups ORDER BY m",
            (LENGTH, world.pool[0], now, now),
        )
        going = world.pool[1 : 1 + GOING]
        conn.execute(
            "INSERT INTO meetup_rsvps (guild_id, meetup_id, member_id, status, updated_at) "  # noqa: S608 (no input)
            f"SELECT guild_id, m, g.member, 'going', ? FROM bench_meetups "
            f"CROSS JOIN (SELECT ? AS member, 0 AS k{' UNION ALL SELECT ?, ?' * (len(going) - 1)}) g "
            "ORDER BY m, g.k",
            (now, going[0], *[value for k, member in enumerate(going[1:], 1) for value in (member, k)]),
        )
        ends = "'{\"ends_at\":' || (starts + :length) || '}'"
        day = "'{\"offset\":86400,\"starts_at\":' || starts || '}'"
        hour = "'{\"offset\":3600,\"starts_at\":' || starts || '}'"
        busy = "m <= :servers"
        conn.execute(
            "INSERT INTO scheduled_tasks (guild_id, kind, subject_id, payload, due_at, state, created_at) "  # noqa: S608
            "SELECT guild_id, kind, m, payload, due_at, state, created_at FROM ("
            f"SELECT m, 0 AS k, guild_id, :whocame AS kind, {ends} AS payload, starts + :length AS due_at, "
            "'pending' AS state, :now AS created_at FROM bench_meetups "
            f"UNION ALL SELECT m, 1, guild_id, :checkin, {ends}, starts + :length + :window, 'pending', :now "
            "FROM bench_meetups "
            f"UNION ALL SELECT m, 2, guild_id, :reminder, {day}, starts - :day, "
            f"CASE WHEN {busy} THEN 'done' ELSE 'pending' END, "
            f"CASE WHEN {busy} THEN :now - :day ELSE :now END FROM bench_meetups "
            f"UNION ALL SELECT m, 3, guild_id, :reminder, {hour}, starts - :hour, 'pending', "
            f"CASE WHEN {busy} THEN :now - :day ELSE :now END FROM bench_meetups"
            ") ORDER BY m, k",
            {
                "whocame": WHOCAME,
                "checkin": CHECKIN_CLOSE,
                "reminder": REMINDER,
                "length": LENGTH,
                "window": CHECKIN_WINDOW,
                "now": now,
                "day": DAY,
                "hour": HOUR,
                "servers": servers,
            },
        )
        conn.execute(
            # As RemindersService.schedule records them: planned for the meetup's current time.
            "INSERT INTO meetup_followups (meetup_id, guild_id, scheduled_at, planned_starts_at, "
            "planned_ends_at) SELECT m, guild_id, ?, starts, starts + ? FROM bench_meetups ORDER BY m",
            (now, LENGTH),
        )
        conn.execute("DROP TABLE bench_meetups")
        conn.execute("DROP TABLE bench_servers")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return total, 4 * total, busy_dues


def rss_mb() -> float:
    gc.collect()
    return psutil.Process().memory_info().rss / 1e6


async def start(env: simcord.Env) -> Start:
    """Start the bot and time it; the scheduler's own start is timed from inside."""
    bot = env.bot
    timing: dict[str, float] = {}
    original = type(bot).on_ready

    async def on_ready(self) -> None:  # type: ignore[no-untyped-def]
        scheduler = self.services.scheduler
        real_start = scheduler.start

        async def timed_start() -> None:
            began = time.perf_counter()
            await real_start()
            timing["scheduler"] = time.perf_counter() - began

        scheduler.start = timed_start  # type: ignore[method-assign]
        began = time.perf_counter()
        await original(self)
        timing["ready"] = time.perf_counter() - began

    bot.on_ready = on_ready.__get__(bot)  # type: ignore[method-assign]
    began = time.perf_counter()
    await env.start()
    seconds = time.perf_counter() - began
    return Start(
        seconds,
        rss_mb(),
        bot.services.scheduler.job_count(),
        timing.get("scheduler", 0.0),
        timing.get("ready", 0.0),
        bot.services.scheduler.window_size(),
    )


async def advance_to(env: simcord.Env, epoch: int, step: int) -> None:
    while (left := epoch - int(env.now().timestamp())) > 0:
        await env.advance_time(min(left, step))


async def dispatch(env: simcord.Env, path: Path, busy_dues: list[int]) -> Dispatch:
    busy_from = min(busy_dues)
    await advance_to(env, busy_from - 1, 3600)
    services = env.bot.services
    began_wall, began_cpu = time.perf_counter(), time.process_time()
    await advance_to(env, busy_from + 60, 1)
    wall, cpu = time.perf_counter() - began_wall, time.process_time() - began_cpu

    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT m.thread_id, t.due_at FROM scheduled_tasks t JOIN meetups m ON m.id = t.subject_id "
        "WHERE t.kind = ? AND t.due_at BETWEEN ? AND ?",
        (REMINDER, busy_from, busy_from + 60),
    ).fetchall()
    conn.close()
    backend = env.backend
    lateness, posted, duplicates = [], 0, 0
    for thread_id, due in rows:
        messages = backend.messages.get(thread_id, {}).values() if thread_id else []
        reminders = sorted(m.id for m in messages if m.content.startswith("⏰"))
        if reminders:
            posted += 1
            duplicates += len(reminders) - 1
            lateness.append(discord.utils.snowflake_time(reminders[0]).timestamp() - due)

    queued = sum((await services.outbox.repo.count_by_state()).values())
    while (await services.outbox.repo.count_by_state()).get("pending", 0) or (
        await services.outbox.repo.count_by_state()
    ).get("sending", 0):
        await env.advance_time(2)
    states = await services.outbox.repo.count_by_state()
    last_dm = max(
        (m.id for user in backend.dm_channels.values() for m in backend.messages.get(user, {}).values()),
        default=None,
    )
    dm_seconds = (discord.utils.snowflake_time(last_dm).timestamp() - busy_from) if last_dm else 0.0
    return Dispatch(
        due=len(rows),
        posted=posted,
        duplicates=duplicates,
        wall=wall,
        cpu=cpu,
        lateness=lateness,
        forced=forced_lateness([due for _, due in rows]),
        dms_queued=queued,
        dms_sent=states.get("sent", 0),
        dm_seconds=dm_seconds,
    )


def make_env(path: Path) -> simcord.Env:
    return simulated_env(create_bot(Settings(database_path=path, geocoder="offline")))


async def baseline_start(path: Path, servers: int) -> Start:
    env = make_env(path)
    build_world(env, servers)
    try:
        return await start(env)
    finally:
        await env.shutdown()
        await env.bot.close()


async def measure(servers: int = 1000, reminders: int = 100_000) -> Figures:
    with tempfile.TemporaryDirectory(prefix="meetbridge-bench-") as folder:
        await baseline_start(Path(folder) / "warm-up.db", 1)  # imports and first-use costs, not timed
        baseline = await baseline_start(Path(folder) / "empty.db", servers)
        gc.collect()

        path = Path(folder) / "reminders.db"
        await migrate(path)
        env = make_env(path)
        began = time.perf_counter()
        world = build_world(env, servers)
        world_seconds = time.perf_counter() - began
        now = int(env.now().timestamp())
        began = time.perf_counter()
        meetups, tasks, busy_dues = fill(path, world, reminders, now, busy_from=now + 600)
        fill_seconds = time.perf_counter() - began
        gc.collect()
        file_mb = path.stat().st_size / 1e6
        try:
            loaded = await start(env)
            horizon = env.bot.services.scheduler.horizon
            # Printed before the busy minute, which may take long (or fail) at the largest scale.
            print(
                f"start-up: baseline (empty database) {baseline.seconds:.2f} s, on_ready "
                f"{baseline.ready_seconds:.3f} s, RSS {baseline.rss_mb:.0f} MB; with the reminders "
                f"{loaded.seconds:.2f} s, on_ready {loaded.ready_seconds:.3f} s (scheduler.start "
                f"{loaded.scheduler_seconds:.3f} s), RSS {loaded.rss_mb:.0f} MB, {loaded.jobs:,} jobs armed, "
                f"{loaded.window:,} tasks in the window; "
                f"SimCord creating the servers {world_seconds:.2f} s, "
                f"writing the database {fill_seconds:.2f} s",
                flush=True,
            )
            minute = await dispatch(env, path, busy_dues) if reminders < SIMCORD_MINUTE_LIMIT else None
        finally:
            await env.shutdown()
            await env.bot.close()
    pending = reminders
    target = RSS_TARGET_MB if reminders < 1_000_000 else RSS_TARGET_MB_MILLION
    return Figures(
        servers, pending, tasks, meetups, file_mb, baseline, loaded, minute, horizon,
        world_seconds, fill_seconds, target,
    )  # fmt: skip


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.reminders", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 reminders across 20 servers")
    parser.add_argument("--full", action="store_true", help="1,000,000 reminders across 10,000 servers")
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--reminders", type=int, default=100_000)
    args = parser.parse_args(argv)
    if args.quick:
        args.servers, args.reminders = 20, 2000
    elif args.full:
        args.servers, args.reminders = 10_000, 1_000_000
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    return simulated.run(lambda: measure(args.servers, args.reminders), log_level=logging.WARNING)


if __name__ == "__main__":
    raise SystemExit(main())
