"""Durable timed work: rows in ``scheduled_tasks`` are the truth, APScheduler only the alarm clock.

Every feature that needs something to happen later (a reminder, a poll closing, a follow-up)
calls :meth:`Scheduler.schedule`, which writes a row and arms a ``DateTrigger`` job keyed by
the row id (``task:<id>``). When a job fires, the row is *claimed* with one conditional UPDATE
(pending -> running), so a task runs at most once however many jobs or restarts there were.
At start, jobs are rebuilt from the pending rows; rows that came due while the bot was down
fire at once, and each kind decides whether a late run is still useful.

A task belongs to a server (``guild_id``; 0 for work that serves every server). When the bot has
been removed from that server (``guild_gone``), a task of a kind that needs the server is dropped
instead of run: it could only fail, and retrying it would change nothing. If the bot is added back
(before the server's data is deleted), :meth:`Scheduler.resume_guild` puts those tasks back, and
each runs as one missed while the bot was down would.

Only tasks due within ``horizon`` are armed; one "refill" job arms the tasks that entered the
window since, every half horizon, so a dense backlog costs one refill per three hours, not one per
task. A task armed while the bot runs (scheduled, moved, retried) and due within the horizon of
now holds an APScheduler job of its own; one due later is left to the refills. A refill reads only
committed rows (on PostgreSQL, another connection), so it can miss a task whose transaction is
still open: the next refill, still half a horizon before the task is due, reads it. The tasks a
refill reads from the database (at start: every pending task due within the horizon, about
23,000 of a million) hold none: they are kept as two compact arrays of due times and ids, sorted,
and one "window" job goes off at the next of those due times and starts every task due by then
(each claims its row, so a task cancelled or moved since is simply not run then). Start-up costs
one query and one sort, not an APScheduler job per task; memory stays flat with a million pending
reminders.

**Several processes, one database.** A process built with :class:`~bot.domain.shards.Shards` arms
only the tasks of the servers it owns (its repository filters by Discord's shard rule; guild 0 is
shard 0's). A claim names this process (``claimer``) and carries a lease of ``lease`` seconds that a
running task renews every third of it; finishing or retrying a task checks the claim is still ours.
So two processes that both arm a task (overlapping shards) run it once, and a task whose claimer
died is armed again for the moment its lease ends, by whichever process owns its server then, and
taken over once. At start, a process puts back only its own claims (its name survives a restart
when ``MEETBRIDGE_INSTANCE`` is set); other expired claims are taken over as their leases end.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
import os
import secrets
import socket
from array import array
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.domain.clock import Clock, from_epoch
from bot.domain.shards import Shards
from bot.domain.tasks import ScheduledTask, TaskState, retry_delay
from bot.storage.tasks import TaskRepository

log = logging.getLogger(__name__)

Handler = Callable[[ScheduledTask], Awaitable[None]]
GiveUp = Callable[[ScheduledTask, Exception], Awaitable[None]]
GuildGone = Callable[[int], Awaitable[bool]]

DEFAULT_HORIZON = 6 * 3600
DEFAULT_LEASE = 60
GONE = "the bot is no longer in this server"
_REFILL_JOB = "refill"
_WINDOW_JOB = "window"
_SWEEP_JOB = "sweep"


class TaskDropped(Exception):
    """Raised by a handler when the task is no longer useful (e.g. its meetup was cancelled)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryLater(Exception):
    """Raised by a handler that could not finish and wants to run again later.

    Without ``delay`` the usual backoff applies and the task gives up after its last try. With
    ``delay`` the handler decides when (e.g. a 429's retry-after) and whether to keep trying
    (``keep_trying``: the handler itself drops the task once it is no longer useful, e.g. an
    announcement once its meetup has started).
    """

    def __init__(self, reason: str = "", *, delay: int | None = None, keep_trying: bool = False) -> None:
        super().__init__(reason)
        self.delay = delay
        self.keep_trying = keep_trying


@dataclass(frozen=True, slots=True)
class TaskKind:
    name: str
    handler: Handler
    # How late a run may start and still be useful; None = always run, however late.
    max_lateness: int | None = None
    # False for work that must run even after the bot left the server (deleting its data).
    needs_guild: bool = True
    on_give_up: GiveUp | None = None


def process_name() -> str:
    """A claimer name unique to this process: host, pid and a random tail."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Scheduler:
    def __init__(
        self,
        repo: TaskRepository,
        *,
        now: Clock,
        horizon: int = DEFAULT_HORIZON,
        guild_gone: GuildGone | None = None,
        claimer: str | None = None,
        lease: int = DEFAULT_LEASE,
    ) -> None:
        self.repo = repo
        self.shards = repo.shards or Shards()
        self.claimer = claimer or process_name()
        self.lease = lease
        self._now = now
        self.horizon = horizon
        self._guild_gone = guild_gone
        self._kinds: dict[str, TaskKind] = {}
        self._aps: AsyncIOScheduler | None = None
        self._running: set[asyncio.Task[Any]] = set()
        self._renewals: set[asyncio.Task[Any]] = set()
        self.refills = 0
        # What the last refill read, sorted by due time: started by the window job as they come due.
        self._window_dues = array("q")
        self._window_ids = array("q")
        self._window_next = 0  # index of the first not yet started

    # -- registration ------------------------------------------------------------------

    def register(
        self,
        kind: str,
        handler: Handler,
        *,
        max_lateness: int | None = None,
        needs_guild: bool = True,
        on_give_up: GiveUp | None = None,
    ) -> None:
        """``on_give_up`` is told when a task of this kind failed for good (its retries spent), to
        tell somebody what to fix."""
        if kind in self._kinds:
            raise ValueError(f"task kind {kind!r} registered twice")
        self._kinds[kind] = TaskKind(kind, handler, max_lateness, needs_guild, on_give_up)

    @property
    def running(self) -> bool:
        return self._aps is not None and self._aps.running

    def now_epoch(self) -> int:
        return self._now()

    def owns(self, guild_id: int) -> bool:
        """This process runs the server's timed work (it is on one of our shards)."""
        return self.shards.owns(guild_id)

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Start the alarm clock and rebuild every job from the database."""
        if self.running:
            return
        interrupted = await self.repo.requeue_interrupted(self.claimer)
        if interrupted:
            log.warning("%d task(s) were interrupted by a stop and will run again", interrupted)
        self._aps = AsyncIOScheduler(
            timezone=UTC,
            # Several instances of one job may overlap (a refill re-arming a task whose run has begun);
            # the claim in the database lets only one of them run it.
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 8},
        )
        self._aps.start()
        await self._refill()
        if self.shards.several_processes:
            self._plan_sweep()

    async def shutdown(self) -> None:
        if self._aps is not None and self._aps.running:
            self._aps.shutdown(wait=False)
        self._aps = None
        self._window_dues, self._window_ids, self._window_next = array("q"), array("q"), 0
        for task in list(self._running):
            task.cancel()
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    # -- the API features use ----------------------------------------------------------

    async def schedule(
        self,
        guild_id: int,
        kind: str,
        due_at: int,
        *,
        subject_id: int | None = None,
        payload: dict[str, Any] | None = None,
    ) -> ScheduledTask:
        """Record a task and arm its job. Safe inside a transaction: a rolled-back row never runs."""
        if kind not in self._kinds:
            raise ValueError(f"no handler registered for task kind {kind!r}")
        task = await self.repo.add(
            guild_id, kind, due_at, self.now_epoch(), subject_id=subject_id, payload=payload
        )
        self._arm(task.id, task.due_at)
        return task

    async def reschedule(self, task_id: int, due_at: int) -> bool:
        if not await self.repo.reschedule(task_id, due_at):
            return False
        self._arm(task_id, due_at)
        return True

    async def cancel(self, task_id: int) -> bool:
        cancelled = await self.repo.cancel(task_id, self.now_epoch())
        self._disarm(task_id)
        return cancelled

    async def cancel_for_subject(self, guild_id: int, kinds: Iterable[str], subject_id: int) -> int:
        count = 0
        for task in await self.repo.for_subject(guild_id, kinds, subject_id):
            if task.state is TaskState.PENDING and await self.cancel(task.id):
                count += 1
        return count

    async def pending_for_subject(
        self, guild_id: int, kinds: Iterable[str], subject_id: int
    ) -> list[ScheduledTask]:
        tasks = await self.repo.for_subject(guild_id, kinds, subject_id)
        return [task for task in tasks if task.state is TaskState.PENDING]

    async def for_subject(self, guild_id: int, kinds: Iterable[str], subject_id: int) -> list[ScheduledTask]:
        """Every task of these kinds for one subject, whatever its state."""
        return await self.repo.for_subject(guild_id, list(kinds), subject_id)

    async def set_payload(self, task_id: int, payload: dict[str, Any]) -> None:
        """Record a task's progress in its payload (e.g. which parts of a message already went out),
        so a retry does only the rest."""
        await self.repo.set_payload(task_id, payload)

    async def is_pending(self, task_id: int) -> bool:
        task = await self.repo.get(task_id)
        return task is not None and task.state is TaskState.PENDING

    async def run_now(self, task_id: int) -> None:
        """Run a task at once if it is pending and due (a command that wants the result now)."""
        await self._fire(task_id)

    async def run_now_for_subject(self, guild_id: int, kind: str, subject_id: int) -> None:
        """Run this subject's due pending tasks of ``kind`` at once (not those planned for later)."""
        for task in await self.repo.pending_of_kinds(guild_id, [kind], subject_id):
            await self._fire(task.id)

    async def hurry(self, guild_id: int, kinds: Iterable[str], subject_id: int | None = None) -> int:
        """Bring pending tasks of these kinds forward to now (something they waited for changed)."""
        now = self.now_epoch()
        hurried = 0
        for task in await self.repo.pending_of_kinds(guild_id, list(kinds), subject_id):
            if task.due_at > now and await self.reschedule(task.id, now):
                hurried += 1
        return hurried

    async def resume_guild(self, guild_id: int) -> int:
        """The bot is back in the server: what was dropped while it was gone is pending again."""
        revived = await self.repo.revive(guild_id, GONE)
        for task_id, due_at in revived:
            self._arm(task_id, max(due_at, self.now_epoch()))
        return len(revived)

    # -- jobs ----------------------------------------------------------------------------

    def _arm(self, task_id: int, due_at: int) -> None:
        if self._aps is None:
            return  # not started yet: start() derives the job from the row
        # Within the horizon of now (a refill, every half horizon, reads the tasks due later; one
        # planned for now might read before the transaction that wrote the task commits).
        if due_at <= self.now_epoch() + self.horizon:
            self._aps.add_job(
                self._fire,
                DateTrigger(run_date=from_epoch(due_at)),
                args=[task_id],
                id=f"task:{task_id}",
                replace_existing=True,
            )
        else:
            self._disarm(task_id)

    def _disarm(self, task_id: int) -> None:
        if self._aps is None:
            return
        with contextlib.suppress(JobLookupError):
            self._aps.remove_job(f"task:{task_id}")

    def _plan_refill(self, at: int) -> None:
        assert self._aps is not None
        self._aps.add_job(
            self._refill,
            DateTrigger(run_date=from_epoch(max(at, self.now_epoch()))),
            id=_REFILL_JOB,
            replace_existing=True,
        )

    async def _refill(self) -> None:
        """Read every pending task due within the horizon into the window (no job each); plan the
        next refill half a horizon on, first, so a read that fails does not end the refills.

        Every half horizon whatever lies beyond the window: each task is read at least half a
        horizon before it is due, and one a refill missed (written by a transaction that had not
        committed when it read) is read by the next."""
        if self._aps is None:
            return
        now = self.now_epoch()
        self._plan_refill(now + self.horizon // 2)
        window_end = now + self.horizon
        due = await self.repo.pending_due_until(window_end)  # ids and times, in due order
        # No job per task: the window job starts them as they come due (a task that also holds a
        # job of its own, armed while the bot ran, is claimed by whichever comes first).
        self._window_dues = array("q", (due_at for _, due_at in due))
        self._window_ids = array("q", (task_id for task_id, _ in due))
        self._window_next = 0
        armed = len(due)
        del due
        self._plan_window()
        # Claims whose lease ends within the window: taken over then unless renewed.
        for task_id, lease_until in await self.repo.leases_until(window_end):
            self._arm(task_id, lease_until)
        self.refills += 1
        log.debug("armed %d new job(s) until %s", armed, from_epoch(window_end))

    def _plan_window(self) -> None:
        """Set the window job for the next due time of what the last refill read."""
        if self._aps is None:
            return
        if self._window_next >= len(self._window_dues):
            with contextlib.suppress(JobLookupError):
                self._aps.remove_job(_WINDOW_JOB)
            return
        at = max(self._window_dues[self._window_next], self.now_epoch())
        self._aps.add_job(
            self._window_due, DateTrigger(run_date=from_epoch(at)), id=_WINDOW_JOB, replace_existing=True
        )

    async def _window_due(self) -> None:
        """Start every task of the window due by now, each claimed and run in an asyncio task of
        its own (as APScheduler runs a job), then set the window job for the next due time."""
        now = self.now_epoch()
        end = bisect.bisect_right(self._window_dues, now, lo=self._window_next)
        ids = self._window_ids[self._window_next : end]
        self._window_next = end
        loop = asyncio.get_running_loop()
        for task_id in ids:
            job = loop.create_task(self._fire(task_id), name=f"task:{task_id}")
            self._running.add(job)  # until _fire takes over (a task cancelled before it starts)
            job.add_done_callback(self._fired)
        self._plan_window()

    def _fired(self, job: asyncio.Task[Any]) -> None:
        self._running.discard(job)
        if not job.cancelled() and job.exception() is not None:
            log.error("%s raised", job.get_name(), exc_info=job.exception())

    def _in_window(self, until: int) -> set[int]:
        """Ids the window job will start by ``until`` (they need no job of their own)."""
        end = bisect.bisect_right(self._window_dues, until, lo=self._window_next)
        return set(self._window_ids[self._window_next : end])

    def window_size(self) -> int:
        """Tasks the last refill read that the window job has not started yet."""
        return len(self._window_dues) - self._window_next

    def _plan_sweep(self) -> None:
        if self._aps is None:
            return
        self._aps.add_job(
            self._sweep,
            DateTrigger(run_date=from_epoch(self.now_epoch() + self.lease)),
            id=_SWEEP_JOB,
            replace_existing=True,
        )

    async def _sweep(self) -> None:
        """With shard processes, every lease: arm what other processes left to us — tasks they
        planned for servers we also own (overlapping shards) that come due within two leases, and
        claims whose lease runs out by then (their claimer died). A single process never needs it:
        it planned every task itself."""
        if self._aps is None:
            return
        try:
            until = self.now_epoch() + 2 * self.lease
            pending = await self.repo.pending_due_until(until)
            windowed = self._in_window(until)
            for task_id, due_at in pending:
                if task_id not in windowed and self._aps.get_job(f"task:{task_id}") is None:
                    self._arm(task_id, due_at)
            for task_id, lease_until in await self.repo.leases_until(until):
                if self._aps.get_job(f"task:{task_id}") is None:
                    self._arm(task_id, lease_until)
        finally:
            self._plan_sweep()

    async def _fire(self, task_id: int) -> None:
        current = asyncio.current_task()
        if current is not None:
            self._running.add(current)
        try:
            await self._run(task_id)
        finally:
            if current is not None:
                self._running.discard(current)

    async def _run(self, task_id: int) -> None:
        now = self.now_epoch()
        task = await self.repo.claim(task_id, now, self.claimer, self.lease)
        if task is None:
            await self._claimed_elsewhere(task_id, now)
            return  # already run, cancelled, rescheduled later, rolled back, or running elsewhere
        kind = self._kinds.get(task.kind)
        if kind is None:
            log.error("task %d has unknown kind %r; marking failed", task.id, task.kind)
            await self._finish(task, TaskState.FAILED, now, f"unknown kind {task.kind}")
            return
        lateness = now - task.due_at
        if kind.max_lateness is not None and lateness > kind.max_lateness:
            log.info("dropping %s task %d: %ds late", task.kind, task.id, lateness)
            await self._finish(task, TaskState.DROPPED, now, f"missed by {lateness}s")
            return
        if kind.needs_guild and task.guild_id and self._guild_gone and await self._guild_gone(task.guild_id):
            log.info(
                "dropping %s task %d: the bot is no longer in server %d", task.kind, task.id, task.guild_id
            )
            await self._finish(task, TaskState.DROPPED, now, GONE)
            return
        renewal = self._keep_lease(task.id)
        try:
            await kind.handler(task)
        except TaskDropped as dropped:
            await self._finish(task, TaskState.DROPPED, self.now_epoch(), dropped.reason)
        except asyncio.CancelledError:
            # Stopped mid-run (shutdown): it runs again after the next start (here or elsewhere).
            await asyncio.shield(
                self.repo.retry_at(task.id, task.due_at, "interrupted by shutdown", self.claimer)
            )
            raise
        except Exception as exc:
            await self._failed(task, exc)
        else:
            await self._finish(task, TaskState.DONE, self.now_epoch())
        finally:
            renewal.cancel()

    async def _finish(
        self, task: ScheduledTask, state: TaskState, now: int, error: str | None = None
    ) -> None:
        if not await self.repo.finish(task.id, state, now, error, self.claimer):
            log.warning("%s task %d: our claim had lapsed and was taken over", task.kind, task.id)

    async def _claimed_elsewhere(self, task_id: int, now: int) -> None:
        """A claim refused because another process holds the task: arm it again for when that
        lease ends, so the task is taken over if its claimer dies without renewing."""
        held = await self.repo.lease_of(task_id)
        if held is None:
            return
        state, lease_until, claimer = held
        if state != TaskState.RUNNING.value or lease_until is None or claimer == self.claimer:
            return
        self._arm(task_id, max(lease_until, now + 1))

    def _keep_lease(self, task_id: int) -> _Renewal:
        """Renew the claim every third of the lease while the handler runs."""
        return _Renewal(self, task_id)

    async def _failed(self, task: ScheduledTask, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"[:500]
        delay = retry_delay(task.attempts)
        if isinstance(exc, RetryLater) and exc.delay is not None and (delay is not None or exc.keep_trying):
            delay = max(1, exc.delay)
        now = self.now_epoch()
        if delay is None:
            log.error(
                "%s task %d failed for good after %d tries: %s", task.kind, task.id, task.attempts, error
            )
            await self._finish(task, TaskState.FAILED, now, error)
            give_up = self._kinds[task.kind].on_give_up if task.kind in self._kinds else None
            if give_up is not None:
                try:
                    await give_up(task, exc)
                except Exception:
                    log.exception("telling about %s task %d that failed for good failed", task.kind, task.id)
            return
        if not isinstance(exc, RetryLater):
            log.warning(
                "%s task %d failed (try %d), retrying in %ds: %s",
                task.kind,
                task.id,
                task.attempts,
                delay,
                error,
                exc_info=exc,
            )
        if await self.repo.retry_at(task.id, now + delay, error, self.claimer):
            self._arm(task.id, now + delay)

    def job_count(self) -> int:
        """APScheduler jobs held: the refill, the window job, the sweep, and one per task armed while
        the bot ran; the tasks a refill read hold none (see :meth:`window_size`)."""
        return 0 if self._aps is None else len(self._aps.get_jobs())


class _Renewal:
    """Renews one running task's lease every third of the lease until cancelled (a timer, not a
    waiting task: nothing stays suspended between renewals)."""

    def __init__(self, scheduler: Scheduler, task_id: int) -> None:
        self._scheduler = scheduler
        self._task_id = task_id
        self._every = max(1, scheduler.lease // 3)
        self._loop = asyncio.get_running_loop()
        self._handle = self._loop.call_later(self._every, self._due)

    def _due(self) -> None:
        scheduler = self._scheduler
        renewal = self._loop.create_task(self._renew())
        scheduler._renewals.add(renewal)
        renewal.add_done_callback(scheduler._renewals.discard)
        self._handle = self._loop.call_later(self._every, self._due)

    async def _renew(self) -> None:
        scheduler = self._scheduler
        try:
            kept = await scheduler.repo.renew(
                self._task_id, scheduler.claimer, scheduler.now_epoch() + scheduler.lease
            )
        except Exception as exc:  # the database is closing (a stop) or away: the lease runs out
            log.warning("could not renew the lease of task %d: %s", self._task_id, type(exc).__name__)
            return
        if not kept:
            log.warning("task %d: our lease had run out and another process took it over", self._task_id)

    def cancel(self) -> None:
        self._handle.cancel()
