"""The busy-minute benchmark (real scheduler, Discord as a rate-limited sink) in quick mode."""

from __future__ import annotations

from bench.reminders_minute import Figures, measure, parse_args


def test_quick_is_small() -> None:
    args = parse_args(["--quick"])
    assert (args.pending, args.servers, args.due, args.minute) == (2000, 20, 100, 3)


async def test_a_quick_minute_hands_every_due_reminder_over_once_and_records_it_done() -> None:
    # lead: the first reminder is due at least 2 s after the fill, so the start (and the window count
    # read after it) comes before any of them is started, however busy the machine.
    figures: Figures = await measure(pending=2000, servers=20, due=100, minute=2, lead=3)

    assert figures.lost == 0 and figures.twice == 0
    assert figures.done == 100  # each claimed and finished in the database
    assert len(figures.dispatch) == 100
    assert len(figures.beyond) == 100  # lateness is a figure the bench prints, not judged here
    # Read into the window arrays at start, with no APScheduler job each.
    assert figures.window >= 100 and figures.jobs <= 2
    report = figures.report()
    for label in ("lost 0, twice 0", "beyond forced", "tasks in the window arrays"):
        assert label in report
