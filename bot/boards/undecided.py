"""The Discord side of the nudge to the undecided: one message in the meetup thread mentioning
them with **Going** / **Can't go** (each part of a long list recorded as sent, so a retry repeats
nothing), and its copy by DM rendered when it goes out."""

from __future__ import annotations

from typing import Any

from bot.boards.outbox import DmSender
from bot.boards.threads import MeetupThreads
from bot.domain.followups import UNDECIDED
from bot.domain.outbox import OutboxRow
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import Scheduler, TaskDropped
from bot.services.undecided import UNDECIDED_DM, UndecidedService
from bot.ui import meetups as ui


class UndecidedBoard:
    def __init__(
        self, undecided: UndecidedService, threads: MeetupThreads, scheduler: Scheduler, sender: DmSender
    ) -> None:
        self.undecided = undecided
        self.threads = threads
        scheduler.register(UNDECIDED, self._nudge)
        sender.register(UNDECIDED_DM, self._dm)

    async def _nudge(self, task: ScheduledTask) -> None:
        task, meetup, members = await self.undecided.choose(task)
        if not members:
            raise TaskDropped("nobody is undecided")
        parts = ui.notice_parts(ui.undecided_notice(meetup), members)
        await self.threads.post_parts(task, meetup, parts, view=ui.undecided_view(meetup))

    async def _dm(self, row: OutboxRow) -> dict[str, Any] | None:
        meetup = await self.undecided.still_undecided(int(row.args["meetup"]), row.member_id)
        if meetup is None:
            return None
        return {"content": ui.undecided_dm(meetup), "view": ui.undecided_view(meetup)}
