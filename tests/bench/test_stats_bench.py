"""The /stats benchmark runs and prints every figure (quick mode, as a smoke test)."""

from __future__ import annotations

import pytest

from bench import stats as bench


def test_the_stats_bench_prints_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    figures = bench.main(["--quick"])

    out = capsys.readouterr().out
    for name in figures:
        assert name in out
    assert (figures["members"], figures["meetups"]) == (2000, 200)
    assert 0 < figures["path_30d"] < 2000  # some joined in the last 30 days, not everyone
    assert (
        figures["query_30d_ratio"] > 0 and figures["draw_warm_ratio"] > 0 and figures["draw_cold_ratio"] > 0
    )
    assert "targets:" in out
