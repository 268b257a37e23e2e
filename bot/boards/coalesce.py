"""Coalesced re-rendering: many "please refresh X" requests become few message edits.

Per key there is at most one render in flight; requests that arrive meanwhile set a dirty flag
and cause exactly one more render when it returns, so the final state is always rendered. A
minimum interval between the starts of two renders is kept by remembering when the last one
went out; a request that comes sooner arms one ``call_later`` for the moment the interval ends.
A render refused with a wait (``retry_after``: Discord's 429) goes again once the wait is over,
so the final state is rendered even when nothing else asks for it.

No ``asyncio.Event`` or ``Queue``: under a simulated Discord those are opaque waits, while
``call_later`` runs on its virtual clock and an in-flight task is plain work.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)


@dataclass(slots=True)
class _Slot:
    dirty: bool = False
    urgent: bool = False
    running: asyncio.Task[None] | None = None
    timer: asyncio.TimerHandle | None = None
    last: float = -math.inf


class Coalescer(Generic[K]):
    def __init__(
        self,
        render: Callable[[K], Awaitable[None]],
        *,
        interval: float,
        name: str,
        retry_after: Callable[[Exception], float | None] | None = None,
    ) -> None:
        """``retry_after`` reads from a render's exception how long to wait before rendering again
        (None: the failure is logged and the next request renders)."""
        self._render = render
        self.interval = interval
        self.name = name
        self._retry_after = retry_after
        self._slots: dict[K, _Slot] = {}
        self.renders = 0  # how many renders started, for benchmarks and logs

    def request(self, key: K, *, urgent: bool = False) -> None:
        """Ask for ``key`` to be rendered soon; ``urgent`` skips the minimum interval once."""
        slot = self._slots.setdefault(key, _Slot())
        slot.dirty = True
        slot.urgent = slot.urgent or urgent
        if slot.running is not None:
            return  # the render in flight goes again when it returns
        if slot.timer is not None:
            if not urgent:
                return
            slot.timer.cancel()
            slot.timer = None
        self._start(key, slot)

    def pending(self, key: K) -> bool:
        slot = self._slots.get(key)
        return slot is not None and (slot.dirty or slot.running is not None or slot.timer is not None)

    def discard(self, key: K) -> None:
        """Forget a key that will not change again (a closed poll); a render in flight finishes."""
        slot = self._slots.pop(key, None)
        if slot is not None and slot.timer is not None:
            slot.timer.cancel()

    def close(self) -> None:
        for slot in self._slots.values():
            if slot.timer is not None:
                slot.timer.cancel()
        self._slots.clear()

    def _start(self, key: K, slot: _Slot) -> None:
        loop = asyncio.get_running_loop()
        wait = 0.0 if slot.urgent else slot.last + self.interval - loop.time()
        if wait > 0:
            slot.timer = loop.call_later(wait, self._due, key, slot)
            return
        slot.dirty = slot.urgent = False
        slot.last = loop.time()
        self.renders += 1
        slot.running = asyncio.create_task(self._run(key, slot), name=f"{self.name}-render-{key}")

    def _due(self, key: K, slot: _Slot) -> None:
        slot.timer = None
        if self._slots.get(key) is slot and slot.running is None and slot.dirty:
            self._start(key, slot)

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
