"""SQL for the geocode cache: online answers kept at city level, keyed by the normalised query.

No member id is stored here (the same city typed by anybody is one row), so it is not member
data; and the schema itself refuses coordinates finer than two decimals (about 1 km).
"""

from __future__ import annotations

from bot.domain.places import Place
from bot.storage.database import Database


class GeocodeCacheRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, query: str) -> Place | None:
        row = await self.db.fetchone(
            "SELECT name, admin, country, latitude, longitude, timezone FROM geocode_cache WHERE query = ?",
            (query,),
        )
        if row is None:
            return None
        return Place(
            name=row["name"],
            admin=row["admin"],
            country=row["country"],
            latitude=row["latitude"],
            longitude=row["longitude"],
            timezone=row["timezone"],
        )

    async def put(self, query: str, place: Place, now: int) -> None:
        """Remember (or refresh) the answer for ``query``; only city-level fields are written."""
        await self.db.execute(
            "INSERT INTO geocode_cache "
            "(query, name, admin, country, latitude, longitude, timezone, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (query) DO UPDATE SET name = excluded.name, admin = excluded.admin, "
            "country = excluded.country, latitude = excluded.latitude, longitude = excluded.longitude, "
            "timezone = excluded.timezone, created_at = excluded.created_at",
            (
                query,
                place.name,
                place.admin,
                place.country,
                round(place.latitude, 2),
                round(place.longitude, 2),
                place.timezone,
                now,
            ),
        )

    async def count(self) -> int:
        return int(await self.db.fetchval("SELECT count(*) FROM geocode_cache"))
