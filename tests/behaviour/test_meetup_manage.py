"""Managing a meetup: its native Discord event, edit, cancel, who may do it, and the .ics file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import discord
import pytest
import simcord
from icalendar import Calendar

from bot.domain.meetups import Meetup, MeetupState, RsvpStatus
from bot.services.meetups import MeetupListener
from tests.behaviour.meetup_world import (
    FRIDAY_7PM,
    FRIDAY_7PM_EPOCH,
    MeetupWorld,
    build_meetup_world,
    button_labels,
    field,
    rsvp_id,
)

pytestmark = pytest.mark.world("meetups")

SATURDAY_8PM_EPOCH = FRIDAY_7PM_EPOCH + 25 * 3600  # 2026-01-10 20:00 in Berlin


@pytest.fixture
async def world(world: MeetupWorld) -> MeetupWorld:
    await world.alice.slash(
        world.general, "meetup create", title="Board games", when=FRIDAY_7PM, where="Café Central", capacity=3
    )
    return world


def event_of(world: MeetupWorld, meetup: Meetup) -> discord.ScheduledEvent:
    guild = world.bot.get_guild(world.guild.id)
    assert meetup.event_id is not None
    event = guild.get_scheduled_event(meetup.event_id)
    assert event is not None
    return event


async def answer(world: MeetupWorld, meetup: Meetup, **answers: str) -> None:
    for name, status in answers.items():
        member = getattr(world, name)
        await member.click(world.announcement(meetup), custom_id=rsvp_id(meetup, status))


def thread_text(world: MeetupWorld) -> str:
    [thread] = world.meetups.threads
    return "\n".join(message.content for message in thread.history())


async def test_create_makes_an_external_guild_event_with_location_and_a_two_hour_length(
    world: MeetupWorld,
) -> None:
    meetup = await world.meetup(1)
    event = event_of(world, meetup)

    assert event.name == "Board games"
    assert event.entity_type is discord.EntityType.external
    assert event.location == "Café Central"
    assert event.start_time == datetime.fromtimestamp(FRIDAY_7PM_EPOCH, UTC)
    assert event.end_time == event.start_time + timedelta(hours=2)
    # SimCord reports every event's privacy level as 1, so check what the bot asked for.
    [sent] = [
        r for r in world.env.http_requests if r.method == "POST" and r.path.endswith("/scheduled-events")
    ]
    assert sent.json["privacy_level"] == discord.PrivacyLevel.guild_only.value
    assert event.status is discord.EventStatus.scheduled
    assert meetup.jump_url in event.description
    assert f"/events/{world.guild.id}/{event.id}" in field(world.announcement(meetup).embeds[0], "Event")


async def test_a_failing_event_does_not_stop_the_meetup(env: simcord.Env) -> None:
    world = await build_meetup_world(env)
    env.inject_error("POST", "/guilds/*/scheduled-events", status=500)

    result = await world.alice.slash(
        world.general, "meetup create", title="Picnic", when=FRIDAY_7PM, where="Park"
    )

    assert "Meetup #1 is announced" in result.response.content
    meetup = await world.meetup(1)
    assert meetup.event_id is None and meetup.message_id is not None
    assert "Event" not in [f.name for f in world.announcement(meetup).embeds[0].fields]


async def test_edit_moves_event_and_announcement_and_tells_going_and_maybe(world: MeetupWorld) -> None:
    meetup = await world.meetup(1)
    await answer(world, meetup, bob="going", carol="maybe", dave="no")

    result = await world.alice.slash(
        world.general, "meetup edit", id=1, when="2026-01-10 20:00", where="City Library"
    )

    assert result.ephemeral and "Meetup #1 updated" in result.response.content
    edited = await world.meetup(1)
    assert (edited.starts_at, edited.ends_at) == (SATURDAY_8PM_EPOCH, SATURDAY_8PM_EPOCH + 7200)
    assert (edited.place, edited.when_text, edited.revision) == ("City Library", "2026-01-10 20:00", 1)
    event = event_of(world, edited)
    assert event.start_time == datetime.fromtimestamp(SATURDAY_8PM_EPOCH, UTC)
    assert event.end_time == event.start_time + timedelta(hours=2)
    assert event.location == "City Library"
    embed = world.announcement(edited).embeds[0]
    assert f"<t:{SATURDAY_8PM_EPOCH}:F>" in field(embed, "When")
    assert "City Library" in field(embed, "Where")
    notice = thread_text(world)
    assert "changed (time, place)" in notice
    assert world.bob.mention in notice and world.carol.mention in notice
    assert world.dave.mention not in notice


async def test_cancel_cancels_the_event_removes_the_buttons_and_tells_going_and_maybe(
    world: MeetupWorld,
) -> None:
    meetup = await world.meetup(1)
    await answer(world, meetup, bob="going", carol="maybe", dave="no")

    result = await world.alice.slash(world.general, "meetup cancel", id=1, reason="Venue closed")

    assert "Meetup #1 is cancelled" in result.response.content
    cancelled = await world.meetup(1)
    assert cancelled.state is MeetupState.CANCELLED and cancelled.cancel_reason == "Venue closed"
    assert event_of(world, cancelled).status is discord.EventStatus.cancelled
    message = world.announcement(cancelled)
    assert message.embeds[0].title == "❌ Cancelled: Board games"
    assert field(message.embeds[0], "Cancelled") == "Venue closed"
    assert button_labels(message) == []
    notice = thread_text(world)
    assert "is cancelled. Reason: Venue closed" in notice
    assert world.bob.mention in notice and world.carol.mention in notice
    assert world.dave.mention not in notice
    listed = await world.bob.slash(world.general, "meetup list")
    assert "Board games" not in str(listed.response.embeds[0].to_dict())


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("meetup cancel", {"id": 1}),
        ("meetup edit", {"id": 1, "where": "My place"}),
    ],
)
async def test_a_member_who_is_not_the_organiser_is_refused_and_nothing_changes(
    world: MeetupWorld, command: str, options: dict
) -> None:
    before = await world.meetup(1)

    result = await world.bob.slash(world.general, command, **options)

    assert result.ephemeral
    assert "Only the organiser of meetup #1 or someone with Manage Server" in result.response.content
    assert await world.meetup(1) == before
    assert event_of(world, before).status is discord.EventStatus.scheduled
    assert [m for thread in world.meetups.threads for m in thread.history() if m.author.bot] == []


async def test_someone_with_manage_server_may_edit_any_meetup(world: MeetupWorld) -> None:
    result = await world.admin.slash(world.general, "meetup edit", id=1, where="Town Hall")

    assert "updated" in result.response.content
    assert (await world.meetup(1)).place == "Town Hall"


async def test_raising_the_capacity_promotes_the_waitlist_in_order(world: MeetupWorld) -> None:
    meetup = await world.meetup(1)
    await answer(world, meetup, alice="going", bob="going", carol="going", dave="going", admin="going")

    await world.alice.slash(world.general, "meetup edit", id=1, capacity=4)

    going = await world.bot.services.meetups.members(meetup, RsvpStatus.GOING)
    waitlist = await world.bot.services.meetups.members(meetup, RsvpStatus.WAITLIST)
    assert going == [world.alice.id, world.bob.id, world.carol.id, world.dave.id]
    assert waitlist == [world.admin.id]
    assert "you're now **going**" in world.dave.user.dm_channel.last_message.content


async def test_lowering_the_capacity_below_those_going_is_refused(world: MeetupWorld) -> None:
    meetup = await world.meetup(1)
    await answer(world, meetup, alice="going", bob="going")

    result = await world.alice.slash(world.general, "meetup edit", id=1, capacity=1)

    assert "can't go below 2" in result.response.content
    assert "Try: /meetup edit id:1 capacity:2" in result.response.content
    assert (await world.meetup(1)).capacity == 3


async def test_edit_with_nothing_to_change_says_what_can_change(world: MeetupWorld) -> None:
    result = await world.alice.slash(world.general, "meetup edit", id=1)

    assert "Say what to change" in result.response.content
    assert (await world.meetup(1)).revision == 0


async def test_calendar_is_an_ics_with_a_stable_uid_utc_start_location_and_the_announcement(
    world: MeetupWorld,
) -> None:
    meetup = await world.meetup(1)

    first = await world.bob.slash(world.general, "meetup calendar", id=1)
    await world.alice.slash(world.general, "meetup edit", id=1, where="City Library")
    second = await world.bob.slash(world.general, "meetup calendar", id=1)

    [attachment] = first.response.attachments
    assert attachment.filename == "meetup-1.ics"
    before = Calendar.from_ical(await attachment.read()).walk("VEVENT")[0]
    after = Calendar.from_ical(await second.response.attachments[0].read()).walk("VEVENT")[0]
    assert before["UID"] == after["UID"] == f"meetup-{world.guild.id}-{meetup.id}@meetbridge"
    assert before.decoded("DTSTART") == datetime.fromtimestamp(FRIDAY_7PM_EPOCH, UTC)
    assert before.decoded("DTSTART").tzinfo is not None
    assert before.decoded("DTSTART").utcoffset() == timedelta(0)
    assert before.decoded("DTEND") - before.decoded("DTSTART") == timedelta(hours=2)
    assert str(before["LOCATION"]) == "Café Central" and str(after["LOCATION"]) == "City Library"
    assert str(before["URL"]) == meetup.jump_url
    assert (int(before["SEQUENCE"]), int(after["SEQUENCE"])) == (0, 1)
    assert str(before["SUMMARY"]) == "Board games"


class Recorder(MeetupListener):
    def __init__(self) -> None:
        self.heard: list[tuple[str, int, int | None]] = []

    async def on_meetup_created(self, meetup: Meetup) -> None:
        self.heard.append(("created", meetup.number, meetup.message_id))

    async def on_meetup_updated(self, meetup: Meetup, before: Meetup) -> None:
        self.heard.append(("updated", meetup.number, meetup.starts_at - before.starts_at))

    async def on_meetup_cancelled(self, meetup: Meetup) -> None:
        self.heard.append(("cancelled", meetup.number, None))


async def test_listeners_hear_created_updated_and_cancelled(world: MeetupWorld) -> None:
    recorder = Recorder()
    world.bot.services.meetups.subscribe(recorder)

    await world.alice.slash(world.general, "meetup create", title="Walk", when=FRIDAY_7PM, where="Park")
    await world.alice.slash(world.general, "meetup edit", id=2, when="2026-01-10 20:00")
    await world.alice.slash(world.general, "meetup cancel", id=2)

    created = await world.meetup(2)
    assert recorder.heard == [
        ("created", 2, created.message_id),
        ("updated", 2, SATURDAY_8PM_EPOCH - FRIDAY_7PM_EPOCH),
        ("cancelled", 2, None),
    ]
