"""A meetup's announcement: posted with its RSVP buttons and live counts, kept in step with the
meetup, and undone (with its event) when it could not be posted.

- :meth:`Announcements.publish` makes the scheduled event first (so the announcement links it),
  posts the announcement, records it (its follow-ups are planned in that transaction), and opens
  the meetup thread; when the post is refused the event is deleted again.
- RSVPs re-render it through a :class:`Coalescer` (one edit in flight, the final state last).
- ``meetup.sync`` (planned by :class:`bot.services.meetup_updates.MeetupUpdates` with each edit or
  cancellation) brings the announcement and the event in step, retried until it is done.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import discord

from bot.adapters.outbound import Outbound, Undeliverable
from bot.boards.alerts import OrganiserAlerts
from bot.boards.coalesce import Coalescer
from bot.boards.delivery import rate_limited, retry_later
from bot.boards.events import ScheduledEvents
from bot.boards.threads import MeetupThreads
from bot.domain.clock import Clock
from bot.domain.followups import ANNOUNCE, NOTICE, SYNC
from bot.domain.meetups import Meetup, OrganiserProblem, RsvpCounts, RsvpStatus, Turnout, may_manage
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import RetryLater, Scheduler, TaskDropped
from bot.services.meetups import MeetupService
from bot.services.polls import RESULT_TASK, PollService
from bot.ui import meetups as ui

log = logging.getLogger(__name__)

CARD_ANSWERS = (RsvpStatus.GOING, RsvpStatus.MAYBE, RsvpStatus.WAITLIST)
"""The answers a meetup's card lists by name."""


class Announcements:
    def __init__(
        self,
        outbound: Outbound,
        meetups: MeetupService,
        events: ScheduledEvents,
        threads: MeetupThreads,
        scheduler: Scheduler,
        alerts: OrganiserAlerts,
    ) -> None:
        self.outbound = outbound
        self.meetups = meetups
        self.events = events
        self.threads = threads
        self.renders: Coalescer[int] = Coalescer(
            self.render, interval=0, name="announcement", retry_after=rate_limited
        )
        scheduler.register(SYNC, self._sync_task, on_give_up=alerts.gave_up)

    def close(self) -> None:
        self.renders.close()

    async def publish(self, meetup: Meetup, channel_id: int, voters: Sequence[int] = ()) -> Meetup:
        """Scheduled event first (so the announcement links it), then the announcement, mentioning
        ``voters`` (those who voted for its time) once. Raises :class:`Undeliverable`, with the
        event undone, when the announcement is refused."""
        meetup = await self.meetups.locate(meetup)
        if meetup.event_id is None:
            meetup = await self.events.create(meetup)
        counts = await self.meetups.counts(meetup)
        series = await self.meetups.series_note(meetup)
        try:
            posted = await self.outbound.post(
                channel_id,
                meetup.guild_id,
                content=ui.voters_line(voters) if voters else None,
                embed=ui.meetup_embed(meetup, counts, series=series),
                view=ui.rsvp_view(meetup, counts),
                ping=voters[: ui.VOTERS_MENTIONED],
            )
        except Undeliverable:
            await self.events.delete(meetup)
            raise
        meetup = await self.meetups.set_announcement(meetup, channel_id, posted.message_id)
        await self.events.sync(meetup, description_only=True)
        await self.threads.ensure(meetup)  # the thread for notices is there from the start
        return meetup

    async def card(
        self, meetup: Meetup, *, turnout: Turnout | None = None
    ) -> tuple[discord.Embed, RsvpCounts]:
        """The meetup's card as it is now (who is going, maybe, waiting; its series), and the counts
        its buttons show: the announcement's and ``/meetup info``'s."""
        counts, roster = await self.meetups.counts_and_roster(meetup, *CARD_ANSWERS)
        return await self._card_embed(meetup, counts, roster, turnout), counts

    async def _card_embed(
        self,
        meetup: Meetup,
        counts: RsvpCounts,
        roster: dict[RsvpStatus, list[int]],
        turnout: Turnout | None = None,
    ) -> discord.Embed:
        return ui.meetup_embed(
            meetup,
            counts,
            going=roster[RsvpStatus.GOING],
            maybe=roster[RsvpStatus.MAYBE],
            waitlist=roster[RsvpStatus.WAITLIST],
            series=await self.meetups.series_note(meetup),
            turnout=turnout,
        )

    async def render(self, meetup_id: int) -> None:
        """The announcement shows the meetup and its RSVPs as they are now."""
        found = await self.meetups.with_counts_and_roster(meetup_id, *CARD_ANSWERS)
        if found is None:
            return
        meetup, counts, roster = found
        if meetup.channel_id is None or meetup.message_id is None:
            return
        embed = await self._card_embed(meetup, counts, roster)
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

    async def _sync_task(self, task: ScheduledTask) -> None:
        """After an edit or a cancellation: the event and the announcement show the meetup as it is."""
        assert task.subject_id is not None
        meetup = await self.meetups.by_id(task.subject_id)
        if meetup is None:
            raise TaskDropped("the meetup no longer exists")
        if meetup.cancelled:
            await self.events.end(meetup)
        else:
            meetup = await self.meetups.locate(meetup)
            await self.events.sync(meetup)
        self.renders.discard(meetup.id)
        try:
            await self.render(meetup.id)
        except Undeliverable as error:
            raise retry_later(error) from error


ANNOUNCE_RETRY_MAX = 3600
MEETUP_DURABLE = (ANNOUNCE, RESULT_TASK, NOTICE, SYNC)
"""Durable posts about meetups and polls: tried again at once when a permission may be fixed."""


class PendingAnnouncements:
    """Meetups still waiting for their announcement (a poll chose them, or Discord refused it):
    ``meetup.announce`` retries with backoff until it is up, never once the meetup has begun, and
    tells the organiser what to fix. A permission update, an admin's command or the organiser's
    ``/meetup info`` tries again at once."""

    def __init__(
        self,
        announcements: Announcements,
        meetups: MeetupService,
        polls: PollService,
        alerts: OrganiserAlerts,
        scheduler: Scheduler,
        outbound: Outbound,
        *,
        now: Clock,
    ) -> None:
        self.announcements = announcements
        self.meetups = meetups
        self.polls = polls
        self.alerts = alerts
        self.scheduler = scheduler
        self.outbound = outbound
        self.now = now
        scheduler.register(ANNOUNCE, self._announce_task)
        outbound.on_forgiven(self._forgiven)

    async def start(self) -> None:
        """Before timed work resumes: every meetup still waiting for its announcement has a task
        that posts it."""
        now = self.now()
        for meetup in await self.meetups.unannounced():
            if meetup.starts_at <= now or not self.scheduler.owns(meetup.guild_id):
                continue  # too late to announce, or another shard process's server
            if not await self.scheduler.pending_for_subject(meetup.guild_id, [ANNOUNCE], meetup.id):
                await self.scheduler.schedule(meetup.guild_id, ANNOUNCE, now, subject_id=meetup.id)

    async def _forgiven(self, guild_id: int) -> None:
        """Permissions changed (or an admin acted): what waited for them is tried at once."""
        await self.scheduler.hurry(guild_id, MEETUP_DURABLE)

    async def _announce_task(self, task: ScheduledTask) -> None:
        """Announce a meetup a poll chose; retried until it is posted, never once it has begun."""
        assert task.subject_id is not None
        meetup = await self.meetups.by_id(task.subject_id)
        if meetup is None or meetup.cancelled:
            raise TaskDropped("the meetup is gone or cancelled")
        if meetup.message_id is not None:
            return  # announced already (by an earlier run that was interrupted after posting)
        if meetup.starts_at <= self.now():
            await self.alerts.tell(meetup, OrganiserProblem.TOO_LATE, None, None)
            raise TaskDropped("the meetup started before it could be announced")
        channel_id = await self.polls.announce_channel(meetup)
        try:
            meetup = await self.announcements.publish(
                meetup, channel_id, await self.polls.winning_voters(meetup)
            )
        except Undeliverable as error:
            if error.permanent:
                await self.alerts.tell(meetup, OrganiserProblem.ANNOUNCE, channel_id, error)
            delay = min(ANNOUNCE_RETRY_MAX, 15 * 4 ** max(0, task.attempts - 1))
            if error.retry_after is not None:
                delay = max(delay, int(error.retry_after) + 1)
            delay = min(delay, max(1, meetup.starts_at - self.now()))
            raise RetryLater(str(error), delay=delay, keep_trying=True) from error
        await self.polls.show_result_link(meetup)

    async def retry(self, meetup: Meetup, member_id: int, is_admin: bool) -> Meetup:
        """``/meetup info`` on a meetup still waiting for its announcement: its organiser (or an
        admin) says the problem is fixed, so it is tried again now. Others just see it."""
        if meetup.message_id is not None or meetup.cancelled or meetup.starts_at <= self.now():
            return meetup
        if not may_manage(meetup.organiser_id, member_id, is_admin):
            return meetup
        self.outbound.forgive_channel(await self.polls.announce_channel(meetup))
        await self.scheduler.hurry(meetup.guild_id, [ANNOUNCE], meetup.id)
        await self.scheduler.run_now_for_subject(meetup.guild_id, ANNOUNCE, meetup.id)
        return await self.meetups.by_id(meetup.id) or meetup
