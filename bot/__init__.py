"""Meetbridge: a Discord bot that bridges online community and real life."""

from bot.app import MeetbridgeBot, create_bot
from bot.config import Settings

__all__ = ["MeetbridgeBot", "Settings", "create_bot"]
