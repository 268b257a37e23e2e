"""Keep in touch: three weeks after two members met in person, a gentle nudge to reconnect.

Every recorded meeting (a mutual pick after a meetup, in a pairing round, or with /met; see
:meth:`MeetingService.on_met`) schedules one ``meeting.nudge`` task for the pair. When it fires,
nothing is sent if the pair have been at another meetup together since, or met again (the newer
meeting has its own nudge), or one of them asked to be forgotten. Otherwise each of the two who
turned DMs on gets one DM, through the paced outbox, with a button that opens a ``/meetup plan``
draft for the two of them (rendered when it is sent: :mod:`bot.boards.nudges`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.domain.consent import DmKind
from bot.domain.followups import NUDGE, NUDGE_AFTER
from bot.domain.outbox import OutboxMessage
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import Scheduler, TaskDropped
from bot.services.meetings import MeetingService
from bot.services.outbox import DmOutbox
from bot.storage.followups import AttendanceRepository

log = logging.getLogger(__name__)

NUDGE_DM = "nudge"
"""The outbox renderer of a keep-in-touch DM."""


class NudgeService:
    def __init__(
        self,
        meetings: MeetingService,
        attendance: AttendanceRepository,
        outbox: DmOutbox,
        scheduler: Scheduler,
        *,
        in_guild: Callable[[int], bool],
    ) -> None:
        """``in_guild`` says whether the bot is in a server now (the Discord side knows)."""
        self.meetings = meetings
        self.attendance = attendance
        self.outbox = outbox
        self.scheduler = scheduler
        self.in_guild = in_guild
        scheduler.register(NUDGE, self._nudge)
        meetings.on_met(self.met)

    async def met(self, guild_id: int, member_id: int, other_id: int, met_at: int) -> ScheduledTask:
        """Plan the nudge for a meeting just recorded (one per pair per meeting)."""
        a, b = sorted((member_id, other_id))
        return await self.scheduler.schedule(
            guild_id, NUDGE, met_at + NUDGE_AFTER, subject_id=a, payload={"a": a, "b": b, "met_at": met_at}
        )

    async def _nudge(self, task: ScheduledTask) -> None:
        a, b, met_at = int(task.payload["a"]), int(task.payload["b"]), int(task.payload["met_at"])
        meeting = await self.meetings.meeting(task.guild_id, a, b)
        if meeting is None:
            raise TaskDropped("the meeting is no longer recorded")
        if meeting.last_met_at != met_at:
            raise TaskDropped("they met again since; that meeting has its own nudge")
        if await self.attendance.together_since(task.guild_id, a, b, met_at, self.scheduler.now_epoch()):
            raise TaskDropped("they were at another meetup together since")
        if not self.in_guild(task.guild_id):
            raise TaskDropped("the bot is no longer in this server")
        if await self.meetings.kept_apart(task.guild_id, a, b):
            raise TaskDropped("one of them blocked the other")
        # A nudge is the bot's own initiative: only members who turned DMs on get one.
        for member_id, other_id in ((a, b), (b, a)):
            await self.outbox.enqueue(
                task.guild_id,
                [member_id],
                OutboxMessage(render=NUDGE_DM, args={"other": other_id}),
                key=f"nudge:{task.id}",
                kind=DmKind.NOTICE,
            )
        await self.outbox.kick()
