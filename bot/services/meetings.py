"""Recording who met whom in person, by the mutual rule, for every feature that asks.

Every path that records a meeting (picks after a meetup, pairing answers, /met) goes through
:meth:`MeetingService.pick`, so a listener added with :meth:`MeetingService.on_met` (e.g. the
keep-in-touch nudge) hears about each one, whatever the feature. It is also where a block takes
effect: a pick between two members kept apart records nothing and reads as one-sided, so it never
leads to an introduction and reveals nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.domain.meetings import MANUAL_CONTEXT_ID, Meeting, MeetingContext, PickOutcome, check_pick
from bot.services.blocks import BlockService
from bot.storage.meetings import MeetingRepository

log = logging.getLogger(__name__)

MetListener = Callable[[int, int, int, int], Awaitable[None]]
"""``(guild_id, member_id, other_member_id, met_at)``, called once a pair is recorded as met."""


class MeetingService:
    def __init__(self, repo: MeetingRepository, blocks: BlockService) -> None:
        self.repo = repo
        self.blocks = blocks
        self._listeners: list[MetListener] = []

    def on_met(self, listener: MetListener) -> None:
        self._listeners.append(listener)

    async def pick(
        self,
        guild_id: int,
        context: MeetingContext,
        context_id: int,
        member_id: int,
        picked_member_id: int,
        now: int,
    ) -> PickOutcome:
        check_pick(member_id, picked_member_id)
        if await self.blocks.between(guild_id, member_id, picked_member_id):
            return PickOutcome(mutual=False)  # as a one-sided pick, and nothing stored
        outcome = await self.repo.pick(guild_id, context, context_id, member_id, picked_member_id, now)
        if outcome.mutual:
            for listener in list(self._listeners):
                try:
                    await listener(guild_id, member_id, picked_member_id, now)
                except Exception:
                    log.exception("meeting listener %r failed", listener)
        return outcome

    async def met_by_hand(self, guild_id: int, member_id: int, other_id: int, now: int) -> PickOutcome:
        """/met: the same mutual rule, in a context of its own."""
        return await self.pick(guild_id, MeetingContext.MANUAL, MANUAL_CONTEXT_ID, member_id, other_id, now)

    async def kept_apart(self, guild_id: int, a: int, b: int) -> bool:
        """Whether either of the two blocked the other: nothing introduces them to each other."""
        return await self.blocks.between(guild_id, a, b)

    async def met_members(self, guild_id: int, member_id: int) -> set[int]:
        return await self.repo.met_members(guild_id, member_id)

    async def met_count(self, guild_id: int, member_id: int) -> int:
        return await self.repo.met_count(guild_id, member_id)

    async def meeting(self, guild_id: int, a: int, b: int) -> Meeting | None:
        return await self.repo.get(guild_id, a, b)
