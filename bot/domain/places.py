"""Places at city level: what geocoding returns and what the bot stores.

No street-level location is ever stored: coordinates are rounded to two decimals (about 1 km)
and an address typed by a member is reduced to its city before it is looked up.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal, Protocol

from geopy.distance import geodesic

COORDINATE_DECIMALS = 2


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str  # ISO 3166-1 alpha-2, e.g. "US"
    latitude: float
    longitude: float
    admin: str | None = None  # region, e.g. "Oregon"
    timezone: str | None = None  # IANA name
    population: int = 0
    # The short form people type after the city, e.g. "OR" for Oregon, when the region has one.
    admin_code: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "latitude", round(self.latitude, COORDINATE_DECIMALS))
        object.__setattr__(self, "longitude", round(self.longitude, COORDINATE_DECIMALS))

    @property
    def display(self) -> str:
        parts = [self.name]
        if self.admin and self.admin != self.name:
            parts.append(self.admin)
        parts.append(self.country)
        return ", ".join(parts)

    @property
    def coordinates(self) -> tuple[float, float]:
        return (self.latitude, self.longitude)


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    # What was looked up: the member's text with street parts removed (never a street address).
    query: str
    place: Place
    source: Literal["gazetteer", "nominatim", "cache"]
    # Set when the name was ambiguous: says which place was picked and how to be precise.
    hint: str | None = None


class Geocoder(Protocol):
    async def geocode(self, query: str) -> GeocodeResult:
        """City-level place for what a member typed; raises UserError when nothing matches."""
        ...

    async def close(self) -> None:
        """Release sessions and files; geocoding after close is a bug."""
        ...


# -- names ------------------------------------------------------------------------------------

# Letters NFKD does not decompose into a base letter plus accents.
_SPECIAL_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th", "ð": "d", "ħ": "h"}
)
# Apostrophes and dots vanish ("St. John's" ~ "St Johns", "D.C." ~ "DC"); other punctuation splits.
_VANISHING = re.compile(r"['’‘`´.]")
_NON_WORD = re.compile(r"[\W_]+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Abbreviations that open place names, so "St Louis" and "Saint Louis" meet.
_TOKEN_EXPANSIONS = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort", "pt": "port"}
_ABBREVIATION = re.compile(r"\b(?:st|ste|mt|ft|pt)\b")


def fold_name(text: str) -> str:
    """The key under which a place name is indexed and looked up.

    Case, accents and punctuation are ignored: "São Paulo", "sao paulo" and "SAO-PAULO" fold alike.
    """
    text = text.casefold()
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text.translate(_SPECIAL_LETTERS)))
    text = " ".join(_NON_WORD.sub(" ", _VANISHING.sub("", text)).split())
    if "t" in text:
        text = _ABBREVIATION.sub(lambda match: _TOKEN_EXPANSIONS[match.group()], text)
    return text


# -- addresses --------------------------------------------------------------------------------

# Words that make a comma-separated part a street line. Whole words, anywhere in the part.
# fmt: off
_STREET_WORDS = frozenset({
    "street", "avenue", "road", "boulevard", "lane", "drive", "highway", "parkway", "terrace", "court",
    "place", "square", "strasse", "straße", "gasse", "allee", "platz", "weg", "ufer", "chaussee",
    "damm", "ring", "rue", "chemin", "allée", "impasse", "quai", "calle", "avenida", "carrer", "camino",
    "paseo", "plaza", "rua", "travessa", "largo", "via", "viale", "vicolo", "piazza", "corso", "ulica",
    "ul", "aleja", "straat", "laan", "gracht", "plein", "vej", "gatan", "vagen", "vägen", "gate",
    "veien", "katu",
})
# fmt: on
# Abbreviations that mean a street only after a name ("Main St", but "St. Louis" and
# "Port St. Lucie" are cities).
_STREET_ABBREVIATIONS = frozenset(
    ("st", "str", "ave", "av", "rd", "blvd", "ln", "dr", "hwy", "pkwy", "ter", "ct", "pl", "sq")
)
# German-style compounds: "Friedrichstraße", "Rosenthaler Str.", "Kurfürstendamm".
_STREET_SUFFIXES = ("strasse", "straße", "str", "gasse", "allee", "platz", "damm", "weg")
_HAS_DIGIT = re.compile(r"\d")
_PART_SEPARATORS = re.compile(r"[,;\n/|]+")


def _is_street(tokens: list[str]) -> bool:
    lowered = [token.casefold().strip(".") for token in tokens]
    if any(token in _STREET_WORDS for token in lowered):
        return True
    words = [token for token in lowered if not _HAS_DIGIT.search(token)]
    # "Main St", "Rosenthaler Str. 40": the abbreviation ends the name (numbers aside).
    if len(lowered) > 1 and words and words[-1] in _STREET_ABBREVIATIONS:
        return True
    return any(len(token) > 6 and token.endswith(_STREET_SUFFIXES) for token in lowered)


def city_parts(text: str) -> list[str]:
    """The parts of what a member typed that can name a city, a region or a country.

    "Rosenthaler Str. 40, 10178 Berlin, Germany" -> ["Berlin", "Germany"]: street lines are
    dropped whole, and house numbers and postal codes (tokens with digits) are removed, so no
    street-level detail is ever looked up or stored.
    """
    parts: list[str] = []
    for raw in _PART_SEPARATORS.split(text):
        tokens = raw.split()
        if not tokens or _is_street(tokens):
            continue
        kept = [token for token in tokens if not _HAS_DIGIT.search(token)]
        cleaned = " ".join(kept).strip(" .-–—()\"'")
        if cleaned and fold_name(cleaned):
            parts.append(cleaned)
    return parts


# -- distance ---------------------------------------------------------------------------------

Coordinates = tuple[float, float]


def _point(where: Place | Coordinates) -> Coordinates:
    return where.coordinates if isinstance(where, Place) else (float(where[0]), float(where[1]))


def distance_km(a: Place | Coordinates, b: Place | Coordinates) -> float:
    """Geodesic (WGS-84 ellipsoid) distance in kilometres between two places or (lat, lon) pairs."""
    return float(geodesic(_point(a), _point(b)).km)
