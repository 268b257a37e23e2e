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
so members cluster on few distinct locations; the index keeps them grouped by location.

Discoverability is the caller's business: put only discoverable members in the index. The
asker may be passed as a :class:`Candidate` so a member who hid themselves can still search.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar, TypeVar, cast

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
# Scores are sums of floats; bounds get this much room so rounding never prunes a true tie.
_SCORE_EPS = 1e-9
# How many members the score floor scores outright before the class pass.
_FLOOR_SAMPLE = 100
# The running threshold scores this many times ``limit`` members of the best classes outright.
_PROVE_FACTOR = 2
# Members of a bitset are read one by one (about a microsecond each on 100,000 slots) up to
# this many; past it the bitset is read byte by byte.
_PEEL = 16
# A bitset class guessed smaller than this is moved to a set (see _Classes).
_SMALL_CLASS = 8
# The set bits of each byte value, lowest first.
_BIT_OFFSETS = tuple(tuple(i for i in range(8) if value >> i & 1) for value in range(256))
_BIT = tuple(1 << i for i in range(8))

Location = tuple[float, float]
_K = TypeVar("_K", str, Location)


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


def geodesic_km(a: Location, b: Location) -> float:
    """The distance the product promises (WGS-84 geodesic), exactly ``geodesic(a, b).km``."""
    return float(_GEODESIC.measure(a, b))


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


class InterestIndex:
    """One server's profiles with an inverted index interest -> members.

    Changes cost O(number of interests of the member); a query touches only members who share
    at least one interest with the asker, and usually far fewer (see :meth:`match`).

    Each member holds a *slot*, a small integer reused after removal so slots stay dense; the
    sets of the index hold slots. Common interests (and crowded cities) are also kept as
    *bitsets*: one Python int with the bits of their members' slots set. Combining two bitsets
    costs about a microsecond at 100,000 slots whatever the number of members in them, where a
    set operation costs time per member; that is what keeps ``/match`` fast when the asker
    lists many mid-frequency interests. An interest counts as common from ``dense_floor``
    members and ``1 / dense_share`` of the profiles (below that the bitset would take more
    memory than the set it mirrors), and loses its bitset when it falls under half of that.
    Bitsets are updated with each change (a few microseconds per common interest).
    """

    dense_floor: ClassVar[int] = 64
    dense_share: ClassVar[int] = 256

    def __init__(self, candidates: Iterable[Candidate] = ()) -> None:
        self._slot: dict[int, int] = {}  # member id -> slot
        self._at: list[Candidate | None] = []  # slot -> profile (None for a free slot)
        self._free: list[int] = []
        self._postings: dict[str, set[int]] = {}  # interest -> slots of the members listing it
        self._by_location: dict[Location, set[int]] = {}  # city -> slots of its members
        self._bits: dict[str, int] = {}  # common interest -> bitset of its members' slots
        self._location_bits: dict[Location, int] = {}  # crowded city -> bitset of its members
        for candidate in candidates:
            self.upsert(candidate)
        # Built once at the end: bitsets are immutable ints, so growing one member at a time
        # would copy it for every member.
        dense = self._dense_min()
        for sets, bits in ((self._postings, self._bits), (self._by_location, self._location_bits)):
            for key, members in sets.items():
                if len(members) >= dense:
                    bits[key] = self._to_bits(members)

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, member_id: object) -> bool:
        return member_id in self._slot

    def get(self, member_id: int) -> Candidate | None:
        slot = self._slot.get(member_id)
        return None if slot is None else self._at[slot]

    def document_frequency(self, tag: str) -> int:
        posting = self._postings.get(tag)
        return 0 if posting is None else len(posting)

    def weight(self, tag: str) -> float:
        """Weight of a tag in this server right now (it moves as profiles come and go)."""
        return idf(self.document_frequency(tag), len(self._slot))

    def weights(self) -> dict[str, float]:
        """Every known tag's weight, e.g. to score pairing rounds with the server's rarities."""
        n = len(self._slot)
        return {tag: idf(len(members), n) for tag, members in self._postings.items()}

    def upsert(self, candidate: Candidate) -> None:
        """Add a profile or replace the stored one; only the differences touch the index."""
        slot = self._slot.get(candidate.member_id)
        if slot is None:
            slot = self._take_slot(candidate.member_id)
        old = self._at[slot]
        old_tags = old.interests if old is not None else frozenset()
        for tag in old_tags - candidate.interests:
            self._leave(self._postings, self._bits, tag, slot)
        for tag in candidate.interests - old_tags:
            self._join(self._postings, self._bits, tag, slot)
        old_location = old.location if old is not None else None
        if old_location != candidate.location:
            if old_location is not None:
                self._leave(self._by_location, self._location_bits, old_location, slot)
            if candidate.location is not None:
                self._join(self._by_location, self._location_bits, candidate.location, slot)
        self._at[slot] = candidate

    def remove(self, member_id: int) -> None:
        """Forget a member (left, hid themselves, or asked to be forgotten); absent is fine."""
        slot = self._slot.pop(member_id, None)
        if slot is None:
            return
        old = self._at[slot]
        assert old is not None
        self._at[slot] = None
        for tag in old.interests:
            self._leave(self._postings, self._bits, tag, slot)
        if old.location is not None:
            self._leave(self._by_location, self._location_bits, old.location, slot)
        self._free.append(slot)

    def touch(self, member_id: int, last_active: int) -> None:
        """Record activity without re-indexing interests."""
        old = self.get(member_id)
        if old is not None and last_active > old.last_active:
            self._at[self._slot[member_id]] = Candidate(
                member_id, old.interests, old.lat, old.lon, last_active
            )

    @staticmethod
    def _join(sets: dict[_K, set[int]], bits: dict[_K, int], key: _K, slot: int) -> None:
        sets.setdefault(key, set()).add(slot)
        if bits:  # none while __init__ loads profiles
            members_bits = bits.get(key)
            if members_bits is not None:
                bits[key] = members_bits | (1 << slot)

    def _leave(self, sets: dict[_K, set[int]], bits: dict[_K, int], key: _K, slot: int) -> None:
        members = sets[key]
        members.discard(slot)
        members_bits = bits.get(key)
        if members_bits is not None:
            if 2 * len(members) < self._dense_min():
                del bits[key]
            else:
                bits[key] = members_bits ^ (1 << slot)  # the bit is set: it mirrors the set
        if not members:
            del sets[key]

    def _take_slot(self, member_id: int) -> int:
        if self._free:
            slot = self._free.pop()
        else:
            slot = len(self._at)
            self._at.append(None)
        self._slot[member_id] = slot
        return slot

    def _dense_min(self) -> int:
        """Members from which an interest is common enough to be kept as a bitset."""
        return max(self.dense_floor, len(self._slot) // self.dense_share)

    def _dense_bits(self, tag: str) -> int:
        """The bitset of an interest's members, built the first time a query needs it."""
        bits = self._bits.get(tag)
        if bits is None:
            bits = self._bits[tag] = self._to_bits(self._postings[tag])
        return bits

    def _places_bits(self, places: Iterable[Location]) -> int:
        """The bitset of the members in these cities: crowded ones' are kept, the rest built."""
        dense = self._dense_min()
        found = 0
        scattered: list[set[int]] = []
        for place in places:
            members = self._by_location[place]
            if len(members) < dense:
                scattered.append(members)
                continue
            bits = self._location_bits.get(place)
            if bits is None:
                bits = self._location_bits[place] = self._to_bits(members)
            found |= bits
        return found | self._to_bits(itertools.chain.from_iterable(scattered)) if scattered else found

    def _to_bits(self, slots: Iterable[int]) -> int:
        """The bitset of some slots."""
        buffer = bytearray((len(self._at) + 7) >> 3)
        bit = _BIT
        for slot in slots:
            buffer[slot >> 3] |= bit[slot & 7]
        return int.from_bytes(buffer, "little")

    def match(
        self,
        asker: int | Candidate,
        interest: str | None = None,
        within_km: float | None = None,
        limit: int = DEFAULT_LIMIT,
    ) -> list[Match]:
        """Up to ``limit`` members ranked as the module docstring says; never the asker.

        ``interest`` (a canonical tag) keeps only members who list it and counts it as shared
        even if the asker does not list it. ``within_km`` keeps only members with a city within
        that geodesic distance of the asker's.

        Top-k by score is computed MaxScore-style over *score classes*: members are kept
        grouped by their partial score, interests are applied rarest first with C-level set or
        bitset intersections, and once the ``limit``-th best partial score exceeds what the
        remaining interests could add, members not seen yet are ignored and hopeless classes
        dropped.
        """
        if isinstance(asker, int):
            profile = self.get(asker)
            if profile is None:
                raise UserError("You have no profile yet: introduce yourself with `/intro` first.", "/intro")
            asker = profile
        _check_query(asker, interest, within_km)
        if limit <= 0 or (interest is not None and interest not in self._postings):
            return []
        # Only members of ``restrict`` may be listed; ``restrict_bits`` mirrors it when large.
        restrict: set[int] | None = None
        restrict_bits: int | None = None
        dense = self._dense_min()
        if interest is not None:
            restrict = self._postings[interest]
            if len(restrict) >= dense:
                restrict_bits = self._dense_bits(interest)
        origin = asker.location
        if within_km is not None and origin is not None:
            places = self._places_within(origin, within_km)
            near = set().union(*(self._by_location[place] for place in places))
            restrict = near if restrict is None else restrict & near
            if len(restrict) < dense:
                restrict_bits = None
            elif restrict_bits is None:
                restrict_bits = self._places_bits(places)
            else:
                restrict_bits &= self._places_bits(places)
        query = set(asker.interests)
        if interest is not None:
            query.add(interest)
        n = len(self._slot)
        terms = sorted(
            ((idf(len(self._postings[tag]), n), tag) for tag in query if tag in self._postings),
            key=lambda wt: (-wt[0], wt[1]),
        )
        classes = self._top_classes(terms, restrict, restrict_bits, limit + 1)
        distances: dict[Location, float] = {}  # geodesic from the asker, per location
        chosen: list[tuple[float, int]] = []  # (score, slot)
        asker_slot = self._slot.get(asker.member_id)
        remaining = limit
        for score in classes.scores():
            members = classes.members(score)
            if asker_slot is not None:
                members.discard(asker_slot)
            if len(members) <= remaining:
                chosen.extend((score, m) for m in members)
                remaining -= len(members)
            else:
                chosen.extend((score, m) for m in self._break_ties(members, remaining, origin, distances))
                remaining = 0
            if remaining == 0:
                break
        weights = {tag: w for w, tag in terms}
        results = [self._as_match(score, m, weights, origin, distances) for score, m in chosen]
        results.sort(key=_rank_key)
        return results

    def _top_classes(
        self, terms: list[tuple[float, str]], restrict: set[int] | None, restrict_bits: int | None, k: int
    ) -> _Classes:
        """Members whose score can be among the ``k`` best, grouped by exact score.

        Members admitted through rare interests are kept in sets, those admitted through common
        ones in bitsets (terms come rarest first, so once admission has switched to bitsets it
        stays there); a bitset class that has probably shrunk to a few members moves to a set,
        where it costs less. ``restrict_bits`` is ``restrict`` as a bitset when the caller has it.
        """
        remaining = [0.0] * (len(terms) + 1)
        for j in range(len(terms) - 1, -1, -1):
            remaining[j] = remaining[j + 1] + terms[j][0]
        population = max(1, len(self._slot))
        classes = _Classes()
        seen: set[int] = set()
        seen_bits = 0
        dense = self._dense_min()
        # Within a small restriction every class is small too: sets are the cheapest then.
        bits_allowed = restrict is None or len(restrict) >= dense
        in_bits = False  # admitting into bitset classes
        weights = {tag: w for w, tag in terms}
        query = frozenset(weights)
        proven: dict[int, float] = {}  # final scores of members scored outright
        theta = self._score_floor(terms, restrict, k)
        admitting = True  # members not seen yet can still reach the top k
        for j, (w, tag) in enumerate(terms):
            # Classes only ever hold members of ``restrict``, so only admission needs it.
            posting = self._postings[tag]
            updated = _Classes()
            for score, members in classes.sets.items():
                inside = members & posting
                if inside:
                    # In place: costs len(inside), not len(members); class sets are never postings.
                    members -= inside
                    updated.add_set(score + w, inside)
                if members:
                    updated.add_set(score, members)
            if classes.bits:
                posting_bits = self._dense_bits(tag)
                share = len(posting) / population
                for score, members_bits in classes.bits.items():
                    size = classes.sizes[score]
                    inside_bits = members_bits & posting_bits
                    if inside_bits:
                        members_bits ^= inside_bits
                        updated.add_bits(score + w, inside_bits, size * share)
                    if members_bits:
                        updated.add_bits(score, members_bits, size * (1 - share))
            if admitting:
                if not in_bits and bits_allowed and len(posting) >= dense:
                    in_bits = True
                    seen_bits, seen = self._to_bits(seen), set()
                    if restrict is not None and restrict_bits is None:
                        restrict_bits = self._to_bits(restrict)
                if in_bits:
                    fresh_bits = self._dense_bits(tag)
                    if restrict_bits is not None:
                        fresh_bits &= restrict_bits
                    fresh_bits ^= fresh_bits & seen_bits
                    if fresh_bits:
                        seen_bits |= fresh_bits
                        updated.add_bits(w, fresh_bits, len(posting))
                else:
                    fresh = (posting if restrict is None else posting & restrict) - seen
                    if fresh:
                        seen |= fresh
                        updated.add_set(w, fresh)
            classes = updated
            theta = max(theta, self._proven_floor(classes, k, query, weights, proven))
            rest = remaining[j + 1]
            if theta > rest + _SCORE_EPS:
                admitting = False
                seen, seen_bits = set(), 0
            classes.keep_from(theta - rest - _SCORE_EPS)
        return classes

    def _score_floor(self, terms: list[tuple[float, str]], restrict: set[int] | None, k: int) -> float:
        """A lower bound of the k-th best final score from exactly scoring a few likely members.

        Members of the rarest shared interests tend to score highest; scoring a few hundred of
        them outright gives a threshold that stops admission and prunes classes from the first
        common interest on, instead of after it has been split into many classes.
        """
        sample: set[int] = set()
        budget = 4 * _FLOOR_SAMPLE  # members looked at for the sample, under a restriction
        for _, tag in terms:
            room = _FLOOR_SAMPLE - len(sample)
            if room <= 0 or budget <= 0:
                break
            posting = self._postings[tag]
            if restrict is None:
                sample.update(itertools.islice(posting, room))
                continue
            small, large = sorted((posting, restrict), key=len)
            looked = list(itertools.islice(small, budget))
            budget -= len(looked)
            sample.update(itertools.islice(filter(large.__contains__, looked), room))
        if len(sample) < k:
            return 0.0
        weights = {tag: w for w, tag in terms}
        query = frozenset(weights)
        weight_of = weights.__getitem__
        at = cast(list[Candidate], self._at)  # the sets hold taken slots only
        scores = [sum(map(weight_of, at[slot].interests & query)) for slot in sample]
        return heapq.nlargest(k, scores)[-1] - _SCORE_EPS

    def _proven_floor(
        self,
        classes: _Classes,
        k: int,
        query: frozenset[str],
        weights: Mapping[str, float],
        proven: dict[int, float],
    ) -> float:
        """A lower bound of the k-th best final score: final scores of members of the best classes.

        It is at least the k-th best partial score, and usually well above it: the members of
        the best classes tend to collect more weight from the interests not applied yet.
        """
        picked = classes.first(k * _PROVE_FACTOR)
        if len(picked) < k:
            return 0.0
        at, weight_of = cast(list[Candidate], self._at), weights.__getitem__
        scores = []
        for slot in picked:
            score = proven.get(slot)
            if score is None:
                score = proven[slot] = sum(map(weight_of, at[slot].interests & query))
            scores.append(score)
        return heapq.nlargest(k, scores)[-1] - _SCORE_EPS

    def _break_ties(
        self, slots: set[int], r: int, origin: Location | None, distances: dict[Location, float]
    ) -> list[int]:
        """The ``r`` best of an equal-score class: nearest, then most recently active."""
        at = cast(list[Candidate], self._at)  # every slot in a class is taken
        chosen: list[int] = []
        if origin is not None:
            chosen = self._nearest(slots, r, origin, distances)
            if len(chosen) == r:
                return chosen
            slots = {s for s in slots if at[s].location is None}
        chosen.extend(
            heapq.nsmallest(r - len(chosen), slots, key=lambda s: (-at[s].last_active, at[s].member_id))
        )
        return chosen

    def _nearest(
        self, slots: set[int], r: int, origin: Location, distances: dict[Location, float]
    ) -> list[int]:
        """Up to ``r`` located members ordered by (geodesic distance, -activity, id).

        Locations are visited in haversine order; once ``r`` members are gathered, only
        locations whose haversine distance could still be geodesically as near are added,
        and geodesic distance is computed for the gathered locations alone.
        """
        at = cast(list[Candidate], self._at)
        if len(slots) <= len(self._by_location):
            groups: dict[Location, list[int]] = {}
            for slot in slots:
                location = at[slot].location
                if location is not None:
                    groups.setdefault(location, []).append(slot)
            ordered = sorted((haversine_km(origin, loc), loc) for loc in groups)
            pick = groups.__getitem__
        else:
            ordered = sorted((haversine_km(origin, loc), loc) for loc in self._by_location)

            def pick(loc: Location) -> list[int]:
                return list(self._by_location[loc] & slots)

        gathered: list[tuple[Location, list[int]]] = []
        count = 0
        bound = math.inf
        for h, loc in ordered:
            if h > bound:
                break
            here = pick(loc)
            if not here:
                continue
            gathered.append((loc, here))
            count += len(here)
            if count >= r and bound == math.inf:
                bound = h * _BAND
        keyed = []
        for loc, here in gathered:
            d = distances.get(loc)
            if d is None:
                d = distances[loc] = geodesic_km(origin, loc)
            keyed.extend((d, -at[s].last_active, at[s].member_id, s) for s in here)
        return [s for _, _, _, s in heapq.nsmallest(r, keyed)]

    def _places_within(self, origin: Location, km: float) -> list[Location]:
        """Cities within ``km`` (geodesic) of ``origin``, deciding most cases by haversine."""
        inside: list[Location] = []
        max_degrees = km / _MIN_KM_PER_DEGREE_LATITUDE
        for loc in self._by_location:
            if abs(loc[0] - origin[0]) > max_degrees:
                continue  # farther in latitude alone than the radius: skip the trigonometry
            h = haversine_km(origin, loc)
            if h * (1 - _HAVERSINE_SLACK) > km:
                continue
            if h * (1 + _HAVERSINE_SLACK) <= km or geodesic_km(origin, loc) <= km:
                inside.append(loc)
        return inside

    def _as_match(
        self,
        score: float,
        slot: int,
        weights: Mapping[str, float],
        origin: Location | None,
        distances: dict[Location, float],
    ) -> Match:
        profile = self._at[slot]
        assert profile is not None
        shared = sorted((t for t in profile.interests if t in weights), key=lambda t: (-weights[t], t))
        distance = None
        if origin is not None and profile.location is not None:
            distance = distances.get(profile.location)
            if distance is None:
                distance = distances[profile.location] = geodesic_km(origin, profile.location)
        return Match(profile.member_id, score, tuple(shared), distance, profile.last_active)


class _Classes:
    """Members grouped by partial score; each score has a set part, a bitset part, or both.

    A bitset part carries a guess of its size (bitsets cannot be counted cheaply); a part
    guessed under ``_SMALL_CLASS`` members has up to ``_PEEL`` members moved to the set part.
    """

    __slots__ = ("bits", "sets", "sizes")

    def __init__(self) -> None:
        self.sets: dict[float, set[int]] = {}
        self.bits: dict[float, int] = {}
        self.sizes: dict[float, float] = {}

    def add_set(self, score: float, members: set[int]) -> None:
        existing = self.sets.get(score)
        if existing is None:
            self.sets[score] = members
        else:
            existing |= members

    def add_bits(self, score: float, members: int, size: float) -> None:
        if size < _SMALL_CLASS:
            peeled, members = _peel(members, _PEEL)
            self.add_set(score, set(peeled))
            if not members:
                return
            size = 2 * _PEEL  # more than _PEEL members after all
        existing = self.bits.get(score)
        if existing is None:
            self.bits[score] = members
            self.sizes[score] = size
        else:
            self.bits[score] = existing | members
            self.sizes[score] += size

    def scores(self) -> list[float]:
        """Every score held, best first."""
        return sorted(self.sets.keys() | self.bits.keys(), reverse=True)

    def members(self, score: float) -> set[int]:
        members = self.sets.get(score, set())
        bits = self.bits.get(score)
        if bits:
            members.update(_peel(bits, None)[0])
        return members

    def first(self, count: int) -> list[int]:
        """About ``count`` members of the best classes (fewer only if there are no more)."""
        picked: list[int] = []
        for score in self.scores():
            members = self.sets.get(score)
            if members:
                picked.extend(itertools.islice(members, count - len(picked)))
            if len(picked) < count and score in self.bits:
                picked.extend(_peel(self.bits[score], count - len(picked))[0])
            if len(picked) >= count:
                break
        return picked

    def keep_from(self, lowest: float) -> None:
        """Drop the classes scoring under ``lowest``."""
        self.sets = {s: m for s, m in self.sets.items() if s >= lowest}
        self.bits = {s: b for s, b in self.bits.items() if s >= lowest}


def _peel(bits: int, most: int | None) -> tuple[list[int], int]:
    """Up to ``most`` slots (all if None) of a bitset, and the bitset of those left."""
    found: list[int] = []
    for _ in range(_PEEL if most is None else most):  # few: peel the highest bits off
        if not bits:
            return found, 0
        top = bits.bit_length() - 1
        found.append(top)
        bits ^= 1 << top
    if bits and most is None:  # many: read the bytes, skipping empty ones in C
        data = bits.to_bytes((bits.bit_length() + 7) >> 3, "little")
        for i in itertools.compress(range(len(data)), data):
            base = i << 3
            found.extend(base + offset for offset in _BIT_OFFSETS[data[i]])
        bits = 0
    return found, bits


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
