"""Series as rules: what ``repeat`` reads and refuses, the dates each rule gives, local time across
daylight saving, and the .ics recurrence that calendars expand to exactly those dates."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from bot.domain.calendar import SeriesEntry, member_ics
from bot.domain.errors import UserError
from bot.domain.series import (
    Occurrence,
    OccurrenceState,
    Series,
    check_anchor,
    parse_ahead,
    place_in_zone,
    read_repeat,
    read_series_number,
    streak,
    upcoming,
)
from bot.domain.waitlist import WaitlistMode, offers_places, parse_hold, parse_undecided
from bot.domain.when import read_date, read_time_of_day

TZ = "Europe/Berlin"
BERLIN = ZoneInfo(TZ)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("weekly", "weekly"),
        ("Every week", "weekly"),
        ("every 2 weeks", "every 2 weeks"),
        ("every two weeks", "every 2 weeks"),
        ("every other week", "every 2 weeks"),
        ("biweekly", "every 2 weeks"),
        ("fortnightly", "every 2 weeks"),
        ("every 8 weeks", "every 8 weeks"),
        ("every 1 week", "weekly"),
        ("monthly", "monthly"),
        ("every month", "monthly"),
        ("monthly on the first friday", "monthly on the first friday"),
        ("monthly on the second tuesday", "monthly on the second tuesday"),
        ("monthly on the 3rd wed", "monthly on the third wednesday"),
        ("monthly on the fourth sunday", "monthly on the fourth sunday"),
        ("monthly on the last thursday", "monthly on the last thursday"),
        ("first friday of the month", "monthly on the first friday"),
        ("every last thu", "monthly on the last thursday"),
        ("  MONTHLY  on the FIRST Friday ", "monthly on the first friday"),
    ],
)
def test_repeat_reads_the_phrases_members_type(typed: str, canonical: str) -> None:
    rule = read_repeat(typed)
    assert rule.text == canonical
    assert read_repeat(rule.text) == rule  # the stored words read back to the same rule


@pytest.mark.parametrize(
    "typed",
    ["", "daily", "every day", "yearly", "every 9 weeks", "every 0 weeks", "every twelve weeks",
     "monthly on the fifth friday", "monthly on friday", "twice a week", "weekdays", "every 2 months"],
)  # fmt: skip
def test_anything_else_is_refused_with_examples(typed: str) -> None:
    with pytest.raises(UserError) as refused:
        read_repeat(typed)
    assert refused.value.example and "repeat:" in refused.value.example


def dates(repeat: str, anchor: date, count: int) -> list[date]:
    return list(itertools.islice(read_repeat(repeat).dates(anchor), count))


def test_monthly_on_the_31st_falls_on_the_last_day_of_shorter_months() -> None:
    assert dates("monthly", date(2026, 1, 31), 5) == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)
    ]  # fmt: skip
    assert dates("monthly", date(2027, 12, 30), 3) == [
        date(2027, 12, 30),
        date(2028, 1, 30),
        date(2028, 2, 29),
    ]


def test_weekday_rules() -> None:
    assert dates("every 2 weeks", date(2026, 1, 9), 3) == [
        date(2026, 1, 9),
        date(2026, 1, 23),
        date(2026, 2, 6),
    ]
    assert dates("monthly on the first friday", date(2026, 1, 2), 3) == [
        date(2026, 1, 2), date(2026, 2, 6), date(2026, 3, 6)
    ]  # fmt: skip
    assert dates("monthly on the last thursday", date(2026, 1, 29), 3) == [
        date(2026, 1, 29), date(2026, 2, 26), date(2026, 3, 26)
    ]  # fmt: skip


def test_a_first_date_off_the_rule_is_refused_with_the_next_that_fits() -> None:
    with pytest.raises(UserError) as refused:
        check_anchor(read_repeat("monthly on the first friday"), datetime(2026, 1, 9, 19, 0))  # noqa: DTZ001
    assert "when:2026-02-06 19:00" in (refused.value.example or "")


def series(repeat: str = "weekly", anchor: datetime = datetime(2026, 3, 20, 19, 0), **changes) -> Series:  # noqa: DTZ001
    values = dict(
        id=1, guild_id=5, number=1, title="Board games", tz=TZ, when_text="fri 7pm", anchor=anchor,
        rule=read_repeat(repeat), place="Café Central", organiser_id=9, created_at=0, updated_at=0,
    )  # fmt: skip
    values.update(changes)
    return Series(**values)


def test_the_wall_time_holds_across_daylight_saving_and_the_utc_time_moves() -> None:
    weekly = series()
    walls = list(itertools.islice(weekly.wall_times(), 3))
    epochs = [weekly.epoch(wall) for wall in walls]
    assert [datetime.fromtimestamp(e, BERLIN).strftime("%d %H:%M") for e in epochs] == [
        "20 19:00", "27 19:00", "03 19:00"
    ]  # fmt: skip
    assert [datetime.fromtimestamp(e, UTC).hour for e in epochs] == [18, 18, 17]
    # A wall time the clocks skip moves an hour later, as the clocks do.
    skipped = place_in_zone(datetime(2026, 3, 29, 2, 30), TZ)  # noqa: DTZ001
    assert datetime.fromtimestamp(skipped, BERLIN).strftime("%H:%M") == "03:30"


def test_upcoming_follows_the_last_posted_and_leaves_out_skipped_days() -> None:
    weekly = series()
    dealt = [
        Occurrence(1, date(2026, 3, 20), datetime(2026, 3, 20, 19), OccurrenceState.POSTED),  # noqa: DTZ001
        Occurrence(1, date(2026, 4, 3), datetime(2026, 4, 3, 19), OccurrenceState.SKIPPED),  # noqa: DTZ001
    ]
    assert [w.date() for w in upcoming(weekly, dealt, count=3)] == [
        date(2026, 3, 27), date(2026, 4, 10), date(2026, 4, 17)
    ]  # fmt: skip
    ended = series(until=date(2026, 3, 27))
    assert [w.date() for w in upcoming(ended, dealt, count=3)] == [date(2026, 3, 27)]


def test_ahead_series_numbers_and_streaks() -> None:
    assert parse_ahead("7d") == 7 * 86400
    with pytest.raises(UserError):
        parse_ahead("9 weeks")
    assert [read_series_number(t) for t in ("S1", "s12", "#S3", " 4 ")] == [1, 12, 3, 4]
    with pytest.raises(UserError):
        read_series_number("S1x")
    assert streak([True, True, False, True]) == 2 and streak([False, True]) == 0


def expanded(ics: bytes, since: datetime, until: datetime) -> list[datetime]:
    calendar = icalendar.Calendar.from_ical(ics)
    return sorted(event["DTSTART"].dt for event in recurring_ical_events.of(calendar).between(since, until))


@pytest.mark.parametrize(
    ("repeat", "anchor"),
    [
        ("weekly", datetime(2026, 3, 20, 19, 0)),  # noqa: DTZ001 - across the change to summer time
        ("every 3 weeks", datetime(2026, 10, 9, 19, 0)),  # noqa: DTZ001 - and back to winter time
        ("monthly", datetime(2026, 1, 31, 18, 30)),  # noqa: DTZ001
        ("monthly", datetime(2026, 1, 30, 18, 30)),  # noqa: DTZ001
        ("monthly", datetime(2026, 1, 15, 18, 30)),  # noqa: DTZ001
        ("monthly on the first friday", datetime(2026, 1, 2, 19, 0)),  # noqa: DTZ001
        ("monthly on the last thursday", datetime(2026, 1, 29, 19, 0)),  # noqa: DTZ001
    ],
)
def test_the_calendar_expands_to_exactly_the_series_dates(repeat: str, anchor: datetime) -> None:
    skipped = tuple(itertools.islice(series(repeat, anchor).wall_times(), 2, 3))
    entry = SeriesEntry(series(repeat, anchor, until=date(2027, 3, 31)), skipped=skipped)

    ics = member_ics([], [entry], stamp=0)

    got = expanded(ics, datetime(2025, 12, 1, tzinfo=UTC), datetime(2027, 6, 1, tzinfo=UTC))
    want = [w for w in entry.series.wall_times() if w not in skipped]
    assert [g.astimezone(BERLIN).replace(tzinfo=None) for g in got] == want
    assert all(g.astimezone(BERLIN).strftime("%H:%M") == f"{anchor:%H:%M}" for g in got)
    assert b"BEGIN:VTIMEZONE" in ics and b"TZID=Europe/Berlin" in ics
    assert datetime.fromtimestamp(entry.series.epoch(want[-1]), BERLIN).date() <= date(2027, 3, 31)
    assert timedelta(0) < got[1] - got[0]


NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "order", "day"),
    [
        ("2026-03-31", None, date(2026, 3, 31)),
        ("31 mar", None, date(2026, 3, 31)),
        ("3/4", None, date(2026, 4, 3)),  # Berlin writes day-month
        ("3/4", "month-day", date(2026, 3, 4)),
        ("31/3", "month-day", date(2026, 3, 31)),  # reads only one way
        ("next friday", None, date(2026, 1, 2)),
        ("the 14th", None, date(2026, 1, 14)),
        ("2026-01-09 19:00", None, date(2026, 1, 9)),  # a time with it is ignored
    ],
)
def test_read_date_reads_a_day_in_the_servers_order(typed: str, order: str | None, day: date) -> None:
    assert read_date(typed, now=NOW, tz=TZ, order=order) == day


@pytest.mark.parametrize("typed", ["", "xyz", "2025-12-01", "31 feb 2026"])
def test_read_date_refuses_what_is_not_a_day_ahead(typed: str) -> None:
    with pytest.raises(UserError):
        read_date(typed, now=NOW, tz=TZ)


def test_a_time_alone_is_told_from_a_day_and_time() -> None:
    assert read_time_of_day("20:00") == (20, 0)
    assert read_time_of_day("8pm") == (20, 0)
    assert read_time_of_day("thu 8pm") is None and read_time_of_day("tomorrow") is None


def test_waitlist_hold_and_undecided_durations() -> None:
    assert parse_hold("12h") == 12 * 3600
    assert parse_undecided("off") == 0 and parse_undecided("48h") == 48 * 3600
    for bad in ("1m", "8 days"):
        with pytest.raises(UserError):
            parse_hold(bad)
    with pytest.raises(UserError):
        parse_undecided("15 days")
    assert offers_places(WaitlistMode.OFFER, starts_at=100_000, hold=3600, now=0)
    assert not offers_places(WaitlistMode.OFFER, starts_at=3000, hold=3600, now=0)
    assert not offers_places(WaitlistMode.AUTO, starts_at=100_000, hold=3600, now=0)
