"""The Discord side of meetups: poll messages and their live tally, announcements with RSVP
buttons, native scheduled events, the meetup thread, and telling members what changed.

:class:`MeetupService` and :class:`PollService` own the rules and the database; this class turns
their results into messages, all through :class:`Outbound` (explicit pings, Discord's limits,
no repeated refused requests). Cogs (and other features, e.g. pairing's "Plan a meetup" button)
call one method here per use case.

What matters is durable work, retried while the bot runs (scheduled tasks, so restarts keep it):

- ``meetup.announce``: the announcement of a meetup a poll chose. Retried with backoff until it
  is posted, never after the meetup has started. When Discord refuses it (a missing permission),
  the organiser is told what to fix; once a permission changes or an admin acts, it is tried at
  once; ``/meetup info`` on it tries again too.
- ``poll.result``: the closed poll's result on its message.
- ``meetup.sync``: after an edit or a cancellation, the announcement and the native event show it.
- ``meetup.notice``: notices in the meetup thread (time or place changed, cancelled, a place
  opened up). Change notices go out at most once per 10 minutes per meetup, with the latest
  details; each part of a long mention list is recorded as sent, so a retry repeats nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.adapters.outbound import Outbound, Undeliverable
from bot.domain.clock import Clock, from_epoch
from bot.domain.consent import DmKind
from bot.domain.errors import UserError
from bot.domain.followups import ANNOUNCE, NOTICE, SYNC, mention_parts
from bot.domain.guild_settings import Purpose
from bot.domain.meetups import (
    Change,
    Meetup,
    MeetupEdit,
    RsvpOutcome,
    RsvpStatus,
    may_manage,
    tells_attendees,
)
from bot.domain.outbox import OutboxMessage, OutboxRow
from bot.domain.polls import OptionKey, OptionKind, Poll, PollClosed, PollOutcome, normalise_emoji
from bot.domain.tasks import ScheduledTask, TaskState
from bot.scheduling.scheduler import RetryLater, Scheduler, TaskDropped
from bot.services.coalesce import Coalescer
from bot.services.config import ConfigService
from bot.services.meetups import MeetupService
from bot.services.notices import MemberNotices
from bot.services.outbox import DmOutbox
from bot.services.polls import CLOSE_TASK, REMIND_TASK, RESULT_TASK, PollService
from bot.ui import meetups as ui

log = logging.getLogger(__name__)

POLL_EDIT_INTERVAL = 2.0
"""Seconds between two edits of one poll's tally, however many reactions arrive."""

THREAD_ARCHIVE_MINUTES = 10080
REMIND_LATENESS = 1800  # a "closes in an hour" nudge half an hour late is still worth it
NOTICE_INTERVAL = 600
"""At most one change notice per meetup in this many seconds; later changes join the next one."""
ANNOUNCE_RETRY_MAX = 3600
DURABLE = (ANNOUNCE, RESULT_TASK, NOTICE, SYNC)


class MeetupBoard:
    def __init__(
        self,
        outbound: Outbound,
        meetups: MeetupService,
        polls: PollService,
        config: ConfigService,
        scheduler: Scheduler,
        outbox: DmOutbox,
        notices: MemberNotices,
        *,
        now: Clock,
        poll_edit_interval: float = POLL_EDIT_INTERVAL,
    ) -> None:
        self.outbound = outbound
        self.client = outbound.client
        self.meetups = meetups
        self.polls = polls
        self.config = config
        self.scheduler = scheduler
        self.outbox = outbox
        self.notices = notices
        self.now = now
        self.poll_renders: Coalescer[int] = Coalescer(
            self._render_poll, interval=poll_edit_interval, name="poll", retry_after=_rate_limited
        )
        self.announcement_renders: Coalescer[int] = Coalescer(
            self._render_announcement, interval=0, name="announcement", retry_after=_rate_limited
        )
        self._thread_locks: dict[int, asyncio.Lock] = {}
        polls.on_votes_changed = self.poll_renders.request
        scheduler.register(CLOSE_TASK, self._close_task)
        scheduler.register(REMIND_TASK, self._remind_task, max_lateness=REMIND_LATENESS)
        scheduler.register(ANNOUNCE, self._announce_task)
        scheduler.register(RESULT_TASK, self._result_task)
        scheduler.register(NOTICE, self._notice_task, on_give_up=self.gave_up)
        scheduler.register(SYNC, self._sync_task, on_give_up=self.gave_up)
        outbox.register("promotion", self._promotion_dm, self._promotion_fallback)
        outbox.register("meetup_problem", self._problem_dm, self._problem_fallback)
        outbound.on_forgiven(self._forgiven)

    # -- start and stop ----------------------------------------------------------------------

    async def start(self) -> None:
        """Before timed work resumes: count reactions made while we were away, and make sure every
        meetup still waiting for its announcement has a task that posts it."""
        for poll in await self.polls.load_open():
            try:
                await self.reconcile(poll)
            except Exception:
                log.exception("reconciling poll %d failed; its stored votes are kept", poll.id)
        now = self.now()
        for meetup in await self.meetups.unannounced():
            if meetup.starts_at <= now:
                continue  # too late to announce
            if not await self.scheduler.pending_for_subject(meetup.guild_id, [ANNOUNCE], meetup.id):
                await self.scheduler.schedule(meetup.guild_id, ANNOUNCE, now, subject_id=meetup.id)

    def close(self) -> None:
        self.poll_renders.close()
        self.announcement_renders.close()

    async def _forgiven(self, guild_id: int) -> None:
        """Permissions changed (or an admin acted): what waited for them is tried at once."""
        await self.scheduler.hurry(guild_id, DURABLE)

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
        ping: Sequence[int] = (),
    ) -> Poll:
        """Post a poll in ``channel_id`` (default: the meetups channel) and add its reactions.

        ``react=False`` leaves the reactions to :meth:`add_poll_reactions`, so a command can answer
        first: Discord lets a bot add about four reactions a second. ``content`` is a line above the
        poll, pinging only ``ping`` (e.g. the two members a catch-up is for).
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
        try:
            posted = await self.outbound.post(
                channel_id,
                guild_id,
                content=content,
                embed=ui.poll_embed(poll, await self.polls.tally(poll)),
                ping=ping,
            )
        except Undeliverable as error:
            await self.polls.discard(poll)
            raise self._cannot_post(channel_id, error) from error
        poll = await self.polls.attach_message(poll, posted.message_id)
        if react:
            await self.add_poll_reactions(poll)
        return poll

    async def add_poll_reactions(self, poll: Poll) -> None:
        """The bot's own reactions, one per option, so voting is one tap (they never count).

        After one refusal the rest are not tried: members can still vote with any of the
        emoji shown on the poll.
        """
        assert poll.message_id is not None
        for emoji in poll.emojis:
            try:
                await self.outbound.react(poll.channel_id, poll.guild_id, poll.message_id, emoji)
            except Undeliverable as error:
                log.info("poll %d: reaction %s not added (%s); not trying the rest", poll.id, emoji, error)
                return

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
        closed = await self.polls.close(task.subject_id, self.now())
        if closed is not None:
            await self._after_close(closed)

    async def _remind_task(self, task: ScheduledTask) -> None:
        """Closing soon: a reply to the poll so late voters notice (it pings nobody)."""
        assert task.subject_id is not None
        poll = await self.polls.by_id(task.subject_id)
        if poll is None or not poll.is_open or poll.message_id is None:
            raise TaskDropped("the poll is closed")
        await self.outbound.post(
            poll.channel_id,
            poll.guild_id,
            content=ui.poll_reminder(poll, await self.polls.tally(poll)),
            reply_to=poll.message_id,
        )

    async def _after_close(self, closed: PollClosed) -> PollClosed:
        """Announce the meetup and show the result now; the tasks the close stored retry if not."""
        meetup = closed.meetup
        if meetup is not None:
            await self.scheduler.run_now_for_subject(meetup.guild_id, ANNOUNCE, meetup.id)
            meetup = await self.meetups.by_id(meetup.id) or meetup
        await self.scheduler.run_now_for_subject(closed.poll.guild_id, RESULT_TASK, closed.poll.id)
        return PollClosed(poll=closed.poll, tally=closed.tally, winner=closed.winner, meetup=meetup)

    async def _result_task(self, task: ScheduledTask) -> None:
        """The closed poll's message shows the result (and the meetup's link once announced)."""
        assert task.subject_id is not None
        self.poll_renders.discard(task.subject_id)
        try:
            await self._render_poll(task.subject_id)
        except Undeliverable as error:
            if error.gone:
                raise TaskDropped("the poll's message is gone") from None
            raise _retry(error) from error

    async def reconcile(self, poll: Poll) -> None:
        """Rebuild a poll's votes from its message's reactions (and put back our own if removed)."""
        if poll.message_id is None:
            return
        try:
            message = await self.outbound.fetch(poll.channel_id, poll.guild_id, poll.message_id)
        except Undeliverable as error:
            if not error.gone:
                raise
            log.info("poll %d lost its message; closing it without a result", poll.id)
            await self.polls.cancel(poll, self.now(), PollOutcome.MESSAGE_DELETED)
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
                    await self.outbound.react(poll.channel_id, poll.guild_id, poll.message_id, emoji)
                except Undeliverable:
                    log.warning("could not restore %s on poll %d; not trying the rest", emoji, poll.id)
                    return

    async def _render_poll(self, poll_id: int) -> None:
        poll = await self.polls.by_id(poll_id)
        if poll is None or poll.message_id is None:
            return
        meetup = await self.meetups.by_id(poll.meetup_id) if poll.meetup_id else None
        embed = ui.poll_embed(poll, await self.polls.tally(poll), meetup)
        try:
            await self.outbound.edit(poll.channel_id, poll.guild_id, poll.message_id, embed=embed)
        except Undeliverable as error:
            if not error.gone:
                raise
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
        """Created and announced at once, or not at all: the organiser is there to be told why."""
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
        except Undeliverable as error:
            await self.meetups.discard(meetup)
            raise self._cannot_post(channel_id, error) from error

    async def _publish(self, meetup: Meetup, channel_id: int) -> Meetup:
        """Scheduled event first (so the announcement links it), then the announcement."""
        meetup = await self.meetups.locate(meetup)
        if meetup.event_id is None:
            meetup = await self._create_event(meetup)
        counts = await self.meetups.counts(meetup)
        voters = await self._winning_voters(meetup)
        try:
            posted = await self.outbound.post(
                channel_id,
                meetup.guild_id,
                content=ui.voters_line(voters) if voters else None,
                embed=ui.meetup_embed(meetup, counts),
                view=ui.rsvp_view(meetup, counts),
                ping=voters[: ui.VOTERS_MENTIONED],
            )
        except Undeliverable:
            await self._delete_event(meetup)
            raise
        meetup = await self.meetups.set_announcement(meetup, channel_id, posted.message_id)
        await self._sync_event(meetup, description_only=True)
        await self.ensure_thread(meetup)  # the thread for notices is there from the start
        return meetup

    async def _winning_voters(self, meetup: Meetup) -> list[int]:
        """Who voted for the time a poll chose: told once, on the announcement, to RSVP (nobody is
        marked Going on their behalf)."""
        poll = await self.polls.by_id(meetup.poll_id) if meetup.poll_id else None
        if poll is None or poll.winner_time is None:
            return []
        winning = (OptionKind.TIME, poll.winner_time)
        return list(dict.fromkeys(member for key, member in await self.polls.votes(poll) if key == winning))

    async def _announce_task(self, task: ScheduledTask) -> None:
        """Announce a meetup a poll chose; retried until it is posted, never once it has begun."""
        assert task.subject_id is not None
        meetup = await self.meetups.by_id(task.subject_id)
        if meetup is None or meetup.cancelled:
            raise TaskDropped("the meetup is gone or cancelled")
        if meetup.message_id is not None:
            return  # announced already (by an earlier run that was interrupted after posting)
        if meetup.starts_at <= self.now():
            await self.tell_organiser(meetup, "too_late", None, None)
            raise TaskDropped("the meetup started before it could be announced")
        channel_id = await self._announce_channel(meetup)
        try:
            meetup = await self._publish(meetup, channel_id)
        except Undeliverable as error:
            if error.permanent:
                await self.tell_organiser(meetup, "announce", channel_id, error)
            delay = min(ANNOUNCE_RETRY_MAX, 15 * 4 ** max(0, task.attempts - 1))
            if error.retry_after is not None:
                delay = max(delay, int(error.retry_after) + 1)
            delay = min(delay, max(1, meetup.starts_at - self.now()))
            raise RetryLater(str(error), delay=delay, keep_trying=True) from error
        if meetup.poll_id is not None and not await self.scheduler.pending_for_subject(
            meetup.guild_id, [RESULT_TASK], meetup.poll_id
        ):
            # Announced on a retry: the poll's result gets the link to it.
            await self.scheduler.schedule(meetup.guild_id, RESULT_TASK, self.now(), subject_id=meetup.poll_id)

    async def _announce_channel(self, meetup: Meetup) -> int:
        """Where a meetup is announced: beside the poll that chose it, else the meetups channel."""
        if meetup.channel_id is not None:
            return meetup.channel_id
        poll = await self.polls.by_id(meetup.poll_id) if meetup.poll_id else None
        if poll is not None:
            return poll.channel_id
        return await self.config.channel_for(meetup.guild_id, Purpose.MEETUPS)

    async def retry_announcement(self, meetup: Meetup, member_id: int, is_admin: bool) -> Meetup:
        """``/meetup info`` on a meetup still waiting for its announcement: its organiser (or an
        admin) says the problem is fixed, so it is tried again now. Others just see it."""
        if meetup.message_id is not None or meetup.cancelled or meetup.starts_at <= self.now():
            return meetup
        if not may_manage(meetup.organiser_id, member_id, is_admin):
            return meetup
        self.outbound.forgive_channel(await self._announce_channel(meetup))
        await self.scheduler.hurry(meetup.guild_id, [ANNOUNCE], meetup.id)
        await self.scheduler.run_now_for_subject(meetup.guild_id, ANNOUNCE, meetup.id)
        return await self.meetups.by_id(meetup.id) or meetup

    async def rsvp(
        self, guild_id: int, meetup_id: int, member_id: int, status: RsvpStatus, now: int
    ) -> RsvpOutcome:
        outcome = await self.meetups.rsvp(
            guild_id, meetup_id, member_id, status, now, on_promoted=self._queue_promotions
        )
        if outcome.changed:
            self.announcement_renders.request(meetup_id)
        if outcome.promoted:
            await self.outbox.kick()
        return outcome

    async def _queue_promotions(self, meetup: Meetup, member_ids: Sequence[int]) -> None:
        """Inside the RSVP's transaction: each promoted member is told by DM (a place they waited
        for), or in the meetup thread when their DMs are off."""
        await self.outbox.enqueue(
            meetup.guild_id,
            member_ids,
            OutboxMessage(render="promotion", args={"meetup": meetup.id}),
            key=f"promoted:{meetup.id}:{self.now()}",
            kind=DmKind.REPLY,
        )

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
            on_promoted=self._queue_promotions,
            on_changed=self._plan_change_notice,
        )
        await self.scheduler.run_now_for_subject(guild_id, SYNC, edit.after.id)
        await self.scheduler.run_now_for_subject(guild_id, NOTICE, edit.after.id)
        await self.outbox.kick()
        return edit

    async def _plan_sync(self, meetup: Meetup) -> None:
        """Inside an edit's or a cancellation's transaction: the announcement and the scheduled
        event will show it (a durable task, so a stop right after the change cannot leave the
        announcement showing the old time)."""
        if not await self.scheduler.pending_for_subject(meetup.guild_id, [SYNC], meetup.id):
            await self.scheduler.schedule(meetup.guild_id, SYNC, self.now(), subject_id=meetup.id)

    async def _sync_task(self, task: ScheduledTask) -> None:
        assert task.subject_id is not None
        meetup = await self.meetups.by_id(task.subject_id)
        if meetup is None:
            raise TaskDropped("the meetup no longer exists")
        if meetup.cancelled:
            await self._cancel_event(meetup)
        else:
            meetup = await self.meetups.locate(meetup)
            await self._sync_event(meetup)
        self.announcement_renders.discard(meetup.id)
        try:
            await self._render_announcement(meetup.id)
        except Undeliverable as error:
            raise _retry(error) from error

    async def _plan_change_notice(self, meetup: Meetup, changes: Sequence[Change]) -> None:
        """Inside the edit's transaction: one notice to Going and Maybe, at most every 10 minutes.

        A notice already waiting takes the new changes along (it renders the latest details when
        it goes out); otherwise the next one goes out now, or 10 minutes after the last one.
        """
        await self._plan_sync(meetup)
        if not tells_attendees(changes):
            return
        now = self.now()
        tasks = await self.scheduler.repo.for_subject(meetup.guild_id, [NOTICE], meetup.id)
        changed = [task for task in tasks if task.payload.get("notice") == "changed"]
        waiting = next((task for task in changed if task.state is TaskState.PENDING), None)
        if waiting is not None:
            merged = list(dict.fromkeys([*waiting.payload.get("changes", []), *changes]))
            await self.scheduler.repo.set_payload(waiting.id, {**waiting.payload, "changes": merged})
            return
        last = max((task.due_at for task in changed if task.state is TaskState.DONE), default=None)
        due = now if last is None else max(now, last + NOTICE_INTERVAL)
        await self.scheduler.schedule(
            meetup.guild_id,
            NOTICE,
            due,
            subject_id=meetup.id,
            payload={"notice": "changed", "changes": list(changes)},
        )

    async def cancel_meetup(
        self, *, guild_id: int, number: int, member_id: int, is_admin: bool, reason: str | None, now: int
    ) -> Meetup:
        meetup = await self.meetups.cancel(
            guild_id=guild_id,
            number=number,
            member_id=member_id,
            is_admin=is_admin,
            reason=reason,
            now=now,
            on_cancelled=self._plan_cancel_notice,
        )
        await self.scheduler.run_now_for_subject(meetup.guild_id, SYNC, meetup.id)
        await self.scheduler.run_now_for_subject(meetup.guild_id, NOTICE, meetup.id)
        return meetup

    async def _plan_cancel_notice(self, meetup: Meetup) -> None:
        """Inside the cancel's transaction: a waiting change notice gives way to the cancellation."""
        await self._plan_sync(meetup)
        for task in await self.scheduler.pending_for_subject(meetup.guild_id, [NOTICE], meetup.id):
            if task.payload.get("notice") == "changed":
                await self.scheduler.cancel(task.id)
        await self.scheduler.schedule(
            meetup.guild_id, NOTICE, self.now(), subject_id=meetup.id, payload={"notice": "cancelled"}
        )

    async def _render_announcement(self, meetup_id: int) -> None:
        meetup = await self.meetups.by_id(meetup_id)
        if meetup is None or meetup.channel_id is None or meetup.message_id is None:
            return
        counts = await self.meetups.counts(meetup)
        going = await self.meetups.members(meetup, RsvpStatus.GOING)
        maybe = await self.meetups.members(meetup, RsvpStatus.MAYBE)
        waitlist = await self.meetups.members(meetup, RsvpStatus.WAITLIST)
        embed = ui.meetup_embed(meetup, counts, going=going, maybe=maybe, waitlist=waitlist)
        view = ui.rsvp_view(meetup, counts)
        try:
            await self.outbound.edit(
                meetup.channel_id,
                meetup.guild_id,
                meetup.message_id,
                embed=embed,
                view=view,
                clear_view=view is None,
            )
        except Undeliverable as error:
            if not error.gone:
                raise
            log.info("meetup %d's announcement is gone", meetup.id)

    # -- the meetup thread and telling members -------------------------------------------------

    async def ensure_thread(self, meetup: Meetup) -> int | None:
        """The id of the thread under the announcement (created on first use), or None if there
        can't be one. Reminders and notices post there so the meetups channel stays a list."""
        lock = self._thread_locks.setdefault(meetup.id, asyncio.Lock())
        async with lock:
            fresh = await self.meetups.by_id(meetup.id) or meetup
            if fresh.thread_id is not None:
                return fresh.thread_id
            if fresh.channel_id is None or fresh.message_id is None:
                return None
            try:
                thread_id = await self.outbound.thread_from_message(
                    fresh.channel_id,
                    fresh.guild_id,
                    fresh.message_id,
                    name=f"Meetup #{fresh.number}: {fresh.title}",
                    archive_minutes=THREAD_ARCHIVE_MINUTES,
                )
            except Undeliverable as error:
                log.info("no thread for meetup %d (%s); posting in its channel", fresh.id, error)
                return None
            await self.meetups.set_thread(fresh, thread_id)
            return thread_id

    async def notice_target(self, meetup: Meetup) -> int | None:
        """Where notices about a meetup go: its thread, else the channel of its announcement."""
        thread_id = await self.ensure_thread(meetup)
        return thread_id if thread_id is not None else meetup.channel_id

    async def post_parts(
        self, task: ScheduledTask, meetup: Meetup, parts: Sequence[tuple[str, Sequence[int]]], **extra: Any
    ) -> None:
        """Post ``(content, pings)`` parts in the meetup thread for a task, recording each part sent
        so that a retry after a failure posts only the rest."""
        target = await self.notice_target(meetup)
        if target is None:
            raise TaskDropped("the meetup has no announcement to post under")
        sent = int(task.payload.get("sent", 0))
        for number, (content, pinged) in enumerate(parts):
            if number < sent:
                continue
            try:
                await self.outbound.post(
                    target, meetup.guild_id, content=content, ping=pinged, **(extra if number == 0 else {})
                )
            except Undeliverable as error:
                if error.gone:
                    raise TaskDropped("the meetup's thread and channel are gone") from None
                if error.forbidden:
                    await self.tell_organiser(meetup, "post", target, error)
                raise _retry(error) from error
            await self.scheduler.repo.set_payload(task.id, {**task.payload, "sent": number + 1})

    async def _notice_task(self, task: ScheduledTask) -> None:
        assert task.subject_id is not None
        meetup = await self.meetups.by_id(task.subject_id)
        if meetup is None:
            raise TaskDropped("the meetup no longer exists")
        notice = task.payload.get("notice")
        if notice == "changed":
            if meetup.cancelled:
                raise TaskDropped("the meetup was cancelled since")
            told = await self.meetups.members(meetup, RsvpStatus.GOING, RsvpStatus.MAYBE)
            header = ui.change_notice(meetup, _changes(task.payload.get("changes", [])))
        elif notice == "cancelled":
            told = await self.meetups.members(meetup, RsvpStatus.GOING, RsvpStatus.MAYBE)
            header = ui.cancel_notice(meetup)
        elif notice == "promoted":
            going = set(await self.meetups.members(meetup, RsvpStatus.GOING))
            told = [member for member in task.payload.get("members", []) if member in going]
            header = ui.promotion_notice(meetup)
        else:
            raise TaskDropped(f"unknown notice {notice!r}")
        if not told:
            raise TaskDropped("nobody to tell")
        await self.post_parts(task, meetup, _with_mentions(header, told))

    # -- DMs about meetups (rendered when the outbox sends them) --------------------------------

    async def _promotion_dm(self, row: OutboxRow) -> dict[str, Any] | None:
        meetup = await self.meetups.by_id(int(row.payload["args"]["meetup"]))
        if meetup is None or meetup.cancelled or meetup.starts_at <= self.now():
            return None
        if row.member_id not in await self.meetups.members(meetup, RsvpStatus.GOING):
            return None  # they gave the place up since
        return {"content": ui.promotion_dm(meetup)}

    async def _promotion_fallback(
        self, guild_id: int, member_id: int, args: dict[str, Any], why: str
    ) -> None:
        """No DM for the promoted member: say it in the meetup thread, pinging only them."""
        meetup_id = int(args.get("meetup", 0))
        await self.scheduler.schedule(
            guild_id,
            NOTICE,
            self.now(),
            subject_id=meetup_id,
            payload={"notice": "promoted", "members": [member_id]},
        )

    async def gave_up(self, task: ScheduledTask, error: Exception) -> None:
        """A post about a meetup failed for good (its retries spent): its organiser hears of it."""
        meetup = await self.meetups.by_id(task.subject_id) if task.subject_id is not None else None
        if meetup is None:
            return
        refused = error.__cause__ if isinstance(error.__cause__, Undeliverable) else None
        refused = error if isinstance(error, Undeliverable) else refused
        channel_id = refused.scope_id if refused is not None else meetup.thread_id or meetup.channel_id
        await self.tell_organiser(meetup, "post", channel_id, refused)

    async def tell_organiser(
        self, meetup: Meetup, problem: str, channel_id: int | None, error: Undeliverable | None
    ) -> None:
        """Tell the organiser (once per problem) what went wrong and what fixes it: by DM (it is
        about their own meetup), else after their next command."""
        if not meetup.organiser_id:
            return
        args = {
            "meetup": meetup.id,
            "problem": problem,
            "channel": channel_id or 0,
            "missing": error.missing if error is not None and error.forbidden else "",
        }
        await self.outbox.send(
            meetup.guild_id,
            [meetup.organiser_id],
            OutboxMessage(render="meetup_problem", args=args),
            key=f"problem:{problem}:{meetup.id}",
            kind=DmKind.REPLY,
        )

    async def _problem_dm(self, row: OutboxRow) -> dict[str, Any] | None:
        args = row.payload["args"]
        meetup = await self.meetups.by_id(int(args["meetup"]))
        if meetup is None:
            return None
        if args["problem"] == "announce" and meetup.message_id is not None:
            return None  # fixed meanwhile
        if meetup.cancelled and args["problem"] != "announce":
            return None
        guild = self.client.get_guild(meetup.guild_id)
        return {"content": ui.organiser_problem(meetup, args, guild.name if guild else None)}

    async def _problem_fallback(self, guild_id: int, member_id: int, args: dict[str, Any], why: str) -> None:
        meetup = await self.meetups.by_id(int(args.get("meetup", 0)))
        if meetup is None:
            return
        await self.notices.keep(
            guild_id,
            member_id,
            f"problem:{args.get('problem')}:{meetup.id}",
            ui.organiser_problem(meetup, args, None),
        )

    # -- scheduled events --------------------------------------------------------------------

    async def _create_event(self, meetup: Meetup) -> Meetup:
        try:
            event_id = await self.outbound.create_event(
                meetup.guild_id,
                name=meetup.title,
                start=from_epoch(meetup.starts_at),
                end=from_epoch(meetup.ends_at),
                location=meetup.place,
                description=ui.event_description(meetup),
            )
        except Undeliverable as error:
            log.info("no scheduled event for meetup %d (%s)", meetup.id, error)
            return meetup
        if event_id is None:
            return meetup
        return await self.meetups.set_event(meetup, event_id)

    async def _sync_event(self, meetup: Meetup, *, description_only: bool = False) -> None:
        if meetup.event_id is None:
            return
        try:
            if description_only:
                await self.outbound.update_event(
                    meetup.guild_id, meetup.event_id, description=ui.event_description(meetup)
                )
            else:
                await self.outbound.update_event(
                    meetup.guild_id,
                    meetup.event_id,
                    name=meetup.title,
                    description=ui.event_description(meetup),
                    start=from_epoch(meetup.starts_at),
                    end=from_epoch(meetup.ends_at),
                    location=meetup.place,
                )
        except Undeliverable as error:
            log.info("could not update the scheduled event of meetup %d (%s)", meetup.id, error)

    async def _cancel_event(self, meetup: Meetup) -> None:
        if meetup.event_id is None:
            return
        try:
            await self.outbound.end_event(meetup.guild_id, meetup.event_id)
        except Undeliverable as error:
            log.info("could not cancel the scheduled event of meetup %d (%s)", meetup.id, error)

    async def _delete_event(self, meetup: Meetup) -> None:
        """Undo the event of a meetup that could not be announced (it is created again on retry)."""
        if meetup.event_id is not None:
            try:
                await self.outbound.delete_event(meetup.guild_id, meetup.event_id)
            except Undeliverable as error:
                log.info("could not delete the scheduled event of meetup %d (%s)", meetup.id, error)
        await self.meetups.set_event(meetup, None)

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _cannot_post(channel_id: int, error: Undeliverable) -> UserError:
        if error.forbidden:
            why = f"I'm missing {error.missing} there"
        elif error.gone:
            why = "that channel no longer exists"
        else:
            why = "Discord did not take it; please try again in a minute"
        return UserError(
            f"I couldn't post in <#{channel_id}>: {why}. Give me View Channel, Send Messages, "
            "Embed Links and Add Reactions there, or choose another channel.",
            "/config channel purpose:meetups channel:#meetups",
        )


def _with_mentions(header: str, member_ids: Sequence[int]) -> list[tuple[str, Sequence[int]]]:
    """The notice and the mentions of everyone it is for, in parts under Discord's 2,000 characters,
    each part pinging exactly the members it mentions."""
    return list(mention_parts(header + "\n", member_ids, continued="…"))


def _changes(stored: Sequence[str]) -> list[Change]:
    """The changes a notice's payload names (stored by value; unknown ones are skipped)."""
    known = {change.value for change in Change}
    return [Change(value) for value in stored if value in known]


def _rate_limited(error: Exception) -> float | None:
    """A live edit answered (or held back by) a 429: seconds until it may go again."""
    return error.retry_after if isinstance(error, Undeliverable) else None


def _retry(error: Undeliverable) -> RetryLater:
    """A failed post in a durable task: after a 429's retry-after, else the usual backoff."""
    if error.retry_after is not None:
        return RetryLater(str(error), delay=int(error.retry_after) + 1)
    return RetryLater(str(error))
