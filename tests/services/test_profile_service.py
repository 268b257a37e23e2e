"""The profile service on a real SQLite file, with a stand-in geocoder at the Geocoder seam.

The real geocoder (gazetteer + Nominatim) comes from branch geo; these tests pin what the service
does with any Geocoder: store the city-level place, pass the ambiguity hint on, refuse without
writing, and not look an unchanged city up twice.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.errors import UserError
from bot.domain.places import GeocodeResult, Place
from bot.domain.profiles import IntroForm
from bot.services.profiles import ProfileService
from bot.storage.database import Database
from bot.storage.profiles import ProfileRepository

GUILD, ALICE, BOB = 1, 11, 12
SPRINGFIELD = Place(
    "Springfield",
    "US",
    39.801055,
    -89.643604,
    admin="Illinois",
    timezone="America/Chicago",
    population=114394,
)


# What is stored of a place: everything but the population, which only served to pick it.
STORED_SPRINGFIELD = replace(SPRINGFIELD, population=0)


class StandInGeocoder:
    """Knows one ambiguous name; counts lookups."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    async def geocode(self, query: str) -> GeocodeResult:
        self.queries.append(query)
        if query.lower().startswith("12 main street"):  # reduced to its city, as the gazetteer does
            return GeocodeResult("Springfield", SPRINGFIELD, "gazetteer")
        if query.lower().startswith("springfield"):
            return GeocodeResult(
                query,
                SPRINGFIELD,
                "gazetteer",
                hint="Several places are called Springfield; "
                "I picked Springfield, Illinois. Be precise with e.g. Springfield, MA.",
            )
        raise UserError(f"I couldn't find “{query}”.", "Springfield, MA")


@pytest.fixture
def geocoder() -> StandInGeocoder:
    return StandInGeocoder()


@pytest.fixture
def service(db: Database, geocoder: StandInGeocoder) -> ProfileService:
    return ProfileService(ProfileRepository(db), geocoder=geocoder)


def form(city: str = "Springfield", **fields: str) -> IntroForm:
    values = {"about": "Hi.", "interests": "hiking", "city": city, "links": ""}
    values.update(fields)
    return IntroForm(**values)


async def test_the_geocoded_place_is_stored_at_city_level_with_its_timezone(service: ProfileService) -> None:
    saved = await service.save_intro(GUILD, ALICE, form(), now=100)

    profile = await service.get_profile(GUILD, ALICE)
    assert profile == saved.profile
    assert profile.city == "Springfield"
    assert profile.place == STORED_SPRINGFIELD
    assert (profile.place.latitude, profile.place.longitude) == (39.8, -89.64)
    assert profile.place.timezone == "America/Chicago"


async def test_an_ambiguous_city_hint_is_passed_to_the_member(service: ProfileService) -> None:
    saved = await service.save_intro(GUILD, ALICE, form(), now=100)

    assert saved.place_hint is not None and "Springfield, MA" in saved.place_hint


async def test_an_unknown_city_is_refused_and_nothing_is_stored(service: ProfileService) -> None:
    with pytest.raises(UserError, match="couldn't find"):
        await service.save_intro(GUILD, ALICE, form(city="Atlantis"), now=100)

    assert await service.get_profile(GUILD, ALICE) is None
    assert (await service.known_tags(GUILD)).tags == frozenset()


async def test_bad_interests_are_refused_before_any_lookup(
    service: ProfileService, geocoder: StandInGeocoder
) -> None:
    with pytest.raises(UserError):
        await service.save_intro(GUILD, ALICE, form(interests="x" * 41), now=100)

    assert geocoder.queries == []


async def test_an_unchanged_city_is_not_looked_up_again(
    service: ProfileService, geocoder: StandInGeocoder
) -> None:
    await service.save_intro(GUILD, ALICE, form(), now=100)
    again = await service.save_intro(GUILD, ALICE, form(about="Edited."), now=200)

    assert geocoder.queries == ["Springfield"]
    assert again.profile.place == STORED_SPRINGFIELD and again.place_hint is None


async def test_clearing_the_city_clears_the_place(service: ProfileService) -> None:
    await service.save_intro(GUILD, ALICE, form(), now=100)

    saved = await service.save_intro(GUILD, ALICE, form(city=""), now=200)

    assert saved.profile.city is None and saved.profile.place is None


async def test_without_a_geocoder_the_city_is_kept_as_typed(db: Database) -> None:
    service = ProfileService(ProfileRepository(db))

    saved = await service.save_intro(GUILD, ALICE, form(city="  Springfield,  MA "), now=100)

    assert saved.profile.city == "Springfield, MA" and saved.profile.place is None


async def test_known_tags_are_cached_until_a_profile_changes(service: ProfileService) -> None:
    await service.save_intro(GUILD, ALICE, form(interests="javascript"), now=100)
    first = await service.known_tags(GUILD)
    assert await service.known_tags(GUILD) is first

    await service.save_intro(GUILD, BOB, form(interests="javascrpt, rust"), now=200)

    assert (await service.known_tags(GUILD)).tags == {"javascript", "rust"}


async def test_listeners_hear_about_each_change(service: ProfileService) -> None:
    heard: list[tuple[int, int]] = []
    service.on_change(lambda guild, member: heard.append((guild, member)))

    await service.save_intro(GUILD, ALICE, form(), now=100)
    await service.set_preference(GUILD, BOB, "discoverable", False, now=200)

    assert heard == [(GUILD, ALICE), (GUILD, BOB)]


async def test_touch_activity_records_only_for_members_with_a_profile(service: ProfileService) -> None:
    await service.save_intro(GUILD, ALICE, form(), now=100)

    assert await service.touch_activity(GUILD, ALICE, now=500) is True
    assert await service.touch_activity(GUILD, BOB, now=500) is False
    profile = await service.get_profile(GUILD, ALICE)
    assert profile is not None and profile.last_active == 500


async def test_removing_a_tag_drops_it_from_the_known_tags(service: ProfileService) -> None:
    await service.save_intro(GUILD, ALICE, form(interests="javascript, pottery"), now=100)
    assert "pottery" in (await service.known_tags(GUILD)).tags

    await service.save_intro(GUILD, ALICE, form(interests="javascript"), now=200)

    assert (await service.known_tags(GUILD)).tags == {"javascript"}


async def test_a_street_address_is_stored_as_the_geocoders_city_level_text(service: ProfileService) -> None:
    saved = await service.save_intro(GUILD, ALICE, form(city="12 Main Street, Springfield"), now=100)

    assert saved.profile.city == "Springfield"
    assert saved.profile.place == STORED_SPRINGFIELD
