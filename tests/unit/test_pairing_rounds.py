"""When pairing rounds run: the first Monday slot, the next slot without drift or bursts."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.domain.guild_settings import Cadence
from bot.domain.pairing_rounds import DAY, first_slot, halfway, next_slot, round_days

BERLIN = "Europe/Berlin"


def epoch(text: str, tz: str = "UTC") -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz)).timestamp())


def local(value: int, tz: str) -> str:
    return datetime.fromtimestamp(value, ZoneInfo(tz)).strftime("%a %Y-%m-%d %H:%M")


def test_the_first_round_is_the_next_monday_at_ten_in_the_server_zone() -> None:
    thursday = epoch("2026-01-01 00:00")

    assert local(first_slot(thursday, BERLIN), BERLIN) == "Mon 2026-01-05 10:00"
    assert local(first_slot(thursday, "America/New_York"), "America/New_York") == "Mon 2026-01-05 10:00"


def test_on_monday_morning_the_slot_is_today_and_after_ten_next_week() -> None:
    assert local(first_slot(epoch("2026-01-05 09:00", BERLIN), BERLIN), BERLIN) == "Mon 2026-01-05 10:00"
    assert local(first_slot(epoch("2026-01-05 10:00", BERLIN), BERLIN), BERLIN) == "Mon 2026-01-05 10:00"
    assert local(first_slot(epoch("2026-01-05 10:01", BERLIN), BERLIN), BERLIN) == "Mon 2026-01-12 10:00"


def test_the_next_slot_keeps_the_local_time_across_a_daylight_saving_change() -> None:
    before_dst = epoch("2026-03-23 10:00", BERLIN)  # clocks go forward on 2026-03-29

    after = next_slot(before_dst, 7, BERLIN, now=before_dst)

    assert local(after, BERLIN) == "Mon 2026-03-30 10:00"
    assert after - before_dst == 7 * DAY - 3600


def test_after_downtime_the_next_slot_is_the_first_in_the_future_not_a_burst() -> None:
    due = epoch("2026-01-05 10:00")
    now = due + 3 * 7 * DAY + 5

    assert next_slot(due, 7, "UTC", now) == due + 4 * 7 * DAY
    assert next_slot(due, 14, "UTC", now) == due + 2 * 14 * DAY
    assert next_slot(due, 7, "UTC", due) == due + 7 * DAY


def test_round_length_is_the_cadence_period_and_a_week_when_rounds_are_off() -> None:
    assert [round_days(c) for c in Cadence] == [7, 7, 14, 28]
    assert halfway(100, 201) == 150


def test_the_slot_is_an_instant_in_utc() -> None:
    slot = first_slot(epoch("2026-06-01 12:00"), "UTC")
    assert datetime.fromtimestamp(slot, UTC).isoformat() == "2026-06-08T10:00:00+00:00"
