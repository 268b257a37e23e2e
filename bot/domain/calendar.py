"""A meetup as an iCalendar file that any calendar app imports."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event

from bot.domain.meetups import Meetup

PRODID = "-//Meetbridge//Meetups//EN"


def meetup_uid(meetup: Meetup) -> str:
    """Stable per meetup, so re-importing after an edit updates the same calendar entry."""
    return f"meetup-{meetup.guild_id}-{meetup.id}@meetbridge"


def meetup_ics(meetup: Meetup) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if meetup.cancelled else "PUBLISH")
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
    calendar.add_component(event)
    return calendar.to_ical()
