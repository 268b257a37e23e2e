"""The series benchmark runs in quick mode and its correctness figures hold."""

from __future__ import annotations

from bench.series import Figures, forced_lateness, measure, parse_args


def test_quick_is_small() -> None:
    args = parse_args(["--quick"])
    assert (args.series, args.servers, args.days) == (40, 4, 60)


def test_forced_lateness_follows_discords_global_limit() -> None:
    assert forced_lateness(16) == [0.0] * 16  # three requests each: 16 a second fit in 50
    assert forced_lateness(17)[-1] == 1.0


async def test_a_quick_run_posts_every_occurrence_once_and_on_time() -> None:
    # APScheduler reads SimCord's clock: the session fixture in tests/conftest.py sets that up.
    figures: Figures = await measure(series=40, servers=4, days=60)

    assert figures.series_year.meetups == figures.oneoff_year.meetups > 40
    burst = figures.burst
    assert burst.due == burst.posted == 40 and burst.duplicates == 0
    assert burst.beyond_forced <= 1
    # All 40 are due within the horizon: read into the window arrays at start, no APScheduler job each.
    assert figures.loaded.window >= 40 and figures.loaded.jobs <= 2
    report = figures.report()
    for label in ("series / one-off:", "with / baseline:", "duplicates 0", "beyond forced: max 0 s"):
        assert label in report
