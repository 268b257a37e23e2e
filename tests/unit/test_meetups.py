"""Meetup rules: limits on what members type, RSVP decisions and waitlist ordering, map links."""

from __future__ import annotations

import pytest

from bot.domain.errors import UserError
from bot.domain.meetups import (
    RsvpStatus,
    check_capacity_change,
    decide_rsvp,
    map_url,
    promotions,
    read_places,
    validate_capacity,
    validate_min_attendees,
    validate_title,
)

GOING, MAYBE, NO, WAITLIST = RsvpStatus.GOING, RsvpStatus.MAYBE, RsvpStatus.NO, RsvpStatus.WAITLIST


# -- RSVP decisions -------------------------------------------------------------------------------


def test_going_with_room_is_going() -> None:
    assert decide_rsvp(GOING, None, going=1, capacity=2) is GOING


def test_going_when_full_joins_the_waitlist() -> None:
    assert decide_rsvp(GOING, MAYBE, going=2, capacity=2) is WAITLIST


def test_without_capacity_everyone_fits() -> None:
    assert decide_rsvp(GOING, None, going=999, capacity=None) is GOING


def test_asking_again_keeps_a_waitlist_place_even_if_a_place_looks_free() -> None:
    # Free places go to the head of the queue by promotion, never to whoever clicks again.
    assert decide_rsvp(GOING, WAITLIST, going=1, capacity=2) is WAITLIST


def test_going_members_are_never_bumped_by_their_own_click() -> None:
    assert decide_rsvp(GOING, GOING, going=5, capacity=2) is GOING


@pytest.mark.parametrize("wanted", [MAYBE, NO])
def test_maybe_and_no_are_taken_as_asked(wanted: RsvpStatus) -> None:
    assert decide_rsvp(wanted, GOING, going=2, capacity=2) is wanted
    assert decide_rsvp(wanted, WAITLIST, going=2, capacity=2) is wanted


def test_nobody_asks_for_the_waitlist_directly() -> None:
    with pytest.raises(ValueError):
        decide_rsvp(WAITLIST, None, going=0, capacity=1)


# -- waitlist ordering ----------------------------------------------------------------------------


def test_promotion_takes_the_first_in_the_queue() -> None:
    assert promotions([30, 10, 20], going=1, capacity=2) == [30]


def test_promotion_fills_every_free_place_in_order() -> None:
    assert promotions([30, 10, 20], going=1, capacity=3) == [30, 10]


def test_no_promotion_when_still_full() -> None:
    assert promotions([30, 10], going=2, capacity=2) == []


def test_lifting_the_capacity_promotes_everyone() -> None:
    assert promotions([30, 10], going=2, capacity=None) == [30, 10]


def test_over_full_after_a_promotion_race_promotes_nobody() -> None:
    assert promotions([30], going=3, capacity=2) == []


def test_lowering_capacity_below_those_going_is_refused() -> None:
    with pytest.raises(UserError) as caught:
        check_capacity_change(2, going=3, number=7)
    assert caught.value.example == "/meetup edit id:7 capacity:3"
    check_capacity_change(3, going=3, number=7)


# -- what members type ----------------------------------------------------------------------------


def test_title_of_100_characters_is_fine_and_101_is_not() -> None:
    assert validate_title("a" * 100) == "a" * 100
    with pytest.raises(UserError, match="at most 100"):
        validate_title("a" * 101)


def test_title_whitespace_is_tidied() -> None:
    assert validate_title("  Board   games \n night ") == "Board games night"


@pytest.mark.parametrize("capacity", [1, 1000, None])
def test_capacity_bounds_accept(capacity: int | None) -> None:
    assert validate_capacity(capacity) == capacity


@pytest.mark.parametrize("capacity", [0, -3, 1001])
def test_capacity_bounds_refuse_with_an_example(capacity: int) -> None:
    with pytest.raises(UserError) as caught:
        validate_capacity(capacity)
    assert caught.value.example


def test_min_attendees_cannot_exceed_capacity() -> None:
    assert validate_min_attendees(5, 5) == 5
    with pytest.raises(UserError, match="between 1 and 5"):
        validate_min_attendees(6, 5)


def test_places_are_split_on_semicolons_in_order() -> None:
    assert read_places(" Café Central ; City  Library;;") == ["Café Central", "City Library"]


def test_no_places_is_fine() -> None:
    assert read_places(None) == []
    assert read_places(" ; ") == []


def test_more_than_ten_places_is_refused() -> None:
    with pytest.raises(UserError, match="at most 10 places"):
        read_places("; ".join(f"Place {n}" for n in range(11)))


def test_the_same_place_twice_is_refused() -> None:
    with pytest.raises(UserError, match="Places 1 and 2"):
        read_places("Park; park")


def test_map_link_searches_openstreetmap_for_the_place_as_typed() -> None:
    assert map_url("Café Central, Wien") == (
        "https://www.openstreetmap.org/search?query=Caf%C3%A9+Central%2C+Wien"
    )
    assert map_url("To be announced") is None
