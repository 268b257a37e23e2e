"""The cluster benchmark runs and prints its figures (quick mode, SQLite, as a smoke test)."""

from __future__ import annotations

import pytest

from bench import cluster as bench  # imported by name: its worker processes import it so too


def test_the_cluster_bench_prints_start_up_rsvp_throughput_and_a_busy_minute_with_nothing_lost(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bench.main(["--quick", "--no-postgres"])  # its exit code judges timings, not what this checks

    out = capsys.readouterr().out
    assert "4,000 pending reminders across 40 servers" in out
    assert "[SQLite] start-up of a shard process" in out and "start-up / target (5 s):" in out
    assert "[SQLite] RSVPs through MeetupService.rsvp" in out and "2 / 1:" in out
    for layout in ("split shards 0 | 1", "overlapping: both own both"):
        line = next(line for line in out.splitlines() if layout in line)
        assert "200 due, lost 0, twice 0" in line, line
    assert "skipped: PostgreSQL (--no-postgres)" in out
