"""Few invalid requests, by design: a permission the bot lacks costs one refused request, not one
per message, thread, click or reaction (Discord bans a bot's IP for 10,000 invalid requests in ten
minutes). Permissions are taken away as an admin would, with channel overwrites that SimCord
announces to the bot (CHANNEL_UPDATE), before anything is counted."""

from __future__ import annotations

import discord
import pytest
import simcord
from simcord.backend.models.channel import Overwrite
from simcord.builders import ChannelHandle
from simcord.enums import OverwriteType

from bot.adapters.outbound import ADMIN_FORGIVE_INTERVAL, Action
from tests.behaviour.connect_world import add_member, build_connect_world
from tests.behaviour.meetup_world import (
    HOUR,
    ONE,
    MeetupWorld,
    build_meetup_world,
    button_labels,
    plan,
    poll_message,
    rsvp_id,
    stored_poll,
)
from tests.behaviour.pairing_steps import WEEK, bot_messages, groups, joiner, run_round, thread_of
from tests.world import World

pytestmark = pytest.mark.simcord(settle_timeout=1.5)


def deny(env: simcord.Env, channel: ChannelHandle, **permissions: bool) -> None:
    """Take permissions away from the bot's role in one channel (it keeps seeing it)."""
    backend = env.backend
    guild = backend.get_guild(backend.get_channel(channel.id).guild_id)
    role = next(role for role in guild.roles.values() if role.managed)
    backend.set_overwrite(
        channel.id,
        Overwrite(
            role.id,
            OverwriteType.ROLE,
            allow=discord.Permissions(view_channel=True).value,
            deny=discord.Permissions(**permissions).value,
        ),
    )


def requests(env: simcord.Env, method: str, start: str, end: str = "", since: int = 0) -> int:
    return sum(
        1
        for request in env.http_requests[since:]
        if request.method == method and request.path.startswith(start) and request.path.endswith(end)
    )


# -- reactions -------------------------------------------------------------------------------------


async def test_a_poll_in_a_channel_without_add_reactions_costs_one_refused_request_not_twenty(
    env: simcord.Env,
) -> None:
    world = await build_meetup_world(env)
    deny(env, world.meetups, add_reactions=True)
    await env.settle()
    times = "; ".join(f"2026-02-{day:02d} 19:00" for day in range(1, 11))
    places = "; ".join(f"Place {n}" for n in range(10))

    await plan(world, times=times, places=places)
    await plan(world, title="Second", times=times, places=places)

    reaction_puts = requests(env, "PUT", f"/channels/{world.meetups.id}/messages/", "/@me")
    assert reaction_puts == 1
    assert [m.embeds[0].title for m in world.meetups.history()][-2:] == [
        "🗳️ Poll #1: Board games",
        "🗳️ Poll #2: Second",
    ]
    assert env.bot.boards.outbound.held(world.meetups.id, Action.REACT)


# -- threads of one channel ------------------------------------------------------------------------


@pytest.fixture
async def connect_world(env: simcord.Env) -> World:
    return await build_connect_world(env)


async def test_did_you_meet_without_send_messages_in_threads_costs_one_refused_request_not_one_per_group(
    connect_world: World, env: simcord.Env
) -> None:
    world = connect_world
    for member in (world.alice, world.bob):
        await joiner(world, member, "chess")
    for name in ("carol", "dave", "erin", "frank"):
        await joiner(world, add_member(world, name), "chess")
    await run_round(world)
    threads = [thread_of(world, group) for group in await groups(world)]
    assert len(threads) == 3
    await env.advance_time(WEEK // 2 + 60)  # the halfway check-in went out in every thread
    deny(env, world.pairing, send_messages_in_threads=True)
    before = len(env.http_requests)

    await env.advance_time(WEEK // 2)  # Did you meet? in each group's thread

    posts = sum(requests(env, "POST", f"/channels/{thread.id}/messages", since=before) for thread in threads)
    assert posts == 1
    assert all(bot_messages(thread, "🏁") == [] for thread in threads)
    refused = env.bot.boards.outbound.refusals(world.guild.id)
    assert [(r.channel_id, r.missing) for r in refused] == [(world.pairing.id, "Send Messages in Threads")]


# -- an admin using the bot is not a permission update ----------------------------------------------


async def test_an_admin_who_keeps_using_the_bot_makes_it_ask_again_at_most_once_per_ten_minutes(
    env: simcord.Env,
) -> None:
    world = await build_meetup_world(env)
    deny(env, world.meetups, send_messages=True)
    await env.settle()
    posts = f"/channels/{world.meetups.id}/messages"

    for title in ("One", "Two", "Three", "Four", "Five"):
        result = await world.admin.slash(world.general, "meetup plan", title=title, times="2026-01-20 19:00")
        assert "couldn't post" in (result.response.content or "")
        await env.advance_time(60)

    # The first refusal, then once more on the admin's next command (it may be them fixing it).
    assert requests(env, "POST", posts, posts) == 2
    await env.advance_time(ADMIN_FORGIVE_INTERVAL)
    await world.admin.slash(world.general, "meetup plan", title="Six", times="2026-01-20 19:00")
    assert requests(env, "POST", posts, posts) == 3


# -- 429 -------------------------------------------------------------------------------------------


async def test_a_tally_edit_answered_429_is_not_retried_before_the_retry_after_and_then_shows_the_votes(
    env: simcord.Env,
) -> None:
    world: MeetupWorld = await build_meetup_world(env)
    await plan(world)
    poll = await stored_poll(world)
    await env.advance_time(HOUR)
    path = f"/channels/{poll.channel_id}/messages/{poll.message_id}"
    env.inject_error("PATCH", path, status=429, message="You are being rate limited.")
    before = len(env.http_requests)

    await world.bob.react(poll_message(world, poll), ONE)
    await env.advance_time(4)  # the edit was answered 429; the Outbound holds for 5 s

    assert requests(env, "PATCH", path, path, since=before) == 1
    await env.advance_time(2)
    assert requests(env, "PATCH", path, path, since=before) == 2
    assert "**1** vote" in poll_message(world, poll).embeds[0].description


async def test_rsvp_counts_refused_by_a_429_are_shown_once_the_retry_after_has_passed(
    env: simcord.Env,
) -> None:
    world: MeetupWorld = await build_meetup_world(env)
    await world.alice.slash(
        world.general, "meetup create", title="Board games", when="2026-01-09 19:00", where="Café Central"
    )
    meetup = await world.meetup(1)
    path = f"/channels/{meetup.channel_id}/messages/{meetup.message_id}"
    env.inject_error("PATCH", path, status=429, message="You are being rate limited.")

    await world.bob.click(world.announcement(meetup), custom_id=rsvp_id(meetup, "going"))
    await env.advance_time(4)
    assert button_labels(world.announcement(meetup))[0] == "Going (0)"
    await env.advance_time(2)

    assert button_labels(world.announcement(meetup))[0] == "Going (1)"
