"""Pairing rounds through the real bot: groups, private threads, no repeats, Plan a meetup."""

from __future__ import annotations

import discord
import pytest
import simcord

from bot.domain.pairing_rounds import RoundState
from tests.behaviour.connect_world import add_member, introduce
from tests.behaviour.pairing_steps import (
    WEEK,
    greeting,
    groups,
    joined_member,
    joiner,
    member_sets,
    rounds,
    run_round,
    thread_of,
)
from tests.world import World

pytestmark = pytest.mark.world("connect")


async def test_seven_members_in_groups_of_two_make_three_groups_with_one_trio(world: World) -> None:
    await joiner(world, world.alice, "chess, hiking")
    await joiner(world, world.bob, "chess, cooking")
    carol = await joined_member(world, "carol", "pottery, hiking")
    dave = await joined_member(world, "dave", "pottery")
    erin = await joined_member(world, "erin", "sailing")
    frank = await joined_member(world, "frank", "sailing, hiking")
    gina = await joined_member(world, "gina", "sailing")

    result = await run_round(world)

    assert result.ephemeral and "Round 1 started: 3 groups from 7 members" in result.response.content
    found = await groups(world)
    assert member_sets(found) == {
        frozenset({world.alice.id, world.bob.id}),
        frozenset({carol.id, dave.id}),
        frozenset({erin.id, frank.id, gina.id}),
    }
    assert len(world.pairing.threads) == 3
    for group in found:
        thread = thread_of(world, group)
        backend_thread = world.env.backend.channels[thread.id]
        assert backend_thread.type == discord.ChannelType.private_thread.value
        assert set(group.member_ids) <= set(backend_thread.thread_members)
        hello = greeting(thread)
        for member_id in group.member_ids:
            assert f"<@{member_id}>" in hello.content
        assert [c.label for row in hello.components for c in row.children] == ["Plan a meetup"]
    shared = {frozenset(g.member_ids): greeting(thread_of(world, g)).content for g in found}
    assert "You both list **chess**" in shared[frozenset({world.alice.id, world.bob.id})]
    assert "You both list **pottery**" in shared[frozenset({carol.id, dave.id})]
    assert "You all list **sailing**" in shared[frozenset({erin.id, frank.id, gina.id})]
    announcement = world.pairing.history()[-1]
    assert "Pairing round 1" in announcement.content and "3 groups" in announcement.content


async def test_other_members_cannot_see_a_groups_private_thread(world: World) -> None:
    await joiner(world, world.alice, "chess")
    await joiner(world, world.bob, "chess")
    carol = add_member(world, "carol")

    await run_round(world)

    thread = thread_of(world, (await groups(world))[0])
    assert greeting(thread) in thread.history(viewer=world.alice)
    with pytest.raises(simcord.SetupError):
        thread.history(viewer=carol)


async def test_no_pair_is_repeated_in_the_next_rounds(world: World, env: simcord.Env) -> None:
    await joiner(world, world.alice, "chess, go")
    await joiner(world, world.bob, "chess, go")
    carol = await joined_member(world, "carol", "pottery, knitting")
    dave = await joined_member(world, "dave", "pottery, knitting")
    first = member_sets(await groups_after_round(world))
    assert first == {frozenset({world.alice.id, world.bob.id}), frozenset({carol.id, dave.id})}

    await env.advance_time(WEEK)
    second = member_sets(await groups_after_round(world))
    await env.advance_time(WEEK)
    third = member_sets(await groups_after_round(world))

    assert not first & second and not first & third and not second & third
    assert [r.number for r in await rounds(world)] == [1, 2, 3]


async def groups_after_round(world: World):
    result = await run_round(world)
    assert "started" in result.response.content, result.response.content
    return await groups(world)


async def test_when_every_pair_is_recent_the_round_says_so_for_the_member_left_out(
    world: World, env: simcord.Env
) -> None:
    await joiner(world, world.alice, "chess")
    await joiner(world, world.bob, "chess")
    carol = await joined_member(world, "carol", "chess")
    await run_round(world)  # one trio
    await env.advance_time(WEEK)
    dave = await joined_member(world, "dave", "chess")

    result = await run_round(world)

    assert "Round 2 started: 1 group from 4 members" in result.response.content
    (group,) = await groups(world)
    assert dave.id in group.member_ids and len(group.member_ids) == 2
    left_out = ({world.alice.id, world.bob.id, carol.id} - set(group.member_ids)).pop()
    announcement = world.pairing.history()[-1].content
    assert f"<@{left_out}>: no group this time" in announcement


async def test_a_round_cannot_start_while_one_is_running(world: World) -> None:
    await joiner(world, world.alice, "chess")
    await joiner(world, world.bob, "chess")
    await run_round(world)

    result = await run_round(world)

    assert "Round 1 is still on" in result.response.content
    assert len(await rounds(world)) == 1


async def test_a_member_who_skips_sits_out_one_round_only(world: World, env: simcord.Env) -> None:
    await joiner(world, world.alice, "chess")
    await joiner(world, world.bob, "chess")
    carol = await joined_member(world, "carol", "chess")
    skipped = await carol.slash(world.general, "pairing skip")
    assert "sit out the next round" in skipped.response.content

    await run_round(world)
    assert all(carol.id not in g.member_ids for g in await groups(world))
    await env.advance_time(WEEK)
    await run_round(world)

    assert any(carol.id in g.member_ids for g in await groups(world))


async def test_joining_needs_an_introduction_and_leaving_takes_you_out(world: World) -> None:
    refused = await world.alice.slash(world.general, "pairing join")
    assert "`/intro`" in refused.response.content and "Try:" not in refused.response.content

    await joiner(world, world.alice, "chess")
    await joiner(world, world.bob, "chess")
    left = await world.bob.slash(world.general, "pairing leave")
    assert "You've left" in left.response.content
    result = await run_round(world)

    assert "Only one member is taking part" in result.response.content
    assert await rounds(world) == []


async def test_pairing_run_needs_manage_server_and_a_pairing_channel(env: simcord.Env) -> None:
    from tests.world import build_world

    bare = build_world(env, name="Bare")
    refused = await bare.alice.slash(bare.general, "pairing run")
    unconfigured = await bare.admin.slash(bare.general, "pairing run")

    assert "Manage Server" in refused.response.content
    assert "Try: /config channel purpose:pairing" in unconfigured.response.content


async def test_plan_a_meetup_posts_a_poll_in_the_groups_thread(world: World) -> None:
    await joiner(world, world.alice, "chess")
    await joiner(world, world.bob, "chess")
    await run_round(world)
    thread = thread_of(world, (await groups(world))[0])

    shown = await world.alice.click(greeting(thread), label="Plan a meetup")
    assert shown.modal is not None
    done = await world.alice.submit_modal(
        shown, {"title": "Chess and coffee", "times": "2026-01-09 19:00; 2026-01-10 14:00", "places": ""}
    )

    polls = [m for m in thread.history() if m.embeds and "Chess and coffee" in (m.embeds[0].title or "")]
    assert len(polls) == 1
    assert "Poll #1 is up" in done.response.content
    poll = await world.bot.services.polls.find(world.guild.id, 1)
    assert poll is not None and poll.channel_id == thread.id and poll.organiser_id == world.alice.id
    assert [m for m in world.meetups.history() if m.embeds] == []  # not in the meetups channel


async def test_only_group_members_may_plan_a_meetup_for_the_group(world: World, env: simcord.Env) -> None:
    await joiner(world, world.alice, "chess")
    await joiner(world, world.bob, "chess")
    mods = world.guild.create_role("Mods", permissions=discord.Permissions(manage_threads=True))
    moderator = world.guild.add_member(env.create_user("mod"), roles=[mods])
    await run_round(world)
    thread = thread_of(world, (await groups(world))[0])

    result = await moderator.click(greeting(thread), label="Plan a meetup")

    assert result.modal is None
    assert "Only the members of this pairing group" in result.response.content


async def test_the_round_is_stored_open_with_its_halfway_and_end(world: World, env: simcord.Env) -> None:
    await introduce(world, world.alice, "chess")
    await joiner(world, world.bob, "chess")
    await world.alice.slash(world.general, "pairing join")
    start = int(env.now().timestamp())

    await run_round(world)

    (stored,) = await rounds(world)
    assert stored.state is RoundState.OPEN
    assert (stored.started_at, stored.halfway_at, stored.ends_at) == (start, start + WEEK // 2, start + WEEK)


async def test_threads_that_could_not_be_opened_are_opened_by_the_retry(
    world: World, env: simcord.Env
) -> None:
    await joiner(world, world.alice, "chess")
    await joiner(world, world.bob, "chess")
    env.inject_error("POST", "/channels/*/threads", status=403, code=50013, message="Missing Permissions")

    result = await run_round(world)

    assert "can't create private threads" in result.response.content
    assert world.pairing.threads == [] and len(await rounds(world)) == 1
    # The admin fixes the permission (any command of theirs counts as "something changed").
    await world.admin.slash(world.general, "config show")
    await env.advance_time(60)
    (group,) = await groups(world)
    assert group.thread_id is not None and greeting(thread_of(world, group))
    assert "Pairing round 1" in world.pairing.history()[-1].content


async def test_a_refused_thread_is_not_asked_for_again_until_something_changes(
    world: World, env: simcord.Env
) -> None:
    await joiner(world, world.alice, "chess")
    await joiner(world, world.bob, "chess")
    env.inject_error("POST", "/channels/*/threads", status=403, code=50013, message="Missing Permissions")
    await run_round(world)
    asked = sum(1 for r in env.http_requests if r.method == "POST" and r.path.endswith("/threads"))

    await env.advance_time(30 * 60)  # the open task retries at 1, 2, 7 and 22 minutes

    again = sum(1 for r in env.http_requests if r.method == "POST" and r.path.endswith("/threads"))
    assert (asked, again) == (1, 1)
    (group,) = await groups(world)
    assert group.thread_id is None
