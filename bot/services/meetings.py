"""Recording who met whom in person, by the mutual rule, for every feature that asks."""

from __future__ import annotations

from bot.domain.meetings import MANUAL_CONTEXT_ID, Meeting, MeetingContext, PickOutcome, check_pick
from bot.storage.meetings import MeetingRepository


class MeetingService:
    def __init__(self, repo: MeetingRepository) -> None:
        self.repo = repo

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
        return await self.repo.pick(guild_id, context, context_id, member_id, picked_member_id, now)

    async def met_by_hand(self, guild_id: int, member_id: int, other_id: int, now: int) -> PickOutcome:
        """/met: the same mutual rule, in a context of its own."""
        return await self.pick(guild_id, MeetingContext.MANUAL, MANUAL_CONTEXT_ID, member_id, other_id, now)

    async def met_members(self, guild_id: int, member_id: int) -> set[int]:
        return await self.repo.met_members(guild_id, member_id)

    async def met_count(self, guild_id: int, member_id: int) -> int:
        return await self.repo.met_count(guild_id, member_id)

    async def meeting(self, guild_id: int, a: int, b: int) -> Meeting | None:
        return await self.repo.get(guild_id, a, b)
