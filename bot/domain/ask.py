"""/ask: which helpers to mention for a question, and the limits that keep it polite.

Ranking. Among members who list the topic and offered help (``/privacy helper state:on``),
never the asker and nobody already asked ``DAILY_CAP`` times: people the asker has met in
person first, then those sharing more with the asker (the sum of the server's inverse document
frequency weights of the interests both list, so a shared rare interest counts more), then the
most recently active, then the smaller id so the order is repeatable.

Daily cap. "A day" is the last 24 hours, not the calendar day: it needs no timezone, and a
helper asked three times at 23:00 is not asked three more times at 00:05.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.errors import UserError

MAX_HELPERS = 5
DAILY_CAP = 3
CAP_WINDOW = 24 * 3600
MAX_QUESTION_LENGTH = 1500
EXAMPLE = "/ask topic:python question:How do I read a CSV file without pandas?"


@dataclass(frozen=True, slots=True)
class Asked:
    """A question posted: under which tag, whom it mentioned, where to find it."""

    topic: str  # the canonical tag
    helpers: list[int]  # who was mentioned, in rank order
    jump_url: str
    thread_id: int | None


@dataclass(frozen=True, slots=True)
class HelperCandidate:
    member_id: int
    met_in_person: bool
    shared_weight: float
    last_active: int


def rank_helpers(candidates: Iterable[HelperCandidate], limit: int = MAX_HELPERS) -> list[int]:
    """The ``limit`` helpers to mention, best first (see the module docstring)."""
    ordered = sorted(
        candidates,
        key=lambda c: (not c.met_in_person, -c.shared_weight, -c.last_active, c.member_id),
    )
    return [c.member_id for c in ordered[:limit]]


def validate_question(text: str) -> str:
    question = text.strip()
    if not question:
        raise UserError("Please write your question.", EXAMPLE)
    if len(question) > MAX_QUESTION_LENGTH:
        raise UserError(
            f"Your question is {len(question)} characters long; the limit is {MAX_QUESTION_LENGTH}. "
            "Ask the short version and add details in the thread.",
            EXAMPLE,
        )
    return question
