"""The rules of /stats: periods in the one duration grammar, the path from levels, medians,
turnout, weekly bars, what privacy lets show, and when the digest is due."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.durations import DAY, WEEK
from bot.domain.errors import UserError
from bot.domain.stats import (
    FEWER,
    MAX_BUCKETS,
    HeldMeetup,
    buckets,
    median,
    next_digest,
    parse_period,
    path_counts,
    shown_count,
    shown_median,
    shown_ratio,
    shown_share,
    turnout,
)

NOW = 1767225600  # 2026-01-01 00:00 UTC


@pytest.mark.parametrize(
    ("text", "seconds", "label"),
    [
        (None, 30 * DAY, "last 30 days"),
        ("30d", 30 * DAY, "last 30 days"),
        ("12w", 12 * WEEK, "last 12 weeks"),
        ("90 days", 90 * DAY, "last 90 days"),
        ("two weeks", 2 * WEEK, "last 2 weeks"),
        ("1d 12h", 36 * 3600, "last 36 hours"),
        ("a day", DAY, "last 1 day"),
    ],
)
def test_periods_read_like_every_other_duration(text: str | None, seconds: int, label: str) -> None:
    period = parse_period(text, NOW)
    assert (period.end - period.start, period.seconds, period.label) == (seconds, seconds, label)
    assert period.end == NOW + 1  # what happened this second counts
    previous = period.previous()
    assert previous is not None and (previous.start, previous.end) == (period.start - seconds, period.start)


def test_all_has_no_start_and_no_previous_period() -> None:
    period = parse_period(" ALL ", NOW)
    assert (period.start, period.label, period.previous()) == (None, "all time", None)


@pytest.mark.parametrize("text", ["soon", "30 parsecs", "12h", "6 years", "0d"])
def test_a_bad_period_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(UserError) as refused:
        parse_period(text, NOW)
    assert "/stats period:30d" in refused.value.example


def test_the_path_counts_each_member_at_every_step_they_reached() -> None:
    assert path_counts({1: 4, 3: 2, 7: 1}) == (7, 3, 3, 1, 1, 1, 1)
    assert path_counts({}) == (0,) * 7


def test_median_and_turnout() -> None:
    assert median([]) is None
    assert median([5, 1, 3]) == 3
    assert median([4, 1, 3, 10]) == 3.5
    meetups = [
        HeldMeetup(1, 0, going=4, came=5, came_going=3),
        HeldMeetup(2, 0, going=6, came=1, came_going=1),
    ]
    assert turnout(meetups) == 0.4  # 4 of the 10 Going answers came; who came unannounced doesn't count
    assert turnout([]) is None


def test_fewer_than_three_members_are_never_shown_exactly() -> None:
    assert [shown_count(n) for n in (0, 1, 2, 3, 12345)] == ["0", FEWER, FEWER, "3", "12,345"]
    assert shown_share(2, 10) is None and shown_share(5, 2) is None and shown_share(0, 0) is None
    assert shown_share(3, 4) == "75%" and shown_share(0, 4) == "0%"
    assert shown_ratio(0.5, 2) is None and shown_ratio(0.5, 4) == "50%"
    assert shown_median(2.5) == FEWER and shown_median(3.0) == "3" and shown_median(None) is None


def test_weekly_bars_count_meetups_and_attendance_from_the_period_start() -> None:
    start = NOW
    held = [
        HeldMeetup(1, start + DAY, 3, 3, 3),
        HeldMeetup(2, start + 2 * DAY, 5, 4, 4),
        HeldMeetup(3, start + 3 * WEEK, 5, 2, 2),
    ]
    bars = buckets(held, start, start + 30 * DAY)
    assert [(b.meetups, b.attendance) for b in bars] == [(2, 7), (0, 0), (0, 0), (1, 2), (0, 0)]
    assert all(b.weeks == 1 for b in bars) and bars[1].start == start + WEEK


def test_a_long_period_groups_weeks_so_the_chart_keeps_few_bars() -> None:
    held = [HeldMeetup(n, NOW + n * WEEK, 1, 1, 1) for n in range(200)]
    bars = buckets(held, None, NOW + 200 * WEEK)
    assert len(bars) <= MAX_BUCKETS and bars[0].weeks == 8
    assert sum(b.meetups for b in bars) == 200
    assert buckets([], None, NOW) == ()


@pytest.mark.parametrize(
    ("local_now", "expected"),
    [
        ("2026-01-01 12:00", "2026-01-05 09:00"),  # Thursday: the next Monday
        ("2026-01-05 08:59", "2026-01-05 09:00"),
        ("2026-01-05 09:00", "2026-01-12 09:00"),  # strictly after
        ("2026-03-27 10:00", "2026-03-30 09:00"),  # across the change to summer time
    ],
)
def test_the_digest_is_due_monday_at_nine_server_time(local_now: str, expected: str) -> None:
    zone = ZoneInfo("Europe/Berlin")
    now = int(datetime.fromisoformat(local_now).replace(tzinfo=zone).timestamp())
    due = datetime.fromtimestamp(next_digest(now, "Europe/Berlin"), zone)
    assert due.strftime("%Y-%m-%d %H:%M") == expected
