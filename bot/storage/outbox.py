"""SQL for the DM outbox: DMs waiting to be sent, a few at a time."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import aiosqlite

from bot.domain.outbox import OutboxRow, OutboxState
from bot.domain.shards import Shards
from bot.storage.database import Database
from bot.storage.member_data import MemberDocument, MemberTable, register, register_document

register(MemberTable("dm_outbox", ("member_id",)))
# A DM queued for someone else may be about the member (a nudge's catch-up button names them).
register_document(MemberDocument("dm_outbox", "payload"))

_COLUMNS = "id, guild_id, member_id, dedup_key, payload, state, attempts, next_at, last_error"
# Due, or claimed by a process whose lease ran out. Repeated outside the subquery so that a row
# another process claimed meanwhile is skipped (PostgreSQL re-checks it after the other commits).
_CLAIMABLE = "((state = 'pending' AND next_at <= ?) OR (state = 'sending' AND lease_until <= ?))"


def _claim_sql(shard_filter: str) -> str:
    return (
        "UPDATE dm_outbox SET state = 'sending', attempts = attempts + 1, claimed_by = ?, lease_until = ? "  # noqa: S608
        f"WHERE id IN (SELECT id FROM dm_outbox WHERE {_CLAIMABLE}{shard_filter} "
        "ORDER BY next_at, id LIMIT ?) "
        f"AND {_CLAIMABLE} RETURNING {_COLUMNS}"
    )


def _one_shard(shards: Shards | None, shard: int | None) -> tuple[str, tuple[int, ...]]:
    """SQL keeping the rows of one shard's servers (nothing when one process owns every server)."""
    if shards is None or shards.everything or shard is None:
        return "", ()
    return " AND (guild_id >> 22) % ? = ?", (shards.count, shard)


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
    def __init__(self, db: Database, shards: Shards | None = None) -> None:
        self.db = db
        self.shards = shards

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

    async def claim_due(
        self, now: int, limit: int, *, shard: int | None = None, claimer: str = "", lease: int = 60
    ) -> list[OutboxRow]:
        """Move up to ``limit`` due DMs (of ``shard``'s servers when sharded) to ``sending`` under
        ``claimer``'s lease, oldest first, and return them. DMs whose claimer's lease ran out (it
        died mid-send) are due again: one may then arrive twice, never zero times."""
        mine, params = _one_shard(self.shards, shard)
        rows = await self.db.execute_returning(
            _claim_sql(mine), (claimer, now + lease, now, now, *params, limit, now, now)
        )
        return sorted((_row(row) for row in rows), key=lambda row: (row.next_at, row.id))

    async def finish(self, row_id: int, state: OutboxState, now: int, error: str | None = None) -> None:
        await self.db.execute(
            "UPDATE dm_outbox SET state = ?, sent_at = ?, last_error = COALESCE(?, last_error), "
            "lease_until = NULL WHERE id = ?",
            (state.value, now, error, row_id),
        )

    async def retry_at(self, row_id: int, at: int, error: str) -> None:
        await self.db.execute(
            "UPDATE dm_outbox SET state = 'pending', next_at = ?, last_error = ?, lease_until = NULL "
            "WHERE id = ?",
            (at, error, row_id),
        )

    async def next_due(self, shard: int | None = None) -> int | None:
        """When the first pending DM (of ``shard``'s servers when sharded) may go, or None when
        nothing waits; a DM whose claimer's lease runs out counts as due then."""
        mine, params = _one_shard(self.shards, shard)
        value = await self.db.fetchval(
            "SELECT MIN(at) FROM (SELECT MIN(next_at) AS at FROM dm_outbox WHERE state = 'pending'"  # noqa: S608
            f"{mine} UNION ALL SELECT MIN(lease_until) AS at FROM dm_outbox "
            f"WHERE state = 'sending'{mine}) due",
            (*params, *params),
        )
        return None if value is None else int(value)

    async def requeue_sending(self, claimer: str | None = None) -> int:
        """DMs a stop interrupted go back to pending (one may then arrive twice, never zero times):
        those ``claimer`` held (a process restarted under the same name), or all when None."""
        if claimer is None:
            return await self.db.execute("UPDATE dm_outbox SET state = 'pending' WHERE state = 'sending'")
        return await self.db.execute(
            "UPDATE dm_outbox SET state = 'pending' WHERE state = 'sending' AND claimed_by = ?", (claimer,)
        )

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
