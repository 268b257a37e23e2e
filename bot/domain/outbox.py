"""Queued DMs as data: what a DM says, where it stands, and what queueing it did.

The outbox (:mod:`bot.services.outbox`) stores these; the Discord side renders and sends them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.domain.consent import DmKind


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    CLOSED = "closed"  # the member does not accept DMs (or left Discord): skipped
    FAILED = "failed"  # gave up after retries


class Delivered(StrEnum):
    """How a DM went."""

    SENT = "sent"
    CLOSED = "closed"  # DMs closed or the bot is blocked
    GONE = "gone"  # no such user
    FAILED = "failed"  # a Discord error worth retrying


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One queued DM to one member."""

    id: int
    guild_id: int
    member_id: int
    dedup_key: str
    payload: dict[str, Any]
    state: OutboxState
    attempts: int
    next_at: int
    last_error: str | None = None

    @property
    def args(self) -> dict[str, Any]:
        """What its renderer was given (ids, never another member's words)."""
        return dict(self.payload.get("args") or {})


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """What a queued DM says: a renderer with its ids (preferred), or plain content.

    ``view`` names persistent buttons that the Discord side builds for plain content.
    """

    content: str | None = None
    view: dict[str, Any] | None = None
    render: str | None = None
    args: dict[str, Any] = field(default_factory=dict)

    def payload(self, kind: DmKind) -> dict[str, Any]:
        payload: dict[str, Any] = {"kind": kind.value}
        if self.render is not None:
            payload["render"] = self.render
            payload["args"] = self.args
        else:
            payload["content"] = self.content or ""
            payload["view"] = self.view
        return payload


@dataclass(frozen=True, slots=True)
class Queued:
    queued: tuple[int, ...]  # members whose DM is queued (or was already)
    refused: tuple[int, ...]  # members whose /privacy dm does not allow this kind
