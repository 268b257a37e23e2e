"""Meetups through the real bot: create and announce, RSVPs with a waitlist, list and info."""

from __future__ import annotations

import json

import pytest
import simcord

from bot.domain.meetups import RsvpStatus
from tests.behaviour.followup_world import dms
from tests.behaviour.meetup_world import (
    FRIDAY_7PM,
    FRIDAY_7PM_EPOCH,
    TZ,
    MeetupWorld,
    build_meetup_world,
    button_labels,
    field,
    has_field,
    last_post,
    rsvp_id,
)
from tests.conftest import BotFactory, restart

pytestmark = pytest.mark.world("meetups")


async def create(world: MeetupWorld, **options):
    values = {"title": "Board games", "when": FRIDAY_7PM, "where": "Café Central"}
    values.update(options)
    return await world.alice.slash(world.general, "meetup create", **values)


async def rsvps(world: MeetupWorld, number: int) -> dict[int, RsvpStatus]:
    meetup = await world.meetup(number)
    stored = await world.bot.services.meetups.repo.rsvps(meetup.id)
    return {rsvp.member_id: rsvp.status for rsvp in stored}


async def test_create_announces_time_place_capacity_and_organiser_with_rsvp_buttons(
    world: MeetupWorld,
) -> None:
    result = await create(world, capacity=12, description="Bring a game.")

    assert result.ephemeral
    assert "Meetup #1 is announced" in result.response.content
    assert "Fri 9 Jan 2026, 19:00 (Europe/Berlin)" in result.response.content
    meetup = await world.meetup(1)
    assert (meetup.starts_at, meetup.tz, meetup.when_text) == (FRIDAY_7PM_EPOCH, TZ, FRIDAY_7PM)
    assert meetup.ends_at == FRIDAY_7PM_EPOCH + 2 * 3600
    assert (meetup.place, meetup.capacity, meetup.organiser_id) == ("Café Central", 12, world.alice.id)
    message = last_post(world.meetups)
    assert message.id == meetup.message_id
    embed = message.embeds[0]
    assert embed.title == "📅 Board games"
    assert embed.description == "Bring a game."
    assert f"<t:{FRIDAY_7PM_EPOCH}:F>" in field(embed, "When")
    assert "“2026-01-09 19:00” → Fri 9 Jan 2026, 19:00 (Europe/Berlin)" in field(embed, "When")
    assert field(embed, "Where") == (
        "[Café Central](https://www.openstreetmap.org/search?query=Caf%C3%A9+Central)"
    )
    assert field(embed, "Capacity") == "0 / 12 going"
    assert field(embed, "Organiser") == world.alice.mention
    assert "Meetup #1" in embed.footer.text
    assert button_labels(message) == ["Going (0)", "Maybe (0)", "Can't go (0)"]


async def test_create_before_the_meetups_channel_is_set_names_the_config_command(env: simcord.Env) -> None:
    world = await build_meetup_world(env, configure=False)

    result = await create(world)

    assert result.ephemeral
    assert "/config channel purpose:meetups" in result.response.content
    assert await world.bot.services.meetups.find(world.guild.id, 1) is None


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        ({"title": "x" * 101}, "at most 100 characters"),
        ({"title": "   "}, "Give the meetup a title"),
        ({"capacity": 0}, "1 to 1,000"),
        ({"capacity": 1001}, "1 to 1,000"),
        ({"when": "2025-12-31 19:00"}, "already past"),
        ({"when": "someday soon"}, "couldn't read"),
        ({"when": "fri 9"}, "9am or 9pm"),
        ({"where": "y" * 101}, "at most 100 characters"),
        ({"capacity": 5, "min_attendees": 6}, "min_attendees must be between 1 and 5"),
        ({"description": "z" * 1001}, "at most 1000 characters"),
    ],
)
async def test_bad_input_is_refused_with_an_example_and_nothing_changes(
    world: MeetupWorld, options: dict, complaint: str
) -> None:
    result = await create(world, **options)

    text = result.response.content
    assert result.ephemeral
    assert complaint in text
    assert "Try: " in text
    assert await world.bot.services.meetups.find(world.guild.id, 1) is None
    assert last_post(world.meetups) is None
    assert list(world.bot.get_guild(world.guild.id).scheduled_events) == []


async def test_when_the_announcement_cannot_be_posted_nothing_is_left_behind(
    world: MeetupWorld, env: simcord.Env
) -> None:
    env.inject_error("POST", f"/channels/{world.meetups.id}/messages", status=403, message="Missing Access")

    result = await create(world)

    assert "I couldn't post in" in result.response.content
    assert "Try: /config channel purpose:meetups" in result.response.content
    assert await world.bot.services.meetups.find(world.guild.id, 1) is None
    assert list(world.bot.get_guild(world.guild.id).scheduled_events) == []


async def test_going_maybe_and_cant_go_update_the_live_counts(world: MeetupWorld) -> None:
    await create(world)
    meetup = await world.meetup(1)
    message = world.announcement(meetup)

    going = await world.bob.click(message, custom_id=rsvp_id(meetup, "going"))
    await world.carol.click(message, custom_id=rsvp_id(meetup, "maybe"))
    await world.dave.click(message, custom_id=rsvp_id(meetup, "no"))

    assert going.ephemeral and "You are going to meetup #1" in going.response.content
    message = world.announcement(meetup)
    assert button_labels(message) == ["Going (1)", "Maybe (1)", "Can't go (1)"]
    embed = message.embeds[0]
    assert field(embed, "Going (1)") == world.bob.mention
    assert field(embed, "Maybe (1)") == world.carol.mention
    assert await rsvps(world, 1) == {
        world.bob.id: RsvpStatus.GOING,
        world.carol.id: RsvpStatus.MAYBE,
        world.dave.id: RsvpStatus.NO,
    }


async def test_changing_an_answer_moves_the_member(world: MeetupWorld) -> None:
    await create(world)
    meetup = await world.meetup(1)

    await world.bob.click(world.announcement(meetup), custom_id=rsvp_id(meetup, "going"))
    await world.bob.click(world.announcement(meetup), custom_id=rsvp_id(meetup, "maybe"))

    assert button_labels(world.announcement(meetup)) == ["Going (0)", "Maybe (1)", "Can't go (0)"]
    assert await rsvps(world, 1) == {world.bob.id: RsvpStatus.MAYBE}


async def test_capacity_two_with_three_going_waitlists_the_third_and_promotes_them_by_dm(
    world: MeetupWorld,
) -> None:
    await create(world, capacity=2)
    meetup = await world.meetup(1)
    message = world.announcement(meetup)
    await world.alice.click(message, custom_id=rsvp_id(meetup, "going"))
    await world.bob.click(message, custom_id=rsvp_id(meetup, "going"))

    third = await world.carol.click(message, custom_id=rsvp_id(meetup, "going"))
    fourth = await world.dave.click(message, custom_id=rsvp_id(meetup, "going"))

    assert "is full, so you are **#1** on the waitlist" in third.response.content
    assert "**#2** on the waitlist" in fourth.response.content
    embed = world.announcement(meetup).embeds[0]
    assert field(embed, "Capacity") == "2 / 2 going · **full**, 2 on the waitlist"
    assert field(embed, "Waitlist (2)") == f"{world.carol.mention} {world.dave.mention}"

    await world.bob.click(message, custom_id=rsvp_id(meetup, "no"))

    assert await rsvps(world, 1) == {
        world.alice.id: RsvpStatus.GOING,
        world.bob.id: RsvpStatus.NO,
        world.carol.id: RsvpStatus.GOING,
        world.dave.id: RsvpStatus.WAITLIST,
    }
    dm = world.carol.user.dm_channel.last_message
    assert dm is not None and "you're now **going** to meetup #1" in dm.content
    assert dms(world.dave) == []
    embed = world.announcement(meetup).embeds[0]
    assert field(embed, "Capacity") == "2 / 2 going · **full**, 1 on the waitlist"
    assert field(embed, "Going (2)") == f"{world.alice.mention} {world.carol.mention}"


async def test_asking_again_keeps_ones_place_on_the_waitlist(world: MeetupWorld) -> None:
    await create(world, capacity=1)
    meetup = await world.meetup(1)
    message = world.announcement(meetup)
    await world.alice.click(message, custom_id=rsvp_id(meetup, "going"))
    await world.bob.click(message, custom_id=rsvp_id(meetup, "going"))
    await world.carol.click(message, custom_id=rsvp_id(meetup, "going"))

    again = await world.bob.click(message, custom_id=rsvp_id(meetup, "going"))

    assert "**#1** on the waitlist" in again.response.content
    assert await world.bot.services.meetups.members(meetup, RsvpStatus.WAITLIST) == [
        world.bob.id,
        world.carol.id,
    ]


async def test_a_promoted_member_who_cannot_be_dmed_is_told_in_the_meetup_thread(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await create(world, capacity=1)
    meetup = await world.meetup(1)
    message = world.announcement(meetup)
    await world.alice.click(message, custom_id=rsvp_id(meetup, "going"))
    await world.bob.click(message, custom_id=rsvp_id(meetup, "going"))
    dm = world.bob.user.dm_channel
    env.inject_error(
        "POST",
        f"/channels/{dm.id}/messages",
        status=403,
        code=50007,
        message="Cannot send messages to this user",
    )

    await world.alice.click(message, custom_id=rsvp_id(meetup, "maybe"))

    assert (await rsvps(world, 1))[world.bob.id] is RsvpStatus.GOING
    assert dms(world.bob) == []
    [thread] = world.meetups.threads
    notice = thread.last_message
    assert world.bob.mention in notice.content and "couldn't DM you" in notice.content
    assert (await world.meetup(1)).thread_id == thread.id


async def test_rsvp_buttons_keep_working_after_a_restart(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await create(world)
    meetup = await world.meetup(1)
    message = world.announcement(meetup)

    await restart(env, bot_factory)
    result = await world.bob.click(message, custom_id=rsvp_id(meetup, "going"))

    assert "You are going" in result.response.content
    assert button_labels(world.announcement(meetup))[0] == "Going (1)"


async def test_list_shows_upcoming_meetups_soonest_first(world: MeetupWorld) -> None:
    await create(world, title="Later", when="2026-02-01 18:00")
    await create(world, title="Sooner", when="2026-01-05 18:00")

    result = await world.bob.slash(world.general, "meetup list")

    assert result.ephemeral
    listed = field(result.response.embeds[0], "Meetups")
    assert listed.index("**#2** Sooner") < listed.index("**#1** Later")
    assert "[RSVP](https://discord.com/channels/" in listed


async def test_list_on_a_quiet_server_says_how_to_start(world: MeetupWorld) -> None:
    result = await world.bob.slash(world.general, "meetup list")

    assert "/meetup plan" in result.response.embeds[0].description


async def test_info_shows_the_meetup_with_who_is_going(world: MeetupWorld) -> None:
    await create(world)
    meetup = await world.meetup(1)
    await world.bob.click(world.announcement(meetup), custom_id=rsvp_id(meetup, "going"))

    result = await world.carol.slash(world.general, "meetup info", id=1)

    assert result.ephemeral
    embed = result.response.embeds[0]
    assert embed.title == "📅 Board games"
    assert field(embed, "Going (1)") == world.bob.mention
    assert meetup.jump_url in result.response.content


async def test_info_for_an_unknown_number_points_to_the_list(world: MeetupWorld) -> None:
    result = await world.carol.slash(world.general, "meetup info", id=42)

    assert "no meetup #42" in result.response.content
    assert "Try: /meetup list" in result.response.content


async def test_meetup_numbers_are_per_server(world: MeetupWorld, env: simcord.Env) -> None:
    await create(world)
    other = await build_meetup_world(env, name="Another Server")

    await other.alice.slash(other.general, "meetup create", title="Elsewhere", when=FRIDAY_7PM, where="Park")

    assert (await other.meetup(1)).title == "Elsewhere"
    assert (await world.meetup(1)).title == "Board games"
    result = await other.bob.slash(other.general, "meetup info", id=1)
    assert result.response.embeds[0].title == "📅 Elsewhere"
    assert not has_field(result.response.embeds[0], "Going (1)")


async def test_a_place_that_is_a_known_city_gets_approximate_coordinates(world: MeetupWorld) -> None:
    await create(world, where="Portland, Maine")

    meetup = await world.meetup(1)

    assert meetup.place == "Portland, Maine"
    assert (round(meetup.latitude or 0), round(meetup.longitude or 0)) == (44, -70)


async def test_a_venue_the_geocoder_does_not_know_stays_text_with_its_map_search(world: MeetupWorld) -> None:
    await create(world, where="Café Central")

    meetup = await world.meetup(1)

    assert (meetup.latitude, meetup.longitude) == (None, None)
    assert "openstreetmap.org/search?query=Caf%C3%A9+Central" in field(
        last_post(world.meetups).embeds[0], "Where"
    )


async def test_an_export_names_meetups_and_polls_as_members_saw_them(world: MeetupWorld) -> None:
    await create(world, title="Walk")
    await world.bob.click(
        world.announcement(await world.meetup(1)), custom_id=rsvp_id(await world.meetup(1), "going")
    )

    result = await world.bob.slash(world.general, "privacy export")

    data = json.loads(await result.response.attachments[0].read())
    [answer] = data["tables"]["meetup_rsvps"]
    assert answer["meetup"] == "meetup #1 “Walk”" and answer["status"] == "going"
