"""The Discord side of after-meetup check-in: **Who came?** in the meetup thread, its button closed
72 hours later, and the introductions of members who picked each other."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bot.adapters.outbound import Outbound, Undeliverable
from bot.boards.alerts import OrganiserAlerts
from bot.boards.outbox import DmSender
from bot.boards.threads import MeetupThreads
from bot.domain.consent import DmKind
from bot.domain.followups import CHECKIN_CLOSE, WHOCAME, Picks
from bot.domain.meetups import Meetup, OrganiserProblem
from bot.domain.outbox import OutboxMessage, OutboxRow
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import Scheduler, TaskDropped
from bot.services.checkins import CheckinService
from bot.services.introductions import IntroductionService
from bot.services.notices import MemberNotices
from bot.services.outbox import DmOutbox
from bot.ui import followups as ui

TURNOUT_DM = "turnout"
"""The outbox renderer of the DM telling an organiser how many of those who said Going came."""


class CheckinBoard:
    def __init__(
        self,
        checkins: CheckinService,
        introductions: IntroductionService,
        threads: MeetupThreads,
        alerts: OrganiserAlerts,
        outbound: Outbound,
        scheduler: Scheduler,
        outbox: DmOutbox,
        sender: DmSender,
        notices: MemberNotices,
    ) -> None:
        self.checkins = checkins
        self.outbox = outbox
        self.notices = notices
        sender.register(TURNOUT_DM, self._turnout_dm)
        outbox.register_fallback(TURNOUT_DM, self._turnout_fallback)
        self.introductions = introductions
        self.threads = threads
        self.alerts = alerts
        self.outbound = outbound
        scheduler.register(WHOCAME, self._ask_who_came, on_give_up=alerts.gave_up)
        scheduler.register(CHECKIN_CLOSE, self._close)

    async def _ask_who_came(self, task: ScheduledTask) -> None:
        meetup = await self.checkins.to_ask(task)
        if meetup is None:
            return
        target = await self.threads.target(meetup)
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
                await self.alerts.tell(meetup, OrganiserProblem.POST, target, error)
            raise
        await self.checkins.asked(meetup, posted.channel_id, posted.message_id)

    async def _close(self, task: ScheduledTask) -> None:
        """Check-in closes: the organiser hears the turnout (once), and the button is disabled."""
        await self._tell_turnout(task.subject_id)
        meetup, channel_id, message_id = await self.checkins.to_close(task)
        try:
            await self.outbound.edit(
                channel_id,
                meetup.guild_id,
                message_id,
                content=ui.who_came_closed(meetup),
                view=ui.who_came_view(meetup, closed=True),
            )
        except Undeliverable as error:
            if error.gone:
                raise TaskDropped("the Who came? message is gone") from None
            raise

    async def pick(
        self, guild_id: int, meetup_id: int, member_id: int, picked: Sequence[int], now: int
    ) -> Picks:
        """Record whom the member talked to; introduce every pair that is now mutual."""
        picks = await self.checkins.pick(guild_id, meetup_id, member_id, picked, now)
        by_dm = True
        for other in picks.mutual:
            allowed = await self.introductions.introduce(
                guild_id, member_id, other, where=ui.met_where(picks.meetup), present=member_id
            )
            by_dm = by_dm and allowed.get(member_id, False)
        return replace(picks, introduced_by_dm=by_dm)

    async def _tell_turnout(self, meetup_id: int | None) -> None:
        """How many of those who said Going came: by DM to the organiser (about their own meetup),
        else kept for their next command."""
        meetup = await self.checkins.meetup(meetup_id) if meetup_id is not None else None
        if meetup is None or meetup.cancelled or not meetup.organiser_id:
            return
        await self.outbox.send(
            meetup.guild_id,
            [meetup.organiser_id],
            OutboxMessage(render=TURNOUT_DM, args={"meetup": meetup.id}),
            key=f"turnout:{meetup.id}",
            kind=DmKind.REPLY,
        )

    async def _turnout_text(self, meetup: Meetup, guild_name: str | None) -> str:
        return ui.turnout_message(meetup, await self.checkins.turnout(meetup), guild_name)

    async def _turnout_dm(self, row: OutboxRow) -> dict[str, Any] | None:
        meetup = await self.checkins.meetup(int(row.args["meetup"]))
        if meetup is None or meetup.cancelled:
            return None
        guild = self.outbound.client.get_guild(meetup.guild_id)
        return {"content": await self._turnout_text(meetup, guild.name if guild else None)}

    async def _turnout_fallback(self, guild_id: int, member_id: int, args: dict[str, Any], why: str) -> None:
        meetup = await self.checkins.meetup(int(args.get("meetup", 0)))
        if meetup is not None and not meetup.cancelled:
            await self.notices.keep(
                guild_id, member_id, f"turnout:{meetup.id}", await self._turnout_text(meetup, None)
            )
