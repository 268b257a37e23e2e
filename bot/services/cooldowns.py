"""Remembers each member's recent uses per server and action, and refuses the one too many.

A use is taken *before* the action runs (so two commands sent at once cannot both slip through
the last free place) and given back if the action fails: a poll refused for bad times, or one
that could not be posted, costs nothing. Members with Manage Server are exempt; the caller says
so, since only the Discord side knows the member's permissions.

In memory on purpose: a restart forgets every window, which at worst lets a member do a few more
things once. Memory stays bounded: a member's uses are dropped as they leave the window, and a
sweep at most once a minute drops members whose windows have all passed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from bot.domain.clock import Clock
from bot.domain.cooldowns import LIMITS, Action, Limit

log = logging.getLogger(__name__)

SWEEP_EVERY = 60

Key = tuple[int, int, Action]


class CooldownService:
    def __init__(self, limits: Mapping[Action, Limit] = LIMITS, *, now: Clock) -> None:
        self._limits = limits
        self._now = now
        self._uses: dict[Key, list[int]] = {}
        self._next_sweep = 0

    def check(self, guild_id: int, member_id: int, action: Action, *, exempt: bool = False) -> None:
        """Refuse now (``TooSoon``) when no use is left, e.g. before opening a form to fill in vain."""
        if exempt:
            return
        now = self._now()
        limit = self._limits[action]
        retry_at = limit.next_allowed(self._current((guild_id, member_id, action), now), now)
        if retry_at is not None:
            raise limit.refusal(retry_at)

    @contextmanager
    def use(self, guild_id: int, member_id: int, action: Action, *, exempt: bool = False) -> Iterator[None]:
        """Wrap the action: refused with ``TooSoon`` before it runs, counted only if it succeeds."""
        if exempt:
            yield
            return
        self.check(guild_id, member_id, action)
        key = (guild_id, member_id, action)
        taken = self._now()
        self._uses.setdefault(key, []).append(taken)
        try:
            yield
        except BaseException:
            self._give_back(key, taken)
            raise

    @property
    def tracked(self) -> int:
        """How many (server, member, action) windows are remembered."""
        return len(self._uses)

    def _current(self, key: Key, now: int) -> list[int]:
        """The key's uses still in its window (older ones are forgotten on the way)."""
        self._sweep(now)
        used = self._uses.get(key)
        if not used:
            return []
        recent = self._limits[key[2]].recent(used, now)
        if recent:
            self._uses[key] = recent
        else:
            del self._uses[key]
        return recent

    def _give_back(self, key: Key, taken: int) -> None:
        used = self._uses.get(key)
        if used and taken in used:
            used.remove(taken)
            if not used:
                del self._uses[key]

    def _sweep(self, now: int) -> None:
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_EVERY
        for key in [k for k, used in self._uses.items() if not self._limits[k[2]].recent(used, now)]:
            del self._uses[key]
