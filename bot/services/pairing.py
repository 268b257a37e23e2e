"""Pairing rounds: join, skip, rounds on a cadence, private group threads, check-in, Did you meet?

A round's life is a handful of durable tasks (:mod:`bot.scheduling.scheduler`), each firing once:

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

Every Discord step is idempotent per group (the message ids it posted are stored), so a task that
fails half-way and is retried finishes the rest without posting anything twice.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord

from bot.adapters.outbound import Outbound, Posted, Undeliverable
from bot.domain.clock import Clock
from bot.domain.errors import Forbidden, NotFound, UserError
from bot.domain.guild_settings import Cadence, GuildSettings, Purpose
from bot.domain.meetings import MeetingContext
from bot.domain.pairing import form_groups
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
from bot.scheduling.scheduler import RetryLater, Scheduler, TaskDropped
from bot.services.config import ConfigService
from bot.services.introductions import IntroductionService
from bot.services.matching import MatchService
from bot.services.meetings import MeetingService
from bot.services.profiles import ProfileService
from bot.storage.database import Database
from bot.storage.pairing import PairingRepository
from bot.ui import pairing as ui

log = logging.getLogger(__name__)

ROUND_TASK = "pairing.round"
OPEN_TASK = "pairing.open"
CHECKIN_TASK = "pairing.checkin"
END_TASK = "pairing.end"
OPEN_RETRY_DELAY = 60
THREAD_ARCHIVE_MINUTES = 10080
WHERE_MET = "in your pairing round"


class PairingService:
    def __init__(
        self,
        outbound: Outbound,
        db: Database,
        repo: PairingRepository,
        *,
        config: ConfigService,
        profiles: ProfileService,
        matching: MatchService,
        meetings: MeetingService,
        introductions: IntroductionService,
        scheduler: Scheduler,
        now: Clock,
    ) -> None:
        self.outbound = outbound
        self.client = outbound.client
        self.db = db
        self.repo = repo
        self.config = config
        self.profiles = profiles
        self.matching = matching
        self.meetings = meetings
        self.introductions = introductions
        self.scheduler = scheduler
        self.now = now
        self._locks: dict[tuple[str, int], asyncio.Lock] = {}
        scheduler.register(ROUND_TASK, self._round_task)
        scheduler.register(OPEN_TASK, self._open_task)
        scheduler.register(CHECKIN_TASK, self._checkin_task)
        scheduler.register(END_TASK, self._end_task)
        config.on_pairing_change(self.pairing_changed)
        outbound.on_forgiven(self._forgiven)

    async def _forgiven(self, guild_id: int) -> None:
        """Permissions changed: threads and posts that were refused are tried again at once."""
        await self.scheduler.hurry(guild_id, (OPEN_TASK, CHECKIN_TASK, END_TASK))

    def _lock(self, kind: str, key: int) -> asyncio.Lock:
        return self._locks.setdefault((kind, key), asyncio.Lock())

    # -- joining ------------------------------------------------------------------------------

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
            next_round_at=await self.next_round_at(guild_id),
            cadence=settings.pairing_cadence,
            size=settings.pairing_size,
        )

    async def next_round_at(self, guild_id: int) -> int | None:
        pending = await self._round_tasks(guild_id, TaskState.PENDING)
        return min((task.due_at for task in pending), default=None)

    async def _round_tasks(self, guild_id: int, *states: TaskState) -> list[ScheduledTask]:
        tasks = await self.scheduler.repo.for_subject(guild_id, [ROUND_TASK], guild_id)
        return [task for task in tasks if task.state in states]

    # -- the cadence --------------------------------------------------------------------------

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

    async def _ensure_next(self, guild_id: int, due: int, *, exclude: int | None) -> None:
        """Schedule the next round unless one is already pending (a retried task must not add two)."""
        tasks = await self._round_tasks(guild_id, TaskState.PENDING, TaskState.RUNNING)
        if not any(task.id != exclude for task in tasks):
            await self.scheduler.schedule(guild_id, ROUND_TASK, due, subject_id=guild_id)

    async def start(self) -> None:
        """At start-up: every server with rounds on has its next round scheduled (repairs a lost one)."""
        now = self.now()
        for guild in self.client.guilds:
            settings = await self.config.settings(guild.id)
            if settings.pairing_cadence is Cadence.OFF:
                continue
            if not await self._round_tasks(guild.id, TaskState.PENDING, TaskState.RUNNING):
                task = await self._schedule_first(settings, now)
                log.warning("guild %s had no pairing round scheduled; next at %d", guild.id, task.due_at)

    # -- forming a round ----------------------------------------------------------------------

    async def run_now(self, guild: discord.Guild, now: int) -> Formed:
        """/pairing run: a round of one period starting now; the cadence then continues after it."""
        async with self._lock("round", guild.id):  # two admins at once must not make two rounds
            current = await self.repo.open_round(guild.id)
            if current is not None:
                raise UserError(
                    f"Round {current.number} is still on until {ui.when(current.ends_at)}; a new round "
                    "starts after it ends."
                )
            settings = await self.config.settings(guild.id)
            await self._pairing_channel(guild)
            ends_at = now + round_days(settings.pairing_cadence) * DAY
            scheduled = settings.pairing_cadence is not Cadence.OFF
            formed = await self._form(
                guild,
                settings,
                now,
                ends_at,
                task_id=None,
                next_round=ends_at if scheduled else None,
                replace=True,
            )
        if formed.round is None:
            raise UserError(ui.no_round_reason(formed.taking_part, formed.left_out))
        await self.open_round(formed.round.id)
        return formed

    async def _round_task(self, task: ScheduledTask) -> None:
        guild = self.client.get_guild(task.guild_id)
        if guild is None:
            raise TaskDropped("the bot is not in this server")
        settings = await self.config.settings(guild.id)
        if settings.pairing_cadence is Cadence.OFF or settings.pairing_cadence.days is None:
            raise TaskDropped("pairing rounds are off")
        async with self._lock("round", guild.id):
            formed = await self.repo.round_for_task(task.id)
            if formed is None:
                formed = await self._scheduled_round(guild, settings, task)
        if formed is not None:
            await self.open_round(formed.id)

    async def _scheduled_round(
        self, guild: discord.Guild, settings: GuildSettings, task: ScheduledTask
    ) -> PairingRound | None:
        """Form the round a cadence slot is due for; None (and the next one scheduled) if none can be."""
        assert settings.pairing_cadence.days is not None
        now = self.now()
        next_due = next_slot(task.due_at, settings.pairing_cadence.days, settings.tz, now)
        previous = await self.repo.open_round(guild.id)
        if previous is not None:
            await self._end_quietly(previous)  # a new round closes the one before
        try:
            channel = await self._pairing_channel(guild)
        except UserError:
            await self._ensure_next(guild.id, next_due, exclude=task.id)
            raise TaskDropped("no pairing channel is configured") from None
        result = await self._form(
            guild, settings, now, next_due, task_id=task.id, next_round=next_due, exclude=task.id
        )
        if result.round is None:
            await self._ensure_next(guild.id, next_due, exclude=task.id)
            if result.left_out:
                await self.outbound.post(
                    channel.id,
                    guild.id,
                    content=ui.no_round_notice(result.left_out, next_due),
                    ping=list(result.left_out),
                )
        return result.round

    async def _form(
        self,
        guild: discord.Guild,
        settings: GuildSettings,
        now: int,
        ends_at: int,
        *,
        task_id: int | None,
        next_round: int | None,
        exclude: int | None = None,
        replace: bool = False,
    ) -> Formed:
        """Group the members taking part and store the round with its tasks, all in one transaction."""
        if not guild.chunked:
            await guild.chunk()  # who is still in the server (the cache may be cold after a start)
        joined = await self.repo.members(guild.id)
        index = await self.matching.index(guild.id)
        skipping = [m.member_id for m in joined if m.skip_next]
        taking_part = [
            candidate
            for m in joined
            if not m.skip_next
            and guild.get_member(m.member_id) is not None
            and (candidate := index.get(m.member_id)) is not None  # has a profile, can be found
        ]
        forbidden = await self.repo.forbidden_pairs(guild.id, RECENT_ROUNDS)
        # Large rounds take a second of CPU: off the event loop, so the gateway keeps its heartbeat.
        result = await asyncio.to_thread(
            form_groups, taking_part, settings.pairing_size, forbidden, seed=now, weights=index.weights()
        )
        if not result.groups:
            return Formed(None, left_out=dict(result.reasons), taking_part=len(taking_part))
        async with self.db.transaction():
            created = await self.repo.create_round(
                guild_id=guild.id,
                size=settings.pairing_size,
                started_at=now,
                halfway_at=halfway(now, ends_at),
                ends_at=ends_at,
                task_id=task_id,
                groups=result.groups,
                left_out=dict(result.reasons),
            )
            await self.repo.clear_skips(guild.id, skipping)
            await self.scheduler.schedule(guild.id, OPEN_TASK, now + OPEN_RETRY_DELAY, subject_id=created.id)
            await self.scheduler.schedule(guild.id, CHECKIN_TASK, created.halfway_at, subject_id=created.id)
            await self.scheduler.schedule(guild.id, END_TASK, created.ends_at, subject_id=created.id)
            if replace:
                for task in await self._round_tasks(guild.id, TaskState.PENDING):
                    await self.scheduler.cancel(task.id)
            if next_round is not None:
                await self._ensure_next(guild.id, next_round, exclude=exclude)
        log.info(
            "guild %s: pairing round %d formed, %d groups, %d left out",
            guild.id,
            created.number,
            len(result.groups),
            len(result.reasons),
        )
        return Formed(
            created, await self.repo.groups(created.id), dict(result.reasons), taking_part=len(taking_part)
        )

    # -- threads and messages -----------------------------------------------------------------

    async def open_round(self, round_id: int) -> None:
        """Create each group's private thread with its greeting, then announce the round. Idempotent."""
        async with self._lock("open", round_id):
            current = await self.repo.round(round_id)
            if current is None:
                return
            guild = self.client.get_guild(current.guild_id)
            if guild is None:
                return
            channel = await self._pairing_channel(guild)
            for group in await self.repo.groups(round_id):
                if group.greeting_id is not None:
                    continue
                thread_id = await self._thread(guild, channel, current, group)
                for member_id in group.member_ids:
                    try:
                        await self.outbound.add_to_thread(thread_id, guild.id, member_id)
                    except Undeliverable as error:
                        log.warning("could not add %s to pairing thread %s (%s)", member_id, thread_id, error)
                posted = await self._send(
                    guild.id,
                    thread_id,
                    content=ui.greeting(current, group),
                    view=ui.plan_view(group.id),
                    ping=group.member_ids,
                )
                await self.repo.set_greeting(group.id, posted.message_id)
            if current.announcement_id is None:
                left_out = await self.repo.left_out(round_id)
                posted = await self._send(
                    guild.id,
                    channel.id,
                    content=ui.round_announcement(current, len(await self.repo.groups(round_id)), left_out),
                    ping=left_out,
                )
                await self.repo.set_announcement(round_id, posted.message_id)

    async def _thread(
        self, guild: discord.Guild, channel: discord.TextChannel, current: PairingRound, group: PairingGroup
    ) -> int:
        """The group's private thread (created once; its id is stored before anything is posted)."""
        if group.thread_id is not None:
            return group.thread_id
        names = [_name(guild, member_id) for member_id in group.member_ids]
        try:
            thread_id = await self.outbound.private_thread(
                channel.id,
                guild.id,
                name=ui.thread_name(current, names),
                archive_minutes=THREAD_ARCHIVE_MINUTES,
            )
        except Undeliverable as error:
            if not error.forbidden:
                raise
            raise UserError(
                f"Round {current.number} is formed, but I can't create private threads in {channel.mention}. "
                "Give Meetbridge Create Private Threads and Send Messages in Threads there; I'll try again "
                "shortly.",
                "/config channel purpose:pairing channel:#pairing",
            ) from error
        await self.repo.set_thread(group.id, thread_id)
        return thread_id

    async def _send(self, guild_id: int, channel_id: int, **message: Any) -> Posted:
        """A post that matters to the round: a refusal raises, so its task retries."""
        try:
            return await self.outbound.post(channel_id, guild_id, **message)
        except Undeliverable as error:
            raise RetryLater(
                str(error), delay=int(error.retry_after) + 1 if error.retry_after else None
            ) from error

    async def _open_task(self, task: ScheduledTask) -> None:
        assert task.subject_id is not None
        if await self.repo.round(task.subject_id) is None:
            raise TaskDropped("the round is gone")
        await self.open_round(task.subject_id)

    async def _checkin_task(self, task: ScheduledTask) -> None:
        """Halfway: one message in each group's thread."""
        assert task.subject_id is not None
        current = await self.repo.round(task.subject_id)
        if current is None or not current.is_open or self.now() >= current.ends_at:
            raise TaskDropped("the round has ended")
        for group in await self.repo.groups(current.id):
            if group.thread_id is None or group.checkin_id is not None:
                continue
            posted = await self._post(
                current.guild_id,
                group.thread_id,
                content=ui.checkin(current, group),
                view=ui.plan_view(group.id),
                ping=group.member_ids,
            )
            if posted is not None:
                await self.repo.set_checkin(group.id, posted.message_id)

    async def _end_task(self, task: ScheduledTask) -> None:
        assert task.subject_id is not None
        await self.end_round(task.subject_id)

    async def end_round(self, round_id: int) -> None:
        """The round is over: ask **Did you meet?** in each thread (once)."""
        async with self._lock("end", round_id):
            current = await self.repo.round(round_id)
            if current is None:
                return
            await self.repo.end_round(round_id)
            for group in await self.repo.groups(round_id):
                if group.thread_id is None or group.ask_id is not None:
                    continue
                posted = await self._post(
                    current.guild_id,
                    group.thread_id,
                    content=ui.did_you_meet(current, group),
                    view=ui.answer_view(group.id),
                    ping=group.member_ids,
                )
                if posted is not None:
                    await self.repo.set_ask(group.id, posted.message_id)

    async def _end_quietly(self, previous: PairingRound) -> None:
        try:
            await self.end_round(previous.id)
        except Exception:
            log.exception("ending pairing round %d before the next failed; its end task retries", previous.id)

    async def _post(self, guild_id: int, thread_id: int, **message: Any) -> Posted | None:
        """Post in a group's thread; None when the thread is gone or closed to us (for good: the
        other groups still get theirs), and other failures raise, to retry."""
        try:
            return await self.outbound.post(thread_id, guild_id, **message)
        except Undeliverable as error:
            if error.permanent:
                log.info("pairing thread %s is gone or closed to us (%s); skipping it", thread_id, error)
                return None
            raise RetryLater(
                str(error), delay=int(error.retry_after) + 1 if error.retry_after else None
            ) from error

    async def _pairing_channel(self, guild: discord.Guild) -> discord.TextChannel:
        channel_id = await self.config.channel_for(guild.id, Purpose.PAIRING)
        channel = guild.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            raise UserError(
                "The pairing channel no longer exists. Someone with Manage Server can choose another:",
                "/config channel purpose:pairing channel:#pairing",
            )
        return channel

    # -- what group members do ----------------------------------------------------------------

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
        self, guild: discord.Guild, group_id: int, member_id: int, answer: Answer, now: int
    ) -> Answered:
        """Record a **Did you meet?** answer; both sides *In person* = met in person, introduced."""
        group = await self.member_group(guild.id, group_id, member_id)
        await self.repo.set_answer(group_id, member_id, answer, now)
        met: list[int] = []
        if answer is Answer.IN_PERSON:
            answers = await self.repo.answers(group_id)
            for other, theirs in answers.items():
                if other == member_id or theirs is not Answer.IN_PERSON:
                    continue
                mine = await self.meetings.pick(
                    guild.id, MeetingContext.PAIRING, group_id, member_id, other, now
                )
                back = await self.meetings.pick(
                    guild.id, MeetingContext.PAIRING, group_id, other, member_id, now
                )
                if mine.mutual or back.mutual:
                    met.append(other)
                    await self.introductions.introduce(guild.id, member_id, other, where=WHERE_MET)
        await self.matching.touch(guild.id, member_id, now)
        current = await self.repo.round(group.round_id)
        return Answered(answer, met, current.number if current else 0)


def _name(guild: discord.Guild, member_id: int) -> str:
    member = guild.get_member(member_id)
    return member.display_name if member is not None else str(member_id)
