"""Time as every layer below the adapters sees it: UTC epoch seconds, read through a :data:`Clock`.

Nothing in the domain, storage, scheduling or services reads the time itself. The app hands each
of them ``bot.clock.now_epoch`` (Discord's clock, which a simulated Discord moves in virtual time);
a test hands them whatever clock it likes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], int]
"""Returns the current time as UTC epoch seconds."""


def to_epoch(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: attach a timezone before converting")
    return int(moment.timestamp())


def from_epoch(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)
