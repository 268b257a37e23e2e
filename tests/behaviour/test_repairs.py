"""Repairs from the database: a stop between two steps of a use case leaves nothing half done.

Each test raises from the middle of a step (right after the change is stored, before the rest of
the work), starts a new bot on the same file, and checks the end state: a meetup's announcement,
native event, notices and follow-ups always match its current time and state.
"""

from __future__ import annotations

from typing import Any

import pytest
import simcord

from bot.domain.followups import REMINDER, WHOCAME
from bot.domain.meetups import RsvpStatus
from bot.domain.tasks import TaskState
from tests.behaviour.followup_world import DAY, START, answer, create_meetup, dms, tasks, thread_messages
from tests.behaviour.meetup_world import (
    ONE,
    MeetupWorld,
    field,
    plan,
    poll_message,
    stored_poll,
)
from tests.behaviour.pairing_steps import groups, joiner, rounds, run_round, thread_of
from tests.conftest import BotFactory, restart
from tests.world import World

pytestmark = pytest.mark.world("meetups")

SATURDAY_8PM = "2026-01-10 20:00"
SATURDAY_8PM_EPOCH = 1768071600


class Stop(Exception):
    """The bot stopping at the worst moment."""


class StopAt:
    """The next call of ``target.name`` stops the bot instead: its timed work halts at once (as in
    a crash) and the step raises."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, env: simcord.Env, target: Any, name: str) -> None:
        self.happened = False
        original = getattr(target, name)

        async def stop(*args: Any, **kwargs: Any) -> Any:
            monkeypatch.setattr(target, name, original)
            self.happened = True
            await env.bot.services.scheduler.shutdown()
            raise Stop(f"stopped before {name}")

        monkeypatch.setattr(target, name, stop)


def acknowledge(env: simcord.Env) -> None:
    """The stop reached the error handler (a bug as far as it knows): it is expected here."""
    assert all("stopped before" in str(getattr(error, "original", error)) for error in env.errors)


async def pending_reminders(world: MeetupWorld, meetup) -> list[int]:
    found = await tasks(world, meetup, REMINDER)
    return sorted(task.due_at for task in found if task.state is TaskState.PENDING)


async def test_a_stop_right_after_an_edit_still_moves_everything_to_the_new_time(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob)
    stop = StopAt(monkeypatch, env, world.bot.services.scheduler, "run_now_for_subject")

    await world.alice.slash(world.general, "meetup edit", id=1, when=SATURDAY_8PM)
    assert stop.happened
    acknowledge(env)
    await restart(env, bot_factory)

    moved = await world.meetup(1)
    assert moved.starts_at == SATURDAY_8PM_EPOCH
    assert await pending_reminders(world, moved) == [SATURDAY_8PM_EPOCH - DAY, SATURDAY_8PM_EPOCH - 3600]
    whocame = [t for t in await tasks(world, moved, WHOCAME) if t.state is TaskState.PENDING]
    assert [t.due_at for t in whocame] == [moved.ends_at]
    assert f"<t:{SATURDAY_8PM_EPOCH}:F>" in field(world.announcement(moved).embeds[0], "When")
    [notice] = [m for m in thread_messages(world) if m.content.startswith("✏️")]
    assert world.bob.mention in notice.content
    event = world.bot.get_guild(world.guild.id).get_scheduled_event(moved.event_id)
    assert int(event.start_time.timestamp()) == SATURDAY_8PM_EPOCH


async def test_a_stop_right_after_a_cancellation_still_tells_everyone_and_stops_the_reminders(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob)
    stop = StopAt(monkeypatch, env, world.bot.services.scheduler, "run_now_for_subject")

    await world.alice.slash(world.general, "meetup cancel", id=1, reason="Rain")
    assert stop.happened
    acknowledge(env)
    await restart(env, bot_factory)

    cancelled = await world.meetup(1)
    assert await pending_reminders(world, cancelled) == []
    assert world.announcement(cancelled).embeds[0].title == "❌ Cancelled: Board games"
    [notice] = [m for m in thread_messages(world) if m.content.startswith("❌")]
    assert world.bob.mention in notice.content and "Rain" in notice.content
    assert not world.bot.get_guild(world.guild.id).scheduled_events or all(
        str(event.status) in ("EventStatus.cancelled", "EventStatus.canceled")
        for event in world.bot.get_guild(world.guild.id).scheduled_events
    )


async def test_a_stop_right_after_a_poll_closed_still_announces_its_meetup_once(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    await plan(world)
    poll = await stored_poll(world)
    await world.bob.react(poll_message(world, poll), ONE)
    stop = StopAt(monkeypatch, env, world.bot.services.polls.scheduler, "cancel_for_subject")

    await world.alice.slash(world.general, "meetup close-poll", id=1)
    assert stop.happened
    acknowledge(env)
    assert (await world.meetup(1)).message_id is None
    await restart(env, bot_factory)

    announced = await world.meetup(1)
    announcements = [m for m in world.meetups.history() if m.embeds and m.embeds[0].title == "📅 Board games"]
    assert [m.id for m in announcements] == [announced.message_id]
    assert announced.jump_url in field(poll_message(world, poll).embeds[0], "Result")
    assert [t.due_at for t in await tasks(world, announced, WHOCAME)] == [announced.ends_at]


async def test_a_stop_right_after_a_promotion_still_tells_the_promoted_member_once(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    meetup = await create_meetup(world, capacity=1)
    await answer(world, meetup, world.alice)
    await answer(world, meetup, world.bob)
    stop = StopAt(monkeypatch, env, world.bot.services.outbox, "kick")

    await answer(world, meetup, world.alice, "no")
    assert stop.happened
    acknowledge(env)
    await restart(env, bot_factory)

    rsvps = {r.member_id: r.status for r in await world.bot.services.meetups.repo.rsvps(meetup.id)}
    assert rsvps == {world.alice.id: RsvpStatus.NO, world.bob.id: RsvpStatus.GOING}
    [told] = dms(world.bob)
    assert "A place opened up" in told.content


async def test_follow_ups_planned_for_another_time_are_replanned_at_start(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    meetup = await create_meetup(world)
    # What an older version could leave behind: the time changed, its reminders did not.
    await world.bot.services.db.execute(
        "UPDATE meetups SET starts_at = ?, ends_at = ? WHERE id = ?",
        (SATURDAY_8PM_EPOCH, SATURDAY_8PM_EPOCH + 7200, meetup.id),
    )
    assert await pending_reminders(world, meetup) == [START - DAY, START - 3600]

    await restart(env, bot_factory)

    assert await pending_reminders(world, meetup) == [SATURDAY_8PM_EPOCH - DAY, SATURDAY_8PM_EPOCH - 3600]


@pytest.fixture
async def connect(env: simcord.Env) -> World:
    from tests.behaviour.connect_world import build_connect_world

    return await build_connect_world(env)


async def test_a_stop_right_after_a_round_was_formed_still_opens_each_thread_once(
    connect: World, env: simcord.Env, bot_factory: BotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    await joiner(connect, connect.alice, "chess")
    await joiner(connect, connect.bob, "chess")
    stop = StopAt(monkeypatch, env, connect.bot.boards.pairing, "open_round")

    await run_round(connect)
    assert stop.happened
    acknowledge(env)
    assert len(await rounds(connect)) == 1 and connect.pairing.threads == []
    await restart(env, bot_factory)
    await env.advance_time(60)

    [group] = await groups(connect)
    thread = thread_of(connect, group)
    assert len([m for m in thread.history() if m.content.startswith("👋")]) == 1
    assert len(connect.pairing.threads) == 1
