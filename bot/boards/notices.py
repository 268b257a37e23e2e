"""Telling the people going what changed, in the meetup thread; and the DM to a member promoted
from the waitlist.

``meetup.notice`` tasks are planned by :class:`bot.services.meetup_updates.MeetupUpdates` with the
change they follow (time or place changed, cancelled, promoted members whose DMs are off). Each is
rendered when it goes out, with the meetup as it is then, and mentions exactly whom it is for; each
part of a long mention list is recorded as sent, so a retry repeats nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.boards.alerts import OrganiserAlerts
from bot.boards.outbox import DmSender
from bot.boards.threads import MeetupThreads
from bot.domain.clock import Clock
from bot.domain.followups import NOTICE, NoticeKind
from bot.domain.meetups import Change, RsvpStatus
from bot.domain.outbox import OutboxRow
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import Scheduler, TaskDropped
from bot.services.meetup_updates import PROMOTION
from bot.services.meetups import MeetupService
from bot.ui import meetups as ui


class MeetupNotices:
    def __init__(
        self,
        meetups: MeetupService,
        threads: MeetupThreads,
        scheduler: Scheduler,
        sender: DmSender,
        alerts: OrganiserAlerts,
        *,
        now: Clock,
    ) -> None:
        self.meetups = meetups
        self.threads = threads
        self.now = now
        scheduler.register(NOTICE, self._notice_task, on_give_up=alerts.gave_up)
        sender.register(PROMOTION, self._promotion_dm)

    async def _notice_task(self, task: ScheduledTask) -> None:
        assert task.subject_id is not None
        meetup = await self.meetups.by_id(task.subject_id)
        if meetup is None:
            raise TaskDropped("the meetup no longer exists")
        notice = NoticeKind.of(task.payload)
        if notice is NoticeKind.CHANGED:
            if meetup.cancelled:
                raise TaskDropped("the meetup was cancelled since")
            told = await self.meetups.members(meetup, RsvpStatus.GOING, RsvpStatus.MAYBE)
            header = ui.change_notice(meetup, _changes(task.payload.get("changes", [])))
        elif notice is NoticeKind.CANCELLED:
            told = await self.meetups.members(meetup, RsvpStatus.GOING, RsvpStatus.MAYBE)
            header = ui.cancel_notice(meetup)
        elif notice is NoticeKind.PROMOTED:
            going = set(await self.meetups.members(meetup, RsvpStatus.GOING))
            told = [member for member in task.payload.get("members", []) if member in going]
            header = ui.promotion_notice(meetup)
        elif notice is NoticeKind.OFFERED:
            offer = await self.meetups.offer(int(task.payload.get("offer", 0)))
            if meetup.cancelled or offer is None or not offer.open or offer.expires_at <= self.now():
                raise TaskDropped("the offer was answered or has ended")
            told = [member for member in task.payload.get("members", []) if member == offer.member_id]
            header = ui.offer_notice(meetup, offer.expires_at)
            if told:
                parts = ui.notice_parts(header, told)
                await self.threads.post_parts(task, meetup, parts, view=ui.offer_view(offer.id))
                return
        else:
            raise TaskDropped(f"unknown notice {task.payload.get('notice')!r}")
        if not told:
            raise TaskDropped("nobody to tell")
        await self.threads.post_parts(task, meetup, ui.notice_parts(header, told))

    async def _promotion_dm(self, row: OutboxRow) -> dict[str, Any] | None:
        meetup = await self.meetups.by_id(int(row.args["meetup"]))
        if meetup is None or meetup.cancelled or meetup.starts_at <= self.now():
            return None
        if row.member_id not in await self.meetups.members(meetup, RsvpStatus.GOING):
            return None  # they gave the place up since
        return {"content": ui.promotion_dm(meetup)}


def _changes(stored: Sequence[str]) -> list[Change]:
    """The changes a notice's payload names (stored by value; unknown ones are skipped)."""
    known = {change.value for change in Change}
    return [Change(value) for value in stored if value in known]
