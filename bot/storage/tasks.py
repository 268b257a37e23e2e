"""SQL for scheduled tasks: the durable record behind every scheduler job."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import aiosqlite

from bot.domain.tasks import ScheduledTask, TaskState
from bot.storage.database import Database
from bot.storage.member_data import MemberDocument, register_document

# Payloads hold reminder posts with mentions and a nudge's pair (its subject is the pair's first).
register_document(MemberDocument("scheduled_tasks", "payload", id_columns=("subject_id",)))

_SELECT = (
    "SELECT id, guild_id, kind, subject_id, payload, due_at, state, attempts, last_error FROM scheduled_tasks"
)


def _task(row: aiosqlite.Row) -> ScheduledTask:
    return ScheduledTask(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        kind=row["kind"],
        subject_id=row["subject_id"],
        payload=json.loads(row["payload"]),
        due_at=int(row["due_at"]),
        state=TaskState(row["state"]),
        attempts=int(row["attempts"]),
        last_error=row["last_error"],
    )


class TaskRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        guild_id: int,
        kind: str,
        due_at: int,
        now: int,
        subject_id: int | None = None,
        payload: dict[str, Any] | None = None,
    ) -> ScheduledTask:
        task_id = await self.db.insert(
            "INSERT INTO scheduled_tasks (guild_id, kind, subject_id, payload, due_at, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (guild_id, kind, subject_id, ScheduledTask.encode_payload(payload), due_at, now),
        )
        return ScheduledTask(
            id=task_id,
            guild_id=guild_id,
            kind=kind,
            subject_id=subject_id,
            due_at=due_at,
            state=TaskState.PENDING,
            payload=dict(payload or {}),
        )

    async def get(self, task_id: int) -> ScheduledTask | None:
        row = await self.db.fetchone(_SELECT + " WHERE id = ?", (task_id,))
        return None if row is None else _task(row)

    async def pending_until(self, until: int) -> list[ScheduledTask]:
        """Pending tasks due at or before ``until`` (uses the partial index)."""
        rows = await self.db.fetchall(
            _SELECT + " WHERE state = 'pending' AND due_at <= ? ORDER BY due_at",
            (until,),
        )
        return [_task(row) for row in rows]

    async def pending_due_until(self, until: int) -> list[tuple[int, int]]:
        """(id, due time) of the pending tasks due at or before ``until``: all the scheduler needs
        to arm them, read from the partial index alone (no row, no payload decoded)."""
        rows = await self.db.fetchall(
            "SELECT id, due_at FROM scheduled_tasks WHERE state = 'pending' AND due_at <= ? ORDER BY due_at",
            (until,),
        )
        return [(int(row["id"]), int(row["due_at"])) for row in rows]

    async def next_pending_after(self, after: int) -> int | None:
        """Due time of the first pending task later than ``after``."""
        value = await self.db.fetchval(
            "SELECT MIN(due_at) FROM scheduled_tasks WHERE state = 'pending' AND due_at > ?", (after,)
        )
        return None if value is None else int(value)

    async def for_subject(self, guild_id: int, kinds: Iterable[str], subject_id: int) -> list[ScheduledTask]:
        kinds = list(kinds)
        marks = ", ".join("?" for _ in kinds)
        rows = await self.db.fetchall(
            _SELECT + f" WHERE guild_id = ? AND subject_id = ? AND kind IN ({marks}) ORDER BY due_at",
            (guild_id, subject_id, *kinds),
        )
        return [_task(row) for row in rows]

    async def pending_of_kinds(
        self, guild_id: int, kinds: list[str], subject_id: int | None = None
    ) -> list[ScheduledTask]:
        """Pending tasks of these kinds in one server (of one subject when given)."""
        marks = ", ".join("?" for _ in kinds)
        sql = _SELECT + f" WHERE state = 'pending' AND guild_id = ? AND kind IN ({marks})"
        params: list[object] = [guild_id, *kinds]
        if subject_id is not None:
            sql += " AND subject_id = ?"
            params.append(subject_id)
        rows = await self.db.fetchall(sql + " ORDER BY due_at", params)
        return [_task(row) for row in rows]

    async def set_payload(self, task_id: int, payload: dict[str, Any]) -> None:
        """Record a task's progress or merged request (e.g. which parts of a notice went out)."""
        await self.db.execute(
            "UPDATE scheduled_tasks SET payload = ? WHERE id = ?",
            (ScheduledTask.encode_payload(payload), task_id),
        )

    async def claim(self, task_id: int, now: int) -> ScheduledTask | None:
        """Move a due pending task to running; None if somebody else did or it is not due.

        This single conditional UPDATE is what makes each task run at most once.
        """
        changed = await self.db.execute(
            "UPDATE scheduled_tasks SET state = 'running', attempts = attempts + 1 "
            "WHERE id = ? AND state = 'pending' AND due_at <= ?",
            (task_id, now),
        )
        if changed != 1:
            return None
        return await self.get(task_id)

    async def finish(self, task_id: int, state: TaskState, now: int, error: str | None = None) -> None:
        await self.db.execute(
            "UPDATE scheduled_tasks SET state = ?, finished_at = ?, last_error = COALESCE(?, last_error) "
            "WHERE id = ?",
            (state.value, now, error, task_id),
        )

    async def retry_at(self, task_id: int, due_at: int, error: str) -> None:
        await self.db.execute(
            "UPDATE scheduled_tasks SET state = 'pending', due_at = ?, last_error = ? WHERE id = ?",
            (due_at, error, task_id),
        )

    async def reschedule(self, task_id: int, due_at: int) -> bool:
        changed = await self.db.execute(
            "UPDATE scheduled_tasks SET due_at = ? WHERE id = ? AND state = 'pending'", (due_at, task_id)
        )
        return changed == 1

    async def cancel(self, task_id: int, now: int) -> bool:
        changed = await self.db.execute(
            "UPDATE scheduled_tasks SET state = 'cancelled', finished_at = ? "
            "WHERE id = ? AND state = 'pending'",
            (now, task_id),
        )
        return changed == 1

    async def revive(self, guild_id: int, reason: str) -> list[tuple[int, int]]:
        """Tasks of the server dropped for ``reason`` go back to pending; (id, due_at) of each."""
        rows = await self.db.execute_returning(
            "UPDATE scheduled_tasks SET state = 'pending', finished_at = NULL "
            "WHERE guild_id = ? AND state = 'dropped' AND last_error = ? RETURNING id, due_at",
            (guild_id, reason),
        )
        return [(int(row["id"]), int(row["due_at"])) for row in rows]

    async def requeue_interrupted(self) -> int:
        """Tasks left running by a crash go back to pending so they are not lost."""
        return await self.db.execute("UPDATE scheduled_tasks SET state = 'pending' WHERE state = 'running'")

    async def count_by_state(self) -> dict[str, int]:
        rows = await self.db.fetchall("SELECT state, COUNT(*) AS n FROM scheduled_tasks GROUP BY state")
        return {row["state"]: int(row["n"]) for row in rows}
