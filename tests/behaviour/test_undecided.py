"""The one nudge to the undecided: 48 hours before a meetup, Maybe members and poll voters for its
winning time and place who have not answered are mentioned once in the meetup thread with Going /
Can't go, and get a DM when their DMs are on. Nobody is nudged twice for the same meetup."""

from __future__ import annotations

import discord
import pytest
import simcord

from bot.domain.followups import UNDECIDED
from bot.domain.meetups import Meetup, RsvpStatus
from bot.domain.tasks import TaskState
from tests.behaviour.followup_world import (
    DAY,
    HOUR,
    START,
    advance_to,
    answer,
    create_meetup,
    dms,
    dms_on,
    tasks,
    thread_messages,
)
from tests.behaviour.meetup_world import ONE, TWO, A, B, MeetupWorld, plan, poll_message, stored_poll
from tests.conftest import BotFactory, restart

pytestmark = [pytest.mark.simcord(settle_timeout=1.5), pytest.mark.world("meetups")]

NUDGE = START - 2 * DAY


def nudges(world: MeetupWorld) -> list[discord.Message]:
    return [m for m in thread_messages(world) if m.content.startswith("🤔")]


async def poll_meetup(world: MeetupWorld) -> Meetup:
    """A poll that chose Friday 19:00 at Café Central: carol voted for both, dave for the time only."""
    await plan(world)
    message = poll_message(world, await stored_poll(world))
    await world.carol.react(message, ONE)
    await world.carol.react(message, A)
    await world.dave.react(message, ONE)
    await world.dave.react(message, B)
    await world.bob.react(message, TWO)
    await world.bob.react(message, A)
    result = await world.alice.slash(world.general, "meetup close-poll", id=1)
    assert "The meetup is" in result.response.content
    return await world.meetup(1)


async def test_maybe_members_and_voters_for_the_winner_who_have_not_answered_are_nudged_once(
    world: MeetupWorld, env: simcord.Env
) -> None:
    meetup = await poll_meetup(world)
    assert meetup.starts_at == START and meetup.place == "Café Central"
    await answer(world, meetup, world.bob, "maybe")
    await answer(world, meetup, world.alice, "going")

    await advance_to(env, NUDGE - 60)
    assert nudges(world) == []
    await advance_to(env, NUDGE + 60)

    [nudge] = nudges(world)
    assert set(nudge.raw_mentions) == {world.bob.id, world.carol.id}
    stored = env.backend.messages[nudge.channel.id][nudge.id]
    assert set(stored.ping_user_ids) == {world.bob.id, world.carol.id}
    assert [c.label for row in nudge.components for c in row.children] == ["Going", "Can't go"]
    pressed = await world.carol.click(nudge, label="Going")
    assert "going to meetup #1" in pressed.response.content
    assert await world.bot.services.meetups.answer_of(meetup, world.carol.id) is RsvpStatus.GOING


async def test_members_with_dms_on_also_get_it_by_dm_and_can_answer_there(
    world: MeetupWorld, env: simcord.Env
) -> None:
    meetup = await create_meetup(world)
    await dms_on(world, world.bob)
    await answer(world, meetup, world.bob, "maybe")
    await answer(world, meetup, world.carol, "maybe")

    await advance_to(env, NUDGE + 60)

    [dm] = [m for m in dms(world.bob) if m.content.startswith("🤔")]
    assert f"<t:{START}:F>" in dm.content
    assert [m for m in dms(world.carol) if m.content.startswith("🤔")] == []  # DMs by reply only
    pressed = await world.bob.user.click(dm, label="Can't go")
    assert "can't go" in pressed.response.content
    assert await world.bot.services.meetups.answer_of(meetup, world.bob.id) is RsvpStatus.NO


async def test_nobody_is_nudged_twice_for_the_same_meetup(world: MeetupWorld, env: simcord.Env) -> None:
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob, "maybe")
    await advance_to(env, NUDGE + 60)
    assert len(nudges(world)) == 1

    await world.alice.slash(world.general, "meetup edit", id=1, when="2026-01-12 19:00")
    await answer(world, meetup, world.carol, "maybe")
    await advance_to(env, START + 3 * DAY - 2 * DAY + 60)

    [first, second] = nudges(world)
    assert set(first.raw_mentions) == {world.bob.id}
    assert set(second.raw_mentions) == {world.carol.id}  # only the one not nudged yet


async def test_a_restart_around_the_nudge_posts_it_once(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob, "maybe")
    await advance_to(env, NUDGE - 60)

    await restart(env, bot_factory)
    await advance_to(env, NUDGE + 60)
    await restart(env, bot_factory)
    await advance_to(env, NUDGE + HOUR)

    assert len(nudges(world)) == 1
    [task] = await tasks(world, meetup, UNDECIDED)
    assert (task.state, task.attempts) == (TaskState.DONE, 1)


async def test_the_nudge_can_be_turned_off_or_moved(world: MeetupWorld, env: simcord.Env) -> None:
    off = await world.admin.slash(world.general, "config reminders", undecided="off")
    assert "no longer nudged" in off.response.content
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob, "maybe")
    assert await tasks(world, meetup, UNDECIDED) == []

    moved = await world.admin.slash(world.general, "config reminders", undecided="3h")
    assert "**3h**" in moved.response.content
    refused = await world.admin.slash(world.general, "config reminders", undecided="20 days")
    assert "out of range" in refused.response.content
    shown = await world.admin.slash(world.general, "config show")
    assert any(f.value == "3h before" for f in shown.response.embeds[0].fields)
