"""SQL for notes kept for a member's next command (what could not reach them by DM)."""

from __future__ import annotations

from bot.storage.database import Database
from bot.storage.member_data import MemberTable, register

register(MemberTable("member_notices", ("member_id",)))

MAX_KEPT = 20  # per member and server: older notes give way (a note is a courtesy, not a queue)


class NoticeRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, guild_id: int, member_id: int, key: str, content: str, now: int) -> bool:
        """Keep a note once per ``key``; False when that note was already kept."""
        async with self.db.transaction():
            added = await self.db.execute(
                "INSERT INTO member_notices (guild_id, member_id, dedup_key, content, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING",
                (guild_id, member_id, key, content, now),
            )
            await self.db.execute(
                "DELETE FROM member_notices WHERE guild_id = ? AND member_id = ? AND id NOT IN ("
                "SELECT id FROM member_notices WHERE guild_id = ? AND member_id = ? "
                "ORDER BY id DESC LIMIT ?)",
                (guild_id, member_id, guild_id, member_id, MAX_KEPT),
            )
        return added == 1

    async def take(self, guild_id: int, member_id: int) -> list[str]:
        """The member's notes, oldest first, removed as they are read."""
        rows = await self.db.execute_returning(
            "DELETE FROM member_notices WHERE guild_id = ? AND member_id = ? RETURNING id, content",
            (guild_id, member_id),
        )
        return [row["content"] for row in sorted(rows, key=lambda row: row["id"])]

    async def members_waiting(self) -> set[tuple[int, int]]:
        """(guild, member) pairs with at least one note."""
        rows = await self.db.fetchall("SELECT DISTINCT guild_id, member_id FROM member_notices")
        return {(int(row["guild_id"]), int(row["member_id"])) for row in rows}
