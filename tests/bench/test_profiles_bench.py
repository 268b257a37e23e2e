"""The profile benchmark runs and prints every figure (quick mode, as a smoke test)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "profiles.py"


def test_the_profiles_bench_prints_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_profiles", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)

    figures = bench.main(["--quick"])

    out = capsys.readouterr().out
    for name in figures:
        assert name in out
    assert figures["members"] == 200
