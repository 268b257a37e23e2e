"""Which way round numeric dates are read before an admin chooses: the server's timezone decides."""

from __future__ import annotations

import pytest

from bot.domain.date_order import DateOrder, default_date_order
from bot.domain.guild_settings import GuildSettings
from bot.domain.timezones import all_timezones


@pytest.mark.parametrize(
    "tz",
    ["America/New_York", "America/Los_Angeles", "America/Indiana/Knox", "Pacific/Honolulu", "US/Eastern",
     "America/Puerto_Rico", "America/Toronto", "America/Vancouver"],
)  # fmt: skip
def test_us_style_zones_of_the_americas_read_month_first(tz: str) -> None:
    assert default_date_order(tz) is DateOrder.MONTH_DAY


@pytest.mark.parametrize(
    "tz",
    ["Europe/Berlin", "Europe/London", "Asia/Tokyo", "America/Mexico_City", "America/Sao_Paulo",
     "America/Bogota", "Australia/Sydney", "UTC", None],
)  # fmt: skip
def test_everywhere_else_reads_day_first(tz: str | None) -> None:
    assert default_date_order(tz) is DateOrder.DAY_MONTH


def test_every_month_first_zone_is_a_real_name() -> None:
    from bot.domain import date_order

    assert set(all_timezones()) >= date_order._MONTH_FIRST_ZONES


def test_an_admins_choice_wins_over_the_timezone() -> None:
    chosen = GuildSettings(guild_id=1, timezone="America/New_York", date_order=DateOrder.DAY_MONTH)

    assert chosen.dates is DateOrder.DAY_MONTH
    assert GuildSettings(guild_id=1, timezone="America/New_York").dates is DateOrder.MONTH_DAY
