"""Safety rules that need no Discord: what reads as a private place, report reasons, pause periods,
who may be blocked, and the shared history a report keeps."""

from __future__ import annotations

import pytest

from bot.domain.errors import UserError
from bot.domain.safety import (
    ContextKind,
    SharedContext,
    Together,
    check_block,
    check_report,
    decode_context,
    encode_context,
    looks_private,
    parse_pause,
    recent_first,
    validate_reason,
)


@pytest.mark.parametrize(
    "place",
    [
        "12 High St",
        "12 High Street, London",
        "221B Baker Street",
        "Main Street 5",
        "Hauptstraße 5, 10115 Berlin",
        "Lindenweg 12",
        "5 rue de Rivoli, Paris",
        "Calle Mayor 3",
        "Kalverstraat 92",
        "12-14 Elm Road",
        "my place",
        "My house (ring twice)",
        "At mine!",
        "our flat in Kreuzberg",
        "Café Central, flat 3",
        "Apt 4B, 300 Main St",
        "bei mir",
        "chez moi",
    ],
)
def test_home_addresses_and_my_place_read_as_private(place: str) -> None:
    assert looks_private(place)


@pytest.mark.parametrize(
    "place",
    [
        "Café Central",
        "Café Central, Main Street 5",
        "Starbucks, 12 High St",
        "City Library",
        "Central Library, Room 2",
        "The Crown pub, 12 High St",
        "12 High St (The Crown pub)",
        "Hauptstraße 5 (Café Einstein)",
        "Volkspark Friedrichshain",
        "Platform 9",
        "Online",
        "To be announced",
        "24/7 Diner",
        "3 Arts Club",
        "Alexanderplatz",
        "",
    ],
)
def test_venues_and_public_places_do_not(place: str) -> None:
    assert not looks_private(place)


def test_a_reason_keeps_its_lines_without_blank_runs() -> None:
    assert validate_reason("  He kept   following me\n\n\n after the meetup.  ") == (
        "He kept following me\nafter the meetup."
    )


@pytest.mark.parametrize("reason", ["", "   \n\t "])
def test_an_empty_reason_is_refused_with_an_example(reason: str) -> None:
    with pytest.raises(UserError) as refused:
        validate_reason(reason)
    assert refused.value.example and refused.value.example.startswith("/report member:")


def test_a_reason_over_the_limit_is_refused() -> None:
    with pytest.raises(UserError, match="under 1000 characters"):
        validate_reason("x" * 1001)


@pytest.mark.parametrize(
    ("text", "seconds"), [("30 days", 30 * 86400), ("2 weeks", 14 * 86400), ("1h", 3600)]
)
def test_a_pause_reads_the_one_duration_grammar(text: str, seconds: int) -> None:
    assert parse_pause(text) == seconds


@pytest.mark.parametrize("text", ["30m", "400 days", "forever", ""])
def test_a_pause_out_of_range_or_unreadable_is_refused(text: str) -> None:
    with pytest.raises(UserError):
        parse_pause(text)


def test_nobody_blocks_or_reports_themselves_or_a_bot() -> None:
    with pytest.raises(UserError, match="yourself"):
        check_block(1, 1, other_is_bot=False)
    with pytest.raises(UserError, match="Bots"):
        check_block(1, 2, other_is_bot=True)
    with pytest.raises(UserError, match="yourself"):
        check_report(1, 1, reported_is_bot=False)
    with pytest.raises(UserError, match="Bots"):
        check_report(1, 2, reported_is_bot=True)


def test_shared_context_round_trips_and_keeps_the_most_recent_first() -> None:
    items = [
        SharedContext(ContextKind.PAIRING, 1, 100, Together.GROUP),
        SharedContext(ContextKind.MEETUP, 4, 300, Together.ANSWERED, "Board games", ("going", "maybe")),
        SharedContext(ContextKind.MEETUP, 5, 200, Together.CAME, "Hike"),
    ]
    kept = recent_first(items, limit=2)

    assert [item.number for item in kept] == [4, 5]
    assert decode_context(encode_context(items)) == tuple(items)
    assert decode_context("not json") == () and decode_context('{"a": 1}') == ()
