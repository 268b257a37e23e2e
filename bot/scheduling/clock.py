"""The seam through which tests (and the sandbox) point APScheduler at another clock.

APScheduler 3.x decides whether a job is due with ``datetime.now(tz)`` read from module
globals in ``schedulers/base.py`` and ``executors/base.py``. Its wake-up timer runs on the event
loop, which a simulated Discord drives in virtual time, but the due check would still read the
wall clock. :func:`use_clock` rebinds exactly those two globals to a ``datetime`` subclass whose
``now()`` asks the given function. Production never calls it.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
from collections.abc import Callable, Iterator

import apscheduler.executors.base as _executors_base
import apscheduler.schedulers.base as _schedulers_base

_ORIGINAL = _dt.datetime
_MODULES = (_schedulers_base, _executors_base)


def use_clock(now: Callable[[], _dt.datetime]) -> None:
    """Make APScheduler's due checks read ``now()`` (an aware UTC datetime)."""

    class ClockDatetime(_ORIGINAL):
        @classmethod
        def now(cls, tz: _dt.tzinfo | None = None) -> _dt.datetime:  # type: ignore[override]
            current = now()
            return current.astimezone(tz) if tz is not None else current.astimezone().replace(tzinfo=None)

    for module in _MODULES:
        module.datetime = ClockDatetime  # type: ignore[misc]


def use_wall_clock() -> None:
    """Undo :func:`use_clock`."""
    for module in _MODULES:
        module.datetime = _ORIGINAL  # type: ignore[misc]


@contextlib.contextmanager
def clock_in_use(now: Callable[[], _dt.datetime]) -> Iterator[None]:
    """:func:`use_clock` for a while, then back to whatever clock was bound before."""
    previous = [module.datetime for module in _MODULES]
    use_clock(now)
    try:
        yield
    finally:
        for module, bound in zip(_MODULES, previous, strict=True):
            module.datetime = bound  # type: ignore[misc]
