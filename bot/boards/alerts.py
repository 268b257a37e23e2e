"""Telling an organiser what went wrong with their meetup, and what fixes it.

When Discord keeps refusing something that matters (the announcement, a reminder or notice in the
meetup thread) or the meetup began before it could be announced, its organiser hears of it once
per problem: by DM (it is about their own meetup), else in a note after their next command.
"""

from __future__ import annotations

from typing import Any

from bot.adapters.outbound import Outbound, Undeliverable
from bot.boards.outbox import DmSender
from bot.domain.consent import DmKind
from bot.domain.meetups import Meetup, OrganiserProblem
from bot.domain.outbox import OutboxMessage, OutboxRow
from bot.domain.tasks import ScheduledTask
from bot.services.meetups import MeetupService
from bot.services.notices import MemberNotices
from bot.services.outbox import DmOutbox
from bot.ui import meetups as ui

PROBLEM = "meetup_problem"
"""The outbox renderer of the DM telling an organiser what went wrong."""


class OrganiserAlerts:
    def __init__(
        self,
        outbound: Outbound,
        meetups: MeetupService,
        outbox: DmOutbox,
        sender: DmSender,
        notices: MemberNotices,
    ) -> None:
        self.outbound = outbound
        self.meetups = meetups
        self.outbox = outbox
        self.notices = notices
        sender.register(PROBLEM, self._problem_dm)
        outbox.register_fallback(PROBLEM, self._problem_fallback)

    async def tell(
        self, meetup: Meetup, problem: OrganiserProblem, channel_id: int | None, error: Undeliverable | None
    ) -> None:
        """Tell the organiser (once per problem) what went wrong in ``channel_id`` and what fixes it."""
        if not meetup.organiser_id:
            return
        args = {
            "meetup": meetup.id,
            "problem": problem.value,
            "channel": channel_id or 0,
            "missing": error.missing if error is not None and error.forbidden else "",
        }
        await self.outbox.send(
            meetup.guild_id,
            [meetup.organiser_id],
            OutboxMessage(render=PROBLEM, args=args),
            key=f"problem:{problem.value}:{meetup.id}",
            kind=DmKind.REPLY,
        )

    async def gave_up(self, task: ScheduledTask, error: Exception) -> None:
        """A post about a meetup failed for good (its retries spent): its organiser hears of it."""
        meetup = await self.meetups.by_id(task.subject_id) if task.subject_id is not None else None
        if meetup is None:
            return
        refused = error.__cause__ if isinstance(error.__cause__, Undeliverable) else None
        refused = error if isinstance(error, Undeliverable) else refused
        channel_id = refused.scope_id if refused is not None else meetup.thread_id or meetup.channel_id
        await self.tell(meetup, OrganiserProblem.POST, channel_id, refused)

    def _text(self, meetup: Meetup, args: dict[str, Any], guild_name: str | None) -> str:
        return ui.organiser_problem(
            meetup,
            OrganiserProblem(args["problem"]),
            guild_name,
            channel_id=int(args.get("channel") or 0) or None,
            missing=str(args.get("missing") or "") or None,
        )

    async def _problem_dm(self, row: OutboxRow) -> dict[str, Any] | None:
        args = row.args
        meetup = await self.meetups.by_id(int(args["meetup"]))
        if meetup is None:
            return None
        announce = args["problem"] == OrganiserProblem.ANNOUNCE
        if announce and meetup.message_id is not None:
            return None  # fixed meanwhile
        if meetup.cancelled and not announce:
            return None
        guild = self.outbound.client.get_guild(meetup.guild_id)
        return {"content": self._text(meetup, args, guild.name if guild else None)}

    async def _problem_fallback(self, guild_id: int, member_id: int, args: dict[str, Any], why: str) -> None:
        meetup = await self.meetups.by_id(int(args.get("meetup", 0)))
        if meetup is None:
            return
        await self.notices.keep(
            guild_id, member_id, f"problem:{args.get('problem')}:{meetup.id}", self._text(meetup, args, None)
        )
