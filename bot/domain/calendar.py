"""Meetups and series as an iCalendar file that any calendar app imports.

One meetup is one ``VEVENT`` in UTC. A series is one recurring ``VEVENT``: its first time in the
server's zone (``DTSTART;TZID=…`` with the zone's ``VTIMEZONE``, so each occurrence keeps its local
time across daylight saving), an ``RRULE`` (``FREQ=WEEKLY;INTERVAL=2;BYDAY=FR``,
``FREQ=MONTHLY;BYDAY=1FR`` or ``-1TH``, ``FREQ=MONTHLY;BYMONTHDAY=15``, and for the 29th to 31st
``BYMONTHDAY=28,29,30,31;BYSETPOS=-1``, the month's last day when it is shorter), ``UNTIL`` in UTC,
skipped and cancelled dates as ``EXDATE``, and an occurrence whose meetup was moved or changed place
as an override with its ``RECURRENCE-ID``. Google Calendar, Apple Calendar and Outlook read all of
these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.meetups import DEFAULT_LENGTH, Meetup
from bot.domain.series import Frequency, Series

if TYPE_CHECKING:  # icalendar is imported on first use: most processes never write a calendar
    from icalendar import Calendar, Event, vRecur

PRODID = "-//Meetbridge//Meetups//EN"
_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def meetup_uid(meetup: Meetup) -> str:
    """Stable per meetup, so re-importing after an edit updates the same calendar entry."""
    return f"meetup-{meetup.guild_id}-{meetup.id}@meetbridge"


def series_uid(series: Series) -> str:
    return f"series-{series.guild_id}-{series.id}@meetbridge"


def _calendar(cancel: bool = False) -> Calendar:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancel else "PUBLISH")
    return calendar


def meetup_event(meetup: Meetup) -> Event:
    from icalendar import Event

    event = Event()
    event.add("uid", meetup_uid(meetup))
    event.add("dtstamp", datetime.fromtimestamp(meetup.updated_at, UTC))
    event.add("dtstart", datetime.fromtimestamp(meetup.starts_at, UTC))
    event.add("dtend", datetime.fromtimestamp(meetup.ends_at, UTC))
    event.add("sequence", meetup.revision)
    event.add("summary", meetup.title)
    event.add("location", meetup.place)
    event.add("status", "CANCELLED" if meetup.cancelled else "CONFIRMED")
    if meetup.description:
        event.add("description", meetup.description)
    if meetup.jump_url:
        event.add("url", meetup.jump_url)
    return event


def meetup_ics(meetup: Meetup) -> bytes:
    calendar = _calendar(cancel=meetup.cancelled)
    calendar.add_component(meetup_event(meetup))
    return calendar.to_ical()


def recurrence(series: Series) -> vRecur:
    """The series' rule as an RFC 5545 ``RRULE``."""
    rule = series.rule
    if rule.frequency is Frequency.WEEKLY:
        parts: dict[str, object] = {"FREQ": "WEEKLY", "BYDAY": _DAY_CODES[series.anchor.weekday()]}
        if rule.interval != 1:
            parts["INTERVAL"] = rule.interval
    elif rule.ordinal is not None:
        assert rule.weekday is not None
        parts = {"FREQ": "MONTHLY", "BYDAY": f"{rule.ordinal}{_DAY_CODES[rule.weekday]}"}
    elif series.anchor.day <= 28:
        parts = {"FREQ": "MONTHLY", "BYMONTHDAY": series.anchor.day}
    else:  # the 29th to the 31st, or the month's last day when it is shorter
        parts = {"FREQ": "MONTHLY", "BYMONTHDAY": list(range(28, series.anchor.day + 1)), "BYSETPOS": -1}
    if series.until is not None:
        last = datetime.combine(series.until, time(23, 59, 59), ZoneInfo(series.tz))
        parts["UNTIL"] = last.astimezone(UTC)
    from icalendar import vRecur

    return vRecur(parts)


@dataclass(frozen=True, slots=True)
class SeriesEntry:
    """A series in a member's calendar: the dates it will not meet, and its meetups that differ from
    the rule (moved, or at another place), each with the rule's wall time it stands for."""

    series: Series
    skipped: tuple[datetime, ...] = ()
    changed: tuple[tuple[datetime, Meetup], ...] = ()


def series_event(entry: SeriesEntry, stamp: int) -> list[Event]:
    from icalendar import Event

    series = entry.series
    zone = ZoneInfo(series.tz)
    event = Event()
    event.add("uid", series_uid(series))
    event.add("dtstamp", datetime.fromtimestamp(stamp, UTC))
    start = series.anchor.replace(tzinfo=zone)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(seconds=DEFAULT_LENGTH))
    event.add("rrule", recurrence(series))
    if entry.skipped:
        event.add("exdate", [wall.replace(tzinfo=zone) for wall in sorted(entry.skipped)])
    event.add("sequence", series.revision)
    event.add("summary", series.title)
    event.add("location", series.place)
    event.add("status", "CONFIRMED")
    if series.description:
        event.add("description", series.description)
    events = [event]
    for wall, meetup in entry.changed:
        override = meetup_event(meetup)
        override["uid"] = series_uid(series)
        override.add("recurrence-id", wall.replace(tzinfo=zone))
        events.append(override)
    return events


def member_ics(meetups: Iterable[Meetup], series: Sequence[SeriesEntry], stamp: int) -> bytes:
    """One file: each meetup, and each series as one recurring event."""
    calendar = _calendar()
    for meetup in meetups:
        calendar.add_component(meetup_event(meetup))
    for entry in series:
        for event in series_event(entry, stamp):
            calendar.add_component(event)
    if series:
        calendar.add_missing_timezones()
    return calendar.to_ical()
