"""Every DM the bot sends: consent checked, queued durably, sent at a steady pace, retried.

There is no other way to DM a member. Features call :meth:`DmOutbox.enqueue` (inside their own
transaction, so the DMs are queued if and only if the rest is stored) with the *kind* of DM
(:mod:`bot.domain.consent`): a member gets it only if their ``/privacy dm`` allows that kind,
checked when it is queued and again when it is sent. Then :meth:`DmOutbox.kick`.

Each DM is a row in ``dm_outbox``; one scheduled task of kind ``dm.drain`` sends the due rows the
pace allows (at most ``batch`` in any ``interval`` seconds, a sliding window, so a lone DM after a
quiet moment goes at once) and, while more wait, schedules the next drain for when the window has
room again. A
member whose DMs are closed is marked ``closed`` and skipped; a Discord error is retried a few
times, then marked ``failed``; neither stops the others. A restart resumes where the queue stood.

This is the bookkeeping; the Discord side (:class:`bot.boards.outbox.DmSender`) runs the drain
task and renders and sends each row handed to it (:data:`Deliver`). Most DMs are *rendered when
sent* from a named renderer and ids (``OutboxMessage.render``): the introduction shows the profile
as it is then, a reminder for a meetup cancelled meanwhile is dropped, and no stored row quotes
another member. A kind of DM may have a *fallback* (:meth:`DmOutbox.register_fallback`), run when
a member does not get it (their DMs are off or closed): e.g. a promotion is then said in the meetup
thread. Fallbacks only write to the database (schedule a post, keep a note), so they are safe
inside the caller's transaction.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from bot.domain.clock import Clock
from bot.domain.consent import DmKind, DmMode, allows
from bot.domain.durations import DAY
from bot.domain.followups import DM_DRAIN, dm_retry_delay
from bot.domain.outbox import Delivered, OutboxMessage, OutboxRow, OutboxState, Queued
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import Scheduler
from bot.storage.outbox import OutboxRepository

log = logging.getLogger(__name__)

BATCH = 10
INTERVAL = 2
"""Ten DMs every two seconds: five a second, two requests each (open the DM channel, send)."""
KEEP_FINISHED = 30 * DAY
_GLOBAL = 0  # the drain serves every server: Discord's limits are per bot

Consent = Callable[[int, Iterable[int]], Awaitable[dict[int, DmMode]]]
Fallback = Callable[[int, int, dict[str, Any], str], Awaitable[None]]
"""Called with (guild id, member id, the renderer's args, why) when a member does not get the DM."""
Deliver = Callable[[OutboxRow], Awaitable[Delivered | None]]
"""Render one row and send it: how it went, or None when it no longer applies (nothing sent)."""


class DmOutbox:
    def __init__(
        self,
        repo: OutboxRepository,
        scheduler: Scheduler,
        consent: Consent,
        *,
        now: Clock,
        guild_gone: Callable[[int], Awaitable[bool]] | None = None,
        batch: int = BATCH,
        interval: int = INTERVAL,
    ) -> None:
        self.repo = repo
        self.scheduler = scheduler
        self.consent = consent
        self.now = now
        self._guild_gone = guild_gone
        self.batch = batch
        self.interval = interval
        self._fallbacks: dict[str, Fallback] = {}
        # The pending drain task, if one is planned (0 while one is being planned).
        self._drain_task: int | None = None
        self._claimed: deque[int] = deque()  # when each DM of the current window was claimed

    def register_fallback(self, name: str, fallback: Fallback) -> None:
        """What to do (in the database only) when a member does not get a ``name`` DM."""
        if name in self._fallbacks:
            raise ValueError(f"outbox fallback {name!r} registered twice")
        self._fallbacks[name] = fallback

    async def start(self) -> None:
        """At start (before the scheduler): resume an interrupted queue and plan its drain."""
        now = self.now()
        await self.repo.requeue_sending()
        await self.repo.prune(now - KEEP_FINISHED)
        pending = await self.scheduler.pending_for_subject(_GLOBAL, [DM_DRAIN], _GLOBAL)
        self._drain_task = pending[0].id if pending else None
        await self.kick()

    async def enqueue(
        self,
        guild_id: int,
        member_ids: Iterable[int],
        message: OutboxMessage,
        key: str,
        kind: DmKind,
        *,
        fallback: bool = True,
    ) -> Queued:
        """Queue one DM per member whose ``/privacy dm`` allows ``kind``, keyed ``<key>:<member>``
        so a repeat queues nothing new; the others get the renderer's fallback (unless the caller
        tells them itself: ``fallback=False``).

        Joins the caller's transaction; call :meth:`kick` after it commits.
        """
        members = list(dict.fromkeys(member_ids))
        modes = await self.consent(guild_id, members)
        allowed = [member for member in members if allows(modes[member], kind)]
        refused = [member for member in members if member not in allowed]
        entries = [(member_id, f"{key}:{member_id}") for member_id in allowed]
        await self.repo.add(guild_id, entries, message.payload(kind), self.now())
        for member_id in refused if fallback else ():
            await self._fall_back(guild_id, member_id, message.payload(kind), "their DMs are off")
        return Queued(tuple(allowed), tuple(refused))

    async def send(
        self, guild_id: int, member_ids: Iterable[int], message: OutboxMessage, key: str, kind: DmKind
    ) -> Queued:
        """Queue and start sending (outside a transaction)."""
        queued = await self.enqueue(guild_id, member_ids, message, key, kind)
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
            now = self.now()
            at = max(due, now if self._room(now) else self._claimed[0] + self.interval)
            task = await self.scheduler.schedule(_GLOBAL, DM_DRAIN, at, subject_id=_GLOBAL)
            self._drain_task = task.id
        except BaseException:
            self._drain_task = None
            raise

    async def drain(self, task: ScheduledTask, deliver: Deliver) -> None:
        """The ``dm.drain`` task: hand the next due rows to ``deliver``, record how each went, and
        plan the next drain while more wait."""
        if self._drain_task == task.id:
            self._drain_task = None
        now = self.now()
        rows = await self.repo.claim_due(now, self._room(now))
        self._claimed.extend(now for _ in rows)
        for row in rows:
            try:
                await self._deliver(row, now, deliver)
            except Exception:
                log.exception("DM %d could not be handled; it is retried", row.id)
                await self._retry(row, now, "internal error")
        await self.kick()

    def _room(self, now: int) -> int:
        """How many DMs may be claimed at ``now``: ``batch`` less those of the last ``interval``."""
        while self._claimed and self._claimed[0] <= now - self.interval:
            self._claimed.popleft()
        return max(0, self.batch - len(self._claimed))

    async def _deliver(self, row: OutboxRow, now: int, deliver: Deliver) -> None:
        if self._guild_gone is not None and await self._guild_gone(row.guild_id):
            await self.repo.finish(row.id, OutboxState.CLOSED, now, "the bot left that server")
            return
        kind = DmKind(row.payload.get("kind", DmKind.NOTICE.value))
        mode = (await self.consent(row.guild_id, [row.member_id]))[row.member_id]
        if not allows(mode, kind):
            await self.repo.finish(row.id, OutboxState.CLOSED, now, "DMs turned off")
            await self._fall_back(row.guild_id, row.member_id, row.payload, "their DMs are off")
            return
        delivered = await deliver(row)
        if delivered is None:
            await self.repo.finish(row.id, OutboxState.CLOSED, now, "no longer applies")
            return
        if delivered is Delivered.SENT:
            await self.repo.finish(row.id, OutboxState.SENT, now)
        elif delivered in (Delivered.CLOSED, Delivered.GONE):
            await self.repo.finish(row.id, OutboxState.CLOSED, now, f"DMs {delivered.value}")
            await self._fall_back(row.guild_id, row.member_id, row.payload, "their DMs are closed")
        else:
            await self._retry(row, now, "Discord error")

    async def _retry(self, row: OutboxRow, now: int, error: str) -> None:
        delay = dm_retry_delay(row.attempts)
        if delay is None:
            log.warning("giving up on DM %d to %d after %d tries", row.id, row.member_id, row.attempts)
            await self.repo.finish(row.id, OutboxState.FAILED, now, error)
            await self._fall_back(row.guild_id, row.member_id, row.payload, "the DM kept failing")
        else:
            await self.repo.retry_at(row.id, now + delay, error)

    async def _fall_back(self, guild_id: int, member_id: int, payload: dict[str, Any], why: str) -> None:
        fallback = self._fallbacks.get(payload.get("render") or "")
        if fallback is None:
            return
        try:
            await fallback(guild_id, member_id, dict(payload.get("args") or {}), why)
        except Exception:
            log.exception("the fallback of a %s DM failed", payload.get("render"))
