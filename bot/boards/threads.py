"""The meetup thread: opened under the announcement on first use; reminders, notices and Who came?
post there, so the meetups channel stays a list of meetups."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from bot.adapters.outbound import Outbound, Undeliverable
from bot.boards.alerts import OrganiserAlerts
from bot.boards.delivery import retry_later
from bot.domain.meetups import Meetup, OrganiserProblem
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import Scheduler, TaskDropped
from bot.services.locks import KeyedLocks
from bot.services.meetups import MeetupService

log = logging.getLogger(__name__)

THREAD_ARCHIVE_MINUTES = 10080


class MeetupThreads:
    def __init__(
        self, outbound: Outbound, meetups: MeetupService, scheduler: Scheduler, alerts: OrganiserAlerts
    ) -> None:
        self.outbound = outbound
        self.meetups = meetups
        self.scheduler = scheduler
        self.alerts = alerts
        self._locks: KeyedLocks[int] = KeyedLocks()  # per meetup: two posts at once open one thread

    async def ensure(self, meetup: Meetup) -> int | None:
        """The id of the thread under the announcement (created on first use), or None if there
        can't be one."""
        async with self._locks.hold(meetup.id):
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

    async def target(self, meetup: Meetup) -> int | None:
        """Where posts about a meetup go: its thread, else the channel of its announcement."""
        thread_id = await self.ensure(meetup)
        return thread_id if thread_id is not None else meetup.channel_id

    async def post_parts(
        self, task: ScheduledTask, meetup: Meetup, parts: Sequence[tuple[str, Sequence[int]]], **extra: Any
    ) -> None:
        """Post ``(content, pings)`` parts in the meetup thread for a task, recording each part sent
        so that a retry after a failure posts only the rest."""
        target = await self.target(meetup)
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
                    await self.alerts.tell(meetup, OrganiserProblem.POST, target, error)
                raise retry_later(error) from error
            await self.scheduler.set_payload(task.id, {**task.payload, "sent": number + 1})
