"""The one place the bot reads the time, at the Discord edge.

``discord.utils.utcnow`` is what discord.py itself uses, and what a simulated Discord (SimCord)
moves in tests, so every "now" in the bot comes from here and never from ``datetime.now``. Layers
below the adapters never import this module: the app passes :func:`now_epoch` to them as their
:data:`bot.domain.clock.Clock`.
"""

from __future__ import annotations

from datetime import datetime

import discord

from bot.domain.clock import from_epoch, to_epoch

__all__ = ["from_epoch", "now_epoch", "to_epoch", "utcnow"]


def utcnow() -> datetime:
    return discord.utils.utcnow()


def now_epoch() -> int:
    return int(utcnow().timestamp())
