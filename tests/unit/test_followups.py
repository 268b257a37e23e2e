"""Reminder and follow-up rules: due times, stale reminders, splitting mentions, DM retries."""

from __future__ import annotations

from bot.domain.followups import (
    checkin_open,
    dm_retry_delay,
    mention_chunks,
    reminder_times,
    superseded,
)

HOUR = 3600


def test_reminder_times_skip_offsets_already_past() -> None:
    assert reminder_times(100 * HOUR, (24 * HOUR, HOUR), now=0) == [(24 * HOUR, 76 * HOUR), (HOUR, 99 * HOUR)]
    assert reminder_times(100 * HOUR, (24 * HOUR, HOUR), now=80 * HOUR) == [(HOUR, 99 * HOUR)]
    assert reminder_times(100 * HOUR, (24 * HOUR, HOUR), now=99 * HOUR) == []


def test_a_reminder_is_superseded_only_by_a_later_one_that_is_also_due() -> None:
    assert superseded(10, [20], now=25)
    assert not superseded(10, [20], now=15)  # the later one is not due yet
    assert not superseded(20, [10], now=25)  # an earlier one never supersedes
    assert not superseded(10, [], now=25)


def test_mentions_are_split_under_the_limit_without_cutting_one() -> None:
    ids = [10**17 + n for n in range(300)]

    chunks = mention_chunks("Header: ", ids, continued="More: ", limit=500)

    assert all(len(chunk) <= 500 for chunk in chunks)
    assert chunks[0].startswith("Header: <@") and all(c.startswith("More: <@") for c in chunks[1:])
    found = [int(part[2:-1]) for chunk in chunks for part in chunk.split() if part.startswith("<@")]
    assert found == ids


def test_no_mentions_leave_the_header_alone() -> None:
    assert mention_chunks("Just this\n", []) == ["Just this"]


def test_dm_retries_back_off_then_give_up() -> None:
    assert [dm_retry_delay(n) for n in range(1, 5)] == [60, 300, 900, None]


def test_checkin_is_open_from_the_start_until_72_hours_after_the_end() -> None:
    assert not checkin_open(100, 200, now=99)
    assert checkin_open(100, 200, now=100)
    assert checkin_open(100, 200, now=200 + 72 * HOUR - 1)
    assert not checkin_open(100, 200, now=200 + 72 * HOUR)
