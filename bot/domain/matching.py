"""Shared-interest matching for ``/match``: who in this server shares what with the asker.

Scoring. A member's score is the sum of the inverse-document-frequency weights of the interests
they share with the asker, computed over this server's profiles::

    weight(tag) = ln((N + 1) / (df(tag) + 1)) + 1

where ``N`` is the number of profiles in the index and ``df`` the number listing the tag. The
``+ 1`` smoothing keeps every weight at least 1 (an interest everyone lists still counts) and
finite for tags nobody else has. Weights of one member are added in decreasing-weight order, so
two members sharing the same multiset of weights get bit-identical scores and tie exactly.

Ranking. Higher score first; among equal scores the nearer member first when both the asker and
the member gave a city (geodesic distance on WGS-84, ``geopy.distance.geodesic``), members
without a city after those with one; then the more recently active; then the smaller id, so
the order is total and repeatable.

Speed. Geodesic distance costs about 0.1 ms a call in geopy, so the index never computes it for
more than a handful of locations: the spherical (haversine) distance is within
``_HAVERSINE_SLACK`` of the geodesic one everywhere on Earth, which lets it serve as a cheap
bound that decides every case it can and leaves only the close calls to ``geodesic``. The
ordering is always by geodesic distance. Coordinates are city-level (never a street address),
so members cluster on few distinct locations; the index numbers them and measures each once.

Discoverability is the caller's business: put only discoverable members in the index. The
asker may be passed as a :class:`Candidate` so a member who hid themselves can still search.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import logging
import math
import sys
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from geographiclib.geodesic import Geodesic
from geopy.distance import geodesic

from bot.domain.errors import UserError

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 10
EARTH_RADIUS_KM = 6371.0088
# Haversine on the mean sphere is within 0.56 % of the WGS-84 geodesic distance for any pair of
# points (measured over random, near and antipodal pairs); 1 % leaves a wide margin.
_HAVERSINE_SLACK = 0.01
_BAND = (1 + _HAVERSINE_SLACK) / (1 - _HAVERSINE_SLACK)
# A degree of latitude is at least this long on WGS-84 (at the equator), so a latitude gap
# bounds the geodesic distance from below.
_MIN_KM_PER_DEGREE_LATITUDE = 110.5
Location = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One member's matchable profile: what they like, roughly where, and when last seen."""

    member_id: int
    interests: frozenset[str]
    lat: float | None = None
    lon: float | None = None
    last_active: int = 0

    @property
    def location(self) -> Location | None:
        if self.lat is None or self.lon is None:
            return None
        return (self.lat, self.lon)


@dataclass(frozen=True, slots=True)
class Match:
    """A ranked member with what they share with the asker, rarest first."""

    member_id: int
    score: float
    shared: tuple[str, ...]
    distance_km: float | None
    last_active: int

    @property
    def approx_distance(self) -> str | None:
        return None if self.distance_km is None else approx_km(self.distance_km)


@dataclass(frozen=True, slots=True)
class MatchAnswer:
    """What /match found, with what was asked (the canonical tag, the radius)."""

    matches: list[Match]
    interest: str | None
    within_km: float | None
    asker_has_city: bool


def idf(document_frequency: int, population: int) -> float:
    """Smoothed inverse document frequency: rarer interests weigh more, none weighs under 1."""
    return math.log((population + 1) / (document_frequency + 1)) + 1.0


def approx_km(distance_km: float) -> str:
    """Distance rounded coarsely so nobody's exact position can be triangulated.

    Under 10 km to the nearest km (never below ``~1 km``: "less than one" pins a person too
    well), under 100 km to the nearest 5 km, beyond that to the nearest 10 km.
    """
    if distance_km < 9.5:
        shown = max(1, round(distance_km))
    elif distance_km < 97.5:
        shown = max(10, 5 * round(distance_km / 5))
    else:
        shown = max(100, 10 * round(distance_km / 10))
    return f"~{shown:,} km"


def haversine_km(a: Location, b: Location) -> float:
    """Great-circle distance on the mean sphere: a cheap bound for the geodesic distance."""
    lat1, lon1 = math.radians(a[0]), math.radians(a[1])
    lat2, lon2 = math.radians(b[0]), math.radians(b[1])
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


# One instance for every distance: geopy builds the ellipsoid's series coefficients on the
# instance's first measure, about a third of the cost of a fresh ``geodesic(a, b)`` call.
_GEODESIC = geodesic()
# geopy's measure is Karney's Inverse on this ellipsoid (distance only) after parsing both points
# into ``Point`` objects, which leaves in-range coordinates unchanged and costs more than the
# Inverse itself: calling the same Inverse directly gives the same float in 40 % of the time.
_KARNEY = Geodesic(_GEODESIC.ELLIPSOID[0], _GEODESIC.ELLIPSOID[2])


def geodesic_km(a: Location, b: Location) -> float:
    """The distance the product promises (WGS-84 geodesic), exactly ``geodesic(a, b).km``."""
    if -90 <= a[0] <= 90 and -90 <= b[0] <= 90 and -180 <= a[1] <= 180 and -180 <= b[1] <= 180:
        return float(_KARNEY.Inverse(a[0], a[1], b[0], b[1], Geodesic.DISTANCE)["s12"])
    return float(_GEODESIC.measure(a, b))  # geopy normalises (or refuses) out-of-range points


@functools.lru_cache(maxsize=8192)
def _geodesic_between(a: Location, b: Location) -> float:
    """:func:`geodesic_km`, remembered: members' cities are city-level, so the same few pairs of
    cities come back query after query (a pair is about 0.1 ms to measure, its entry 0.2 KB)."""
    return geodesic_km(a, b)


def _check_query(asker: Candidate, interest: str | None, within_km: float | None) -> None:
    """Refuse queries that cannot be answered, with what to type instead."""
    if within_km is not None:
        if not math.isfinite(within_km) or within_km <= 0:
            raise UserError("`within_km` must be a positive number of kilometres.", "/match within_km:50")
        if asker.location is None:
            raise UserError(
                "I need your city to measure distances: add one with `/intro`, then search again.",
                "/match within_km:50",
            )
    if interest is None and not asker.interests:
        raise UserError(
            "You have no interests yet: add some with `/intro`, or name one to search for.",
            "/match interest:boardgames",
        )


def _rank_key(m: Match) -> tuple[float, float, int, int]:
    distance = math.inf if m.distance_km is None else m.distance_km
    return (-m.score, distance, -m.last_active, m.member_id)


class _Query(NamedTuple):
    """A /match query as the index ranks it: ``terms`` are (weight, tag), rarest first."""

    asker: Candidate
    terms: list[tuple[float, str]]
    interest: str | None
    within_km: float | None
    wanted: int  # limit + slack
    distances: dict[int, float]  # geodesic km from the asker per city number, filled as needed


_Ranked = list[tuple[float, float, int, int, int]]
"""Candidates as (-score, km, -last active, member id, slot), best first."""


class InterestIndex:
    """One server's profiles in compact arrays, with an inverted index interest -> members.

    Memory. Each member holds a *slot*, a small integer reused after removal so slots stay dense.
    Everything per member is a column indexed by slot in a typed ``array`` (id, last activity,
    city number) plus the member's interest numbers packed in one ``bytes``; each interest's
    members are an ``array`` of 32-bit slots; member ids are found by bisection in a sorted
    ``array``. No set, dict entry or boxed integer per member: about 14 MiB per 100,000
    profiles with a dozen interests each, where sets of slots took 88 MiB.

    Speed. A query adds each shared interest's weight to a score per slot with numpy
    (``np.add.at`` over the interest's slots, in C, the interests in the same order as
    :func:`rank_naive` adds them, so scores are bit-identical), then picks the top ``limit``
    with a partial sort; only the class tied at the cut is ordered by distance and activity.
    Up to ``FULL_SORT_UP_TO`` candidates (a small server) are simply sorted in full: the same
    order, without the selection's fixed cost. numpy is imported with the first index, so a bot
    whose servers never ask pays nothing.
    """

    PLAIN_UP_TO = 256
    """A query whose interests list at most this many members in all is scored in plain Python:
    numpy's fixed cost per call (a dozen calls) is more than the loop below this."""

    FULL_SORT_UP_TO = 64
    """Candidates (members sharing something) sorted in full rather than selected: below it the
    selection's fixed cost (0.15–0.3 ms) is most of a query; above it sorting every candidate,
    each with its distance, costs more."""

    def __init__(self, candidates: Iterable[Candidate] = ()) -> None:
        self._tag_number: dict[str, int] = {}  # interest -> number
        self._tag_names: list[str] = []  # number -> interest
        self._postings: list[array[int]] = []  # interest number -> slots of its members
        self._place_number: dict[Location, int] = {}  # city -> number
        self._places: list[Location] = []  # number -> city
        self._place_lat = array("d")
        self._place_lon = array("d")
        self._member = array("q")  # slot -> member id (0 for a free slot)
        self._active = array("q")  # slot -> last activity
        self._place = array("i")  # slot -> city number, -1 for none
        self._tags: list[bytes] = []  # slot -> its interest numbers, packed int32
        self._free: list[int] = []
        self._ids = array("q")  # member ids, sorted
        self._slots = array("i")  # the slot of each of _ids
        self._bulk_load(candidates)

    def _bulk_load(self, candidates: Iterable[Candidate]) -> None:
        latest = {c.member_id: c for c in candidates}
        number, postings = self._tag_number, self._postings
        for slot, member_id in enumerate(sorted(latest)):
            c = latest[member_id]
            tags = array("i")
            for tag in c.interests:
                t = number.get(tag)
                if t is None:
                    t = number[tag] = len(self._tag_names)
                    self._tag_names.append(tag)
                    postings.append(array("i"))
                postings[t].append(slot)
                tags.append(t)
            self._tags.append(array("i", sorted(tags)).tobytes())
            self._member.append(member_id)
            self._active.append(c.last_active)
            self._place.append(self._place_of(c.location))
            self._ids.append(member_id)
            self._slots.append(slot)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, member_id: object) -> bool:
        return isinstance(member_id, int) and self._slot_of(member_id) is not None

    def _slot_of(self, member_id: int) -> int | None:
        i = bisect.bisect_left(self._ids, member_id)
        if i < len(self._ids) and self._ids[i] == member_id:
            return self._slots[i]
        return None

    def _tag_numbers(self, slot: int) -> memoryview:
        return memoryview(self._tags[slot]).cast("i")

    def get(self, member_id: int) -> Candidate | None:
        slot = self._slot_of(member_id)
        if slot is None:
            return None
        names = self._tag_names
        at = self._place[slot]
        lat, lon = self._places[at] if at >= 0 else (None, None)
        interests = frozenset(names[t] for t in self._tag_numbers(slot))
        return Candidate(member_id, interests, lat, lon, self._active[slot])

    def document_frequency(self, tag: str) -> int:
        t = self._tag_number.get(tag)
        return 0 if t is None else len(self._postings[t])

    def weight(self, tag: str) -> float:
        """Weight of a tag in this server right now (it moves as profiles come and go)."""
        return idf(self.document_frequency(tag), len(self))

    def weights(self) -> dict[str, float]:
        """Every known tag's weight, e.g. to score pairing rounds with the server's rarities."""
        n = len(self)
        return {tag: idf(len(p), n) for tag, p in zip(self._tag_names, self._postings, strict=True) if p}

    def nbytes(self) -> int:
        """The index's own memory, roughly: its arrays, packed interests and tables."""
        arrays = [*self._postings, self._member, self._active, self._place, self._ids, self._slots]
        return (
            sum(a.buffer_info()[1] * a.itemsize + 64 for a in arrays)
            + sum(sys.getsizeof(b) for b in self._tags)
            + sys.getsizeof(self._tags)
            + sum(sys.getsizeof(t) + 100 for t in self._tag_names)
        )

    def upsert(self, candidate: Candidate) -> None:
        """Add a profile or replace the stored one; only the differences touch the index."""
        slot = self._slot_of(candidate.member_id)
        old: set[int] = set()
        if slot is None:
            slot = self._take_slot(candidate.member_id)
        else:
            old = set(self._tag_numbers(slot))
        new = {self._tag_of(tag) for tag in candidate.interests}
        for t in old - new:
            self._postings[t].remove(slot)
        for t in new - old:
            self._postings[t].append(slot)
        self._tags[slot] = array("i", sorted(new)).tobytes()
        self._active[slot] = candidate.last_active
        self._place[slot] = self._place_of(candidate.location)

    def remove(self, member_id: int) -> None:
        """Forget a member (left, hid themselves, or asked to be forgotten); absent is fine."""
        i = bisect.bisect_left(self._ids, member_id)
        if i == len(self._ids) or self._ids[i] != member_id:
            return
        slot = self._slots[i]
        del self._ids[i]
        del self._slots[i]
        for t in self._tag_numbers(slot):
            self._postings[t].remove(slot)
        self._tags[slot] = b""
        self._member[slot] = 0
        self._active[slot] = 0
        self._place[slot] = -1
        self._free.append(slot)

    def touch(self, member_id: int, last_active: int) -> None:
        """Record activity without re-indexing interests."""
        slot = self._slot_of(member_id)
        if slot is not None and last_active > self._active[slot]:
            self._active[slot] = last_active

    def _take_slot(self, member_id: int) -> int:
        if self._free:
            slot = self._free.pop()
            self._member[slot] = member_id
        else:
            slot = len(self._member)
            self._member.append(member_id)
            self._active.append(0)
            self._place.append(-1)
            self._tags.append(b"")
        i = bisect.bisect_left(self._ids, member_id)
        self._ids.insert(i, member_id)
        self._slots.insert(i, slot)
        return slot

    def _tag_of(self, tag: str) -> int:
        t = self._tag_number.get(tag)
        if t is None:
            t = self._tag_number[tag] = len(self._tag_names)
            self._tag_names.append(tag)
            self._postings.append(array("i"))
        return t

    def _place_of(self, location: Location | None) -> int:
        if location is None:
            return -1
        p = self._place_number.get(location)
        if p is None:
            p = self._place_number[location] = len(self._places)
            self._places.append(location)
            self._place_lat.append(location[0])
            self._place_lon.append(location[1])
        return p

    def match(
        self,
        asker: int | Candidate,
        interest: str | None = None,
        within_km: float | None = None,
        limit: int = DEFAULT_LIMIT,
        *,
        keep: Callable[[int], bool] | None = None,
        slack: int = 0,
    ) -> list[Match]:
        """Up to ``limit`` members ranked as the module docstring says; never the asker.

        ``interest`` (a canonical tag) keeps only members who list it and counts it as shared
        even if the asker does not list it. ``within_km`` keeps only members with a city within
        that geodesic distance of the asker's. ``keep`` (a member id: listed or not) drops members
        the index cannot know about; the ``limit + slack`` best are ranked, then the first
        ``limit`` kept are described (what they share, how far).
        """
        if isinstance(asker, int):
            profile = self.get(asker)
            if profile is None:
                raise UserError("You have no profile yet: introduce yourself with `/intro` first.", "/intro")
            asker = profile
        _check_query(asker, interest, within_km)
        if limit <= 0 or (interest is not None and not self.document_frequency(interest)):
            return []
        query = set(asker.interests)
        if interest is not None:
            query.add(interest)
        n = len(self)
        terms = sorted(
            ((idf(df, n), tag) for tag in query if (df := self.document_frequency(tag))),
            key=lambda wt: (-wt[0], wt[1]),
        )
        distances: dict[int, float] = {}  # geodesic from the asker, per city number
        wanted = limit + slack
        asked = _Query(asker, terms, interest, within_km, wanted, distances)
        if sum(len(self._postings[self._tag_number[tag]]) for _w, tag in terms) <= self.PLAIN_UP_TO:
            ranked = self._rank_plain(asked)
        else:
            ranked = self._rank_arrays(asked)
        if keep is not None:
            ranked = [entry for entry in ranked if keep(entry[3])]
        # A member's shared interests are listed in the order of ``terms`` (weight, then name).
        term_of = {self._tag_number[tag]: i for i, (_w, tag) in enumerate(terms)}
        tags = [tag for _w, tag in terms]
        return [self._as_match(-score, s, term_of, tags, km) for score, km, _, _, s in ranked[:limit]]

    def _rank_plain(self, query: _Query) -> _Ranked:
        """:meth:`_rank_arrays` for a query that touches few members, in plain Python: the same
        scores (each weight added in the same order) and the same order, without numpy's cost
        per call, which is most of a query in a small server."""
        asker, terms, interest, within_km, wanted, distances = query
        scores: dict[int, float] = {}
        get = scores.get
        for w, tag in terms:
            for s in self._postings[self._tag_number[tag]]:
                scores[s] = get(s, 0.0) + w
        asker_slot = self._slot_of(asker.member_id)
        if asker_slot is not None:
            scores.pop(asker_slot, None)
        slots: Iterable[int] = scores
        if interest is not None:
            listing = set(self._postings[self._tag_number[interest]])
            slots = [s for s in slots if s in listing]
        origin = asker.location
        if within_km is not None and origin is not None:
            near = set(self._places_within(origin, within_km))
            place = self._place
            slots = [s for s in slots if place[s] in near]
        ranked = sorted(
            (-scores[s], self._distance(s, origin, distances), -self._active[s], self._member[s], s)
            for s in slots
        )
        # As the selection does: past FULL_SORT_UP_TO candidates only the ``wanted`` best are kept.
        return ranked[:wanted] if len(ranked) > max(wanted, self.FULL_SORT_UP_TO) else ranked

    def _rank_arrays(self, query: _Query) -> _Ranked:
        """The candidates as (-score, km, -last active, member id, slot), best first: every one
        up to FULL_SORT_UP_TO of them, else the ``wanted`` best."""
        asker, terms, interest, within_km, wanted, distances = query
        np = _numpy()
        # Scores per slot, each interest's weight added in the order rank_naive adds them.
        size = len(self._member)
        scores = np.zeros(size)
        for w, tag in terms:
            np.add.at(scores, np.frombuffer(self._postings[self._tag_number[tag]], dtype=np.int32), w)
        # Who cannot be listed scores 0 (a score is otherwise positive): the asker, members without
        # the named interest, members out of range. The rest of the query then works on the slots
        # of the few best scores only, never on an array of every member who shares something.
        asker_slot = self._slot_of(asker.member_id)
        if asker_slot is not None:
            scores[asker_slot] = 0.0
        if interest is not None:
            listing = np.zeros(size, dtype=bool)
            listing[np.frombuffer(self._postings[self._tag_number[interest]], dtype=np.int32)] = True
            scores[~listing] = 0.0
        origin = asker.location
        place = np.frombuffer(self._place, dtype=np.int32)
        if within_km is not None and origin is not None:
            near = np.zeros(len(self._places) + 1, dtype=bool)  # the last one: no city (-1)
            near[self._places_within(origin, within_km)] = True
            scores[~near[place]] = 0.0
        if np.count_nonzero(scores) > max(wanted, self.FULL_SORT_UP_TO):
            cut = _kth_largest(scores, wanted)  # positive: more than ``wanted`` scores are
            above = np.flatnonzero(scores > cut)
            tied = np.flatnonzero(scores == cut)
            rest = self._break_ties(tied, wanted - len(above), origin, place, distances)
            chosen = [*above.tolist(), *rest]
        else:
            chosen = np.flatnonzero(scores).tolist()
        return sorted(
            (-float(scores[s]), self._distance(s, origin, distances), -self._active[s], self._member[s], s)
            for s in chosen
        )

    def _break_ties(
        self, slots: Any, r: int, origin: Location | None, place: Any, distances: dict[int, float]
    ) -> list[int]:
        """The ``r`` best of an equal-score class: nearest, then most recently active, then id.

        Cities are visited in haversine order; once they hold ``r`` members, only cities whose
        haversine distance could still be geodesically as near are kept, and the geodesic
        distance is computed for those cities alone.
        """
        np = _numpy()
        chosen: list[int] = []
        if origin is not None:
            at = place[slots]
            located = slots[at >= 0]
            if len(located):
                cities, counts = np.unique(at[at >= 0], return_counts=True)
                h = _haversine_many(
                    origin, np.frombuffer(self._place_lat)[cities], np.frombuffer(self._place_lon)[cities]
                )
                order = np.argsort(h, kind="stable")
                reached = np.cumsum(counts[order])
                if reached[-1] > r:
                    bound = h[order[int(np.searchsorted(reached, r))]] * _BAND
                    cities = cities[h <= bound]
                keyed = []
                for city in cities.tolist():
                    d = distances.get(city)
                    if d is None:
                        d = distances[city] = _geodesic_between(origin, self._places[city])
                    here = self._most_active(located[place[located] == city], r)
                    keyed.extend((d, -self._active[s], self._member[s], s) for s in here)
                chosen = [s for *_, s in heapq.nsmallest(r, keyed)]
                if len(chosen) == r:
                    return chosen
                slots = slots[at < 0]
        return chosen + self._most_active(slots, r - len(chosen))

    def _most_active(self, slots: Any, r: int) -> list[int]:
        """Up to ``r`` of ``slots`` by most recent activity, then smaller id."""
        np = _numpy()
        if len(slots) > r:
            active = np.frombuffer(self._active, dtype=np.int64)[slots]
            ids = np.frombuffer(self._member, dtype=np.int64)[slots]
            slots = slots[np.lexsort((ids, -active))[:r]]
        return [int(s) for s in slots.tolist()]

    def _places_within(self, origin: Location, km: float) -> list[int]:
        """Numbers of the cities within ``km`` (geodesic) of ``origin``, most decided by haversine."""
        inside: list[int] = []
        max_degrees = km / _MIN_KM_PER_DEGREE_LATITUDE
        for number, loc in enumerate(self._places):
            if abs(loc[0] - origin[0]) > max_degrees:
                continue  # farther in latitude alone than the radius: skip the trigonometry
            h = haversine_km(origin, loc)
            if h * (1 - _HAVERSINE_SLACK) > km:
                continue
            if h * (1 + _HAVERSINE_SLACK) <= km or _geodesic_between(origin, loc) <= km:
                inside.append(number)
        return inside

    def _distance(self, slot: int, origin: Location | None, distances: dict[int, float]) -> float:
        """Geodesic km from the asker's city to the member's (``inf`` without both), per city once."""
        city = self._place[slot]
        if origin is None or city < 0:
            return math.inf
        distance = distances.get(city)
        if distance is None:
            distance = distances[city] = _geodesic_between(origin, self._places[city])
        return distance

    def _as_match(
        self, score: float, slot: int, term_of: dict[int, int], tags: list[str], distance: float
    ) -> Match:
        """``term_of``: the query's tag numbers and their place in ``tags``, rarest first."""
        get = term_of.get
        terms = sorted(i for t in self._tag_numbers(slot) if (i := get(t)) is not None)
        km = None if distance == math.inf else distance
        return Match(self._member[slot], score, tuple([tags[i] for i in terms]), km, self._active[slot])


_np_module: Any = None


def _kth_largest(values: Any, k: int) -> float:
    """The ``k``-th largest of ``values`` (more than ``k`` of them), counting repeats.

    Scores repeat a lot (members sharing the same interests tie exactly), which sends numpy's
    introselect (``np.partition``) into its slow path: 1 ms typically, 20 ms at worst on 100,000
    scores. Lowering a threshold by a fifth until ``k`` values reach it, then walking down the few
    distinct values above it, takes a few passes over the array instead.
    """
    np = _numpy()
    threshold = float(values.max())
    while np.count_nonzero(values >= threshold) < k:
        threshold *= 0.8
    top = values[values >= threshold]
    taken = 0
    while True:
        best = top.max()
        ties = np.count_nonzero(top == best)
        if taken + ties >= k:
            return float(best)
        taken += ties
        top = top[top < best]


def _numpy() -> Any:
    """numpy, imported with the first query (about 20 MB resident, paid only by servers that ask)."""
    global _np_module
    if _np_module is None:
        import numpy

        _np_module = numpy
    return _np_module


def _haversine_many(origin: Location, lat: Any, lon: Any) -> Any:
    """haversine_km from ``origin`` to many points at once (a bound, like haversine_km)."""
    np = _numpy()
    lat1, lon1 = math.radians(origin[0]), math.radians(origin[1])
    lat2, lon2 = np.radians(lat), np.radians(lon)
    h = np.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def rank_naive(
    asker: Candidate,
    population: Iterable[Candidate],
    interest: str | None = None,
    within_km: float | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[Match]:
    """Reference ranking that scores every profile; the oracle for tests and the bench baseline.

    ``population`` is every profile of the server (the asker included if they have one), so
    weights match :class:`InterestIndex` built from the same profiles.
    """
    _check_query(asker, interest, within_km)
    profiles = list(population)
    df: dict[str, int] = {}
    for p in profiles:
        for tag in p.interests:
            df[tag] = df.get(tag, 0) + 1
    n = len(profiles)
    query = set(asker.interests) | ({interest} if interest is not None else set())
    weights = {tag: idf(df[tag], n) for tag in query if tag in df}
    origin = asker.location
    scored: list[tuple[float, Candidate, tuple[str, ...]]] = []
    for p in profiles:
        if p.member_id == asker.member_id or (interest is not None and interest not in p.interests):
            continue
        shared = tuple(sorted((t for t in p.interests if t in weights), key=lambda t: (-weights[t], t)))
        if not shared:
            continue
        score = 0.0
        for tag in shared:
            score += weights[tag]
        scored.append((score, p, shared))
    distances: dict[Location, float] = {}

    def distance(p: Candidate) -> float | None:
        if origin is None or p.location is None:
            return None
        if p.location not in distances:
            distances[p.location] = geodesic_km(origin, p.location)
        return distances[p.location]

    if within_km is not None:
        scored = [s for s in scored if (d := distance(s[1])) is not None and d <= within_km]
    if len(scored) > limit:
        # Distances only matter from the limit-th best score up; skip geodesics below it.
        cutoff = heapq.nlargest(limit, (s[0] for s in scored))[-1]
        scored = [s for s in scored if s[0] >= cutoff]
    matches = [Match(p.member_id, score, shared, distance(p), p.last_active) for score, p, shared in scored]
    matches.sort(key=_rank_key)
    return matches[:limit]
