"""DMs for many members at once (reminders, nudges), queued durably and sent at a steady pace.

Features call :meth:`DmOutbox.enqueue` (inside their own transaction, so the DMs are queued if
and only if the rest is stored) and then :meth:`DmOutbox.kick`. Each DM is a row in
``dm_outbox``; one scheduled task of kind ``dm.drain`` sends the next ``batch`` due rows and, while
more wait, schedules the next drain ``interval`` seconds later. A member whose DMs are closed is
marked ``closed`` and skipped; a Discord error is retried a few times, then marked ``failed``;
neither stops the others. A restart resumes where the queue stood.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.clock import now_epoch
from bot.delivery import Delivered, Delivery
from bot.domain.durations import DAY
from bot.domain.followups import DM_DRAIN, dm_retry_delay
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import Scheduler
from bot.storage.outbox import OutboxRepository, OutboxState
from bot.ui.followups import outbox_message

log = logging.getLogger(__name__)

BATCH = 10
INTERVAL = 2
"""Ten DMs every two seconds: five a second, two requests each (open the DM channel, send)."""
KEEP_FINISHED = 30 * DAY
_GLOBAL = 0  # the drain serves every server: Discord's limits are per bot


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """What a queued DM says; ``view`` names persistent buttons that :mod:`bot.ui.followups` builds."""

    content: str
    view: dict[str, Any] | None = None

    def payload(self) -> dict[str, Any]:
        return {"content": self.content, "view": self.view}


class DmOutbox:
    def __init__(
        self,
        repo: OutboxRepository,
        scheduler: Scheduler,
        delivery: Delivery,
        *,
        batch: int = BATCH,
        interval: int = INTERVAL,
    ) -> None:
        self.repo = repo
        self.scheduler = scheduler
        self.delivery = delivery
        self.batch = batch
        self.interval = interval
        # The pending drain task, if one is planned (0 while one is being planned).
        self._drain_task: int | None = None
        self._next_drain = 0
        scheduler.register(DM_DRAIN, self._drain)

    async def start(self) -> None:
        """At start (before the scheduler): resume an interrupted queue and plan its drain."""
        now = now_epoch()
        await self.repo.requeue_sending()
        await self.repo.prune(now - KEEP_FINISHED)
        pending = await self.scheduler.pending_for_subject(_GLOBAL, [DM_DRAIN], _GLOBAL)
        self._drain_task = pending[0].id if pending else None
        await self.kick()

    async def enqueue(
        self, guild_id: int, member_ids: Iterable[int], message: OutboxMessage, key: str
    ) -> int:
        """Queue one DM per member, keyed ``<key>:<member>`` so a repeat queues nothing new.

        Joins the caller's transaction; call :meth:`kick` after it commits.
        """
        entries = [(member_id, f"{key}:{member_id}") for member_id in member_ids]
        return await self.repo.add(guild_id, entries, message.payload(), now_epoch())

    async def send(self, guild_id: int, member_ids: Iterable[int], message: OutboxMessage, key: str) -> int:
        """Queue and start sending (outside a transaction)."""
        queued = await self.enqueue(guild_id, member_ids, message, key)
        await self.kick()
        return queued

    async def kick(self) -> None:
        """Plan a drain when DMs wait and none is planned; a no-op otherwise."""
        if self._drain_task is not None:
            return
        self._drain_task = 0  # planning: a concurrent kick must not plan a second drain
        try:
            due = await self.repo.next_due()
            if due is None:
                self._drain_task = None
                return
            at = max(due, self._next_drain, now_epoch())
            task = await self.scheduler.schedule(_GLOBAL, DM_DRAIN, at, subject_id=_GLOBAL)
            self._drain_task = task.id
        except BaseException:
            self._drain_task = None
            raise

    async def _drain(self, task: ScheduledTask) -> None:
        if self._drain_task == task.id:
            self._drain_task = None
        now = now_epoch()
        self._next_drain = now + self.interval
        for row in await self.repo.claim_due(now, self.batch):
            delivered = await self.delivery.dm(row.member_id, **outbox_message(row.payload))
            if delivered is Delivered.SENT:
                await self.repo.finish(row.id, OutboxState.SENT, now)
            elif delivered in (Delivered.CLOSED, Delivered.GONE):
                await self.repo.finish(row.id, OutboxState.CLOSED, now, f"DMs {delivered.value}")
            else:
                delay = dm_retry_delay(row.attempts)
                if delay is None:
                    log.warning(
                        "giving up on DM %d to %d after %d tries", row.id, row.member_id, row.attempts
                    )
                    await self.repo.finish(row.id, OutboxState.FAILED, now, "Discord error")
                else:
                    await self.repo.retry_at(row.id, now + delay, "Discord error")
        await self.kick()
