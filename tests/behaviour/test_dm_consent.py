"""DM consent by kind: `/privacy dm state:on|replies|off`, every DM through the paced outbox.

``replies`` (the default) lets through only DMs that answer something the member did (the
introduction after a mutual pick, a place they waited for, a question about their own meetup);
``on`` adds reminders and nudges; ``off`` allows none, and the member hears it in the meetup
thread or after their next command instead.
"""

from __future__ import annotations

import pytest
import simcord

from bot.domain.meetups import RsvpStatus
from tests.behaviour.followup_world import (
    DAY_BEFORE,
    advance_to,
    answer,
    create_meetup,
    dms,
    dms_on,
    reminders,
    thread_messages,
)
from tests.behaviour.intro_steps import intro
from tests.behaviour.meetup_world import MeetupWorld

pytestmark = pytest.mark.world("meetups and introductions")


async def dm_mode(member, world: MeetupWorld, state: str) -> None:
    result = await member.slash(world.general, "privacy dm", state=state)
    assert f"is now **{state}**" in result.response.content


async def test_by_default_an_introduction_comes_by_dm_but_a_reminder_does_not(
    world: MeetupWorld, env: simcord.Env
) -> None:
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob)
    await world.alice.slash(world.general, "met", member=world.bob)
    await world.bob.slash(world.general, "met", member=world.alice)

    await advance_to(env, DAY_BEFORE + 60)

    assert [m.embeds[0].author.name for m in dms(world.alice)] == ["bob"]
    assert len(dms(world.bob)) == 1  # the introduction, no reminder
    assert world.bob.mention in reminders(world)[0].content  # reminded in the thread


async def test_with_dms_on_the_reminder_comes_by_dm_too(world: MeetupWorld, env: simcord.Env) -> None:
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob)
    await dms_on(world, world.bob)

    await advance_to(env, DAY_BEFORE + 60)

    assert [m.content.split(":")[0] for m in dms(world.bob)] == ["⏰ Reminder from **Meetbridge Test**"]


async def test_with_dms_off_the_introduction_is_shown_to_you_and_kept_for_them(world: MeetupWorld) -> None:
    await intro(world, world.alice, about="Alice here, web apps and hikes.")
    await dm_mode(world.alice, world, "off")
    await dm_mode(world.bob, world, "off")
    await world.alice.slash(world.general, "met", member=world.bob)

    result = await world.bob.slash(world.general, "met", member=world.alice)

    assert dms(world.alice) == [] and dms(world.bob) == []
    assert "Your DMs are off" in result.response.content
    assert result.response.embeds[0].description == "Alice here, web apps and hikes."
    later = await world.alice.slash(world.general, "meetup list")  # her next command
    [note] = later.followups
    assert later.response.embeds[0].title.startswith("Upcoming meetups")
    assert note.ephemeral and "You and **bob** both said you met in person" in note.content
    again = await world.alice.slash(world.general, "meetup list")
    assert again.followups == []


async def test_with_dms_off_a_promotion_is_said_in_the_meetup_thread(world: MeetupWorld) -> None:
    meetup = await create_meetup(world, capacity=1)
    await answer(world, meetup, world.alice)
    await answer(world, meetup, world.bob)  # waitlisted
    await dm_mode(world.bob, world, "off")

    await answer(world, meetup, world.alice, "no")

    rsvps = {r.member_id: r.status for r in await world.bot.services.meetups.repo.rsvps(meetup.id)}
    assert rsvps[world.bob.id] is RsvpStatus.GOING
    assert dms(world.bob) == []
    notice = thread_messages(world)[-1]
    assert "A place opened up" in notice.content and world.bob.mention in notice.content
    stored = world.env.backend.messages[notice.channel.id][notice.id]
    assert set(stored.ping_user_ids) == {world.bob.id}


async def test_a_promotion_comes_by_dm_by_default(world: MeetupWorld) -> None:
    meetup = await create_meetup(world, capacity=1)
    await answer(world, meetup, world.alice)
    await answer(world, meetup, world.bob)

    await answer(world, meetup, world.alice, "no")

    [dm] = dms(world.bob)
    assert "A place opened up: you're now **going**" in dm.content
    assert thread_messages(world) == []


async def test_a_dm_queued_before_the_member_turned_dms_off_is_not_sent(
    world: MeetupWorld, env: simcord.Env
) -> None:
    meetup = await create_meetup(world, capacity=1)
    await answer(world, meetup, world.alice)
    await answer(world, meetup, world.bob)
    env.inject_error("POST", f"/channels/{world.bob.user.dm_channel.id}/messages", status=500, times=1)
    await answer(world, meetup, world.alice, "no")  # the promotion DM fails once, retried in a minute
    await dm_mode(world.bob, world, "off")

    await env.advance_time(120)

    assert dms(world.bob) == []
    assert world.bob.mention in thread_messages(world)[-1].content
