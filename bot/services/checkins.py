"""After a meetup: attendance, and whom each attendee met.

When a meetup ends (task ``meetup.whocame``, scheduled with its reminders), the Discord side
(:mod:`bot.boards.checkins`) posts **Who came?** in the meetup thread with an **I was there**
button, open for 72 h (``meetup.checkin_close`` disables it). Pressing it records attendance (shown
on /profile) and offers the other attendees (everyone who checked in or said Going): "Whom did you
talk to?". Each pick goes through :meth:`MeetingService.pick` with the mutual rule; a one-sided pick
is never revealed to anyone, and mutual ones are introduced by DM.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.domain.clock import Clock
from bot.domain.errors import NotFound, UserError
from bot.domain.followups import CHECKIN_WINDOW, CheckIn, Picks
from bot.domain.meetings import MeetingContext, check_pick
from bot.domain.meetups import Meetup, Turnout
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import TaskDropped
from bot.services.blocks import BlockService
from bot.services.meetings import MeetingService
from bot.services.meetups import MeetupService
from bot.storage.followups import AttendanceRepository, FollowupRepository

log = logging.getLogger(__name__)


class CheckinService:
    def __init__(
        self,
        followups: FollowupRepository,
        attendance: AttendanceRepository,
        meetups: MeetupService,
        meetings: MeetingService,
        blocks: BlockService,
        *,
        now: Clock,
    ) -> None:
        self.blocks = blocks
        self.followups = followups
        self.attendance = attendance
        self.meetups = meetups
        self.meetings = meetings
        self.now = now

    # -- Who came? -------------------------------------------------------------------------------

    async def to_ask(self, task: ScheduledTask) -> Meetup | None:
        """The meetup whose **Who came?** is due; None when it was posted already (by a run that was
        interrupted before it could finish)."""
        meetup = await self.meetups.by_id(task.subject_id) if task.subject_id is not None else None
        if meetup is None or meetup.cancelled:
            raise TaskDropped("the meetup was cancelled")
        if self.now() >= meetup.ends_at + CHECKIN_WINDOW:
            raise TaskDropped("check-in would already be closed")
        followup = await self.followups.get(meetup.id)
        if followup is not None and followup.whocame_message_id is not None:
            return None
        return meetup

    async def asked(self, meetup: Meetup, channel_id: int, message_id: int) -> None:
        """Where **Who came?** was posted, so it is closed there later and never posted twice."""
        await self.followups.set_whocame(meetup.guild_id, meetup.id, channel_id, message_id, self.now())

    async def to_close(self, task: ScheduledTask) -> tuple[Meetup, int, int]:
        """The meetup whose check-in closes, with the channel and message of its **Who came?**."""
        meetup = await self.meetups.by_id(task.subject_id) if task.subject_id is not None else None
        followup = await self.followups.get(task.subject_id) if task.subject_id is not None else None
        if meetup is None or followup is None or followup.whocame_message_id is None:
            raise TaskDropped("no Who came? message to close")
        assert followup.whocame_channel_id is not None
        return meetup, followup.whocame_channel_id, followup.whocame_message_id

    async def meetup(self, meetup_id: int) -> Meetup | None:
        return await self.meetups.by_id(meetup_id)

    async def turnout(self, meetup: Meetup) -> Turnout:
        """Of those who said Going, how many pressed I was there (and who came without saying so)."""
        going = set(await self.meetups.going_members(meetup))
        came = set(await self.attendance.attendees(meetup.id))
        return Turnout(going=len(going), came_of_going=len(going & came), unannounced=len(came - going))

    # -- members ---------------------------------------------------------------------------------

    async def _open_meetup(self, guild_id: int, meetup_id: int, now: int) -> Meetup:
        meetup = await self.meetups.by_id(meetup_id)
        if meetup is None or meetup.guild_id != guild_id:
            raise NotFound("This meetup no longer exists.", "/meetup list")
        if meetup.cancelled:
            raise UserError(f"Meetup #{meetup.number} was cancelled.", "/meetup list")
        if now < meetup.starts_at:
            raise UserError(
                f"Meetup #{meetup.number} hasn't started yet.", f"/meetup info id:{meetup.number}"
            )
        if now >= meetup.ends_at + CHECKIN_WINDOW:
            raise UserError(
                f"Check-in for meetup #{meetup.number} closed 72 hours after it ended. "
                "You can still record whom you met with /met.",
                "/met member:@alice",
            )
        return meetup

    async def check_in(self, guild_id: int, meetup_id: int, member_id: int, now: int) -> CheckIn:
        """Record attendance; the others offered to pick leave out anyone the member blocked (the
        one blocked still sees the full list: nothing tells them)."""
        meetup = await self._open_meetup(guild_id, meetup_id, now)
        first = await self.attendance.check_in(guild_id, meetup.id, member_id, now)
        blocked = {block.blocked_member_id for block in await self.blocks.blocked_by(guild_id, member_id)}
        others = [other for other in await self._others(meetup, member_id) if other not in blocked]
        return CheckIn(meetup=meetup, first=first, others=tuple(others))

    async def _others(self, meetup: Meetup, member_id: int) -> list[int]:
        """Everyone the member may have met there: who checked in, then who said Going."""
        people = dict.fromkeys(await self.attendance.attendees(meetup.id))
        people.update(dict.fromkeys(await self.meetups.going_members(meetup)))
        people.pop(member_id, None)
        return list(people)

    async def pick(
        self, guild_id: int, meetup_id: int, member_id: int, picked: Sequence[int], now: int
    ) -> Picks:
        """Record whom the member talked to; the picks that are now mutual are to be introduced."""
        meetup = await self._open_meetup(guild_id, meetup_id, now)
        if not await self.attendance.attended(meetup.id, member_id):
            raise UserError(
                f"Press **I was there** under Who came? for meetup #{meetup.number} first.",
                f"/meetup info id:{meetup.number}",
            )
        others = set(await self._others(meetup, member_id))
        strangers = [other for other in picked if other not in others]
        for other in picked:
            check_pick(member_id, other)
        if strangers:
            raise UserError(
                f"<@{strangers[0]}> wasn't at meetup #{meetup.number}: pick people who came.",
                "/met member:@alice (for someone you met elsewhere)",
            )
        mutual: list[int] = []
        for other in dict.fromkeys(picked):
            outcome = await self.meetings.pick(
                guild_id, MeetingContext.MEETUP, meetup.id, member_id, other, now
            )
            if outcome.mutual:
                mutual.append(other)
        return Picks(meetup=meetup, picked=tuple(dict.fromkeys(picked)), mutual=tuple(mutual))
