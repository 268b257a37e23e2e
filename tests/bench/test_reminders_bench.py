"""The reminders benchmark runs in quick mode and its correctness figures hold."""

from __future__ import annotations

from bench.reminders import Figures, forced_lateness, measure, parse_args


def test_quick_is_small() -> None:
    args = parse_args(["--quick"])
    assert (args.servers, args.reminders) == (20, 2000)


def test_forced_lateness_follows_discords_global_limit() -> None:
    assert forced_lateness([0] * 25) == [0.0] * 25  # 2 requests each: 50 a second fit
    assert forced_lateness([0] * 26)[-1] == 1.0


async def test_a_quick_run_posts_every_reminder_once_and_on_time() -> None:
    # APScheduler reads SimCord's clock: the session fixture in tests/conftest.py sets that up.
    figures: Figures = await measure(servers=20, reminders=2000)

    minute = figures.dispatch
    assert minute.due == minute.posted == 20 and minute.duplicates == 0
    assert max(minute.beyond_forced) <= 1
    assert minute.dms_sent == minute.dms_queued == 20
    # The tasks due within the horizon (the busy minute's 20 among them) are read into the window
    # arrays at start, with no APScheduler job each: the refill and the window job.
    assert figures.loaded.window > 20 and figures.loaded.jobs <= 2
    # Start-up time and memory are the bench's figures to print, not this test's to judge: the
    # test process holds the whole suite (its RSS is not the bot's), and timings are never tested.
    report = figures.report()
    for label in (
        "start-up / target (5 s):",
        "RSS / target (200 MB):",
        "beyond forced: max 0 s",
        "duplicates 0",
    ):
        assert label in report
