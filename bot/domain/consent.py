"""Which direct messages a member allows: consent by kind, not a single on/off switch.

Some DMs answer something the member did (the introduction after they picked someone, the
place they waited for, a question about their own meetup): members expect those, so they are
allowed unless DMs are turned off entirely. Others the bot sends on its own initiative
(reminders, keep-in-touch nudges, catch-ups): only members who turned DMs on get those.

Pure: the outbox asks :func:`allows` for every DM it is about to queue and send.
"""

from __future__ import annotations

from enum import StrEnum


class DmMode(StrEnum):
    """The ``state`` of ``/privacy dm``."""

    ON = "on"
    REPLIES = "replies"
    OFF = "off"


class DmKind(StrEnum):
    REPLY = "reply"
    """Answers something the member did: an introduction, a place they waited for, their meetup."""
    NOTICE = "notice"
    """The bot's own initiative: reminders, nudges, catch-ups."""


DEFAULT_DM_MODE = DmMode.REPLIES


def allows(mode: DmMode, kind: DmKind) -> bool:
    if mode is DmMode.ON:
        return True
    if mode is DmMode.REPLIES:
        return kind is DmKind.REPLY
    return False
