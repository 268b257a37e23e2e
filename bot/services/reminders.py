"""Reminders before meetups, and the headcount question at the first one.

Listens to meetups (:class:`MeetupListener`): when one is announced, a ``meetup.reminder`` task is
written for each of the server's offsets still ahead, plus **Who came?** at its end and the close of
check-in 72 h later (handled by :mod:`bot.services.checkins`); when its time changes they are
replaced; when it is cancelled they are cancelled.

A reminder task only *plans*, in one transaction: one ``meetup.reminder.post`` task per message
(the Going members' mentions split under 2,000 characters, each message given a send second by the
:class:`SendPlanner` so that no channel gets more than 5 messages in 5 seconds), the DM copies in
the outbox for members with DMs on, and, the first time, the headcount question. Each post is its
own task: a REST failure retries that message with the scheduler's backoff and records the error,
and a retry never posts again what already went out.

A reminder missed while the bot was down runs on start if its meetup has not started (and no later
reminder of the same meetup is also due); otherwise it is dropped, with the reason recorded.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.adapters.outbound import Outbound, Undeliverable
from bot.domain.clock import Clock
from bot.domain.consent import DmKind
from bot.domain.errors import Forbidden, NotFound, UserError
from bot.domain.followups import (
    CHECKIN_CLOSE,
    CHECKIN_WINDOW,
    HEADCOUNT,
    MEETUP_KINDS,
    REMINDER,
    REMINDER_POST,
    WHOCAME,
    HeadcountDecision,
    reminder_times,
    superseded,
)
from bot.domain.meetups import Meetup, may_manage
from bot.domain.outbox import OutboxMessage, OutboxRow
from bot.domain.pacing import SendPlanner
from bot.domain.tasks import ScheduledTask, TaskState
from bot.scheduling.scheduler import RetryLater, Scheduler, TaskDropped
from bot.services.config import ConfigService
from bot.services.meetup_board import MeetupBoard
from bot.services.meetups import MeetupListener, MeetupService
from bot.services.outbox import DmOutbox
from bot.storage.database import Database
from bot.storage.followups import FollowupRepository
from bot.ui import followups as ui

log = logging.getLogger(__name__)

_LIVE = (TaskState.PENDING, TaskState.RUNNING, TaskState.DONE)


class RemindersService(MeetupListener):
    def __init__(
        self,
        db: Database,
        repo: FollowupRepository,
        meetups: MeetupService,
        board: MeetupBoard,
        config: ConfigService,
        scheduler: Scheduler,
        outbox: DmOutbox,
        outbound: Outbound,
        planner: SendPlanner | None = None,
        *,
        now: Clock,
    ) -> None:
        self.db = db
        self.repo = repo
        self.meetups = meetups
        self.board = board
        self.config = config
        self.scheduler = scheduler
        self.outbox = outbox
        self.outbound = outbound
        self.planner = planner or SendPlanner()
        self.now = now
        self.client: discord.Client = outbound.client
        scheduler.register(REMINDER, self._remind)
        scheduler.register(REMINDER_POST, self._post, on_give_up=board.gave_up)
        scheduler.register(HEADCOUNT, self._ask_headcount)
        outbox.register("reminder", self._reminder_dm)
        outbox.register("headcount", self._headcount_dm, self._headcount_fallback)
        meetups.subscribe(self)

    async def start(self) -> None:
        """Repair from the database, before timed work resumes: every announced meetup's follow-ups
        match its current time and state, whatever step a stop interrupted."""
        now = self.now()
        dropped = await self.repo.cancel_followups_of_cancelled(MEETUP_KINDS, now)
        if dropped:
            log.warning("dropped %d follow-up(s) of cancelled meetups", dropped)
        for meetup in await self.repo.out_of_step(now):
            log.warning("meetup %d's follow-ups did not match its time; planning them again", meetup.id)
            try:
                await self.schedule(meetup)
            except Exception:
                log.exception("scheduling the follow-ups of meetup %d failed", meetup.id)

    # -- scheduling (MeetupListener) -------------------------------------------------------------

    async def on_meetup_created(self, meetup: Meetup) -> None:
        await self.schedule(meetup)

    async def on_meetup_updated(self, meetup: Meetup, before: Meetup) -> None:
        if (meetup.starts_at, meetup.ends_at) != (before.starts_at, before.ends_at):
            await self.schedule(meetup)

    async def on_meetup_cancelled(self, meetup: Meetup) -> None:
        await self.scheduler.cancel_for_subject(meetup.guild_id, MEETUP_KINDS, meetup.id)

    async def schedule(self, meetup: Meetup) -> list[ScheduledTask]:
        """(Re)write every timed follow-up of the meetup from its current time, in one transaction.

        Pending reminders are replaced, so a meetup moved later gets its reminders again; offsets
        already past are skipped.
        """
        now = self.now()
        offsets = (await self.config.settings(meetup.guild_id)).reminder_offsets
        scheduled: list[ScheduledTask] = []
        async with self.db.transaction():
            await self.scheduler.cancel_for_subject(
                meetup.guild_id, (REMINDER, REMINDER_POST, WHOCAME, CHECKIN_CLOSE), meetup.id
            )
            # Each task records the time it was planned for: start-up compares it with the meetup's.
            for offset, due in reminder_times(meetup.starts_at, offsets, now):
                scheduled.append(
                    await self.scheduler.schedule(
                        meetup.guild_id,
                        REMINDER,
                        due,
                        subject_id=meetup.id,
                        payload={"offset": offset, "starts_at": meetup.starts_at},
                    )
                )
            closes = meetup.ends_at + CHECKIN_WINDOW
            if closes > now:  # Who came? at the end, its button disabled 72 h later
                for kind, due in ((WHOCAME, meetup.ends_at), (CHECKIN_CLOSE, closes)):
                    scheduled.append(
                        await self.scheduler.schedule(
                            meetup.guild_id,
                            kind,
                            max(due, now),
                            subject_id=meetup.id,
                            payload={"ends_at": meetup.ends_at},
                        )
                    )
            await self.repo.mark_scheduled(meetup.guild_id, meetup.id, now)
        return scheduled

    # -- the reminder ----------------------------------------------------------------------------

    async def _live_meetup(self, meetup_id: int | None, now: int) -> Meetup:
        meetup = await self.meetups.by_id(meetup_id) if meetup_id is not None else None
        if meetup is None:
            raise TaskDropped("the meetup no longer exists")
        if meetup.cancelled:
            raise TaskDropped("the meetup was cancelled")
        if meetup.starts_at <= now:
            raise TaskDropped("the meetup has started")
        return meetup

    async def _remind(self, task: ScheduledTask) -> None:
        now = self.now()
        meetup = await self._live_meetup(task.subject_id, now)
        siblings = await self.scheduler.repo.for_subject(meetup.guild_id, [REMINDER], meetup.id)
        if superseded(task.due_at, (s.due_at for s in siblings if s.id != task.id and s.state in _LIVE), now):
            raise TaskDropped("a later reminder of the same meetup is due too")
        posts = await self.scheduler.repo.for_subject(meetup.guild_id, [REMINDER_POST], meetup.id)
        if any(post.payload.get("reminder") == task.id for post in posts):
            await self.outbox.kick()  # planned before an interruption: only make sure DMs flow
            return

        going = await self.meetups.going_members(meetup)
        channel_id = await self.board.notice_target(meetup)
        if channel_id is None:
            raise TaskDropped("the meetup has no announcement to remind under")
        parts = ui.reminder_parts(meetup, going)
        send_at = self.planner.plan(channel_id, len(parts), now)
        async with self.db.transaction():
            for part, ((_, members), at) in enumerate(zip(parts, send_at, strict=True)):
                await self.scheduler.schedule(
                    meetup.guild_id,
                    REMINDER_POST,
                    at,
                    subject_id=meetup.id,
                    payload={
                        "reminder": task.id,
                        "part": part,
                        "channel_id": channel_id,
                        "members": members,
                    },
                )
            # A copy by DM for members who turned DMs on (a reminder is the bot's own initiative).
            await self.outbox.enqueue(
                meetup.guild_id,
                going,
                OutboxMessage(render="reminder", args={"meetup": meetup.id}),
                key=f"reminder:{task.id}",
                kind=DmKind.NOTICE,
            )
            if meetup.min_attendees and await self.repo.claim_headcount_check(
                meetup.guild_id, meetup.id, now
            ):
                await self.scheduler.schedule(meetup.guild_id, HEADCOUNT, now, subject_id=meetup.id)
        await self.outbox.kick()

    async def _post(self, task: ScheduledTask) -> None:
        """One message of a reminder, rendered now from the meetup and the members it mentions.

        A REST error propagates: the scheduler retries with backoff."""
        meetup = await self._live_meetup(task.subject_id, self.now())
        members = [int(member) for member in task.payload.get("members", [])]
        if "content" in task.payload:  # planned by an older version, with its text
            content = str(task.payload["content"])
        else:
            total = len(await self.meetups.going_members(meetup))  # as it is now, not as planned
            content = ui.reminder_part(meetup, int(task.payload.get("part", 0)), members, total)
        try:
            await self.outbound.post(
                int(task.payload["channel_id"]), meetup.guild_id, content=content, ping=members
            )
        except Undeliverable as error:
            if error.gone:
                raise TaskDropped("the meetup's thread is gone") from None
            if error.forbidden:
                await self.board.tell_organiser(meetup, "post", error.scope_id, error)
            if error.retry_after is not None:
                raise RetryLater(str(error), delay=int(error.retry_after) + 1) from error
            raise

    async def _reminder_dm(self, row: OutboxRow) -> dict[str, Any] | None:
        meetup = await self.meetups.by_id(int(row.payload["args"]["meetup"]))
        if meetup is None or meetup.cancelled or meetup.starts_at <= self.now():
            return None
        guild = self.client.get_guild(meetup.guild_id)
        return {"content": ui.reminder_dm(meetup, guild.name if guild else "your server")}

    # -- minimum headcount -----------------------------------------------------------------------

    async def _ask_headcount(self, task: ScheduledTask) -> None:
        """Going below ``min_attendees``: the organiser gets Keep / Cancel by DM (a question about
        their own meetup), or in the meetup thread when their DMs are off or closed."""
        meetup = await self._live_meetup(task.subject_id, self.now())
        going = len(await self.meetups.going_members(meetup))
        if meetup.min_attendees is None or going >= meetup.min_attendees:
            return
        if not meetup.organiser_id:
            raise TaskDropped("the organiser asked to be forgotten")
        if not task.payload.get("in_thread"):
            await self.outbox.send(
                meetup.guild_id,
                [meetup.organiser_id],
                OutboxMessage(render="headcount", args={"meetup": meetup.id}),
                key=f"headcount:{meetup.id}",
                kind=DmKind.REPLY,
            )
            return
        target = await self.board.notice_target(meetup)
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
        meetup = await self.meetups.by_id(int(row.payload["args"]["meetup"]))
        if meetup is None or meetup.cancelled or meetup.starts_at <= self.now():
            return None
        going = len(await self.meetups.going_members(meetup))
        if meetup.min_attendees is None or going >= meetup.min_attendees:
            return None
        return {
            "content": ui.headcount_prompt(meetup, going, mention=False),
            "view": ui.headcount_view(meetup),
        }

    async def _headcount_fallback(
        self, guild_id: int, member_id: int, args: dict[str, Any], why: str
    ) -> None:
        """No DM for the organiser: ask in the meetup thread instead."""
        await self.scheduler.schedule(
            guild_id,
            HEADCOUNT,
            self.now(),
            subject_id=int(args.get("meetup", 0)),
            payload={"in_thread": True},
        )

    async def decide_headcount(
        self, meetup_id: int, member_id: int, is_admin: bool, choice: HeadcountDecision, now: int
    ) -> Meetup:
        """Keep or cancel after the headcount question; cancel is exactly ``/meetup cancel``."""
        meetup = await self.check_headcount_decision(meetup_id, member_id, is_admin)
        if choice is HeadcountDecision.CANCEL:
            needed = meetup.min_attendees or 0
            meetup = await self.board.cancel_meetup(
                guild_id=meetup.guild_id,
                number=meetup.number,
                member_id=member_id,
                is_admin=is_admin,
                reason=f"Fewer than {needed} people were going.",
                now=now,
            )
        await self.repo.decide_headcount(meetup.id, choice)
        return meetup

    async def check_headcount_decision(self, meetup_id: int, member_id: int, is_admin: bool) -> Meetup:
        """The meetup, if this member may still keep or cancel it (quick: no Discord calls)."""
        meetup = await self.meetups.by_id(meetup_id)
        if meetup is None:
            raise NotFound("This meetup no longer exists.", "/meetup list")
        if not may_manage(meetup.organiser_id, member_id, is_admin):
            raise Forbidden(
                f"Only the organiser of meetup #{meetup.number} or someone with Manage Server can decide.",
                f"/meetup info id:{meetup.number}",
            )
        followup = await self.repo.get(meetup.id)
        if followup is not None and followup.headcount_decision is not None:
            verb = "kept" if followup.headcount_decision is HeadcountDecision.KEEP else "cancelled"
            raise UserError(
                f"Meetup #{meetup.number} was already {verb}.", f"/meetup info id:{meetup.number}"
            )
        if meetup.cancelled:
            raise UserError(f"Meetup #{meetup.number} is already cancelled.", "/meetup list")
        return meetup
