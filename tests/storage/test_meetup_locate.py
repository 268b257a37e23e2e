"""The geocoding seam: with a geocoder a meetup's place gets coordinates, without one it stays text."""

from __future__ import annotations

from bot.domain.errors import UserError
from bot.domain.places import GeocodeResult, Place
from bot.services.config import ConfigService
from bot.services.meetups import MeetupService
from bot.storage.database import Database
from bot.storage.guild_settings import GuildSettingsRepository
from bot.storage.meetups import MeetupRepository, NewMeetup


class FakeGeocoder:
    async def geocode(self, query: str) -> GeocodeResult:
        if query == "Nowhere":
            raise UserError("not found", "City, Country")
        return GeocodeResult(query, Place("Vienna", "AT", 48.2082, 16.3738), "gazetteer")


async def meetup_at(db: Database, place: str, geocoder: FakeGeocoder | None):
    repo = MeetupRepository(db)
    service = MeetupService(db, repo, ConfigService(GuildSettingsRepository(db)), geocoder)
    new = NewMeetup(1, "Games", 2_000_000, 2_007_200, "UTC", "fri 7pm", place, organiser_id=5)
    return await service.locate(await repo.add(new, now=1))


async def test_with_a_geocoder_the_place_gets_approximate_coordinates(db: Database) -> None:
    meetup = await meetup_at(db, "Café Central, Wien", FakeGeocoder())

    assert (meetup.latitude, meetup.longitude) == (48.21, 16.37)
    assert meetup.place == "Café Central, Wien"


async def test_a_place_the_geocoder_cannot_find_stays_text_with_its_map_link(db: Database) -> None:
    meetup = await meetup_at(db, "Nowhere", FakeGeocoder())

    assert (meetup.latitude, meetup.longitude) == (None, None)
    assert meetup.map_url == "https://www.openstreetmap.org/search?query=Nowhere"


async def test_without_a_geocoder_places_are_text(db: Database) -> None:
    meetup = await meetup_at(db, "Park", None)

    assert meetup.latitude is None
