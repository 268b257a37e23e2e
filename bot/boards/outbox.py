"""The Discord side of the DM outbox: each queued DM is rendered when it goes out, then sent.

:class:`bot.services.outbox.DmOutbox` keeps the queue (consent, pacing, retries); this runs its
``dm.drain`` task and hands it one :meth:`DmSender._deliver` per row. Features register a renderer
per kind of DM (:meth:`DmSender.register`): ``send`` keyword arguments built from the row's ids as
things are now, or None when the DM no longer applies (a reminder of a cancelled meetup).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.adapters.outbound import Outbound
from bot.domain.followups import DM_DRAIN
from bot.domain.outbox import Delivered, OutboxRow
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import Scheduler
from bot.services.outbox import DmOutbox

log = logging.getLogger(__name__)

Render = Callable[[OutboxRow], Awaitable[dict[str, Any] | None]]
"""``send`` keyword arguments (content, embed, view) for a row, or None when it no longer applies."""
PlainRender = Callable[[dict[str, Any]], dict[str, Any]]
"""``send`` keyword arguments for a row queued with plain content (and named buttons)."""


class DmSender:
    def __init__(
        self, outbox: DmOutbox, outbound: Outbound, scheduler: Scheduler, *, plain: PlainRender
    ) -> None:
        self.outbox = outbox
        self.outbound = outbound
        self._plain = plain
        self._renderers: dict[str, Render] = {}
        # A drain serves many servers (a shard's, or all); each DM checks its own server.
        scheduler.register(DM_DRAIN, self._drain, needs_guild=False)

    def register(self, name: str, render: Render) -> None:
        """How one kind of DM is written when it is sent."""
        if name in self._renderers:
            raise ValueError(f"outbox renderer {name!r} registered twice")
        self._renderers[name] = render

    async def _drain(self, task: ScheduledTask) -> None:
        await self.outbox.drain(task, self._deliver)

    async def _deliver(self, row: OutboxRow) -> Delivered | None:
        message = await self._render(row)
        if message is None:
            return None
        return await self.outbound.dm(row.member_id, **message)

    async def _render(self, row: OutboxRow) -> dict[str, Any] | None:
        name = row.payload.get("render")
        if name is None:
            return self._plain(row.payload)
        render = self._renderers.get(name)
        if render is None:
            log.error("no outbox renderer %r; dropping DM %d", name, row.id)
            return None
        return await render(row)
