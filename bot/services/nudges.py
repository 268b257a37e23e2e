"""Keep in touch: three weeks after two members met in person, a gentle nudge to reconnect.

Every recorded meeting (a mutual pick after a meetup, in a pairing round, or with /met; see
:meth:`MeetingService.on_met`) schedules one ``meeting.nudge`` task for the pair. When it fires,
nothing is sent if the pair have been at another meetup together since, or met again (the newer
meeting has its own nudge), or one of them asked to be forgotten. Otherwise each of the two who
turned DMs on gets one DM, through the paced outbox, with a button that opens a ``/meetup plan``
draft for the two of them.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.domain.consent import DmKind
from bot.domain.followups import NUDGE, NUDGE_AFTER
from bot.domain.outbox import OutboxMessage, OutboxRow
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import Scheduler, TaskDropped
from bot.services.meetings import MeetingService
from bot.services.outbox import DmOutbox
from bot.services.profiles import ProfileService
from bot.storage.followups import AttendanceRepository
from bot.ui import followups as ui

log = logging.getLogger(__name__)


class NudgeService:
    def __init__(
        self,
        meetings: MeetingService,
        attendance: AttendanceRepository,
        profiles: ProfileService,
        outbox: DmOutbox,
        scheduler: Scheduler,
        client: discord.Client,
    ) -> None:
        self.meetings = meetings
        self.attendance = attendance
        self.profiles = profiles
        self.outbox = outbox
        self.scheduler = scheduler
        self.client = client
        scheduler.register(NUDGE, self._nudge)
        outbox.register("nudge", self._render)
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
        guild = self.client.get_guild(task.guild_id)
        if guild is None:
            raise TaskDropped("the bot is no longer in this server")
        # A nudge is the bot's own initiative: only members who turned DMs on get one.
        for member_id, other_id in ((a, b), (b, a)):
            await self.outbox.enqueue(
                task.guild_id,
                [member_id],
                OutboxMessage(render="nudge", args={"other": other_id}),
                key=f"nudge:{task.id}",
                kind=DmKind.NOTICE,
            )
        await self.outbox.kick()

    async def _render(self, row: OutboxRow) -> dict[str, Any] | None:
        other_id = int(row.payload["args"].get("other", 0))
        guild = self.client.get_guild(row.guild_id)
        if not other_id or guild is None:
            return None  # forgotten, or the bot left the server
        other = guild.get_member(other_id)
        if other is None:
            return None  # they left: a catch-up poll would miss them
        return {
            "content": ui.nudge(other.display_name, other_id, guild.name),
            "view": ui.outbox_view(ui.catchup_spec(row.guild_id, other_id)),
        }
