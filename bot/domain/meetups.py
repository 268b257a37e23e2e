"""Meetups as data: the limits on what members type, RSVPs and the waitlist, map links.

Pure: no discord, no database, no clock. Times are UTC epoch seconds with the IANA zone and the
text the member typed (see :mod:`bot.domain.when`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote_plus

from bot.domain.errors import UserError
from bot.domain.when import ReadTime

TITLE_MAX = 100
DESCRIPTION_MAX = 1000
CANCEL_REASON_MAX = 300
PLACE_MAX = 100  # Discord's limit on a scheduled event's location
MAX_PLACES = 10
CAPACITY_MIN = 1
CAPACITY_MAX = 1000
DEFAULT_LENGTH = 2 * 3600
TO_BE_ANNOUNCED = "To be announced"

CREATE_EXAMPLE = "/meetup create title:Board games night when:fri 7pm where:Café Central capacity:12"
PLAN_EXAMPLE = "/meetup plan title:Board games night times:fri 7pm; sat 2pm places:Café Central; Library"


class MeetupState(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class RsvpStatus(StrEnum):
    GOING = "going"
    MAYBE = "maybe"
    NO = "no"
    WAITLIST = "waitlist"


@dataclass(frozen=True, slots=True)
class Meetup:
    id: int
    guild_id: int
    number: int
    title: str
    starts_at: int
    ends_at: int
    tz: str
    when_text: str
    place: str
    organiser_id: int  # 0 once the organiser asked to be forgotten
    created_at: int
    updated_at: int
    description: str | None = None
    capacity: int | None = None
    min_attendees: int | None = None
    state: MeetupState = MeetupState.SCHEDULED
    cancel_reason: str | None = None
    poll_id: int | None = None
    channel_id: int | None = None
    message_id: int | None = None
    thread_id: int | None = None
    event_id: int | None = None
    revision: int = 0
    latitude: float | None = None
    longitude: float | None = None
    series_id: int | None = None  # an occurrence of a series

    @property
    def when(self) -> ReadTime:
        return ReadTime(text=self.when_text, epoch=self.starts_at, tz=self.tz)

    @property
    def cancelled(self) -> bool:
        return self.state is MeetupState.CANCELLED

    @property
    def map_url(self) -> str | None:
        return map_url(self.place)

    @property
    def jump_url(self) -> str | None:
        """The announcement's link, once it is posted."""
        if self.channel_id is None or self.message_id is None:
            return None
        return f"https://discord.com/channels/{self.guild_id}/{self.channel_id}/{self.message_id}"


@dataclass(frozen=True, slots=True)
class Rsvp:
    member_id: int
    status: RsvpStatus
    updated_at: int
    position: int | None = None  # set on the waitlist only


@dataclass(frozen=True, slots=True)
class RsvpCounts:
    going: int = 0
    maybe: int = 0
    no: int = 0
    waitlist: int = 0
    held: int = 0  # places offered to someone on the waitlist and held for them (offer mode)


@dataclass(frozen=True, slots=True)
class Turnout:
    """After a meetup: of those who said Going, how many came (pressed I was there)."""

    going: int
    came_of_going: int
    unannounced: int = 0  # came without having said Going

    @property
    def percent(self) -> int:
        return round(100 * self.came_of_going / self.going) if self.going else 0


@dataclass(frozen=True, slots=True)
class RsvpOutcome:
    """What an RSVP click did: the member's new status and who moved up from the waitlist."""

    meetup: Meetup
    status: RsvpStatus
    previous: RsvpStatus | None
    waitlist_place: int | None = None  # 1-based place in the queue when on the waitlist
    promoted: tuple[int, ...] = ()
    offered: tuple[int, ...] = ()  # members a freed place was offered to (offer mode)

    @property
    def changed(self) -> bool:
        return self.status is not self.previous or bool(self.promoted) or bool(self.offered)


@dataclass(frozen=True, slots=True)
class MeetupDraft:
    """A meetup as ``/meetup create`` asks for it, in the words typed (read and checked when stored)."""

    guild_id: int
    organiser_id: int
    title: str
    when: str
    where: str
    capacity: int | None = None
    min_attendees: int | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class MeetupChange:
    """What ``/meetup edit`` asks to change in meetup ``number`` (None: keep it), and who asks."""

    guild_id: int
    number: int
    member_id: int
    is_admin: bool
    when: str | None = None
    where: str | None = None
    capacity: int | None = None

    @property
    def empty(self) -> bool:
        return self.when is None and self.where is None and self.capacity is None


class Change(StrEnum):
    """What an edit changed (stored in a change notice's payload by value)."""

    TIME = "time"
    PLACE = "place"
    CAPACITY = "capacity"


def tells_attendees(changes: Sequence[Change]) -> bool:
    """Going and Maybe are told of a new time or place; a new capacity alone tells nobody."""
    return any(change is not Change.CAPACITY for change in changes)


@dataclass(frozen=True, slots=True)
class MeetupEdit:
    """A meetup before and after an edit, and who moved up from the waitlist because of it."""

    before: Meetup
    after: Meetup
    promoted: tuple[int, ...] = ()

    @property
    def changes(self) -> list[Change]:
        changed = []
        if (self.before.starts_at, self.before.when_text) != (self.after.starts_at, self.after.when_text):
            changed.append(Change.TIME)
        if self.before.place != self.after.place:
            changed.append(Change.PLACE)
        if self.before.capacity != self.after.capacity:
            changed.append(Change.CAPACITY)
        return changed

    @property
    def tells_attendees(self) -> bool:
        return tells_attendees(self.changes)


class OrganiserProblem(StrEnum):
    """What went wrong with an organiser's meetup: they are told once per problem (stored by value)."""

    ANNOUNCE = "announce"  # its announcement is refused
    POST = "post"  # a reminder or notice for the people going is refused
    TOO_LATE = "too_late"  # it began before it could be announced


def may_manage(organiser_id: int, member_id: int, is_admin: bool) -> bool:
    """The organiser (while they are known) or someone with Manage Server may edit, cancel, close."""
    return is_admin or (organiser_id != 0 and organiser_id == member_id)


# -- what members type ----------------------------------------------------------------------------


def validate_title(text: str, example: str = CREATE_EXAMPLE) -> str:
    title = " ".join(text.split())
    if not title:
        raise UserError("Give the meetup a title.", example)
    if len(title) > TITLE_MAX:
        raise UserError(f"A title has at most {TITLE_MAX} characters; yours has {len(title)}.", example)
    return title


def validate_description(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    description = text.strip()
    if len(description) > DESCRIPTION_MAX:
        raise UserError(
            f"A description has at most {DESCRIPTION_MAX} characters; yours has {len(description)}.",
            "description:Bring your favourite game; snacks provided.",
        )
    return description


def validate_place(text: str, example: str = CREATE_EXAMPLE) -> str:
    place = " ".join(text.split())
    if not place:
        raise UserError("Say where the meetup is.", example)
    if len(place) > PLACE_MAX:
        raise UserError(f"A place has at most {PLACE_MAX} characters; “{place[:40]}…” is longer.", example)
    return place


def read_places(text: str | None) -> list[str]:
    """A ``;``-separated list of 0 to 10 places, in the order typed."""
    if text is None:
        return []
    items = [" ".join(item.split()) for item in text.split(";")]
    places = [item for item in items if item]
    if len(places) > MAX_PLACES:
        raise UserError(f"A poll takes at most {MAX_PLACES} places; you gave {len(places)}.", PLAN_EXAMPLE)
    seen: dict[str, int] = {}
    for number, place in enumerate(places, start=1):
        validate_place(place, PLAN_EXAMPLE)
        earlier = seen.setdefault(place.casefold(), number)
        if earlier != number:
            raise UserError(
                f"Places {earlier} and {number} are both “{place}”; list each place once.", PLAN_EXAMPLE
            )
    return places


def validate_capacity(capacity: int | None, example: str = CREATE_EXAMPLE) -> int | None:
    if capacity is None:
        return None
    if not CAPACITY_MIN <= capacity <= CAPACITY_MAX:
        raise UserError(
            f"Capacity is how many people can come: {CAPACITY_MIN} to {CAPACITY_MAX:,}, not {capacity}.",
            example,
        )
    return capacity


def validate_min_attendees(
    min_attendees: int | None, capacity: int | None, example: str = CREATE_EXAMPLE
) -> int | None:
    if min_attendees is None:
        return None
    ceiling = capacity if capacity is not None else CAPACITY_MAX
    if not 1 <= min_attendees <= ceiling:
        raise UserError(
            f"min_attendees must be between 1 and {ceiling:,}"
            + (" (the capacity)" if capacity is not None else "")
            + f", not {min_attendees}.",
            example,
        )
    return min_attendees


def map_url(place: str) -> str | None:
    """An OpenStreetMap search for the place as typed (no geocoding needed to follow it).

    At most :data:`PLACE_MAX` characters of it, as validation allows: a link is up to nine times as
    long as the text (CJK percent-encodes to nine characters), so a longer one would crowd the
    rest out of a message."""
    if not place or place == TO_BE_ANNOUNCED:
        return None
    return f"https://www.openstreetmap.org/search?query={quote_plus(place[:PLACE_MAX])}"


# -- RSVPs and the waitlist -----------------------------------------------------------------------


def decide_rsvp(
    wanted: RsvpStatus, previous: RsvpStatus | None, going: int, capacity: int | None
) -> RsvpStatus:
    """The status a click on ``wanted`` leads to.

    Going on a full meetup joins the waitlist; asking again keeps one's place in the queue;
    going members are never bumped.
    """
    if wanted is RsvpStatus.WAITLIST:
        raise ValueError("members ask for going, maybe or no; the waitlist is decided here")
    if wanted is not RsvpStatus.GOING:
        return wanted
    if previous in (RsvpStatus.GOING, RsvpStatus.WAITLIST):
        return previous
    if capacity is None or going < capacity:
        return RsvpStatus.GOING
    return RsvpStatus.WAITLIST


def promotions(waitlist: Sequence[int], going: int, capacity: int | None) -> list[int]:
    """Who moves from the (ordered) waitlist to going when places are free, first in first."""
    free = len(waitlist) if capacity is None else max(capacity - going, 0)
    return list(waitlist[:free])


def check_capacity_change(capacity: int | None, going: int, number: int) -> None:
    """Lowering capacity never bumps members who are already going."""
    if capacity is not None and capacity < going:
        raise UserError(
            f"{going} members are already going, so the capacity can't go below {going}.",
            f"/meetup edit id:{number} capacity:{going}",
        )
