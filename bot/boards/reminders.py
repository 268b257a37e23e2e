"""The Discord side of reminders and of the headcount question.

``meetup.reminder`` finds the meetup thread (opening it if need be), splits the Going members'
mentions into messages and hands them to :meth:`RemindersService.plan`; each ``meetup.reminder.post``
renders its part as things are then and posts it (a refusal retries that part alone). The copy by
DM is rendered when the outbox sends it.

``meetup.headcount`` asks the organiser Keep or Cancel by DM, or in the meetup thread when their DMs
are off or closed; their answer cancels exactly like ``/meetup cancel``.
"""

from __future__ import annotations

from typing import Any

from bot.adapters.outbound import Outbound, Undeliverable
from bot.boards.alerts import OrganiserAlerts
from bot.boards.meetups import MeetupBoard
from bot.boards.outbox import DmSender
from bot.boards.threads import MeetupThreads
from bot.domain.clock import Clock
from bot.domain.followups import HEADCOUNT, REMINDER, REMINDER_POST, HeadcountDecision
from bot.domain.meetups import Meetup, OrganiserProblem
from bot.domain.outbox import OutboxRow
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import RetryLater, Scheduler, TaskDropped
from bot.services.reminders import HEADCOUNT_DM, REMINDER_DM, RemindersService
from bot.ui import followups as ui


class ReminderBoard:
    def __init__(
        self,
        reminders: RemindersService,
        threads: MeetupThreads,
        alerts: OrganiserAlerts,
        outbound: Outbound,
        scheduler: Scheduler,
        sender: DmSender,
        *,
        now: Clock,
    ) -> None:
        self.reminders = reminders
        self.threads = threads
        self.alerts = alerts
        self.outbound = outbound
        self.now = now
        scheduler.register(REMINDER, self._remind)
        scheduler.register(REMINDER_POST, self._post, on_give_up=alerts.gave_up)
        sender.register(REMINDER_DM, self._reminder_dm)

    async def _remind(self, task: ScheduledTask) -> None:
        now = self.now()
        meetup = await self.reminders.live_meetup(task.subject_id, now)
        if await self.reminders.superseded(task, meetup, now):
            raise TaskDropped("a later reminder of the same meetup is due too")
        if await self.reminders.planned(task, meetup):
            await self.reminders.deliver()  # planned before an interruption: only make sure DMs flow
            return
        going = await self.reminders.going(meetup)
        channel_id = await self.threads.target(meetup)
        if channel_id is None:
            raise TaskDropped("the meetup has no announcement to remind under")
        parts = [members for _, members in ui.reminder_parts(meetup, going)]
        await self.reminders.plan(task, meetup, channel_id, parts, going, now)

    async def _post(self, task: ScheduledTask) -> None:
        """One message of a reminder, rendered now from the meetup and the members it mentions.

        A REST error propagates: the scheduler retries with backoff."""
        meetup = await self.reminders.live_meetup(task.subject_id, self.now())
        members = [int(member) for member in task.payload.get("members", [])]
        if "content" in task.payload:  # planned by an older version, with its text
            content = str(task.payload["content"])
        else:
            total = len(await self.reminders.going(meetup))  # as it is now, not as planned
            content = ui.reminder_part(meetup, int(task.payload.get("part", 0)), members, total)
        try:
            await self.outbound.post(
                int(task.payload["channel_id"]), meetup.guild_id, content=content, ping=members
            )
        except Undeliverable as error:
            if error.gone:
                raise TaskDropped("the meetup's thread is gone") from None
            if error.forbidden:
                await self.alerts.tell(meetup, OrganiserProblem.POST, error.scope_id, error)
            if error.retry_after is not None:
                raise RetryLater(str(error), delay=int(error.retry_after) + 1) from error
            raise

    async def _reminder_dm(self, row: OutboxRow) -> dict[str, Any] | None:
        meetup = await self.reminders.still_upcoming(int(row.args["meetup"]))
        if meetup is None:
            return None
        guild = self.outbound.client.get_guild(meetup.guild_id)
        return {"content": ui.reminder_dm(meetup, guild.name if guild else "your server")}


class HeadcountBoard:
    def __init__(
        self,
        reminders: RemindersService,
        threads: MeetupThreads,
        outbound: Outbound,
        board: MeetupBoard,
        scheduler: Scheduler,
        sender: DmSender,
        *,
        now: Clock,
    ) -> None:
        self.reminders = reminders
        self.threads = threads
        self.outbound = outbound
        self.board = board
        self.now = now
        scheduler.register(HEADCOUNT, self._ask)
        sender.register(HEADCOUNT_DM, self._headcount_dm)

    async def _ask(self, task: ScheduledTask) -> None:
        """Going below ``min_attendees``: the organiser gets Keep / Cancel by DM (a question about
        their own meetup), or in the meetup thread when their DMs are off or closed."""
        meetup = await self.reminders.live_meetup(task.subject_id, self.now())
        going = len(await self.reminders.going(meetup))
        if meetup.min_attendees is None or going >= meetup.min_attendees:
            return
        if not meetup.organiser_id:
            raise TaskDropped("the organiser asked to be forgotten")
        if not task.payload.get("in_thread"):
            await self.reminders.ask_organiser(meetup)
            return
        target = await self.threads.target(meetup)
        if target is None:
            raise TaskDropped("nowhere to ask the organiser")
        try:
            await self.outbound.post(
                target,
                meetup.guild_id,
                content=ui.headcount_prompt(meetup, going, mention=True),
                view=ui.headcount_view(meetup),
                ping=[meetup.organiser_id],
            )
        except Undeliverable as error:
            if error.gone:
                raise TaskDropped("the meetup's thread is gone") from None
            raise

    async def _headcount_dm(self, row: OutboxRow) -> dict[str, Any] | None:
        meetup = await self.reminders.still_upcoming(int(row.args["meetup"]))
        if meetup is None:
            return None
        going = len(await self.reminders.going(meetup))
        if meetup.min_attendees is None or going >= meetup.min_attendees:
            return None
        return {
            "content": ui.headcount_prompt(meetup, going, mention=False),
            "view": ui.headcount_view(meetup),
        }

    async def check(self, meetup_id: int, member_id: int, is_admin: bool) -> Meetup:
        """The meetup, if this member may still keep or cancel it (quick: no Discord calls)."""
        return await self.reminders.check_headcount_decision(meetup_id, member_id, is_admin)

    async def decide(
        self, meetup_id: int, member_id: int, is_admin: bool, decision: HeadcountDecision, now: int
    ) -> Meetup:
        """Keep or cancel after the headcount question; cancel is exactly ``/meetup cancel``."""
        meetup = await self.check(meetup_id, member_id, is_admin)
        if decision is HeadcountDecision.CANCEL:
            needed = meetup.min_attendees or 0
            meetup = await self.board.cancel_meetup(
                guild_id=meetup.guild_id,
                number=meetup.number,
                member_id=member_id,
                is_admin=is_admin,
                reason=f"Fewer than {needed} people were going.",
                now=now,
            )
        await self.reminders.record_headcount_decision(meetup, decision)
        return meetup
