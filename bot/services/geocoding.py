"""Geocoding a member's city: Nominatim online (rate-limited, cached), the gazetteer offline.

Whatever path answers, the result is a city: a typed street address is reduced to its city
parts before anything is looked up or sent anywhere (so a member's street never reaches
Nominatim), an online answer is reduced to its city, region and country with coordinates of
city precision, and only that is cached.

``geocoder="offline"`` uses only the gazetteer. ``"nominatim"`` asks Nominatim at most once a
second and falls back on the gazetteer on any failure: an error, a timeout, an empty answer, or
an answer that names no city.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.domain.clock import Clock
from bot.domain.errors import UserError
from bot.domain.places import GeocodeResult, Place, city_parts, fold_name
from bot.storage.gazetteer import EXAMPLE_PLACE, Gazetteer, GazetteerHandle
from bot.storage.geocode_cache import GeocodeCacheRepository

log = logging.getLogger(__name__)

# Nominatim's usage policy: an absolute maximum of one request per second.
MIN_DELAY_SECONDS = 1.0
REQUEST_TIMEOUT_SECONDS = 5.0
# Longest a member waits for the online answer (queueing behind others included) before the
# gazetteer answers instead.
WAIT_BUDGET_SECONDS = 10.0
# Address keys that name a settlement, most specific first.
SETTLEMENT_KEYS = ("city", "town", "village", "municipality", "hamlet")
REGION_KEYS = ("state", "province", "region", "state_district")
# Result types that are themselves a settlement (their centre is city-level already).
SETTLEMENT_TYPES = frozenset({"city", "town", "village", "municipality", "hamlet", "administrative"})

GeopyGeocode = Callable[..., Awaitable[Any]]


class OfflineGeocoder:
    """The gazetteer only: no network, ever."""

    def __init__(self, gazetteer: GazetteerHandle) -> None:
        self._gazetteer = gazetteer

    async def geocode(self, query: str) -> GeocodeResult:
        return (await self._gazetteer.get()).lookup(query)

    async def close(self) -> None:
        self._gazetteer.close()


@functools.cache
def _rate_limiter_class() -> type[Any]:
    """geopy is imported when a Nominatim geocoder is made (an offline bot never loads it)."""
    from geopy.extra.rate_limiter import AsyncRateLimiter

    class _RateLimiter(AsyncRateLimiter):
        """geopy's limiter with its clock and sleep injectable (tests check spacing without waiting)."""

        def __init__(
            self,
            func: GeopyGeocode,
            *,
            min_delay: float,
            clock: Callable[[], float],
            sleep: Callable[[float], Awaitable[None]],
        ) -> None:
            super().__init__(
                func,
                min_delay_seconds=min_delay,
                max_retries=0,  # a failure falls back on the gazetteer at once; no 5 s retry waits
                error_wait_seconds=min_delay,
                swallow_exceptions=False,
            )
            self._clock_fn = clock
            self._sleep_fn = sleep

        def _clock(self) -> float:
            return self._clock_fn()

        async def _sleep(self, seconds: float) -> None:
            await self._sleep_fn(seconds)

    return _RateLimiter


class NominatimGeocoder:
    """Nominatim first (cached in the database), the gazetteer when it fails.

    Nothing touches the network until the first lookup: the geopy client and its aiohttp
    session are made then, and :meth:`close` closes the session.
    """

    def __init__(
        self,
        gazetteer: GazetteerHandle,
        cache: GeocodeCacheRepository,
        *,
        user_agent: str,
        domain: str,
        now: Clock,
        geocode: GeopyGeocode | None = None,
        min_delay: float = MIN_DELAY_SECONDS,
        timeout: float = REQUEST_TIMEOUT_SECONDS,
        wait_budget: float = WAIT_BUDGET_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._gazetteer = gazetteer
        self._cache = cache
        self._user_agent = user_agent
        self._domain = domain
        self._geocode = geocode  # a test double, or geopy's Nominatim.geocode made on first use
        self._client: Any = None
        self._timeout = timeout
        self._wait_budget = wait_budget
        self._now = now
        self._limited = _rate_limiter_class()(self._request, min_delay=min_delay, clock=clock, sleep=sleep)

    async def geocode(self, query: str) -> GeocodeResult:
        gazetteer = await self._gazetteer.get()
        parts = city_parts(query)
        if not parts:
            raise UserError("Tell me a city (no street address needed).", EXAMPLE_PLACE)
        reduced = ", ".join(parts)
        key = fold_name(reduced)
        cached = await self._cache.get(key)
        if cached is not None:
            return GeocodeResult(query=reduced, place=cached, source="cache")
        place = await self._online(reduced, gazetteer)
        if place is None:
            return gazetteer.lookup(reduced)
        await self._cache.put(key, place, self._now())
        return GeocodeResult(query=reduced, place=place, source="nominatim")

    async def close(self) -> None:
        client, self._client = self._client, None
        # geopy's AioHTTPAdapter makes its session lazily; close it only if it was made.
        session = getattr(getattr(client, "adapter", None), "__dict__", {}).get("session")
        try:
            if session is not None:
                await session.close()
        finally:
            self._gazetteer.close()

    # -- internals -----------------------------------------------------------------------

    async def _request(self, query: str) -> Any:
        if self._geocode is None:
            from geopy.adapters import AioHTTPAdapter
            from geopy.geocoders import Nominatim

            self._client = Nominatim(
                user_agent=self._user_agent,
                domain=self._domain,
                timeout=self._timeout,
                adapter_factory=AioHTTPAdapter,
            )
            self._geocode = self._client.geocode
        return await self._geocode(
            query,
            exactly_one=True,
            addressdetails=True,
            language="en",
            featuretype="settlement",
            timeout=self._timeout,
        )

    async def _online(self, query: str, gazetteer: Gazetteer) -> Place | None:
        try:
            async with asyncio.timeout(self._wait_budget):
                location = await self._limited(query)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # any failure of the online service means: use the gazetteer
            # What members typed (a city) stays out of the logs: its length is enough to debug.
            log.warning(
                "Nominatim failed for a %d-character query (%s); using the gazetteer",
                len(query),
                type(error).__name__,
            )
            return None
        if location is None:
            log.info("Nominatim found nothing for a %d-character query; using the gazetteer", len(query))
            return None
        place = city_level(getattr(location, "raw", None) or {}, gazetteer)
        if place is None:
            log.info(
                "Nominatim's answer for a %d-character query names no city; using the gazetteer", len(query)
            )
        return place


def city_level(raw: dict[str, Any], gazetteer: Gazetteer) -> Place | None:
    """Reduce a Nominatim answer to its city: name, region, country, city-precision coordinates.

    Streets, house numbers, postcodes and the like are never read. When the answer is not a
    settlement itself (a street, a building), its coordinates are replaced by the city's from
    the gazetteer, or coarsened to about 10 km when the gazetteer does not know the city.
    """
    address = raw.get("address") or {}
    name = next((str(address[k]) for k in SETTLEMENT_KEYS if address.get(k)), None)
    country = str(address.get("country_code") or "").upper()
    if not name or len(country) != 2:
        return None
    admin = next((str(address[k]) for k in REGION_KEYS if address.get(k)), None)
    try:
        latitude, longitude = float(raw["lat"]), float(raw["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    kind = str(raw.get("addresstype") or raw.get("type") or "")
    if kind not in SETTLEMENT_TYPES:
        known = gazetteer.find(name, [country])
        if known:
            latitude, longitude = known[0].latitude, known[0].longitude
        else:
            latitude, longitude = round(latitude, 1), round(longitude, 1)
    nearest = gazetteer.nearest(latitude, longitude)
    return Place(
        name=name[:100],
        country=country,
        latitude=latitude,
        longitude=longitude,
        admin=admin[:100] if admin else None,
        timezone=nearest.timezone if nearest else None,
    )
