"""Transactions on the real migrated schema, on both backends: all or nothing, whichever statement
fails; on SQLite, with as few round trips to aiosqlite's thread as the writes allow."""

from __future__ import annotations

import asyncio

import pytest

from bot.storage.database import Database
from tests.storage.trips import count_trips

INSERT = "INSERT INTO guild_channels (guild_id, purpose, channel_id, updated_at) VALUES (?, ?, ?, 0)"
DELETE = "DELETE FROM guild_channels WHERE guild_id = ? AND purpose = ?"


async def channels(db: Database) -> list[tuple[int, str, int]]:
    rows = await db.fetchall("SELECT guild_id, purpose, channel_id FROM guild_channels ORDER BY 1, 2")
    return [(int(r[0]), str(r[1]), int(r[2])) for r in rows]


async def test_a_transactions_begin_travels_with_its_first_statement(db: Database, backend: str) -> None:
    trips = count_trips(db, backend)

    async with db.transaction():
        await db.execute(INSERT, (1, "meetups", 10))
        assert await db.fetchval("SELECT COUNT(*) FROM guild_channels") == 1
        await db.execute(INSERT, (1, "pairing", 20))

    assert await channels(db) == [(1, "meetups", 10), (1, "pairing", 20)]
    if backend == "sqlite":
        # BEGIN with the first write, the count, the second write, COMMIT, and channels()' read
        assert trips() == 5


async def test_a_transaction_that_runs_nothing_sends_nothing(db: Database, backend: str) -> None:
    trips = count_trips(db, backend)

    async with db.transaction():
        pass
    with pytest.raises(RuntimeError):
        async with db.transaction():
            raise RuntimeError("refused before any write")

    if backend == "sqlite":
        assert trips() == 0
    await db.execute(INSERT, (1, "meetups", 10))  # the connection is in a usable state
    assert await channels(db) == [(1, "meetups", 10)]


async def test_a_failing_first_statement_rolls_back_and_the_next_transaction_starts_clean(
    db: Database, backend: str
) -> None:
    await db.execute(INSERT, (1, "meetups", 10))

    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        async with db.transaction():
            await db.execute(INSERT, (1, "meetups", 11))  # the same (guild, purpose): refused
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.execute(INSERT, (2, "meetups", 20))
            raise RuntimeError("after a write")
    async with db.transaction():
        await db.execute(INSERT, (3, "meetups", 30))

    assert await channels(db) == [(1, "meetups", 10), (3, "meetups", 30)]


async def test_a_batch_of_writes_is_one_transaction_and_on_sqlite_one_round_trip(
    db: Database, backend: str
) -> None:
    await db.execute(INSERT, (1, "pairing", 20))
    trips = count_trips(db, backend)

    await db.executemany_batch(
        [
            (INSERT, [(1, "meetups", 10), (2, "meetups", 30)]),
            (DELETE, [(1, "pairing")]),
            (INSERT, []),
        ]
    )

    if backend == "sqlite":
        assert trips() == 1
    assert await channels(db) == [(1, "meetups", 10), (2, "meetups", 30)]
    await db.executemany_batch([(INSERT, []), (DELETE, [])])  # nothing to write: nothing sent
    if backend == "sqlite":
        assert trips() == 2  # the read above


async def test_a_batch_is_all_or_nothing(db: Database, backend: str) -> None:
    await db.execute(INSERT, (1, "meetups", 10))

    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await db.executemany_batch(
            [
                (INSERT, [(2, "meetups", 20)]),
                (DELETE, [(1, "meetups")]),
                (INSERT, [(3, "meetups", 30), (3, "meetups", 31)]),  # the second is refused
            ]
        )

    assert await channels(db) == [(1, "meetups", 10)]
    await db.executemany_batch([(INSERT, [(4, "meetups", 40)])])  # and the next one goes through
    assert await channels(db) == [(1, "meetups", 10), (4, "meetups", 40)]


async def test_a_batch_inside_a_transaction_joins_it(db: Database, backend: str) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.executemany_batch([(INSERT, [(1, "meetups", 10)])])
            assert await channels(db) == [(1, "meetups", 10)]
            raise RuntimeError("the outer transaction fails")

    assert await channels(db) == []
    trips = count_trips(db, backend)
    async with db.transaction():
        await db.executemany_batch([(INSERT, [(1, "meetups", 10)]), (INSERT, [(2, "meetups", 20)])])
    if backend == "sqlite":
        assert trips() == 2  # BEGIN with the batch, then COMMIT
    assert await channels(db) == [(1, "meetups", 10), (2, "meetups", 20)]


async def test_a_transaction_cancelled_during_its_first_statement_leaves_nothing_open(
    db: Database, backend: str
) -> None:
    async def write() -> None:
        async with db.transaction():
            await db.execute(INSERT, (1, "meetups", 10))
            await asyncio.sleep(3600)

    task = asyncio.create_task(write())
    await asyncio.sleep(0)  # the task is in its first statement (on SQLite: with the BEGIN)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    async with db.transaction():  # a new transaction can begin: the cancelled one was rolled back
        await db.execute(INSERT, (2, "meetups", 20))
    assert await channels(db) == [(2, "meetups", 20)]
