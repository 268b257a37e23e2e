"""Members' text inside the bot's own sentences.

A title, a place, a server or display name is shown inside a line the bot wrote ("Meetup #7
“…” starts <t:…> at …"). Shown as typed, a long one pushes the time, the place or the mentions
after it out of the message (Discord takes 2,000 characters, and fitting clips the end), a run of
new lines makes one message a screen tall, and its markdown swallows what follows. So member
text is put on one line, clipped to what validation lets through (it gives way first; the bot's
own parts never do) and escaped.

The limits are those of validation (and of Discord, for names), so text that passed validation
is shown whole; only older or foreign data is ever clipped here.
"""

from __future__ import annotations

import discord

from bot.domain import limits
from bot.domain.interests import MAX_TAG_LENGTH
from bot.domain.meetups import PLACE_MAX, TITLE_MAX

TITLE = TITLE_MAX
PLACE = PLACE_MAX
TAG = MAX_TAG_LENGTH
GUILD_NAME = 100  # Discord's limit
DISPLAY_NAME = 32  # Discord's limit on a global or server display name
TIME_TEXT = 100
"""How much of a typed time is quoted back ("“fri 7pm” → Fri 9 Jan 2026, 19:00")."""


def one_line(text: str, limit: int) -> str:
    """``text`` on one line (whitespace runs become one space), at most ``limit`` characters."""
    return limits.clip(" ".join(text.split()), limit)


def shown(text: str, limit: int) -> str:
    """Member text as it appears inside a sentence of the bot: one line, clipped, markdown escaped."""
    return discord.utils.escape_markdown(one_line(text, limit))
