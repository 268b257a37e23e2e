"""Reminders before a meetup: in its thread, mentioning the Going members, by DM to those who asked;
rescheduled on edit, gone on cancel, exactly once across restarts and downtime, retried on errors.

The settle timeout is below the 2 s between two DM batches, so paced work is a virtual timer that
only ``advance_time`` fires.
"""

from __future__ import annotations

import discord
import pytest
import simcord

from bot.domain.consent import DmMode
from bot.domain.followups import REMINDER, REMINDER_POST
from bot.domain.outbox import OutboxState
from bot.domain.tasks import TaskState
from tests.behaviour.followup_world import (
    DAY,
    DAY_BEFORE,
    HOUR,
    HOUR_BEFORE,
    START,
    advance_to,
    answer,
    come_back,
    create_meetup,
    dms,
    dms_on,
    go_down,
    now,
    reminders,
    set_going,
    tasks,
    thread_messages,
)
from tests.behaviour.meetup_world import MeetupWorld
from tests.conftest import BotFactory, restart

pytestmark = [pytest.mark.simcord(settle_timeout=1.5), pytest.mark.world("meetups")]


async def test_reminders_at_both_offsets_mention_exactly_the_going_members(
    world: MeetupWorld, env: simcord.Env
) -> None:
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob)
    await answer(world, meetup, world.carol)
    await answer(world, meetup, world.dave, "maybe")

    await advance_to(env, DAY_BEFORE - 1)
    assert reminders(world) == []
    await advance_to(env, DAY_BEFORE)

    [first] = reminders(world)
    assert set(first.raw_mentions) == {world.bob.id, world.carol.id}
    assert f"starts <t:{START}:F>\n" in first.content
    assert "[Café Central](<https://www.openstreetmap.org/search?query=Caf%C3%A9+Central>)" in first.content
    assert "Going (2):" in first.content
    thread = world.meetups.threads[0]
    assert thread.id == (await world.meetup(1)).thread_id
    assert world.bot.get_channel(thread.id).parent_id == world.meetups.id  # under the announcement

    await advance_to(env, HOUR_BEFORE)
    assert [set(m.raw_mentions) for m in reminders(world)] == [{world.bob.id, world.carol.id}] * 2
    assert len(world.meetups.threads) == 1  # created once per meetup
    stored = await tasks(world, meetup, REMINDER)
    assert [(t.payload["offset"], t.state) for t in stored] == [
        (86400, TaskState.DONE),
        (3600, TaskState.DONE),
    ]


async def test_an_offset_already_past_when_the_meetup_is_created_is_skipped(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await advance_to(env, DAY_BEFORE + HOUR)

    meetup = await create_meetup(world)

    assert [t.payload["offset"] for t in await tasks(world, meetup, REMINDER)] == [3600]
    await advance_to(env, START)
    assert len(reminders(world)) == 1


async def test_editing_the_time_reschedules_every_pending_reminder(
    world: MeetupWorld, env: simcord.Env
) -> None:
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob)

    await world.alice.slash(world.general, "meetup edit", id=1, when="2026-01-10 19:00")

    await advance_to(env, DAY_BEFORE + HOUR)
    assert reminders(world) == []  # not at the old time
    await advance_to(env, DAY_BEFORE + DAY)
    [reminder] = reminders(world)
    assert f"<t:{START + 86400}:F>" in reminder.content
    stored = await tasks(world, meetup, REMINDER)
    assert [(t.due_at, t.state) for t in stored] == [
        (DAY_BEFORE, TaskState.CANCELLED),
        (HOUR_BEFORE, TaskState.CANCELLED),
        (DAY_BEFORE + 86400, TaskState.DONE),
        (HOUR_BEFORE + 86400, TaskState.PENDING),
    ]


async def test_a_meetup_moved_later_gets_a_reminder_again(world: MeetupWorld, env: simcord.Env) -> None:
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob)
    await advance_to(env, DAY_BEFORE + HOUR)
    assert len(reminders(world)) == 1

    await world.alice.slash(world.general, "meetup edit", id=1, when="2026-01-12 19:00")
    await advance_to(env, START + 3 * 86400)

    contents = [m.content for m in reminders(world)]
    assert len(contents) == 3  # 24 h before the old time, then 24 h and 1 h before the new one
    assert all(f"<t:{START + 3 * 86400}:F>" in c for c in contents[1:])


async def test_nothing_is_posted_after_a_cancel(world: MeetupWorld, env: simcord.Env) -> None:
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob)

    await world.alice.slash(world.general, "meetup cancel", id=1, reason="Rain")
    await advance_to(env, START + HOUR)

    assert reminders(world) == []
    assert {t.state for t in await tasks(world, meetup, REMINDER)} == {TaskState.CANCELLED}


async def test_a_restart_before_a_reminder_fires_it_once(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob)
    await advance_to(env, DAY_BEFORE - 60)

    await restart(env, bot_factory)
    await advance_to(env, DAY_BEFORE + 60)
    await restart(env, bot_factory)
    await advance_to(env, DAY_BEFORE + HOUR)

    assert len(reminders(world)) == 1
    [day_before, _hour_before] = await tasks(world, meetup, REMINDER)
    assert day_before.state is TaskState.DONE and day_before.attempts == 1


async def test_a_reminder_missed_while_down_fires_on_start_if_the_meetup_has_not_started(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob)
    await advance_to(env, DAY_BEFORE - 60)

    await go_down(env)
    await advance_to(env, DAY_BEFORE + 2 * HOUR)
    assert reminders(world) == []
    await come_back(env, bot_factory)

    [reminder] = reminders(world)
    assert world.bob.mention in reminder.content
    assert len(reminders(world)) == 1
    await advance_to(env, HOUR_BEFORE - 60)
    assert len(reminders(world)) == 1


async def test_a_reminder_missed_while_down_is_dropped_once_the_meetup_has_started(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob)
    await advance_to(env, DAY_BEFORE + 60)
    assert len(reminders(world)) == 1

    await go_down(env)
    await advance_to(env, START + 60)
    await come_back(env, bot_factory)

    assert len(reminders(world)) == 1  # only the one from before the downtime
    [_, hour_before] = await tasks(world, meetup, REMINDER)
    assert hour_before.state is TaskState.DROPPED
    assert "started" in hour_before.last_error


async def test_after_downtime_across_both_offsets_only_the_later_reminder_is_posted(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob)

    await go_down(env)
    await advance_to(env, HOUR_BEFORE + 60)
    await come_back(env, bot_factory)

    assert len(reminders(world)) == 1
    day_before, hour_before = await tasks(world, meetup, REMINDER)
    assert (day_before.state, hour_before.state) == (TaskState.DROPPED, TaskState.DONE)


async def test_a_reminder_that_fails_to_post_is_retried_with_backoff_and_recorded(
    world: MeetupWorld, env: simcord.Env
) -> None:
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob)
    await advance_to(env, DAY_BEFORE - 1)
    env.inject_error("POST", "/channels/*/messages", status=500)

    await advance_to(env, DAY_BEFORE)
    [post] = await tasks(world, meetup, REMINDER_POST)
    assert reminders(world) == []
    assert post.state is TaskState.PENDING and "500" in post.last_error
    await advance_to(env, DAY_BEFORE + 15)

    assert len(reminders(world)) == 1
    [post] = await tasks(world, meetup, REMINDER_POST)
    assert (post.state, post.attempts) == (TaskState.DONE, 2)


async def test_members_with_dms_on_also_get_the_reminder_by_dm(world: MeetupWorld, env: simcord.Env) -> None:
    meetup = await create_meetup(world)
    await dms_on(world, world.bob)
    await answer(world, meetup, world.bob)
    await answer(world, meetup, world.carol)

    await advance_to(env, DAY_BEFORE)

    [dm] = dms(world.bob)
    assert dm.content.startswith("⏰ Reminder from **Meetbridge Test**: **Board games** starts")
    assert f"<t:{START}:F>" in dm.content and (await world.meetup(1)).jump_url in dm.content
    assert dms(world.carol) == []


async def test_a_member_with_closed_dms_does_not_stop_the_others(
    world: MeetupWorld, env: simcord.Env
) -> None:
    meetup = await create_meetup(world)
    await dms_on(world, world.bob, world.carol, world.dave)
    for member in (world.bob, world.carol, world.dave):
        await answer(world, meetup, member)
    env.inject_error(
        "POST", f"/channels/{world.carol.user.dm_channel.id}/messages", status=403, code=50007, times=None
    )

    await advance_to(env, DAY_BEFORE)

    assert len(dms(world.bob)) == 1 and len(dms(world.dave)) == 1
    assert dms(world.carol) == []
    outbox = world.bot.services.outbox.repo
    [closed] = [
        row
        for row in await outbox.for_member(world.guild.id, world.carol.id)
        if row.payload.get("render") != "first_meetup"
    ]
    assert closed.state is OutboxState.CLOSED
    assert len(reminders(world)) == 1


async def test_nobody_going_still_gets_a_reminder_in_the_thread(world: MeetupWorld, env: simcord.Env) -> None:
    await create_meetup(world)

    await advance_to(env, DAY_BEFORE)

    [reminder] = reminders(world)
    assert "Nobody has said they're going yet" in reminder.content
    assert reminder.raw_mentions == []
    assert now(env) == DAY_BEFORE
    assert len(thread_messages(world)) == 1


# -- pacing ----------------------------------------------------------------------------------------


async def crowd(world: MeetupWorld, env: simcord.Env, size: int, with_dms: int) -> list[int]:
    """``size`` more members, all Going to meetup #1; the first ``with_dms`` of them turned DMs on."""
    meetup = await world.meetup(1)
    members = [world.guild.add_member(env.create_user(f"member{n}")) for n in range(size)]
    await set_going(world, meetup, [m.id for m in members])
    for member in members[:with_dms]:
        await world.bot.services.profiles.set_preference(world.guild.id, member.id, "dm", DmMode.ON, now(env))
    return [m.id for m in members]


def most_in_any_window(times: list[float], window: float) -> int:
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


async def test_a_reminder_for_500_going_members_stays_under_the_channel_limit(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await create_meetup(world)
    going = await crowd(world, env, 500, with_dms=0)

    await advance_to(env, DAY_BEFORE + 60)

    posts = [m for m in thread_messages(world) if m.author.bot]
    mentioned = [member for post in posts for member in post.raw_mentions]
    assert sorted(mentioned) == sorted(going)  # everyone, exactly once
    assert all(len(post.content) <= 2000 for post in posts)
    assert len(posts) > 5
    sent = [post.created_at.timestamp() for post in posts]
    assert most_in_any_window(sent, 5) <= 5
    assert min(sent) == DAY_BEFORE  # the first message on time
    assert max(sent) - DAY_BEFORE <= 5 * (len(posts) // 5)  # the rest as soon as the limit allows


async def test_reminder_dms_to_many_members_are_paced_and_skip_closed_dms(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await create_meetup(world)
    going = await crowd(world, env, 60, with_dms=35)
    closed = env.backend.get_dm_channel(going[3]).id
    env.inject_error("POST", f"/channels/{closed}/messages", status=403, code=50007, times=None)

    await advance_to(env, DAY_BEFORE + 60)

    sent = [
        message.id
        for member_id in going[:35]
        for message in env.backend.messages.get(env.backend.get_dm_channel(member_id).id, {}).values()
    ]
    assert len(sent) == 34
    assert await world.bot.services.outbox.repo.count_by_state() == {"sent": 34, "closed": 1}
    times = [discord.utils.snowflake_time(message_id).timestamp() for message_id in sent]
    assert min(times) == DAY_BEFORE
    assert most_in_any_window(times, 2) <= 10  # ten every two seconds
    assert max(times) - DAY_BEFORE == 6  # four batches: 0, 2, 4, 6 s
    nobody_else = [m for m in going[35:] if env.backend.messages.get(env.backend.get_dm_channel(m).id)]
    assert nobody_else == []


async def test_a_dm_that_failed_is_retried_after_a_restart_and_every_dm_arrives_once(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await create_meetup(world)
    going = await crowd(world, env, 5, with_dms=5)
    env.inject_error("POST", f"/channels/{env.backend.get_dm_channel(going[2]).id}/messages", status=500)
    await advance_to(env, DAY_BEFORE)
    [failed] = await world.bot.services.outbox.repo.for_member(world.guild.id, going[2])
    assert (failed.state, failed.next_at) == (OutboxState.PENDING, DAY_BEFORE + 60)

    await restart(env, bot_factory)
    await advance_to(env, DAY_BEFORE + 120)

    received = [len(env.backend.messages.get(env.backend.get_dm_channel(m).id, {})) for m in going]
    assert received == [1] * 5
    assert await world.bot.services.outbox.repo.count_by_state() == {"sent": 5}
