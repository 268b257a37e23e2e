"""/stats on a big server: 100,000 members and 10,000 meetups over two years (a real SQLite file).

Prints the time of the figures /stats reads (the path, meetups held, polls, interests and cities,
for the period and the one before) for ``30d`` and ``all``, and the time to draw the chart, each
as the median of several runs and as a ratio to a bare ``SELECT COUNT(*)`` of the members measured
in the same run (so the machine's load cancels out). Targets: query < 300 ms, drawing < 1 s.
Drawing is timed as the bot does it, by its drawing process: cold (the first chart: the process
starts and imports matplotlib; its CPU time too, which the machine's load does not stretch) and
warm (later charts, the same process reused), and, for comparison, in this process once
matplotlib is loaded.

Run: python -m bench.stats [--quick]   (about 1 minute; --quick: 2,000 members, 200 meetups)
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.stats import chart_spec
from bot.scheduling.scheduler import Scheduler
from bot.services.config import ConfigService
from bot.services.stats import CommunityStats
from bot.storage.database import Database
from bot.storage.guild_settings import GuildSettingsRepository
from bot.storage.stats import StatsRepository
from bot.storage.tasks import TaskRepository
from bot.ui.stats_chart import Drawer, draw

GUILD = 1
DAY = 86400
NOW = 1767225600 + 730 * DAY  # two years after 2026-01-01
SPAN = 730 * DAY


async def fill(db: Database, members: int, meetups: int, rng: random.Random) -> None:
    """A server two years old: joins spread evenly, most introduced, a third found someone, 10
    Going and 7 who came per meetup, meetings in person among them; interests from 300 tags."""
    vocabulary = [f"tag{n}" for n in range(300)]
    cities = [(f"City{n}", "US") for n in range(200)]
    joined = {m: NOW - rng.randrange(SPAN) for m in range(members)}
    introduced = [m for m in range(members) if rng.random() < 0.8]
    await db.executemany(
        "INSERT INTO member_milestones (guild_id, member_id, kind, first_at) VALUES (?, ?, 'joined', ?)",
        ((GUILD, m, at) for m, at in joined.items()),
    )
    profiles, interests = [], []
    for m in introduced:
        at = joined[m] + rng.randrange(3 * DAY)
        city = rng.choice(cities) if rng.random() < 0.6 else (None, None)
        profiles.append((GUILD, m, "hi", city[0], city[0], city[1], at, at, at))
        for position, tag in enumerate(rng.sample(vocabulary, 4)):
            interests.append((GUILD, m, tag, position))
    await db.executemany(
        "INSERT INTO profiles (guild_id, member_id, about, city, place_name, place_country, created_at, "
        "updated_at, last_active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        profiles,
    )
    await db.executemany(
        "INSERT INTO profile_interests (guild_id, member_id, tag, position) VALUES (?, ?, ?, ?)", interests
    )
    found = [m for m in introduced if rng.random() < 0.35]
    await db.executemany(
        "INSERT INTO member_milestones (guild_id, member_id, kind, first_at) VALUES (?, ?, 'matched', ?)",
        ((GUILD, m, joined[m] + 4 * DAY) for m in found),
    )
    rounds = 100
    await db.executemany(
        "INSERT INTO pairing_rounds (id, guild_id, number, size, started_at, halfway_at, ends_at, state) "
        "VALUES (?, ?, ?, 2, ?, ?, ?, 'ended')",
        ((r + 1, GUILD, r + 1, NOW - SPAN + r * 7 * DAY, NOW, NOW) for r in range(rounds)),
    )
    paired = rng.sample(introduced, len(introduced) // 5)
    await db.executemany(
        "INSERT INTO pairing_groups (id, guild_id, round_id) VALUES (?, ?, ?)",
        ((g + 1, GUILD, g % rounds + 1) for g in range(len(paired) // 2)),
    )
    await db.executemany(
        "INSERT INTO pairing_group_members (guild_id, group_id, member_id) VALUES (?, ?, ?)",
        ((GUILD, i // 2 + 1, m) for i, m in enumerate(paired[: len(paired) // 2 * 2])),
    )
    goers = sorted(set(found) | set(paired))
    rows, rsvps, attendance, meetings = [], [], [], {}
    for number in range(1, meetups + 1):
        starts = NOW - SPAN + rng.randrange(SPAN - DAY)
        rows.append((number, GUILD, number, "Meetup", starts, starts + 7200, "UTC", "x", "Cafe", 1, 0, 0))
        going = rng.sample(goers, 10)
        came = going[:7]
        rsvps += [(GUILD, number, m, "going", starts - DAY) for m in going]
        attendance += [(GUILD, number, m, starts + 3 * 3600) for m in came]
        for a, b in zip(came[::2], came[1::2], strict=False):
            key = (min(a, b), max(a, b))
            first, _, times = meetings.get(key, (starts, starts, 0))
            meetings[key] = (min(first, starts), max(first, starts), times + 1)
    await db.executemany(
        "INSERT INTO meetups (id, guild_id, number, title, starts_at, ends_at, tz, when_text, place, "
        "organiser_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    await db.executemany(
        "INSERT INTO meetup_rsvps (guild_id, meetup_id, member_id, status, updated_at) "
        "VALUES (?, ?, ?, ?, ?)",
        rsvps,
    )
    await db.executemany(
        "INSERT INTO meetup_attendance (guild_id, meetup_id, member_id, checked_in_at) VALUES (?, ?, ?, ?)",
        attendance,
    )
    await db.executemany(
        "INSERT INTO met_in_person (guild_id, member_id, other_member_id, first_met_at, last_met_at, times, "
        "context, context_id) VALUES (?, ?, ?, ?, ?, ?, 'meetup', 0)",
        ((GUILD, a, b, first, last, times) for (a, b), (first, last, times) in meetings.items()),
    )
    await db.executemany(
        "INSERT INTO polls (guild_id, number, channel_id, organiser_id, title, tz, closes_at, state, "
        "outcome, created_at, closed_at) VALUES (?, ?, 1, 1, 'Poll', 'UTC', ?, 'closed', ?, ?, ?)",
        (
            (GUILD, meetups + n, at, rng.choice(["no votes", "meetup"]), at - DAY, at)
            for n in range(1, meetups // 5 + 1)
            for at in [NOW - rng.randrange(SPAN)]
        ),
    )


async def median_seconds(call: Callable[[], Awaitable[Any]], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def run(members: int, meetups: int, runs: int) -> dict[str, float]:
    rng = random.Random(17)
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "stats.db")
        try:
            await db.migrate()
            start = time.perf_counter()
            async with db.transaction():
                await fill(db, members, meetups, rng)
            filled = time.perf_counter() - start
            await db.execute("ANALYZE")
            config = ConfigService(GuildSettingsRepository(db))
            scheduler = Scheduler(TaskRepository(db), now=lambda: NOW)
            stats = CommunityStats(db, StatsRepository(db), config, scheduler, members=None, now=lambda: NOW)

            async def bare() -> int:
                return await db.fetchval(
                    "SELECT COUNT(*) FROM member_milestones WHERE guild_id = ? AND kind = 'joined'", (GUILD,)
                )

            assert await bare() == members
            baseline = await median_seconds(bare, runs)
            query_30d = await median_seconds(lambda: stats.report(GUILD, "30d", NOW), runs)
            query_all = await median_seconds(lambda: stats.report(GUILD, "all", NOW), runs)
            report = await stats.report(GUILD, "30d", NOW)
            spec = chart_spec(report)
            # As the bot draws: the first chart starts the drawing process (cold), later ones reuse it.
            colds, children = [], resource.getrusage(resource.RUSAGE_CHILDREN)
            for _ in range(min(runs, 3)):
                drawer = Drawer()
                start = time.perf_counter()
                await drawer.draw(spec)
                colds.append(time.perf_counter() - start)
                await drawer.close()
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            draw_cpu = (after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime) / len(colds)
            drawn_cold = statistics.median(colds)
            long_spec = chart_spec(await stats.report(GUILD, "all", NOW))
            drawer = Drawer()
            try:
                await drawer.draw(spec)
                drawn = await median_seconds(lambda: drawer.draw(spec), runs)
                drawn_all = await median_seconds(lambda: drawer.draw(long_spec), runs)
                assert drawer.started == 1
            finally:
                await drawer.close()
            # The drawing alone, in this process, after a first drawing has imported matplotlib.
            draw(spec)

            async def in_process() -> bytes:
                return draw(spec)

            drawn_inside = await median_seconds(in_process, runs)
        finally:
            await db.close()
    return {
        "members": members,
        "meetups": meetups,
        "fill_s": round(filled, 2),
        "path_30d": report.current.path[0],
        "baseline_count_ms": round(baseline * 1000, 3),
        "query_30d_ms": round(query_30d * 1000, 1),
        "query_30d_ratio": round(query_30d / baseline, 1),
        "query_all_ms": round(query_all * 1000, 1),
        "query_all_ratio": round(query_all / baseline, 1),
        "draw_cold_ms": round(drawn_cold * 1000, 1),
        "draw_cold_cpu_ms": round(draw_cpu * 1000, 1),
        "draw_cold_ratio": round(drawn_cold / baseline, 1),
        "draw_warm_ms": round(drawn * 1000, 1),
        "draw_warm_ratio": round(drawn / baseline, 1),
        "draw_warm_all_ms": round(drawn_all * 1000, 1),
        "draw_in_process_ms": round(drawn_inside * 1000, 1),
    }


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 members and 200 meetups")
    args = parser.parse_args(argv)
    members, meetups, runs = (2000, 200, 3) if args.quick else (100_000, 10_000, 7)
    figures = asyncio.run(run(members, meetups, runs))
    for name, value in figures.items():
        print(f"{name:20} {value}")
    print(
        f"targets: query < 300 ms ({'met' if figures['query_30d_ms'] < 300 else 'MISSED'} for 30d, "
        f"{'met' if figures['query_all_ms'] < 300 else 'MISSED'} for all time), "
        f"drawing < 1 s (warm {'met' if figures['draw_warm_ms'] < 1000 else 'MISSED'}; cold: wall "
        f"{'met' if figures['draw_cold_ms'] < 1000 else 'MISSED'}, "
        f"CPU {'met' if figures['draw_cold_cpu_ms'] < 1000 else 'MISSED'})"
    )
    return figures


if __name__ == "__main__":
    main()
