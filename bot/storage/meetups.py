"""SQL for meetups and their RSVPs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import aiosqlite

from bot.domain.meetups import Meetup, MeetupState, Rsvp, RsvpCounts, RsvpStatus
from bot.domain.waitlist import Offer, OfferState
from bot.storage.database import Database
from bot.storage.member_data import MemberTable, register

# The meetup stays for everyone who RSVP'd; only the organiser's id is blanked (0 = "former member").
register(MemberTable("meetups", ("organiser_id",), strategy="anonymise"))
register(MemberTable("meetup_rsvps", ("member_id",)))
register(MemberTable("waitlist_offers", ("member_id",)))

_COLUMNS = (
    "id, guild_id, number, title, description, starts_at, ends_at, tz, when_text, place, latitude, "
    "longitude, capacity, min_attendees, organiser_id, state, cancel_reason, poll_id, channel_id, "
    "message_id, thread_id, event_id, revision, created_at, updated_at, series_id"
)
_SELECT = f"SELECT {_COLUMNS} FROM meetups"  # noqa: S608 - constant column list


_NAMES = _COLUMNS.split(", ")
_OF_MEETUP = ", ".join(f"m.{name}" for name in _NAMES)  # the same columns of ``meetups m``
_FIELD_AT = tuple(_NAMES.index(f.name) for f in fields(Meetup))  # each field's column, in field order
_STATE_AT = _NAMES.index("state")
if len(_FIELD_AT) != len(_NAMES):  # a column no field reads (a field no column has fails above)
    raise RuntimeError("every column of _COLUMNS must be a field of Meetup")


def _meetup(row: aiosqlite.Row) -> Meetup:
    """A row of ``_COLUMNS``, in that order, as a Meetup. Read by position: reading a SQLite row by
    name compares the name with each column's in turn (about 20 µs for the 26 of a meetup)."""
    values = tuple(row)
    return Meetup(*[MeetupState(values[at]) if at == _STATE_AT else values[at] for at in _FIELD_AT])


def _rsvp(row: aiosqlite.Row) -> Rsvp:
    return Rsvp(
        member_id=int(row["member_id"]),
        status=RsvpStatus(row["status"]),
        updated_at=int(row["updated_at"]),
        position=row["position"],
    )


@dataclass(frozen=True, slots=True)
class NewMeetup:
    guild_id: int
    title: str
    starts_at: int
    ends_at: int
    tz: str
    when_text: str
    place: str
    organiser_id: int
    description: str | None = None
    capacity: int | None = None
    min_attendees: int | None = None
    poll_id: int | None = None
    series_id: int | None = None


# Numbers in use: every meetup's, and those of polls that are open or became a meetup (a poll
# keeps its number when it closes into a meetup). For a new poll, every poll's number counts too
# (a poll's number stays unique among polls).
_USED = (
    "SELECT number FROM meetups WHERE guild_id = :guild UNION SELECT number FROM polls "
    "WHERE guild_id = :guild AND (:poll = 1 OR state = 'open' OR meetup_id IS NOT NULL)"
)
_NEXT = (
    f"WITH used(n) AS ({_USED}) "  # noqa: S608
    "SELECT MIN(n + 1) FROM (SELECT 0 AS n UNION ALL SELECT n FROM used) AS taken "
    "WHERE n + 1 NOT IN (SELECT n FROM used)"
)


async def next_number(db: Database, guild_id: int, *, for_poll: bool = False) -> int:
    """The smallest number members don't already know a meetup or a live poll by.

    Polls and meetups share one sequence per server, and a meetup born from a poll keeps the poll's
    number; a poll that closed without a meetup gives its number back, so meetups are numbered
    #1, #2, #3 rather than #1, #2, #5. Call inside a transaction.
    """
    return int(await db.fetchval(_NEXT, {"guild": guild_id, "poll": int(for_poll)}))


class MeetupRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- meetups -----------------------------------------------------------------------------

    async def add(self, new: NewMeetup, now: int, *, number: int | None = None) -> Meetup:
        """Insert a meetup with the next free number (or the given one, for a poll's meetup)."""
        async with self.db.transaction():
            if number is None:
                number = await next_number(self.db, new.guild_id)
            meetup_id = await self.db.insert(
                "INSERT INTO meetups (guild_id, number, title, description, starts_at, ends_at, tz, "
                "when_text, place, capacity, min_attendees, organiser_id, poll_id, series_id, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.guild_id,
                    number,
                    new.title,
                    new.description,
                    new.starts_at,
                    new.ends_at,
                    new.tz,
                    new.when_text,
                    new.place,
                    new.capacity,
                    new.min_attendees,
                    new.organiser_id,
                    new.poll_id,
                    new.series_id,
                    now,
                    now,
                ),
            )
        meetup = await self.get(meetup_id)
        assert meetup is not None
        return meetup

    async def get(self, meetup_id: int) -> Meetup | None:
        row = await self.db.fetchone(_SELECT + " WHERE id = ?", (meetup_id,))
        return None if row is None else _meetup(row)

    async def by_number(self, guild_id: int, number: int) -> Meetup | None:
        row = await self.db.fetchone(_SELECT + " WHERE guild_id = ? AND number = ?", (guild_id, number))
        return None if row is None else _meetup(row)

    async def upcoming(self, guild_id: int, now: int, limit: int = 25) -> list[Meetup]:
        """Scheduled meetups that have not ended, soonest first."""
        rows = await self.db.fetchall(
            _SELECT
            + " WHERE guild_id = ? AND state = 'scheduled' AND ends_at > ? ORDER BY starts_at, number "
            "LIMIT ?",
            (guild_id, now, limit),
        )
        return [_meetup(row) for row in rows]

    async def of_series(self, series_id: int, after: int) -> list[Meetup]:
        """The series' meetups starting after ``after`` (cancelled ones too), soonest first."""
        rows = await self.db.fetchall(
            _SELECT + " WHERE series_id = ? AND starts_at > ? ORDER BY starts_at", (series_id, after)
        )
        return [_meetup(row) for row in rows]

    async def unannounced(self) -> list[Meetup]:
        """Meetups created (e.g. by a poll closing) whose announcement never went out."""
        rows = await self.db.fetchall(
            _SELECT + " WHERE message_id IS NULL AND state = 'scheduled' ORDER BY id"
        )
        return [_meetup(row) for row in rows]

    async def set_announcement(self, meetup_id: int, channel_id: int, message_id: int) -> None:
        await self.db.execute(
            "UPDATE meetups SET channel_id = ?, message_id = ? WHERE id = ?",
            (channel_id, message_id, meetup_id),
        )

    async def set_thread(self, meetup_id: int, thread_id: int) -> None:
        await self.db.execute("UPDATE meetups SET thread_id = ? WHERE id = ?", (thread_id, meetup_id))

    async def set_event(self, meetup_id: int, event_id: int | None) -> None:
        await self.db.execute("UPDATE meetups SET event_id = ? WHERE id = ?", (event_id, meetup_id))

    async def update(
        self,
        meetup_id: int,
        *,
        starts_at: int,
        ends_at: int,
        tz: str,
        when_text: str,
        place: str,
        capacity: int | None,
        now: int,
    ) -> None:
        await self.db.execute(
            "UPDATE meetups SET starts_at = ?, ends_at = ?, tz = ?, when_text = ?, place = ?, capacity = ?, "
            "revision = revision + 1, updated_at = ? WHERE id = ?",
            (starts_at, ends_at, tz, when_text, place, capacity, now, meetup_id),
        )

    async def set_location(self, meetup_id: int, latitude: float | None, longitude: float | None) -> None:
        await self.db.execute(
            "UPDATE meetups SET latitude = ?, longitude = ? WHERE id = ?", (latitude, longitude, meetup_id)
        )

    async def cancel(self, meetup_id: int, reason: str | None, now: int) -> bool:
        changed = await self.db.execute(
            "UPDATE meetups SET state = 'cancelled', cancel_reason = ?, revision = revision + 1, "
            "updated_at = ? WHERE id = ? AND state = 'scheduled'",
            (reason, now, meetup_id),
        )
        return changed == 1

    async def delete(self, meetup_id: int) -> None:
        """Undo a meetup whose announcement could not be posted (nothing else refers to it yet)."""
        async with self.db.transaction():
            await self.db.execute("UPDATE polls SET meetup_id = NULL WHERE meetup_id = ?", (meetup_id,))
            await self.db.execute("DELETE FROM meetups WHERE id = ?", (meetup_id,))

    # -- RSVPs -------------------------------------------------------------------------------

    async def rsvp(self, meetup_id: int, member_id: int) -> Rsvp | None:
        row = await self.db.fetchone(
            "SELECT member_id, status, position, updated_at FROM meetup_rsvps "
            "WHERE meetup_id = ? AND member_id = ?",
            (meetup_id, member_id),
        )
        return None if row is None else _rsvp(row)

    async def rsvps(self, meetup_id: int) -> list[Rsvp]:
        """Every answer: going first by when they answered, the waitlist in queue order."""
        rows = await self.db.fetchall(
            "SELECT member_id, status, position, updated_at FROM meetup_rsvps WHERE meetup_id = ? "
            "ORDER BY CASE status WHEN 'going' THEN 0 WHEN 'waitlist' THEN 1 WHEN 'maybe' THEN 2 ELSE 3 END, "
            "position, updated_at, rowid",
            (meetup_id,),
        )
        return [_rsvp(row) for row in rows]

    async def counts(self, meetup_id: int) -> RsvpCounts:
        """How many gave each answer, and the places held for offers (one query)."""
        rows = await self.db.fetchall(
            "SELECT status, COUNT(*) AS n FROM meetup_rsvps WHERE meetup_id = ? GROUP BY status "
            "UNION ALL SELECT 'held', COUNT(*) FROM waitlist_offers WHERE meetup_id = ? AND state = 'open'",
            (meetup_id, meetup_id),
        )
        return RsvpCounts(**{row["status"]: int(row["n"]) for row in rows})

    async def roster(self, meetup_id: int, *statuses: RsvpStatus) -> dict[RsvpStatus, list[int]]:
        """Member ids per answer, each in :meth:`members_with`'s order (one query for all)."""
        marks = ", ".join("?" for _ in statuses)
        rows = await self.db.fetchall(
            f"SELECT member_id, status FROM meetup_rsvps WHERE meetup_id = ? AND status IN ({marks}) "  # noqa: S608
            "ORDER BY position, updated_at, rowid",
            (meetup_id, *(status.value for status in statuses)),
        )
        found: dict[RsvpStatus, list[int]] = {status: [] for status in statuses}
        for row in rows:
            found[RsvpStatus(row["status"])].append(int(row["member_id"]))
        return found

    async def answer_and_counts(self, meetup_id: int, member_id: int) -> tuple[Rsvp | None, RsvpCounts]:
        """:meth:`rsvp` and :meth:`counts` in one query (what an RSVP decides on)."""
        rows = await self.db.fetchall(_ANSWER_AND_COUNTS, (meetup_id, member_id, meetup_id, meetup_id))
        return _answer_and_counts(rows, member_id)

    async def with_answer_and_counts(
        self, meetup_id: int, member_id: int
    ) -> tuple[Meetup | None, Rsvp | None, RsvpCounts]:
        """:meth:`get` and :meth:`answer_and_counts` in one round trip (what an RSVP starts from)."""
        found, rows = await self.db.fetchall_many(
            [
                (_SELECT + " WHERE id = ?", (meetup_id,)),
                (_ANSWER_AND_COUNTS, (meetup_id, member_id, meetup_id, meetup_id)),
            ]
        )
        return (_meetup(found[0]) if found else None, *_answer_and_counts(rows, member_id))

    async def counts_and_roster(
        self, meetup_id: int, *statuses: RsvpStatus
    ) -> tuple[RsvpCounts, dict[RsvpStatus, list[int]]]:
        """:meth:`counts` and :meth:`roster` in one query (what a meetup's card shows): every answer
        in the roster's order, each row with the number of places held."""
        rows = await self.db.fetchall(_ANSWERS, (meetup_id, meetup_id))
        return _counts_and_roster(rows, statuses)

    async def with_counts_and_roster(
        self, meetup_id: int, *statuses: RsvpStatus
    ) -> tuple[Meetup, RsvpCounts, dict[RsvpStatus, list[int]]] | None:
        """:meth:`get` and :meth:`counts_and_roster` in one round trip (what re-rendering a card
        needs); None if there is no such meetup."""
        found, rows = await self.db.fetchall_many(
            [(_SELECT + " WHERE id = ?", (meetup_id,)), (_ANSWERS, (meetup_id, meetup_id))]
        )
        if not found:
            return None
        return (_meetup(found[0]), *_counts_and_roster(rows, statuses))

    async def members_with(self, meetup_id: int, *statuses: RsvpStatus) -> list[int]:
        marks = ", ".join("?" for _ in statuses)
        rows = await self.db.fetchall(
            f"SELECT member_id FROM meetup_rsvps WHERE meetup_id = ? AND status IN ({marks}) "  # noqa: S608
            "ORDER BY position, updated_at, rowid",
            (meetup_id, *(status.value for status in statuses)),
        )
        return [int(row["member_id"]) for row in rows]

    async def set_rsvp(
        self, guild_id: int, meetup_id: int, member_id: int, status: RsvpStatus, now: int
    ) -> int | None:
        """Store a member's answer; joining the waitlist takes the next place in the queue.

        Returns the waitlist position (None for other statuses). Call inside a transaction.
        """
        position = None
        if status is RsvpStatus.WAITLIST:
            position = int(
                await self.db.fetchval(
                    "SELECT COALESCE(MAX(position), 0) + 1 FROM meetup_rsvps WHERE meetup_id = ?",
                    (meetup_id,),
                )
            )
        await self.db.execute(
            "INSERT INTO meetup_rsvps (guild_id, meetup_id, member_id, status, position, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (meetup_id, member_id) DO UPDATE SET "
            "status = excluded.status, position = excluded.position, updated_at = excluded.updated_at",
            (guild_id, meetup_id, member_id, status.value, position, now),
        )
        return position

    async def held_by(self, guild_id: int, member_id: int, now: int) -> list[int]:
        """Meetups not over nor cancelled where the member is Going, Maybe or on the waitlist."""
        rows = await self.db.fetchall(
            "SELECT r.meetup_id FROM meetup_rsvps r JOIN meetups m ON m.id = r.meetup_id "
            "WHERE r.guild_id = ? AND r.member_id = ? AND r.status IN ('going', 'maybe', 'waitlist') "
            "AND m.state = 'scheduled' AND m.ends_at > ? ORDER BY m.starts_at, m.id",
            (guild_id, member_id, now),
        )
        return [int(row["meetup_id"]) for row in rows]

    async def answered_going_or_maybe(self, guild_id: int, member_id: int, now: int) -> list[Meetup]:
        """Meetups not over nor cancelled that the member said Going or Maybe to, soonest first."""
        rows = await self.db.fetchall(
            f"SELECT {_OF_MEETUP} FROM meetups m JOIN meetup_rsvps r ON r.meetup_id = m.id "  # noqa: S608
            "WHERE r.guild_id = ? AND r.member_id = ? AND r.status IN ('going', 'maybe') "
            "AND m.state = 'scheduled' AND m.ends_at > ? ORDER BY m.starts_at, m.id",
            (guild_id, member_id, now),
        )
        return [_meetup(row) for row in rows]

    async def waitlist_place(self, meetup_id: int, position: int) -> int:
        """1-based place in the queue of the member holding ``position``."""
        return int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM meetup_rsvps WHERE meetup_id = ? AND status = 'waitlist' "
                "AND position <= ?",
                (meetup_id, position),
            )
        )

    # -- places offered from the waitlist ---------------------------------------------------

    async def add_offer(
        self, guild_id: int, meetup_id: int, member_id: int, now: int, expires_at: int
    ) -> Offer:
        offer_id = await self.db.insert(
            "INSERT INTO waitlist_offers (guild_id, meetup_id, member_id, offered_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (guild_id, meetup_id, member_id, now, expires_at),
        )
        return Offer(offer_id, guild_id, meetup_id, member_id, OfferState.OPEN, now, expires_at)

    async def offer(self, offer_id: int) -> Offer | None:
        row = await self.db.fetchone(
            "SELECT id, guild_id, meetup_id, member_id, state, offered_at, expires_at FROM waitlist_offers "
            "WHERE id = ?",
            (offer_id,),
        )
        return None if row is None else _offer(row)

    async def open_offers(self, meetup_id: int) -> list[Offer]:
        rows = await self.db.fetchall(
            "SELECT id, guild_id, meetup_id, member_id, state, offered_at, expires_at FROM waitlist_offers "
            "WHERE meetup_id = ? AND state = 'open' ORDER BY id",
            (meetup_id,),
        )
        return [_offer(row) for row in rows]

    async def lapsed_offer_members(self, meetup_id: int) -> set[int]:
        """Members who let an offered place of this meetup expire (they are not offered one again)."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT member_id FROM waitlist_offers WHERE meetup_id = ? AND state = 'expired'",
            (meetup_id,),
        )
        return {int(row["member_id"]) for row in rows}

    async def close_offer(self, offer_id: int, state: OfferState, now: int) -> bool:
        """An open offer answered, expired or withdrawn; False if it was no longer open."""
        changed = await self.db.execute(
            "UPDATE waitlist_offers SET state = ?, answered_at = ? WHERE id = ? AND state = 'open'",
            (state.value, now, offer_id),
        )
        return changed == 1


def _offer(row: aiosqlite.Row) -> Offer:
    return Offer(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        meetup_id=int(row["meetup_id"]),
        member_id=int(row["member_id"]),
        state=OfferState(row["state"]),
        offered_at=int(row["offered_at"]),
        expires_at=int(row["expires_at"]),
    )


_ANSWER_AND_COUNTS = (
    # The member's own row first: its typed columns give the NULLs below their type.
    "SELECT 1 AS mine, status, 1 AS n, position, updated_at FROM meetup_rsvps "
    "WHERE meetup_id = ? AND member_id = ? "
    "UNION ALL SELECT 0, status, COUNT(*), NULL, NULL FROM meetup_rsvps WHERE meetup_id = ? "
    "GROUP BY status "
    "UNION ALL SELECT 0, 'held', COUNT(*), NULL, NULL FROM waitlist_offers "
    "WHERE meetup_id = ? AND state = 'open'"
)
"""A member's answer to a meetup (a row marked ``mine``) and the count of each answer and of the
places held (params: meetup, member, meetup, meetup)."""


def _answer_and_counts(rows: Sequence[Any], member_id: int) -> tuple[Rsvp | None, RsvpCounts]:
    answer = None
    tally: dict[str, int] = {}
    for mine, status, n, position, updated_at in rows:
        if mine:
            answer = Rsvp(member_id, RsvpStatus(status), int(updated_at), position)
        else:
            tally[status] = int(n)
    return answer, RsvpCounts(**tally)


_ANSWERS = (
    "SELECT r.member_id, r.status, h.held FROM "
    "(SELECT COUNT(*) AS held FROM waitlist_offers WHERE meetup_id = ? AND state = 'open') h "
    "LEFT JOIN meetup_rsvps r ON r.meetup_id = ? ORDER BY r.position, r.updated_at, r.rowid"
)
"""Every answer to a meetup in the roster's order, each row with the places held (one row of NULL
answers when there is none yet)."""


def _counts_and_roster(
    rows: Sequence[Any], statuses: Sequence[RsvpStatus]
) -> tuple[RsvpCounts, dict[RsvpStatus, list[int]]]:
    tally: dict[str, int] = {}
    found: dict[RsvpStatus, list[int]] = {status: [] for status in statuses}
    for member_id, status, _held in rows:
        if status is None:
            continue  # no answers yet: the one row carries the places held
        tally[status] = tally.get(status, 0) + 1
        listed = found.get(status)  # a StrEnum member hashes and compares as its value
        if listed is not None:
            listed.append(int(member_id))
    held = int(rows[0][2]) if rows else 0
    return RsvpCounts(**tally, held=held), found
