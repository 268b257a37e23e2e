"""SQL for /ask: the mentions that count towards each helper's daily cap."""

from __future__ import annotations

from collections.abc import Sequence

from bot.storage.database import Database
from bot.storage.member_data import MemberTable, register

register(MemberTable("ask_mentions", ("member_id",)))


class AskRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def mentions_since(self, guild_id: int, member_ids: Sequence[int], since: int) -> dict[int, int]:
        """How often each member was mentioned for a question at or after ``since``."""
        if not member_ids:
            return {}
        marks = ", ".join("?" for _ in member_ids)
        rows = await self.db.fetchall(
            "SELECT member_id, COUNT(*) AS n FROM ask_mentions "  # noqa: S608 - placeholders only
            f"WHERE guild_id = ? AND asked_at >= ? AND member_id IN ({marks}) GROUP BY member_id",
            (guild_id, since, *member_ids),
        )
        return {int(row["member_id"]): int(row["n"]) for row in rows}

    async def record(
        self, guild_id: int, member_ids: Sequence[int], asked_at: int, message_id: int, forget_before: int
    ) -> None:
        """Record the mentions of one question; rows too old to count any more are dropped."""
        async with self.db.transaction():
            await self.db.execute(
                "DELETE FROM ask_mentions WHERE guild_id = ? AND asked_at < ?", (guild_id, forget_before)
            )
            await self.db.executemany(
                "INSERT INTO ask_mentions (guild_id, member_id, asked_at, message_id) VALUES (?, ?, ?, ?)",
                [(guild_id, member_id, asked_at, message_id) for member_id in member_ids],
            )
