"""Large pairing rounds: the numpy paths (candidate partners, batched swaps, pair weights, the
naive baseline's weight matrix) give what their plain-Python counterparts give, keep every rule, and
stay close to the naive greedy over all pairs on a seeded round shaped like a real server's."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from bench.matching import QUICK, generate
from bot.domain import pairing
from bot.domain.matching import Candidate
from bot.domain.pairing import _Round, form_groups, form_groups_naive, total_weight

PLACES = [None, (48.85, 2.35), (35.68, 139.69), (48.80, 2.12), (35.70, 139.70), (45.76, 4.84)]


def sparse_members(rng: random.Random, n: int) -> list[Candidate]:
    """Few interests from a small vocabulary, some members without any, cities near each other."""
    tags = [f"t{i}" for i in range(40)]
    out = []
    for i in range(1, n + 1):
        at = rng.choice(PLACES)
        lat, lon = (None, None) if at is None else at
        out.append(Candidate(i, frozenset(rng.sample(tags, rng.randint(0, 6))), lat, lon))
    return out


def rules_for(rng: random.Random, n: int, count: int) -> set[frozenset[int]]:
    return {frozenset(rng.sample(range(1, n + 1), 2)) for _ in range(count)}


@pytest.mark.parametrize("rng_seed", range(6))
def test_naive_over_the_weight_matrix_gives_the_pair_by_pair_naive_round(rng_seed: int) -> None:
    rng = random.Random(rng_seed)
    n = rng.choice([12, 60, 230])
    members = sparse_members(rng, n)
    recent, blocked = rules_for(rng, n, rng.choice([0, n, 3 * n])), rules_for(rng, n, n // 10)
    for size in (2, 3, 4):
        dense = _Round(members, size, recent, rng_seed, None, blocked).solve(all_pairs=True)
        listed = _Round(members, size, recent, rng_seed, None, blocked).solve(all_pairs=True, dense=False)

        assert dense == listed


def test_naive_on_a_zipf_round_is_the_pair_by_pair_naive_round() -> None:
    members = generate(QUICK, 400, seed_offset=3)
    for size in (2, 3):
        dense = form_groups_naive(members, size, [], seed=2)

        assert dense == _Round(members, size, [], 2, None).solve(all_pairs=True, dense=False)


def test_pair_weights_in_numpy_are_the_exact_pair_weights() -> None:
    rng = random.Random(4)
    members = sparse_members(rng, 300) + generate(QUICK, 300, seed_offset=5)
    members = [Candidate(i, m.interests, m.lat, m.lon) for i, m in enumerate(members, start=1)]
    round_ = _Round(members, 2, [], 0, None)
    u = np.array([rng.randrange(600) for _ in range(5_000)])
    v = np.array([rng.randrange(600) for _ in range(5_000)])

    got = round_._pair_weights(u, v).tolist()

    assert got == [round_.w(a, b) for a, b in zip(u.tolist(), v.tolist(), strict=True)]
    assert sum(got) > 0 and any(g % pairing._UNIT for g in got)  # idf weights, bonuses and all


def grouped(result: pairing.PairingResult) -> set[frozenset[int]]:
    return {frozenset(p) for g in result.groups for p in itertools.combinations(g.member_ids, 2)}


@pytest.mark.parametrize("size", [2, 3, 4])
def test_a_large_round_places_everyone_once_keeps_the_rules_and_repeats(
    size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above LARGE_ROUND (lowered here) swaps are batched in numpy: they must honour recent and
    blocked pairs as the one-by-one search does, and a seed must give the same round."""
    monkeypatch.setattr(pairing, "LARGE_ROUND", 300)
    rng = random.Random(size)
    members = sparse_members(rng, 420)
    recent, blocked = rules_for(rng, 420, 1_500), rules_for(rng, 420, 300)

    result = form_groups(members, size, recent, seed=size, blocked=blocked)

    placed = [m for g in result.groups for m in g.member_ids]
    assert sorted(placed + result.unmatched) == list(range(1, 421))
    assert result.unmatched == []
    assert all(size <= len(g.member_ids) <= size + 1 for g in result.groups)
    assert not grouped(result) & (recent | blocked)
    assert form_groups(list(reversed(members)), size, recent, seed=size, blocked=blocked) == result


@pytest.mark.parametrize("size", [2, 3])
@pytest.mark.parametrize("large", [False, True])
def test_a_zipf_round_keeps_99_percent_of_the_naive_greedy(
    size: int, large: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The heuristic sees each member's best partners only, the naive every pair: on a seeded round
    shaped like a server's (Zipf interests and cities) it keeps 99 % of the naive's weight (the
    target is 98 %), with the one-by-one search and (``large``) with the batched one. Measured:
    99.97 % (pairs), 101.8-102.1 % (trios); without the second greedy over the members left short
    of a group, 98.6 % (pairs); with a quarter of the candidate pairs, 98.2 %."""
    if large:
        monkeypatch.setattr(pairing, "LARGE_ROUND", 300)
    members = generate(QUICK, 600, seed_offset=11)

    heuristic = total_weight(form_groups(members, size, [], seed=3), members)
    naive = total_weight(form_groups_naive(members, size, [], seed=3), members)

    assert heuristic >= 0.99 * naive, heuristic / naive


def test_shared_interests_of_every_group_at_once_are_each_groups_own() -> None:
    members = generate(QUICK, 500, seed_offset=13)
    round_ = _Round(members, 3, [], 0, None)
    order = list(range(500))
    random.Random(2).shuffle(order)
    groups = [order[i : i + 3] for i in range(0, 498, 3)] + [order[498:]]

    shared = round_._shared_by_group(groups)

    assert shared == [round_._shared(g) for g in groups]
    assert sum(map(len, shared)) > len(groups)  # most groups share something, in a weight order
