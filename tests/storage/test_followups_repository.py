"""Start-up repairs of follow-up tasks, on a real database (both backends, the shared ``db``
fixture): what they select is exactly what they should, whatever way the query finds it (the start
with a million pending tasks depends on that)."""

from __future__ import annotations

from bot.domain.followups import CHECKIN_CLOSE, REMINDER, WHOCAME
from bot.domain.tasks import ScheduledTask, TaskState
from bot.storage.database import Database
from bot.storage.followups import FollowupRepository
from bot.storage.meetups import MeetupRepository
from bot.storage.tasks import TaskRepository

NOW = 1_000_000
START, END = NOW + 86_400, NOW + 86_400 + 7200


async def meetup(
    db: Database, meetup_id: int, guild_id: int, state: str = "scheduled", start: int = START
) -> None:
    await db.execute(
        "INSERT INTO meetups (id, guild_id, number, title, starts_at, ends_at, tz, when_text, place, "
        "organiser_id, channel_id, message_id, created_at, updated_at, state) "
        "VALUES (?, ?, ?, 'Board games', ?, ?, 'UTC', '', '', 5, 9, 77, ?, ?, ?)",
        (meetup_id, guild_id, meetup_id, start, start + 7200, NOW, NOW, state),
    )


async def states(tasks: TaskRepository, *ids: int) -> list[TaskState]:
    found = [await tasks.get(task_id) for task_id in ids]
    return [task.state for task in found if isinstance(task, ScheduledTask)]


async def test_only_pending_follow_ups_of_cancelled_meetups_are_cancelled(db: Database) -> None:
    tasks, followups = TaskRepository(db), FollowupRepository(db)
    await meetup(db, 1, guild_id=10, state="cancelled")
    await meetup(db, 2, guild_id=10)
    await meetup(db, 3, guild_id=20, state="cancelled")
    cancelled_pending = await tasks.add(10, REMINDER, START - 3600, NOW, subject_id=1)
    cancelled_whocame = await tasks.add(10, WHOCAME, END, NOW, subject_id=1)
    cancelled_done = await tasks.add(10, REMINDER, START - 86_400, NOW, subject_id=1)
    await tasks.finish(cancelled_done.id, TaskState.DONE, NOW)
    other_kind = await tasks.add(10, "poll.close", START, NOW, subject_id=1)
    live = await tasks.add(10, REMINDER, START - 3600, NOW, subject_id=2)
    wrong_guild = await tasks.add(10, REMINDER, START - 3600, NOW, subject_id=3)  # meetup 3 is guild 20's
    other_guild = await tasks.add(20, CHECKIN_CLOSE, END + 10, NOW, subject_id=3)

    count = await followups.cancel_followups_of_cancelled((REMINDER, WHOCAME, CHECKIN_CLOSE), NOW)

    assert count == 3
    assert (
        await states(tasks, cancelled_pending.id, cancelled_whocame.id, other_guild.id)
        == [TaskState.CANCELLED] * 3
    )
    assert await states(tasks, cancelled_done.id, other_kind.id, live.id, wrong_guild.id) == [
        TaskState.DONE,
        TaskState.PENDING,
        TaskState.PENDING,
        TaskState.PENDING,
    ]


async def test_follow_ups_written_as_the_service_writes_them_are_in_step(db: Database) -> None:
    tasks, followups = TaskRepository(db), FollowupRepository(db)
    await meetup(db, 1, guild_id=10)
    await meetup(db, 2, guild_id=10)
    for meetup_id in (1, 2):
        await tasks.add(10, WHOCAME, END, NOW, subject_id=meetup_id, payload={"ends_at": END})
        await tasks.add(
            10,
            REMINDER,
            START - 3600,
            NOW,
            subject_id=meetup_id,
            payload={"offset": 3600, "starts_at": START},
        )
    assert await followups.out_of_step(NOW) == []

    # Meetup 2 moved an hour later, its follow-ups not replanned (a stop between the two steps).
    await db.execute("UPDATE meetups SET starts_at = ?, ends_at = ? WHERE id = 2", (START + 3600, END + 3600))

    assert [m.id for m in await followups.out_of_step(NOW)] == [2]


async def plan(db: Database, meetup_id: int, start: int = START) -> None:
    """What RemindersService.schedule writes: the tasks for ``start`` and the record of it."""
    tasks = TaskRepository(db)
    await tasks.add(10, WHOCAME, start + 7200, NOW, subject_id=meetup_id, payload={"ends_at": start + 7200})
    await tasks.add(
        10, REMINDER, start - 3600, NOW, subject_id=meetup_id, payload={"offset": 3600, "starts_at": start}
    )
    found = await MeetupRepository(db).get(meetup_id)
    assert found is not None
    await FollowupRepository(db).mark_scheduled(found, NOW)


async def test_follow_ups_recorded_as_planned_for_the_meetups_time_are_in_step_without_their_tasks(
    db: Database,
) -> None:
    followups = FollowupRepository(db)
    for meetup_id in (1, 2, 3, 4):
        await meetup(db, meetup_id, guild_id=10)
    await plan(db, 1)  # planned for its time
    await plan(db, 2)  # planned for its time, then moved without replanning
    await db.execute("UPDATE meetups SET starts_at = ?, ends_at = ? WHERE id = 2", (START + 3600, END + 3600))
    # Planned by an older version: the record has no times (NULL); its tasks match, so in step.
    await plan(db, 3)
    await db.execute(
        "UPDATE meetup_followups SET planned_starts_at = NULL, planned_ends_at = NULL WHERE meetup_id = 3"
    )
    # Planned by an older version with no record and no tasks at all.
    assert sorted(m.id for m in await followups.out_of_step(NOW)) == [2, 4]

    # The record is what start-up trusts: its tasks are not looked at (a million of them).
    await db.execute("DELETE FROM scheduled_tasks WHERE subject_id = 1")
    assert sorted(m.id for m in await followups.out_of_step(NOW)) == [2, 4]
    # A record for another time than the meetup's: judged by its tasks, which match the current time.
    await db.execute("UPDATE meetup_followups SET planned_starts_at = 5 WHERE meetup_id = 3")
    assert sorted(m.id for m in await followups.out_of_step(NOW)) == [2, 4]

    # Replanning meetup 2 for its new time records it, and it is in step again.
    await plan(db, 2, start=START + 3600)
    assert [m.id for m in await followups.out_of_step(NOW)] == [4]
