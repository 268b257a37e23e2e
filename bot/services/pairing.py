"""Pairing rounds as use cases: who takes part, the cadence, forming a round, Did you meet?

A round's life is a handful of durable tasks (:mod:`bot.scheduling.scheduler`), each firing once,
run by the Discord side (:mod:`bot.boards.pairing`):

- ``pairing.round`` (subject: the server) forms the groups at a cadence slot, schedules the
  round's own tasks and the next round, then opens the threads. A ``/pairing run`` does the same
  at once. The round row remembers the task that formed it, so a retry never forms it twice.
- ``pairing.open`` (subject: the round) a minute later finishes any thread or greeting a failure
  left undone; normally there is nothing left to do.
- ``pairing.checkin`` halfway posts one check-in in each group's thread.
- ``pairing.end`` asks **Did you meet?** in each thread. Answers are recorded per member; two
  members of a group who both answer *In person* are recorded as met in person through
  :class:`MeetingService` (context ``pairing``, the group id), and introduced by DM, as after a
  meetup.

:class:`PairingRounds` keeps the cadence and forms rounds (grouping in one transaction with the
round's tasks); :class:`PairingMembers` is /pairing join, leave and skip; :class:`PairingAnswers`
is what group members do (plan a meetup in their thread, answer Did you meet?).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from bot.domain.clock import Clock
from bot.domain.errors import Forbidden, NotFound, UserError
from bot.domain.guild_settings import Cadence, GuildSettings
from bot.domain.meetings import MeetingContext
from bot.domain.pairing import UnmatchedReason, form_groups
from bot.domain.pairing_rounds import (
    DAY,
    RECENT_ROUNDS,
    Answer,
    Answered,
    Formed,
    Membership,
    PairingGroup,
    PairingRound,
    first_slot,
    halfway,
    next_slot,
    round_days,
)
from bot.domain.tasks import ScheduledTask, TaskState
from bot.scheduling.scheduler import Scheduler
from bot.services.blocks import BlockService
from bot.services.config import ConfigService
from bot.services.introductions import IntroductionService
from bot.services.locks import KeyedLocks
from bot.services.matching import MatchService
from bot.services.meetings import MeetingService
from bot.services.profiles import ProfileService
from bot.services.reports import Restrictions
from bot.storage.database import Database
from bot.storage.pairing import PairingRepository

log = logging.getLogger(__name__)

ROUND_TASK = "pairing.round"
OPEN_TASK = "pairing.open"
CHECKIN_TASK = "pairing.checkin"
END_TASK = "pairing.end"
ROUND_TASKS = (OPEN_TASK, CHECKIN_TASK, END_TASK)
OPEN_RETRY_DELAY = 60
WHERE_MET = "in your pairing round"


class PairingRounds:
    """The cadence of rounds in each server, and forming one: groups, round row and tasks."""

    def __init__(
        self,
        db: Database,
        repo: PairingRepository,
        config: ConfigService,
        matching: MatchService,
        scheduler: Scheduler,
        blocks: BlockService,
        restrictions: Restrictions,
        *,
        now: Clock,
    ) -> None:
        self.db = db
        self.repo = repo
        self.config = config
        self.matching = matching
        self.blocks = blocks
        self.restrictions = restrictions
        self.scheduler = scheduler
        self.now = now
        self._forming: KeyedLocks[int] = KeyedLocks()
        config.on_pairing_change(self.pairing_changed)

    # -- the cadence --------------------------------------------------------------------------

    async def next_round_at(self, guild_id: int) -> int | None:
        pending = await self._round_tasks(guild_id, TaskState.PENDING)
        return min((task.due_at for task in pending), default=None)

    async def _round_tasks(self, guild_id: int, *states: TaskState) -> list[ScheduledTask]:
        tasks = await self.scheduler.for_subject(guild_id, [ROUND_TASK], guild_id)
        return [task for task in tasks if task.state in states]

    async def pairing_changed(self, before: GuildSettings, after: GuildSettings, now: int) -> None:
        """/config pairing: a new cadence replaces the pending round (off: no round is scheduled)."""
        pending = await self._round_tasks(after.guild_id, TaskState.PENDING)
        if before.pairing_cadence == after.pairing_cadence and pending:
            return  # only the size changed: the next round keeps its time
        for task in pending:
            await self.scheduler.cancel(task.id)
        if after.pairing_cadence is not Cadence.OFF:
            await self._schedule_first(after, now)

    async def _schedule_first(self, settings: GuildSettings, now: int) -> ScheduledTask:
        """The first round on a cadence: the first slot after now and after any open round ends."""
        current = await self.repo.open_round(settings.guild_id)
        not_before = max(now + 1, current.ends_at if current else 0)
        due = first_slot(not_before, settings.tz)
        return await self.scheduler.schedule(settings.guild_id, ROUND_TASK, due, subject_id=settings.guild_id)

    async def ensure_next(self, guild_id: int, due: int, *, exclude: int | None) -> None:
        """Schedule the next round unless one is already pending (a retried task must not add two)."""
        tasks = await self._round_tasks(guild_id, TaskState.PENDING, TaskState.RUNNING)
        if not any(task.id != exclude for task in tasks):
            await self.scheduler.schedule(guild_id, ROUND_TASK, due, subject_id=guild_id)

    async def start(self, guild_ids: list[int]) -> None:
        """At start-up: every server with rounds on has its next round scheduled (repairs a lost one)."""
        now = self.now()
        pairing_on = await self.config.with_pairing_on()  # one query: most servers never turn it on
        for guild_id in guild_ids:
            if guild_id not in pairing_on:
                continue
            settings = await self.config.settings(guild_id)
            if settings.pairing_cadence is Cadence.OFF:
                continue
            if not await self._round_tasks(guild_id, TaskState.PENDING, TaskState.RUNNING):
                task = await self._schedule_first(settings, now)
                log.warning("guild %s had no pairing round scheduled; next at %d", guild_id, task.due_at)

    def next_due(self, task: ScheduledTask, settings: GuildSettings, now: int) -> int:
        """When the round after the one a cadence slot is due for starts."""
        assert settings.pairing_cadence.days is not None
        return next_slot(task.due_at, settings.pairing_cadence.days, settings.tz, now)

    # -- forming a round ----------------------------------------------------------------------

    @asynccontextmanager
    async def forming(self, guild_id: int) -> AsyncIterator[None]:
        """One round formed at a time per server (two admins at once must not make two rounds)."""
        async with self._forming.hold(guild_id):
            yield

    async def form(
        self,
        guild_id: int,
        settings: GuildSettings,
        now: int,
        ends_at: int,
        *,
        present: Callable[[int], bool],
        task_id: int | None,
        next_round: int | None,
        exclude: int | None = None,
        replace: bool = False,
    ) -> Formed:
        """Group the members taking part (``present`` says who is still in the server) and store
        the round with its tasks, all in one transaction.

        Members a moderator paused or removed from pairing sit the round out without a word;
        two members kept apart by a block are never grouped (a hard rule, like a recent pair).
        """
        joined = await self.repo.members(guild_id)
        index = await self.matching.index(guild_id)
        kept_out = await self.restrictions.kept_from_pairing(guild_id, now)
        skipping = [m.member_id for m in joined if m.skip_next]
        taking_part = [
            candidate
            for m in joined
            if not m.skip_next
            and m.member_id not in kept_out
            and present(m.member_id)
            and (candidate := index.get(m.member_id)) is not None  # has a profile, can be found
        ]
        forbidden = await self.repo.forbidden_pairs(guild_id, RECENT_ROUNDS)
        blocked = await self.blocks.pairs(guild_id)
        # Large rounds take a second of CPU: off the event loop, so the gateway keeps its heartbeat.
        result = await asyncio.to_thread(
            form_groups,
            taking_part,
            settings.pairing_size,
            forbidden,
            seed=now,
            weights=index.weights(),
            blocked=blocked,
        )
        if not result.groups:
            return Formed(None, left_out=dict(result.reasons), taking_part=len(taking_part))
        async with self.db.transaction():
            created = await self.repo.create_round(
                guild_id=guild_id,
                size=settings.pairing_size,
                started_at=now,
                halfway_at=halfway(now, ends_at),
                ends_at=ends_at,
                task_id=task_id,
                groups=result.groups,
                left_out=dict(result.reasons),
            )
            await self.repo.clear_skips(guild_id, skipping)
            await self.scheduler.schedule(guild_id, OPEN_TASK, now + OPEN_RETRY_DELAY, subject_id=created.id)
            await self.scheduler.schedule(guild_id, CHECKIN_TASK, created.halfway_at, subject_id=created.id)
            await self.scheduler.schedule(guild_id, END_TASK, created.ends_at, subject_id=created.id)
            if replace:
                for task in await self._round_tasks(guild_id, TaskState.PENDING):
                    await self.scheduler.cancel(task.id)
            if next_round is not None:
                await self.ensure_next(guild_id, next_round, exclude=exclude)
        log.info(
            "guild %s: pairing round %d formed, %d groups, %d left out",
            guild_id,
            created.number,
            len(result.groups),
            len(result.reasons),
        )
        return Formed(
            created, await self.repo.groups(created.id), dict(result.reasons), taking_part=len(taking_part)
        )

    def run_ends_at(self, settings: GuildSettings, now: int) -> int:
        """/pairing run: a round of one period starting now."""
        return now + round_days(settings.pairing_cadence) * DAY

    # -- a round's state, as its threads and messages go out ------------------------------------

    async def round(self, round_id: int) -> PairingRound | None:
        return await self.repo.round(round_id)

    async def open_round(self, guild_id: int) -> PairingRound | None:
        """The server's round still on, if any."""
        return await self.repo.open_round(guild_id)

    async def formed_by(self, task: ScheduledTask) -> PairingRound | None:
        """The round a cadence task already formed (it is being retried)."""
        return await self.repo.round_for_task(task.id)

    async def groups(self, round_id: int) -> list[PairingGroup]:
        return await self.repo.groups(round_id)

    async def left_out(self, round_id: int) -> dict[int, UnmatchedReason]:
        return await self.repo.left_out(round_id)

    async def end(self, round_id: int) -> None:
        """The round is over: answers to Did you meet? are what is left."""
        await self.repo.end_round(round_id)

    async def thread_opened(self, group: PairingGroup, thread_id: int) -> None:
        await self.repo.set_thread(group.id, thread_id)

    async def greeted(self, group: PairingGroup, message_id: int) -> None:
        await self.repo.set_greeting(group.id, message_id)

    async def checked_in(self, group: PairingGroup, message_id: int) -> None:
        await self.repo.set_checkin(group.id, message_id)

    async def asked(self, group: PairingGroup, message_id: int) -> None:
        await self.repo.set_ask(group.id, message_id)

    async def announced(self, current: PairingRound, message_id: int) -> None:
        await self.repo.set_announcement(current.id, message_id)


class PairingMembers:
    """/pairing join, leave and skip."""

    def __init__(
        self,
        repo: PairingRepository,
        config: ConfigService,
        profiles: ProfileService,
        rounds: PairingRounds,
        restrictions: Restrictions,
    ) -> None:
        self.repo = repo
        self.config = config
        self.profiles = profiles
        self.rounds = rounds
        self.restrictions = restrictions

    async def join(self, guild_id: int, member_id: int, now: int) -> Membership:
        """Join rounds, or come back after ``skip``. Needs a profile and discovery on."""
        if await self.profiles.get_profile(guild_id, member_id) is None:
            raise NotFound(
                "Introduce yourself with `/intro` first, so your group knows what you're into.", "/intro"
            )
        if not (await self.profiles.preferences(guild_id, member_id)).discoverable:
            raise UserError(
                "Pairing only groups members who can be found, and you turned discovery off. "
                "Turn it back on first:",
                "/privacy discoverable state:on",
            )
        await self.restrictions.check_pairing(guild_id, member_id, now)
        before = await self.repo.member(guild_id, member_id)
        await self.repo.join(guild_id, member_id, now)
        return await self._membership(guild_id, changed=before is None or before.skip_next)

    async def leave(self, guild_id: int, member_id: int) -> Membership:
        left = await self.repo.leave(guild_id, member_id)
        return await self._membership(guild_id, changed=left)

    async def skip(self, guild_id: int, member_id: int) -> Membership:
        """Sit out the next round only; the member is back in automatically after it."""
        before = await self.repo.member(guild_id, member_id)
        if before is None:
            raise UserError(
                "You haven't joined pairing rounds, so there is nothing to skip.", "/pairing join"
            )
        await self.repo.set_skip(guild_id, member_id, True)
        return await self._membership(guild_id, changed=not before.skip_next)

    async def _membership(self, guild_id: int, *, changed: bool) -> Membership:
        settings = await self.config.settings(guild_id)
        return Membership(
            changed=changed,
            next_round_at=await self.rounds.next_round_at(guild_id),
            cadence=settings.pairing_cadence,
            size=settings.pairing_size,
        )


class PairingAnswers:
    """What the members of a group do: plan a meetup in their thread, answer Did you meet?"""

    def __init__(
        self,
        repo: PairingRepository,
        meetings: MeetingService,
        introductions: IntroductionService,
        matching: MatchService,
    ) -> None:
        self.repo = repo
        self.meetings = meetings
        self.introductions = introductions
        self.matching = matching

    async def member_group(self, guild_id: int, group_id: int, member_id: int) -> PairingGroup:
        """The group, if this member is in it; refused otherwise."""
        group = await self.repo.group(group_id)
        if group is None or group.guild_id != guild_id:
            raise NotFound("That pairing group no longer exists.")
        if member_id not in group.member_ids:
            raise Forbidden("Only the members of this pairing group can use these buttons.")
        return group

    async def group_thread(self, guild_id: int, group_id: int, member_id: int) -> int:
        """The group's thread, where its **Plan a meetup** poll goes (members of the group only)."""
        group = await self.member_group(guild_id, group_id, member_id)
        if group.thread_id is None:
            raise UserError("Your group's thread is not ready yet; try again in a minute.")
        return group.thread_id

    async def answer(
        self, guild_id: int, group_id: int, member_id: int, answer: Answer, now: int
    ) -> Answered:
        """Record a **Did you meet?** answer; both sides *In person* = met in person, introduced."""
        group = await self.member_group(guild_id, group_id, member_id)
        await self.repo.set_answer(group_id, member_id, answer, now)
        met: list[int] = []
        if answer is Answer.IN_PERSON:
            answers = await self.repo.answers(group_id)
            for other, theirs in answers.items():
                if other == member_id or theirs is not Answer.IN_PERSON:
                    continue
                mine = await self.meetings.pick(
                    guild_id, MeetingContext.PAIRING, group_id, member_id, other, now
                )
                back = await self.meetings.pick(
                    guild_id, MeetingContext.PAIRING, group_id, other, member_id, now
                )
                if mine.mutual or back.mutual:
                    met.append(other)
                    await self.introductions.introduce(guild_id, member_id, other, where=WHERE_MET)
        await self.matching.touch(guild_id, member_id, now)
        current = await self.repo.round(group.round_id)
        return Answered(answer, met, current.number if current else 0)
