"""Interest normalisation cost: 20 typed interests against a server's 5,000 known tags.

Prints the median and p99 per parse, against a baseline of the same parse with no known tags
(synonyms and plurals only), measured in the same run. Run: python bench/interests.py
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.interests import TagIndex, parse_interests, use_synonyms
from bot.storage.shipped import shipped_synonyms

TYPED = (
    "javascrpt, Hiking, pyhton, board games, rust, k8s, photos, speedcubing, chess, golf, woodwork, "
    "knitting, dnd, sci-fi, anime, cats, pottery, linux, cooking, travel"
)


def timings(call, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        out.append(time.perf_counter() - start)
    return out


def p99(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.99) - 1)]


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    runs = 50 if args.quick else 2000
    use_synonyms(shipped_synonyms())
    rng = random.Random(7)
    known: set[str] = {"javascript", "python", "woodworking"}
    while len(known) < 5000:
        word = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 14)))
        known.add(word if rng.random() < 0.7 else f"{word[:3]} {word[3:]}")
    index = TagIndex(known)

    baseline = timings(lambda: parse_interests(TYPED), runs)
    with_set = timings(lambda: parse_interests(TYPED, known), runs)
    with_index = timings(lambda: parse_interests(TYPED, index), runs)

    figures = {
        "baseline_median_ms": statistics.median(baseline) * 1000,
        "set_median_ms": statistics.median(with_set) * 1000,
        "set_p99_ms": p99(with_set) * 1000,
        "index_median_ms": statistics.median(with_index) * 1000,
        "index_p99_ms": p99(with_index) * 1000,
    }
    print(f"20 interests, no known tags (baseline): median {figures['baseline_median_ms']:.3f} ms")
    print(
        f"against 5,000 known tags (set):   median {figures['set_median_ms']:.3f} ms, "
        f"p99 {figures['set_p99_ms']:.3f} ms, "
        f"ratio {figures['set_median_ms'] / figures['baseline_median_ms']:.1f}x"
    )
    print(
        f"against 5,000 known tags (index): median {figures['index_median_ms']:.3f} ms, "
        f"p99 {figures['index_p99_ms']:.3f} ms, ratio "
        f"{figures['index_median_ms'] / figures['baseline_median_ms']:.1f}x"
    )
    return figures


if __name__ == "__main__":
    main()
