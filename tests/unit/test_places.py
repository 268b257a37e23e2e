"""City-level places: name folding, address reduction, distances."""

from __future__ import annotations

import pytest

from bot.domain.places import Place, city_parts, distance_km, fold_name


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("São Paulo", "sao paulo"),
        ("SAO-PAULO", "sao paulo"),
        ("St. John's", "saint johns"),
        ("Saint Johns", "saint johns"),
        ("Łódź", "lodz"),
        ("Düsseldorf", "dusseldorf"),
        ("D.C.", "dc"),
        ("  new   york ", "new york"),
    ],
)
def test_names_fold_case_accents_and_punctuation_alike(typed: str, folded: str) -> None:
    assert fold_name(typed) == folded


@pytest.mark.parametrize(
    ("typed", "parts"),
    [
        ("Rosenthaler Str. 40, 10178 Berlin, Germany", ["Berlin", "Germany"]),
        ("221B Baker Street, London NW1 6XE, UK", ["London", "UK"]),
        ("Friedrichstraße 12, Berlin", ["Berlin"]),
        ("350 5th Ave, New York, NY 10118", ["New York", "NY"]),
        ("Portland, OR", ["Portland", "OR"]),
        ("St. Louis", ["St. Louis"]),
        ("12345", []),
    ],
)
def test_an_address_is_reduced_to_the_parts_that_can_name_a_city(typed: str, parts: list[str]) -> None:
    assert city_parts(typed) == parts


def test_a_place_never_holds_coordinates_finer_than_city_precision() -> None:
    place = Place(name="Berlin", country="DE", latitude=52.520008, longitude=13.404954)

    assert place.coordinates == (52.52, 13.4)


def test_distances_are_geodesic_kilometres_between_places_or_pairs() -> None:
    berlin = Place(name="Berlin", country="DE", latitude=52.52, longitude=13.40)
    paris = (48.85, 2.35)

    assert distance_km(berlin, paris) == pytest.approx(878, abs=5)
    assert distance_km(paris, berlin) == pytest.approx(distance_km(berlin, paris))
    assert distance_km(berlin, berlin) == 0
