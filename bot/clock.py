"""The one place the bot reads the time.

``discord.utils.utcnow`` is what discord.py itself uses, and what a simulated Discord (SimCord)
moves in tests, so every "now" in the bot comes from here and never from ``datetime.now``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import discord


def utcnow() -> datetime:
    return discord.utils.utcnow()


def now_epoch() -> int:
    return int(utcnow().timestamp())


def to_epoch(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: attach a timezone before converting")
    return int(moment.timestamp())


def from_epoch(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)
