"""The counts /profile shows, read from the tables the meetup and meeting features fill."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.domain.profiles import MemberStats
from bot.domain.series import Streak
from bot.services.meetings import MeetingService
from bot.storage.followups import AttendanceRepository


class MemberStatsQuery:
    def __init__(self, meetings: MeetingService, attendance: AttendanceRepository | None = None) -> None:
        self.meetings = meetings
        self.attendance = attendance
        self._streaks: Callable[[int, int], Awaitable[list[Streak]]] | None = None

    def use_streaks(self, streaks: Callable[[int, int], Awaitable[list[Streak]]]) -> None:
        """The series feature counts each member's streaks."""
        self._streaks = streaks

    async def stats(self, guild_id: int, member_id: int) -> MemberStats:
        attended = 0
        if self.attendance is not None:
            attended = await self.attendance.count_for_member(guild_id, member_id)
        return MemberStats(
            meetups_attended=attended,
            met_in_person=await self.meetings.met_count(guild_id, member_id),
            streaks=tuple(await self._streaks(guild_id, member_id)) if self._streaks else (),
        )
