"""Scheduled task rows: claiming is what makes each task run at most once."""

from __future__ import annotations

import pytest

from bot.domain.tasks import TaskState
from bot.storage.tasks import TaskRepository


@pytest.fixture
def repo(db) -> TaskRepository:
    return TaskRepository(db)


async def test_a_due_task_is_claimed_once(repo: TaskRepository) -> None:
    task = await repo.add(1, "reminder", due_at=1000, now=0, subject_id=7, payload={"offset": 3600})

    first = await repo.claim(task.id, now=1000)
    second = await repo.claim(task.id, now=1001)

    assert first is not None and first.state is TaskState.RUNNING and first.attempts == 1
    assert first.payload == {"offset": 3600} and first.subject_id == 7
    assert second is None


async def test_a_task_is_not_claimed_before_it_is_due(repo: TaskRepository) -> None:
    task = await repo.add(1, "reminder", due_at=1000, now=0)

    assert await repo.claim(task.id, now=999) is None
    assert (await repo.get(task.id)).state is TaskState.PENDING


async def test_cancelled_task_cannot_be_claimed(repo: TaskRepository) -> None:
    task = await repo.add(1, "reminder", due_at=1000, now=0)

    assert await repo.cancel(task.id, now=10)
    assert await repo.claim(task.id, now=2000) is None
    assert (await repo.get(task.id)).state is TaskState.CANCELLED


async def test_pending_window(repo: TaskRepository) -> None:
    for due in (100, 200, 300, 5000):
        await repo.add(1, "k", due_at=due, now=0)

    assert [t.due_at for t in await repo.pending_until(300)] == [100, 200, 300]
    assert await repo.pending_due_until(300) == [(t.id, t.due_at) for t in await repo.pending_until(300)]


async def test_interrupted_tasks_return_to_pending(repo: TaskRepository) -> None:
    task = await repo.add(1, "k", due_at=10, now=0)
    await repo.claim(task.id, now=10)

    assert await repo.requeue_interrupted() == 1
    assert (await repo.get(task.id)).state is TaskState.PENDING


async def test_retry_records_the_error(repo: TaskRepository) -> None:
    task = await repo.add(1, "k", due_at=10, now=0)
    await repo.claim(task.id, now=10)

    await repo.retry_at(task.id, due_at=25, error="HTTPException: 500")

    stored = await repo.get(task.id)
    assert stored.state is TaskState.PENDING and stored.due_at == 25
    assert stored.last_error == "HTTPException: 500" and stored.attempts == 1


async def test_the_window_the_scheduler_arms_leaves_out_tasks_not_pending(repo: TaskRepository) -> None:
    done = await repo.add(1, "k", due_at=100, now=0)
    running = await repo.add(1, "k", due_at=150, now=0)
    waiting = await repo.add(1, "k", due_at=200, now=0)
    await repo.claim(done.id, now=100)
    await repo.finish(done.id, TaskState.DONE, now=101)
    await repo.claim(running.id, now=150)

    assert await repo.pending_due_until(1000) == [(waiting.id, 200)]
    assert await repo.requeue_interrupted() == 1
    assert await repo.pending_due_until(1000) == [(running.id, 150), (waiting.id, 200)]
