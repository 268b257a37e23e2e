"""Pairing rounds: split the members who joined into small groups that have things in common.

Objective. The weight of two members is the sum of the idf weights (see
:func:`bot.domain.matching.idf`, computed over this round's members unless the caller passes
the server's weights) of the interests they share, plus ``NEARBY_BONUS`` when both gave a city
and the cities are within ``NEARBY_KM`` of each other (haversine: a 0.5 % error at 50 km does
not change who counts as nearby). The bonus is worth a bit more than one shared interest that
everybody lists, so between otherwise equal partners the one in the same area wins. A group's
weight is the sum over its pairs; a round maximises the sum over its groups.

Hard rules. Two members in ``forbidden`` (grouped together in the last rounds; the caller builds
the set) are never put in the same group; neither are two in ``blocked`` (one blocked the other).
Both are the same constraint to the solver, so a round re-forms around a block exactly as around a
recent pair: everyone else is still placed whenever the sizes and rules allow it. They differ only
in the reason a member who cannot be placed is given: a block is never named (``NO_ROOM``).

Group sizes (:func:`group_sizes`). With ``n`` members and size ``s``: ``n // s`` groups when
the leftovers can each be folded into a different group (``n % s <= n // s``), so groups have
``s`` or ``s + 1`` members (7 members, size 2 -> 3 + 2 + 2; 5 members, size 4 -> one group
of 5); otherwise ``ceil(n / s)`` groups as even as possible, none above ``s`` (6 members,
size 4 -> 3 + 3; 3 members, size 4 -> one group of 3). Nobody is dropped to make sizes even.

Unmatched. A member alone in the round, or who was recently grouped with everybody else who
joined, cannot be placed; neither can one the heuristic finds no compatible group for. They are
returned in ``unmatched`` with a :class:`UnmatchedReason` so the bot can tell them why
(``ALL_RECENT`` only when recent pairs alone rule everybody out; ``NO_ROOM`` when a block plays a
part, which the reason never reveals).

Algorithm (a heuristic; the tests check it against brute force on small cases, and against the
naive greedy over every pair on larger ones):

1. Candidate partners. Rounds of at least ``INDEXED_ROUND`` members, in numpy
   (:meth:`_Round._indexed_neighbours`): every pair sharing one of the rarer interests (as many as
   keep the pairs under ``PAIRS_PER_MEMBER`` per member) is listed and scored exactly, common
   interests read from bits; each member keeps its ``INDEXED_NEIGHBOURS`` best. Smaller rounds
   (and the few members of a large one that this leaves short) sample a window of each interest's
   member list, rarest first (``SCAN_PER_MEMBER`` in all), and of their city's
   (``SAME_PLACE_SCAN``), and keep the ``NEIGHBOURS`` best. This avoids the n^2 pairs a common
   interest would otherwise generate.
2. Greedy: candidate edges by decreasing weight merge clusters up to the base group size.
   On rounds of at least ``INDEXED_ROUND`` members it runs again on the members it left short of
   a group, with candidates found among them only (:meth:`_Round._regreedy`): their best partners
   were taken, and this finds the best still free, as the naive greedy over every pair does.
3. Fill: incomplete groups take the remaining clusters that add the most weight, looking at
   neighbours' clusters and same-location members first; leftovers are folded into the group
   they add the most weight to.
3b. Room: a member the rules left without a group takes someone's place in a group it may join,
   and that member moves on the same way (chains of up to two moves, or two such members start a
   group of their own), so the rules strand nobody a split keeping them would place. A round of at
   most ``EXACT_ROUND`` members that still strands someone is settled by an exact search.
4. Local search: swapping two members between groups (or moving the extra member of a larger
   group) whenever it increases the total and breaks no rule; three passes. Rounds of at most
   ``SMALL_ROUND`` members search every swap and try ``RESTARTS`` more seeded constructions,
   keeping the best. Rounds above ``LARGE_ROUND`` members search in batches
   (:meth:`_Round._batch_search`): every swap putting a member with one of its
   ``SEARCH_NEIGHBOURS`` best partners is evaluated at once (exact pair weights from interest
   bits, :meth:`_Round._pair_weights`), the best ones touching different groups are made, and only
   the groups they changed are evaluated again, for up to ``BATCH_ROUNDS`` rounds.

The naive baseline (:func:`form_groups_naive`, for the bench and the tests) scores every pair with
one matrix product of the members' interests and runs steps 2-3b (one greedy pass) on all of them.

Cost (``python -m bench.matching --pairing --full``): a round of 10,000 members takes about half a
second of CPU (pairs 0.5 s, trios 0.6 s) for 99.3 % (pairs) and 99.7 % (trios) of the naive's
weight, which takes 30-40 s. Python's cycle collector is paused during a large round (see
:func:`_collector_paused`).

Deterministic: the same members, rules and ``seed`` always give the same groups. Weights are
added as integers (units of 2**-20), exact in any order, so the iteration order of interest
sets, which changes between processes with string hashing, never changes a result.
"""

from __future__ import annotations

import bisect
import collections
import contextlib
import gc as collector
import itertools
import logging
import math
import random
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.domain.matching import Candidate, Location, haversine_km, idf

log = logging.getLogger(__name__)


def _numpy() -> Any:
    """numpy, imported with the first large round (the interest index imports it too)."""
    import numpy

    return numpy


NEARBY_KM = 50.0
NEARBY_BONUS = 1.5
NEIGHBOURS = 10
SCAN_PER_MEMBER = 16
SAME_PLACE_SCAN = 4
# Passes of the one-by-one local search; rounds above LARGE_ROUND members search in batches
# instead (see _batch_search), which fits their time budget.
LOCAL_SEARCH_PASSES = 3
LARGE_ROUND = 2_000
SMALL_ROUND = 16
# Rounds this small that the heuristic leaves someone out of are settled exactly (a depth-first
# search over the splits that keep the rules: a few thousand at most, milliseconds).
EXACT_ROUND = 12
# Extra seeded constructions on small rounds, keeping the best: cheap there, and they escape
# the local optima a single greedy start lands in.
RESTARTS = 12
SEARCH_NEIGHBOURS = 3
# Rounds of at least this many members find candidate partners with numpy (see _indexed_neighbours).
INDEXED_ROUND = 200
# Member pairs the indexed search expands per member: the rarest interests whose pairs fit are
# expanded (every pair sharing one, their shared weight summed exactly), the common ones scored as
# bits. Measured at 10,000 members (with the rest of the algorithm): 150 keep 98.6 % (pairs) and
# 99.0 % (trios) of the naive greedy's weight, 200 99.3 % and 99.7 %, 300 99.7 % and 100.2 %, for
# about 60 ms more per 100.
PAIRS_PER_MEMBER = 200
# Partners each member keeps there. Few: the greedy runs out of a member's candidates sooner and
# the second greedy passes (see _regreedy) find its best partner still free, as the naive greedy
# does. Measured at 10,000 members: 4 keep 99.3 % (pairs) and 99.7 % (trios) of the naive's
# weight, 10 kept 98.8 % and 99.3 %, for more time.
INDEXED_NEIGHBOURS = 4
_FILL_WINDOW = 32
BATCH_ROUNDS = 6  # rounds of swaps in the batched local search of large rounds
_PAIR_CHUNK = 32_768  # pairs scored at once by _pair_weights
_EDGE_CHUNK = 4_096  # candidate pairs the greedy reads at once (see _free_pairs)
_LEVELS = 8  # a member's partners are ranked from the eighth of its best weight that holds enough
_REGREEDY_ROUNDS = 4  # greedy passes over the members the previous pass left short (see _regreedy)
_ROOM_TRIES = 4_000  # moves tried to place the members a round strands (see _make_room)
_NEARBY_DEGREES = 0.46  # of latitude: 51.1 km on the sphere haversine_km uses
# Rounds add weights as integers in units of 2**-20 (about a millionth): integer sums are exact
# in any order, so set iteration order (which changes between processes with string hashing)
# never changes a result, and they are cheaper than exactly rounded float sums.
_UNIT = 1 << 20
_NEARBY_UNITS = round(NEARBY_BONUS * _UNIT)

Pair = tuple[int, int]  # two member numbers, smaller first


class UnmatchedReason(StrEnum):
    """Why a member got no group this round; the bot words the message."""

    ALONE = "alone"  # nobody else joined this round
    ALL_RECENT = "all_recent"  # recently grouped with everyone else who joined
    NO_ROOM = "no_room"  # the grouping rules (no repeats, blocks) left no group that could take them


@dataclass(frozen=True, slots=True)
class Group:
    """Members of one group and the interests they share, heaviest first."""

    member_ids: tuple[int, ...]
    shared: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PairingResult:
    groups: list[Group]
    unmatched: list[int]
    reasons: dict[int, UnmatchedReason] = field(default_factory=dict)


def group_sizes(n: int, size: int) -> list[int]:
    """Sizes of the groups for ``n`` members (largest first); see the module docstring."""
    if n < 2:
        return []
    count = n // size if n % size <= n // size else -(-n // size)
    count = max(1, count)
    base, extra = divmod(n, count)
    return [base + 1] * extra + [base] * (count - extra)


def pool_weights(members: Iterable[Candidate]) -> dict[str, float]:
    """Idf weights over the members of a round, for when the server's are not at hand."""
    pool = list(members)
    df = collections.Counter(itertools.chain.from_iterable(m.interests for m in pool))
    return {tag: idf(count, len(pool)) for tag, count in df.items()}


def pair_weight(a: Candidate, b: Candidate, weights: Mapping[str, float]) -> float:
    """Shared-interest weight of two members plus the nearby bonus."""
    # fsum is exactly rounded, so the result does not depend on set iteration order (which
    # changes between processes with string hashing) and rounds stay reproducible.
    total = math.fsum(weights.get(t, 1.0) for t in a.interests & b.interests)
    if a.location is not None and b.location is not None and _nearby(a.location, b.location):
        total += NEARBY_BONUS
    return total


def _nearby(a: Location, b: Location) -> bool:
    # Latitudes further apart than _NEARBY_DEGREES put two points over NEARBY_KM apart on any
    # great circle (1.1 km to spare): most pairs are decided without trigonometry.
    return a == b or (abs(a[0] - b[0]) <= _NEARBY_DEGREES and haversine_km(a, b) <= NEARBY_KM)


def total_weight(
    result: PairingResult, members: Iterable[Candidate], weights: Mapping[str, float] | None = None
) -> float:
    """The objective a round maximises, to compare solvers."""
    by_id = {m.member_id: m for m in members}
    w = pool_weights(by_id.values()) if weights is None else weights
    return sum(
        pair_weight(by_id[a], by_id[b], w)
        for g in result.groups
        for a, b in itertools.combinations(g.member_ids, 2)
    )


def form_groups(
    members: Sequence[Candidate],
    size: int,
    forbidden: Iterable[Collection[int]],
    seed: int = 0,
    weights: Mapping[str, float] | None = None,
    blocked: Iterable[Collection[int]] = (),
) -> PairingResult:
    """Groups for one round (see the module docstring for the rules and the algorithm)."""
    with _collector_paused(len(members) >= INDEXED_ROUND):
        return _Round(members, size, forbidden, seed, weights, blocked).solve(all_pairs=False)


@contextlib.contextmanager
def _collector_paused(pause: bool) -> Iterator[None]:
    """Python's cycle collector off while a large round runs: the round allocates hundreds of
    thousands of lists and tuples, none in a cycle, and the collector's passes over them were a
    tenth of its time. On again afterwards (if it was on), which collects anything left."""
    paused = pause and collector.isenabled()
    if paused:
        collector.disable()
    try:
        yield
    finally:
        if paused:
            collector.enable()


def form_groups_naive(
    members: Sequence[Candidate],
    size: int,
    forbidden: Iterable[Collection[int]],
    seed: int = 0,
    weights: Mapping[str, float] | None = None,
    blocked: Iterable[Collection[int]] = (),
) -> PairingResult:
    """Baseline for the bench: score all n^2 pairs, then the same greedy and fill, no search."""
    return _Round(members, size, forbidden, seed, weights, blocked).solve(all_pairs=True)


class _Round:
    """The working state of one round; thrown away afterwards.

    Members are numbered 0..n-1 in increasing id order (so comparing numbers compares ids) and
    everything per member is a list indexed by that number; the result maps back to ids.
    """

    def __init__(
        self,
        members: Sequence[Candidate],
        size: int,
        forbidden: Iterable[Collection[int]],
        seed: int,
        weights: Mapping[str, float] | None,
        blocked: Iterable[Collection[int]] = (),
    ) -> None:
        if not 2 <= size <= 4:
            raise ValueError(f"group size must be 2..4, got {size}")
        self.size = size
        by_id = {m.member_id: m for m in members}
        self.ids = sorted(by_id)
        self.n = n = len(self.ids)
        self.weights = pool_weights(by_id.values()) if weights is None else dict(weights)
        self.rng = random.Random(seed)
        order = list(range(n))
        self.rng.shuffle(order)
        self.rank = [0] * n  # seeded tie-break
        for position, x in enumerate(order):
            self.rank[x] = position
        number = {m: i for i, m in enumerate(self.ids)}
        self.forbidden: list[set[int]] = [set() for _ in range(n)]
        for pair in forbidden:
            a, b = (number.get(m) for m in tuple(pair))
            if a is not None and b is not None and a != b:
                self.forbidden[a].add(b)
                self.forbidden[b].add(a)
        # How many partners recent rounds alone rule out (a reason never names a block).
        self.recent = [len(partners) for partners in self.forbidden]
        for pair in blocked:
            a, b = (number.get(m) for m in tuple(pair))
            if a is not None and b is not None and a != b:
                self.forbidden[a].add(b)
                self.forbidden[b].add(a)
        self.cache: dict[int, int] = {}  # pair weights (in _UNIT) by a * n + b, a < b
        self.weight_of = _Units({tag: round(w * _UNIT) for tag, w in self.weights.items()}).__getitem__
        self.tags = [by_id[m].interests for m in self.ids]
        self.place = [by_id[m].location for m in self.ids]
        # Each distinct city as a number (-1: none); which other cities are nearby is worked
        # out once per city (see _nearby_cities).
        number_of: dict[Location, int] = {}
        self.city = [-1 if at is None else number_of.setdefault(at, len(number_of)) for at in self.place]
        self.cities = list(number_of)  # number -> coordinates
        self.by_latitude = sorted(range(len(self.cities)), key=lambda c: self.cities[c])
        self.latitudes = [self.cities[c][0] for c in self.by_latitude]
        self.nearby_cities: dict[int, frozenset[int]] = {}
        self.reasons: dict[int, UnmatchedReason] = {}
        self.arrays: tuple[Any, Any, Any] | None = None  # see _interest_arrays
        self.bits: Any = None  # each member's interests as bits (see _pair_weights)
        self.interest_number: dict[str, int] = {}  # see _interest_arrays
        self.banned: Any = None  # see _banned_keys
        self.dense: Any = None  # every pair's weight, for the naive baseline (see _dense_weights)

    # -- weights -------------------------------------------------------------------------------

    def w(self, a: int, b: int) -> int:
        key = a * self.n + b if a < b else b * self.n + a
        value = self.cache.get(key)
        if value is not None:
            return value
        value = sum(map(self.weight_of, self.tags[a] & self.tags[b]))
        ca, cb = self.city[a], self.city[b]
        if ca >= 0 and cb >= 0 and cb in self._nearby_cities(ca):
            value += _NEARBY_UNITS
        self.cache[key] = value
        return value

    def _nearby_cities(self, c: int) -> frozenset[int]:
        """The round's cities within NEARBY_KM of city ``c``, ``c`` included (usually alone)."""
        found = self.nearby_cities.get(c)
        if found is None:
            at = self.cities[c]
            low = bisect.bisect_left(self.latitudes, at[0] - _NEARBY_DEGREES)
            high = bisect.bisect_right(self.latitudes, at[0] + _NEARBY_DEGREES)
            found = self.nearby_cities[c] = frozenset(
                other for other in self.by_latitude[low:high] if _nearby(at, self.cities[other])
            )
        return found

    def w_to(self, a: int, group: Iterable[int], without: int = -1) -> int:
        """Weight ``a`` has with ``group``, leaving out ``a`` and ``without``."""
        cache, n = self.cache, self.n
        total = 0
        for b in group:
            if b != a and b != without:
                value = cache.get(a * n + b if a < b else b * n + a)
                total += self.w(a, b) if value is None else value
        return total

    def allowed(self, a: int, group: Iterable[int]) -> bool:
        return self.forbidden[a].isdisjoint(group)

    # -- solving -------------------------------------------------------------------------------

    def solve(self, all_pairs: bool, dense: bool = True) -> PairingResult:
        pool = self._exclude_impossible()
        if not pool:
            return self._result([])
        sizes = group_sizes(len(pool), self.size)
        base = sizes[-1]
        if all_pairs and dense:
            # The naive baseline over a weight matrix: the same result as the neighbour lists
            # below (the tests compare them), in the memory and time a 10,000 round allows.
            self.dense = self._dense_weights(pool)
            neighbours: Sequence[list[int]] = [[] for _ in range(self.n)]
        elif all_pairs:
            neighbours = self._all_pairs_neighbours(pool)
        elif len(pool) >= INDEXED_ROUND:
            neighbours = self._indexed_neighbours(pool)
        else:
            neighbours = self._sampled_neighbours(pool)
        excluded = dict(self.reasons)
        best: tuple[tuple[int, int], list[list[int]], dict[int, UnmatchedReason]] | None = None
        attempts = 1 if all_pairs or len(pool) > SMALL_ROUND else 1 + RESTARTS
        for attempt in range(attempts):
            self.reasons = dict(excluded)
            noise = None if attempt == 0 else {e: self.rng.random() for e in self._edges(pool, neighbours)}
            clusters = self._greedy(pool, neighbours, base, len(sizes), noise)
            if not all_pairs and len(pool) >= INDEXED_ROUND:
                clusters = self._regreedy(clusters, base, len(sizes))
            groups, leftovers = self._fill(clusters, neighbours, base, len(sizes))
            self._fold(groups, leftovers, base, sizes[0])
            self._make_room(groups, len(sizes), sizes[0])
            if not all_pairs and len(pool) > LARGE_ROUND:
                self._batch_search(groups, neighbours)
            elif not all_pairs:
                self._local_search(groups, neighbours, pool)
            total = 0  # only compared between attempts
            if attempts > 1:
                total = sum(self.w(a, b) for g in groups for a, b in itertools.combinations(g, 2))
            key = (-len(self.reasons), total)
            if best is None or _better(key, best[0]):
                best = (key, groups, self.reasons)
        assert best is not None
        self.reasons = best[2]
        groups = best[1]
        no_room = UnmatchedReason.NO_ROOM
        stranded = [x for x, why in self.reasons.items() if why is no_room and x not in excluded]
        if stranded and len(pool) <= EXACT_ROUND and not all_pairs:
            # The rules stranded someone in a round small enough to settle exactly: the best split
            # that places everyone, if there is one.
            exact = self._exact(pool, sizes)
            if exact is not None:
                groups = exact
                for x in stranded:
                    del self.reasons[x]
        return self._result(groups)

    def _exact(self, pool: list[int], sizes: list[int]) -> list[list[int]] | None:
        """The heaviest split of ``pool`` into groups of ``sizes`` that keeps every rule, or None.

        Depth first: the lowest unplaced member opens the next group, which is completed from the
        members after it without a forbidden pair (so each split is met once, and a rule prunes a
        whole branch at once). For rounds of at most :data:`EXACT_ROUND` members.
        """
        best: list[list[list[int]] | int | None] = [None, -1]
        forbidden, w = self.forbidden, self.w

        def complete(group: list[int], start: int, size: int, left: list[int]) -> Iterator[list[int]]:
            if len(group) == size:
                yield list(group)
                return
            for i in range(start, len(left)):
                m = left[i]
                if forbidden[m].isdisjoint(group):
                    group.append(m)
                    yield from complete(group, i + 1, size, left)
                    group.pop()

        def split(left: list[int], sizes_left: list[int], done: list[list[int]], total: int) -> None:
            if not left:
                if total > best[1]:  # type: ignore[operator]
                    best[0], best[1] = [list(g) for g in done], total
                return
            first, rest = left[0], left[1:]
            for size in sorted(set(sizes_left)):
                remaining_sizes = list(sizes_left)
                remaining_sizes.remove(size)
                for group in complete([first], 0, size, rest):
                    weight = sum(w(a, b) for a, b in itertools.combinations(group, 2))
                    taken = set(group)
                    others = [m for m in rest if m not in taken]
                    split(others, remaining_sizes, [*done, group], total + weight)

        split(sorted(pool), list(sizes), [], 0)
        found = best[0]
        return found if isinstance(found, list) else None

    def _edges(self, pool: list[int], neighbours: Sequence[list[int]]) -> list[Pair]:
        return sorted({(a, b) if a < b else (b, a) for a in pool for b in neighbours[a]})

    def _exclude_impossible(self) -> list[int]:
        """Drop members who cannot be grouped with anybody at all, with the reason."""
        if self.n == 1:
            self.reasons[0] = UnmatchedReason.ALONE
            return []
        pool = []
        for m in range(self.n):
            if len(self.forbidden[m]) >= self.n - 1:
                only_recent = self.recent[m] >= self.n - 1
                self.reasons[m] = UnmatchedReason.ALL_RECENT if only_recent else UnmatchedReason.NO_ROOM
            else:
                pool.append(m)
        return pool

    def _sampled_neighbours(self, pool: list[int], only: Iterable[int] | None = None) -> list[list[int]]:
        """Best few partners of each member (of ``only``, default all) among those its interests and
        city lead to."""
        rank, tags, place, weight_of = self.rank, self.tags, self.place, self.weight_of
        # Members of each interest and city in seeded order (filled in that order, so sorted).
        postings: dict[str, list[int]] = {}
        places: dict[Location, list[int]] = {}
        few = only is not None and len(pool) >= INDEXED_ROUND
        for m in sorted(pool, key=rank.__getitem__):
            if not few:
                for tag in tags[m]:
                    postings.setdefault(tag, []).append(m)
            if place[m] is not None:
                places.setdefault(place[m], []).append(m)
        if few:  # a few members of a large round: only their interests' lists, from numpy
            only = list(only or ())
            postings = self._ranked_postings(pool, {t for m in only for t in tags[m]})
        # Rarest first; one global order so each member's sort uses a C-level key.
        tag_order = {t: i for i, t in enumerate(sorted(postings, key=lambda t: (len(postings[t]), t)))}
        # Partners are ranked as single ints, weight * n + (n - 1 - rank): picking the best few
        # is an int sort.
        n = self.n
        by_priority = [0] * n
        for x, position in enumerate(rank):
            by_priority[n - 1 - position] = x
        priority = [n - 1 - position for position in rank]
        result: list[list[int]] = [[] for _ in range(n)]
        found: set[int] = set()
        city, cache = self.city, self.cache
        keys: list[int] = []
        no_city: frozenset[int] = frozenset()
        for m in pool if only is None else only:
            tags_m, place_m, rank_m = tags[m], place[m], rank[m]
            nearby = no_city if place_m is None else self._nearby_cities(city[m])
            found.clear()
            for tag in sorted(tags_m, key=tag_order.__getitem__):
                room = SCAN_PER_MEMBER - len(found)
                if room <= 0:
                    break
                _take_window(found, postings[tag], rank_m, room)
            if place_m is not None:
                _take_window(found, places[place_m], rank_m, SAME_PLACE_SCAN)
            found.discard(m)
            found -= self.forbidden[m]
            # Scored inline (this loop is most of a large round): w() without its call and cache.
            keys.clear()
            for o in found:
                value = sum(map(weight_of, tags_m & tags[o]))
                if city[o] in nearby:
                    value += _NEARBY_UNITS
                keys.append(value * n + priority[o])
            keys.sort(reverse=True)
            best = result[m]
            for key in keys[:NEIGHBOURS]:
                value, inverse = divmod(key, n)
                o = by_priority[inverse]
                best.append(o)
                cache[m * n + o if m < o else o * n + m] = value
        return result

    def _interest_arrays(self) -> tuple[Any, Any, Any]:
        """Every (member, interest) of the round as two arrays sorted by interest then member
        (interests numbered in name order), and each interest's weight; built once a round."""
        if self.arrays is None:
            np = _numpy()
            flat = list(itertools.chain.from_iterable(self.tags))
            names = sorted(set(flat))
            number = self.interest_number = {t: i for i, t in enumerate(names)}
            interest = np.fromiter(map(number.__getitem__, flat), dtype=np.int64, count=len(flat))
            owner = np.repeat(np.arange(self.n, dtype=np.int64), list(map(len, self.tags)))
            order = np.argsort(interest * self.n + owner)
            weight = np.fromiter(map(self.weight_of, names), dtype=np.int64, count=len(names))
            self.arrays = (interest[order], owner[order], weight)
        return self.arrays

    def _ranked_postings(self, pool: list[int], wanted: Iterable[str]) -> dict[str, list[int]]:
        """The members of ``pool`` listing each ``wanted`` interest, in seeded order."""
        np = _numpy()
        interest, owner, _ = self._interest_arrays()
        member = np.zeros(self.n, dtype=bool)
        member[pool] = True
        rank = np.array(self.rank, dtype=np.int64)
        wanted = sorted(wanted)
        numbers = np.array([self.interest_number[t] for t in wanted], dtype=np.int64)
        starts = np.searchsorted(interest, numbers).tolist()
        ends = np.searchsorted(interest, numbers, side="right").tolist()
        postings = {}
        for t, start, end in zip(wanted, starts, ends, strict=True):
            listing = owner[start:end]
            listing = listing[member[listing]]
            postings[t] = listing[np.argsort(rank[listing])].tolist()
        return postings

    def _indexed_neighbours(self, pool: list[int], sampled: bool = True) -> list[list[int]]:
        """Best partners of each member among everyone sharing one of its rarer interests, exactly.

        Interests are split by how many members of ``pool`` list them. The rarest, as many as keep
        the pairs of members listing one of them under ``PAIRS_PER_MEMBER`` per member, are
        *expanded*: every such pair is listed with the interest's weight, and a pair sharing several
        has them summed. The others (the common ones) are bits in a few 64-bit words per member,
        their shared weight read from 16-bit tables. So every listed pair is scored exactly
        (integers in ``_UNIT``) with the same-city bonus, all in numpy, and each member keeps its
        ``INDEXED_NEIGHBOURS`` best. A pair sharing only common interests is never listed: members
        left with few partners that way also get the sampled ones (:meth:`_sampled_neighbours`)
        unless ``sampled`` is False (the greedy's second passes: the fill completes their groups).
        A nearby (not same) city's bonus is added to the kept partners' weights, so the weights
        cached are exact.
        """
        np = _numpy()
        n = self.n
        interest, owner, weight = self._interest_arrays()
        member = np.zeros(n, dtype=bool)
        member[pool] = True
        inside = member[owner]
        interest, owner = interest[inside], owner[inside]
        df = np.bincount(interest, minlength=len(weight))
        # Interests listed at least twice, rarest first (ties by name), and the cut: the rarest
        # whose pairs fit the budget are expanded.
        shared = np.flatnonzero(df >= 2)
        shared = shared[np.argsort(df[shared] * len(weight) + shared, kind="stable")]
        pairs = np.cumsum(df[shared] * (df[shared] - 1))
        cut = int(np.searchsorted(pairs, PAIRS_PER_MEMBER * len(pool), side="right"))
        expanded = np.zeros(len(weight), dtype=bool)
        expanded[shared[:cut]] = True
        common = shared[cut:]
        # Common interests as bits: word j holds interests 64j..64j+63; tables[j, k] sums the weights
        # of the set bits of the 16-bit chunk k of word j (words are little-endian, read by chunk).
        bit = np.full(len(weight), -1, dtype=np.int64)
        bit[common] = np.arange(len(common))
        words = np.zeros((max(1, -(-len(common) // 64)), n), dtype="<u8")
        is_common = bit[interest] >= 0
        at = bit[interest[is_common]]
        np.bitwise_or.at(
            words, (at >> 6, owner[is_common]), np.left_shift(np.uint64(1), (at & 63).astype(np.uint64))
        )
        tables = np.zeros((len(words), 4, 1 << 16), dtype=np.int64)
        # Built by doubling, bits in increasing order: the values with bit b set add its weight to
        # those below 2**b (a chunk's unused bits are never set in the words).
        for i, t in enumerate(common.tolist()):
            table, b = tables[i >> 6, (i >> 4) & 3], i & 15
            table[1 << b : 2 << b] = table[: 1 << b] + int(weight[t])
        # Each (member, expanded interest) expands to the members after it in the interest's list:
        # every pair once, the smaller member first.
        keep = expanded[interest]
        interest, owner = interest[keep], owner[keep]
        result: list[list[int]] = [[] for _ in range(n)]
        if len(owner) >= 2:
            last = np.r_[interest[1:] != interest[:-1], True]
            ends = np.flatnonzero(last) + 1  # one past each interest's run
            end = np.repeat(ends, np.diff(np.r_[0, ends]))
            counts = end - np.arange(len(owner)) - 1
            total = int(counts.sum())
            before = np.cumsum(counts) - counts
            partner = np.arange(total, dtype=np.int64) + np.repeat(
                np.arange(1, len(owner) + 1) - before, counts
            )
            key = np.repeat(owner, counts) * n + owner[partner]
            w = np.repeat(weight[interest], counts)
            low = max(1, int(weight.max()).bit_length())
            if (n * n).bit_length() + low <= 63:
                packed = np.sort((key << low) | w)  # one sort of (pair, weight)
                key, w = packed >> low, packed & ((1 << low) - 1)
            else:
                order = np.argsort(key)
                key, w = key[order], w[order]
            firsts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
            score = np.add.reduceat(w, firsts) if len(firsts) else w[:0]
            key = key[firsts]
            a, b = key // n, key % n
            for j in range(len(words)):
                chunks = (words[j, a] & words[j, b]).view("<u2").reshape(-1, 4)
                for k in range(4):
                    score += tables[j, k][chunks[:, k]]
            city = np.array(self.city, dtype=np.int64)
            score += ((city[a] == city[b]) & (city[a] >= 0)) * _NEARBY_UNITS
            result = self._keep_best(a, b, score, result)
        few = [m for m in pool if len(result[m]) < INDEXED_NEIGHBOURS] if sampled else []
        if few:
            sampled = self._sampled_neighbours(pool, few)
            for m in few:
                merged = dict.fromkeys([*result[m], *sampled[m]])
                result[m] = self._best(m, merged, INDEXED_NEIGHBOURS)
        return result

    def _banned_keys(self) -> Any:
        """Every forbidden pair as a * n + b (both orders), sorted; built once a round."""
        if self.banned is None:
            n = self.n
            keys = sorted(x * n + y for x, ys in enumerate(self.forbidden) for y in ys)
            self.banned = _numpy().array(keys, dtype="int64")
        return self.banned

    def _keep_best(self, a: Any, b: Any, score: Any, result: list[list[int]]) -> list[list[int]]:
        """Each member's ``INDEXED_NEIGHBOURS`` best allowed partners among the scored pairs a < b
        (best first, then seeded rank), their weights cached."""
        np = _numpy()
        n = self.n
        # Only a member's partners close enough to its best to hold its INDEXED_NEIGHBOURS best are
        # ranked: a sort of them all was most of the time.
        firsts = np.flatnonzero(np.r_[True, a[1:] != a[:-1]])
        best_of = np.zeros(n, dtype=np.int64)
        best_of[a[firsts]] = np.maximum.reduceat(score, firsts)
        np.maximum.at(best_of, b, score)
        # Each pair's eighth of either member's best (0-7), and per member the highest eighth with
        # enough partners at or above it: INDEXED_NEIGHBOURS, plus those a rule may forbid.
        eighth_a = score * _LEVELS // (best_of[a] + 1)
        eighth_b = score * _LEVELS // (best_of[b] + 1)
        at_level = np.bincount(a * _LEVELS + eighth_a, minlength=n * _LEVELS)
        at_level += np.bincount(b * _LEVELS + eighth_b, minlength=n * _LEVELS)
        at_least = np.cumsum(at_level.reshape(n, _LEVELS)[:, ::-1], axis=1)[:, ::-1]
        need = INDEXED_NEIGHBOURS + np.fromiter(map(len, self.forbidden), dtype=np.int64, count=n)
        level = np.maximum((at_least >= need[:, None]).sum(axis=1) - 1, 0)
        # Both directions, each kept where it is near its member's best: each member ranks its own.
        for_a, for_b = eighth_a >= level[a], eighth_b >= level[b]
        a, b, score = (
            np.concatenate((a[for_a], b[for_b])),
            np.concatenate((b[for_a], a[for_b])),
            np.concatenate((score[for_a], score[for_b])),
        )
        if not len(a):
            return result
        # Best first within each member: one sort of (member, -score, rank) packed in an int64.
        rank = np.array(self.rank, dtype=np.int64)
        top = int(score.max())
        low, mid = (n - 1).bit_length(), (top + 1).bit_length()
        if low + mid + (n - 1).bit_length() <= 62:
            packed = np.sort((a << (mid + low)) | ((top - score) << low) | rank[b])
            a, score = packed >> (mid + low), top - ((packed >> low) & ((1 << mid) - 1))
            by_rank = np.empty(n, dtype=np.int64)
            by_rank[rank] = np.arange(n)
            b = by_rank[packed & ((1 << low) - 1)]
        else:
            order = np.lexsort((rank[b], -score, a))
            a, b, score = a[order], b[order], score[order]
        if any(self.forbidden):
            allowed = ~np.isin(a * n + b, self._banned_keys())
            a, b, score = a[allowed], b[allowed], score[allowed]
        firsts = np.flatnonzero(np.r_[True, a[1:] != a[:-1]])
        lengths = np.diff(np.r_[firsts, len(a)])
        position = np.arange(len(a)) - np.repeat(firsts, lengths)
        kept = position < INDEXED_NEIGHBOURS
        a, b, score = a[kept], b[kept], score[kept]
        # A nearby (not the same) city adds its bonus to the weight cached; rare, checked exactly.
        city = np.array(self.city, dtype=np.int64)
        latitude = np.array([self.cities[c][0] for c in range(len(self.cities))] + [1e9])
        ca, cb = city[a], city[b]
        maybe = (ca >= 0) & (cb >= 0) & (ca != cb) & (np.abs(latitude[ca] - latitude[cb]) <= _NEARBY_DEGREES)
        nearby_of = self._nearby_cities
        for i, x, y in zip(
            np.flatnonzero(maybe).tolist(), ca[maybe].tolist(), cb[maybe].tolist(), strict=True
        ):
            if y in nearby_of(x):
                score[i] += _NEARBY_UNITS
        keys = np.where(a < b, a * n + b, b * n + a)
        self.cache.update(zip(keys.tolist(), score.tolist(), strict=True))
        partners = b.tolist()
        bounds = np.r_[np.flatnonzero(np.r_[True, a[1:] != a[:-1]]), len(a)].tolist()
        owners = a[bounds[:-1]].tolist() if len(a) else []
        for m, lo, hi in zip(owners, bounds[:-1], bounds[1:], strict=True):
            result[m] = partners[lo:hi]
        return result

    def _dense_weights(self, pool: list[int]) -> Any:
        """Every pair's weight (n x n, in _UNIT) for the naive baseline: one float64 matrix
        product of the members' interests (integers below 2**53: exact) plus the nearby bonus."""
        np = _numpy()
        interest, owner, weight = self._interest_arrays()
        n = self.n
        listed = np.zeros((n, len(weight)), dtype=np.float64)
        listed[owner, interest] = 1.0
        weighted = listed * weight.astype(np.float64)
        city = np.array(self.city, dtype=np.int64)
        near = np.zeros((len(self.cities) + 1, len(self.cities) + 1), dtype=np.int64)  # last: none
        for c in range(len(self.cities)):
            near[c, list(self._nearby_cities(c))] = _NEARBY_UNITS
        dense = np.empty((n, n), dtype=np.int64)
        for low in range(0, n, 1024):
            high = min(n, low + 1024)
            dense[low:high] = np.rint(weighted[low:high] @ listed.T).astype(np.int64)
            dense[low:high] += near[city[low:high]][:, city]
        return dense

    def _dense_order(self, pool: list[int], busy: Any) -> Iterator[Pair]:
        """Every allowed pair of ``pool`` with a weight, heaviest first, then seeded rank, as
        :meth:`_heaviest_first` orders them. Read in chunks; a chunk skips the pairs with a member
        the greedy marked ``busy`` (it can take no more partners) before it starts."""
        np = _numpy()
        n, dense = self.n, self.dense
        priority = n - 1 - np.array(self.rank, dtype=np.int64)
        by_priority = np.empty(n, dtype=np.int64)
        by_priority[priority] = np.arange(n)
        members = np.array(sorted(pool), dtype=np.int64)
        if (int(dense.max()) * n * n).bit_length() > 62:
            raise ValueError("weights too large for the dense naive")
        keys = []
        for i, a in enumerate(members.tolist()):
            b = members[i + 1 :]
            w = dense[a, b]
            if self.forbidden[a]:
                w = np.where(np.isin(b, list(self.forbidden[a])), 0, w)
            b, w = b[w > 0], w[w > 0]
            keys.append((w * n + priority[a]) * n + priority[b])
        ordered = np.sort(np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64))[::-1]
        del keys
        for low in range(0, len(ordered), 1 << 20):
            chunk = ordered[low : low + (1 << 20)]
            yield from _free_pairs(by_priority[chunk // n % n], by_priority[chunk % n], busy)

    def _dense_addition(self, group: list[int], unplaced: _Unplaced) -> int | None:
        """_best_addition of the naive baseline, with every partner a candidate: the unplaced member
        adding the most weight (then the lowest seeded rank); if none adds weight, the best of the
        queue's window, then of every unplaced member."""
        np = _numpy()
        waiting = unplaced.remaining()
        if not waiting:
            return None
        ok = [x for x in waiting if self.allowed(x, group)]
        if not ok:
            return None
        gain = self.dense[np.ix_(ok, group)].sum(axis=1)
        top = int(gain.max())
        if top > 0:
            return min(
                (x for x, g in zip(ok, gain.tolist(), strict=True) if g == top), key=self.rank.__getitem__
            )
        window = [x for x in unplaced.window(_FILL_WINDOW) if self.allowed(x, group)]
        return min(window or ok, key=self.rank.__getitem__)

    def _all_pairs_neighbours(self, pool: list[int]) -> list[list[int]]:
        """Every allowed partner with a positive weight: the n^2 baseline."""
        result: list[list[int]] = [[] for _ in range(self.n)]
        for m in pool:
            result[m] = self._best(m, pool, keep=None)
        return result

    def _best(self, m: int, found: Iterable[int], keep: int | None = NEIGHBOURS) -> list[int]:
        banned, w, rank = self.forbidden[m], self.w, self.rank
        scored = [(-w(m, o), rank[o], o) for o in found if o != m and o not in banned]
        if keep is None:
            scored = [s for s in scored if s[0] < 0]
        scored.sort()
        return [o for _, _, o in scored[:keep]]

    def _greedy(
        self,
        pool: list[int],
        neighbours: Sequence[list[int]],
        base: int,
        count: int,
        noise: Mapping[Pair, float] | None = None,
        start: Sequence[list[int]] = (),
    ) -> list[list[int]]:
        """Merge clusters along the heaviest edges, up to ``count`` clusters of ``base``.

        ``noise`` (restarts on small rounds) scales each weight by up to 1.5 for the ordering
        only, so different near-best first choices get explored. ``start``: clusters (smaller than
        ``base``, of members of ``pool``) to grow instead of starting each member alone.
        """
        busy = None
        if self.dense is not None:
            busy = _numpy().zeros(self.n, dtype=bool)
            ordered: Iterable[Pair] = self._dense_order(pool, busy)
        elif noise is None:
            busy = _numpy().zeros(self.n, dtype=bool)
            ordered = _free_pairs(*self._heaviest_first(pool, neighbours), busy)
        else:
            w = self.w
            ordered = sorted(self._edges(pool, neighbours), key=lambda e: (-w(*e) * (1 + noise[e] / 2), e))
        rank = self.rank
        if base == 2:
            clusters = self._greedy_pairs(pool, ordered, count, busy)
        else:
            cluster: list[list[int]] = [[] for _ in range(self.n)]
            for m in pool:
                cluster[m] = [m]
            for c in start:
                c = list(c)
                for x in c:
                    cluster[x] = c
            ruled = any(self.forbidden)
            full = 0
            for a, b in ordered:
                ca, cb = cluster[a], cluster[b]
                if ca is cb or len(ca) + len(cb) > base:
                    continue
                merged_full = len(ca) + len(cb) == base
                if merged_full and full >= count:
                    continue
                if ruled and not all(self.allowed(x, cb) for x in ca):
                    continue
                ca.extend(cb)
                for x in cb:
                    cluster[x] = ca
                full += merged_full
                if busy is not None and merged_full:
                    busy[ca] = True
            clusters = list({id(cluster[m]): cluster[m] for m in pool}.values())
        return sorted(clusters, key=lambda c: (-len(c), min(map(rank.__getitem__, c))))

    def _regreedy(self, clusters: list[list[int]], base: int, count: int) -> list[list[int]]:
        """Run the greedy again on the members it left short of a full group, with candidate
        partners found among them only (their best were taken), until it forms no more groups.

        A member whose candidates all went to other groups would otherwise be completed from a
        short window by the fill; the naive greedy, which sees every pair, gives it its best
        partner still free. This finds that partner at the cost of a candidate search over the
        few members left (a tenth of the round, then a few percent).
        """
        rank = self.rank
        full = [c for c in clusters if len(c) == base]
        partial = [c for c in clusters if len(c) < base]
        for _ in range(_REGREEDY_ROUNDS):
            rest = sorted(x for c in partial for x in c)
            if len(rest) < 2 or len(full) >= count:
                break
            if len(rest) >= INDEXED_ROUND:
                neighbours = self._indexed_neighbours(rest, sampled=False)
            else:
                neighbours = self._sampled_neighbours(rest)
            grown = [c for c in partial if len(c) > 1]
            grown = self._greedy(rest, neighbours, base, count - len(full), start=grown)
            formed = [c for c in grown if len(c) == base]
            if not formed:
                break
            full.extend(formed)
            partial = [c for c in grown if len(c) < base]
        return sorted(full + partial, key=lambda c: (-len(c), min(map(rank.__getitem__, c))))

    def _greedy_pairs(
        self, pool: list[int], ordered: Iterable[Pair], count: int, busy: Any = None
    ) -> list[list[int]]:
        """_greedy for groups of two: take each edge whose ends are both still alone."""
        alone = [False] * self.n
        for m in pool:
            alone[m] = True
        forbidden = self.forbidden
        clusters: list[list[int]] = []
        for a, b in ordered:
            if alone[a] and alone[b] and b not in forbidden[a]:
                alone[a] = alone[b] = False
                if busy is not None:
                    busy[a] = busy[b] = True
                clusters.append([a, b])
                if len(clusters) == count:
                    break
        clusters.extend([m] for m in pool if alone[m])
        return clusters

    def _heaviest_first(self, pool: list[int], neighbours: Sequence[list[int]]) -> tuple[Any, Any]:
        """Every candidate pair once (two numpy arrays), by decreasing weight, then seeded rank.

        Sorted as single ints, (weight * n + (n - 1 - rank a)) * n + (n - 1 - rank b), a < b.
        """
        np = _numpy()
        n, rank = self.n, self.rank
        owners = np.repeat(np.array(pool, dtype=np.int64), [len(neighbours[a]) for a in pool])
        partners = np.fromiter(
            itertools.chain.from_iterable(neighbours[a] for a in pool), dtype=np.int64, count=len(owners)
        )
        if not len(owners):
            return owners, partners
        keys = np.unique(np.where(owners < partners, owners * n + partners, partners * n + owners))
        # Each key is a pair's key in the weight cache, which holds every partner's weight.
        weight = np.array(list(map(self.cache.__getitem__, keys.tolist())), dtype=np.int64)
        priority = n - 1 - np.array(rank, dtype=np.int64)
        a, b = keys // n, keys % n
        if (int(weight.max() + 1) * n * n).bit_length() <= 63:
            ordered = np.sort((weight * n + priority[a]) * n + priority[b])[::-1]
            by_priority = np.empty(n, dtype=np.int64)
            by_priority[priority] = np.arange(n)
            return by_priority[ordered // n % n], by_priority[ordered % n]
        order = np.lexsort((-priority[b], -priority[a], -weight))
        return a[order], b[order]

    def _fill(
        self, clusters: list[list[int]], neighbours: Sequence[list[int]], base: int, count: int
    ) -> tuple[list[list[int]], list[int]]:
        """Complete ``count`` groups of ``base``; return the groups and the members left over.

        Full clusters become groups as they are. The others are seeded from the largest
        remaining partial cluster and completed member by member (partial clusters may be
        broken up: two pairs cannot make a trio).
        """
        groups = [c for c in clusters if len(c) == base][:count]
        placed = {id(g) for g in groups}
        queue = [x for c in clusters if id(c) not in placed for x in c]
        cluster_of = {x: c for c in clusters for x in c}
        unplaced = _Unplaced(queue)
        while len(groups) < count and (first := unplaced.first()) is not None:
            group = [x for x in cluster_of[first] if x in unplaced][:base]
            if not all(self.allowed(x, group) for x in group):
                group = [first]
            unplaced.take(group)
            while len(group) < base:
                best = self._best_addition(group, unplaced, neighbours)
                if best is None:
                    break
                unplaced.take([best])
                group.append(best)
            groups.append(group)
        return groups, unplaced.remaining()

    def _best_addition(
        self, group: list[int], unplaced: _Unplaced, neighbours: Sequence[list[int]]
    ) -> int | None:
        """The unplaced member adding the most weight to ``group`` without breaking a rule.

        Looks at the group's candidate partners and a window of the queue first; scans every
        unplaced member only when none of those fits (tightly constrained rounds).
        """
        if self.dense is not None:
            return self._dense_addition(group, unplaced)
        nearby = (x for g in group for x in neighbours[g] if x in unplaced)
        options = itertools.chain(nearby, unplaced.window(_FILL_WINDOW))
        for candidates in (options, unplaced.window(None)):
            best, best_key = None, None
            for x in candidates:
                if not self.allowed(x, group):
                    continue
                key = (self.w_to(x, group), -self.rank[x])
                if best_key is None or key > best_key:
                    best, best_key = x, key
            if best is not None:
                return best
        return None

    def _fold(self, groups: list[list[int]], leftovers: list[int], base: int, largest: int) -> None:
        """Put each leftover in the group it adds most to; no group grows beyond ``largest``."""
        for x in leftovers:
            options = [g for g in groups if len(g) < largest and self.allowed(x, g)]
            if not options:
                self.reasons[x] = UnmatchedReason.NO_ROOM
                continue
            # Groups left short by the rules first, then the weight x adds, then a seeded tie-break.
            best = max(options, key=lambda g: (len(g) < base, self.w_to(x, g), -self.rank[g[0]]))
            best.append(x)
        for g in groups:
            if len(g) == 1:
                self.reasons[g[0]] = UnmatchedReason.NO_ROOM
                g.clear()
        groups[:] = [g for g in groups if g]

    def _make_room(self, groups: list[list[int]], count: int, largest: int) -> None:
        """Place members the fold could not, by moving others aside (an ejection chain).

        Rules (recent pairs, blocks) make the greedy fill strand members that a split keeping every
        rule would place. A stranded ``x`` joins a group with room, or takes the place of a member
        ``y`` of a group it may join without ``y``, and ``y`` is placed the same way (two moves
        deep), or two stranded members start a group of their own while the round has fewer groups
        than its sizes call for. The search is bounded (:data:`_ROOM_TRIES`), so a large round never
        pays more than a few milliseconds for it.
        """
        stranded = sorted(
            (x for x, reason in self.reasons.items() if reason is UnmatchedReason.NO_ROOM),
            key=self.rank.__getitem__,
        )
        if not stranded:
            return
        waiting = set(stranded)
        budget = [_ROOM_TRIES]
        for x in stranded:
            if x not in waiting:
                continue  # placed beside another stranded member
            waiting.discard(x)
            if self._place(x, groups, count, largest, waiting, 2, budget):
                del self.reasons[x]
            else:
                waiting.add(x)

    def _place(
        self,
        x: int,
        groups: list[list[int]],
        count: int,
        largest: int,
        waiting: set[int],
        depth: int,
        budget: list[int],
    ) -> bool:
        """Put ``x`` in a group, moving up to ``depth`` members aside; False (nothing changed) if
        no such chain was found within the budget."""
        roomy = [h for h in groups if len(h) < largest and self.allowed(x, h)]
        if roomy:
            max(roomy, key=lambda h: (len(h) < self.size, self.w_to(x, h))).append(x)
            return True
        if len(groups) < count:
            partners = [z for z in waiting if z != x and z not in self.forbidden[x]]
            if partners:
                z = max(partners, key=lambda z: (self.w(x, z), -self.rank[z]))
                groups.append([x, z])
                waiting.discard(z)
                self.reasons.pop(z, None)
                return True
        if depth == 0:
            return False
        for g in groups:
            for y in list(g):
                budget[0] -= 1
                if budget[0] < 0:
                    return False
                if not self.allowed(x, [m for m in g if m != y]):
                    continue
                g[g.index(y)] = x
                if self._place(y, groups, count, largest, waiting, depth - 1, budget):
                    return True
                g[g.index(x)] = y
        return False

    def _pair_weights(self, u: Any, v: Any) -> Any:
        """Weights of the pairs ``u[i], v[i]`` (numpy arrays), exactly as :meth:`w` gives them.

        Each interest of the member listing fewer is looked up in the other's bits (one bit per
        interest of the round), its weight added when set.
        """
        np = _numpy()
        if self.bits is None:
            interest, owner, weight = self._interest_arrays()
            none = len(weight)  # pads the lists: weight 0, never set
            bits = np.zeros((self.n, none // 64 + 1), dtype=np.uint64)
            np.bitwise_or.at(bits, (owner, interest >> 6), np.uint64(1) << (interest & 63).astype(np.uint64))
            counts = np.bincount(owner, minlength=self.n)
            lists = np.full((self.n, max(1, int(counts.max()))), none, dtype=np.int64)
            order = np.argsort(owner, kind="stable")
            starts = np.cumsum(counts) - counts
            lists[owner[order], np.arange(len(owner)) - np.repeat(starts, counts)] = interest[order]
            # Per listed interest: its word among the member's bits, its bit, its weight.
            self.bits = (bits.ravel(), bits.shape[1], lists >> 6, (lists & 63).astype(np.uint64))
            self.bits += (np.r_[weight, 0][lists], counts)
        flat, words, word_of, bit_of, weight_of, counts = self.bits
        fewer = counts[u] <= counts[v]
        u, v = np.where(fewer, u, v), np.where(fewer, v, u)
        out = np.zeros(len(u), dtype=np.int64)
        for low in range(0, len(u), _PAIR_CHUNK):
            cu, cv = u[low : low + _PAIR_CHUNK], v[low : low + _PAIR_CHUNK]
            if not len(cu):
                break
            width = int(counts[cu].max())
            at = (cv * words)[:, None] + word_of[cu, :width]
            hit = (flat[at] >> bit_of[cu, :width]) & np.uint64(1)
            out[low : low + _PAIR_CHUNK] = (hit.view(np.int64) * weight_of[cu, :width]).sum(axis=1)
        city = np.array(self.city, dtype=np.int64)
        cu, cv = city[u], city[v]
        located = (cu >= 0) & (cv >= 0)
        out[located & (cu == cv)] += _NEARBY_UNITS
        latitude = np.array([c[0] for c in self.cities] + [0.0])
        maybe = located & (cu != cv) & (np.abs(latitude[cu] - latitude[cv]) <= _NEARBY_DEGREES)
        nearby_of = self._nearby_cities
        for i, x, y in zip(
            np.flatnonzero(maybe).tolist(), cu[maybe].tolist(), cv[maybe].tolist(), strict=True
        ):
            if y in nearby_of(x):
                out[i] += _NEARBY_UNITS
        return out

    def _batch_search(self, groups: list[list[int]], neighbours: Sequence[list[int]]) -> None:
        """Local search for large rounds, in numpy: swaps of two members between groups of the base
        size, each round evaluating at once every swap that puts a member with one of its
        ``SEARCH_NEIGHBOURS`` best partners, then making the best improving ones that touch
        different groups; up to ``BATCH_ROUNDS`` rounds, while some swap gains."""
        np = _numpy()
        n = self.n
        base = min(map(len, groups), default=0)
        rows = [g for g in groups if len(g) == base]
        if base < 2 or len(rows) < 2:
            return
        table = np.array(rows, dtype=np.int64)  # one row per group; rows[i] is updated with it
        group = np.full(n, -1, dtype=np.int64)
        group[table.ravel()] = np.repeat(np.arange(len(table)), base)
        members = table.ravel()
        best = np.full((n, SEARCH_NEIGHBOURS), -1, dtype=np.int64)
        for m in members.tolist():
            found = neighbours[m][:SEARCH_NEIGHBOURS]
            best[m, : len(found)] = found
        rank = np.array(self.rank, dtype=np.int64)
        banned = self._banned_keys() if any(self.forbidden) else None
        first, second = np.triu_indices(base, 1)
        # Groups whose swaps are evaluated: at first all, then those a swap changed or that an
        # improving swap could not change (it touched a group already changed).
        dirty = np.ones(len(table), dtype=bool)
        for _ in range(BATCH_ROUNDS):
            # Each member's weight with its group.
            inner = self._pair_weights(table[:, first].ravel(), table[:, second].ravel())
            stay = np.bincount(table[:, first].ravel(), weights=inner, minlength=n) + np.bincount(
                table[:, second].ravel(), weights=inner, minlength=n
            )
            stay = stay.astype(np.int64)
            # Swaps: a (in group ga) with each member x != b of group gb, b one of a's best partners.
            a = np.repeat(members, SEARCH_NEIGHBOURS)
            b = best[members].ravel()
            a, b = a[b >= 0], b[b >= 0]
            ga, gb = group[a], group[b]
            apart = (gb >= 0) & (ga != gb) & (dirty[ga] | dirty[np.maximum(gb, 0)])
            a, ga, gb, b = a[apart], ga[apart], gb[apart], b[apart]
            x = table[gb].ravel()
            a, ga, gb, b = (np.repeat(z, base) for z in (a, ga, gb, b))
            other = x != b
            a, ga, gb, x = a[other], ga[other], gb[other], x[other]
            key = np.unique(a * n + x)  # a swap found through two partners once
            a, x = key // n, key % n
            ga, gb = group[a], group[x]
            # a joins gb without x, x joins ga without a.
            to_b, to_a = table[gb], table[ga]
            keep_b, keep_a = to_b != x[:, None], to_a != a[:, None]
            u = np.concatenate((np.repeat(a, base - 1), np.repeat(x, base - 1)))
            v = np.concatenate((to_b[keep_b], to_a[keep_a]))
            links = self._pair_weights(u, v).reshape(2, len(a), base - 1).sum(axis=(0, 2))
            gain = links - stay[a] - stay[x]
            if banned is not None:
                ruled = np.isin(u * n + v, banned).reshape(2, len(a), base - 1).any(axis=(0, 2))
                gain[ruled] = 0
            good = np.flatnonzero(gain > 0)
            if not len(good):
                break
            order = good[np.lexsort((rank[x[good]], rank[a[good]], -gain[good]))]
            used = set()
            dirty[:] = False
            listed = table.tolist()
            for a_, x_, ga_, gb_ in zip(
                a[order].tolist(), x[order].tolist(), ga[order].tolist(), gb[order].tolist(), strict=True
            ):
                dirty[ga_] = dirty[gb_] = True
                if ga_ in used or gb_ in used:
                    continue
                used.add(ga_)
                used.add(gb_)
                row_a, row_b = listed[ga_], listed[gb_]
                row_a[row_a.index(a_)] = x_
                row_b[row_b.index(x_)] = a_
            table = np.array(listed, dtype=np.int64)
            group[table.ravel()] = np.repeat(np.arange(len(table)), base)
        for row, members_now in zip(rows, table.tolist(), strict=True):
            row[:] = members_now

    def _local_search(
        self, groups: list[list[int]], neighbours: Sequence[list[int]], pool: list[int]
    ) -> None:
        """Swap members between groups (sizes kept) while that increases the total weight."""
        where: list[list[int]] = [[] for _ in range(self.n)]  # member -> its group ([]: none)
        for g in groups:
            for x in g:
                where[x] = g
        order = sorted((x for g in groups for x in g), key=self.rank.__getitem__)
        small = len(order) <= SMALL_ROUND
        for _ in range(LOCAL_SEARCH_PASSES):
            improved = False
            for a in order:
                # Small rounds afford the whole swap neighbourhood; large ones the best partners.
                for b in order if small else neighbours[a][:SEARCH_NEIGHBOURS]:
                    ga, gb = where[a], where[b]
                    if not gb or ga is gb:
                        continue
                    if (
                        self._try_move(a, ga, gb, where)
                        or self._try_swap(a, ga, b, gb, where)
                        or (small and self._try_shift(a, ga, gb, groups, where))
                    ):
                        improved = True
                        break
            if not improved:
                break

    def _try_swap(self, a: int, ga: list[int], b: int, gb: list[int], where: list[list[int]]) -> bool:
        """Swap ``a`` with the member of ``b``'s group whose exchange gains the most."""
        if len(ga) == 2 and len(gb) == 2:
            return self._try_swap_pairs(a, ga, b, gb, where)
        if len(ga) == 3 and len(gb) == 3:
            return self._try_swap_trios(a, ga, b, gb, where)
        w_to, banned_a = self.w_to, self.forbidden[a]
        stay_a = w_to(a, ga)
        rest_a = [y for y in ga if y != a]
        best_gain, best_x = 0, None
        for x in gb:
            if x == b:
                continue
            if banned_a and any(y != x and y in banned_a for y in gb):
                continue
            if not self.forbidden[x].isdisjoint(rest_a):
                continue
            gain = w_to(a, gb, x) + w_to(x, rest_a) - stay_a - w_to(x, gb)
            if gain > best_gain:
                best_gain, best_x = gain, x
        if best_x is None:
            return False
        ga[ga.index(a)] = best_x
        gb[gb.index(best_x)] = a
        where[a], where[best_x] = gb, ga
        return True

    def _try_swap_pairs(self, a: int, ga: list[int], b: int, gb: list[int], where: list[list[int]]) -> bool:
        """_try_swap for two pairs (most of a round of pairs): a-a', b-x become a-b, a'-x."""
        partner = ga[1] if ga[0] == a else ga[0]
        x = gb[1] if gb[0] == b else gb[0]
        if b in self.forbidden[a] or x in self.forbidden[partner]:
            return False
        w = self.w
        if w(a, b) + w(x, partner) - w(a, partner) - w(x, b) <= 0:
            return False
        ga[ga.index(a)] = x
        gb[gb.index(x)] = a
        where[a], where[x] = gb, ga
        return True

    def _try_swap_trios(self, a: int, ga: list[int], b: int, gb: list[int], where: list[list[int]]) -> bool:
        """_try_swap for two trios: a joins b and y, the member x of b's trio it replaces joins a's."""
        w, forbidden = self.w, self.forbidden
        a1, a2 = (y for y in ga if y != a)
        x1, x2 = (y for y in gb if y != b)
        banned_a = forbidden[a]
        if b in banned_a:
            return False
        stay_a, with_b = w(a, a1) + w(a, a2), w(a, b)
        best_gain, best_x = 0, -1
        for x, y in ((x1, x2), (x2, x1)):
            if y in banned_a or a1 in forbidden[x] or a2 in forbidden[x]:
                continue
            gain = with_b + w(a, y) + w(x, a1) + w(x, a2) - stay_a - w(x, b) - w(x, y)
            if gain > best_gain:
                best_gain, best_x = gain, x
        if best_x < 0:
            return False
        ga[ga.index(a)] = best_x
        gb[gb.index(best_x)] = a
        where[a], where[best_x] = gb, ga
        return True

    def _try_shift(
        self, a: int, ga: list[int], gb: list[int], groups: list[list[int]], where: list[list[int]]
    ) -> bool:
        """Move ``a`` to an equal-sized group and refill its place from a larger group.

        A chain of two moves that keeps the sizes: it moves which group holds the folded
        member, which neither a swap nor a single move can do without a step that gains 0.
        """
        if len(ga) != len(gb) or not self.allowed(a, gb):
            return False
        rest_a = [y for y in ga if y != a]
        gain_a = self.w_to(a, gb) - self.w_to(a, rest_a)
        best_gain, best = 0, None
        for gc in groups:
            if len(gc) != len(ga) + 1 or gc is gb:
                continue
            for y in gc:
                if not self.allowed(y, rest_a):
                    continue
                gain = gain_a + self.w_to(y, rest_a) - self.w_to(y, gc)
                if gain > best_gain:
                    best_gain, best = gain, (y, gc)
        if best is None:
            return False
        y, gc = best
        ga.remove(a)
        gb.append(a)
        gc.remove(y)
        ga.append(y)
        where[a], where[y] = gb, ga
        return True

    def _try_move(self, a: int, ga: list[int], gb: list[int], where: list[list[int]]) -> bool:
        """Move ``a`` from a larger group to one a member smaller: the sizes stay a valid split."""
        if len(ga) != len(gb) + 1 or len(ga) <= 2 or not self.allowed(a, gb):
            return False
        if self.w_to(a, gb) - self.w_to(a, ga) <= 0:
            return False
        ga.remove(a)
        gb.append(a)
        where[a] = gb
        return True

    # -- output --------------------------------------------------------------------------------

    def _result(self, groups: list[list[int]]) -> PairingResult:
        ids = self.ids
        if self.arrays is not None and len(groups) > 1:
            shared = self._shared_by_group(groups)
            out = [Group(tuple(sorted(ids[x] for x in g)), s) for g, s in zip(groups, shared, strict=True)]
        else:
            out = [Group(tuple(sorted(ids[x] for x in g)), self._shared(g)) for g in groups]
        out.sort(key=lambda g: g.member_ids)
        reasons = {ids[x]: reason for x, reason in self.reasons.items()}
        return PairingResult(out, sorted(reasons), reasons)

    def _shared_by_group(self, groups: list[list[int]]) -> list[tuple[str, ...]]:
        """:meth:`_shared` of every group at once, in numpy: the (group, interest) pairs listed twice
        or more, by group, then contribution (the same float products), then name (interests are
        numbered in name order)."""
        np = _numpy()
        interest, owner, _ = self._interest_arrays()
        names = sorted(self.interest_number, key=self.interest_number.__getitem__)
        group = np.full(self.n, -1, dtype=np.int64)
        for i, g in enumerate(groups):
            group[g] = i
        placed = group[owner] >= 0
        values, counts = np.unique(group[owner[placed]] * len(names) + interest[placed], return_counts=True)
        twice = counts >= 2
        values, counts = values[twice], counts[twice]
        g, t = values // len(names), values % len(names)
        weight = np.array([self.weights.get(name, 1.0) for name in names], dtype=np.float64)
        contribution = weight[t] * (counts * (counts - 1) // 2).astype(np.float64)
        order = np.lexsort((t, -contribution, g))
        found: list[list[str]] = [[] for _ in groups]
        for at, tag in zip(g[order].tolist(), t[order].tolist(), strict=True):
            found[at].append(names[tag])
        return [tuple(f) for f in found]

    def _shared(self, group: Sequence[int]) -> tuple[str, ...]:
        """Interests at least two members list, by what they add to the group's weight."""
        counts: dict[str, int] = {}
        for m in group:
            for tag in self.tags[m]:
                counts[tag] = counts.get(tag, 0) + 1
        contribution = {t: self.weights.get(t, 1.0) * math.comb(c, 2) for t, c in counts.items() if c >= 2}
        return tuple(sorted(contribution, key=lambda t: (-contribution[t], t)))


def _better(key: tuple[int, int], than: tuple[int, int]) -> bool:
    """Fewer unmatched first, then a heavier total."""
    return key > than


class _Units(dict[str, int]):
    """Weights in _UNIT, 1.0 for a tag missing from a caller-supplied table (minimum idf)."""

    def __missing__(self, key: str) -> int:
        return _UNIT


class _Unplaced:
    """Members not yet in a group, in seeding order, with O(1) removal."""

    def __init__(self, queue: list[int]) -> None:
        self.queue = queue
        self.waiting = set(queue)
        self.cursor = 0

    def __contains__(self, member: int) -> bool:
        return member in self.waiting

    def first(self) -> int | None:
        while self.cursor < len(self.queue) and self.queue[self.cursor] not in self.waiting:
            self.cursor += 1
        return self.queue[self.cursor] if self.cursor < len(self.queue) else None

    def take(self, members: Iterable[int]) -> None:
        self.waiting.difference_update(members)

    def window(self, count: int | None) -> Iterator[int]:
        self.first()
        alive = (x for x in itertools.islice(self.queue, self.cursor, None) if x in self.waiting)
        return alive if count is None else itertools.islice(alive, count)

    def remaining(self) -> list[int]:
        return [x for x in self.queue if x in self.waiting]


def _free_pairs(a: Any, b: Any, busy: Any) -> Iterator[Pair]:
    """The pairs ``a[i], b[i]`` in order, read in chunks: a chunk skips the pairs with a member the
    consumer marked ``busy`` (it takes no more partners) by the time the chunk is read."""
    for low in range(0, len(a), _EDGE_CHUNK):
        x, y = a[low : low + _EDGE_CHUNK], b[low : low + _EDGE_CHUNK]
        free = ~(busy[x] | busy[y])
        yield from zip(x[free].tolist(), y[free].tolist(), strict=True)


def _take_window(found: set[int], members: list[int], start: int, count: int) -> None:
    """Add ``count`` of ``members`` to ``found`` from a member-specific offset, wrapping around."""
    size = len(members)
    if size <= count:
        found.update(members)
        return
    offset = start % size
    found.update(members[offset : offset + count])
    if offset + count > size:
        found.update(members[: offset + count - size])
