"""The Discord side of pairing rounds: the cadence's tasks, each group's private thread with its
greeting, the halfway check-in, **Did you meet?**, and the round's announcement.

Every Discord step is idempotent per group (the message ids it posted are stored), so a task that
fails half-way and is retried finishes the rest without posting anything twice. Who is still in
the server is read from the member cache (filled first if it is cold) and handed to
:meth:`bot.services.pairing.PairingRounds.form`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import discord

from bot.adapters.outbound import Outbound, Posted, Undeliverable
from bot.domain.clock import Clock
from bot.domain.errors import UserError
from bot.domain.guild_settings import Cadence, GuildSettings, Purpose
from bot.domain.pairing_rounds import Formed, PairingGroup, PairingRound
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import RetryLater, Scheduler, TaskDropped
from bot.services.config import ConfigService
from bot.services.locks import KeyedLocks
from bot.services.pairing import CHECKIN_TASK, END_TASK, OPEN_TASK, ROUND_TASK, ROUND_TASKS, PairingRounds
from bot.ui import pairing as ui

log = logging.getLogger(__name__)

THREAD_ARCHIVE_MINUTES = 10080


class PairingBoard:
    def __init__(
        self,
        outbound: Outbound,
        rounds: PairingRounds,
        config: ConfigService,
        scheduler: Scheduler,
        *,
        now: Clock,
    ) -> None:
        self.outbound = outbound
        self.client = outbound.client
        self.rounds = rounds
        self.config = config
        self.scheduler = scheduler
        self.now = now
        self._opening: KeyedLocks[int] = KeyedLocks()  # per round: its threads are made once
        self._ending: KeyedLocks[int] = KeyedLocks()
        scheduler.register(ROUND_TASK, self._round_task)
        scheduler.register(OPEN_TASK, self._open_task)
        scheduler.register(CHECKIN_TASK, self._checkin_task)
        scheduler.register(END_TASK, self._end_task)
        outbound.on_forgiven(self._forgiven)

    async def _forgiven(self, guild_id: int) -> None:
        """Permissions changed: threads and posts that were refused are tried again at once."""
        await self.scheduler.hurry(guild_id, ROUND_TASKS)

    async def start(self) -> None:
        """At start-up: every server with rounds on has its next round scheduled (repairs a lost one)."""
        await self.rounds.start([guild.id for guild in self.client.guilds])

    # -- forming a round ----------------------------------------------------------------------

    async def run_now(self, guild: discord.Guild, now: int) -> Formed:
        """/pairing run: a round of one period starting now; the cadence then continues after it."""
        async with self.rounds.forming(guild.id):
            current = await self.rounds.open_round(guild.id)
            if current is not None:
                raise UserError(
                    f"Round {current.number} is still on until {ui.when(current.ends_at)}; a new round "
                    "starts after it ends."
                )
            settings = await self.config.settings(guild.id)
            await self._pairing_channel(guild)
            ends_at = self.rounds.run_ends_at(settings, now)
            scheduled = settings.pairing_cadence is not Cadence.OFF
            formed = await self.rounds.form(
                guild.id,
                settings,
                now,
                ends_at,
                present=await self._present(guild),
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
        async with self.rounds.forming(guild.id):
            formed = await self.rounds.formed_by(task)
            if formed is None:
                formed = await self._scheduled_round(guild, settings, task)
        if formed is not None:
            await self.open_round(formed.id)

    async def _scheduled_round(
        self, guild: discord.Guild, settings: GuildSettings, task: ScheduledTask
    ) -> PairingRound | None:
        """Form the round a cadence slot is due for; None (and the next one scheduled) if none can be."""
        now = self.now()
        next_due = self.rounds.next_due(task, settings, now)
        previous = await self.rounds.open_round(guild.id)
        if previous is not None:
            await self._end_quietly(previous)  # a new round closes the one before
        try:
            channel = await self._pairing_channel(guild)
        except UserError:
            await self.rounds.ensure_next(guild.id, next_due, exclude=task.id)
            raise TaskDropped("no pairing channel is configured") from None
        result = await self.rounds.form(
            guild.id,
            settings,
            now,
            next_due,
            present=await self._present(guild),
            task_id=task.id,
            next_round=next_due,
            exclude=task.id,
        )
        if result.round is None:
            await self.rounds.ensure_next(guild.id, next_due, exclude=task.id)
            if result.left_out:
                await self.outbound.post(
                    channel.id,
                    guild.id,
                    content=ui.no_round_notice(result.left_out, next_due),
                    ping=list(result.left_out),
                )
        return result.round

    @staticmethod
    async def _present(guild: discord.Guild) -> Callable[[int], bool]:
        """Who is still in the server (the member cache is filled first: it may be cold after a start)."""
        if not guild.chunked:
            await guild.chunk()
        return lambda member_id: guild.get_member(member_id) is not None

    # -- threads and messages -----------------------------------------------------------------

    async def open_round(self, round_id: int) -> None:
        """Create each group's private thread with its greeting, then announce the round. Idempotent."""
        async with self._opening.hold(round_id):
            current = await self.rounds.round(round_id)
            if current is None:
                return
            guild = self.client.get_guild(current.guild_id)
            if guild is None:
                return
            channel = await self._pairing_channel(guild)
            for group in await self.rounds.groups(round_id):
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
                await self.rounds.greeted(group, posted.message_id)
            if current.announcement_id is None:
                left_out = await self.rounds.left_out(round_id)
                posted = await self._send(
                    guild.id,
                    channel.id,
                    content=ui.round_announcement(current, len(await self.rounds.groups(round_id)), left_out),
                    ping=left_out,
                )
                await self.rounds.announced(current, posted.message_id)

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
        await self.rounds.thread_opened(group, thread_id)
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
        if await self.rounds.round(task.subject_id) is None:
            raise TaskDropped("the round is gone")
        await self.open_round(task.subject_id)

    async def _checkin_task(self, task: ScheduledTask) -> None:
        """Halfway: one message in each group's thread."""
        assert task.subject_id is not None
        current = await self.rounds.round(task.subject_id)
        if current is None or not current.is_open or self.now() >= current.ends_at:
            raise TaskDropped("the round has ended")
        for group in await self.rounds.groups(current.id):
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
                await self.rounds.checked_in(group, posted.message_id)

    async def _end_task(self, task: ScheduledTask) -> None:
        assert task.subject_id is not None
        await self.end_round(task.subject_id)

    async def end_round(self, round_id: int) -> None:
        """The round is over: ask **Did you meet?** in each thread (once)."""
        async with self._ending.hold(round_id):
            current = await self.rounds.round(round_id)
            if current is None:
                return
            await self.rounds.end(round_id)
            for group in await self.rounds.groups(round_id):
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
                    await self.rounds.asked(group, posted.message_id)

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


def _name(guild: discord.Guild, member_id: int) -> str:
    member = guild.get_member(member_id)
    return member.display_name if member is not None else str(member_id)
