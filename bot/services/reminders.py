"""Reminders before meetups, and the headcount question at the first one: the planning.

Listens to meetups (:class:`MeetupListener`): when one is announced, a ``meetup.reminder`` task is
written for each of the server's offsets still ahead, plus **Who came?** at its end and the close of
check-in 72 h later; when its time changes they are replaced; when it is cancelled they are
cancelled. The Discord side (:mod:`bot.boards.reminders`) runs those tasks.

A reminder task only *plans*, in one transaction (:meth:`RemindersService.plan`): one
``meetup.reminder.post`` task per message (the Going members' mentions split under 2,000
characters, each message given a send second by the :class:`SendPlanner` so that no channel gets
more than 5 messages in 5 seconds), the DM copies in the outbox for members with DMs on, and, the
first time, the headcount question. Each post is its own task: a REST failure retries that message
with the scheduler's backoff and records the error, and a retry never posts again what already
went out.

A reminder missed while the bot was down runs on start if its meetup has not started (and no later
reminder of the same meetup is also due); otherwise it is dropped, with the reason recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

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
    UNDECIDED,
    WHOCAME,
    HeadcountDecision,
    reminder_times,
    superseded,
)
from bot.domain.meetups import Meetup, may_manage
from bot.domain.outbox import OutboxMessage
from bot.domain.pacing import SendPlanner
from bot.domain.tasks import ScheduledTask, TaskState
from bot.scheduling.scheduler import Scheduler, TaskDropped
from bot.services.config import ConfigService
from bot.services.meetups import MeetupListener, MeetupService
from bot.services.outbox import DmOutbox
from bot.storage.database import Database
from bot.storage.followups import FollowupRepository

log = logging.getLogger(__name__)

REMINDER_DM = "reminder"
"""The outbox renderer of a reminder's copy by DM."""
HEADCOUNT_DM = "headcount"
"""The outbox renderer of the headcount question to the organiser."""
_LIVE = (TaskState.PENDING, TaskState.RUNNING, TaskState.DONE)


class RemindersService(MeetupListener):
    def __init__(
        self,
        db: Database,
        repo: FollowupRepository,
        meetups: MeetupService,
        config: ConfigService,
        scheduler: Scheduler,
        outbox: DmOutbox,
        *,
        now: Clock,
        planner: SendPlanner | None = None,
    ) -> None:
        self.db = db
        self.repo = repo
        self.meetups = meetups
        self.config = config
        self.scheduler = scheduler
        self.outbox = outbox
        self.now = now
        self.planner = planner or SendPlanner()
        meetups.subscribe(self)
        outbox.register_fallback(HEADCOUNT_DM, self._headcount_fallback)

    async def start(self) -> None:
        """Repair from the database, before timed work resumes: every announced meetup's follow-ups
        match its current time and state, whatever step a stop interrupted."""
        now = self.now()
        dropped = await self.repo.cancel_followups_of_cancelled(MEETUP_KINDS, now)
        if dropped:
            log.warning("dropped %d follow-up(s) of cancelled meetups", dropped)
        for meetup in await self.repo.out_of_step(now):
            if not self.scheduler.owns(meetup.guild_id):
                continue  # another shard process repairs its own servers
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
        settings = await self.config.settings(meetup.guild_id)
        offsets = settings.reminder_offsets
        scheduled: list[ScheduledTask] = []
        async with self.db.transaction():
            await self.scheduler.cancel_for_subject(
                meetup.guild_id, (REMINDER, REMINDER_POST, WHOCAME, CHECKIN_CLOSE, UNDECIDED), meetup.id
            )
            # One nudge to the undecided (members already nudged for this meetup are not again).
            if settings.undecided and meetup.starts_at - settings.undecided > now:
                scheduled.append(
                    await self.scheduler.schedule(
                        meetup.guild_id,
                        UNDECIDED,
                        meetup.starts_at - settings.undecided,
                        subject_id=meetup.id,
                        payload={"starts_at": meetup.starts_at},
                    )
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
            # The times they were planned for, with them: start-up compares these with the meetup's.
            await self.repo.mark_scheduled(meetup, now)
        return scheduled

    # -- the reminder ----------------------------------------------------------------------------

    async def live_meetup(self, meetup_id: int | None, now: int) -> Meetup:
        """The meetup a reminder task is about, while reminding of it still makes sense."""
        meetup = await self.meetups.by_id(meetup_id) if meetup_id is not None else None
        if meetup is None:
            raise TaskDropped("the meetup no longer exists")
        if meetup.cancelled:
            raise TaskDropped("the meetup was cancelled")
        if meetup.starts_at <= now:
            raise TaskDropped("the meetup has started")
        return meetup

    async def going(self, meetup: Meetup) -> list[int]:
        return await self.meetups.going_members(meetup)

    async def superseded(self, task: ScheduledTask, meetup: Meetup, now: int) -> bool:
        """A later reminder of the same meetup is due too (after downtime): only it is worth posting."""
        siblings = await self.scheduler.for_subject(meetup.guild_id, [REMINDER], meetup.id)
        return superseded(
            task.due_at, (s.due_at for s in siblings if s.id != task.id and s.state in _LIVE), now
        )

    async def planned(self, task: ScheduledTask, meetup: Meetup) -> bool:
        """This reminder's posts were planned before an interruption (its DMs may still wait)."""
        posts = await self.scheduler.for_subject(meetup.guild_id, [REMINDER_POST], meetup.id)
        return any(post.payload.get("reminder") == task.id for post in posts)

    async def plan(
        self,
        task: ScheduledTask,
        meetup: Meetup,
        channel_id: int,
        parts: Sequence[Sequence[int]],
        going: Sequence[int],
        now: int,
    ) -> None:
        """One transaction: a post task per part (the members each mentions), paced in the channel;
        the DM copies; and, the first time, the headcount question. Then the DMs start going out."""
        send_at = self.planner.plan(channel_id, len(parts), now)
        async with self.db.transaction():
            for part, (members, at) in enumerate(zip(parts, send_at, strict=True)):
                await self.scheduler.schedule(
                    meetup.guild_id,
                    REMINDER_POST,
                    at,
                    subject_id=meetup.id,
                    payload={
                        "reminder": task.id,
                        "part": part,
                        "channel_id": channel_id,
                        "members": list(members),
                    },
                )
            # A copy by DM for members who turned DMs on (a reminder is the bot's own initiative).
            await self.outbox.enqueue(
                meetup.guild_id,
                going,
                OutboxMessage(render=REMINDER_DM, args={"meetup": meetup.id}),
                key=f"reminder:{task.id}",
                kind=DmKind.NOTICE,
            )
            if meetup.min_attendees and await self.repo.claim_headcount_check(
                meetup.guild_id, meetup.id, now
            ):
                await self.scheduler.schedule(meetup.guild_id, HEADCOUNT, now, subject_id=meetup.id)
        await self.outbox.kick()

    async def deliver(self) -> None:
        """DMs queued by a reminder planned before an interruption go out."""
        await self.outbox.kick()

    async def still_upcoming(self, meetup_id: int) -> Meetup | None:
        """The meetup of a queued DM, unless it was cancelled or has begun since."""
        meetup = await self.meetups.by_id(meetup_id)
        if meetup is None or meetup.cancelled or meetup.starts_at <= self.now():
            return None
        return meetup

    # -- minimum headcount -----------------------------------------------------------------------

    async def ask_organiser(self, meetup: Meetup) -> None:
        """Keep or cancel? by DM: a question about the organiser's own meetup."""
        await self.outbox.send(
            meetup.guild_id,
            [meetup.organiser_id],
            OutboxMessage(render=HEADCOUNT_DM, args={"meetup": meetup.id}),
            key=f"headcount:{meetup.id}",
            kind=DmKind.REPLY,
        )

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

    async def record_headcount_decision(self, meetup: Meetup, decision: HeadcountDecision) -> None:
        await self.repo.decide_headcount(meetup.id, decision)
