"""SQL for the DM outbox: DMs waiting to be sent, a few at a time."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import aiosqlite

from bot.domain.outbox import OutboxRow, OutboxState
from bot.storage.database import Database
from bot.storage.member_data import MemberDocument, MemberTable, register, register_document

register(MemberTable("dm_outbox", ("member_id",)))
# A DM queued for someone else may be about the member (a nudge's catch-up button names them).
register_document(MemberDocument("dm_outbox", "payload"))

_COLUMNS = "id, guild_id, member_id, dedup_key, payload, state, attempts, next_at, last_error"
_CLAIM = (
    "UPDATE dm_outbox SET state = 'sending', attempts = attempts + 1 WHERE id IN ("  # noqa: S608
    "SELECT id FROM dm_outbox WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ?"
    f") RETURNING {_COLUMNS}"
)


def _row(row: aiosqlite.Row) -> OutboxRow:
    return OutboxRow(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        member_id=int(row["member_id"]),
        dedup_key=row["dedup_key"],
        payload=json.loads(row["payload"]),
        state=OutboxState(row["state"]),
        attempts=int(row["attempts"]),
        next_at=int(row["next_at"]),
        last_error=row["last_error"],
    )


class OutboxRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self, guild_id: int, entries: Iterable[tuple[int, str]], payload: dict[str, Any], now: int
    ) -> int:
        """Queue one DM per ``(member_id, dedup_key)``; keys already queued are skipped."""
        encoded = json.dumps(payload, separators=(",", ":"), sort_keys=True)
        rows = [(guild_id, member_id, key, encoded, now, now) for member_id, key in entries]
        if not rows:
            return 0
        return await self.db.executemany(
            "INSERT INTO dm_outbox (guild_id, member_id, dedup_key, payload, next_at, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING",
            rows,
        )

    async def claim_due(self, now: int, limit: int) -> list[OutboxRow]:
        """Move up to ``limit`` due DMs to ``sending`` (oldest first) and return them."""
        rows = await self.db.execute_returning(_CLAIM, (now, limit))
        return sorted((_row(row) for row in rows), key=lambda row: (row.next_at, row.id))

    async def finish(self, row_id: int, state: OutboxState, now: int, error: str | None = None) -> None:
        await self.db.execute(
            "UPDATE dm_outbox SET state = ?, sent_at = ?, last_error = COALESCE(?, last_error) WHERE id = ?",
            (state.value, now, error, row_id),
        )

    async def retry_at(self, row_id: int, at: int, error: str) -> None:
        await self.db.execute(
            "UPDATE dm_outbox SET state = 'pending', next_at = ?, last_error = ? WHERE id = ?",
            (at, error, row_id),
        )

    async def next_due(self) -> int | None:
        """When the first pending DM may go (its ``next_at``), or None when nothing waits."""
        value = await self.db.fetchval("SELECT MIN(next_at) FROM dm_outbox WHERE state = 'pending'")
        return None if value is None else int(value)

    async def requeue_sending(self) -> int:
        """DMs a stop interrupted go back to pending (one may then arrive twice, never zero times)."""
        return await self.db.execute("UPDATE dm_outbox SET state = 'pending' WHERE state = 'sending'")

    async def prune(self, before: int) -> int:
        """Forget finished DMs created before ``before`` (they only matter for a while)."""
        return await self.db.execute(
            "DELETE FROM dm_outbox WHERE state IN ('sent', 'closed', 'failed') AND created_at < ?", (before,)
        )

    async def for_member(self, guild_id: int, member_id: int) -> list[OutboxRow]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM dm_outbox WHERE guild_id = ? AND member_id = ? ORDER BY id",  # noqa: S608
            (guild_id, member_id),
        )
        return [_row(row) for row in rows]

    async def count_by_state(self) -> dict[str, int]:
        rows = await self.db.fetchall("SELECT state, COUNT(*) AS n FROM dm_outbox GROUP BY state")
        return {row["state"]: int(row["n"]) for row in rows}
