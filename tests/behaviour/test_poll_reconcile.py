"""Votes cast while the bot was away are counted at start: none lost, none counted twice."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import simcord

from bot.domain.polls import PollState
from bot.services.polls import CLOSE_TASK
from tests.behaviour.meetup_world import (
    FRIDAY_7PM_EPOCH,
    HOUR,
    ONE,
    THREE,
    TWO,
    A,
    B,
    MeetupWorld,
    field,
    plan,
    poll_message,
    stored_poll,
    votes,
)
from tests.conftest import BotFactory, restart

pytestmark = [pytest.mark.simcord(settle_timeout=1.5), pytest.mark.world("meetups")]


async def restart_after_downtime(
    env: simcord.Env, bot_factory: BotFactory, while_down: Callable[[], None]
) -> None:
    """Stop delivering gateway events (the bot is down), let the world change, then start again.

    SimCord has no "offline" switch, so this unplugs its feed to the running bot; the restart
    that follows attaches the new bot with a fresh feed.
    """
    env.backend.subscribers.remove(env._gateway_feed)
    while_down()
    await restart(env, bot_factory)


def react(world: MeetupWorld, message, member, emoji: str, reacted: bool = True) -> None:
    world.env.backend.set_reaction(message.channel.id, message.id, emoji, member.id, reacted)


async def test_reactions_added_and_removed_while_offline_are_counted_on_start(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await plan(world)
    poll = await stored_poll(world)
    message = poll_message(world, poll)
    await world.bob.react(message, ONE)
    await world.carol.react(message, ONE)

    def while_down() -> None:
        react(world, message, world.dave, TWO)
        react(world, message, world.dave, A)
        react(world, message, world.bob, ONE, reacted=False)
        react(world, message, world.admin, "👍")

    await restart_after_downtime(env, bot_factory, while_down)

    assert await votes(world, poll) == {(ONE, world.carol.id), (TWO, world.dave.id), (A, world.dave.id)}
    description = poll_message(world, poll).embeds[0].description
    assert f"{ONE} <t:{FRIDAY_7PM_EPOCH}:F> (<t:{FRIDAY_7PM_EPOCH}:R>) · **1** vote\n" in description
    assert "· **1** vote\n" in description.split(TWO)[1]


async def test_a_restart_in_the_middle_of_voting_loses_no_vote_and_counts_none_twice(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await plan(world)
    poll = await stored_poll(world)
    message = poll_message(world, poll)
    await world.alice.react(message, TWO)
    await world.bob.react(message, ONE)

    def while_down() -> None:
        react(world, message, world.carol, TWO)
        react(world, message, world.carol, B)
        react(world, message, world.bob, ONE, reacted=False)
        react(world, message, world.bob, ONE)  # changed their mind twice: still one vote

    await restart_after_downtime(env, bot_factory, while_down)
    await world.dave.react(message, THREE)
    await world.alice.react(message, B)
    await env.advance_time(48 * HOUR)

    assert await votes(world, poll) == {
        (TWO, world.alice.id),
        (ONE, world.bob.id),
        (TWO, world.carol.id),
        (B, world.carol.id),
        (THREE, world.dave.id),
        (B, world.alice.id),
    }
    meetup = await world.meetup(1)
    assert (meetup.starts_at, meetup.place) == (FRIDAY_7PM_EPOCH + 19 * HOUR, "City Library")
    assert "· **2** votes 🏆" in poll_message(world, poll).embeds[0].description


async def test_a_poll_that_came_due_while_down_closes_on_start_with_the_votes_cast_meanwhile(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await plan(world)
    poll = await stored_poll(world)
    message = poll_message(world, poll)
    await world.bob.react(message, ONE)
    scheduler = world.bot.services.scheduler
    [task] = await scheduler.repo.for_subject(world.guild.id, [CLOSE_TASK], poll.id)
    now = int(env.now().timestamp())

    def while_down() -> None:
        react(world, message, world.carol, THREE)
        react(world, message, world.dave, THREE)

    await scheduler.repo.reschedule(task.id, now - 60)  # its time passed while we were down
    await restart_after_downtime(env, bot_factory, while_down)

    assert (await stored_poll(world)).state is PollState.CLOSED
    meetup = await world.meetup(1)
    assert meetup.when_text == "2026-01-11 12:00"
    assert "The meetup is" in field(poll_message(world, poll).embeds[0], "Result")


async def test_clearing_all_reactions_withdraws_every_vote_and_puts_the_bots_reactions_back(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await plan(world)
    poll = await stored_poll(world)
    message = poll_message(world, poll)
    await world.bob.react(message, ONE)
    await world.carol.react(message, A)

    env.backend.clear_reactions(message.channel.id, message.id)
    await env.settle()

    assert await votes(world, poll) == set()
    restored = poll_message(world, poll)
    assert [str(r.emoji) for r in restored.reactions] == [ONE, TWO, THREE, A, B]


async def test_a_poll_whose_message_was_deleted_while_down_closes_without_a_result(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await plan(world)
    poll = await stored_poll(world)

    def while_down() -> None:
        env.backend.delete_message(poll.channel_id, poll.message_id)

    await restart_after_downtime(env, bot_factory, while_down)
    await env.advance_time(48 * HOUR)

    closed = await stored_poll(world)
    assert closed.state is PollState.CANCELLED
    assert await world.bot.services.meetups.find(world.guild.id, 1) is None
