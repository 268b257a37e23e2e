"""The matching benchmark's quick run: the index ranks exactly like the naive scorer, and a pairing
round keeps the weight the target asks of the naive greedy's (correctness, never timings)."""

from __future__ import annotations

from bench.matching import QUICK, bench_match, bench_pairing


def test_quick_match_rankings_are_identical_to_the_naive_scorer() -> None:
    lines: list[str] = []
    figures = bench_match(QUICK, lines.append)

    assert figures["compared"] == QUICK.naive_queries
    assert figures["disagreements"] == 0
    assert any("rankings differing from the baseline: 0" in line for line in lines)
    assert any(line.startswith("rebuild of a dropped index") for line in lines)


def test_quick_pairing_keeps_98_percent_of_the_naive_greedys_weight() -> None:
    lines: list[str] = []
    figures = bench_pairing(QUICK, lines.append)

    n = QUICK.naive_pairing_members
    assert figures[f"ratio_2_{n}"] >= 0.98
    assert figures[f"ratio_3_{n}"] >= 0.98
    assert sum("both MEASURED" in line for line in lines) == 2
