"""Reminders and follow-ups as rules: when each is due, whether a late one still helps, how a
long list of mentions is split. Pure: no discord, no database, no clock.

Every timed thing here is a row in ``scheduled_tasks`` (see :mod:`bot.scheduling.scheduler`);
these are the kinds, named once so that whoever schedules and whoever handles agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.durations import DAY, HOUR
from bot.domain.limits import clip
from bot.domain.meetups import Meetup

# -- task kinds ----------------------------------------------------------------------------------

REMINDER = "meetup.reminder"
"""At each of the server's offsets before a meetup: plan its posts and DMs (payload: offset)."""
REMINDER_POST = "meetup.reminder.post"
"""One message of a reminder in the meetup thread (payload: channel, content, reminder task)."""
HEADCOUNT = "meetup.headcount"
"""At the first reminder, when fewer than ``min_attendees`` are going: ask the organiser."""
WHOCAME = "meetup.whocame"
"""When a meetup ends: post **Who came?** with the **I was there** button."""
CHECKIN_CLOSE = "meetup.checkin_close"
"""72 h after the end: the button is disabled."""
ANNOUNCE = "meetup.announce"
"""Post the announcement of a meetup (a poll chose it): retried until it is up or has begun."""
SYNC = "meetup.sync"
"""After an edit or a cancellation: the announcement and the native event show the meetup as it is."""
NOTICE = "meetup.notice"
"""Tell Going and Maybe in the meetup thread: changed, cancelled, a place opened up."""
NUDGE = "meeting.nudge"
"""Three weeks after two members met in person: a gentle DM to each (payload: the pair)."""
DM_DRAIN = "dm.drain"
"""Send the next few queued DMs, then come back a little later while more wait."""
UNDECIDED = "meetup.undecided"
"""Before a meetup (``/config reminders undecided``): one nudge to Maybe and to poll voters who
have not answered (payload: the members nudged, once chosen)."""
OFFER_EXPIRE = "waitlist.offer_expire"
"""When a place offered from the waitlist stops being held (payload: the offer)."""
SERIES_POST = "series.post"
"""Post the next occurrence of a series as a meetup, ``/config series ahead`` before it starts."""

MEETUP_KINDS: tuple[str, ...] = (REMINDER, REMINDER_POST, HEADCOUNT, WHOCAME, CHECKIN_CLOSE, UNDECIDED)


class NoticeKind(StrEnum):
    """What a ``meetup.notice`` tells the people going (stored by value in its payload)."""

    CHANGED = "changed"  # its time or place changed (the payload lists what)
    CANCELLED = "cancelled"
    PROMOTED = "promoted"  # a place opened up, for members whose DMs are off (the payload lists whom)
    OFFERED = "offered"  # a place is held for a member whose DMs are off (the payload: whom, the offer)

    @classmethod
    def of(cls, payload: dict[str, object]) -> NoticeKind | None:
        """The kind a task's payload names; None for one this version does not know."""
        value = payload.get("notice")
        return cls(value) if value in {kind.value for kind in cls} else None


class HeadcountDecision(StrEnum):
    """The organiser's answer when fewer than ``min_attendees`` are going (stored by value)."""

    KEEP = "keep"
    CANCEL = "cancel"


@dataclass(frozen=True, slots=True)
class CheckIn:
    """What pressing **I was there** led to: the meetup and whom the member may pick."""

    meetup: Meetup
    first: bool  # False when they had already checked in
    others: tuple[int, ...]  # attendees and Going members, without the member


@dataclass(frozen=True, slots=True)
class Picks:
    """Whom a member said they talked to at a meetup, and which of those picks were mutual."""

    meetup: Meetup
    picked: tuple[int, ...]
    mutual: tuple[int, ...]  # picks that completed a pair (both were just introduced)
    introduced_by_dm: bool = True  # False: the member's DMs are off, they see /profile instead


# -- times ---------------------------------------------------------------------------------------

CHECKIN_WINDOW = 72 * HOUR
NUDGE_AFTER = 21 * DAY
MESSAGE_LIMIT = 2000

# A DM that failed for a reason worth retrying (not closed DMs) waits this long, then gives up.
DM_RETRY_DELAYS: tuple[int, ...] = (60, 300, 900)


def reminder_times(starts_at: int, offsets: Iterable[int], now: int) -> list[tuple[int, int]]:
    """``(offset, due_at)`` for each offset still ahead of ``now``; past ones are skipped."""
    return [(offset, starts_at - offset) for offset in offsets if starts_at - offset > now]


def superseded(due_at: int, sibling_dues: Iterable[int], now: int) -> bool:
    """A reminder is stale when a later reminder of the same meetup is also due already.

    After downtime both the 24 h and the 1 h reminder may be due at start: only the 1 h one is
    worth posting.
    """
    return any(due_at < other <= now for other in sibling_dues)


def dm_retry_delay(attempts: int) -> int | None:
    """Seconds before the next try of a DM that failed ``attempts`` times, or None to give up."""
    if 1 <= attempts <= len(DM_RETRY_DELAYS):
        return DM_RETRY_DELAYS[attempts - 1]
    return None


def checkin_open(starts_at: int, ends_at: int, now: int) -> bool:
    """Attendees may say they came from the start until 72 h after the end."""
    return starts_at <= now < ends_at + CHECKIN_WINDOW


def mention_parts(
    header: str, member_ids: Sequence[int], *, continued: str = "", limit: int = MESSAGE_LIMIT
) -> list[tuple[str, list[int]]]:
    """``header`` then every ``<@id>``, split into messages of at most ``limit`` characters, each
    with the members it mentions (exactly those it may ping).

    Each message after the first starts with ``continued``; a mention is never cut in two. The
    header is clipped if it alone would not leave room for a mention.
    """
    header = clip(header, limit - 30)  # room for at least one mention
    parts: list[tuple[str, list[int]]] = []
    current, mentioned = header, []
    for member_id in member_ids:
        mention = f"<@{member_id}>"
        separator = "" if current.endswith(("\n", " ")) or current == continued else " "
        if len(current) + len(separator) + len(mention) > limit:
            parts.append((current.rstrip(), mentioned))
            current, mentioned = continued, []
            separator = ""
        current += separator + mention
        mentioned.append(member_id)
    parts.append((current.rstrip(), mentioned))
    return parts


def mention_chunks(
    header: str, member_ids: Sequence[int], *, continued: str = "", limit: int = MESSAGE_LIMIT
) -> list[str]:
    """The texts of :func:`mention_parts`."""
    return [text for text, _ in mention_parts(header, member_ids, continued=continued, limit=limit)]
