"""The Discord side of the meetup commands and buttons: create, RSVP, edit, cancel.

Each calls one use case of :class:`bot.services.meetups.MeetupService`, which validates and stores
the change (with what follows from it, planned by :class:`MeetupUpdates` in the same transaction),
then shows it on Discord now: a new meetup is announced at once or not created at all (the
organiser is there to be told why); an RSVP re-renders the announcement; an edit or cancellation
runs its ``meetup.sync`` and ``meetup.notice`` at once, which retry on their own if Discord refuses.
"""

from __future__ import annotations

from bot.adapters.outbound import Undeliverable
from bot.boards.announcements import Announcements, PendingAnnouncements
from bot.boards.delivery import cannot_post
from bot.domain.errors import UserError
from bot.domain.followups import NOTICE, SYNC
from bot.domain.meetups import Meetup, MeetupChange, MeetupDraft, MeetupEdit, RsvpOutcome, RsvpStatus
from bot.scheduling.scheduler import Scheduler
from bot.services.meetup_updates import MeetupUpdates
from bot.services.meetups import MeetupService


class MeetupBoard:
    def __init__(
        self,
        meetups: MeetupService,
        updates: MeetupUpdates,
        announcements: Announcements,
        pending: PendingAnnouncements,
        scheduler: Scheduler,
    ) -> None:
        self.meetups = meetups
        self.updates = updates
        self.announcements = announcements
        self.pending = pending
        self.scheduler = scheduler

    async def create_meetup(self, draft: MeetupDraft, now: int) -> Meetup:
        """Created and announced at once, or not at all: the organiser is there to be told why."""
        channel_id = await self.meetups.meetups_channel(draft.guild_id)
        meetup = await self.meetups.create(draft, now)
        try:
            return await self.announcements.publish(meetup, channel_id)
        except Undeliverable as error:
            await self.meetups.discard(meetup)
            raise cannot_post(channel_id, error) from error

    async def rsvp(
        self, guild_id: int, meetup_id: int, member_id: int, status: RsvpStatus, now: int
    ) -> RsvpOutcome:
        """Going / Maybe / Can't go: stored (the waitlist moving up), then shown on the announcement."""
        outcome = await self.meetups.rsvp(
            guild_id,
            meetup_id,
            member_id,
            status,
            now,
            on_promoted=self.updates.promoted,
            on_offered=self.updates.offered,
        )
        if outcome.changed:
            self.announcements.renders.request(meetup_id)
        if outcome.promoted or outcome.offered:
            await self.updates.deliver()
        return outcome

    async def edit_meetup(self, change: MeetupChange, now: int) -> MeetupEdit:
        edit = await self.meetups.edit(
            change,
            now,
            on_promoted=self.updates.promoted,
            on_changed=self.updates.changed,
            on_offered=self.updates.offered,
        )
        await self.scheduler.run_now_for_subject(change.guild_id, SYNC, edit.after.id)
        await self.scheduler.run_now_for_subject(change.guild_id, NOTICE, edit.after.id)
        await self.updates.deliver()
        return edit

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
            on_cancelled=self.updates.cancelled,
        )
        await self.scheduler.run_now_for_subject(meetup.guild_id, SYNC, meetup.id)
        await self.scheduler.run_now_for_subject(meetup.guild_id, NOTICE, meetup.id)
        return meetup

    async def give_up_places(self, guild_id: int, member_id: int, now: int) -> list[int]:
        """Every answer to a meetup still to come becomes **Can't go** (the member left, or asked to
        be forgotten); returns those meetup ids."""
        released: list[int] = []
        for meetup_id in await self.meetups.answered_by(guild_id, member_id, now):
            try:
                await self.rsvp(guild_id, meetup_id, member_id, RsvpStatus.NO, now)
            except UserError:
                continue  # cancelled or over since we looked: nothing to give up
            released.append(meetup_id)
        return released

    async def retry_announcement(self, meetup: Meetup, member_id: int, is_admin: bool) -> Meetup:
        """``/meetup info`` on a meetup waiting for its announcement (see :class:`PendingAnnouncements`)."""
        return await self.pending.retry(meetup, member_id, is_admin)
