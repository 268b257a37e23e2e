"""SQL for picks and meetings in person."""

from __future__ import annotations

import aiosqlite

from bot.domain.meetings import Meeting, MeetingContext, PickOutcome, ordered_pair
from bot.storage.database import Database
from bot.storage.member_data import MemberTable, register

# Who picked you stays private until it is mutual: your export shows your own picks only.
register(MemberTable("meeting_picks", ("member_id", "picked_member_id"), hidden=("picked_member_id",)))
register(MemberTable("met_in_person", ("member_id", "other_member_id")))


def _meeting(row: aiosqlite.Row) -> Meeting:
    return Meeting(
        guild_id=int(row["guild_id"]),
        member_id=int(row["member_id"]),
        other_member_id=int(row["other_member_id"]),
        first_met_at=int(row["first_met_at"]),
        last_met_at=int(row["last_met_at"]),
        times=int(row["times"]),
        context=MeetingContext(row["context"]),
        context_id=int(row["context_id"]),
    )


class MeetingRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def pick(
        self,
        guild_id: int,
        context: MeetingContext,
        context_id: int,
        member_id: int,
        picked_member_id: int,
        now: int,
    ) -> PickOutcome:
        """Record a pick; when the other already picked back, record the meeting. One transaction."""
        async with self.db.transaction():
            inserted = await self.db.execute(
                "INSERT INTO meeting_picks (guild_id, context, context_id, member_id, picked_member_id, "
                "picked_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (guild_id, context.value, context_id, member_id, picked_member_id, now),
            )
            if inserted == 0:
                return PickOutcome(mutual=False)  # the same pick again completes nothing new
            back = await self.db.fetchval(
                "SELECT 1 FROM meeting_picks WHERE guild_id = ? AND context = ? AND context_id = ? "
                "AND member_id = ? AND picked_member_id = ?",
                (guild_id, context.value, context_id, picked_member_id, member_id),
            )
            if not back:
                return PickOutcome(mutual=False)
            first, second = ordered_pair(member_id, picked_member_id)
            before = await self.db.fetchval(
                "SELECT times FROM met_in_person "
                "WHERE guild_id = ? AND member_id = ? AND other_member_id = ?",
                (guild_id, first, second),
            )
            await self.db.execute(
                "INSERT INTO met_in_person (guild_id, member_id, other_member_id, first_met_at, last_met_at, "
                "context, context_id) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (guild_id, member_id, other_member_id) DO UPDATE SET "
                "last_met_at = excluded.last_met_at, times = met_in_person.times + 1, "
                "context = excluded.context, context_id = excluded.context_id",
                (guild_id, first, second, now, now, context.value, context_id),
            )
            return PickOutcome(mutual=True, already_met=before is not None)

    async def get(self, guild_id: int, a: int, b: int) -> Meeting | None:
        first, second = ordered_pair(a, b)
        row = await self.db.fetchone(
            "SELECT * FROM met_in_person WHERE guild_id = ? AND member_id = ? AND other_member_id = ?",
            (guild_id, first, second),
        )
        return None if row is None else _meeting(row)

    async def met_members(self, guild_id: int, member_id: int) -> set[int]:
        """Everyone this member has met in person in this server."""
        rows = await self.db.fetchall(
            "SELECT other_member_id AS other FROM met_in_person WHERE guild_id = ? AND member_id = ? "
            "UNION SELECT member_id AS other FROM met_in_person WHERE guild_id = ? AND other_member_id = ?",
            (guild_id, member_id, guild_id, member_id),
        )
        return {int(row["other"]) for row in rows}

    async def met_count(self, guild_id: int, member_id: int) -> int:
        return len(await self.met_members(guild_id, member_id))
