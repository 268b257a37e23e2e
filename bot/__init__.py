"""Meetbridge: a Discord bot that bridges online community and real life.

``from bot import Settings, create_bot`` is the entry point for tests and tools. The names are
loaded on first use, so importing a pure module (``bot.domain.when``) loads neither discord.py nor
the database driver nor any service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.app import MeetbridgeBot, create_bot
    from bot.config import Settings

__all__ = ["MeetbridgeBot", "Settings", "create_bot"]


def __getattr__(name: str) -> Any:
    if name in ("MeetbridgeBot", "create_bot"):
        from bot import app

        return getattr(app, name)
    if name == "Settings":
        from bot.config import Settings

        return Settings
    raise AttributeError(f"module 'bot' has no attribute {name!r}")
