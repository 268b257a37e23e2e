"""After a meetup: **Who came?**, attendance, and whom each attendee met.

When a meetup ends (task ``meetup.whocame``, scheduled with its reminders), the bot posts **Who
came?** in the meetup thread with an **I was there** button, open for 72 h (``meetup.checkin_close``
disables it). Pressing it records attendance (shown on /profile) and offers, ephemerally, the other
attendees (everyone who checked in or said Going): "Whom did you talk to?". Each pick goes through
:meth:`MeetingService.pick` with the mutual rule; when two attendees picked each other, both are
introduced by DM. A one-sided pick is never revealed to anyone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.adapters.outbound import Outbound, Undeliverable
from bot.domain.clock import Clock
from bot.domain.errors import NotFound, UserError
from bot.domain.followups import CHECKIN_CLOSE, CHECKIN_WINDOW, WHOCAME
from bot.domain.meetings import MeetingContext, check_pick
from bot.domain.meetups import Meetup
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import Scheduler, TaskDropped
from bot.services.introductions import IntroductionService
from bot.services.meetings import MeetingService
from bot.services.meetup_board import MeetupBoard
from bot.services.meetups import MeetupService
from bot.storage.followups import AttendanceRepository, FollowupRepository
from bot.ui import followups as ui

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CheckIn:
    """What pressing **I was there** led to: the meetup and whom the member may pick."""

    meetup: Meetup
    first: bool  # False when they had already checked in
    others: tuple[int, ...]  # attendees and Going members, without the member


@dataclass(frozen=True, slots=True)
class Picks:
    meetup: Meetup
    picked: tuple[int, ...]
    mutual: tuple[int, ...]  # picks that completed a pair (both were just introduced)
    introduced_by_dm: bool = True  # False: the member's DMs are off, they see /profile instead


class CheckinService:
    def __init__(
        self,
        followups: FollowupRepository,
        attendance: AttendanceRepository,
        meetups: MeetupService,
        board: MeetupBoard,
        meetings: MeetingService,
        introductions: IntroductionService,
        scheduler: Scheduler,
        *,
        now: Clock,
    ) -> None:
        self.followups = followups
        self.attendance = attendance
        self.meetups = meetups
        self.board = board
        self.meetings = meetings
        self.introductions = introductions
        self.now = now
        self.outbound: Outbound = board.outbound
        scheduler.register(WHOCAME, self._ask_who_came, on_give_up=board.gave_up)
        scheduler.register(CHECKIN_CLOSE, self._close)

    # -- timed -----------------------------------------------------------------------------------

    async def _ask_who_came(self, task: ScheduledTask) -> None:
        meetup = await self.meetups.by_id(task.subject_id) if task.subject_id is not None else None
        if meetup is None or meetup.cancelled:
            raise TaskDropped("the meetup was cancelled")
        if self.now() >= meetup.ends_at + CHECKIN_WINDOW:
            raise TaskDropped("check-in would already be closed")
        followup = await self.followups.get(meetup.id)
        if followup is not None and followup.whocame_message_id is not None:
            return  # posted by a run that was interrupted before it could finish
        target = await self.board.notice_target(meetup)
        if target is None:
            raise TaskDropped("the meetup has no announcement to ask under")
        try:
            posted = await self.outbound.post(
                target, meetup.guild_id, content=ui.who_came(meetup), view=ui.who_came_view(meetup)
            )
        except Undeliverable as error:
            if error.gone:
                raise TaskDropped("the meetup's thread and channel are gone") from None
            if error.forbidden:
                await self.board.tell_organiser(meetup, "post", target, error)
            raise
        await self.followups.set_whocame(
            meetup.guild_id, meetup.id, posted.channel_id, posted.message_id, self.now()
        )

    async def _close(self, task: ScheduledTask) -> None:
        meetup = await self.meetups.by_id(task.subject_id) if task.subject_id is not None else None
        followup = await self.followups.get(task.subject_id) if task.subject_id is not None else None
        if meetup is None or followup is None or followup.whocame_message_id is None:
            raise TaskDropped("no Who came? message to close")
        assert followup.whocame_channel_id is not None
        try:
            await self.outbound.edit(
                followup.whocame_channel_id,
                meetup.guild_id,
                followup.whocame_message_id,
                content=ui.who_came_closed(meetup),
                view=ui.who_came_view(meetup, closed=True),
            )
        except Undeliverable as error:
            if error.gone:
                raise TaskDropped("the Who came? message is gone") from None
            raise

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
        meetup = await self._open_meetup(guild_id, meetup_id, now)
        first = await self.attendance.check_in(guild_id, meetup.id, member_id, now)
        return CheckIn(meetup=meetup, first=first, others=tuple(await self._others(meetup, member_id)))

    async def _others(self, meetup: Meetup, member_id: int) -> list[int]:
        """Everyone the member may have met there: who checked in, then who said Going."""
        people = dict.fromkeys(await self.attendance.attendees(meetup.id))
        people.update(dict.fromkeys(await self.meetups.going_members(meetup)))
        people.pop(member_id, None)
        return list(people)

    async def pick(
        self, guild_id: int, meetup_id: int, member_id: int, picked: Sequence[int], now: int
    ) -> Picks:
        """Record whom the member talked to; introduce every pair that is now mutual."""
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
        by_dm = True
        for other in dict.fromkeys(picked):
            outcome = await self.meetings.pick(
                guild_id, MeetingContext.MEETUP, meetup.id, member_id, other, now
            )
            if outcome.mutual:
                mutual.append(other)
                allowed = await self.introductions.introduce(
                    guild_id, member_id, other, where=ui.met_where(meetup), present=member_id
                )
                by_dm = by_dm and allowed.get(member_id, False)
        return Picks(
            meetup=meetup, picked=tuple(dict.fromkeys(picked)), mutual=tuple(mutual), introduced_by_dm=by_dm
        )
