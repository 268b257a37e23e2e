"""Timezone names admins type."""

from __future__ import annotations

import pytest

from bot.domain.errors import UserError
from bot.domain.timezones import all_timezones, search_timezones, validate_timezone


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        (" America/New York ", "America/New_York"),
        ("UTC", "UTC"),
    ],
)
def test_valid_names_are_canonicalised(typed: str, canonical: str) -> None:
    assert validate_timezone(typed) == canonical


@pytest.mark.parametrize("typed", ["Mars/Olympus", "CEST", "localtime", "Factory", "", "Berlin"])
def test_invalid_names_are_refused_with_an_example(typed: str) -> None:
    with pytest.raises(UserError) as caught:
        validate_timezone(typed)
    assert caught.value.example == "/config timezone name:Europe/Berlin"


def test_a_near_miss_suggests_names() -> None:
    with pytest.raises(UserError) as caught:
        validate_timezone("Berlin")
    assert "Europe/Berlin" in caught.value.message


def test_autocomplete_prefers_prefix_matches_on_any_part() -> None:
    assert search_timezones("new_y")[0] == "America/New_York"
    assert "Europe/London" in search_timezones("lond")


def test_autocomplete_is_capped_at_discords_limit() -> None:
    assert len(search_timezones("a")) == 25
    assert len(search_timezones("")) <= 25


def test_every_offered_name_validates() -> None:
    for name in all_timezones():
        assert validate_timezone(name) == name
