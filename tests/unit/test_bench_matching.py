"""Keep bench/matching.py from rotting: its quick mode must still run end to end."""

from __future__ import annotations

from bench.matching import main


def test_quick_bench_runs_and_prints_every_figure() -> None:
    lines: list[str] = []

    main(["--quick"], out=lines.append)

    text = "\n".join(lines)
    assert "index build" in text
    assert "/match naive baseline" in text
    assert "rankings differing from the baseline: 0" in text
    # The naive pairing is measured, never extrapolated: pairs and trios here, the full size with --full.
    assert text.count("both MEASURED") == 2 and "EXTRAPOLATED" not in text
    assert "is measured with --full" in text
    # The closing figures: each size's time at full size and share of the naive's weight.
    assert text.count("pairing summary, size") == 2 and text.count("of the naive's weight at n=300") == 2
    assert text.count("pairing with blocks, size") == 3 and "blocked pairs grouped 0," in text
    assert "blocked pairs grouped 1" not in text
