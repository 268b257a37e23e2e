"""Which helpers /ask mentions: met in person first, then shared interests, then recent activity."""

from __future__ import annotations

import pytest

from bot.domain.ask import HelperCandidate, rank_helpers, validate_question
from bot.domain.errors import UserError


def helper(member_id: int, met: bool = False, shared: float = 0.0, active: int = 0) -> HelperCandidate:
    return HelperCandidate(member_id, met, shared, active)


def test_met_in_person_beats_shared_interests_which_beat_recent_activity() -> None:
    ranked = rank_helpers(
        [
            helper(1, active=900),
            helper(2, shared=3.0),
            helper(3, met=True),
            helper(4, shared=1.0, active=5),
            helper(5, shared=1.0, active=50),
            helper(6),
        ]
    )

    assert ranked == [3, 2, 5, 4, 1]


def test_equal_helpers_are_ordered_by_id_so_the_choice_is_repeatable() -> None:
    assert rank_helpers([helper(9), helper(2), helper(5)], limit=2) == [2, 5]


@pytest.mark.parametrize("text", ["", "   ", "x" * 1501])
def test_empty_or_overlong_questions_are_refused_with_an_example(text: str) -> None:
    with pytest.raises(UserError) as refused:
        validate_question(text)
    assert refused.value.example is not None and refused.value.example.startswith("/ask topic:")


def test_a_question_is_stripped() -> None:
    assert validate_question("  Why?  ") == "Why?"
