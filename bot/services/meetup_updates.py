"""What follows from a meetup's change, planned in the same transaction as the change.

The use cases (:class:`bot.services.meetups.MeetupService`'s RSVP, edit and cancel) call these
inside their transaction, so a stop right after the change cannot leave the announcement showing
the old time or the attendees untold. Everything here only writes durable work; the Discord side
(:mod:`bot.boards`) does it:

- ``meetup.sync``: the announcement and the native event show the meetup as it is now;
- ``meetup.notice``: Going and Maybe are told in the meetup thread (time or place changed,
  cancelled), at most once per 10 minutes per meetup, with the latest details; a member promoted
  from the waitlist whose DMs are off is told there too;
- a ``promotion`` DM for each member who moved up from the waitlist;
- in offer mode, a ``waitlist_offer`` DM with **Claim** / **Pass** for each member a place is held
  for (in the meetup thread when their DMs are off), and a ``waitlist.offer_expire`` task when the
  hold ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain.clock import Clock
from bot.domain.consent import DmKind
from bot.domain.followups import NOTICE, OFFER_EXPIRE, SYNC, NoticeKind
from bot.domain.meetups import Change, Meetup, tells_attendees
from bot.domain.outbox import OutboxMessage
from bot.domain.tasks import TaskState
from bot.domain.waitlist import Offer
from bot.scheduling.scheduler import Scheduler
from bot.services.outbox import DmOutbox

NOTICE_INTERVAL = 600
"""At most one change notice per meetup in this many seconds; later changes join the next one."""
PROMOTION = "promotion"
"""The outbox renderer of the DM telling a member a place opened up."""
OFFER = "waitlist_offer"
"""The outbox renderer of the DM offering a member a place (Claim / Pass)."""


class MeetupUpdates:
    def __init__(self, scheduler: Scheduler, outbox: DmOutbox, *, now: Clock) -> None:
        self.scheduler = scheduler
        self.outbox = outbox
        self.now = now
        outbox.register_fallback(PROMOTION, self._promotion_fallback)
        outbox.register_fallback(OFFER, self._offer_fallback)

    async def plan_sync(self, meetup: Meetup) -> None:
        """The announcement and the scheduled event will show the meetup as it is (once)."""
        if not await self.scheduler.pending_for_subject(meetup.guild_id, [SYNC], meetup.id):
            await self.scheduler.schedule(meetup.guild_id, SYNC, self.now(), subject_id=meetup.id)

    async def changed(self, meetup: Meetup, changes: Sequence[Change]) -> None:
        """An edit: brought in sync, and one notice to Going and Maybe at most every 10 minutes.

        A notice already waiting takes the new changes along (it renders the latest details when
        it goes out); otherwise the next one goes out now, or 10 minutes after the last one.
        """
        await self.plan_sync(meetup)
        if not tells_attendees(changes):
            return
        now = self.now()
        tasks = await self.scheduler.repo.for_subject(meetup.guild_id, [NOTICE], meetup.id)
        changed = [task for task in tasks if NoticeKind.of(task.payload) is NoticeKind.CHANGED]
        waiting = next((task for task in changed if task.state is TaskState.PENDING), None)
        if waiting is not None:
            merged = list(dict.fromkeys([*waiting.payload.get("changes", []), *(c.value for c in changes)]))
            await self.scheduler.repo.set_payload(waiting.id, {**waiting.payload, "changes": merged})
            return
        last = max((task.due_at for task in changed if task.state is TaskState.DONE), default=None)
        due = now if last is None else max(now, last + NOTICE_INTERVAL)
        await self.scheduler.schedule(
            meetup.guild_id,
            NOTICE,
            due,
            subject_id=meetup.id,
            payload={"notice": NoticeKind.CHANGED.value, "changes": [change.value for change in changes]},
        )

    async def cancelled(self, meetup: Meetup) -> None:
        """A cancellation: brought in sync, and a waiting change notice gives way to it."""
        await self.plan_sync(meetup)
        for task in await self.scheduler.pending_for_subject(meetup.guild_id, [NOTICE], meetup.id):
            if NoticeKind.of(task.payload) is NoticeKind.CHANGED:
                await self.scheduler.cancel(task.id)
        await self.scheduler.schedule(
            meetup.guild_id,
            NOTICE,
            self.now(),
            subject_id=meetup.id,
            payload={"notice": NoticeKind.CANCELLED.value},
        )

    async def promoted(self, meetup: Meetup, member_ids: Sequence[int]) -> None:
        """Each promoted member is told by DM (a place they waited for), or in the meetup thread
        when their DMs are off."""
        await self.outbox.enqueue(
            meetup.guild_id,
            member_ids,
            OutboxMessage(render=PROMOTION, args={"meetup": meetup.id}),
            key=f"promoted:{meetup.id}:{self.now()}",
            kind=DmKind.REPLY,
        )

    async def offered(self, meetup: Meetup, offers: Sequence[Offer]) -> None:
        """Each member a place is held for is asked by DM (a place they waited for), or in the
        meetup thread when their DMs are off; the hold ends with a task, exactly once."""
        for offer in offers:
            await self.scheduler.schedule(
                meetup.guild_id,
                OFFER_EXPIRE,
                offer.expires_at,
                subject_id=meetup.id,
                payload={"offer": offer.id},
            )
            await self.outbox.enqueue(
                meetup.guild_id,
                [offer.member_id],
                OutboxMessage(render=OFFER, args={"meetup": meetup.id, "offer": offer.id}),
                key=f"offer:{offer.id}",
                kind=DmKind.REPLY,
            )

    async def deliver(self) -> None:
        """After the change committed: the DMs it queued start going out."""
        await self.outbox.kick()

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
            payload={"notice": NoticeKind.PROMOTED.value, "members": [member_id]},
        )

    async def _offer_fallback(self, guild_id: int, member_id: int, args: dict[str, Any], why: str) -> None:
        """No DM for the member a place is held for: ask in the meetup thread, pinging only them."""
        await self.scheduler.schedule(
            guild_id,
            NOTICE,
            self.now(),
            subject_id=int(args.get("meetup", 0)),
            payload={
                "notice": NoticeKind.OFFERED.value,
                "members": [member_id],
                "offer": int(args.get("offer", 0)),
            },
        )
