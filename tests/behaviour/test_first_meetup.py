"""A first meetup that feels safe: the note a member's first Going brings (by DM when their consent
allows, else in the answer to their click), once; and a gentle word to an organiser whose place
reads like a home address, never a refusal."""

from __future__ import annotations

import pytest
import simcord

from tests.behaviour.followup_world import FIRST_MEETUP_NOTE, all_dms, answer, create_meetup
from tests.behaviour.meetup_world import MeetupWorld, rsvp_id

pytestmark = [pytest.mark.simcord(settle_timeout=1.5), pytest.mark.world("meetups")]


def notes(member) -> list:
    return [m for m in all_dms(member) if m.content.startswith(FIRST_MEETUP_NOTE)]


async def test_the_first_going_brings_the_note_by_dm_once(world: MeetupWorld) -> None:
    first = await create_meetup(world)
    await world.alice.slash(
        world.general, "meetup create", title="Chess", when="2026-01-16 19:00", where="Library"
    )
    second = await world.meetup(2)

    clicked = await world.bob.click(world.announcement(first), custom_id=rsvp_id(first, "going"))
    await answer(world, second, world.bob)

    [note] = notes(world.bob)
    assert "meetup #1, at Café Central" in note.content
    for advice in ("public place", "Tell a friend", "Leave whenever you like", "`/report`", "`/block`"):
        assert advice in note.content
    assert FIRST_MEETUP_NOTE not in clicked.response.content  # it came by DM, not twice


async def test_with_dms_off_the_note_is_in_the_answer_to_the_click(world: MeetupWorld) -> None:
    meetup = await create_meetup(world)
    await world.bob.slash(world.general, "privacy dm", state="off")

    clicked = await world.bob.click(world.announcement(meetup), custom_id=rsvp_id(meetup, "going"))

    assert clicked.ephemeral and "You are going to meetup #1" in clicked.response.content
    assert FIRST_MEETUP_NOTE in clicked.response.content and "Café Central" in clicked.response.content
    assert all_dms(world.bob) == []
    again = await world.bob.click(world.announcement(meetup), custom_id=rsvp_id(meetup, "going"))
    assert FIRST_MEETUP_NOTE not in again.response.content


async def test_a_going_that_lands_on_the_waitlist_counts_and_maybe_does_not(world: MeetupWorld) -> None:
    meetup = await create_meetup(world, capacity=1)
    await answer(world, meetup, world.bob)

    await answer(world, meetup, world.carol)  # waitlisted
    await answer(world, meetup, world.dave, "maybe")

    assert len(notes(world.carol)) == 1 and notes(world.dave) == []


async def test_a_private_looking_place_gets_a_gentle_word_and_the_meetup_is_created(
    world: MeetupWorld, env: simcord.Env
) -> None:
    result = await world.alice.slash(
        world.general, "meetup create", title="Board games", when="2026-01-09 19:00", where="12 Elm Road"
    )

    assert "is announced" in result.response.content
    [warning] = result.followups
    assert warning.ephemeral and "looks like a private address" in warning.content
    assert "/meetup edit id:1 where:" in warning.content and "Nothing was changed" in warning.content
    assert (await world.meetup(1)).place == "12 Elm Road"


async def test_a_public_place_gets_no_word(world: MeetupWorld) -> None:
    result = await world.alice.slash(
        world.general,
        "meetup create",
        title="Board games",
        when="2026-01-09 19:00",
        where="Café Central, Main St 5",
    )

    assert result.followups == []


async def test_a_poll_names_only_the_places_that_look_private(world: MeetupWorld) -> None:
    result = await world.alice.slash(
        world.general,
        "meetup plan",
        title="Board games",
        times="2026-01-09 19:00",
        places="my place; City Library",
    )

    [warning] = result.followups
    assert "“my place” looks like a private address" in warning.content
    assert "City Library" not in warning.content


async def test_moving_a_meetup_to_a_private_place_gets_the_word_too(world: MeetupWorld) -> None:
    await create_meetup(world)

    result = await world.alice.slash(world.general, "meetup edit", id=1, where="Hauptstraße 5")

    assert "updated" in result.response.content
    [warning] = result.followups
    assert "“Hauptstraße 5” looks like a private address" in warning.content
