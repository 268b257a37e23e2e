"""One nudge before a meetup to those who haven't decided (``/config reminders undecided``).

``meetup.undecided`` (planned with the meetup's reminders, 48 hours before it by default) chooses,
in one transaction: the members who answered Maybe, and those who voted for the time and place its
poll chose but have not answered. Each is recorded in ``meetup_nudges`` (so nobody is nudged twice
for the same meetup, whatever is rescheduled or retried), the choice is kept in the task's payload,
and a DM copy is queued for those with DMs on. The Discord side (:mod:`bot.boards.undecided`) posts
the one thread message that mentions them, with **Going** / **Can't go**.
"""

from __future__ import annotations

from dataclasses import replace

from bot.domain.clock import Clock
from bot.domain.consent import DmKind
from bot.domain.meetups import Meetup, RsvpStatus
from bot.domain.outbox import OutboxMessage
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import Scheduler, TaskDropped
from bot.services.meetups import MeetupService
from bot.services.outbox import DmOutbox
from bot.services.polls import PollService
from bot.storage.database import Database
from bot.storage.followups import FollowupRepository

UNDECIDED_DM = "undecided"
"""The outbox renderer of the nudge's copy by DM."""


class UndecidedService:
    def __init__(
        self,
        db: Database,
        repo: FollowupRepository,
        meetups: MeetupService,
        polls: PollService,
        outbox: DmOutbox,
        scheduler: Scheduler,
        *,
        now: Clock,
    ) -> None:
        self.db = db
        self.repo = repo
        self.meetups = meetups
        self.polls = polls
        self.outbox = outbox
        self.scheduler = scheduler
        self.now = now

    async def live(self, meetup_id: int | None) -> Meetup:
        meetup = await self.meetups.by_id(meetup_id) if meetup_id is not None else None
        if meetup is None or meetup.cancelled:
            raise TaskDropped("the meetup is gone or cancelled")
        if meetup.starts_at <= self.now():
            raise TaskDropped("the meetup has started")
        return meetup

    async def choose(self, task: ScheduledTask) -> tuple[ScheduledTask, Meetup, list[int]]:
        """The members to nudge, chosen once (a retry keeps the first choice), with the task as it
        is stored now."""
        meetup = await self.live(task.subject_id)
        if "members" in task.payload:
            return task, meetup, [int(member) for member in task.payload["members"]]
        now = self.now()
        maybe = await self.meetups.members(meetup, RsvpStatus.MAYBE)
        answered = await self.meetups.answered(meetup)
        voters = [m for m in await self.polls.voters_for_winner(meetup) if m not in answered]
        async with self.db.transaction():
            chosen = [
                member
                for member in dict.fromkeys([*maybe, *voters])
                if await self.repo.claim_nudge(meetup.guild_id, meetup.id, member, now)
            ]
            payload = {**task.payload, "members": chosen}
            await self.scheduler.set_payload(task.id, payload)
            await self.outbox.enqueue(
                meetup.guild_id,
                chosen,
                OutboxMessage(render=UNDECIDED_DM, args={"meetup": meetup.id}),
                key=f"undecided:{meetup.id}",
                kind=DmKind.NOTICE,
                fallback=False,  # the thread message mentions them anyway
            )
        await self.outbox.kick()
        return replace(task, payload=payload), meetup, chosen

    async def still_undecided(self, meetup_id: int, member_id: int) -> Meetup | None:
        """The meetup of a queued nudge DM, while the member is still undecided and it is ahead."""
        meetup = await self.meetups.by_id(meetup_id)
        if meetup is None or meetup.cancelled or meetup.starts_at <= self.now():
            return None
        answer = await self.meetups.answer_of(meetup, member_id)
        if answer is not None and answer is not RsvpStatus.MAYBE:
            return None
        return meetup
