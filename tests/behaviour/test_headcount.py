"""Minimum headcount: below ``min_attendees`` at the first reminder, the organiser keeps or cancels."""

from __future__ import annotations

import discord
import pytest
import simcord

from bot.domain.followups import HEADCOUNT, REMINDER
from bot.domain.meetups import MeetupState
from bot.domain.tasks import TaskState
from tests.behaviour.followup_world import (
    DAY_BEFORE,
    HOUR_BEFORE,
    START,
    advance_to,
    answer,
    create_meetup,
    dms,
    reminders,
    tasks,
    thread_messages,
)
from tests.behaviour.meetup_world import MeetupWorld

pytestmark = [pytest.mark.simcord(settle_timeout=1.5), pytest.mark.world("meetups")]

KEEP, CANCEL = "Keep", "Cancel"


def question_in_thread(world: MeetupWorld) -> discord.Message:
    """The headcount question posted in the thread (the day-before reminder, due at the same
    moment, may be posted before or after it)."""
    [question] = [m for m in thread_messages(world) if "📉 Only **" in m.content]
    return question


async def below_minimum(world: MeetupWorld, env: simcord.Env):
    meetup = await create_meetup(world, min_attendees=3)
    await answer(world, meetup, world.bob)
    await advance_to(env, DAY_BEFORE)
    return meetup


async def test_below_the_minimum_at_the_first_reminder_the_organiser_gets_keep_and_cancel(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await below_minimum(world, env)

    [question] = dms(world.alice)
    assert "Only **1** person is going to meetup #1 **Board games**" in question.content
    assert "at least **3**" in question.content
    labels = [child.label for row in question.components for child in row.children]
    assert labels == [KEEP, CANCEL]
    assert dms(world.bob) == []


async def test_keep_lets_the_meetup_go_ahead_and_is_not_asked_again(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await below_minimum(world, env)
    [question] = dms(world.alice)

    result = await world.alice.user.click(question, label=KEEP)

    assert not result.ephemeral
    [edited] = dms(world.alice)
    assert edited.content.startswith("✅") and "kept meetup #1" in edited.content
    assert edited.components == []
    assert (await world.meetup(1)).state is MeetupState.SCHEDULED
    await advance_to(env, HOUR_BEFORE)
    assert len(reminders(world)) == 2
    assert len(dms(world.alice)) == 1  # the 1 h reminder does not ask again


async def test_cancel_cancels_as_meetup_cancel_does(world: MeetupWorld, env: simcord.Env) -> None:
    meetup = await below_minimum(world, env)
    [question] = dms(world.alice)

    await world.alice.user.click(question, label=CANCEL)

    cancelled = await world.meetup(1)
    assert cancelled.state is MeetupState.CANCELLED
    assert cancelled.cancel_reason == "Fewer than 3 people were going."
    assert "❌ Meetup #1 “Board games” is cancelled." in thread_messages(world)[-1].content
    assert world.announcement(cancelled).embeds[0].title == "❌ Cancelled: Board games"
    [edited] = dms(world.alice)
    assert "cancelled meetup #1" in edited.content and edited.components == []
    await advance_to(env, START)
    assert len(reminders(world)) == 1  # the 1 h reminder is gone
    assert [t.state for t in await tasks(world, meetup, REMINDER)] == [TaskState.DONE, TaskState.CANCELLED]


async def test_enough_people_going_asks_nothing(world: MeetupWorld, env: simcord.Env) -> None:
    meetup = await create_meetup(world, min_attendees=2)
    await answer(world, meetup, world.bob)
    await answer(world, meetup, world.carol)

    await advance_to(env, HOUR_BEFORE)

    assert dms(world.alice) == []
    [check] = await tasks(world, meetup, HEADCOUNT)
    assert check.state is TaskState.DONE


async def test_only_the_organiser_or_an_admin_may_decide(world: MeetupWorld, env: simcord.Env) -> None:
    env.inject_error(
        "POST", f"/channels/{world.alice.user.dm_channel.id}/messages", status=403, code=50007, times=None
    )
    await below_minimum(world, env)
    question = question_in_thread(world)

    refused = await world.bob.click(question, label=CANCEL)

    assert refused.ephemeral and "Only the organiser of meetup #1" in refused.response.content
    assert (await world.meetup(1)).state is MeetupState.SCHEDULED
    await world.admin.click(question, label=KEEP)
    assert "kept meetup #1" in thread_messages(world)[-1].content


async def test_with_the_organisers_dms_closed_the_question_is_asked_in_the_thread(
    world: MeetupWorld, env: simcord.Env
) -> None:
    meetup = await create_meetup(world, min_attendees=3)
    await answer(world, meetup, world.bob)
    env.inject_error(
        "POST", f"/channels/{world.alice.user.dm_channel.id}/messages", status=403, code=50007, times=None
    )

    await advance_to(env, DAY_BEFORE)

    question = question_in_thread(world)
    assert question.content.startswith(f"{world.alice.mention} 📉 Only **1** person is going")
    assert world.alice.id in question.raw_mentions
    await world.alice.click(question, label=CANCEL)
    assert (await world.meetup(1)).state is MeetupState.CANCELLED
