"""Introducing two people who both said they met in person: one DM each, about the other.

The introduction answers something each of them did (they picked the other), so it is a
``reply`` DM: sent unless the member turned DMs off. It is rendered when the outbox sends it, from
the profile as it is then (:mod:`bot.boards.introductions`); a member who does not get it (DMs off
or closed) finds a note after their next command instead.
"""

from __future__ import annotations

from bot.domain.consent import DmKind
from bot.domain.outbox import OutboxMessage, Queued
from bot.services.outbox import DmOutbox

INTRODUCTION = "introduction"
"""The outbox renderer of an introduction DM."""


class IntroductionService:
    def __init__(self, outbox: DmOutbox) -> None:
        self.outbox = outbox

    async def introduce(
        self, guild_id: int, a_id: int, b_id: int, where: str, *, present: int | None = None
    ) -> dict[int, bool]:
        """Queue a DM to each of the pair about the other; whether each may get one by DM.

        ``where`` says where they met, as the DM will word it. ``present`` is the member whose
        action completed the pair: they are answered right away, so they get no note for later
        when their DMs are off.
        """
        allowed: dict[int, bool] = {}
        for to_id, about_id in ((a_id, b_id), (b_id, a_id)):
            queued: Queued = await self.outbox.enqueue(
                guild_id,
                [to_id],
                OutboxMessage(render=INTRODUCTION, args={"about": about_id, "where": where}),
                key=f"introduce:{guild_id}:{min(a_id, b_id)}:{max(a_id, b_id)}:{about_id}",
                kind=DmKind.REPLY,
                fallback=to_id != present,
            )
            allowed[to_id] = bool(queued.queued)
        await self.outbox.kick()
        return allowed
