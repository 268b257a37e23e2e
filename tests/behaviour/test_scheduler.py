"""The scheduler on SimCord's virtual clock: durable, exactly once, across restarts."""

from __future__ import annotations

import pytest
import simcord

from bot import MeetbridgeBot
from bot.domain.tasks import TaskState
from tests.behaviour import probe_log as probe
from tests.conftest import BotFactory, restart
from tests.world import World

pytestmark = pytest.mark.world("server")

PROBE = ("tests.behaviour.probe",)


@pytest.fixture
def simcord_bot(bot_factory: BotFactory) -> MeetbridgeBot:
    probe.FIRED.clear()
    probe.FAIL_TIMES.clear()
    return bot_factory(extra_extensions=PROBE)


async def schedule(world: World, seconds: int, failures: int = 0) -> int:
    result = await world.alice.slash(world.general, "probe", seconds=seconds, failures=failures)
    return int(result.response.content.split()[-1])


async def move(world: World, task_id: int, seconds: int) -> None:
    """Reschedule from bot code (a job armed from test code would get a real-time timer)."""
    result = await world.alice.slash(world.general, "probe-move", task=task_id, seconds=seconds)
    assert result.response.content == "moved True"


async def state(world: World, task_id: int):
    return await world.bot.services.scheduler.repo.get(task_id)


async def test_a_job_one_hour_ahead_fires_exactly_once_at_its_time(world: World, env: simcord.Env) -> None:
    start = int(env.now().timestamp())
    task_id = await schedule(world, 3600)

    await env.advance_time(3599)
    assert probe.FIRED == []

    await env.advance_time(1)
    assert [(task_id, start + 3600)] == probe.FIRED

    await env.advance_time(7200)
    assert len(probe.FIRED) == 1
    assert (await state(world, task_id)).state is TaskState.DONE


async def test_a_restart_before_the_job_rebuilds_it_from_the_database(
    world: World, env: simcord.Env, bot_factory: BotFactory
) -> None:
    task_id = await schedule(world, 3600)
    await env.advance_time(1800)

    await restart(env, bot_factory, extra_extensions=PROBE)
    await env.advance_time(1800)
    await env.advance_time(3600)

    assert [fired for fired, _ in probe.FIRED] == [task_id]


async def test_a_task_missed_while_down_fires_on_start(
    world: World, env: simcord.Env, bot_factory: BotFactory
) -> None:
    now = int(env.now().timestamp())
    # Written while "down": due five minutes ago, still within the probe's 10 minute usefulness.
    late = await world.bot.services.scheduler.repo.add(
        world.guild.id, "probe", due_at=now - 300, now=now - 900
    )
    stale = await world.bot.services.scheduler.repo.add(
        world.guild.id, "probe", due_at=now - 3600, now=now - 7200
    )

    await restart(env, bot_factory, extra_extensions=PROBE)

    assert [fired for fired, _ in probe.FIRED] == [late.id]
    assert (await state(world, stale.id)).state is TaskState.DROPPED


async def test_a_failing_task_is_retried_with_backoff_and_recorded(world: World, env: simcord.Env) -> None:
    task_id = await schedule(world, 60, failures=2)

    await env.advance_time(60)
    failed_once = await state(world, task_id)
    assert failed_once.state is TaskState.PENDING
    assert "simulated outage" in failed_once.last_error
    await env.advance_time(15)  # first retry after 15 s fails again
    assert probe.FIRED == []
    await env.advance_time(60)  # second retry after 60 s succeeds

    assert [fired for fired, _ in probe.FIRED] == [task_id]
    done = await state(world, task_id)
    assert done.state is TaskState.DONE and done.attempts == 3


async def test_many_tasks_fire_once_each_in_order(world: World, env: simcord.Env) -> None:
    ids = [await schedule(world, seconds) for seconds in (300, 100, 200)]

    await env.advance_time(400)

    assert [fired for fired, _ in probe.FIRED] == [ids[1], ids[2], ids[0]]


async def test_a_task_beyond_the_horizon_is_armed_by_a_refill(world: World, env: simcord.Env) -> None:
    horizon = world.bot.services.scheduler.horizon
    task_id = await schedule(world, horizon * 3)
    assert world.bot.services.scheduler.job_count() == 1  # only the refill job

    await env.advance_time(horizon * 3)

    assert [fired for fired, _ in probe.FIRED] == [task_id]


async def test_a_task_scheduled_in_a_transaction_is_not_lost_to_a_refill_that_reads_before_it_commits(
    world: World, env: simcord.Env
) -> None:
    """Due after the last refill's window but within the horizon of now: before, the task was left
    to a refill planned at once, which (on PostgreSQL, another connection) could read before the
    transaction committed and never see it; the task then never ran."""
    scheduler = world.bot.services.scheduler
    horizon = scheduler.horizon
    await env.advance_time(600)  # the window ends 600 s before the horizon of now
    start = int(env.now().timestamp())

    result = await world.alice.slash(world.general, "probe-in-transaction", seconds=horizon - 300)
    task_id = int(result.response.content.split()[-1])
    await env.advance_time(horizon)

    assert [(task_id, start + horizon - 300)] == probe.FIRED
    assert (await state(world, task_id)).state is TaskState.DONE


async def test_an_idle_scheduler_still_refills_every_half_horizon(world: World, env: simcord.Env) -> None:
    """Whatever a refill missed (a transaction still open when it read) the next one reads."""
    scheduler = world.bot.services.scheduler
    refills = scheduler.refills

    await env.advance_time(scheduler.horizon)

    assert scheduler.refills - refills == 2


async def test_a_refill_whose_read_fails_still_plans_the_next(
    world: World, env: simcord.Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database hiccup during one refill must not end the refills (the tasks beyond the horizon
    would then never be read while the bot runs)."""
    scheduler = world.bot.services.scheduler
    read = scheduler.repo.pending_due_until
    failures = ["the disk is busy"]

    async def flaky(until: int) -> list[tuple[int, int]]:
        if failures:
            raise OSError(failures.pop())
        return await read(until)

    monkeypatch.setattr(scheduler.repo, "pending_due_until", flaky)
    task_id = await schedule(world, scheduler.horizon * 2)  # beyond the horizon: only refills read it

    await env.advance_time(scheduler.horizon * 2)

    assert failures == []  # the first refill after it was scheduled failed
    assert [fired for fired, _ in probe.FIRED] == [task_id]


async def test_a_dense_backlog_beyond_the_horizon_refills_every_half_horizon_not_per_task(
    world: World, env: simcord.Env
) -> None:
    scheduler = world.bot.services.scheduler
    horizon = scheduler.horizon
    ids = [await schedule(world, horizon + 180 * n) for n in range(1, 121)]  # every 3 min for 6 h
    refills = scheduler.refills

    await env.advance_time(horizon)
    await env.advance_time(horizon + 6 * 3600)

    assert [fired for fired, _ in probe.FIRED] == ids
    # One per half horizon over the 18 hours: not one per task (120).
    assert scheduler.refills - refills == (2 * horizon + 6 * 3600) // (horizon // 2)


async def test_many_tasks_due_the_same_second_each_run_once(world: World, env: simcord.Env) -> None:
    start = int(env.now().timestamp())
    ids = [await schedule(world, 60) for _ in range(40)]

    await env.advance_time(60)
    await env.advance_time(600)

    assert sorted(probe.FIRED) == sorted((task_id, start + 60) for task_id in ids)
    assert [(await state(world, task_id)).state for task_id in ids] == [TaskState.DONE] * len(ids)


async def test_a_task_cancelled_after_it_was_armed_never_runs(world: World, env: simcord.Env) -> None:
    scheduler = world.bot.services.scheduler
    cancelled, kept = await schedule(world, 100), await schedule(world, 100)
    later = await schedule(world, 200)

    assert await scheduler.cancel(cancelled)
    await env.advance_time(300)

    assert sorted(fired for fired, _ in probe.FIRED) == sorted([kept, later])
    assert (await state(world, cancelled)).state is TaskState.CANCELLED


async def test_a_task_moved_earlier_or_later_runs_at_its_new_time_only(
    world: World, env: simcord.Env
) -> None:
    start = int(env.now().timestamp())
    earlier, later = await schedule(world, 300), await schedule(world, 100)

    await move(world, earlier, 50)
    await move(world, later, 500)
    await env.advance_time(50)
    assert [(earlier, start + 50)] == probe.FIRED
    await env.advance_time(400)  # past both old times: nothing more
    assert [(earlier, start + 50)] == probe.FIRED
    await env.advance_time(50)

    assert [(earlier, start + 50), (later, start + 500)] == probe.FIRED


async def test_after_a_restart_the_pending_tasks_hold_no_job_each_and_each_runs_once_on_time(
    world: World, env: simcord.Env, bot_factory: BotFactory
) -> None:
    start = int(env.now().timestamp())
    same = [await schedule(world, 1800) for _ in range(5)]
    cancelled = await schedule(world, 1800)
    spread = [await schedule(world, 2000 + 7 * n) for n in range(30)]
    await world.bot.services.scheduler.cancel(cancelled)
    await env.advance_time(600)

    await restart(env, bot_factory, extra_extensions=PROBE)
    scheduler = world.bot.services.scheduler
    assert scheduler.window_size() == 35  # read by the start's refill, in two arrays
    assert scheduler.job_count() == 2  # the window job and the next refill, however many tasks
    await env.advance_time(1200)
    assert sorted(probe.FIRED) == sorted((task_id, start + 1800) for task_id in same)
    await env.advance_time(600)

    assert sorted(probe.FIRED) == sorted(
        [
            *((task_id, start + 1800) for task_id in same),
            *((t, start + 2000 + 7 * n) for n, t in enumerate(spread)),
        ]
    )
    assert scheduler.window_size() == 0


async def test_a_task_read_at_start_then_moved_or_cancelled_runs_at_its_new_time_only(
    world: World, env: simcord.Env, bot_factory: BotFactory
) -> None:
    start = int(env.now().timestamp())
    earlier = await schedule(world, 600)
    later = await schedule(world, 600)
    cancelled = await schedule(world, 600)
    await restart(env, bot_factory, extra_extensions=PROBE)
    assert world.bot.services.scheduler.window_size() == 3

    await move(world, earlier, 300)
    await move(world, later, 900)
    await world.bot.services.scheduler.cancel(cancelled)
    await env.advance_time(300)
    assert [(earlier, start + 300)] == probe.FIRED
    await env.advance_time(300)  # the old time: nothing
    assert [(earlier, start + 300)] == probe.FIRED
    await env.advance_time(300)

    assert [(earlier, start + 300), (later, start + 900)] == probe.FIRED
    assert (await state(world, cancelled)).state is TaskState.CANCELLED
