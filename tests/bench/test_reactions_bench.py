"""The reaction-storm benchmark runs, quickly, and its correctness figures hold."""

from __future__ import annotations

from bench.reactions import make_storm, measure, parse_args
from bot.boards.polls import POLL_EDIT_INTERVAL


def test_the_storm_is_valid_reaction_traffic() -> None:
    ops = make_storm(members=50, emojis=20, count=2000, seed=1)
    reacted: set[tuple[int, int]] = set()
    for member, emoji, added in ops:
        assert ((member, emoji) in reacted) is not added  # only add what is absent, remove what is there
        (reacted.add if added else reacted.discard)((member, emoji))
    assert 0.3 < sum(1 for op in ops if not op[2]) / len(ops) < 0.5


def test_quick_is_small() -> None:
    args = parse_args(["--quick"])
    assert (args.members, args.reactions, args.rounds) == (200, 1000, 1)


async def test_a_quick_storm_loses_no_vote_and_edits_at_most_once_per_interval() -> None:
    figures = await measure(members=200, reactions=1000, rounds=1)

    run = figures.meetbridge[0]
    assert figures.lost == 0 and figures.extra == 0
    assert run.votes_stored == run.votes_expected > 0
    assert run.final_shown
    assert figures.min_gap is None or figures.min_gap >= POLL_EDIT_INTERVAL
    assert 1 <= len(run.edits) <= run.virtual_seconds / POLL_EDIT_INTERVAL + 1
    assert figures.ok
    assert "votes lost: 0" in figures.report()
