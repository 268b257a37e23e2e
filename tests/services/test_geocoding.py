"""Geocoding through Nominatim (a network fake) with the cache and the gazetteer beneath it."""

from __future__ import annotations

import asyncio
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from geopy.exc import GeocoderServiceError, GeocoderTimedOut
from geopy.location import Location

from bot.app import make_geocoder
from bot.config import Settings
from bot.domain.errors import UserError
from bot.services.geocoding import NominatimGeocoder, OfflineGeocoder
from bot.storage.database import Database
from bot.storage.gazetteer import GazetteerHandle
from bot.storage.geocode_cache import GeocodeCacheRepository

NOW = 1_767_225_600


STREET_ADDRESS = "Rosenthaler Str. 40, 10178 Berlin, Germany"
STREET_DETAILS = ("Rosenthaler", "40", "10178", "52.529", "13.401")


def street_level_berlin() -> Location:
    """What Nominatim answers for a street: a road, with house number and postcode."""
    raw = {
        "lat": "52.5290134",
        "lon": "13.4019468",
        "addresstype": "road",
        "type": "residential",
        "display_name": "40, Rosenthaler Straße, Mitte, Berlin, 10178, Germany",
        "address": {
            "house_number": "40",
            "road": "Rosenthaler Straße",
            "suburb": "Mitte",
            "city": "Berlin",
            "state": "Berlin",
            "postcode": "10178",
            "country": "Germany",
            "country_code": "de",
        },
    }
    return Location(raw["display_name"], (52.5290134, 13.4019468), raw)


def settlement(name: str, lat: float, lon: float, country_code: str, **address: str) -> Location:
    raw = {
        "lat": str(lat),
        "lon": str(lon),
        "addresstype": "village",
        "address": {"village": name, "country_code": country_code, **address},
    }
    return Location(name, (lat, lon), raw)


class FakeNominatim:
    """Stands in for geopy's Nominatim.geocode: answers, raises or hangs, and records calls."""

    def __init__(self, clock: FakeTime, *answers: Any) -> None:
        self.clock = clock
        self.answers = list(answers)
        self.calls: list[tuple[str, float, dict[str, Any]]] = []

    async def __call__(self, query: str, **options: Any) -> Any:
        self.calls.append((query, self.clock.now, options))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, BaseException):
            raise answer
        if answer == "hang":
            await asyncio.sleep(30)
        return answer


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def time_() -> FakeTime:
    return FakeTime()


def nominatim(db: Database, fake: FakeNominatim, time_: FakeTime, **options: Any) -> NominatimGeocoder:
    return NominatimGeocoder(
        GazetteerHandle(),
        GeocodeCacheRepository(db),
        user_agent="meetbridge-tests",
        domain="nominatim.invalid",
        geocode=fake,
        clock=time_.clock,
        sleep=time_.sleep,
        now=lambda: NOW,
        **options,
    )


async def all_stored_text(db: Database) -> str:
    rows = await db.fetchall("SELECT * FROM geocode_cache")
    return repr([tuple(row) for row in rows])


async def test_a_street_address_reaches_nominatim_as_its_city_only(db: Database, time_: FakeTime) -> None:
    fake = FakeNominatim(time_, street_level_berlin())
    geocoder = nominatim(db, fake, time_)

    await geocoder.geocode(STREET_ADDRESS)

    sent, _, options = fake.calls[0]
    assert sent == "Berlin, Germany"
    assert options["addressdetails"] is True and options["featuretype"] == "settlement"


async def test_a_street_level_answer_is_reduced_to_the_city(db: Database, time_: FakeTime) -> None:
    geocoder = nominatim(db, FakeNominatim(time_, street_level_berlin()), time_)

    result = await geocoder.geocode(STREET_ADDRESS)

    assert result.source == "nominatim"
    place = result.place
    assert (place.name, place.admin, place.country, place.timezone) == (
        "Berlin",
        "Berlin",
        "DE",
        "Europe/Berlin",
    )
    # The city's centre from the gazetteer, not the street's rounded position (52.53, 13.40).
    assert place.coordinates == (52.52, 13.41)


async def test_no_street_level_data_is_ever_stored(db: Database, time_: FakeTime) -> None:
    geocoder = nominatim(db, FakeNominatim(time_, street_level_berlin()), time_)

    await geocoder.geocode(STREET_ADDRESS)

    stored = await all_stored_text(db)
    assert "Berlin" in stored
    assert not [detail for detail in STREET_DETAILS if detail in stored]


async def test_a_second_lookup_of_the_same_city_is_answered_from_the_cache(
    db: Database, time_: FakeTime
) -> None:
    fake = FakeNominatim(time_, settlement("Hallstatt", 47.5622, 13.6493, "at", state="Upper Austria"))
    geocoder = nominatim(db, fake, time_)

    first = await geocoder.geocode("Hallstatt, Austria")
    second = await geocoder.geocode("hallstatt,  AUSTRIA")

    assert len(fake.calls) == 1
    assert (first.source, second.source) == ("nominatim", "cache")
    assert second.place == first.place
    assert first.place.coordinates == (47.56, 13.65)
    assert first.place.timezone == "Europe/Vienna"


@pytest.mark.parametrize(
    "failure",
    [GeocoderServiceError("HTTP 503"), GeocoderTimedOut("timed out"), ConnectionResetError(), None],
    ids=["service-error", "timeout", "connection-reset", "empty-answer"],
)
async def test_any_nominatim_failure_falls_back_on_the_gazetteer(
    db: Database, time_: FakeTime, failure: BaseException | None
) -> None:
    geocoder = nominatim(db, FakeNominatim(time_, failure), time_)

    result = await geocoder.geocode("Portland, OR")

    assert result.source == "gazetteer"
    assert (result.place.name, result.place.admin_code) == ("Portland", "OR")
    assert await GeocodeCacheRepository(db).count() == 0


async def test_an_answer_that_names_no_city_falls_back_on_the_gazetteer(
    db: Database, time_: FakeTime
) -> None:
    country = Location(
        "Germany", (51.1, 10.4), {"lat": "51.1", "lon": "10.4", "address": {"country_code": "de"}}
    )
    geocoder = nominatim(db, FakeNominatim(time_, country), time_)

    result = await geocoder.geocode("Springfield")

    assert result.source == "gazetteer"
    assert result.hint is not None and "`Springfield, MA`" in result.hint


async def test_a_nominatim_that_does_not_answer_in_time_falls_back_on_the_gazetteer(
    db: Database, time_: FakeTime
) -> None:
    geocoder = nominatim(db, FakeNominatim(time_, "hang"), time_, wait_budget=0.05)

    result = await geocoder.geocode("São Paulo")

    assert (result.source, result.place.country) == ("gazetteer", "BR")


async def test_a_place_nobody_knows_is_refused_with_an_example(db: Database, time_: FakeTime) -> None:
    geocoder = nominatim(db, FakeNominatim(time_, None), time_)

    with pytest.raises(UserError) as refused:
        await geocoder.geocode("Xqzzyville")

    assert refused.value.example == "Lisbon, Portugal"


async def test_nominatim_is_asked_at_most_once_a_second(db: Database, time_: FakeTime) -> None:
    fake = FakeNominatim(
        time_,
        settlement("Hallstatt", 47.56, 13.65, "at"),
        settlement("Giethoorn", 52.74, 6.08, "nl"),
        settlement("Bibury", 51.76, -1.83, "gb"),
    )
    geocoder = nominatim(db, fake, time_)

    await asyncio.gather(*(geocoder.geocode(town) for town in ("Hallstatt", "Giethoorn", "Bibury")))

    times = sorted(when for _, when, _ in fake.calls)
    assert len(times) == 3
    assert all(later - earlier >= 1.0 for earlier, later in pairwise(times))
    assert time_.slept  # the limiter waited (on the injected clock, not for real)


async def test_the_real_client_falls_back_when_nominatim_is_unreachable_and_closes_its_session(
    db: Database,
) -> None:
    geocoder = NominatimGeocoder(
        GazetteerHandle(),
        GeocodeCacheRepository(db),
        user_agent="meetbridge-tests",
        domain="127.0.0.1:9",
        now=lambda: NOW,
        timeout=2,
    )

    result = await geocoder.geocode("Berlin")
    session = geocoder._client.adapter.session

    assert result.source == "gazetteer"
    await geocoder.close()
    assert session.closed


async def test_making_a_geocoder_touches_neither_network_nor_files(db: Database, tmp_path: Path) -> None:
    online = make_geocoder(Settings(geocoder="nominatim", gazetteer_dir=tmp_path / "gz"), db, now=lambda: NOW)
    offline = make_geocoder(Settings(geocoder="offline", gazetteer_dir=tmp_path / "gz"), db, now=lambda: NOW)

    assert isinstance(online, NominatimGeocoder) and online._client is None
    assert isinstance(offline, OfflineGeocoder)
    assert not (tmp_path / "gz").exists()
    await online.close()
    await offline.close()


async def test_the_offline_geocoder_uses_only_the_gazetteer(db: Database) -> None:
    geocoder = make_geocoder(Settings(geocoder="offline"), db, now=lambda: NOW)

    result = await geocoder.geocode("Portland, Maine")

    assert (result.source, result.place.admin) == ("gazetteer", "Maine")
    await geocoder.close()
