"""Keep in touch: three weeks after meeting in person, one gentle DM each, unless they met again."""

from __future__ import annotations

import pytest
import simcord
from simcord.actors import MemberActor

from bot.domain.followups import NUDGE
from bot.domain.tasks import TaskState
from tests.behaviour.followup_world import DAY, advance_to, answer, create_meetup, dms, dms_on, now
from tests.behaviour.meetup_world import MeetupWorld

pytestmark = [pytest.mark.simcord(settle_timeout=1.5), pytest.mark.world("meetups")]

PLAN = "Plan a catch-up"


async def meet(world: MeetupWorld, a: MemberActor, b: MemberActor) -> int:
    await a.slash(world.general, "met", member=b)
    result = await b.slash(world.general, "met", member=a)
    assert "both said you met" in result.response.content
    return now(world.env)


def nudges(member: MemberActor) -> list:
    return [m for m in dms(member) if m.content.startswith("👋 Three weeks ago")]


async def nudge_tasks(world: MeetupWorld, a: MemberActor, b: MemberActor):
    return await world.bot.services.scheduler.repo.for_subject(world.guild.id, [NUDGE], min(a.id, b.id))


async def test_three_weeks_after_meeting_each_gets_one_gentle_nudge(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await dms_on(world, world.alice, world.bob)
    met_at = await meet(world, world.alice, world.bob)

    await advance_to(env, met_at + 21 * DAY - 1)
    assert nudges(world.alice) == nudges(world.bob) == []
    await advance_to(env, met_at + 28 * DAY)

    [to_alice], [to_bob] = nudges(world.alice), nudges(world.bob)
    assert "you met **bob**" in to_alice.content and world.bob.mention in to_alice.content
    assert "you met **alice**" in to_bob.content
    labels = [child.label for row in to_alice.components for child in row.children]
    assert labels == [PLAN]
    [task] = await nudge_tasks(world, world.alice, world.bob)
    assert task.state is TaskState.DONE


async def test_only_members_with_dms_on_are_nudged(world: MeetupWorld, env: simcord.Env) -> None:
    await dms_on(world, world.bob)
    met_at = await meet(world, world.alice, world.bob)

    await advance_to(env, met_at + 21 * DAY)

    assert len(nudges(world.bob)) == 1
    assert nudges(world.alice) == []


async def test_no_nudge_when_they_were_at_another_meetup_together_since(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await dms_on(world, world.alice, world.bob)
    met_at = await meet(world, world.alice, world.bob)
    meetup = await create_meetup(world)  # Friday 9 January, eight days later
    await answer(world, meetup, world.alice)
    await answer(world, meetup, world.bob)

    await advance_to(env, met_at + 21 * DAY)

    assert nudges(world.alice) == nudges(world.bob) == []
    [task] = await nudge_tasks(world, world.alice, world.bob)
    assert task.state is TaskState.DROPPED and "another meetup together" in task.last_error


async def test_a_meetup_only_one_of_them_went_to_does_not_count(world: MeetupWorld, env: simcord.Env) -> None:
    await dms_on(world, world.alice, world.bob)
    met_at = await meet(world, world.alice, world.bob)
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob)

    await advance_to(env, met_at + 21 * DAY)

    assert len(nudges(world.alice)) == 1 and len(nudges(world.bob)) == 1


async def test_plan_a_catch_up_opens_a_poll_draft_for_the_two(world: MeetupWorld, env: simcord.Env) -> None:
    await dms_on(world, world.bob)
    met_at = await meet(world, world.alice, world.bob)
    await advance_to(env, met_at + 21 * DAY)
    [nudge] = nudges(world.bob)

    shown = await world.bob.user.click(nudge, label=PLAN)
    assert shown.modal is not None
    title = next(
        c for row in shown.modal["components"] for c in row["components"] if c["custom_id"] == "title"
    )
    assert title["value"] == "Catch-up: bob & alice"
    posted = await world.bob.user.submit_modal(
        shown, {"title": "Catch-up: bob & alice", "times": "2026-02-07 14:00; 2026-02-08 11:00", "places": ""}
    )

    assert "Poll #1 is up" in posted.response.content
    poll = await world.bot.services.polls.find(world.guild.id, 1)
    assert (poll.title, poll.organiser_id, len(poll.times)) == ("Catch-up: bob & alice", world.bob.id, 2)
    message = world.meetups.last_message
    assert message.embeds[0].title == "🗳️ Poll #1: Catch-up: bob & alice"
    assert set(message.raw_mentions) == {world.alice.id, world.bob.id}
