"""One asyncio lock per key (a server, a meetup, a round), freed as soon as nobody needs it.

A dictionary of locks that only grows keeps one lock per meetup forever; :class:`KeyedLocks` makes
a key's lock on first use and drops it when the last task holding or waiting for it is done, so it
holds only the keys in use right now.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(slots=True)
class _Entry:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # tasks holding or waiting for the lock


class KeyedLocks(Generic[K]):
    def __init__(self) -> None:
        self._entries: dict[K, _Entry] = {}

    @asynccontextmanager
    async def hold(self, key: K) -> AsyncIterator[None]:
        """Run the block while no other task holds ``key``'s lock."""
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry()
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._entries[key]

    def __contains__(self, key: object) -> bool:
        """Whether a task holds or waits for ``key``'s lock right now."""
        return key in self._entries

    def __len__(self) -> int:
        """How many keys have a lock now (held or waited for)."""
        return len(self._entries)
