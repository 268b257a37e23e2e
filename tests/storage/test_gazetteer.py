"""The offline gazetteer on the real shipped file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.domain.errors import UserError
from bot.domain.places import fold_name
from bot.storage.gazetteer import SCHEMA_VERSION, SHIPPED, Gazetteer, ensure_index, index_name


@pytest.fixture(scope="module")
def gazetteer() -> Iterator[Gazetteer]:
    opened = Gazetteer.open(ensure_index())
    yield opened
    opened.close()


def test_a_plain_city_name_is_found(gazetteer: Gazetteer) -> None:
    result = gazetteer.lookup("Berlin")

    assert (result.place.name, result.place.country) == ("Berlin", "DE")
    assert result.place.timezone == "Europe/Berlin"
    assert result.place.coordinates == (52.52, 13.41)
    assert result.source == "gazetteer"
    assert result.hint is None


@pytest.mark.parametrize("typed", ["Portland, OR", "Portland, Oregon", "Portland OR", "portland oregon"])
def test_a_us_state_code_or_name_picks_that_states_city(gazetteer: Gazetteer, typed: str) -> None:
    place = gazetteer.lookup(typed).place

    assert (place.name, place.admin, place.admin_code, place.country) == ("Portland", "Oregon", "OR", "US")
    assert place.timezone == "America/Los_Angeles"


def test_portland_maine_is_not_portland_oregon(gazetteer: Gazetteer) -> None:
    place = gazetteer.lookup("Portland, Maine").place

    assert (place.name, place.admin, place.country) == ("Portland", "Maine", "US")
    assert place.timezone == "America/New_York"


def test_accents_do_not_matter(gazetteer: Gazetteer) -> None:
    plain = gazetteer.lookup("Sao Paulo").place
    accented = gazetteer.lookup("São Paulo").place

    assert plain == accented
    assert (accented.name, accented.country) == ("São Paulo", "BR")


def test_well_known_abbreviations_are_understood(gazetteer: Gazetteer) -> None:
    assert gazetteer.lookup("NYC").place.name == "New York City"
    assert gazetteer.lookup("New York, NY").place.name == "New York City"
    assert gazetteer.lookup("SF").place.name == "San Francisco"
    assert gazetteer.lookup("Washington, D.C.").place.admin_code == "DC"


def test_an_ambiguous_name_picks_the_most_populous_and_says_how_to_be_precise(gazetteer: Gazetteer) -> None:
    result = gazetteer.lookup("Springfield")

    assert (result.place.name, result.place.admin_code) == ("Springfield", "MO")
    assert result.hint is not None
    assert "Several places are called Springfield" in result.hint
    assert "I picked Springfield, Missouri, US" in result.hint
    assert "`Springfield, MA`" in result.hint


def test_the_precise_form_the_hint_suggests_finds_that_place(gazetteer: Gazetteer) -> None:
    result = gazetteer.lookup("Springfield, MA")

    assert (result.place.admin, result.place.admin_code) == ("Massachusetts", "MA")
    assert result.hint is None


def test_a_much_bigger_namesake_wins_without_a_hint(gazetteer: Gazetteer) -> None:
    result = gazetteer.lookup("London")

    assert (result.place.name, result.place.country, result.place.admin) == ("London", "GB", "England")
    assert result.hint is None


@pytest.mark.parametrize("typed", ["London, Ontario", "London, ON", "London, CA", "London, Canada"])
def test_a_region_or_country_picks_the_smaller_namesake(gazetteer: Gazetteer, typed: str) -> None:
    place = gazetteer.lookup(typed).place

    assert (place.name, place.admin, place.country) == ("London", "Ontario", "CA")
    assert place.timezone == "America/Toronto"


def test_an_unknown_place_is_refused_with_an_example(gazetteer: Gazetteer) -> None:
    with pytest.raises(UserError) as refused:
        gazetteer.lookup("Xqzzyville")

    assert "Xqzzyville" in refused.value.message
    assert refused.value.example == "Lisbon, Portugal"


def test_a_country_alone_is_refused_asking_for_a_city(gazetteer: Gazetteer) -> None:
    with pytest.raises(UserError) as refused:
        gazetteer.lookup("Germany")

    assert "which city" in refused.value.message
    assert refused.value.example == "Lisbon, Portugal"


def test_text_naming_no_city_at_all_is_refused(gazetteer: Gazetteer) -> None:
    with pytest.raises(UserError):
        gazetteer.lookup("12345, ,")


def test_a_street_address_is_reduced_to_its_city(gazetteer: Gazetteer) -> None:
    result = gazetteer.lookup("Rosenthaler Str. 40, 10178 Berlin, Germany")

    assert (result.place.name, result.place.country) == ("Berlin", "DE")
    assert result.query == "Berlin, Germany"
    assert "Rosenthaler" not in repr(result) and "40" not in result.query


def test_a_district_before_the_city_does_not_hide_the_city(gazetteer: Gazetteer) -> None:
    assert gazetteer.lookup("Victoria, London").place.country == "GB"
    assert gazetteer.lookup("10 Downing St, London SW1A 2AA, UK").place.name == "London"


def test_the_nearest_town_gives_a_timezone_for_coordinates(gazetteer: Gazetteer) -> None:
    near_portland = gazetteer.nearest(45.5, -122.6)
    mid_pacific = gazetteer.nearest(0.0, -140.0)

    assert near_portland is not None and near_portland.timezone == "America/Los_Angeles"
    assert mid_pacific is None


def test_the_shipped_file_was_built_with_todays_name_folding(gazetteer: Gazetteer) -> None:
    """If fold_name changes, the shipped file must be rebuilt (and SCHEMA_VERSION bumped)."""
    conn = sqlite3.connect(f"{ensure_index().as_uri()}?mode=ro", uri=True)
    try:
        names = conn.execute("SELECT id, name FROM place ORDER BY population DESC LIMIT 3000").fetchall()
        stale = [
            name
            for place_id, name in names
            if not conn.execute(
                "SELECT 1 FROM name WHERE key = ? AND place_id = ?", (fold_name(name), place_id)
            ).fetchone()
        ]
    finally:
        conn.close()
    assert stale == []


def test_the_shipped_file_is_unpacked_once_into_the_cache_folder(tmp_path: Path) -> None:
    first = ensure_index(tmp_path)
    modified = first.stat().st_mtime_ns

    again = ensure_index(tmp_path)

    assert first == again == tmp_path / index_name()
    assert again.stat().st_mtime_ns == modified
    assert [p.name for p in tmp_path.iterdir()] == [first.name]
    assert SHIPPED.stat().st_size < 10_000_000


def test_a_gazetteer_of_another_schema_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "old.sqlite"
    conn = sqlite3.connect(other)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()

    with pytest.raises(RuntimeError, match="rebuild"):
        Gazetteer.open(other)


def test_the_gazetteer_is_opened_read_only(gazetteer: Gazetteer) -> None:
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        gazetteer._conn.execute("DELETE FROM place")
