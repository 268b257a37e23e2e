"""The geocode cache on a real SQLite file with the real migrations."""

from __future__ import annotations

import pytest

from bot.domain.places import Place
from bot.storage.database import Database
from bot.storage.geocode_cache import GeocodeCacheRepository
from bot.storage.member_data import MEMBER_COLUMN
from tests.conftest import INTEGRITY_ERRORS

PORTLAND = Place(
    name="Portland",
    country="US",
    latitude=45.523,
    longitude=-122.676,
    admin="Oregon",
    timezone="America/Los_Angeles",
)


async def test_a_remembered_answer_comes_back_at_city_level(db: Database) -> None:
    repo = GeocodeCacheRepository(db)

    await repo.put("portland or", PORTLAND, now=100)

    assert await repo.get("portland or") == Place(
        name="Portland",
        country="US",
        latitude=45.52,
        longitude=-122.68,
        admin="Oregon",
        timezone="America/Los_Angeles",
    )
    assert await repo.get("portland me") is None


async def test_a_second_answer_for_the_same_query_replaces_the_first(db: Database) -> None:
    repo = GeocodeCacheRepository(db)
    await repo.put("portland", PORTLAND, now=100)

    await repo.put(
        "portland", Place(name="Portland", country="US", latitude=43.66, longitude=-70.26), now=200
    )

    assert (await repo.get("portland")).latitude == 43.66  # type: ignore[union-attr]
    assert await repo.count() == 1
    assert await db.fetchval("SELECT created_at FROM geocode_cache") == 200


async def test_the_schema_refuses_street_precise_coordinates(db: Database) -> None:
    with pytest.raises(INTEGRITY_ERRORS):
        await db.execute(
            "INSERT INTO geocode_cache (query, name, country, latitude, longitude, created_at) "
            "VALUES ('x', 'Berlin', 'DE', 52.529013, 13.401, 1)"
        )
    assert await GeocodeCacheRepository(db).count() == 0


async def test_the_cache_holds_no_member_data(db: Database) -> None:
    columns = {name for name, _, _ in await db.table_columns("geocode_cache")}

    assert columns == {"query", "name", "admin", "country", "latitude", "longitude", "timezone", "created_at"}
    assert not any(MEMBER_COLUMN.search(column) for column in columns)
