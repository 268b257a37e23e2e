"""Offline geocoding: lookup latency and the memory the gazetteer adds.

    python bench/geocode.py            # 10,000 lookups
    python bench/geocode.py --quick    # 1,000 lookups, for a smoke test

The queries are real names drawn from the gazetteer itself (bare, lower-cased and accent-less,
qualified by region or country, buried in a street address) plus names that exist nowhere.
Memory is the process's resident set: a baseline taken in this same process after imports and
with the queries in hand (drawn in a child process), against the same process once the
gazetteer is open and every query has run. Targets: p99 under 1 ms, under 30 MB added.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil

from bot.domain.errors import UserError
from bot.storage.gazetteer import SHIPPED, Gazetteer, ensure_index

P99_TARGET_MS = 1.0
MEMORY_TARGET_MB = 30.0
STREETS = ("Hauptstraße 5", "12 Main St", "Rue de la Paix 3", "Calle Mayor 10", "221B Baker Street")
MISSES = ("Xqzzyville", "Nowhere Special", "Atlantis", "Qwertzuiop", "Zzyzx Lake Town")


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def make_queries(path: Path, count: int, seed: int = 2026) -> list[str]:
    """Mixed queries, most from populous places (what members type), some from small towns."""
    rng = random.Random(seed)
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        big = conn.execute(
            "SELECT p.name, p.country, a.name, c.name FROM place p "
            "LEFT JOIN admin a ON a.country = p.country AND a.code = p.admin1 "
            "JOIN country c ON c.code = p.country ORDER BY p.population DESC LIMIT 20000"
        ).fetchall()
        small = conn.execute(
            "SELECT p.name, p.country, a.name, c.name FROM place p "
            "LEFT JOIN admin a ON a.country = p.country AND a.code = p.admin1 "
            "JOIN country c ON c.code = p.country WHERE p.id % 50 = 7"
        ).fetchall()
    finally:
        conn.close()
    queries: list[str] = []
    for _ in range(count):
        name, _code, admin, country = rng.choice(big if rng.random() < 0.8 else small)
        roll = rng.random()
        if roll < 0.40:
            queries.append(name)
        elif roll < 0.55:
            queries.append(_strip_accents(name).lower())
        elif roll < 0.70:
            queries.append(f"{name}, {admin or country}")
        elif roll < 0.80:
            queries.append(f"{name} {country}")
        elif roll < 0.90:
            queries.append(f"{rng.choice(STREETS)}, {rng.randint(1000, 99999)} {name}, {country}")
        else:
            queries.append(rng.choice(MISSES))
    return queries


def queries_from_child(path: Path, count: int) -> list[str]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--emit-queries",
        str(path),
        "--count",
        str(count),
    ]
    return list(json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout))


def rss_mb() -> float:
    gc.collect()
    return psutil.Process().memory_info().rss / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Offline geocoding latency and memory.")
    parser.add_argument("--quick", action="store_true", help="1,000 lookups instead of 10,000")
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--fresh", action="store_true", help="unpack into a temp folder to time first use")
    parser.add_argument("--emit-queries", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.emit_queries:
        print(json.dumps(make_queries(args.emit_queries, args.count)))
        return 0
    count = args.count or (1_000 if args.quick else 10_000)

    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        path = ensure_index(Path(scratch) if args.fresh else None)
        unpack_ms = (time.perf_counter() - started) * 1000
        # Drawing the queries reads the whole file; a child process does it so that none of
        # that memory is left in this process to flatter (or inflate) the comparison.
        queries = queries_from_child(path, count)

        disk_mb = path.stat().st_size / 1e6
        baseline = rss_mb()
        opened_at = time.perf_counter()
        gazetteer = Gazetteer.open(path)
        open_ms = (time.perf_counter() - opened_at) * 1000
        timings: list[float] = []
        found = refused = hinted = 0
        clock = time.perf_counter_ns
        try:
            for query in queries:
                begin = clock()
                try:
                    result = gazetteer.lookup(query)
                except UserError:
                    refused += 1
                else:
                    found += 1
                    hinted += result.hint is not None
                timings.append((clock() - begin) / 1e6)
            with_gazetteer = rss_mb()
        finally:
            gazetteer.close()

    timings.sort()
    median = statistics.median(timings)
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    added = with_gazetteer - baseline
    print(f"gazetteer: {disk_mb:.1f} MB on disk, shipped {SHIPPED.stat().st_size / 1e6:.2f} MB xz")
    first = "unpacked" if args.fresh else "found (or unpacked)"
    print(f"first use: {first} in {unpack_ms:.0f} ms; open: {open_ms:.1f} ms")
    print(f"lookups: {len(timings)} ({found} found, {hinted} with an ambiguity hint, {refused} refused)")
    print(f"median: {median * 1000:.1f} us   p99: {p99 * 1000:.1f} us   max: {timings[-1] * 1000:.1f} us")
    verdict = "OK" if p99 < P99_TARGET_MS else "MISSED"
    print(f"p99 / target ({P99_TARGET_MS:g} ms): {p99 / P99_TARGET_MS:.2f}  [{verdict}]")
    print(f"RSS baseline (same process, before the gazetteer): {baseline:.1f} MB")
    print(f"RSS with the gazetteer open and used: {with_gazetteer:.1f} MB (x{with_gazetteer / baseline:.2f})")
    verdict = "OK" if added < MEMORY_TARGET_MB else "MISSED"
    print(
        f"RSS added: {added:.1f} MB; "
        f"added / target ({MEMORY_TARGET_MB:g} MB): {added / MEMORY_TARGET_MB:.2f}  [{verdict}]"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
