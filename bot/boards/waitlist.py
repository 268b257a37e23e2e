"""The Discord side of places offered from the waitlist (``/config waitlist mode:offer``).

:class:`bot.services.meetup_updates.MeetupUpdates` plans, in the transaction that frees a place,
the DM with **Claim** / **Pass** (or its notice in the meetup thread when the member's DMs are
off) and the ``waitlist.offer_expire`` task. This renders that DM when it goes out, runs the task
when the hold ends (the place goes to the next member, exactly once across restarts), and answers
Claim and Pass.
"""

from __future__ import annotations

from typing import Any

from bot.boards.announcements import Announcements
from bot.boards.outbox import DmSender
from bot.domain.followups import OFFER_EXPIRE
from bot.domain.meetups import RsvpStatus
from bot.domain.outbox import OutboxRow
from bot.domain.tasks import ScheduledTask
from bot.domain.waitlist import OfferAnswer, OfferOutcome
from bot.scheduling.scheduler import Scheduler, TaskDropped
from bot.services.meetup_updates import OFFER, MeetupUpdates
from bot.services.meetups import MeetupService
from bot.ui import meetups as ui


class WaitlistOffers:
    def __init__(
        self,
        meetups: MeetupService,
        updates: MeetupUpdates,
        announcements: Announcements,
        scheduler: Scheduler,
        sender: DmSender,
    ) -> None:
        self.meetups = meetups
        self.updates = updates
        self.announcements = announcements
        self.scheduler = scheduler
        scheduler.register(OFFER_EXPIRE, self._expire)
        sender.register(OFFER, self._offer_dm)

    async def answer(self, offer_id: int, member_id: int, answer: OfferAnswer, now: int) -> OfferOutcome:
        """Claim or Pass, pressed in a DM or in the meetup thread."""
        outcome = await self.meetups.answer_offer(
            offer_id,
            member_id,
            answer,
            now,
            on_promoted=self.updates.promoted,
            on_offered=self.updates.offered,
        )
        if outcome.taken and not outcome.already:
            self.announcements.renders.request(outcome.meetup.id)
            await self.updates.deliver()
        return outcome

    async def _expire(self, task: ScheduledTask) -> None:
        meetup = await self.meetups.expire_offer(
            int(task.payload.get("offer", 0)),
            self.scheduler.now_epoch(),
            on_promoted=self.updates.promoted,
            on_offered=self.updates.offered,
        )
        if meetup is None:
            raise TaskDropped("the offer was answered, or its meetup is over or cancelled")
        self.announcements.renders.request(meetup.id)
        await self.updates.deliver()

    async def _offer_dm(self, row: OutboxRow) -> dict[str, Any] | None:
        offer = await self.meetups.offer(int(row.args["offer"]))
        if offer is None or not offer.open or offer.expires_at <= self.scheduler.now_epoch():
            return None
        meetup = await self.meetups.by_id(offer.meetup_id)
        if meetup is None or meetup.cancelled:
            return None
        if row.member_id not in await self.meetups.members(meetup, RsvpStatus.WAITLIST):
            return None
        return {"content": ui.offer_dm(meetup, offer.expires_at), "view": ui.offer_view(offer.id)}
