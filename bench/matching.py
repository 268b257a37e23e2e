"""Benchmark /match and pairing rounds against naive baselines measured in the same run.

Run from the repository root: ``python -m bench.matching`` (about two minutes) or
``python -m bench.matching --quick`` (a smoke run of a few seconds); ``--pairing`` runs only the
pairing figures, blocks included. Figures are plain lines; every ratio is against a baseline timed
in this process on the same data. The naive pairing (every pair scored, the same greedy, no search)
is measured at 2,500 members for pairs and trios; ``--full`` measures it at 10,000 too, directly
(about a minute each: all 50 million pairs). The pairing figures end with one summary line per
group size: the round's time at full size and its weight as a share of the naive's at each size.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil

from bot.domain.matching import Candidate, InterestIndex, Match, rank_naive
from bot.domain.pairing import PairingResult, form_groups, form_groups_naive, total_weight


@dataclass(frozen=True)
class Config:
    profiles: int
    vocabulary: int
    cities: int
    queries: int
    naive_queries: int
    pairing_members: int
    naive_pairing_members: int
    seed: int = 20240601
    zipf_exponent: float = 1.0
    located_share: float = 0.7
    blocking_share: float = 0.05  # members who blocked someone, in the blocks figure


FULL = Config(
    profiles=100_000,
    vocabulary=3_000,
    cities=2_000,
    queries=200,
    naive_queries=20,
    pairing_members=10_000,
    naive_pairing_members=2_500,
)
QUICK = Config(
    profiles=2_000,
    vocabulary=300,
    cities=50,
    queries=20,
    naive_queries=3,
    pairing_members=600,
    naive_pairing_members=300,  # above INDEXED_ROUND: the numpy candidates
)


def generate(config: Config, count: int, seed_offset: int = 0) -> list[Candidate]:
    """Profiles with Zipf-distributed interests (5-20 each) and Zipf-distributed home cities."""
    rng = random.Random(config.seed + seed_offset)
    tags = [f"tag{i:05d}" for i in range(config.vocabulary)]
    tag_weights = list(itertools.accumulate(1 / (r + 1) ** config.zipf_exponent for r in range(len(tags))))
    cities = [(rng.uniform(-55.0, 70.0), rng.uniform(-180.0, 180.0)) for _ in range(config.cities)]
    city_weights = list(itertools.accumulate(1 / (r + 1) for r in range(len(cities))))
    profiles = []
    for member_id in range(1, count + 1):
        wanted = rng.randint(5, 20)
        chosen: set[str] = set()
        while len(chosen) < wanted:
            chosen.update(rng.choices(tags, cum_weights=tag_weights, k=wanted - len(chosen)))
        lat = lon = None
        if rng.random() < config.located_share:
            lat, lon = rng.choices(cities, cum_weights=city_weights)[0]
        profiles.append(Candidate(member_id, frozenset(chosen), lat, lon, rng.randrange(0, 90 * 86_400)))
    return profiles


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _time(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _cpu(fn: Callable[[], object]) -> float:
    start = time.thread_time()
    fn()
    return time.thread_time() - start


def bench_match(config: Config, out: Callable[[str], None]) -> dict[str, float]:
    profiles = generate(config, config.profiles)
    process = psutil.Process(os.getpid())
    InterestIndex(profiles[:50]).match(profiles[0].member_id)  # imports numpy: not the index's memory
    gc.collect()
    rss_before = process.memory_info().rss
    start = time.perf_counter()
    index = InterestIndex(profiles)
    build = time.perf_counter() - start
    gc.collect()
    rss_delta = process.memory_info().rss - rss_before
    top = max(index.document_frequency(t) for t in index.weights())
    out(
        f"profiles: {len(profiles):,}; vocabulary used: {len(index.weights()):,}; "
        f"most common interest listed by {top / len(profiles):.0%}"
    )
    per_100k = 100_000 / len(profiles)
    out(
        f"index build: {_ms(build)}; RSS delta: {rss_delta / 2**20:.1f} MiB "
        f"({rss_delta * per_100k / 2**20:.1f} MiB per 100,000 profiles; target <= 30); "
        f"the index's arrays and tables: {index.nbytes() / 2**20:.1f} MiB"
    )
    rebuilds = []
    for _ in range(3):
        del index
        gc.collect()
        start = time.perf_counter()
        index = InterestIndex(profiles)
        rebuilds.append(time.perf_counter() - start)
    out(
        f"rebuild of a dropped index (idle for an hour), from {len(profiles):,} profiles in memory: "
        f"median of 3 {_ms(statistics.median(rebuilds))}"
    )

    rng = random.Random(config.seed + 1)
    askers = rng.sample(profiles, config.queries)
    fast = [_time(lambda a=a: index.match(a.member_id)) for a in askers]
    fast_cpu = [_cpu(lambda a=a: index.match(a.member_id)) for a in askers]
    compared = askers[: config.naive_queries]
    expected: list[list[Match]] = []
    naive = [_time(lambda a=a: expected.append(rank_naive(a, profiles))) for a in compared]
    fast_compared = fast[: len(compared)]
    disagreements = sum(index.match(a.member_id) != want for a, want in zip(compared, expected, strict=True))
    out(
        f"/match x{len(askers)}: median {_ms(statistics.median(fast))}, p99 {_ms(_percentile(fast, 0.99))}, "
        f"max {_ms(max(fast))} (target p99 < 5 ms); CPU time of the same queries: median "
        f"{_ms(statistics.median(fast_cpu))}, p99 {_ms(_percentile(fast_cpu, 0.99))}"
    )
    out(
        f"/match naive baseline (score every profile), first {len(compared)} askers: "
        f"median {_ms(statistics.median(naive))}, max {_ms(max(naive))}"
    )
    ratio = statistics.median(naive) / statistics.median(fast_compared)
    out(
        f"/match speed-up on those askers (median naive / median index): {ratio:.0f}x; "
        f"rankings differing from the baseline: {disagreements}"
    )
    located = [a for a in askers if a.location is not None][:50]
    near = [_time(lambda a=a: index.match(a.member_id, within_km=100)) for a in located]
    out(
        f"/match within_km:100 x{len(near)}: median {_ms(statistics.median(near))}, "
        f"p99 {_ms(_percentile(near, 0.99))}"
    )
    named = [_time(lambda a=a: index.match(a.member_id, interest="tag00000")) for a in askers[:50]]
    out(
        f"/match interest:<most common> x{len(named)}: median {_ms(statistics.median(named))}, "
        f"p99 {_ms(_percentile(named, 0.99))}"
    )
    differing = sum(
        index.match(a.member_id, interest=interest, within_km=km) != rank_naive(a, profiles, interest, km)
        for a in compared
        for interest, km in (("tag00000", None), (None, 100.0), ("tag00003", 500.0))
        if km is None or a.location is not None
    )
    out(f"/match with interest and within_km, same askers: rankings differing from the baseline: {differing}")
    return {
        "disagreements": disagreements + differing,
        "compared": len(compared),
        "p99_ms": _percentile(fast, 0.99) * 1000,
        "rss_per_100k_mib": rss_delta * per_100k / 2**20,
        "rebuild_ms": statistics.median(rebuilds) * 1000,
    }


def bench_pairing(config: Config, out: Callable[[str], None], full: bool = False) -> dict[str, float]:
    """Rounds of pairs and trios against the naive greedy (every pair scored, the same greedy and
    fill, no search) on the same members: measured at ``naive_pairing_members``, and with ``full``
    at the full size too (minutes: the naive scores n^2 pairs)."""
    members = generate(config, config.pairing_members, seed_offset=7)
    figures: dict[str, float] = {}
    for size in (2, 3):
        timings, cpu = [], []
        for _ in range(3):
            start, start_cpu = time.perf_counter(), time.process_time()
            result = form_groups(members, size=size, forbidden=(), seed=1)
            timings.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        figures[f"time_{size}"] = statistics.median(timings)
        out(
            f"pairing round, {len(members):,} members, size {size}: median of 3 "
            f"{_ms(statistics.median(timings))} ({_ms(statistics.median(cpu))} CPU; target < 1 s); "
            f"groups {len(result.groups):,}, unmatched {len(result.unmatched)}, "
            f"total weight {total_weight(result, members):,.0f}"
        )
    sizes = [config.naive_pairing_members] + ([len(members)] if full else [])
    shares: dict[int, list[str]] = {2: [], 3: []}
    for n in sizes:
        pool = members[:n]
        for size in (2, 3):
            start = time.perf_counter()
            heuristic = form_groups(pool, size=size, forbidden=(), seed=1)
            fast = time.perf_counter() - start
            start = time.perf_counter()
            naive = form_groups_naive(pool, size=size, forbidden=(), seed=1)
            slow = time.perf_counter() - start
            fast_weight, slow_weight = total_weight(heuristic, pool), total_weight(naive, pool)
            figures[f"ratio_{size}_{n}"] = fast_weight / slow_weight
            shares[size].append(
                f"{fast_weight / slow_weight:.2%} of the naive's weight at n={n:,} (naive {_ms(slow)})"
            )
            out(
                f"pairing at n={n:,}, size {size}, both MEASURED: heuristic {_ms(fast)} "
                f"(weight {fast_weight:,.0f}, {fast_weight / slow_weight:.2%} of the naive's; "
                f"target >= 98%); naive greedy over all pairs {_ms(slow)} (weight {slow_weight:,.0f}); "
                f"time ratio {slow / fast:.0f}x"
            )
    if not full:
        out(f"(the naive at n={len(members):,} is measured with --full: minutes)")
    for size in (2, 3):
        out(
            f"pairing summary, size {size}: {len(members):,} members in {_ms(figures[f'time_{size}'])} "
            f"(median of 3, wall; target < 1 s); " + "; ".join(shares[size]) + " (target >= 98%)"
        )
    return figures


def blocks_for(members: Sequence[Candidate], share: float, seed: int) -> set[frozenset[int]]:
    """Pairs kept apart: ``share`` of the members each block 1 to 3 others. The first is the member
    they are paired with in a round without blocks (the block a round must re-form around: people
    block someone they met), the others members who list their rarest interest."""
    rng = random.Random(seed)
    partner: dict[int, int] = {}
    for group in form_groups(members, size=2, forbidden=(), seed=1).groups:
        for a, b in itertools.permutations(group.member_ids, 2):
            partner.setdefault(a, b)
    listing: dict[str, list[int]] = {}
    for m in members:
        for tag in m.interests:
            listing.setdefault(tag, []).append(m.member_id)
    blocked: set[frozenset[int]] = set()
    for m in rng.sample(list(members), round(share * len(members))):
        if m.member_id in partner:
            blocked.add(frozenset({m.member_id, partner[m.member_id]}))
        if not m.interests:
            continue
        rarest = min(sorted(m.interests), key=lambda tag: len(listing[tag]))
        pool = [o for o in listing[rarest] if o != m.member_id]
        for other in rng.sample(pool, min(len(pool), rng.randint(0, 2))):
            blocked.add(frozenset({m.member_id, other}))
    return blocked


def grouped(result: PairingResult, pairs: set[frozenset[int]]) -> int:
    return sum(frozenset(p) in pairs for g in result.groups for p in itertools.combinations(g.member_ids, 2))


def bench_blocks(config: Config, out: Callable[[str], None]) -> None:
    """The same round with and without blocks in this run: what blocks cost in time and weight
    (each timing the best of two runs, so a busy moment of the machine does not decide a ratio)."""
    members = generate(config, config.pairing_members, seed_offset=7)
    blocked = blocks_for(members, config.blocking_share, config.seed)
    in_pairs = len({m for pair in blocked for m in pair})
    out(
        f"blocks: {config.blocking_share:.0%} of {len(members):,} members blocked 1-3 others (the one a "
        f"round without blocks pairs them with, and members sharing their rarest interest): "
        f"{len(blocked):,} blocked pairs, {in_pairs:,} members in one"
    )

    def best_of_two(rules: set[frozenset[int]], size: int) -> tuple[PairingResult, float]:
        timings, result = [], None
        for _ in range(2):
            start = time.perf_counter()
            result = form_groups(members, size=size, forbidden=(), seed=1, blocked=rules)
            timings.append(time.perf_counter() - start)
        assert result is not None
        return result, min(timings)

    for size in (2, 3, 4):
        free, free_time = best_of_two(set(), size)
        kept, kept_time = best_of_two(blocked, size)
        free_weight, kept_weight = total_weight(free, members), total_weight(kept, members)
        out(
            f"pairing with blocks, size {size}: none {_ms(free_time)}, weight {free_weight:,.0f} "
            f"({grouped(free, blocked)} blocked pairs would be grouped); with blocks {_ms(kept_time)} "
            f"({kept_time / free_time:.2f}x), weight {kept_weight:,.0f} "
            f"({kept_weight / free_weight:.2%} of none), blocked pairs grouped {grouped(kept, blocked)}, "
            f"unmatched {len(kept.unmatched)} (none: {len(free.unmatched)})"
        )


def main(argv: Sequence[str] | None = None, out: Callable[[str], None] = print) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--pairing", action="store_true", help="only the pairing figures, blocks included")
    parser.add_argument("--full", action="store_true", help="the naive pairing at full size too")
    args = parser.parse_args(argv)
    config = QUICK if args.quick else FULL
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    out(f"machine: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min) at start")
    if not args.pairing:
        bench_match(config, out)
    bench_pairing(config, out, full=args.full)
    bench_blocks(config, out)


if __name__ == "__main__":
    main()
