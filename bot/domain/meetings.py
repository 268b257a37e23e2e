"""Meeting in person: the mutual rule that turns two picks into a recorded meeting.

A member says whom they talked to (after a meetup, in a pairing round, or by hand with /met).
A pick on its own is never revealed. When both have picked each other in the same context, the
pair is recorded as met in person and both are introduced to each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.errors import UserError


class MeetingContext(StrEnum):
    MEETUP = "meetup"
    PAIRING = "pairing"
    MANUAL = "manual"


MANUAL_CONTEXT_ID = 0
MET_EXAMPLE = "/met member:@alice"


def ordered_pair(a: int, b: int) -> tuple[int, int]:
    """Store each meeting once: the smaller id first."""
    if a == b:
        raise ValueError("a member cannot meet themselves")
    return (a, b) if a < b else (b, a)


def check_pick(picker_id: int, picked_id: int, picked_is_bot: bool = False) -> None:
    if picker_id == picked_id:
        raise UserError("You can't record meeting yourself.", MET_EXAMPLE)
    if picked_is_bot:
        raise UserError("Bots don't come to meetups; pick a member you met.", MET_EXAMPLE)


@dataclass(frozen=True, slots=True)
class PickOutcome:
    """What a pick led to. ``mutual`` is only true on the pick that completed the pair."""

    mutual: bool
    already_met: bool = False  # the pair had met before (another meetup, an earlier round)


@dataclass(frozen=True, slots=True)
class Meeting:
    guild_id: int
    member_id: int
    other_member_id: int
    first_met_at: int
    last_met_at: int
    times: int
    context: MeetingContext
    context_id: int

    def other(self, member_id: int) -> int:
        return self.other_member_id if member_id == self.member_id else self.member_id
