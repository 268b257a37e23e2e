"""/ask through the real bot: the right helpers in the right order, a thread, and a daily cap."""

from __future__ import annotations

import pytest
import simcord

from tests.behaviour.connect_world import (
    add_member,
    introduce,
    mentioned_in_order,
    privacy,
)
from tests.world import World

pytestmark = pytest.mark.world("connect")

DAY = 24 * 3600


async def helper(world: World, name: str, interests: str):
    member = add_member(world, name)
    await introduce(world, member, interests)
    await privacy(world, member, "helper", "on")
    return member


def questions(world: World):
    return [m for m in world.support.history() if m.embeds]


async def mentions_stored(world: World, member) -> int:
    return await world.bot.services.db.fetchval(
        "SELECT COUNT(*) FROM ask_mentions WHERE guild_id = ? AND member_id = ?", (world.guild.id, member.id)
    )


async def ask(world: World, member, topic: str = "Python", question: str = "How do I read a CSV file?"):
    return await member.slash(world.general, "ask", topic=topic, question=question)


async def test_helpers_are_ranked_met_in_person_then_shared_interests_then_recent_activity(
    world: World, env: simcord.Env
) -> None:
    await introduce(world, world.alice, "python, chess, hiking")
    await privacy(world, world.alice, "helper", "on")  # the asker is never asked
    henry = await helper(world, "henry", "python")  # the least recently active: left out
    await env.advance_time(60)
    frank = await helper(world, "frank", "python")
    await env.advance_time(60)
    erin = await helper(world, "erin", "python")
    dave = await helper(world, "dave", "python, hiking")
    carol = await helper(world, "carol", "python, chess")  # chess is rarer here than hiking
    zoe = add_member(world, "zoe")
    await introduce(world, zoe, "hiking")  # not a helper: never asked
    await introduce(world, world.bob, "python")
    await privacy(world, world.bob, "helper", "on")
    await world.alice.slash(world.general, "met", member=world.bob)
    await world.bob.slash(world.general, "met", member=world.alice)

    result = await ask(world, world.alice)

    everyone = [world.alice, world.bob, carol, dave, erin, frank, henry, zoe]
    posted = questions(world)
    assert len(posted) == 1
    assert mentioned_in_order(posted[0].content, everyone[1:]) == [world.bob, carol, dave, erin, frank]
    assert posted[0].embeds[0].description == "How do I read a CSV file?"
    assert posted[0].embeds[0].title == "Question about Python"
    assert result.ephemeral and posted[0].jump_url in result.response.content
    assert mentioned_in_order(result.response.content, everyone) == [world.bob, carol, dave, erin, frank]
    assert [t.name for t in world.support.threads] == ["Python: How do I read a CSV file?"]
    assert await mentions_stored(world, carol) == 1 and await mentions_stored(world, henry) == 0


async def test_nobody_is_asked_more_than_three_times_in_a_day(world: World, env: simcord.Env) -> None:
    await introduce(world, world.alice, "python")
    await introduce(world, world.bob, "python")
    await privacy(world, world.bob, "helper", "on")

    for n in range(3):  # spread over an hour: alice may ask 3 questions an hour herself
        await ask(world, world.alice, question=f"Question {n}?")
        await env.advance_time(1200)
    fourth = await ask(world, world.alice, question="Question 3?")

    posted = questions(world)
    assert [world.bob.mention in m.content for m in posted] == [True, True, True, False]
    assert "posted anyway" in fourth.response.content
    assert await mentions_stored(world, world.bob) == 3

    await env.advance_time(DAY - 3600 + 1)  # the first mention is now more than 24 hours old
    await ask(world, world.alice, question="Question 4?")

    assert world.bob.mention in questions(world)[-1].content


async def test_without_helpers_the_question_is_still_posted_and_the_asker_told(world: World) -> None:
    await introduce(world, world.bob, "python")  # lists it but did not offer help

    result = await ask(world, world.alice, topic="pythons")

    posted = questions(world)
    assert len(posted) == 1 and world.bob.mention not in posted[0].content
    assert "Anyone who knows can answer" in posted[0].content
    assert "Nobody who offered to help with **Python**" in result.response.content
    assert posted[0].jump_url in result.response.content
    assert len(world.support.threads) == 1


async def test_ask_without_a_support_channel_tells_admins_what_to_run(env: simcord.Env) -> None:
    from tests.world import build_world

    bare = build_world(env, name="Bare")

    result = await bare.alice.slash(bare.general, "ask", topic="python", question="Anyone?")

    assert result.ephemeral
    assert "/config channel purpose:support" in result.response.content


async def test_an_empty_question_is_refused_and_nothing_posted(world: World) -> None:
    result = await ask(world, world.alice, question="   ")

    assert "Try: /ask topic:" in result.response.content
    assert questions(world) == []
