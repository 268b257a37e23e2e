"""Pairing rounds around blocks: a blocked pair is never grouped, the round re-forms around it and
leaves nobody out when a split that keeps every rule exists, and a reason never names a block."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.matching import Candidate
from bot.domain.pairing import PairingResult, UnmatchedReason, form_groups, group_sizes
from tests.unit.test_pairing import member, partitions

TAGS = ["chess", "go", "hiking", "pottery", "python", "sailing", "jazz"]


def members_for(rng_seed: int, n: int) -> list[Candidate]:
    rng = random.Random(rng_seed)
    return [member(i, *rng.sample(TAGS, rng.randint(0, 3))) for i in range(1, n + 1)]


def grouped_pairs(result: PairingResult) -> set[frozenset[int]]:
    return {frozenset(p) for g in result.groups for p in itertools.combinations(g.member_ids, 2)}


def feasible(ids: list[int], size: int, rules: Iterable[frozenset[int]]) -> bool:
    """Whether everyone fits into the round's group sizes without breaking a rule (brute force)."""
    banned = set(rules)
    return any(
        not any(frozenset(p) in banned for g in split for p in itertools.combinations(g, 2))
        for split in partitions(ids, group_sizes(len(ids), size))
    )


pair_lists = st.lists(st.tuples(st.integers(1, 9), st.integers(1, 9)), max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 9), st.integers(2, 4), pair_lists, pair_lists)
def test_form_groups_never_puts_a_blocked_pair_together(
    rng_seed: int, n: int, size: int, blocks: list[tuple[int, int]], recent: list[tuple[int, int]]
) -> None:
    members = members_for(rng_seed, n)
    blocked = {frozenset(p) for p in blocks if p[0] != p[1]}

    result = form_groups(members, size, [p for p in recent if p[0] != p[1]], seed=rng_seed, blocked=blocked)

    assert not grouped_pairs(result) & blocked
    placed = [m for g in result.groups for m in g.member_ids]
    assert sorted(placed + result.unmatched) == list(range(1, n + 1))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 9), st.integers(2, 4), pair_lists)
def test_nobody_is_left_out_when_the_blocks_allow_everyone_a_group(
    rng_seed: int, n: int, size: int, blocks: list[tuple[int, int]]
) -> None:
    members = members_for(rng_seed, n)
    blocked = {frozenset(p) for p in blocks if p[0] != p[1] and max(p) <= n}

    result = form_groups(members, size, [], seed=rng_seed, blocked=blocked)

    if feasible(list(range(1, n + 1)), size, blocked):
        assert result.unmatched == [], (result, blocked)


@pytest.mark.parametrize("size", [2, 3, 4])
def test_the_best_partners_blocking_each_other_re_forms_the_round(size: int) -> None:
    """1 and 2 share two rare interests, so they are grouped; blocked, each goes to its next best
    group and nobody is left out."""
    members = [member(1, "falconry", "origami", "chess"), member(2, "falconry", "origami", "chess")]
    members += [member(i, "chess") for i in range(3, 2 * size + 1)]
    unblocked = form_groups(members, size, [], seed=1)
    assert frozenset({1, 2}) in grouped_pairs(unblocked)

    result = form_groups(members, size, [], seed=1, blocked=[(1, 2)])

    assert frozenset({1, 2}) not in grouped_pairs(result)
    assert result.unmatched == [] and len(result.groups) == 2


def test_a_member_blocked_with_everyone_is_left_out_without_naming_the_block() -> None:
    members = [member(1, "chess"), member(2, "chess"), member(3, "chess")]

    result = form_groups(members, 2, [], seed=1, blocked=[(1, 2), (1, 3)])

    assert result.unmatched == [1]
    assert result.reasons == {1: UnmatchedReason.NO_ROOM}  # not "grouped with everyone recently"
    assert [g.member_ids for g in result.groups] == [(2, 3)]


def test_recent_pairs_alone_still_say_so() -> None:
    members = [member(1, "chess"), member(2, "chess"), member(3, "chess")]

    result = form_groups(members, 2, [(1, 2), (1, 3)], seed=1, blocked=[(2, 3)])

    assert result.reasons[1] is UnmatchedReason.ALL_RECENT


def test_a_large_round_with_blocks_keeps_every_rule() -> None:
    rng = random.Random(7)
    tags = [f"t{i}" for i in range(30)]
    members = [member(i, *rng.sample(tags, rng.randint(1, 6))) for i in range(1, 401)]
    blocked = {frozenset(rng.sample(range(1, 401), 2)) for _ in range(60)}
    # Blocks between members who would like each other most: the ones that matter.
    for m in members[:20]:
        best = max((o for o in members if o is not m), key=lambda o: len(m.interests & o.interests))
        blocked.add(frozenset({m.member_id, best.member_id}))

    for size in (2, 3, 4):
        result = form_groups(members, size, [], seed=size, blocked=blocked)
        assert not grouped_pairs(result) & blocked
        assert len(result.unmatched) <= 1
