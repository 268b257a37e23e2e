"""/sandbox view's places: what a member reads, picks and types (bot.sandbox.controls, pure)."""

from __future__ import annotations

from bot.sandbox.controls import DMS_LABEL, LABEL_LIMIT, Place, find_place, labelled, matching

PLACES = labelled(
    [
        ("#general", 1),
        ("#meetups", 2),
        ("#meetups › Board game night", 3),
        ("#pairing › Round 1: ben, elif", 4),
        (DMS_LABEL, None),
    ]
)


def test_a_channel_is_found_with_or_without_its_hash_in_any_case() -> None:
    for typed in ("#meetups", "meetups", " MEETUPS ", "2"):
        assert find_place(PLACES, typed) == Place("#meetups", 2), typed


def test_a_thread_is_found_by_its_label_however_the_arrow_is_typed() -> None:
    for typed in ("#meetups › Board game night", "meetups > board game night", "meetups>Board game night"):
        assert find_place(PLACES, typed) == Place("#meetups › Board game night", 3), typed


def test_dms_are_found_by_their_label_or_a_short_name() -> None:
    for typed in (DMS_LABEL, "dms", "DM", "direct messages"):
        assert find_place(PLACES, typed) == Place(DMS_LABEL, None), typed


def test_nothing_else_is_found() -> None:
    assert find_place(PLACES, "support") is None
    assert find_place(PLACES, "99") is None


def test_suggestions_match_what_is_typed_so_far_and_a_picked_one_still_matches() -> None:
    suggested = [place.label for place in matching(PLACES, "meetups")]
    assert suggested == ["#meetups", "#meetups › Board game night"]
    assert [place.label for place in matching(PLACES, "#meetups › board")] == ["#meetups › Board game night"]
    assert len(matching(PLACES, "")) == len(PLACES)


def test_labels_fit_a_choice_and_two_threads_of_the_same_name_stay_apart() -> None:
    long_name = "#pairing › " + "x" * 120
    places = labelled([("#pairing › Round 1", 1), ("#pairing › Round 1", 2), (long_name, 3), (long_name, 4)])

    assert [place.label for place in places[:2]] == ["#pairing › Round 1", "#pairing › Round 1 (2)"]
    assert all(len(place.label) <= LABEL_LIMIT for place in places)
    assert places[2].label.endswith("…") and places[3].label.endswith("… (2)")
    assert find_place(places, places[3].label) == places[3]
