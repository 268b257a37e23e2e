"""Freed places offered instead of assigned, and the one nudge to members still undecided.

Pure. In ``auto`` mode (the default) a place that frees up goes to the first member on the
waitlist at once. In ``offer`` mode it is *offered* to them (**Claim** / **Pass**) and held for
``hold``; unanswered, it is offered to the next. Within ``hold`` of the start there is no time to
wait for an answer, so the place is assigned at once, as in ``auto`` mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.durations import DAY, HOUR, MINUTE, parse_duration
from bot.domain.errors import UserError, quote
from bot.domain.meetups import Meetup

DEFAULT_HOLD = 12 * HOUR
MIN_HOLD = 15 * MINUTE
MAX_HOLD = 7 * DAY
WAITLIST_EXAMPLE = "/config waitlist mode:offer hold:12h"

DEFAULT_UNDECIDED = 48 * HOUR
MIN_UNDECIDED = HOUR
MAX_UNDECIDED = 14 * DAY
UNDECIDED_EXAMPLE = "/config reminders undecided:48h"


class WaitlistMode(StrEnum):
    AUTO = "auto"
    OFFER = "offer"


class OfferState(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    PASSED = "passed"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # the member answered otherwise, left, or the meetup was cancelled


class OfferAnswer(StrEnum):
    CLAIM = "claim"
    PASS = "pass"


@dataclass(frozen=True, slots=True)
class Offer:
    id: int
    guild_id: int
    meetup_id: int
    member_id: int
    state: OfferState
    offered_at: int
    expires_at: int

    @property
    def open(self) -> bool:
        return self.state is OfferState.OPEN


def offers_places(mode: WaitlistMode, starts_at: int, hold: int, now: int) -> bool:
    """Whether a freed place is offered (and held) rather than assigned at once."""
    return mode is WaitlistMode.OFFER and starts_at - now > hold


def parse_hold(text: str) -> int:
    """How long an offered place is held: 15 minutes to 7 days."""
    try:
        seconds = parse_duration(text)
    except UserError as error:
        raise UserError(error.message, WAITLIST_EXAMPLE) from error
    if not MIN_HOLD <= seconds <= MAX_HOLD:
        raise UserError(
            f"`{quote(text, 40)}` is out of range: hold a place between 15 minutes and 7 days.",
            WAITLIST_EXAMPLE,
        )
    return seconds


def parse_undecided(text: str) -> int:
    """How long before a meetup the undecided are nudged: 1 hour to 14 days, or ``off`` (0)."""
    if text.strip().lower() in ("off", "none", "no", "never", "0"):
        return 0
    try:
        seconds = parse_duration(text)
    except UserError as error:
        raise UserError(error.message, UNDECIDED_EXAMPLE) from error
    if not MIN_UNDECIDED <= seconds <= MAX_UNDECIDED:
        raise UserError(
            f"`{quote(text, 40)}` is out of range: nudge between 1 hour and 14 days before, or `off`.",
            UNDECIDED_EXAMPLE,
        )
    return seconds


@dataclass(frozen=True, slots=True)
class OfferOutcome:
    """What pressing Claim or Pass led to."""

    meetup: Meetup
    answer: OfferAnswer
    taken: bool  # claimed (going now) or passed, as asked; False: the offer had already ended
    already: bool = False  # the member had answered this offer before
    waitlist_place: int | None = None  # when it ended meanwhile and they are still waiting
    expires_at: int = 0
