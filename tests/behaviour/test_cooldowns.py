"""Per-member cooldowns through the real bot: the one too many is refused, ephemerally, with when.

Meetups (plan, create and the pairing thread's Plan a meetup share a budget) 3 per 10 minutes,
/ask 3 per hour, /met 10 per hour, /intro 5 updates per hour after the first; Manage Server is
exempt. A refused command posts nothing and stores nothing; bad input costs nothing.
"""

from __future__ import annotations

import re

import pytest
import simcord
from simcord.actors import MemberActor

from tests.behaviour.connect_world import add_member, introduce, privacy
from tests.behaviour.intro_steps import intro, intro_posts
from tests.behaviour.meetup_world import FRIDAY_7PM, TIMES, TZ
from tests.behaviour.pairing_steps import greeting, groups, joiner, run_round, thread_of
from tests.world import World

pytestmark = [pytest.mark.simcord(settle_timeout=1.5), pytest.mark.world("connect")]

MINUTE = 60
HOUR = 3600


@pytest.fixture
async def world(world: World) -> World:
    await world.admin.slash(world.general, "config timezone", name=TZ)
    return world


def now(env: simcord.Env) -> int:
    return int(env.now().timestamp())


async def create(world: World, member: MemberActor, title: str = "Board games", **options: object):
    values = {"title": title, "when": FRIDAY_7PM, "where": "Café Central", **options}
    return await member.slash(world.general, "meetup create", **values)


async def plan(world: World, member: MemberActor, title: str = "Games night", **options: object):
    values = {"title": title, "times": TIMES, **options}
    return await member.slash(world.general, "meetup plan", **values)


async def stored_meetups(world: World) -> int:
    """Meetups and polls stored in the server: what a meetup command can create."""
    return await world.bot.services.db.fetchval(
        "SELECT (SELECT COUNT(*) FROM meetups WHERE guild_id = :g) "
        "+ (SELECT COUNT(*) FROM polls WHERE guild_id = :g)",
        {"g": world.guild.id},
    )


def posts(world: World) -> int:
    return len([m for m in world.meetups.history() if m.embeds])


def refused_until(result: simcord.InteractionResult) -> int:
    """The retry time a refusal names, as a relative Discord timestamp."""
    assert result.ephemeral
    match = re.search(r"<t:(\d+):R>", result.response.content)
    assert match, result.response.content
    assert "Meanwhile: " in result.response.content
    return int(match.group(1))


# -- meetups ----------------------------------------------------------------------------------------


async def test_the_fourth_meetup_in_ten_minutes_is_refused_with_when_to_try_again_and_nothing_posted(
    world: World, env: simcord.Env
) -> None:
    first = now(env)
    for n in range(3):
        done = await create(world, world.alice, title=f"Meetup {n}")
        assert "is announced" in done.response.content
        await env.advance_time(2 * MINUTE)

    fourth = await create(world, world.alice, title="One too many")

    assert refused_until(fourth) == first + 10 * MINUTE
    assert "You've planned or created 3 meetups in the last 10 minutes" in fourth.response.content
    assert "`/meetup list`" in fourth.response.content
    assert await world.bot.services.meetups.find(world.guild.id, 4) is None
    assert await stored_meetups(world) == 3
    assert posts(world) == 3
    assert len(world.bot.get_guild(world.guild.id).scheduled_events) == 3


async def test_a_member_can_post_again_once_the_oldest_leaves_the_window(
    world: World, env: simcord.Env
) -> None:
    first = now(env)
    for n in range(3):
        await create(world, world.alice, title=f"Meetup {n}")
        await env.advance_time(MINUTE)
    await env.advance_time(first + 10 * MINUTE - 1 - now(env))
    assert refused_until(await create(world, world.alice)) == first + 10 * MINUTE

    await env.advance_time(1)
    again = await create(world, world.alice, title="Next week")

    assert "Meetup #4 is announced" in again.response.content
    assert posts(world) == 4


async def test_plan_and_create_share_one_budget(world: World) -> None:
    await create(world, world.alice)
    await plan(world, world.alice)
    await create(world, world.alice)

    refused_plan = await plan(world, world.alice, title="Another poll")

    refused_until(refused_plan)
    assert await stored_meetups(world) == 3
    assert posts(world) == 3
    assert "Poll #4 is up" in (await plan(world, world.bob)).response.content  # bob has his own


async def test_a_member_with_manage_server_is_not_limited(world: World) -> None:
    for n in range(5):
        done = await create(world, world.admin, title=f"Admin meetup {n}")
        assert f"Meetup #{n + 1} is announced" in done.response.content

    assert posts(world) == 5


async def test_bad_input_is_answered_as_usual_and_does_not_use_the_budget(world: World) -> None:
    for _ in range(3):
        bad = await plan(world, world.alice, times="whenever")
        assert "Try: " in bad.response.content and "Meanwhile" not in bad.response.content

    for n in range(3):
        done = await plan(world, world.alice, title=f"Poll {n}")
        assert f"Poll #{n + 1} is up" in done.response.content
    refused_until(await plan(world, world.alice))


async def test_plan_a_meetup_in_a_pairing_thread_counts_against_the_same_budget(world: World) -> None:
    await joiner(world, world.alice, "chess")
    await joiner(world, world.bob, "chess")
    await run_round(world)
    thread = thread_of(world, (await groups(world))[0])
    shown = await world.alice.click(greeting(thread), label="Plan a meetup")
    done = await world.alice.submit_modal(shown, {"title": "Chess", "times": TIMES, "places": ""})
    assert "Poll #1 is up" in done.response.content
    await create(world, world.alice)
    await create(world, world.alice)

    refused = await world.alice.click(greeting(thread), label="Plan a meetup")

    assert refused.modal is None
    refused_until(refused)
    assert await stored_meetups(world) == 3


# -- /ask ---------------------------------------------------------------------------------------------


async def test_the_fourth_question_in_an_hour_is_refused_and_posts_nothing(
    world: World, env: simcord.Env
) -> None:
    await introduce(world, world.bob, "python")
    await privacy(world, world.bob, "helper", "on")
    first = now(env)
    for n in range(3):
        await world.alice.slash(world.general, "ask", topic="python", question=f"Question {n}?")
        await env.advance_time(10 * MINUTE)

    fourth = await world.alice.slash(world.general, "ask", topic="python", question="Question 3?")

    assert refused_until(fourth) == first + HOUR
    assert "You've asked 3 questions in the last hour" in fourth.response.content
    assert [m.embeds[0].description for m in world.support.history() if m.embeds] == [
        "Question 0?",
        "Question 1?",
        "Question 2?",
    ]
    assert len(world.support.threads) == 3
    mentions = await world.bot.services.db.fetchval("SELECT COUNT(*) FROM ask_mentions")
    assert mentions == 3


# -- /met and /intro ------------------------------------------------------------------------------------


async def test_the_eleventh_met_in_an_hour_is_refused_and_records_nothing(world: World) -> None:
    others = [add_member(world, f"guest{n}") for n in range(11)]
    for other in others[:10]:
        await world.alice.slash(world.general, "met", member=other)

    refused = await world.alice.slash(world.general, "met", member=others[10])

    refused_until(refused)
    picks = await world.bot.services.db.fetchval(
        "SELECT COUNT(*) FROM meeting_picks WHERE member_id = ?", (world.alice.id,)
    )
    assert picks == 10


async def test_the_first_introduction_and_five_updates_an_hour_are_allowed_then_the_form_is_refused(
    world: World,
) -> None:
    await intro(world, world.alice)  # the first introduction never counts
    for n in range(5):
        await intro(world, world.alice, about=f"Update {n}.")

    refused = await world.alice.slash(world.general, "intro")

    assert refused.modal is None
    refused_until(refused)
    assert "You've updated your introduction 5 times in the last hour" in refused.response.content
    [post] = intro_posts(world)
    assert post.embeds[0].description == "Update 4."
