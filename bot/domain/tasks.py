"""Timed work as data: a task is a row with a due time and a state."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class TaskState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    DROPPED = "dropped"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class ScheduledTask:
    id: int
    guild_id: int
    kind: str
    subject_id: int | None
    due_at: int
    state: TaskState
    attempts: int = 0
    payload: dict[str, Any] = field(default_factory=dict)
    last_error: str | None = None

    @staticmethod
    def encode_payload(payload: dict[str, Any] | None) -> str:
        return json.dumps(payload or {}, sort_keys=True, separators=(",", ":"))


# Retry delays after a failed run: quick first, then backing off; the last failure is recorded.
RETRY_DELAYS: tuple[int, ...] = (15, 60, 300, 900, 3600)


def retry_delay(attempts: int) -> int | None:
    """Seconds until the next try after ``attempts`` failed runs, or None to give up."""
    if attempts < 1 or attempts > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[attempts - 1]
