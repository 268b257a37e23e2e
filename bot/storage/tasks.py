"""SQL for scheduled tasks: the durable record behind every scheduler job.

Several processes may share the table (shard processes over one database). A process reads only
the tasks of the servers it owns (:class:`bot.domain.shards.Shards`, filtered in SQL by Discord's
shard rule) and claims a task with one conditional UPDATE that names it (``claimed_by``) and gives
it a lease (``lease_until``): the task is due and pending, or running under a lease that has
expired (its claimer died). Whichever UPDATE lands first wins; the other changes no row. The
claimer renews the lease while it runs, and finishes the task only while the claim is still its.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import aiosqlite

from bot.domain.shards import Shards
from bot.domain.tasks import ScheduledTask, TaskState
from bot.storage.database import Database
from bot.storage.member_data import MemberDocument, register_document

# Payloads hold reminder posts with mentions and a nudge's pair (its subject is the pair's first).
register_document(MemberDocument("scheduled_tasks", "payload", id_columns=("subject_id",)))

_COLUMNS = "id, guild_id, kind, subject_id, payload, due_at, state, attempts, last_error"
_SELECT = f"SELECT {_COLUMNS} FROM scheduled_tasks"  # noqa: S608
_CLAIM = (
    "UPDATE scheduled_tasks SET state = 'running', attempts = attempts + 1, claimed_by = ?, lease_until = ? "  # noqa: S608
    "WHERE id = ? AND ((state = 'pending' AND due_at <= ?) "
    # Taken over: a claim whose lease ran out, never our own (we are alive: it is still running).
    "OR (state = 'running' AND lease_until <= ? AND COALESCE(claimed_by, '') <> ?)) "
    f"RETURNING {_COLUMNS}"
)


def owned(shards: Shards | None, column: str = "guild_id") -> tuple[str, tuple[int, ...]]:
    """SQL (`` AND ...``) and parameters that keep the rows of servers on ``shards``; nothing when
    the process owns every server. Portable: SQLite and PostgreSQL both shift and take modulo."""
    if shards is None or shards.everything:
        return "", ()
    marks = ", ".join("?" for _ in shards.ids)
    return f" AND ({column} >> 22) % ? IN ({marks})", (shards.count, *shards.ids)


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
    def __init__(self, db: Database, shards: Shards | None = None) -> None:
        self.db = db
        self.shards = shards

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
        """Pending tasks of owned servers due at or before ``until`` (uses the partial index)."""
        mine, params = owned(self.shards)
        rows = await self.db.fetchall(
            _SELECT + f" WHERE state = 'pending' AND due_at <= ?{mine} ORDER BY due_at",
            (until, *params),
        )
        return [_task(row) for row in rows]

    async def pending_due_until(self, until: int) -> list[tuple[int, int]]:
        """(id, due time) of the pending tasks of owned servers due at or before ``until``: all the
        scheduler needs to arm them, read from the partial index alone (no row, no payload decoded)."""
        mine, params = owned(self.shards)
        rows = await self.db.fetchall(
            "SELECT id, due_at FROM scheduled_tasks "  # noqa: S608
            f"WHERE state = 'pending' AND due_at <= ?{mine} ORDER BY due_at",
            (until, *params),
        )
        return [(int(row["id"]), int(row["due_at"])) for row in rows]

    async def leases_until(self, until: int) -> list[tuple[int, int]]:
        """(id, lease end) of running tasks of owned servers whose lease ends by ``until``: if their
        claimer does not renew it (it died), they are taken over then."""
        mine, params = owned(self.shards)
        rows = await self.db.fetchall(
            "SELECT id, lease_until FROM scheduled_tasks "  # noqa: S608
            f"WHERE state = 'running' AND lease_until <= ?{mine}",
            (until, *params),
        )
        return [(int(row["id"]), int(row["lease_until"])) for row in rows]

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

    async def claim(self, task_id: int, now: int, claimer: str = "", lease: int = 60) -> ScheduledTask | None:
        """Move a due pending task (or a running one whose lease has expired) to running under
        ``claimer``'s lease until ``now + lease``; None if somebody else holds it or it is not due.

        This single conditional UPDATE is what makes each task run once, across processes.
        """
        rows = await self.db.execute_returning(_CLAIM, (claimer, now + lease, task_id, now, now, claimer))
        return _task(rows[0]) if rows else None

    async def renew(self, task_id: int, claimer: str, lease_until: int) -> bool:
        """Extend a running task's lease; False when the claim is no longer ``claimer``'s."""
        changed = await self.db.execute(
            "UPDATE scheduled_tasks SET lease_until = ? "
            "WHERE id = ? AND state = 'running' AND claimed_by = ?",
            (lease_until, task_id, claimer),
        )
        return changed == 1

    async def finish(
        self, task_id: int, state: TaskState, now: int, error: str | None = None, claimer: str | None = None
    ) -> bool:
        """Record how a run ended; with ``claimer``, only while the claim is still theirs."""
        sql = (
            "UPDATE scheduled_tasks SET state = ?, finished_at = ?, last_error = COALESCE(?, last_error), "
            "lease_until = NULL WHERE id = ?"
        )
        params: tuple[object, ...] = (state.value, now, error, task_id)
        if claimer is not None:
            sql += " AND state = 'running' AND claimed_by = ?"
            params += (claimer,)
        return await self.db.execute(sql, params) == 1

    async def retry_at(self, task_id: int, due_at: int, error: str, claimer: str | None = None) -> bool:
        sql = (
            "UPDATE scheduled_tasks SET state = 'pending', due_at = ?, last_error = ?, lease_until = NULL "
            "WHERE id = ?"
        )
        params: tuple[object, ...] = (due_at, error, task_id)
        if claimer is not None:
            sql += " AND state = 'running' AND claimed_by = ?"
            params += (claimer,)
        return await self.db.execute(sql, params) == 1

    async def lease_of(self, task_id: int) -> tuple[str, int | None, str | None] | None:
        """(state, lease end, claimer) of one task."""
        row = await self.db.fetchone(
            "SELECT state, lease_until, claimed_by FROM scheduled_tasks WHERE id = ?", (task_id,)
        )
        if row is None:
            return None
        lease = row["lease_until"]
        return row["state"], None if lease is None else int(lease), row["claimed_by"]

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

    async def requeue_interrupted(self, claimer: str | None = None) -> int:
        """Tasks left running by a crash go back to pending so they are not lost: those of
        ``claimer`` (a process that restarted under the same name), or every one when None (a
        single process that knows it is alone)."""
        if claimer is None:
            return await self.db.execute(
                "UPDATE scheduled_tasks SET state = 'pending', lease_until = NULL WHERE state = 'running'"
            )
        return await self.db.execute(
            "UPDATE scheduled_tasks SET state = 'pending', lease_until = NULL "
            "WHERE state = 'running' AND claimed_by = ?",
            (claimer,),
        )

    async def count_by_state(self) -> dict[str, int]:
        rows = await self.db.fetchall("SELECT state, COUNT(*) AS n FROM scheduled_tasks GROUP BY state")
        return {row["state"]: int(row["n"]) for row in rows}
