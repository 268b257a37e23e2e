"""The first-meetup note: the first time a member answers Going in a server, a few words on meeting
safely (a public place, tell someone where you'll be, leave whenever you like, /report exists).

It answers something the member did, so it is a ``reply`` DM when their ``/privacy dm`` allows
it (rendered when sent by :mod:`bot.boards.reports`, with the meetup's place); with DMs off it is
shown in the ephemeral answer to their click instead. Given once per member and server.
"""

from __future__ import annotations

from bot.domain.consent import DmKind
from bot.domain.outbox import OutboxMessage
from bot.domain.safety import FirstNote
from bot.services.outbox import DmOutbox
from bot.storage.safety import FirstMeetupNotes

FIRST_MEETUP = "first_meetup"
"""The outbox renderer of the first-meetup note."""


class FirstMeetupNote:
    def __init__(self, repo: FirstMeetupNotes, outbox: DmOutbox) -> None:
        self.repo = repo
        self.outbox = outbox

    async def answered_going(
        self, guild_id: int, member_id: int, meetup_id: int, now: int
    ) -> FirstNote | None:
        """None unless this is the member's first Going here; else how the note reaches them."""
        if await self.repo.noted(guild_id, member_id):
            return None  # the usual case, read without taking the write lock
        async with self.repo.db.transaction():
            if not await self.repo.mark(guild_id, member_id, now):
                return None
            queued = await self.outbox.enqueue(
                guild_id,
                [member_id],
                OutboxMessage(render=FIRST_MEETUP, args={"meetup": meetup_id}),
                key=f"first-meetup:{guild_id}",
                kind=DmKind.REPLY,
                fallback=False,  # the member is answered right now: the note goes in that answer
            )
        if not queued.queued:
            return FirstNote.IN_REPLY
        await self.outbox.kick()
        return FirstNote.BY_DM
