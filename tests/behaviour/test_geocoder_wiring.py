"""The bot carries a geocoder for features to call; it makes no network use and closes cleanly."""

from __future__ import annotations

import simcord

from bot.services.geocoding import NominatimGeocoder, OfflineGeocoder
from tests.conftest import BotFactory


async def test_the_offline_bot_geocodes_with_the_gazetteer(env: simcord.Env) -> None:
    geocoder = env.bot.services.geocoder

    result = await geocoder.geocode("Portland, Maine")

    assert isinstance(geocoder, OfflineGeocoder)
    assert (result.place.name, result.place.admin, result.source) == ("Portland", "Maine", "gazetteer")


async def test_a_nominatim_bot_starts_without_touching_the_network(bot_factory: BotFactory) -> None:
    bot = bot_factory(geocoder="nominatim")
    async with simcord.run(bot) as env:
        geocoder = env.bot.services.geocoder
        assert isinstance(geocoder, NominatimGeocoder)
        assert geocoder._client is None
