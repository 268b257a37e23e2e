"""Coalesced re-rendering: many "please refresh X" requests become few message edits.

Per key there is at most one render in flight; requests that arrive meanwhile set a dirty flag
and cause exactly one more render when it returns, so the final state is always rendered. A
minimum interval between the starts of two renders is kept by remembering when the last one
went out; a request that comes sooner is put on the coalescer's schedule for the moment the
interval ends. A render refused with a wait (``retry_after``: Discord's 429) goes again once the
wait is over, so the final state is rendered even when nothing else asks for it.

Keys may also share a budget (``group``: e.g. the channel a message is in, since Discord limits
the edits in one channel, not per message): renders of one group start at least
``group_interval`` apart, in the order they became due, each key still at most once per
``interval``. Many busy keys in one group are then each rendered less often, never left stale:
a key waiting for its group's turn is rendered when the turn comes, with its latest state.

The schedule is a heap with ONE ``call_later`` armed for its earliest entry, however many keys
wait (a thousand live polls are a thousand waiting keys, not a thousand timers for the event
loop, or a simulator, to keep track of).

No ``asyncio.Event`` or ``Queue``: under a simulated Discord those are opaque waits, while
``call_later`` runs on its virtual clock and an in-flight task is plain work.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)


@dataclass(slots=True, eq=False)
class _Slot:
    dirty: bool = False
    urgent: bool = False
    running: asyncio.Task[None] | None = None
    due: int | None = None  # its entry on the schedule (a sequence number), if it waits
    last: float = -math.inf
    has_turn: bool = False  # its group's turn was reserved for it: it renders when it is due


class Coalescer(Generic[K]):
    def __init__(
        self,
        render: Callable[[K], Awaitable[None]],
        *,
        interval: float,
        name: str,
        retry_after: Callable[[Exception], float | None] | None = None,
        group: Callable[[K], Hashable | None] | None = None,
        group_interval: float = 0.0,
    ) -> None:
        """``retry_after`` reads from a render's exception how long to wait before rendering again
        (None: the failure is logged and the next request renders). ``group`` names the budget a
        key shares with others (None: its own), ``group_interval`` the least time between two
        renders of one group."""
        self._render = render
        self.interval = interval
        self.name = name
        self._retry_after = retry_after
        self._group = group
        self.group_interval = group_interval
        self._group_next: dict[Any, float] = {}  # a group's next free start (loop time)
        self._slots: dict[K, _Slot] = {}
        self._schedule: list[tuple[float, int, K, _Slot]] = []  # (when, sequence, key, slot)
        self._sequence = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf
        self.renders = 0  # how many renders started, for benchmarks and logs

    def request(self, key: K, *, urgent: bool = False) -> None:
        """Ask for ``key`` to be rendered soon; ``urgent`` skips the minimum interval once."""
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = _Slot()
        slot.dirty = True
        slot.urgent = slot.urgent or urgent
        if slot.running is not None:
            return  # the render in flight goes again when it returns
        if slot.due is not None:
            if not urgent:
                return
            slot.due = None  # its entry on the schedule is void
        self._start(key, slot)

    def pending(self, key: K) -> bool:
        slot = self._slots.get(key)
        return slot is not None and (slot.dirty or slot.running is not None or slot.due is not None)

    def discard(self, key: K) -> None:
        """Forget a key that will not change again (a closed poll); a render in flight finishes."""
        self._slots.pop(key, None)  # its entry on the schedule, if any, is skipped

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_at = math.inf
        self._schedule.clear()
        self._slots.clear()

    def _wait(self, key: K, slot: _Slot, at: float) -> None:
        """Put ``key`` on the schedule for ``at`` (loop time); one timer serves the whole schedule."""
        sequence = next(self._sequence)
        slot.due = sequence
        heapq.heappush(self._schedule, (at, sequence, key, slot))
        if at < self._timer_at:
            if self._timer is not None:
                self._timer.cancel()
            loop = asyncio.get_running_loop()
            self._timer_at = at
            self._timer = loop.call_later(max(0.0, at - loop.time()), self._fire)

    def _fire(self) -> None:
        self._timer = None
        self._timer_at = math.inf
        now = asyncio.get_running_loop().time()
        schedule = self._schedule
        due: list[tuple[K, _Slot]] = []
        while schedule and schedule[0][0] <= now:
            _at, sequence, key, slot = heapq.heappop(schedule)
            if slot.due == sequence and self._slots.get(key) is slot:
                slot.due = None
                due.append((key, slot))
        if schedule:  # re-arm for the next entry before starting anything (which may add one)
            at = schedule[0][0]
            self._timer_at = at
            self._timer = asyncio.get_running_loop().call_later(max(0.0, at - now), self._fire)
        for key, slot in due:
            if slot.running is None and slot.dirty and slot.due is None:
                self._start(key, slot)

    def _start(self, key: K, slot: _Slot) -> None:
        now = asyncio.get_running_loop().time()
        wait = 0.0 if slot.urgent else slot.last + self.interval - now
        if wait > 0:
            self._wait(key, slot, now + wait)
            return
        if slot.has_turn:
            slot.has_turn = False
        elif not slot.urgent and self._group is not None and self.group_interval > 0:
            group = self._group(key)
            if group is not None:
                turn = max(now, self._group_next.get(group, -math.inf))
                self._group_next[group] = turn + self.group_interval
                if turn > now:  # the group's next turn is this key's; it renders then
                    slot.has_turn = True
                    self._wait(key, slot, turn)
                    return
                if len(self._group_next) > 4096:  # forget groups whose budget is long free
                    self._group_next = {g: t for g, t in self._group_next.items() if t > now}
        slot.dirty = slot.urgent = False
        slot.last = now
        self.renders += 1
        slot.running = asyncio.create_task(self._run(key, slot), name=f"{self.name}-render-{key}")

    async def _run(self, key: K, slot: _Slot) -> None:
        try:
            await self._render(key)
        except asyncio.CancelledError:
            slot.running = None  # stopping: do not go again
            raise
        except Exception as error:
            wait = self._retry_after(error) if self._retry_after is not None else None
            if wait is None:
                log.exception("%s: rendering %r failed", self.name, key)
            else:  # render again, not before the wait is over (nor sooner than the interval)
                slot.dirty = True
                slot.last = max(slot.last, asyncio.get_running_loop().time() + wait - self.interval)
        slot.running = None
        if self._slots.get(key) is slot:
            if slot.dirty:
                self._start(key, slot)
            elif self.interval <= 0:
                del self._slots[key]  # nothing to remember between renders
