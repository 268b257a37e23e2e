"""Guild settings rows on a real SQLite file."""

from __future__ import annotations

import pytest

from bot.domain.date_order import DateOrder
from bot.domain.guild_settings import Cadence, GuildSettings, Purpose
from bot.storage.guild_settings import GuildSettingsRepository
from tests.conftest import INTEGRITY_ERRORS


@pytest.fixture
def repo(db) -> GuildSettingsRepository:
    return GuildSettingsRepository(db)


async def test_unknown_server_gets_defaults(repo: GuildSettingsRepository) -> None:
    assert await repo.get(42) == GuildSettings(guild_id=42)


async def test_values_round_trip(repo: GuildSettingsRepository) -> None:
    await repo.set_channel(1, Purpose.MEETUPS, 555, now=1)
    await repo.set_channel(1, Purpose.MEETUPS, 556, now=2)
    await repo.set_timezone(1, "Europe/Berlin", now=3)
    await repo.set_reminder_offsets(1, (7200, 600), now=4)
    await repo.set_pairing(1, Cadence.MONTHLY, 4, now=5)

    settings = await repo.get(1)

    assert settings.channels == {Purpose.MEETUPS: 556}
    assert settings.timezone == "Europe/Berlin"
    assert settings.reminder_offsets == (7200, 600)
    assert (settings.pairing_cadence, settings.pairing_size) == (Cadence.MONTHLY, 4)
    assert await repo.get(2) == GuildSettings(guild_id=2)


async def test_the_schema_refuses_an_impossible_pairing_size(repo: GuildSettingsRepository) -> None:

    with pytest.raises(INTEGRITY_ERRORS):
        await repo.set_pairing(1, Cadence.WEEKLY, 9, now=1)
    assert (await repo.get(1)).pairing_size == 2


async def test_retention_defaults_to_thirty_days_and_round_trips(repo: GuildSettingsRepository) -> None:
    assert (await repo.get(1)).retention == 30 * 86400

    await repo.set_retention(1, 7 * 86400, now=1)

    assert (await repo.get(1)).retention == 7 * 86400
    assert (await repo.get(2)).retention == 30 * 86400


async def test_date_order_follows_the_timezone_until_set(repo: GuildSettingsRepository) -> None:
    await repo.set_timezone(1, "America/Chicago", now=1)
    assert (await repo.get(1)).date_order is None
    assert (await repo.get(1)).dates is DateOrder.MONTH_DAY

    await repo.set_date_order(1, DateOrder.DAY_MONTH, now=2)

    assert (await repo.get(1)).date_order is DateOrder.DAY_MONTH
    assert (await repo.get(1)).dates is DateOrder.DAY_MONTH
    assert (await repo.get(2)).dates is DateOrder.DAY_MONTH  # UTC: day-month


async def test_the_schema_refuses_an_unknown_date_order(repo: GuildSettingsRepository) -> None:

    await repo.set_timezone(1, "Europe/Berlin", now=1)
    with pytest.raises(INTEGRITY_ERRORS):
        await repo.db.execute("UPDATE guild_settings SET date_order = 'year-day' WHERE guild_id = 1")
