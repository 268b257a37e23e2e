"""The DM outbox on a real SQLite file: queued once per key, claimed once, retried, resumed."""

from __future__ import annotations

import pytest

from bot.domain.outbox import OutboxState
from bot.storage.outbox import OutboxRepository

GUILD = 1


@pytest.fixture
def repo(db) -> OutboxRepository:
    return OutboxRepository(db)


async def test_the_same_key_is_queued_once(repo: OutboxRepository) -> None:
    assert await repo.add(GUILD, [(10, "r:1:10"), (11, "r:1:11")], {"content": "hi"}, now=5) == 2
    assert await repo.add(GUILD, [(10, "r:1:10"), (12, "r:1:12")], {"content": "hi"}, now=6) == 1
    assert await repo.count_by_state() == {"pending": 3}


async def test_claiming_takes_the_oldest_due_rows_once(repo: OutboxRepository) -> None:
    await repo.add(GUILD, [(n, f"k:{n}") for n in range(5)], {"content": "hi"}, now=5)

    first = await repo.claim_due(now=5, limit=3)
    second = await repo.claim_due(now=5, limit=3)

    assert [row.member_id for row in first] == [0, 1, 2]
    assert [row.member_id for row in second] == [3, 4]
    assert await repo.claim_due(now=5, limit=3) == []
    assert all(row.state is OutboxState.SENDING and row.attempts == 1 for row in first)


async def test_a_retry_waits_until_its_time(repo: OutboxRepository) -> None:
    await repo.add(GUILD, [(10, "k:10")], {"content": "hi"}, now=5)
    [row] = await repo.claim_due(now=5, limit=10)

    await repo.retry_at(row.id, 65, "Discord error")

    assert await repo.claim_due(now=64, limit=10) == []
    assert await repo.next_due() == 65
    [again] = await repo.claim_due(now=65, limit=10)
    assert again.attempts == 2 and again.last_error == "Discord error"


async def test_dms_interrupted_while_sending_are_requeued(repo: OutboxRepository) -> None:
    await repo.add(GUILD, [(10, "k:10")], {"content": "hi"}, now=5)
    await repo.claim_due(now=5, limit=10)

    assert await repo.requeue_sending() == 1
    assert await repo.count_by_state() == {"pending": 1}


async def test_finished_dms_are_pruned_after_a_while(repo: OutboxRepository) -> None:
    await repo.add(GUILD, [(10, "k:10"), (11, "k:11")], {"content": "hi"}, now=5)
    [row, _] = await repo.claim_due(now=5, limit=1) + [None]
    await repo.finish(row.id, OutboxState.SENT, now=6)

    assert await repo.prune(before=100) == 1
    assert await repo.count_by_state() == {"pending": 1}
