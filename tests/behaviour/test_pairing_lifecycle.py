"""A pairing round over time: the halfway check-in, Did you meet?, the cadence and restarts."""

from __future__ import annotations

import pytest
import simcord

from bot.domain.guild_settings import Cadence
from bot.domain.meetings import MeetingContext
from bot.domain.pairing_rounds import Answer
from bot.domain.tasks import TaskState
from bot.services.pairing import ROUND_TASK
from tests.behaviour.pairing_steps import (
    DAY,
    WEEK,
    bot_messages,
    groups,
    joined_member,
    joiner,
    rounds,
    run_round,
    thread_of,
)
from tests.conftest import BotFactory, restart
from tests.world import World

pytestmark = pytest.mark.world("connect")

START = 1767225600  # 2026-01-01 00:00 UTC, a Thursday: SimCord's virtual clock starts here
MONDAY_10 = START + 4 * DAY + 10 * 3600  # 2026-01-05 10:00 UTC, the first weekly slot


async def paired(world: World):
    await joiner(world, world.alice, "chess")
    await joiner(world, world.bob, "chess")
    await run_round(world)
    (group,) = await groups(world)
    return group, thread_of(world, group)


def dms(member) -> list:
    channel = member.user.dm_channel
    return [] if channel is None else [m for m in channel.history() if m.author.bot]


async def test_halfway_through_the_round_the_bot_checks_in_once(world: World, env: simcord.Env) -> None:
    _group, thread = await paired(world)

    await env.advance_time(WEEK // 2 - 1)
    assert bot_messages(thread, "⏳") == []
    await env.advance_time(1)

    (checkin,) = bot_messages(thread, "⏳")
    assert "halfway" in checkin.content and world.alice.mention in checkin.content
    assert [c.label for row in checkin.components for c in row.children] == ["Plan a meetup"]
    await env.advance_time(WEEK // 2 - 60)
    assert len(bot_messages(thread, "⏳")) == 1


async def test_at_the_end_the_bot_asks_did_you_meet_with_three_answers(
    world: World, env: simcord.Env
) -> None:
    _group, thread = await paired(world)

    await env.advance_time(WEEK)

    (ask,) = bot_messages(thread, "🏁")
    assert "**Did you meet?**" in ask.content
    assert [c.label for row in ask.components for c in row.children] == ["In person", "Online", "Not yet"]
    assert (await rounds(world))[0].state.value == "ended"


async def test_both_answering_in_person_records_the_meeting_and_introduces_them(
    world: World, env: simcord.Env
) -> None:
    group, thread = await paired(world)
    await env.advance_time(WEEK)
    (ask,) = bot_messages(thread, "🏁")

    first = await world.alice.click(ask, label="In person")
    assert "When someone else in your group says so too" in first.response.content
    assert await world.bot.services.meetings.meeting(world.guild.id, world.alice.id, world.bob.id) is None
    second = await world.bob.click(ask, label="In person")

    assert "both said you met in person" in second.response.content
    meeting = await world.bot.services.meetings.meeting(world.guild.id, world.alice.id, world.bob.id)
    assert meeting is not None
    assert (meeting.context, meeting.context_id) == (MeetingContext.PAIRING, group.id)
    assert len(dms(world.alice)) == 1 and len(dms(world.bob)) == 1
    assert "in your pairing round" in dms(world.alice)[0].content
    answers = await world.bot.services.pairing.repo.answers(group.id)
    assert answers == {world.alice.id: Answer.IN_PERSON, world.bob.id: Answer.IN_PERSON}
    again = await world.bob.click(ask, label="In person")  # no second introduction
    assert "Noted" in again.response.content and len(dms(world.alice)) == 1


async def test_online_and_not_yet_are_recorded_but_are_not_meetings(world: World, env: simcord.Env) -> None:
    group, thread = await paired(world)
    await env.advance_time(WEEK)
    (ask,) = bot_messages(thread, "🏁")

    await world.alice.click(ask, label="In person")
    await world.bob.click(ask, label="Online")
    await world.alice.click(ask, label="Not yet")

    answers = await world.bot.services.pairing.repo.answers(group.id)
    assert answers == {world.alice.id: Answer.NOT_YET, world.bob.id: Answer.ONLINE}
    assert await world.bot.services.meetings.met_count(world.guild.id, world.alice.id) == 0


async def test_only_group_members_can_answer(world: World, env: simcord.Env) -> None:
    import discord

    group, thread = await paired(world)
    mods = world.guild.create_role("Mods", permissions=discord.Permissions(manage_threads=True))
    moderator = world.guild.add_member(env.create_user("mod"), roles=[mods])
    await env.advance_time(WEEK)

    result = await moderator.click(bot_messages(thread, "🏁")[0], label="In person")

    assert "Only the members of this pairing group" in result.response.content
    assert moderator.id not in await world.bot.services.pairing.repo.answers(group.id)


# -- the cadence ----------------------------------------------------------------------------------


async def round_tasks(world: World, state: TaskState = TaskState.PENDING):
    tasks = await world.bot.services.scheduler.repo.for_subject(world.guild.id, [ROUND_TASK], world.guild.id)
    return [task for task in tasks if task.state is state]


async def weekly(world: World) -> None:
    result = await world.admin.slash(world.general, "config pairing", cadence="weekly", size=2)
    assert "weekly" in result.response.content


async def test_turning_rounds_on_schedules_the_first_for_monday_morning(world: World) -> None:
    await weekly(world)

    assert [task.due_at for task in await round_tasks(world)] == [MONDAY_10]
    joined = await joiner_reply(world)
    assert f"<t:{MONDAY_10}:F>" in joined


async def joiner_reply(world: World) -> str:
    from tests.behaviour.connect_world import introduce

    await introduce(world, world.alice, "chess")
    return (await world.alice.slash(world.general, "pairing join")).response.content


async def test_changing_the_cadence_replaces_the_pending_round_and_off_cancels_it(world: World) -> None:
    await weekly(world)
    (weekly_task,) = await round_tasks(world)

    await world.admin.slash(world.general, "config pairing", cadence="weekly", size=3)  # size only
    assert [t.id for t in await round_tasks(world)] == [weekly_task.id]
    await world.admin.slash(world.general, "config pairing", cadence="monthly", size=3)
    (monthly_task,) = await round_tasks(world)
    assert monthly_task.id != weekly_task.id and monthly_task.due_at == MONDAY_10
    await world.admin.slash(world.general, "config pairing", cadence="off", size=3)

    assert await round_tasks(world) == []
    assert {t.id for t in await round_tasks(world, TaskState.CANCELLED)} == {weekly_task.id, monthly_task.id}


async def test_rounds_run_on_the_cadence_and_the_next_is_scheduled(world: World, env: simcord.Env) -> None:
    await joiner(world, world.alice, "chess")
    await joiner(world, world.bob, "chess")
    await joined_member(world, "carol", "go")
    await joined_member(world, "dave", "go")
    await weekly(world)

    await env.advance_time(MONDAY_10 - START)

    (first,) = await rounds(world)
    assert (first.started_at, first.ends_at) == (MONDAY_10, MONDAY_10 + WEEK)
    assert [task.due_at for task in await round_tasks(world)] == [MONDAY_10 + WEEK]
    await env.advance_time(WEEK)

    assert [r.number for r in await rounds(world)] == [1, 2]
    assert [r.state.value for r in await rounds(world)] == ["ended", "open"]
    assert [task.due_at for task in await round_tasks(world)] == [MONDAY_10 + 2 * WEEK]
    assert len(world.pairing.threads) == 4


async def test_a_round_due_during_a_restart_runs_once_at_its_time(
    world: World, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await joiner(world, world.alice, "chess")
    await joiner(world, world.bob, "chess")
    await weekly(world)
    await env.advance_time(MONDAY_10 - START - 60)

    await restart(env, bot_factory)
    await env.advance_time(60)
    await env.advance_time(3600)

    assert [r.number for r in await rounds(world)] == [1]
    assert len(world.pairing.threads) == 1
    assert [task.due_at for task in await round_tasks(world)] == [MONDAY_10 + WEEK]
    assert len(await round_tasks(world, TaskState.DONE)) == 1


async def test_a_round_missed_while_down_runs_once_on_start_and_the_next_is_in_the_future(
    world: World, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await joiner(world, world.alice, "chess")
    await joiner(world, world.bob, "chess")
    await weekly(world)
    await world.bot.services.scheduler.shutdown()  # the bot is down from here
    await env.advance_time(MONDAY_10 - START + WEEK + DAY)  # two slots missed

    await restart(env, bot_factory)

    (late,) = await rounds(world)
    now = int(env.now().timestamp())
    assert late.started_at == now and late.ends_at == MONDAY_10 + 2 * WEEK
    assert [task.due_at for task in await round_tasks(world)] == [MONDAY_10 + 2 * WEEK]
    assert len(world.pairing.threads) == 1


async def test_a_manual_round_moves_the_next_scheduled_round_to_its_end(
    world: World, env: simcord.Env
) -> None:
    await joiner(world, world.alice, "chess")
    await joiner(world, world.bob, "chess")
    await weekly(world)
    now = int(env.now().timestamp())

    await run_round(world)

    (manual,) = await rounds(world)
    assert manual.ends_at == now + WEEK
    assert [task.due_at for task in await round_tasks(world)] == [now + WEEK]


async def test_a_lost_round_task_is_scheduled_again_at_start(
    world: World, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await weekly(world)
    (task,) = await round_tasks(world)
    await world.bot.services.scheduler.repo.cancel(task.id, int(env.now().timestamp()))

    await restart(env, bot_factory)

    assert [t.due_at for t in await round_tasks(world)] == [MONDAY_10]
    settings = await world.bot.services.config.settings(world.guild.id)
    assert settings.pairing_cadence is Cadence.WEEKLY


async def test_did_you_meet_buttons_work_after_a_restart(
    world: World, env: simcord.Env, bot_factory: BotFactory
) -> None:
    _group, thread = await paired(world)
    await env.advance_time(WEEK)
    (ask,) = bot_messages(thread, "🏁")

    await world.alice.click(ask, label="In person")
    await restart(env, bot_factory)
    result = await world.bob.click(ask, label="In person")

    assert "both said you met in person" in result.response.content
    assert await world.bot.services.meetings.met_count(world.guild.id, world.bob.id) == 1
