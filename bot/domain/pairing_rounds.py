"""Pairing rounds over time: when they run, how long they last, and what members answer at the end.

Grouping itself is :mod:`bot.domain.pairing`; this module is the calendar and the records around it.

When. With a cadence on, the first round starts on the next Monday at 10:00 in the server's
timezone (members get a few days to ``/pairing join`` after an admin turns rounds on). Each later
round starts one period after the previous one at the same local wall-clock time (weekly: 7
days, biweekly: 14, monthly: 28, as :class:`Cadence` defines), so a round does not drift an hour
across a daylight-saving change. A round lasts until the next one starts. A manual ``/pairing
run`` starts a round of one period now, and the cadence continues from it. A round missed while
the bot was down runs once when it is back, and the next one is the first slot still in the
future: no burst of catch-up rounds.

No repeats. Two members grouped together in one of the server's last ``RECENT_ROUNDS`` rounds are
never grouped again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.guild_settings import Cadence
from bot.domain.pairing import UnmatchedReason

ROUND_WEEKDAY = 0  # Monday
ROUND_TIME = time(10, 0)
DEFAULT_ROUND_DAYS = 7  # a manual round while the cadence is off
RECENT_ROUNDS = 4
DAY = 86400


class RoundState(StrEnum):
    OPEN = "open"
    ENDED = "ended"


class Answer(StrEnum):
    """The three buttons of **Did you meet?**"""

    IN_PERSON = "in_person"
    ONLINE = "online"
    NOT_YET = "not_yet"

    @property
    def label(self) -> str:
        return {"in_person": "In person", "online": "Online", "not_yet": "Not yet"}[self.value]


@dataclass(frozen=True, slots=True)
class PairingMember:
    guild_id: int
    member_id: int
    joined_at: int
    skip_next: bool


@dataclass(frozen=True, slots=True)
class PairingRound:
    id: int
    guild_id: int
    number: int
    started_at: int
    halfway_at: int
    ends_at: int
    state: RoundState
    size: int
    task_id: int | None = None
    announcement_id: int | None = None

    @property
    def is_open(self) -> bool:
        return self.state is RoundState.OPEN


@dataclass(frozen=True, slots=True)
class PairingGroup:
    id: int
    guild_id: int
    round_id: int
    member_ids: tuple[int, ...]
    shared: tuple[str, ...]
    thread_id: int | None = None
    greeting_id: int | None = None
    checkin_id: int | None = None
    ask_id: int | None = None


@dataclass(frozen=True, slots=True)
class Membership:
    """Where a member stands after /pairing join, leave or skip."""

    changed: bool  # False: they were already in that state
    next_round_at: int | None
    cadence: Cadence
    size: int


@dataclass(frozen=True, slots=True)
class Formed:
    """A round that was formed (or why none could be)."""

    round: PairingRound | None
    groups: list[PairingGroup] = field(default_factory=list)
    left_out: dict[int, UnmatchedReason] = field(default_factory=dict)
    taking_part: int = 0


@dataclass(frozen=True, slots=True)
class Answered:
    """A **Did you meet?** answer recorded, and whom it completed a meeting in person with."""

    answer: Answer
    met: list[int]  # members newly recorded as met in person with the one who answered
    round_number: int


def round_days(cadence: Cadence) -> int:
    """How long a round lasts: the cadence period, or a week for a manual round with rounds off."""
    return cadence.days or DEFAULT_ROUND_DAYS


def halfway(started_at: int, ends_at: int) -> int:
    return started_at + (ends_at - started_at) // 2


def _local(epoch: int, tz: str) -> datetime:
    return datetime.fromtimestamp(epoch, ZoneInfo(tz))


def _at(day: datetime, wall: time, tz: str) -> int:
    return int(datetime.combine(day.date(), wall, tzinfo=ZoneInfo(tz)).timestamp())


def first_slot(not_before: int, tz: str) -> int:
    """The first Monday 10:00 (server time) at or after ``not_before``."""
    local = _local(not_before, tz)
    monday = local + timedelta(days=(ROUND_WEEKDAY - local.weekday()) % 7)
    slot = _at(monday, ROUND_TIME, tz)
    if slot < not_before:
        slot = _at(monday + timedelta(days=7), ROUND_TIME, tz)
    return slot


def next_slot(due: int, days: int, tz: str, now: int) -> int:
    """The first slot after ``now`` on the grid ``due + k * days`` (k >= 1) in local wall time."""
    local = _local(due, tz)
    wall = local.time().replace(tzinfo=None)
    k = 1
    if now > due:
        k = max(1, (now - due) // (days * DAY))  # skip whole missed periods in one step
    while True:
        slot = _at(local + timedelta(days=k * days), wall, tz)
        if slot > now:
            return slot
        k += 1


LEFT_OUT_REASONS: dict[UnmatchedReason, str] = {
    UnmatchedReason.ALONE: "nobody else joined this round",
    UnmatchedReason.ALL_RECENT: "you were grouped with everyone else who joined in the last rounds",
    UnmatchedReason.NO_ROOM: "no group could take you without breaking a grouping rule (such as no repeats)",
}
