"""The meetup time reader: what a member types, and the moment we store and show back."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.date_order import DateOrder
from bot.domain.errors import UserError
from bot.domain.when import (
    DEFAULT_CLOSE,
    POLL_LEAD,
    ReadTime,
    read_closes,
    read_time,
    read_times,
)
from tests.unit.when_corpus import contexts as corpus_contexts

BERLIN = "Europe/Berlin"
LONDON = "Europe/London"
NEW_YORK = "America/New_York"
# Thursday 26 March 2026, 13:00 in Berlin; Berlin springs forward on Sunday 29 March.
NOW = datetime(2026, 3, 26, 12, 0, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def read_utc(text: str, tz: str = BERLIN, now: datetime = NOW) -> datetime:
    return read_time(text, now=now, tz=tz).utc


def refusal(text: str, tz: str = BERLIN, now: datetime = NOW) -> UserError:
    with pytest.raises(UserError) as caught:
        read_time(text, now=now, tz=tz)
    return caught.value


# -- bare hours -----------------------------------------------------------------------------------


def test_fri_7_is_friday_at_seven_in_the_evening_not_july_or_the_7th() -> None:
    assert read_utc("fri 7") == utc(2026, 3, 27, 18, 0)


@pytest.mark.parametrize("text", ["fri 7pm", "fri 19:00", "friday at 7", "Fri 7 PM", "fri 7 p.m."])
def test_ways_of_writing_friday_seven_pm_agree(text: str) -> None:
    assert read_utc(text) == utc(2026, 3, 27, 18, 0)


def test_single_digit_hour_with_minutes_is_evening() -> None:
    assert read_utc("fri 7:30") == utc(2026, 3, 27, 18, 30)


def test_leading_zero_hour_is_taken_as_written() -> None:
    assert read_utc("fri 07:30") == utc(2026, 3, 27, 6, 30)


def test_bare_hour_eight_to_eleven_asks_am_or_pm() -> None:
    error = refusal("fri 9")
    assert "9am or 9pm" in error.message
    assert error.example == "fri 9pm"


def test_tonight_makes_a_bare_hour_evening() -> None:
    assert read_utc("tonight 9") == utc(2026, 3, 26, 20, 0)


def test_bare_twelve_is_noon() -> None:
    assert read_utc("sat 12") == utc(2026, 3, 28, 11, 0)


# -- daylight saving ------------------------------------------------------------------------------


def test_in_3_days_at_8pm_keeps_the_wall_time_across_spring_forward() -> None:
    assert read_utc("in 3 days at 8pm") == utc(2026, 3, 29, 18, 0)


def test_in_hours_is_elapsed_time_across_spring_forward() -> None:
    just_before = utc(2026, 3, 29, 0, 30)  # 01:30 CET
    read = read_time("in 2 hours", now=just_before, tz=BERLIN)
    assert read.utc == utc(2026, 3, 29, 2, 30)
    assert read.local.hour == 4  # 04:30 CEST: the clocks skipped an hour


def test_wall_time_skipped_by_spring_forward_is_refused_with_the_next_real_time() -> None:
    error = refusal("2026-03-29 02:30")
    assert "doesn't exist" in error.message
    assert error.example == "2026-03-29 03:30"


def test_repeated_wall_time_in_london_is_refused_showing_both_choices() -> None:
    error = refusal("2026-10-25 01:30", tz=LONDON)
    assert "happens twice" in error.message
    assert error.example == "2026-10-25 01:30 BST or 2026-10-25 01:30 GMT"


def test_repeated_wall_time_in_berlin_is_refused_showing_both_choices() -> None:
    assert refusal("2026-10-25 02:30").example == "2026-10-25 02:30 CEST or 2026-10-25 02:30 CET"


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("2026-10-25 01:30 BST", LONDON, utc(2026, 10, 25, 0, 30)),
        ("2026-10-25 01:30 GMT", LONDON, utc(2026, 10, 25, 1, 30)),
        ("2026-10-25 02:30 CEST", BERLIN, utc(2026, 10, 25, 0, 30)),
        ("2026-10-25 02:30 cet", BERLIN, utc(2026, 10, 25, 1, 30)),
        ("2026-10-25 02:30 +02:00", BERLIN, utc(2026, 10, 25, 0, 30)),
        ("2026-10-25 02:30 +0100", BERLIN, utc(2026, 10, 25, 1, 30)),
    ],
)
def test_zone_suffix_picks_which_repeated_hour(text: str, tz: str, expected: datetime) -> None:
    assert read_utc(text, tz=tz) == expected


def test_describe_names_the_abbreviation_on_a_repeated_hour() -> None:
    read = read_time("2026-10-25 01:30 GMT", now=NOW, tz=LONDON)
    assert read.describe() == "Sun 25 Oct 2026, 01:30 GMT (Europe/London)"


def test_zone_abbreviation_not_in_use_that_day_is_refused() -> None:
    error = refusal("2026-12-05 19:00 CEST")
    assert "CET, not CEST" in error.message
    assert error.example == "2026-12-05 19:00 CET"


def test_unknown_zone_abbreviation_is_refused_naming_the_server_zone() -> None:
    error = refusal("fri 7pm EST")
    assert "Europe/Berlin" in error.message
    assert error.example == "fri 7pm"


@pytest.mark.parametrize("text", ["IN 2 HOURS", "TOMORROW AT NOON", "SAT 7PM"])
def test_shouted_words_are_not_mistaken_for_zone_names(text: str) -> None:
    shouted = read_time(text, now=NOW, tz=BERLIN)

    assert shouted.epoch == read_time(text.lower(), now=NOW, tz=BERLIN).epoch
    assert shouted.tz == BERLIN


@pytest.mark.parametrize("text", ["2026-12-05 18:30 UTC", "2026-12-05T18:30Z", "2026-12-05 20:30 UTC+2"])
def test_utc_and_offset_suffixes_name_an_exact_instant(text: str) -> None:
    assert read_utc(text) == utc(2026, 12, 5, 18, 30)


# -- days, and days without times -----------------------------------------------------------------


@pytest.mark.parametrize(("text", "example"), [("saturday", "saturday 7pm"), ("dec 5", "dec 5 7pm")])
def test_day_without_a_time_asks_for_the_time(text: str, example: str) -> None:
    error = refusal(text)
    assert "no time of day" in error.message
    assert error.example == example


def test_tomorrow_at_noon() -> None:
    assert read_utc("tomorrow at noon") == utc(2026, 3, 27, 11, 0)


def test_iso_date_and_time() -> None:
    assert read_utc("2026-12-05 18:30") == utc(2026, 12, 5, 17, 30)


def test_next_friday_is_the_first_friday_after_today() -> None:
    assert read_utc("next friday 6pm") == utc(2026, 3, 27, 17, 0)
    on_friday = utc(2026, 3, 27, 9, 0)
    assert read_utc("next friday 6pm", now=on_friday) == utc(2026, 4, 3, 16, 0)


def test_weekday_naming_today_means_today_while_the_time_is_ahead() -> None:
    assert read_utc("thu 6pm") == utc(2026, 3, 26, 17, 0)


def test_weekday_naming_today_rolls_a_week_once_the_time_has_passed() -> None:
    assert read_utc("thu 11am") == utc(2026, 4, 2, 9, 0)


def test_written_date_of_today_means_today_not_next_year() -> None:
    assert read_utc("26 mar 7pm") == utc(2026, 3, 26, 18, 0)


def test_time_alone_is_its_next_occurrence() -> None:
    assert read_utc("7pm") == utc(2026, 3, 26, 18, 0)
    assert read_utc("9am") == utc(2026, 3, 27, 8, 0)


def test_noon_alone_is_tomorrow_once_noon_has_passed() -> None:
    assert read_utc("noon") == utc(2026, 3, 27, 11, 0)


def test_midnight_ends_the_day_it_names() -> None:
    assert read_utc("fri midnight") == utc(2026, 3, 27, 23, 0)


def test_in_2_hours() -> None:
    assert read_utc("in 2 hours") == utc(2026, 3, 26, 14, 0)


def test_numeric_date_that_reads_both_ways_follows_the_zones_order_and_says_so() -> None:
    berlin = read_time("5/12 18:30", now=NOW, tz=BERLIN)
    new_york = read_time("5/12 18:30", now=NOW, tz=NEW_YORK)

    assert berlin.describe() == "Sat 5 Dec 2026, 18:30 (Europe/Berlin; 5/12 read as day/month)"
    assert new_york.describe() == "Tue 12 May 2026, 18:30 (America/New_York; 5/12 read as month/day)"


@pytest.mark.parametrize(("order", "month"), [("day-month", 12), ("month-day", 5)])
def test_numeric_date_that_reads_both_ways_follows_the_servers_setting(order: str, month: int) -> None:
    read = read_time("5/12 18:30", now=NOW, tz=BERLIN, order=DateOrder(order))

    assert read.local.month == month
    assert f"read as {order.replace('-', '/')}" in read.describe()


@pytest.mark.parametrize("order", list(DateOrder))
@pytest.mark.parametrize("text", ["25/12 18:30", "12/25 18:30", "25.12. 18:30"])
def test_numeric_date_with_a_part_above_12_reads_the_only_way_it_can(text: str, order: DateOrder) -> None:
    read = read_time(text, now=NOW, tz=BERLIN, order=order)

    assert read.utc == utc(2026, 12, 25, 17, 30)
    assert read.describe() == "Fri 25 Dec 2026, 18:30 (Europe/Berlin)"


def test_us_sesh_example_is_21_august_this_year_not_2121() -> None:
    local = read_time("08/21 at 19:30", now=NOW, tz=NEW_YORK).local
    assert (local.year, local.month, local.day, local.hour, local.minute) == (2026, 8, 21, 19, 30)


def test_the_14th_on_new_years_eve_is_14_january_in_every_zone() -> None:
    late_in_new_york = utc(2026, 1, 1, 4, 0)  # 23:00 on 31 Dec in New York, 05:00 on 1 Jan in Berlin
    for tz in (NEW_YORK, BERLIN, "Asia/Tokyo"):
        local = read_time("the 14th at 8pm", now=late_in_new_york, tz=tz).local
        assert (local.year, local.month, local.day, local.hour) == (2026, 1, 14, 20)


def test_a_date_more_than_12_months_ahead_is_refused_unless_the_year_is_typed() -> None:
    error = refusal("29 feb 7pm")

    assert "more than 12 months ahead" in error.message
    assert error.example == "2028-02-29 19:00"
    assert read_utc(error.example) == utc(2028, 2, 29, 18, 0)


def test_a_span_typed_as_such_may_be_far_ahead() -> None:
    assert read_utc("in 400 days at 7pm").date() == date(2027, 4, 30)


@pytest.mark.parametrize(
    ("text", "minutes"), [("in 2.5 hours", 150), ("in half an hour", 30), ("5 hours from now", 300)]
)
def test_spans_use_the_duration_grammar(text: str, minutes: int) -> None:
    assert read_utc(text) == NOW + timedelta(minutes=minutes)


def test_elapsed_time_does_not_depend_on_the_zone_now_is_given_in() -> None:
    local_now = datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo(BERLIN))  # just before the clocks jump
    assert read_time("in 2 hours", now=local_now, tz=BERLIN).local.hour == 4


@pytest.mark.parametrize(
    ("text", "hour", "minute"), [("fri 19h", 19, 0), ("fri 19h30", 19, 30), ("fri 8h", 8, 0)]
)
def test_19h_is_a_24_hour_time(text: str, hour: int, minute: int) -> None:
    assert read_utc(text) == utc(2026, 3, 27, hour - 1, minute)


@pytest.mark.parametrize("text", ["fri 7-9pm", "fri 19:00-21:00", "fri 19h-21h", "fri 7pm to 9pm"])
def test_a_range_is_read_as_its_start(text: str) -> None:
    assert read_utc(text) == utc(2026, 3, 27, 18, 0)


def test_no_such_day_in_the_month_is_refused_with_the_last_day_instead() -> None:
    error = refusal("31/4 7pm")

    assert error.message == "There is no 31 Apr."
    assert error.example == "30 apr 7pm"


def test_weekday_that_contradicts_the_date_is_refused() -> None:
    error = refusal("fri 5 dec 7pm")
    assert "Saturday, not a Friday" in error.message


# -- refusals -------------------------------------------------------------------------------------


def test_time_in_the_past_is_refused_with_the_same_time_ahead() -> None:
    error = refusal("2026-03-26 09:00")
    assert "already past" in error.message
    assert error.example == "2026-03-27 09:00"


@pytest.mark.parametrize("text", ["banana", "banana 7pm", "december 7pm"])
def test_unreadable_text_is_refused_with_an_example(text: str) -> None:
    error = refusal(text)
    assert "couldn't read" in error.message
    assert error.example


@pytest.mark.parametrize("text", ["13pm", "25:00", "fri 7:75"])
def test_impossible_clock_time_is_refused(text: str) -> None:
    assert refusal(text).example


def test_two_times_in_one_option_are_refused() -> None:
    assert "more than one time" in refusal("fri 7pm 8pm").message


def test_empty_text_is_refused() -> None:
    assert refusal("  ").example


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        read_time("fri 7pm", now=NOW.replace(tzinfo=None), tz=BERLIN)


# -- the result -----------------------------------------------------------------------------------


def test_result_keeps_the_text_typed_epoch_and_zone() -> None:
    read = read_time("  fri 7pm ", now=NOW, tz=BERLIN)
    assert read == ReadTime(text="fri 7pm", epoch=int(utc(2026, 3, 27, 18, 0).timestamp()), tz=BERLIN)


def test_local_is_the_aware_wall_time_in_the_server_zone() -> None:
    local = read_time("fri 7pm", now=NOW, tz=BERLIN).local
    assert (local.tzinfo, local.hour) == (ZoneInfo(BERLIN), 19)


def test_describe_shows_the_reading_in_the_server_zone() -> None:
    read = read_time("2026-12-05 19:00", now=NOW, tz=BERLIN)
    assert read.describe() == "Sat 5 Dec 2026, 19:00 (Europe/Berlin)"


# -- lists ----------------------------------------------------------------------------------------


def test_list_keeps_the_order_typed_and_skips_empty_items() -> None:
    reads = read_times("sat 2pm; ; fri 7pm;", now=NOW, tz=BERLIN)
    assert [read.text for read in reads] == ["sat 2pm", "fri 7pm"]


def test_list_with_the_same_time_twice_is_refused_with_the_list_without_it() -> None:
    with pytest.raises(UserError) as caught:
        read_times("fri 7pm; sat 2pm; 2026-03-27 19:00", now=NOW, tz=BERLIN)
    assert "Times 1 and 3" in caught.value.message
    assert caught.value.example == "fri 7pm; sat 2pm"


def test_list_longer_than_the_maximum_is_refused() -> None:
    with pytest.raises(UserError, match="at most 10"):
        read_times("; ".join(f"2026-12-{day:02d} 19:00" for day in range(1, 12)), now=NOW, tz=BERLIN)


def test_empty_list_is_refused() -> None:
    with pytest.raises(UserError, match="at least one"):
        read_times(" ; ", now=NOW, tz=BERLIN)


def test_list_refusal_names_the_bad_item() -> None:
    with pytest.raises(UserError, match="Time 2"):
        read_times("fri 7pm; banana", now=NOW, tz=BERLIN)


# -- poll closing ---------------------------------------------------------------------------------

FAR = int(utc(2026, 4, 30, 18, 0).timestamp())


def closes_utc(text: str | None, latest: int | None = FAR, now: datetime = NOW) -> datetime:
    return read_closes(text, now=now, tz=BERLIN, latest=latest).utc


def test_closes_defaults_to_48_hours() -> None:
    assert closes_utc(None) == NOW + DEFAULT_CLOSE


def test_closes_default_is_pulled_in_before_the_earliest_time() -> None:
    earliest = utc(2026, 3, 27, 18, 0)
    assert closes_utc("", latest=int(earliest.timestamp())) == earliest - POLL_LEAD


@pytest.mark.parametrize(("text", "hours"), [("24h", 24), ("in 2 days", 48), ("1 day 12 hours", 36)])
def test_closes_duration_is_elapsed_time(text: str, hours: int) -> None:
    assert closes_utc(text) == NOW + timedelta(hours=hours)


def test_closes_duration_counts_elapsed_hours_across_spring_forward() -> None:
    assert closes_utc("in 3 days") == utc(2026, 3, 29, 12, 0)  # 14:00 CEST, not 13:00


def test_closes_accepts_a_time() -> None:
    assert closes_utc("fri 7pm") == utc(2026, 3, 27, 18, 0)


def test_closes_after_the_earliest_time_is_refused_with_a_duration_that_fits() -> None:
    earliest = int(utc(2026, 3, 27, 18, 0).timestamp())
    with pytest.raises(UserError) as caught:
        read_closes("in 3 days", now=NOW, tz=BERLIN, latest=earliest)
    assert caught.value.example == "1d 5h"
    assert closes_utc(caught.value.example, latest=earliest) == utc(2026, 3, 27, 17, 0)


def test_closes_is_refused_when_the_earliest_time_is_within_the_hour() -> None:
    with pytest.raises(UserError, match="no time left to vote"):
        read_closes(None, now=NOW, tz=BERLIN, latest=int((NOW + timedelta(minutes=30)).timestamp()))


def test_closes_of_zero_is_refused() -> None:
    with pytest.raises(UserError):
        read_closes("0h", now=NOW, tz=BERLIN, latest=FAR)


# -- properties -----------------------------------------------------------------------------------

ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/St_Johns",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "UTC",
]


def _plain(wall: datetime, zone: ZoneInfo) -> bool:
    """The wall time happens exactly once in the zone."""
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    exists = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall
    return exists and first.utcoffset() == second.utcoffset()


@settings(max_examples=150, deadline=None)
@given(
    tz=st.sampled_from(ZONES),
    day=st.dates(min_value=date(2026, 3, 28), max_value=date(2028, 12, 31)),
    clock=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
)
def test_any_future_iso_wall_time_reads_back_as_itself_or_is_refused(tz: str, day: date, clock: time) -> None:
    zone = ZoneInfo(tz)
    wall = datetime.combine(day, clock)  # naive on purpose: the wall time the member sees
    text = f"{wall:%Y-%m-%d %H:%M}"
    if _plain(wall, zone):
        assert read_time(text, now=NOW, tz=tz).local.replace(tzinfo=None) == wall
    else:
        with pytest.raises(UserError):
            read_time(text, now=NOW, tz=tz)


@settings(max_examples=60, deadline=None)
@given(tz=st.sampled_from(ZONES), hours=st.integers(min_value=1, max_value=24 * 400))
def test_in_n_hours_is_exactly_n_hours_of_elapsed_time(tz: str, hours: int) -> None:
    assert read_time(f"in {hours} hours", now=NOW, tz=tz).utc == NOW + timedelta(hours=hours)


DAY_PARTS = [
    "", "fri", "next fri", "this sat", "sun", "tomorrow", "today", "tonight", "the 14th", "31st",
    "dec 5", "5 dec", "3/4", "21/08", "08/21", "12/25/2026", "2026-12-05", "in 3 days", "yesterday",
    "last fri", "next week", "this weekend", "banana", "31/4", "13/13", "feb 29", "fri next week",
    "friday the 13th", "jan 1", "mar 29", "nov 1",
]  # fmt: skip
CLOCK_PARTS = [
    "", "7pm", "19:00", "19h", "9", "at 9", "at 7", "noon", "midnight", "2:30am", "1:30am", "7-9pm",
    "19.30", "13pm", "25:00", "7pm 8pm", "morning at 10", "evening at 8",
]  # fmt: skip
CONTEXT_NOWS = [ctx.utc_now for ctx in corpus_contexts()]


@settings(max_examples=300, deadline=None)
@given(
    day=st.sampled_from(DAY_PARTS),
    clock=st.sampled_from(CLOCK_PARTS),
    clock_first=st.booleans(),
    tz=st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Lord_Howe"]),
    now=st.sampled_from(CONTEXT_NOWS),
    order=st.sampled_from(list(DateOrder)),
)
def test_any_phrase_is_read_ahead_or_refused_with_an_example_that_reads(
    day: str, clock: str, clock_first: bool, tz: str, now: datetime, order: DateOrder
) -> None:
    text = f"{clock} {day}" if clock_first else f"{day} {clock}"
    try:
        read = read_time(text, now=now, tz=tz, order=order)
    except UserError as error:
        assert error.example
        for example in re.split(r"\s+or\s+", error.example):
            assert read_time(example, now=now, tz=tz, order=order).utc > now, (text, example)
    else:
        assert now < read.utc <= now + timedelta(days=366)
