"""Claims and leases across processes: each connection here is a shard process of its own.

The promises: a task is claimed by one process at a time; a claim is taken over only after its
lease ran out (its claimer died); a task is finished once, by whoever holds it; a process reads
only the tasks of the servers on its shards.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import tempfile
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.outbox import OutboxState
from bot.domain.shards import Shards, shard_of
from bot.domain.tasks import TaskState
from bot.storage.backends import open_database
from bot.storage.outbox import OutboxRepository
from bot.storage.tasks import TaskRepository

LEASE = 60
GUILD = 1 << 22  # on shard 1 of 2


@pytest.fixture
async def two(database_target: str | Path) -> AsyncIterator[tuple[TaskRepository, TaskRepository]]:
    """Two processes' connections to one database (of the test's backend)."""
    first = await open_database(database_target)
    await first.migrate()
    second = await open_database(database_target)
    yield TaskRepository(first), TaskRepository(second)
    await first.close()
    await second.close()


async def test_a_claim_names_its_process_and_holds_a_lease(
    two: tuple[TaskRepository, TaskRepository],
) -> None:
    a, b = two
    task = await a.add(GUILD, "reminder", due_at=100, now=0)

    assert await a.claim(task.id, 100, "a", LEASE) is not None
    assert await b.claim(task.id, 100 + LEASE - 1, "b", LEASE) is None  # still a's
    assert await a.lease_of(task.id) == ("running", 100 + LEASE, "a")


async def test_an_expired_claim_is_taken_over_once_and_the_old_claimer_cannot_finish_it(
    two: tuple[TaskRepository, TaskRepository],
) -> None:
    a, b = two
    task = await a.add(GUILD, "reminder", due_at=100, now=0)
    await a.claim(task.id, 100, "a", LEASE)

    taken = await b.claim(task.id, 100 + LEASE, "b", LEASE)
    again = await a.claim(task.id, 100 + LEASE, "a", LEASE)

    assert taken is not None and taken.attempts == 2 and again is None
    assert not await a.finish(task.id, TaskState.DONE, 200, claimer="a")  # a's claim is gone
    assert not await a.renew(task.id, "a", 300)
    assert await b.finish(task.id, TaskState.DONE, 200, claimer="b")
    assert (await b.get(task.id)).state is TaskState.DONE  # type: ignore[union-attr]


async def test_a_renewed_lease_is_not_taken_over(two: tuple[TaskRepository, TaskRepository]) -> None:
    a, b = two
    task = await a.add(GUILD, "reminder", due_at=100, now=0)
    await a.claim(task.id, 100, "a", LEASE)

    assert await a.renew(task.id, "a", 100 + 3 * LEASE)
    assert await b.claim(task.id, 100 + 2 * LEASE, "b", LEASE) is None
    assert await a.leases_until(100 + 3 * LEASE) == [(task.id, 100 + 3 * LEASE)]


async def test_a_process_reads_only_the_tasks_of_its_shards(db: Any) -> None:
    everyone = TaskRepository(db)
    guilds = [(n << 22) | 12345 for n in range(8)]
    for guild_id in [0, *guilds]:
        await everyone.add(guild_id, "reminder", due_at=100, now=0)
    odd = TaskRepository(db, Shards(4, (1, 3)))
    zero = TaskRepository(db, Shards(4, (0,)))

    assert sorted(t.guild_id for t in await odd.pending_until(100)) == [
        g for g in guilds if shard_of(g, 4) in (1, 3)
    ]
    assert sorted(t.guild_id for t in await zero.pending_until(100)) == [0, guilds[0], guilds[4]]
    assert len(await everyone.pending_until(100)) == 9
    # The scheduler arms from (id, due time) pairs: the same servers' tasks, no others.
    assert sorted(await odd.pending_due_until(100)) == sorted(
        (t.id, t.due_at) for t in await odd.pending_until(100)
    )
    assert len(await zero.pending_due_until(100)) == 3


async def test_dms_are_claimed_per_shard_and_taken_over_after_the_lease(database_target: str | Path) -> None:
    first = await open_database(database_target)
    await first.migrate()
    second = await open_database(database_target)
    try:
        one = Shards(2, (1,))
        a, b = OutboxRepository(first, one), OutboxRepository(second, one)
        await a.add(0, [(10, "k:10")], {"content": "hi"}, now=5)  # shard 0
        await a.add(GUILD, [(11, "k:11")], {"content": "hi"}, now=5)  # shard 1

        [mine] = await a.claim_due(5, 10, shard=1, claimer="a", lease=LEASE)
        assert mine.member_id == 11
        assert await b.claim_due(5 + LEASE - 1, 10, shard=1, claimer="b", lease=LEASE) == []
        assert await a.next_due(1) == 5 + LEASE  # if a dies, the DM is due again then
        [again] = await b.claim_due(5 + LEASE, 10, shard=1, claimer="b", lease=LEASE)
        assert again.id == mine.id and again.attempts == 2
        await b.finish(again.id, OutboxState.SENT, 70)
        zero = OutboxRepository(second, Shards(2, (0,)))
        assert [row.member_id for row in await zero.claim_due(70, 10, shard=0, claimer="c")] == [10]
    finally:
        await first.close()
        await second.close()


# -- the property: many claimers, some of which die --------------------------------------------------


async def _contend(tasks: int, lives: list[int | None], seed: int, target: str | Path) -> None:
    """``lives[i]``: how many tasks claimer i finishes before it dies holding its next claim (None:
    never dies). Every claimer tries every due task at every tick, all at once, in its own order."""
    rng = random.Random(seed)
    dbs = [await open_database(target) for _ in lives]
    await dbs[0].migrate()
    await dbs[0].execute(
        "DELETE FROM scheduled_tasks"
    )  # each example starts empty (PostgreSQL: one database)
    repos = [TaskRepository(db) for db in dbs]
    try:
        ids = [
            (await repos[0].add(GUILD, "reminder", due_at=rng.randrange(0, 200), now=0)).id
            for _ in range(tasks)
        ]
        claims: dict[int, list[tuple[int, int]]] = defaultdict(list)  # task -> [(time, claimer)]
        finished: dict[int, list[int]] = defaultdict(list)
        dead: set[int] = set()
        left = list(lives)

        async def claimer(index: int, now: int) -> None:
            order = ids[:]
            rng.shuffle(order)
            for task_id in order:
                if index in dead:
                    return
                task = await repos[index].claim(task_id, now, f"p{index}", LEASE)
                if task is None:
                    continue
                claims[task_id].append((now, index))
                if left[index] == 0:
                    dead.add(index)  # dies holding this claim
                    return
                if left[index] is not None:
                    left[index] -= 1
                await asyncio.sleep(0)
                if await repos[index].finish(task_id, TaskState.DONE, now, claimer=f"p{index}"):
                    finished[task_id].append(index)

        for now in range(0, 200 + 10 * LEASE, LEASE // 3):
            await asyncio.gather(*(claimer(i, now) for i in range(len(lives)) if i not in dead))

        for task_id in ids:
            assert len(finished[task_id]) == 1, (task_id, claims[task_id], finished[task_id])
            history = claims[task_id]
            for (before, holder), (after, _) in itertools.pairwise(history):
                assert holder in dead and after >= before + LEASE, history  # only a dead claim, expired
            assert history[-1][1] == finished[task_id][0]
        assert {(await repos[0].get(task_id)).state for task_id in ids} == {TaskState.DONE}  # type: ignore[union-attr]
    finally:
        for db in dbs:
            await db.close()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    tasks=st.integers(min_value=1, max_value=12),
    lives=st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=3)), min_size=1, max_size=5),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_many_claimers_on_the_same_due_tasks_finish_each_once(
    backend: str, tmp_path: Path, tasks: int, lives: list[int | None], seed: int
) -> None:
    """Every claimer is a connection of its own (a pool on PostgreSQL), all at once on one loop."""
    lives = [*lives, None]  # at least one claimer lives
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
            asyncio.run(_contend(tasks, lives, seed, Path(folder) / "claims.db"))
    else:
        asyncio.run(_contend(tasks, lives, seed, _postgres_url()))


def _postgres_url() -> str:
    from tests.conftest import _pg_state

    return str(_pg_state["claims_url"])


@pytest.fixture(autouse=True)
def _postgres_for_the_property(backend: str, request: pytest.FixtureRequest) -> None:
    """The property test is synchronous (hypothesis runs it many times): it is handed the
    session's PostgreSQL database by URL instead of through the async fixtures."""
    if backend == "postgresql" and request.node.name.startswith("test_many_claimers"):
        from tests.conftest import _pg_state

        _pg_state["claims_url"] = request.getfixturevalue("postgres_session_url")


async def test_a_process_never_takes_over_its_own_running_claim(
    two: tuple[TaskRepository, TaskRepository],
) -> None:
    a, _ = two
    task = await a.add(GUILD, "reminder", due_at=100, now=0)
    await a.claim(task.id, 100, "a", LEASE)

    assert await a.claim(task.id, 100 + 2 * LEASE, "a", LEASE) is None  # still running here
    assert await a.requeue_interrupted("a") == 1  # a restart under the same name takes it back
    assert await a.claim(task.id, 100 + 2 * LEASE, "a", LEASE) is not None
