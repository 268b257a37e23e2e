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

With shard processes (:mod:`bot.domain.shards`), each process drains the DMs of the servers it
owns: one ``dm.drain`` task per shard, filed under a guild id on that shard (0 for shard 0, which is
also the single process's one drain), so whoever owns the shard runs it, after a restart or a
re-shard too. The pace is per process (its share of Discord's limit). A DM is claimed with a lease;
one whose sender died mid-send is due again when the lease ends.

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
from bot.domain.shards import shard_of
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import Scheduler
from bot.storage.outbox import OutboxRepository

log = logging.getLogger(__name__)

BATCH = 10
INTERVAL = 2
"""Ten DMs every two seconds: five a second, two requests each (open the DM channel, send)."""
KEEP_FINISHED = 30 * DAY
_GLOBAL = 0  # a single process's drain serves every server; shard 0's drain is filed the same way

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
        self.shards = scheduler.shards
        # Per shard this process drains: the pending drain task, if one is planned (0 while one is
        # being planned). A single process has one, under shard 0.
        self._drain_task: dict[int, int | None] = {shard: None for shard in self._drained_shards()}
        self._claimed: deque[int] = deque()  # when each DM of the current window was claimed

    def register_fallback(self, name: str, fallback: Fallback) -> None:
        """What to do (in the database only) when a member does not get a ``name`` DM."""
        if name in self._fallbacks:
            raise ValueError(f"outbox fallback {name!r} registered twice")
        self._fallbacks[name] = fallback

    async def start(self) -> None:
        """At start (before the scheduler): resume an interrupted queue and plan its drains."""
        now = self.now()
        await self.repo.requeue_sending(self.scheduler.claimer)
        await self.repo.prune(now - KEEP_FINISHED)
        for shard in self._drain_task:
            home = self.shards.home(shard)
            pending = await self.scheduler.pending_for_subject(home, [DM_DRAIN], home)
            self._drain_task[shard] = pending[0].id if pending else None
        await self.kick()

    def _drained_shards(self) -> tuple[int, ...]:
        return (0,) if self.shards.everything else self.shards.ids

    def _shard(self, guild_id: int) -> int | None:
        """The shard whose drain sends this server's DMs (None: not one of ours)."""
        if self.shards.everything:
            return 0
        shard = shard_of(guild_id, self.shards.count)
        return shard if shard in self._drain_task else None

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
        """Plan a drain for each of our shards whose DMs wait and which has none planned."""
        for shard in self._drain_task:
            await self._kick(shard)

    async def _kick(self, shard: int) -> None:
        planned = self._drain_task[shard]
        # Another process owning the same shard may have run our drain (overlapping shards).
        if planned is not None and (
            planned == 0 or not self.shards.several_processes or await self.scheduler.is_pending(planned)
        ):
            return
        self._drain_task[shard] = 0  # planning: a concurrent kick must not plan a second drain
        try:
            due = await self.repo.next_due(None if self.shards.everything else shard)
            if due is None:
                self._drain_task[shard] = None
                return
            now = self.now()
            at = max(due, now if self._room(now) else self._claimed[0] + self.interval)
            home = self.shards.home(shard)
            task = await self.scheduler.schedule(home, DM_DRAIN, at, subject_id=home)
            self._drain_task[shard] = task.id
        except BaseException:
            self._drain_task[shard] = None
            raise

    async def drain(self, task: ScheduledTask, deliver: Deliver) -> None:
        """The ``dm.drain`` task of one shard: hand its next due rows to ``deliver``, record how each
        went, and plan the next drain while more wait."""
        shard = self._shard(task.guild_id)
        if shard is None:
            return  # a drain of a shard we no longer run (re-shard): its owner plans its own
        if self._drain_task.get(shard) == task.id:
            self._drain_task[shard] = None
        now = self.now()
        rows = await self.repo.claim_due(
            now,
            self._room(now),
            shard=shard,
            claimer=self.scheduler.claimer,
            lease=self.scheduler.lease,
        )
        self._claimed.extend(now for _ in rows)
        for row in rows:
            try:
                await self._deliver(row, now, deliver)
            except Exception:
                log.exception("DM %d could not be handled; it is retried", row.id)
                await self._retry(row, now, "internal error")
        await self._kick(shard)

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
