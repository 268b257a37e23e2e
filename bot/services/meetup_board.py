"""The Discord side of meetups: poll messages and their live tally, announcements with RSVP
buttons, native scheduled events, the meetup thread, and telling members what changed.

:class:`MeetupService` and :class:`PollService` own the rules and the database; this class turns
their results into messages. Cogs (and other features, e.g. pairing's "Plan a meetup" button) call
one method here per use case.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime

import discord

from bot.clock import from_epoch, now_epoch
from bot.domain.errors import UserError
from bot.domain.guild_settings import Purpose
from bot.domain.meetups import Meetup, RsvpOutcome, RsvpStatus
from bot.domain.polls import OptionKey, Poll, normalise_emoji
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import Scheduler, TaskDropped
from bot.services.coalesce import Coalescer
from bot.services.config import ConfigService
from bot.services.meetups import MeetupEdit, MeetupService
from bot.services.polls import CLOSE_TASK, REMIND_TASK, PollClosed, PollService
from bot.ui import meetups as ui

log = logging.getLogger(__name__)

POLL_EDIT_INTERVAL = 2.0
"""Seconds between two edits of one poll's tally, however many reactions arrive."""

THREAD_ARCHIVE_MINUTES = 10080
REMIND_LATENESS = 1800  # a "closes in an hour" nudge half an hour late is still worth it


class MeetupBoard:
    def __init__(
        self,
        client: discord.Client,
        meetups: MeetupService,
        polls: PollService,
        config: ConfigService,
        scheduler: Scheduler,
        *,
        poll_edit_interval: float = POLL_EDIT_INTERVAL,
    ) -> None:
        self.client = client
        self.meetups = meetups
        self.polls = polls
        self.config = config
        self.scheduler = scheduler
        self.poll_renders: Coalescer[int] = Coalescer(
            self._render_poll, interval=poll_edit_interval, name="poll"
        )
        self.announcement_renders: Coalescer[int] = Coalescer(
            self._render_announcement, interval=0, name="announcement"
        )
        self._thread_locks: dict[int, asyncio.Lock] = {}
        polls.on_votes_changed = self.poll_renders.request
        scheduler.register(CLOSE_TASK, self._close_task)
        scheduler.register(REMIND_TASK, self._remind_task, max_lateness=REMIND_LATENESS)

    # -- start and stop ----------------------------------------------------------------------

    async def start(self) -> None:
        """Before timed work resumes: count reactions made while we were away, finish announcements."""
        for poll in await self.polls.load_open():
            try:
                await self.reconcile(poll)
            except Exception:
                log.exception("reconciling poll %d failed; its stored votes are kept", poll.id)
        for meetup in await self.meetups.unannounced():
            if meetup.starts_at <= now_epoch():
                continue  # too late to announce
            try:
                await self._publish(meetup, await self._announce_channel(meetup))
            except Exception:
                log.exception("announcing meetup %d failed", meetup.id)

    def close(self) -> None:
        self.poll_renders.close()
        self.announcement_renders.close()

    # -- polls -------------------------------------------------------------------------------

    async def plan_poll(
        self,
        *,
        guild_id: int,
        organiser_id: int,
        title: str,
        times: str,
        places: str | None,
        closes: str | None,
        now: datetime,
        capacity: int | None = None,
        min_attendees: int | None = None,
        channel_id: int | None = None,
        react: bool = True,
        content: str | None = None,
    ) -> Poll:
        """Post a poll in ``channel_id`` (default: the meetups channel) and add its reactions.

        ``react=False`` leaves the reactions to :meth:`add_poll_reactions`, so a command can answer
        first: Discord lets a bot add about four reactions a second. ``content`` is a line above the
        poll, e.g. mentioning the members it is for.
        """
        if channel_id is None:
            channel_id = await self.config.channel_for(guild_id, Purpose.MEETUPS)
        poll = await self.polls.create_poll(
            guild_id=guild_id,
            channel_id=channel_id,
            organiser_id=organiser_id,
            title=title,
            times_text=times,
            places_text=places,
            closes_text=closes,
            now=now,
            capacity=capacity,
            min_attendees=min_attendees,
        )
        channel = self._channel(channel_id, guild_id)
        try:
            message = await channel.send(
                content,
                embed=ui.poll_embed(poll, await self.polls.tally(poll)),
                allowed_mentions=discord.AllowedMentions(users=True, roles=False, everyone=False),
            )
        except discord.HTTPException as error:
            await self.polls.discard(poll)
            raise self._cannot_post(channel_id, error) from error
        poll = await self.polls.attach_message(poll, message.id)
        if react:
            await self.add_poll_reactions(poll)
        return poll

    async def add_poll_reactions(self, poll: Poll) -> None:
        """The bot's own reactions, one per option, so voting is one tap (they never count)."""
        assert poll.message_id is not None
        message = self._channel(poll.channel_id, poll.guild_id).get_partial_message(poll.message_id)
        for emoji in poll.emojis:
            try:
                await message.add_reaction(emoji)
            except discord.HTTPException:
                log.warning("could not add %s to poll %d", emoji, poll.id, exc_info=True)

    async def close_poll(
        self, *, guild_id: int, number: int, member_id: int, is_admin: bool, now: int
    ) -> PollClosed:
        """The organiser (or an admin) closes a poll early."""
        poll = await self.polls.check_may_close(guild_id, number, member_id, is_admin)
        closed = await self.polls.close(poll.id, now)
        if closed is None:
            raise UserError(f"Poll #{number} is already closed.", f"/meetup info id:{number}")
        return await self._after_close(closed)

    async def _close_task(self, task: ScheduledTask) -> None:
        assert task.subject_id is not None
        closed = await self.polls.close(task.subject_id, now_epoch())
        if closed is not None:
            await self._after_close(closed)

    async def _remind_task(self, task: ScheduledTask) -> None:
        """Closing soon: a reply to the poll so late voters notice."""
        assert task.subject_id is not None
        poll = await self.polls.by_id(task.subject_id)
        if poll is None or not poll.is_open or poll.message_id is None:
            raise TaskDropped("the poll is closed")
        channel = self._channel(poll.channel_id, poll.guild_id)
        await channel.send(
            ui.poll_reminder(poll, await self.polls.tally(poll)),
            reference=channel.get_partial_message(poll.message_id),
            mention_author=False,
        )

    async def _after_close(self, closed: PollClosed) -> PollClosed:
        meetup = closed.meetup
        if meetup is not None:
            try:
                meetup = await self._publish(meetup, closed.poll.channel_id)
            except Exception:
                log.exception(
                    "announcing meetup %d from poll %d failed; retried at next start",
                    meetup.id,
                    closed.poll.id,
                )
        self.poll_renders.request(closed.poll.id, urgent=True)
        return PollClosed(poll=closed.poll, tally=closed.tally, winner=closed.winner, meetup=meetup)

    async def reconcile(self, poll: Poll) -> None:
        """Rebuild a poll's votes from its message's reactions (and put back our own if removed)."""
        if poll.message_id is None:
            return
        channel = self._channel(poll.channel_id, poll.guild_id)
        try:
            message = await channel.fetch_message(poll.message_id)
        except discord.NotFound:
            log.info("poll %d lost its message; closing it without a result", poll.id)
            await self.polls.cancel(poll, now_epoch(), "its message was deleted")
            return

        async def read() -> list[tuple[OptionKey, int]]:
            votes: list[tuple[OptionKey, int]] = []
            for reaction in message.reactions:
                key = poll.key_for(str(reaction.emoji))
                if key is None:
                    continue
                async for user in reaction.users(limit=None):
                    if not user.bot:
                        votes.append((key, user.id))
            return votes

        await self.polls.reconcile(poll, read)
        present = {normalise_emoji(str(reaction.emoji)) for reaction in message.reactions if reaction.me}
        for emoji in poll.emojis:
            if normalise_emoji(emoji) not in present:
                try:
                    await message.add_reaction(emoji)
                except discord.HTTPException:
                    log.warning("could not restore %s on poll %d", emoji, poll.id)

    async def _render_poll(self, poll_id: int) -> None:
        poll = await self.polls.by_id(poll_id)
        if poll is None or poll.message_id is None:
            return
        meetup = await self.meetups.by_id(poll.meetup_id) if poll.meetup_id else None
        embed = ui.poll_embed(poll, await self.polls.tally(poll), meetup)
        message = self._channel(poll.channel_id, poll.guild_id).get_partial_message(poll.message_id)
        try:
            await message.edit(embed=embed)
        except discord.NotFound:
            log.info("poll %d's message is gone", poll.id)
        if not poll.is_open:
            self.poll_renders.discard(poll.id)

    # -- meetups -----------------------------------------------------------------------------

    async def create_meetup(
        self,
        *,
        guild_id: int,
        organiser_id: int,
        title: str,
        when: str,
        where: str,
        now: datetime,
        capacity: int | None = None,
        min_attendees: int | None = None,
        description: str | None = None,
    ) -> Meetup:
        channel_id = await self.config.channel_for(guild_id, Purpose.MEETUPS)
        meetup = await self.meetups.create(
            guild_id=guild_id,
            organiser_id=organiser_id,
            title=title,
            when=when,
            where=where,
            now=now,
            capacity=capacity,
            min_attendees=min_attendees,
            description=description,
        )
        try:
            return await self._publish(meetup, channel_id)
        except discord.HTTPException as error:
            await self.meetups.discard(meetup)
            raise self._cannot_post(channel_id, error) from error

    async def _publish(self, meetup: Meetup, channel_id: int) -> Meetup:
        """Scheduled event first (so the announcement links it), then the announcement."""
        meetup = await self.meetups.locate(meetup)
        if meetup.event_id is None:
            meetup = await self._create_event(meetup)
        counts = await self.meetups.counts(meetup)
        channel = self._channel(channel_id, meetup.guild_id)
        try:
            message = await channel.send(
                embed=ui.meetup_embed(meetup, counts), view=ui.rsvp_view(meetup, counts)
            )
        except discord.HTTPException:
            await self._delete_event(meetup)
            raise
        meetup = await self.meetups.set_announcement(meetup, channel_id, message.id)
        await self._sync_event(meetup, description_only=True)
        await self.meetups.notify("created", meetup)
        return meetup

    async def _announce_channel(self, meetup: Meetup) -> int:
        """Where a meetup is announced: beside the poll that chose it, else the meetups channel."""
        if meetup.channel_id is not None:
            return meetup.channel_id
        poll = await self.polls.by_id(meetup.poll_id) if meetup.poll_id else None
        if poll is not None:
            return poll.channel_id
        return await self.config.channel_for(meetup.guild_id, Purpose.MEETUPS)

    async def rsvp(
        self, guild_id: int, meetup_id: int, member_id: int, status: RsvpStatus, now: int
    ) -> RsvpOutcome:
        outcome = await self.meetups.rsvp(guild_id, meetup_id, member_id, status, now)
        if outcome.changed:
            self.announcement_renders.request(meetup_id)
        if outcome.promoted:
            await self._tell_promoted(outcome.meetup, outcome.promoted)
        return outcome

    async def edit_meetup(
        self,
        *,
        guild_id: int,
        number: int,
        member_id: int,
        is_admin: bool,
        now: datetime,
        when: str | None = None,
        where: str | None = None,
        capacity: int | None = None,
    ) -> MeetupEdit:
        edit = await self.meetups.edit(
            guild_id=guild_id,
            number=number,
            member_id=member_id,
            is_admin=is_admin,
            now=now,
            when=when,
            where=where,
            capacity=capacity,
        )
        meetup = edit.after
        if "place" in edit.changes:
            meetup = await self.meetups.locate(meetup)
        self.announcement_renders.request(meetup.id)
        await self._sync_event(meetup)
        if edit.promoted:
            await self._tell_promoted(meetup, edit.promoted)
        if edit.changes and edit.changes != ["capacity"]:
            told = await self.meetups.members(meetup, RsvpStatus.GOING, RsvpStatus.MAYBE)
            await self._tell(meetup, told, ui.change_notice(meetup, edit.changes))
        await self.meetups.notify("updated", meetup, edit.before)
        return edit

    async def cancel_meetup(
        self, *, guild_id: int, number: int, member_id: int, is_admin: bool, reason: str | None, now: int
    ) -> Meetup:
        meetup = await self.meetups.cancel(
            guild_id=guild_id, number=number, member_id=member_id, is_admin=is_admin, reason=reason, now=now
        )
        self.announcement_renders.request(meetup.id)
        await self._cancel_event(meetup)
        told = await self.meetups.members(meetup, RsvpStatus.GOING, RsvpStatus.MAYBE)
        await self._tell(meetup, told, ui.cancel_notice(meetup))
        await self.meetups.notify("cancelled", meetup)
        return meetup

    async def _render_announcement(self, meetup_id: int) -> None:
        meetup = await self.meetups.by_id(meetup_id)
        if meetup is None or meetup.channel_id is None or meetup.message_id is None:
            return
        counts = await self.meetups.counts(meetup)
        going = await self.meetups.members(meetup, RsvpStatus.GOING)
        maybe = await self.meetups.members(meetup, RsvpStatus.MAYBE)
        waitlist = await self.meetups.members(meetup, RsvpStatus.WAITLIST)
        embed = ui.meetup_embed(meetup, counts, going=going, maybe=maybe, waitlist=waitlist)
        message = self._channel(meetup.channel_id, meetup.guild_id).get_partial_message(meetup.message_id)
        try:
            await message.edit(embed=embed, view=ui.rsvp_view(meetup, counts))
        except discord.NotFound:
            log.info("meetup %d's announcement is gone", meetup.id)

    # -- the meetup thread and telling members -------------------------------------------------

    async def ensure_thread(self, meetup: Meetup) -> discord.abc.Messageable | None:
        """The thread under the announcement (created on first use), or None if there can't be one.

        Reminders and notices post here so the meetups channel stays a list of announcements.
        """
        lock = self._thread_locks.setdefault(meetup.id, asyncio.Lock())
        async with lock:
            fresh = await self.meetups.by_id(meetup.id) or meetup
            if fresh.thread_id is not None:
                return self.client.get_partial_messageable(
                    fresh.thread_id, guild_id=fresh.guild_id, type=discord.ChannelType.public_thread
                )
            if fresh.channel_id is None or fresh.message_id is None:
                return None
            message = self._channel(fresh.channel_id, fresh.guild_id).get_partial_message(fresh.message_id)
            try:
                thread = await message.create_thread(
                    name=f"Meetup #{fresh.number}: {fresh.title}"[:100],
                    auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                )
            except discord.HTTPException:
                log.warning("could not open a thread for meetup %d", fresh.id, exc_info=True)
                return None
            await self.meetups.set_thread(fresh, thread.id)
            return thread

    async def _tell(self, meetup: Meetup, member_ids: Sequence[int], text: str) -> None:
        """One notice in the meetup thread that mentions everyone concerned."""
        if not member_ids:
            return
        target = await self.ensure_thread(meetup)
        if target is None and meetup.channel_id is not None:
            target = self._channel(meetup.channel_id, meetup.guild_id)
        if target is None:
            return
        for chunk in _mention_chunks(member_ids, text):
            try:
                await target.send(
                    chunk, allowed_mentions=discord.AllowedMentions(users=True, roles=False, everyone=False)
                )
            except discord.HTTPException:
                log.warning("could not post a notice for meetup %d", meetup.id, exc_info=True)
                return

    async def _tell_promoted(self, meetup: Meetup, member_ids: Sequence[int]) -> None:
        """DM each promoted member; whoever can't be DM'd is told in the meetup thread instead."""
        undelivered: list[int] = []
        for member_id in member_ids:
            try:
                user = self.client.get_user(member_id) or await self.client.fetch_user(member_id)
                await user.send(ui.promotion_dm(meetup))
            except discord.HTTPException:
                undelivered.append(member_id)
        if undelivered:
            await self._tell(
                meetup,
                undelivered,
                f"🎉 A place opened up at meetup #{meetup.number}: you're now **going**. "
                "(I couldn't DM you, so I'm saying it here.)",
            )

    # -- scheduled events --------------------------------------------------------------------

    async def _create_event(self, meetup: Meetup) -> Meetup:
        guild = self.client.get_guild(meetup.guild_id)
        if guild is None:
            return meetup
        try:
            event = await guild.create_scheduled_event(
                name=meetup.title,
                start_time=from_epoch(meetup.starts_at),
                end_time=from_epoch(meetup.ends_at),
                entity_type=discord.EntityType.external,
                location=meetup.place,
                privacy_level=discord.PrivacyLevel.guild_only,
                description=ui.event_description(meetup),
            )
        except discord.HTTPException:
            log.warning("could not create the scheduled event for meetup %d", meetup.id, exc_info=True)
            return meetup
        return await self.meetups.set_event(meetup, event.id)

    async def _event(self, meetup: Meetup) -> discord.ScheduledEvent | None:
        guild = self.client.get_guild(meetup.guild_id)
        if guild is None or meetup.event_id is None:
            return None
        event = guild.get_scheduled_event(meetup.event_id)
        if event is None:
            try:
                event = await guild.fetch_scheduled_event(meetup.event_id)
            except discord.HTTPException:
                return None
        return event

    async def _sync_event(self, meetup: Meetup, *, description_only: bool = False) -> None:
        event = await self._event(meetup)
        if event is None or event.status not in (discord.EventStatus.scheduled, discord.EventStatus.active):
            return
        try:
            if description_only:
                await event.edit(description=ui.event_description(meetup))
            else:
                await event.edit(
                    name=meetup.title,
                    description=ui.event_description(meetup),
                    start_time=from_epoch(meetup.starts_at),
                    end_time=from_epoch(meetup.ends_at),
                    location=meetup.place,
                )
        except discord.HTTPException:
            log.warning("could not update the scheduled event of meetup %d", meetup.id, exc_info=True)

    async def _cancel_event(self, meetup: Meetup) -> None:
        event = await self._event(meetup)
        if event is None:
            return
        try:
            if event.status is discord.EventStatus.scheduled:
                await event.cancel()
            elif event.status is discord.EventStatus.active:
                await event.end()
        except discord.HTTPException:
            log.warning("could not cancel the scheduled event of meetup %d", meetup.id, exc_info=True)

    async def _delete_event(self, meetup: Meetup) -> None:
        """Undo the event of a meetup that could not be announced (it is created again on retry)."""
        event = await self._event(meetup)
        if event is not None:
            try:
                await event.delete()
            except discord.HTTPException:
                log.warning("could not delete the scheduled event of meetup %d", meetup.id)
        await self.meetups.set_event(meetup, None)

    # -- helpers -----------------------------------------------------------------------------

    def _channel(self, channel_id: int, guild_id: int) -> discord.PartialMessageable:
        """Any channel or thread by id, cached or not (messages are addressed by id anyway)."""
        return self.client.get_partial_messageable(channel_id, guild_id=guild_id)

    @staticmethod
    def _cannot_post(channel_id: int, error: discord.HTTPException) -> UserError:
        return UserError(
            f"I couldn't post in <#{channel_id}> ({error.text or error.status}). Give me Send Messages, "
            "Embed Links and Add Reactions there, or choose another channel.",
            "/config channel purpose:meetups channel:#meetups",
        )


def _mention_chunks(member_ids: Sequence[int], text: str, limit: int = 2000) -> list[str]:
    chunks: list[str] = []
    current = text + "\n"
    for member_id in member_ids:
        mention = f"<@{member_id}> "
        if len(current) + len(mention) > limit:
            chunks.append(current.rstrip())
            current = ""
        current += mention
    if current.strip():
        chunks.append(current.rstrip())
    return chunks
