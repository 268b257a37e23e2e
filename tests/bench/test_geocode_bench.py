"""The geocoding benchmark runs and prints its figures (quick mode, as a smoke test)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "geocode.py"


def test_the_geocode_bench_prints_latency_and_memory_against_the_targets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = importlib.util.spec_from_file_location("bench_geocode", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)

    assert bench.main(["--quick"]) == 0

    out = capsys.readouterr().out
    assert "lookups: 1000 (" in out
    for label in (
        "median:",
        "p99:",
        "p99 / target (1 ms):",
        "RSS baseline",
        "RSS added:",
        "added / target (30 MB):",
    ):
        assert label in out
