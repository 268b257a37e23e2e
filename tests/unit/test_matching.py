"""What /match ranks, and that the inverted index agrees with scoring every profile."""

from __future__ import annotations

import math
import random

import pytest
from geopy.distance import geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.errors import UserError
from bot.domain.matching import (
    Candidate,
    InterestIndex,
    approx_km,
    geodesic_km,
    haversine_km,
    idf,
    rank_naive,
)

PARIS = (48.8566, 2.3522)
VERSAILLES = (48.8049, 2.1204)  # ~18 km from Paris
LONDON = (51.5072, -0.1276)  # ~344 km from Paris
BERLIN = (52.52, 13.405)  # ~878 km from Paris


class Recycled(InterestIndex):
    """Built empty and filled one upsert at a time after a first population left: every slot is
    a reused one and the columns hold freed rows in between, as after months of changes."""

    def __init__(self, candidates=()) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        members = list(candidates)
        for c in members:
            self.upsert(Candidate(c.member_id + 10_000, c.interests | {"gone"}, c.lat, c.lon, 9))
        for c in reversed(members):
            self.upsert(c)
            self.remove(c.member_id + 10_000)


class Arrays(InterestIndex):
    """Scores with numpy even when a query touches a handful of members (the path a large server
    takes), where the index would score a small server's in plain Python."""

    PLAIN_UP_TO = -1


class Selecting(Arrays):
    """Also selects the best by score and ties among a handful of candidates, where the index
    would sort them in full."""

    FULL_SORT_UP_TO = 0


class PlainSelecting(InterestIndex):
    """Scores in plain Python and keeps only the best past any number of candidates, as the
    selection does (the plain path's cut, which a small server never reaches)."""

    FULL_SORT_UP_TO = 0


INDEXES = [InterestIndex, Recycled, Arrays, Selecting, PlainSelecting]


def member(member_id: int, *tags: str, at: tuple[float, float] | None = None, active: int = 0) -> Candidate:
    lat, lon = at if at is not None else (None, None)
    return Candidate(member_id, frozenset(tags), lat, lon, active)


def ids(matches: list) -> list[int]:
    return [m.member_id for m in matches]


def crowd(start: int, count: int, *tags: str) -> list[Candidate]:
    """Members who make ``tags`` common without sharing anything else."""
    return [member(start + i, *tags, f"own{start + i}") for i in range(count)]


def test_rare_shared_interest_outranks_common_one() -> None:
    asker = member(1, "chess", "hiking")
    rare = member(2, "chess")
    common = member(3, "hiking")
    index = InterestIndex([asker, rare, common, *crowd(100, 20, "hiking")])

    result = index.match(1)

    assert result[0].member_id == 2
    assert result[0].shared == ("chess",)
    assert result[0].score > result[1].score


def test_more_shared_interests_score_the_sum_of_their_weights() -> None:
    index = InterestIndex([member(1, "a", "b"), member(2, "a", "b"), member(3, "a")])

    top = index.match(1)[0]

    assert top.member_id == 2
    assert top.score == pytest.approx(index.weight("a") + index.weight("b"))
    assert top.shared == ("b", "a")  # b is rarer, so it comes first


def test_equal_scores_nearest_first_and_members_without_city_last() -> None:
    asker = member(1, "chess", at=PARIS)
    index = InterestIndex(
        [
            asker,
            member(2, "chess", at=BERLIN),
            member(3, "chess"),
            member(4, "chess", at=VERSAILLES, active=0),
            member(5, "chess", at=LONDON),
        ]
    )

    result = index.match(1)

    assert ids(result) == [4, 5, 2, 3]
    assert result[0].approx_distance == "~20 km"
    assert result[-1].distance_km is None


def test_equal_scores_and_distances_more_recently_active_first() -> None:
    index = InterestIndex(
        [
            member(1, "chess", at=PARIS),
            member(2, "chess", at=LONDON, active=100),
            member(3, "chess", at=LONDON, active=300),
            member(4, "chess", at=LONDON, active=200),
        ]
    )

    assert ids(index.match(1)) == [3, 4, 2]


def test_asker_without_city_gets_ties_by_activity_only() -> None:
    index = InterestIndex(
        [member(1, "chess"), member(2, "chess", at=PARIS, active=1), member(3, "chess", active=2)]
    )

    result = index.match(1)

    assert ids(result) == [3, 2]
    assert all(m.distance_km is None for m in result)


def test_asker_is_never_listed() -> None:
    index = InterestIndex([member(1, "chess", "go"), member(2, "go")])

    assert ids(index.match(1)) == [2]


def test_members_sharing_nothing_are_not_listed() -> None:
    index = InterestIndex([member(1, "chess"), member(2, "go"), member(3, "chess")])

    assert ids(index.match(1)) == [3]


def test_at_most_ten_members_by_default() -> None:
    index = InterestIndex([member(1, "chess"), *crowd(100, 30, "chess")])

    assert len(index.match(1)) == 10


def test_named_interest_keeps_only_members_listing_it() -> None:
    index = InterestIndex(
        [
            member(1, "chess", "go"),
            member(2, "chess", "go"),
            member(3, "climbing"),
            member(4, "climbing", "go"),
        ]
    )

    result = index.match(1, interest="climbing")

    # The asker does not list climbing: it still counts, and what else they share ranks them.
    assert ids(result) == [4, 3]
    assert result[0].shared == ("climbing", "go")


def test_unknown_named_interest_finds_nobody() -> None:
    index = InterestIndex([member(1, "chess"), member(2, "chess")])

    assert index.match(1, interest="underwater-rugby") == []


def test_within_km_keeps_members_in_range_only() -> None:
    index = InterestIndex(
        [
            member(1, "chess", at=PARIS),
            member(2, "chess", at=VERSAILLES),
            member(3, "chess", at=LONDON),
            member(4, "chess", at=BERLIN),
            member(5, "chess"),
        ]
    )

    assert ids(index.match(1, within_km=400)) == [2, 3]
    assert ids(index.match(1, within_km=10)) == []


def test_within_km_without_a_city_is_refused_with_an_example() -> None:
    index = InterestIndex([member(1, "chess"), member(2, "chess", at=PARIS)])

    with pytest.raises(UserError) as refused:
        index.match(1, within_km=50)

    assert "/intro" in refused.value.message
    assert refused.value.example == "/match within_km:50"


@pytest.mark.parametrize("bad", [0, -5, math.nan, math.inf])
def test_within_km_must_be_a_positive_distance(bad: float) -> None:
    index = InterestIndex([member(1, "chess", at=PARIS)])

    with pytest.raises(UserError):
        index.match(1, within_km=bad)


def test_asker_without_profile_is_sent_to_intro() -> None:
    with pytest.raises(UserError) as refused:
        InterestIndex([member(2, "chess")]).match(1)

    assert refused.value.example == "/intro"


def test_asker_without_interests_is_asked_to_add_or_name_one() -> None:
    index = InterestIndex([member(1), member(2, "chess")])

    with pytest.raises(UserError):
        index.match(1)
    assert ids(index.match(1, interest="chess")) == [2]


def test_asker_outside_the_index_can_still_search() -> None:
    """A member who turned discovery off is not indexed but may look for others."""
    index = InterestIndex([member(2, "chess")])

    assert ids(index.match(member(1, "chess"))) == [2]


def test_update_and_remove_keep_document_frequencies_right() -> None:
    index = InterestIndex([member(1, "chess", "go"), member(2, "chess")])
    assert index.document_frequency("chess") == 2

    index.upsert(member(2, "go", "climbing", at=PARIS))
    assert (index.document_frequency("chess"), index.document_frequency("go")) == (1, 2)
    assert index.document_frequency("climbing") == 1

    index.remove(1)
    index.remove(99)  # absent: nothing happens
    assert index.document_frequency("chess") == 0
    assert index.document_frequency("go") == 1
    assert index.weights() == InterestIndex([member(2, "go", "climbing", at=PARIS)]).weights()
    assert 1 not in index and len(index) == 1


def test_weight_follows_smoothed_idf() -> None:
    index = InterestIndex([member(1, "chess", "go"), member(2, "go"), member(3, "go")])

    assert index.weight("chess") == pytest.approx(math.log(4 / 2) + 1)
    assert index.weight("go") == pytest.approx(1.0)
    assert idf(1, 100) > idf(50, 100) > idf(100, 100) == 1.0


def test_touch_updates_activity_for_tie_breaks() -> None:
    index = InterestIndex([member(1, "chess"), member(2, "chess", active=5), member(3, "chess", active=9)])

    index.touch(2, 50)

    assert ids(index.match(1)) == [2, 3]


@pytest.mark.parametrize(
    ("km", "shown"),
    [
        (0.0, "~1 km"),
        (0.4, "~1 km"),
        (7.4, "~7 km"),
        (9.6, "~10 km"),
        (12.0, "~10 km"),
        (13.0, "~15 km"),
        (97.0, "~95 km"),
        (98.0, "~100 km"),
        (344.2, "~340 km"),
        (8765.0, "~8,760 km"),
    ],
)
def test_approx_km_rounds_coarsely(km: float, shown: str) -> None:
    assert approx_km(km) == shown


latitudes = st.floats(-89.9, 89.9)
longitudes = st.floats(-180, 180)


@given(latitudes, longitudes, latitudes, longitudes)
def test_geodesic_km_is_geopys_geodesic_exactly(a: float, b: float, c: float, d: float) -> None:
    assert geodesic_km((a, b), (c, d)) == geodesic((a, b), (c, d)).km


@given(latitudes, longitudes, latitudes, longitudes)
def test_haversine_stays_within_one_percent_of_geodesic(a: float, b: float, c: float, d: float) -> None:
    g = geodesic_km((a, b), (c, d))
    h = haversine_km((a, b), (c, d))
    assert abs(g - h) <= 0.01 * h + 1e-6


# Few tags, places and activity values so that ties are everywhere.
TAGS = ["a", "b", "c", "d", "e", "f"]
PLACES = [None, PARIS, VERSAILLES, LONDON, BERLIN]
profiles = st.builds(
    lambda tags, place, active: (frozenset(tags), place, active),
    st.sets(st.sampled_from(TAGS), max_size=4),
    st.sampled_from(PLACES),
    st.integers(0, 3),
)


def build(raw: list[tuple[frozenset[str], tuple[float, float] | None, int]]) -> list[Candidate]:
    return [member(i + 1, *tags, at=place, active=active) for i, (tags, place, active) in enumerate(raw)]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(profiles, min_size=1, max_size=40),
    st.data(),
    st.sampled_from([None, *TAGS]),
    st.sampled_from([None, 30.0, 400.0]),
    st.integers(1, 12),
    st.sampled_from(INDEXES),
)
def test_index_ranks_exactly_like_scoring_every_profile(
    raw: list,
    data: st.DataObject,
    interest: str | None,
    within_km: float | None,
    limit: int,
    index_class: type[InterestIndex],
) -> None:
    population = build(raw)
    asker = data.draw(st.sampled_from(population))
    index = index_class(population)

    try:
        expected = rank_naive(asker, population, interest, within_km, limit)
    except UserError:
        with pytest.raises(UserError):
            index.match(asker.member_id, interest, within_km, limit)
        return
    got = index.match(asker.member_id, interest, within_km, limit)

    assert [(m.member_id, m.score, m.shared, m.distance_km) for m in got] == [
        (m.member_id, m.score, m.shared, m.distance_km) for m in expected
    ]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(profiles, min_size=1, max_size=40),
    st.data(),
    st.sampled_from([None, *TAGS]),
    st.integers(1, 12),
    st.sampled_from(INDEXES),
)
def test_members_kept_out_are_replaced_by_the_next_best_given_that_much_slack(
    raw: list, data: st.DataObject, interest: str | None, limit: int, index_class: type[InterestIndex]
) -> None:
    """What /match does with blocked members and members who left: the index ranks ``slack``
    more, drops those ``keep`` refuses, and lists exactly what scoring the others would."""
    population = build(raw)
    asker = data.draw(st.sampled_from(population))
    out = data.draw(st.sets(st.sampled_from([m.member_id for m in population])))
    index = index_class(population)
    try:
        everyone = rank_naive(asker, population, interest, None, len(population))
    except UserError:
        return
    got = index.match(asker.member_id, interest, None, limit, keep=lambda m: m not in out, slack=len(out))

    # Those left out still count in how rare an interest is (they are members of the server).
    assert got == [m for m in everyone if m.member_id not in out][:limit]
    assert not {m.member_id for m in got} & out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 12), st.none() | profiles), max_size=60), st.sampled_from(INDEXES))
def test_incremental_changes_match_a_fresh_index(changes: list, index_class: type[InterestIndex]) -> None:
    index = index_class()
    current: dict[int, Candidate] = {}
    for member_id, raw in changes:
        if raw is None:
            index.remove(member_id)
            current.pop(member_id, None)
        else:
            tags, place, active = raw
            current[member_id] = member(member_id, *tags, at=place, active=active)
            index.upsert(current[member_id])

    fresh = index_class(current.values())
    assert index.weights() == fresh.weights()
    for asker in current.values():
        if asker.interests:
            assert index.match(asker.member_id) == rank_naive(asker, current.values())


def zipf_population(seed: int, count: int) -> list[Candidate]:
    """Profiles shaped like a server's: a few very common interests and a long tail."""
    rng = random.Random(seed)
    tags = [f"t{i}" for i in range(60)]
    tag_weights = [1 / (rank + 1) for rank in range(len(tags))]
    places = [None, PARIS, VERSAILLES, LONDON, BERLIN]
    return [
        member(
            i,
            *set(rng.choices(tags, tag_weights, k=rng.randint(1, 12))),
            at=rng.choice(places),
            active=rng.randrange(5),
        )
        for i in range(1, count + 1)
    ]


@pytest.mark.parametrize("index_class", INDEXES)
def test_index_ranks_a_larger_server_exactly_like_scoring_every_profile(
    index_class: type[InterestIndex],
) -> None:
    """Hundreds of members: bitset classes large enough to be read byte by byte, and pruning."""
    population = zipf_population(7, 600)
    index = index_class(population)
    rng = random.Random(8)
    for asker in rng.sample(population, 25):
        for interest, within_km, limit in (
            (None, None, 10),
            ("t0", None, 40),
            (None, 400.0, 3),
            ("t5", 30.0, 10),
        ):
            if within_km is not None and asker.location is None:
                continue
            got = index.match(asker.member_id, interest, within_km, limit)
            assert got == rank_naive(asker, population, interest, within_km, limit)


@pytest.mark.parametrize("index_class", INDEXES)
def test_index_stays_exact_after_members_leave_and_slots_are_reused(index_class: type[InterestIndex]) -> None:
    population = zipf_population(9, 300)
    index = index_class(population)
    current = {p.member_id: p for p in population}
    rng = random.Random(10)
    for gone in rng.sample(sorted(current), 120):
        index.remove(gone)
        del current[gone]
    for newcomer in zipf_population(11, 150):
        moved = Candidate(1000 + newcomer.member_id, newcomer.interests, newcomer.lat, newcomer.lon, 3)
        index.upsert(moved)
        current[moved.member_id] = moved
    for asker in rng.sample(sorted(current.values(), key=lambda p: p.member_id), 20):
        if asker.interests:
            assert index.match(asker.member_id, limit=15) == rank_naive(asker, current.values(), limit=15)


@pytest.mark.parametrize("index_class", INDEXES)
def test_index_stays_exact_when_interests_always_go_together(index_class: type[InterestIndex]) -> None:
    """Class sizes are guessed as if interests were independent; correlated ones defeat the guess."""
    population = zipf_population(12, 500)
    population += [member(1000 + i, "x", "y", "z", f"t{i % 7}", active=i % 3) for i in range(60)]
    index = index_class(population)
    for asker in (population[-1], population[-2], population[3]):
        query = Candidate(asker.member_id, asker.interests | {"x", "y"}, asker.lat, asker.lon)
        assert index.match(query, limit=30) == rank_naive(query, population, limit=30)
