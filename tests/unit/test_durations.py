"""Reminder offsets and durations as admins type them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.durations import (
    DAY,
    HOUR,
    MINUTE,
    Span,
    format_duration,
    parse_duration,
    parse_offsets,
    parse_retention,
    read_span,
)
from bot.domain.errors import UserError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("24h", 24 * HOUR),
        ("1h", HOUR),
        ("30m", 30 * MINUTE),
        ("90 minutes", 90 * MINUTE),
        ("1d 12h", DAY + 12 * HOUR),
        ("1.5h", 90 * MINUTE),
        ("2 days", 2 * DAY),
        ("1 week", 7 * DAY),
        ("1h and 30m", 90 * MINUTE),
        ("  3H ", 3 * HOUR),
        ("2.5 hours", 150 * MINUTE),
        ("1,5h", 90 * MINUTE),
        ("5 hours 30 minutes", 330 * MINUTE),
        ("1h30", 90 * MINUTE),
        ("1h30m", 90 * MINUTE),
        ("an hour", HOUR),
        ("half an hour", 30 * MINUTE),
        ("a day", DAY),
        ("half a day", 12 * HOUR),
        ("an hour and a half", 90 * MINUTE),
        ("two weeks", 14 * DAY),
        ("1 day, 6 hours", 30 * HOUR),
    ],
)
def test_durations_are_read(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text", ["", "banana", "24", "h", "24 parsecs", "1h banana", "-1h", "am", "a", "hour"]
)
def test_unreadable_durations_are_refused_with_an_example(text: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_duration(text)
    assert caught.value.example


def test_the_units_used_tell_elapsed_time_from_calendar_days() -> None:
    assert read_span("2.5 hours") == Span(150 * MINUTE, frozenset({"h"}))
    assert read_span("in 2 hours") is None
    assert read_span("3 days").elapsed is False  # type: ignore[union-attr]
    assert read_span("1d 12h").elapsed is True  # type: ignore[union-attr]


def test_offsets_and_retention_take_the_same_words() -> None:
    assert parse_offsets("a day, half an hour") == (DAY, 30 * MINUTE)
    assert parse_retention("a week and a half") == 10 * DAY + 12 * HOUR


def test_offsets_are_sorted_largest_first_and_deduplicated() -> None:
    assert parse_offsets("1h, 24h, 60m") == (24 * HOUR, HOUR)


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("0h", "between 5 minutes and 14 days"),
        ("4m", "between 5 minutes and 14 days"),
        ("15d", "between 5 minutes and 14 days"),
        ("1h, 2h, 3h, 4h, 5h, 6h", "at most 5"),
        ("banana", "not a duration"),
        (" , ", "at least one"),
    ],
)
def test_bad_offsets_are_refused(text: str, complaint: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_offsets(text)
    assert complaint in caught.value.message
    assert caught.value.example == "/config reminders offsets:24h, 1h"


def test_the_limits_themselves_are_allowed() -> None:
    assert parse_offsets("5m, 14d") == (14 * DAY, 5 * MINUTE)


@pytest.mark.parametrize(
    ("seconds", "text"), [(DAY, "24h"), (2 * DAY, "2d"), (90 * MINUTE, "1h 30m"), (DAY + HOUR, "1d 1h")]
)
def test_durations_are_written_short(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text


@given(st.integers(min_value=1, max_value=14 * DAY // MINUTE).map(lambda m: m * MINUTE))
def test_writing_then_reading_a_duration_gives_it_back(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds


@pytest.mark.parametrize(("text", "seconds"), [("30d", 30 * DAY), ("1 day", DAY), ("2 weeks", 14 * DAY)])
def test_a_retention_period_is_read(text: str, seconds: int) -> None:
    assert parse_retention(text) == seconds


@pytest.mark.parametrize("text", ["23h", "366d", "53w", "forever", ""])
def test_a_retention_period_outside_one_day_to_a_year_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(UserError) as refused:
        parse_retention(text)
    assert refused.value.example == "/config retention period:30d"
