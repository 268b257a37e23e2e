"""Sending DMs for features, tolerating members who closed their DMs.

A member who cannot receive DMs (Discord error 50007, or they left) is skipped and reported,
never an error that stops the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import discord

log = logging.getLogger(__name__)


class Delivered(StrEnum):
    SENT = "sent"
    CLOSED = "closed"  # DMs closed or blocked
    GONE = "gone"  # no such user
    FAILED = "failed"  # a Discord error worth retrying


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int = 0
    closed: int = 0
    failed: int = 0


class Delivery:
    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def dm(self, user_id: int, **message: Any) -> Delivered:
        delivered, _sent = await self.dm_message(user_id, **message)
        return delivered

    async def dm_message(self, user_id: int, **message: Any) -> tuple[Delivered, discord.Message | None]:
        """Like :meth:`dm`, also returning the message sent (to edit it later)."""
        user = self.client.get_user(user_id)
        try:
            if user is None:
                user = await self.client.fetch_user(user_id)
            sent = await user.send(**message)
        except discord.Forbidden:
            return Delivered.CLOSED, None
        except discord.NotFound:
            return Delivered.GONE, None
        except discord.HTTPException as exc:
            log.warning("DM to %s failed: %s", user_id, exc)
            return Delivered.FAILED, None
        return Delivered.SENT, sent
