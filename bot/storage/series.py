"""SQL for series of meetups and the occurrences each has dealt with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.domain.series import (
    Occurrence,
    OccurrenceState,
    RepeatRule,
    Series,
    SeriesState,
    local_text,
    parse_local,
    read_repeat,
)
from bot.storage.database import Database
from bot.storage.member_data import MemberTable, register

# The series stays for everyone who comes; only the organiser's id is blanked (0 = "former member").
register(MemberTable("meetup_series", ("organiser_id",), strategy="anonymise"))

_COLUMNS = (
    "id, guild_id, number, title, description, tz, when_text, anchor, rule, until_date, place, capacity, "
    "min_attendees, organiser_id, state, revision, created_at, updated_at"
)
_SELECT = f"SELECT {_COLUMNS} FROM meetup_series"  # noqa: S608 - constant column list


def _series(row: aiosqlite.Row) -> Series:
    return Series(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        number=int(row["number"]),
        title=row["title"],
        tz=row["tz"],
        when_text=row["when_text"],
        anchor=parse_local(row["anchor"]),
        rule=read_repeat(row["rule"]),
        place=row["place"],
        organiser_id=int(row["organiser_id"]),
        created_at=int(row["created_at"]),
        updated_at=int(row["updated_at"]),
        description=row["description"],
        capacity=row["capacity"],
        min_attendees=row["min_attendees"],
        until=date.fromisoformat(row["until_date"]) if row["until_date"] else None,
        state=SeriesState(row["state"]),
        revision=int(row["revision"]),
    )


def _occurrence(row: aiosqlite.Row) -> Occurrence:
    day = date.fromisoformat(row["day"])
    return Occurrence(
        series_id=int(row["series_id"]),
        day=day,
        wall=parse_local(f"{row['day']}T{row['local_time']}"),
        state=OccurrenceState(row["state"]),
        meetup_id=row["meetup_id"],
    )


@dataclass(frozen=True, slots=True)
class NewSeries:
    guild_id: int
    title: str
    tz: str
    when_text: str
    anchor: datetime
    rule: RepeatRule
    place: str
    organiser_id: int
    description: str | None = None
    capacity: int | None = None
    min_attendees: int | None = None
    until: date | None = None


class SeriesRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, new: NewSeries, now: int) -> Series:
        """Insert a series with the server's next series number (S1, S2, …). Joins a transaction."""
        async with self.db.transaction():
            number = int(
                await self.db.fetchval(
                    "SELECT COALESCE(MAX(number), 0) + 1 FROM meetup_series WHERE guild_id = ?",
                    (new.guild_id,),
                )
            )
            series_id = await self.db.insert(
                "INSERT INTO meetup_series (guild_id, number, title, description, tz, when_text, anchor, "
                "rule, until_date, place, capacity, min_attendees, organiser_id, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.guild_id,
                    number,
                    new.title,
                    new.description,
                    new.tz,
                    new.when_text,
                    local_text(new.anchor),
                    new.rule.text,
                    new.until.isoformat() if new.until else None,
                    new.place,
                    new.capacity,
                    new.min_attendees,
                    new.organiser_id,
                    now,
                    now,
                ),
            )
        series = await self.get(series_id)
        assert series is not None
        return series

    async def get(self, series_id: int) -> Series | None:
        row = await self.db.fetchone(_SELECT + " WHERE id = ?", (series_id,))
        return None if row is None else _series(row)

    async def by_number(self, guild_id: int, number: int) -> Series | None:
        row = await self.db.fetchone(_SELECT + " WHERE guild_id = ? AND number = ?", (guild_id, number))
        return None if row is None else _series(row)

    async def active(self, guild_id: int | None = None) -> list[Series]:
        """Series still running, in this server (or every server), by number."""
        if guild_id is None:
            rows = await self.db.fetchall(_SELECT + " WHERE state = 'active' ORDER BY guild_id, number")
        else:
            rows = await self.db.fetchall(
                _SELECT + " WHERE guild_id = ? AND state = 'active' ORDER BY number", (guild_id,)
            )
        return [_series(row) for row in rows]

    async def without_task(self, kind: str) -> list[Series]:
        """Active series with no pending task of ``kind`` (one query, however many series)."""
        rows = await self.db.fetchall(
            _SELECT  # noqa: S608 - constant column list
            + " WHERE state = 'active' AND NOT EXISTS (SELECT 1 FROM scheduled_tasks t "
            "WHERE t.guild_id = meetup_series.guild_id AND t.kind = ? AND t.subject_id = meetup_series.id "
            "AND t.state IN ('pending', 'running')) ORDER BY id",
            (kind,),
        )
        return [_series(row) for row in rows]

    async def delete(self, series_id: int) -> None:
        """Undo a series whose first occurrence could not be announced (nothing else refers to it)."""
        async with self.db.transaction():
            await self.db.execute("DELETE FROM series_occurrences WHERE series_id = ?", (series_id,))
            await self.db.execute("DELETE FROM meetup_series WHERE id = ?", (series_id,))

    async def update(
        self,
        series_id: int,
        *,
        when_text: str,
        anchor: datetime,
        place: str,
        capacity: int | None,
        now: int,
    ) -> None:
        await self.db.execute(
            "UPDATE meetup_series SET when_text = ?, anchor = ?, place = ?, capacity = ?, "
            "revision = revision + 1, updated_at = ? WHERE id = ?",
            (when_text, local_text(anchor), place, capacity, now, series_id),
        )

    async def end(self, series_id: int, now: int) -> bool:
        changed = await self.db.execute(
            "UPDATE meetup_series SET state = 'ended', revision = revision + 1, updated_at = ? "
            "WHERE id = ? AND state = 'active'",
            (now, series_id),
        )
        return changed == 1

    # -- occurrences ------------------------------------------------------------------------

    async def occurrences(self, series_id: int) -> list[Occurrence]:
        """Every occurrence the series has dealt with, by date."""
        rows = await self.db.fetchall(
            "SELECT series_id, day, local_time, state, meetup_id FROM series_occurrences "
            "WHERE series_id = ? ORDER BY day",
            (series_id,),
        )
        return [_occurrence(row) for row in rows]

    async def record(
        self,
        guild_id: int,
        series_id: int,
        wall: datetime,
        state: OccurrenceState,
        now: int,
        meetup_id: int | None = None,
    ) -> bool:
        """Record what became of the occurrence on ``wall``'s date; False if it was dealt with already
        (the key that makes each occurrence posted at most once)."""
        changed = await self.db.execute(
            "INSERT INTO series_occurrences (guild_id, series_id, day, local_time, state, meetup_id, "
            "decided_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (series_id, day) DO NOTHING",
            (guild_id, series_id, wall.date().isoformat(), f"{wall:%H:%M}", state.value, meetup_id, now),
        )
        return changed == 1

    async def mark_skipped(self, series_id: int, day: date) -> None:
        """A posted occurrence that was skipped (its meetup is cancelled)."""
        await self.db.execute(
            "UPDATE series_occurrences SET state = 'skipped' WHERE series_id = ? AND day = ?",
            (series_id, day.isoformat()),
        )

    async def streak_rows(self, guild_id: int, member_id: int, now: int) -> list[tuple[int, bool]]:
        """(series id, attended) for every past occurrence posted as a meetup of a series the member
        came to at least once, latest first within each series."""
        rows = await self.db.fetchall(
            "SELECT m.series_id AS series_id, EXISTS (SELECT 1 FROM meetup_attendance a "
            "  WHERE a.meetup_id = m.id AND a.member_id = :member) AS came "
            "FROM meetups m WHERE m.guild_id = :guild AND m.series_id IS NOT NULL AND m.state = 'scheduled' "
            "AND m.starts_at <= :now AND m.series_id IN (SELECT m2.series_id FROM meetups m2 "
            "  JOIN meetup_attendance a2 ON a2.meetup_id = m2.id "
            "  WHERE a2.guild_id = :guild AND a2.member_id = :member AND m2.series_id IS NOT NULL) "
            "ORDER BY m.series_id, m.starts_at DESC",
            {"guild": guild_id, "member": member_id, "now": now},
        )
        return [(int(row["series_id"]), bool(row["came"])) for row in rows]

    async def attended_by(self, guild_id: int, member_id: int) -> list[int]:
        """Active series with a meetup the member said Going or Maybe to, or came to."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT s.id, s.number FROM meetup_series s JOIN meetups m ON m.series_id = s.id "
            "WHERE s.guild_id = :guild AND s.state = 'active' AND ("
            "  EXISTS (SELECT 1 FROM meetup_rsvps r WHERE r.meetup_id = m.id AND r.member_id = :member "
            "          AND r.status IN ('going', 'maybe')) "
            "  OR EXISTS (SELECT 1 FROM meetup_attendance a "
            "             WHERE a.meetup_id = m.id AND a.member_id = :member)"
            ") ORDER BY s.number",
            {"guild": guild_id, "member": member_id},
        )
        return [int(row["id"]) for row in rows]
