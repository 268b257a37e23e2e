"""Places at city level: what geocoding returns and what the bot stores.

No street-level location is ever stored: coordinates are rounded to two decimals (about 1 km)
and an address typed by a member is reduced to its city before it is looked up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

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


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    query: str
    place: Place
    source: Literal["gazetteer", "nominatim", "cache"]
    # Set when the name was ambiguous: says which place was picked and how to be precise.
    hint: str | None = None


class Geocoder(Protocol):
    async def geocode(self, query: str) -> GeocodeResult:
        """City-level place for what a member typed; raises UserError when nothing matches."""
        ...
