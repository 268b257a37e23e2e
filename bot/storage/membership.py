"""SQL for departures: members who left a server, servers that removed the bot."""

from __future__ import annotations

import aiosqlite

from bot.domain.membership import GuildDeparture, MemberDeparture
from bot.storage.database import Database
from bot.storage.member_data import MemberTable, register

register(MemberTable("member_departures", ("member_id",)))

_MEMBER = "SELECT id, guild_id, member_id, left_at, purge_at, task_id FROM member_departures"
_GUILD = "SELECT guild_id, left_at, purge_at, task_id FROM guild_departures"


def _member(row: aiosqlite.Row) -> MemberDeparture:
    return MemberDeparture(**dict(row))


def _guild(row: aiosqlite.Row) -> GuildDeparture:
    return GuildDeparture(**dict(row))


class DepartureRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- members ------------------------------------------------------------------------------

    async def member_left(
        self, guild_id: int, member_id: int, left_at: int, purge_at: int
    ) -> MemberDeparture:
        """Record a departure; a second leave event for the same departure keeps the first."""
        await self.db.execute(
            "INSERT INTO member_departures (guild_id, member_id, left_at, purge_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (guild_id, member_id) DO NOTHING",
            (guild_id, member_id, left_at, purge_at),
        )
        departure = await self.member(guild_id, member_id)
        assert departure is not None
        return departure

    async def set_member_task(self, departure_id: int, task_id: int) -> None:
        await self.db.execute(
            "UPDATE member_departures SET task_id = ? WHERE id = ?", (task_id, departure_id)
        )

    async def member(self, guild_id: int, member_id: int) -> MemberDeparture | None:
        row = await self.db.fetchone(_MEMBER + " WHERE guild_id = ? AND member_id = ?", (guild_id, member_id))
        return None if row is None else _member(row)

    async def member_by_id(self, departure_id: int) -> MemberDeparture | None:
        row = await self.db.fetchone(_MEMBER + " WHERE id = ?", (departure_id,))
        return None if row is None else _member(row)

    async def members(self, guild_id: int) -> list[MemberDeparture]:
        rows = await self.db.fetchall(_MEMBER + " WHERE guild_id = ? ORDER BY id", (guild_id,))
        return [_member(row) for row in rows]

    async def member_returned(self, guild_id: int, member_id: int) -> MemberDeparture | None:
        """Forget the departure (they are back); returns it, or None if they had not left."""
        rows = await self.db.execute_returning(
            "DELETE FROM member_departures WHERE guild_id = ? AND member_id = ? "
            "RETURNING id, guild_id, member_id, left_at, purge_at, task_id",
            (guild_id, member_id),
        )
        return _member(rows[0]) if rows else None

    async def departed(self, guild_id: int, member_id: int) -> bool:
        return bool(
            await self.db.fetchval(
                "SELECT 1 FROM member_departures WHERE guild_id = ? AND member_id = ?", (guild_id, member_id)
            )
        )

    async def known_members(self, guild_id: int, now: int) -> list[int]:
        """Members someone could still find or wait for here: a profile, pairing rounds, or an
        answer to a meetup not over (to notice at start who left while the bot was down)."""
        rows = await self.db.fetchall(
            "SELECT member_id FROM profiles WHERE guild_id = :guild "
            "UNION SELECT member_id FROM pairing_members WHERE guild_id = :guild "
            "UNION SELECT r.member_id FROM meetup_rsvps r JOIN meetups m ON m.id = r.meetup_id "
            "WHERE r.guild_id = :guild AND r.status IN ('going', 'maybe', 'waitlist') "
            "AND m.state = 'scheduled' AND m.ends_at > :now",
            {"guild": guild_id, "now": now},
        )
        return sorted(int(row["member_id"]) for row in rows)

    # -- servers ------------------------------------------------------------------------------

    async def guild_left(self, guild_id: int, left_at: int, purge_at: int) -> GuildDeparture:
        await self.db.execute(
            "INSERT INTO guild_departures (guild_id, left_at, purge_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id) DO NOTHING",
            (guild_id, left_at, purge_at),
        )
        departure = await self.guild(guild_id)
        assert departure is not None
        return departure

    async def set_guild_task(self, guild_id: int, task_id: int) -> None:
        await self.db.execute(
            "UPDATE guild_departures SET task_id = ? WHERE guild_id = ?", (task_id, guild_id)
        )

    async def guild(self, guild_id: int) -> GuildDeparture | None:
        row = await self.db.fetchone(_GUILD + " WHERE guild_id = ?", (guild_id,))
        return None if row is None else _guild(row)

    async def guilds(self) -> list[GuildDeparture]:
        rows = await self.db.fetchall(_GUILD + " ORDER BY guild_id")
        return [_guild(row) for row in rows]

    async def guild_returned(self, guild_id: int) -> GuildDeparture | None:
        rows = await self.db.execute_returning(
            "DELETE FROM guild_departures WHERE guild_id = ? RETURNING guild_id, left_at, purge_at, task_id",
            (guild_id,),
        )
        return _guild(rows[0]) if rows else None

    async def guild_gone(self, guild_id: int) -> bool:
        """The bot was removed from this server (and not added back)."""
        return bool(await self.db.fetchval("SELECT 1 FROM guild_departures WHERE guild_id = ?", (guild_id,)))

    async def guilds_with_data(self) -> list[int]:
        """Servers the database knows (settings or timed work), to notice a removal while we were down."""
        # The servers with pending tasks are read by a loose index scan: each step seeks the next
        # guild_id in the partial index of pending tasks (one seek per server, not one row per task).
        rows = await self.db.fetchall(
            "WITH RECURSIVE pending(guild_id) AS ("
            " SELECT MIN(guild_id) FROM scheduled_tasks WHERE state = 'pending' AND guild_id > 0"
            " UNION ALL SELECT (SELECT MIN(guild_id) FROM scheduled_tasks"
            "  WHERE state = 'pending' AND guild_id > pending.guild_id)"
            " FROM pending WHERE pending.guild_id IS NOT NULL) "
            "SELECT guild_id FROM guild_settings UNION SELECT guild_id FROM guild_channels "
            "UNION SELECT guild_id FROM pending WHERE guild_id IS NOT NULL"
        )
        return sorted(int(row["guild_id"]) for row in rows)
