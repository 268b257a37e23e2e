"""Telling a member something the bot could not DM them: ephemerally, after their next command.

A member with ``/privacy dm state:off`` (or closed DMs) still needs to hear that the person they
picked picked them too, or that their meetup could not be announced. Such a note is kept here
and shown only to them, after the next command they run in that server.
"""

from __future__ import annotations

from bot.domain.clock import Clock
from bot.domain.limits import CONTENT, clip
from bot.storage.notices import NoticeRepository

SEPARATOR = "\n\n"


class MemberNotices:
    def __init__(self, repo: NoticeRepository, *, now: Clock) -> None:
        self.repo = repo
        self.now = now
        # Members with a note waiting, so a command costs no query when none does (most of them).
        self._waiting: set[tuple[int, int]] | None = None

    async def start(self) -> None:
        self._waiting = await self.repo.members_waiting()

    async def keep(self, guild_id: int, member_id: int, key: str, content: str) -> None:
        """Keep ``content`` for the member's next command (once per ``key``)."""
        await self.repo.add(guild_id, member_id, key, clip(content, CONTENT), self.now())
        if self._waiting is not None:
            self._waiting.add((guild_id, member_id))

    async def take(self, guild_id: int, member_id: int) -> str | None:
        """Everything kept for the member, as one message (None when nothing waits)."""
        if self._waiting is not None and (guild_id, member_id) not in self._waiting:
            return None
        notes = await self.repo.take(guild_id, member_id)
        if self._waiting is not None:
            self._waiting.discard((guild_id, member_id))
        if not notes:
            return None
        text = SEPARATOR.join(notes)
        return clip(text, CONTENT)
