"""Meetup use cases on the database: create, RSVP with a waitlist, edit, cancel, look up.

No Discord here: the boards (:mod:`bot.boards.meetups`, :mod:`bot.boards.announcements`) post
and edit the messages, scheduled events and threads. Listeners (e.g. reminders) and the callbacks a
use case is given (:class:`bot.services.meetup_updates.MeetupUpdates`) plan what follows from each
change in the same transaction as the change.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.domain.calendar import meetup_ics
from bot.domain.clock import from_epoch
from bot.domain.errors import Forbidden, NotFound, UserError
from bot.domain.guild_settings import Purpose
from bot.domain.meetups import (
    CANCEL_REASON_MAX,
    CREATE_EXAMPLE,
    DEFAULT_LENGTH,
    TO_BE_ANNOUNCED,
    Change,
    Meetup,
    MeetupChange,
    MeetupDraft,
    MeetupEdit,
    RsvpCounts,
    RsvpOutcome,
    RsvpStatus,
    check_capacity_change,
    decide_rsvp,
    may_manage,
    promotions,
    validate_capacity,
    validate_description,
    validate_min_attendees,
    validate_place,
    validate_title,
)
from bot.domain.places import Geocoder
from bot.domain.polls import Poll, Winner
from bot.domain.series import SeriesNote
from bot.domain.waitlist import Offer, OfferAnswer, OfferOutcome, OfferState, offers_places
from bot.domain.when import read_time
from bot.services.config import ConfigService
from bot.storage.database import Database
from bot.storage.meetups import MeetupRepository, NewMeetup

log = logging.getLogger(__name__)

# Told inside the transaction that changes a meetup, so what follows from the change (telling the
# promoted, planning a notice) is stored if and only if the change is.
Promoted = Callable[[Meetup, Sequence[int]], Awaitable[None]]
Changed = Callable[[Meetup, Sequence[Change]], Awaitable[None]]
Cancelled = Callable[[Meetup], Awaitable[None]]
# Asked before a member's Going, Maybe or Can't go is stored: (guild, member, answer, now); raises a
# UserError to refuse it (a moderator paused the member from meetups).
RsvpGate = Callable[[int, int, RsvpStatus, int], Awaitable[None]]

Offered = Callable[[Meetup, Sequence[Offer]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Places:
    """What freeing places did: who moved up at once, and to whom a place is offered (and held)."""

    promoted: tuple[int, ...] = ()
    offers: tuple[Offer, ...] = ()


class MeetupListener:
    """Subclass and :meth:`MeetupService.subscribe` to plan what follows from a meetup's changes
    (e.g. its reminders).

    Called *inside* the transaction that stores the change, so the change and what follows from it
    are stored together or not at all: a stop between the two cannot leave reminders at an old
    time. Write to the database only (schedule tasks); never call Discord from here. An exception
    rolls the change back.
    """

    async def on_meetup_created(self, meetup: Meetup) -> None:
        """A meetup was announced (created directly or by a poll closing)."""

    async def on_meetup_updated(self, meetup: Meetup, before: Meetup) -> None:
        """Its time, place or capacity changed."""

    async def on_meetup_cancelled(self, meetup: Meetup) -> None:
        """It was cancelled; scheduled work for it should stop."""


class MeetupService:
    def __init__(
        self, db: Database, repo: MeetupRepository, config: ConfigService, geocoder: Geocoder | None = None
    ) -> None:
        self.db = db
        self.repo = repo
        self.config = config
        # The seam for the geocoding layer (introductions): None keeps places as text only.
        self.geocoder = geocoder
        self._listeners: list[MeetupListener] = []
        self._rsvp_gates: list[RsvpGate] = []
        self._series_note: Callable[[Meetup], Awaitable[SeriesNote | None]] | None = None

    # -- listeners ---------------------------------------------------------------------------

    def subscribe(self, listener: MeetupListener) -> None:
        self._listeners.append(listener)

    def gate_rsvps(self, gate: RsvpGate) -> None:
        """``gate`` may refuse a member's answer before anything is stored."""
        self._rsvp_gates.append(gate)

    # -- reading -----------------------------------------------------------------------------

    async def get(self, guild_id: int, number: int) -> Meetup:
        """The meetup members know as ``#number`` in this server, or a refusal naming /meetup list."""
        meetup = await self.repo.by_number(guild_id, number)
        if meetup is None:
            raise NotFound(f"There is no meetup #{number} in this server.", "/meetup list")
        return meetup

    async def meetups_channel(self, guild_id: int) -> int:
        """Where meetups and polls are posted in this server (refused, naming the fix, if unset)."""
        return await self.config.channel_for(guild_id, Purpose.MEETUPS)

    async def find(self, guild_id: int, number: int) -> Meetup | None:
        return await self.repo.by_number(guild_id, number)

    async def by_id(self, meetup_id: int) -> Meetup | None:
        return await self.repo.get(meetup_id)

    async def label(self, meetup_id: int) -> str | None:
        """What members know this meetup as (for exports)."""
        meetup = await self.repo.get(meetup_id)
        return None if meetup is None else f"meetup #{meetup.number} “{meetup.title}”"

    async def upcoming(self, guild_id: int, now: int, limit: int = 25) -> list[Meetup]:
        return await self.repo.upcoming(guild_id, now, limit)

    async def counts(self, meetup: Meetup) -> RsvpCounts:
        return await self.repo.counts(meetup.id)

    async def members(self, meetup: Meetup, *statuses: RsvpStatus) -> list[int]:
        """Member ids with one of these answers: going and maybe by when they answered, the
        waitlist in queue order."""
        return await self.repo.members_with(meetup.id, *statuses)

    async def roster(self, meetup: Meetup, *statuses: RsvpStatus) -> dict[RsvpStatus, list[int]]:
        """:meth:`members` for several answers at once, each answer's list apart."""
        return await self.repo.roster(meetup.id, *statuses)

    async def counts_and_roster(
        self, meetup: Meetup, *statuses: RsvpStatus
    ) -> tuple[RsvpCounts, dict[RsvpStatus, list[int]]]:
        """:meth:`counts` and :meth:`roster` at once (one query)."""
        return await self.repo.counts_and_roster(meetup.id, *statuses)

    async def with_counts_and_roster(
        self, meetup_id: int, *statuses: RsvpStatus
    ) -> tuple[Meetup, RsvpCounts, dict[RsvpStatus, list[int]]] | None:
        """A meetup as stored now with :meth:`counts_and_roster`, read together (one round trip)."""
        return await self.repo.with_counts_and_roster(meetup_id, *statuses)

    async def answer_of(self, meetup: Meetup, member_id: int) -> RsvpStatus | None:
        rsvp = await self.repo.rsvp(meetup.id, member_id)
        return None if rsvp is None else rsvp.status

    async def answered_going_or_maybe(self, guild_id: int, member_id: int, now: int) -> list[Meetup]:
        """Meetups still to come (or on) that the member said Going or Maybe to."""
        return await self.repo.answered_going_or_maybe(guild_id, member_id, now)

    async def answered(self, meetup: Meetup) -> set[int]:
        """Everyone who gave any answer (Going, Maybe, Can't go, or the waitlist)."""
        return {rsvp.member_id for rsvp in await self.repo.rsvps(meetup.id)}

    async def answered_by(self, guild_id: int, member_id: int, now: int) -> list[int]:
        """Ids of meetups still to come (or on) that the member said Going or Maybe to, or waits for."""
        return await self.repo.held_by(guild_id, member_id, now)

    async def going_members(self, meetup: Meetup) -> list[int]:
        return await self.repo.members_with(meetup.id, RsvpStatus.GOING)

    async def calendar(self, guild_id: int, number: int) -> tuple[Meetup, bytes]:
        meetup = await self.get(guild_id, number)
        return meetup, meetup_ics(meetup)

    # -- creating ----------------------------------------------------------------------------

    async def create(self, draft: MeetupDraft, now: int) -> Meetup:
        """Validate everything first, then store; bad input changes nothing."""
        return await self.repo.add(await self.read_draft(draft, now), now)

    async def read_draft(self, draft: MeetupDraft, now: int) -> NewMeetup:
        """The meetup a draft describes, every part checked (nothing stored)."""
        title = validate_title(draft.title)
        place = validate_place(draft.where)
        capacity = validate_capacity(draft.capacity)
        min_attendees = validate_min_attendees(draft.min_attendees, capacity)
        description = validate_description(draft.description)
        settings = await self.config.settings(draft.guild_id)
        tz = settings.tz
        at = read_time(draft.when, now=from_epoch(now), tz=tz, order=settings.dates)
        return NewMeetup(
            guild_id=draft.guild_id,
            title=title,
            starts_at=at.epoch,
            ends_at=at.epoch + DEFAULT_LENGTH,
            tz=tz,
            when_text=at.text,
            place=place,
            organiser_id=draft.organiser_id,
            description=description,
            capacity=capacity,
            min_attendees=min_attendees,
        )

    async def add(self, new: NewMeetup, now: int) -> Meetup:
        """Store a meetup already checked (an occurrence of a series). Joins the caller's transaction."""
        return await self.repo.add(new, now)

    async def series_note(self, meetup: Meetup) -> SeriesNote | None:
        """What the card of an occurrence says about its series (None for a one-off meetup)."""
        if meetup.series_id is None or self._series_note is None:
            return None
        return await self._series_note(meetup)

    def use_series(self, note: Callable[[Meetup], Awaitable[SeriesNote | None]]) -> None:
        """The series feature tells cards which series an occurrence belongs to."""
        self._series_note = note

    async def create_from_poll(self, poll: Poll, winner: Winner, now: int) -> Meetup:
        """The meetup a poll chose; it keeps the poll's number. Joins the caller's transaction."""
        time = winner.time.read_time(poll.tz)
        return await self.repo.add(
            NewMeetup(
                guild_id=poll.guild_id,
                title=poll.title,
                starts_at=time.epoch,
                ends_at=time.epoch + DEFAULT_LENGTH,
                tz=poll.tz,
                when_text=time.text,
                place=winner.place.label if winner.place is not None else TO_BE_ANNOUNCED,
                organiser_id=poll.organiser_id,
                capacity=poll.capacity,
                min_attendees=poll.min_attendees,
                poll_id=poll.id,
            ),
            now,
            number=poll.number,
        )

    async def discard(self, meetup: Meetup) -> None:
        """Undo a meetup whose announcement could not be posted."""
        await self.repo.delete(meetup.id)

    async def set_announcement(self, meetup: Meetup, channel_id: int, message_id: int) -> Meetup:
        """Record where it was announced; its follow-ups are planned in the same transaction."""
        async with self.db.transaction():
            await self.repo.set_announcement(meetup.id, channel_id, message_id)
            announced = await self._reload(meetup)
            for listener in self._listeners:
                await listener.on_meetup_created(announced)
        return announced

    async def set_thread(self, meetup: Meetup, thread_id: int) -> Meetup:
        await self.repo.set_thread(meetup.id, thread_id)
        return await self._reload(meetup)

    async def set_event(self, meetup: Meetup, event_id: int | None) -> Meetup:
        await self.repo.set_event(meetup.id, event_id)
        return await self._reload(meetup)

    async def locate(self, meetup: Meetup) -> Meetup:
        """Approximate coordinates for the place when a geocoder is configured; text otherwise.

        Never refuses: a place the geocoder can't find still has its map search link.
        """
        if self.geocoder is None or meetup.place == TO_BE_ANNOUNCED:
            return meetup
        try:
            found = (await self.geocoder.geocode(meetup.place)).place
        except Exception:
            log.info("could not geocode the place of meetup %d; keeping it as text", meetup.id, exc_info=True)
            await self.repo.set_location(meetup.id, None, None)
        else:
            await self.repo.set_location(meetup.id, found.latitude, found.longitude)
        return await self._reload(meetup)

    async def of_series(self, series_id: int, after: int) -> list[Meetup]:
        """Occurrences of a series already posted that start after ``after`` (cancelled ones too)."""
        return await self.repo.of_series(series_id, after)

    async def unannounced(self) -> list[Meetup]:
        return await self.repo.unannounced()

    # -- RSVPs -------------------------------------------------------------------------------

    async def rsvp(
        self,
        guild_id: int,
        meetup_id: int,
        member_id: int,
        wanted: RsvpStatus,
        now: int,
        *,
        on_promoted: Promoted | None = None,
        on_offered: Offered | None = None,
    ) -> RsvpOutcome:
        """Store a member's answer and fill freed places from the waitlist in the same transaction.

        A member holding an offered place who answers Going claims it; any other answer gives the
        held place back."""
        for gate in self._rsvp_gates:
            await gate(guild_id, member_id, wanted, now)
        async with self.db.transaction():
            found, current, counts = await self.repo.with_answer_and_counts(meetup_id, member_id)
            meetup = self._open_for_rsvp(found, guild_id, now)
            previous = current.status if current else None
            offer = None
            if counts.held:  # the places held are the open offers: none open, none of them theirs
                offer = next(
                    (o for o in await self.repo.open_offers(meetup.id) if o.member_id == member_id), None
                )
            if offer is not None:
                closed = OfferState.CLAIMED if wanted is RsvpStatus.GOING else OfferState.WITHDRAWN
                await self.repo.close_offer(offer.id, closed, now)
                status = wanted
            else:
                status = decide_rsvp(wanted, previous, counts.going + counts.held, meetup.capacity)
                if status is RsvpStatus.WAITLIST and await self._first_for_a_free_place(meetup, member_id):
                    status = RsvpStatus.GOING  # an offer to them lapsed and nobody else was waiting
            position = current.position if current else None
            if status is not previous:
                position = await self.repo.set_rsvp(guild_id, meetup.id, member_id, status, now)
            places = Places()
            if (previous is RsvpStatus.GOING or offer is not None) and status is not RsvpStatus.GOING:
                places = await self._fill(meetup, now, on_promoted, on_offered)
            place = await self.repo.waitlist_place(meetup.id, position) if position is not None else None
        return RsvpOutcome(
            meetup,
            status,
            previous,
            waitlist_place=place,
            promoted=places.promoted,
            offered=tuple(o.member_id for o in places.offers),
        )

    async def _first_for_a_free_place(self, meetup: Meetup, member_id: int) -> bool:
        """A place is free and not held (offers lapsed), and the member heads the waitlist."""
        counts = await self.repo.counts(meetup.id)
        if meetup.capacity is None or counts.going + counts.held >= meetup.capacity:
            return False
        held = {offer.member_id for offer in await self.repo.open_offers(meetup.id)}
        waiting = [m for m in await self.repo.members_with(meetup.id, RsvpStatus.WAITLIST) if m not in held]
        return bool(waiting) and waiting[0] == member_id

    @staticmethod
    def _open_for_rsvp(meetup: Meetup | None, guild_id: int, now: int) -> Meetup:
        if meetup is None or meetup.guild_id != guild_id:
            raise NotFound("This meetup no longer exists.", "/meetup list")
        if meetup.cancelled:
            raise UserError(f"Meetup #{meetup.number} was cancelled.", "/meetup list")
        if meetup.ends_at <= now:
            raise UserError(f"Meetup #{meetup.number} is over.", "/meetup list")
        return meetup

    async def _fill(
        self, meetup: Meetup, now: int, on_promoted: Promoted | None, on_offered: Offered | None
    ) -> Places:
        """Fill free places and tell whoever must be told (inside a transaction)."""
        places = await self._promote(meetup, now)
        if places.promoted and on_promoted is not None:
            await on_promoted(meetup, places.promoted)
        if places.offers and on_offered is not None:
            await on_offered(meetup, places.offers)
        return places

    async def _promote(self, meetup: Meetup, now: int) -> Places:
        """Fill free places from the waitlist, first in first (inside a transaction): at once, or
        offered and held in offer mode while the start is more than the hold away."""
        counts = await self.repo.counts(meetup.id)
        held = {offer.member_id for offer in await self.repo.open_offers(meetup.id)}
        waitlist = [m for m in await self.repo.members_with(meetup.id, RsvpStatus.WAITLIST) if m not in held]
        chosen = promotions(waitlist, counts.going + counts.held, meetup.capacity)
        if not chosen:
            return Places()
        settings = await self.config.settings(meetup.guild_id)
        if offers_places(settings.waitlist_mode, meetup.starts_at, settings.waitlist_hold, now):
            # Who let an offer lapse is not asked again (they can still press Going while it's free).
            lapsed = await self.repo.lapsed_offer_members(meetup.id)
            fresh = [member for member in waitlist if member not in lapsed]
            chosen = promotions(fresh, counts.going + counts.held, meetup.capacity)
            expires = now + settings.waitlist_hold
            offers = [
                await self.repo.add_offer(meetup.guild_id, meetup.id, member_id, now, expires)
                for member_id in chosen
            ]
            return Places(offers=tuple(offers))
        for member_id in chosen:
            await self.repo.set_rsvp(meetup.guild_id, meetup.id, member_id, RsvpStatus.GOING, now)
        return Places(promoted=tuple(chosen))

    # -- offered places ----------------------------------------------------------------------

    async def offer(self, offer_id: int) -> Offer | None:
        return await self.repo.offer(offer_id)

    async def answer_offer(
        self,
        offer_id: int,
        member_id: int,
        answer: OfferAnswer,
        now: int,
        *,
        on_promoted: Promoted | None = None,
        on_offered: Offered | None = None,
    ) -> OfferOutcome:
        """**Claim** (going now) or **Pass** (Can't go; the place is offered to the next). An offer
        that ended meanwhile is refused kindly: the member is told where they stand."""
        async with self.db.transaction():
            offer = await self.repo.offer(offer_id)
            if offer is None:
                raise NotFound("This offer no longer exists.", "/meetup list")
            if offer.member_id != member_id:
                raise Forbidden("This place was offered to someone else.", "/meetup list")
            meetup = self._open_for_rsvp(await self.repo.get(offer.meetup_id), offer.guild_id, now)
            done = {OfferState.CLAIMED: OfferAnswer.CLAIM, OfferState.PASSED: OfferAnswer.PASS}
            if offer.state in done:
                return OfferOutcome(meetup, done[offer.state], taken=True, already=True)
            if not offer.open or offer.expires_at <= now:
                current = await self.repo.rsvp(meetup.id, member_id)
                place = None
                if current is not None and current.position is not None:
                    place = await self.repo.waitlist_place(meetup.id, current.position)
                return OfferOutcome(
                    meetup, answer, taken=False, waitlist_place=place, expires_at=offer.expires_at
                )
            if answer is OfferAnswer.CLAIM:
                await self.repo.close_offer(offer.id, OfferState.CLAIMED, now)
                await self.repo.set_rsvp(meetup.guild_id, meetup.id, member_id, RsvpStatus.GOING, now)
            else:
                await self.repo.close_offer(offer.id, OfferState.PASSED, now)
                await self.repo.set_rsvp(meetup.guild_id, meetup.id, member_id, RsvpStatus.NO, now)
                await self._fill(meetup, now, on_promoted, on_offered)
        return OfferOutcome(meetup, answer, taken=True, expires_at=offer.expires_at)

    async def expire_offer(
        self,
        offer_id: int,
        now: int,
        *,
        on_promoted: Promoted | None = None,
        on_offered: Offered | None = None,
    ) -> Meetup | None:
        """The hold passed unanswered: the member goes to the back of the waitlist and the place is
        offered to the next (or assigned at once, this close to the start). None if nothing changed."""
        async with self.db.transaction():
            offer = await self.repo.offer(offer_id)
            if offer is None or not offer.open:
                return None
            meetup = await self.repo.get(offer.meetup_id)
            if meetup is None or meetup.cancelled or meetup.ends_at <= now:
                await self.repo.close_offer(offer.id, OfferState.WITHDRAWN, now)
                return None
            await self.repo.close_offer(offer.id, OfferState.EXPIRED, now)
            await self.repo.set_rsvp(meetup.guild_id, meetup.id, offer.member_id, RsvpStatus.WAITLIST, now)
            await self._fill(meetup, now, on_promoted, on_offered)
        return meetup

    # -- managing ----------------------------------------------------------------------------

    async def managed(
        self, guild_id: int, number: int, member_id: int, is_admin: bool, action: str
    ) -> Meetup:
        """The meetup, if this member may ``action`` it (its organiser, or Manage Server)."""
        meetup = await self.get(guild_id, number)
        if not may_manage(meetup.organiser_id, member_id, is_admin):
            raise Forbidden(
                f"Only the organiser of meetup #{number} or someone with Manage Server can {action} it.",
                f"/meetup info id:{number}",
            )
        return meetup

    async def edit(
        self,
        change: MeetupChange,
        now: int,
        *,
        on_promoted: Promoted | None = None,
        on_changed: Changed | None = None,
        on_offered: Offered | None = None,
    ) -> MeetupEdit:
        number = change.number
        example = f"/meetup edit id:{number} when:sat 7pm"
        if change.empty:
            raise UserError("Say what to change: when, where or capacity.", example)
        before = await self.managed(change.guild_id, number, change.member_id, change.is_admin, "edit")
        if before.cancelled:
            raise UserError(f"Meetup #{number} was cancelled; create a new one instead.", CREATE_EXAMPLE)
        if before.ends_at <= now:
            raise UserError(f"Meetup #{number} is over; create a new one instead.", CREATE_EXAMPLE)
        starts_at, when_text, tz = before.starts_at, before.when_text, before.tz
        if change.when is not None:
            settings = await self.config.settings(change.guild_id)
            tz = settings.tz
            at = read_time(change.when, now=from_epoch(now), tz=tz, order=settings.dates)
            starts_at, when_text = at.epoch, at.text
        place = validate_place(change.where, example) if change.where is not None else before.place
        capacity = change.capacity
        new_capacity = validate_capacity(capacity, example) if capacity is not None else before.capacity
        async with self.db.transaction():
            counts = await self.repo.counts(before.id)
            if capacity is not None:
                check_capacity_change(new_capacity, counts.going + counts.held, number)
            await self.repo.update(
                before.id,
                starts_at=starts_at,
                ends_at=starts_at + (before.ends_at - before.starts_at),
                tz=tz,
                when_text=when_text,
                place=place,
                capacity=new_capacity,
                now=now,
            )
            after = await self._reload(before)
            places = await self._fill(after, now, on_promoted, on_offered)
            edit = MeetupEdit(before=before, after=after, promoted=places.promoted)
            if edit.changes:
                if after.message_id is not None:
                    for listener in self._listeners:
                        await listener.on_meetup_updated(after, before)
                if on_changed is not None:
                    await on_changed(after, edit.changes)
        return edit

    async def cancel(
        self,
        *,
        guild_id: int,
        number: int,
        member_id: int,
        is_admin: bool,
        reason: str | None,
        now: int,
        on_cancelled: Cancelled | None = None,
    ) -> Meetup:
        meetup = await self.managed(guild_id, number, member_id, is_admin, "cancel")
        if meetup.cancelled:
            raise UserError(f"Meetup #{number} is already cancelled.", "/meetup list")
        reason = " ".join(reason.split())[:CANCEL_REASON_MAX] if reason and reason.strip() else None
        async with self.db.transaction():
            if not await self.repo.cancel(meetup.id, reason, now):
                raise UserError(f"Meetup #{number} is already cancelled.", "/meetup list")
            cancelled = await self._reload(meetup)
            for listener in self._listeners:
                await listener.on_meetup_cancelled(cancelled)
            if on_cancelled is not None:
                await on_cancelled(cancelled)
        return cancelled

    async def _reload(self, meetup: Meetup) -> Meetup:
        fresh = await self.repo.get(meetup.id)
        assert fresh is not None
        return fresh
