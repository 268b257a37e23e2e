"""copy-db at the storage level: a database with rows in many tables (pairing rounds, tasks, the
DM outbox, RSVPs in the same second) goes SQLite -> PostgreSQL -> SQLite and comes back equal,
table by table, row by row, ids included."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.meetups import RsvpStatus
from bot.domain.pairing import Group
from bot.storage.copy import CopyError, copy_database
from bot.storage.database import Database, load_migrations
from bot.storage.meetups import MeetupRepository
from bot.storage.outbox import OutboxRepository
from bot.storage.pairing import PairingRepository
from bot.storage.tasks import TaskRepository
from tests.storage.test_meetups_repository import new

GUILD = 1456074443980800014  # a real-sized Discord id (past 32 bits)


async def fill(db: Database) -> None:
    tasks, outbox, pairing = TaskRepository(db), OutboxRepository(db), PairingRepository(db)
    meetups = MeetupRepository(db)
    meetup = await meetups.add(new(guild_id=GUILD, organiser_id=GUILD + 1), now=0)
    async with db.transaction():
        for member in (GUILD + 5, GUILD + 3, GUILD + 4):  # one second, so only insertion orders them
            await meetups.set_rsvp(GUILD, meetup.id, member, RsvpStatus.GOING, now=10)
    await meetups.set_rsvp(GUILD, meetup.id, GUILD + 6, RsvpStatus.WAITLIST, now=11)
    for n in range(3):
        await tasks.add(GUILD, "meetup.reminder", 100 + n, 0, subject_id=meetup.id, payload={"offset": n})
    await outbox.add(
        GUILD, [(GUILD + 3, "reminder:1"), (GUILD + 4, "reminder:2")], {"content": "⏰ soon"}, now=0
    )
    await pairing.create_round(
        guild_id=GUILD,
        size=2,
        started_at=0,
        halfway_at=50,
        ends_at=100,
        task_id=None,
        groups=[Group((GUILD + 3, GUILD + 4), ("chess",)), Group((GUILD + 5, GUILD + 6), ("go",))],
        left_out={},
    )


async def every_row(db) -> dict[str, list[tuple]]:
    rows = {}
    for table in await db.table_names():
        columns = ", ".join(name for name, _, _ in await db.table_columns(table))
        rows[table] = sorted(tuple(row) for row in await db.fetchall(f"SELECT {columns} FROM {table}"))
    return rows


async def test_sqlite_to_postgresql_and_back_keeps_every_row(tmp_path: Path, empty_postgres: str) -> None:
    original = tmp_path / "original.db"
    db = await Database.open(original)
    await db.migrate()
    await fill(db)
    before = await every_row(db)
    order = [r.member_id for r in await MeetupRepository(db).rsvps(1)]
    await db.close()

    there = await copy_database(original, empty_postgres)
    back = tmp_path / "back.db"
    again = await copy_database(empty_postgres, back)

    assert [t.checksum for t in there] == [t.checksum for t in again]
    assert {t.table: t.rows for t in there}["pairing_group_members"] == 4
    db = await Database.open(back)
    try:
        assert await every_row(db) == before
        assert [r.member_id for r in await MeetupRepository(db).rsvps(1)] == order
        # New rows continue after the copied ids on the way back too.
        added = await TaskRepository(db).add(GUILD, "meetup.reminder", 200, 0, subject_id=1, payload={})
        assert added.id == 4
    finally:
        await db.close()
    from bot.storage.postgres import PostgresDatabase

    pg = await PostgresDatabase.open(empty_postgres)
    try:
        assert [r.member_id for r in await MeetupRepository(pg).rsvps(1)] == order
        added = await TaskRepository(pg).add(GUILD, "meetup.reminder", 200, 0, subject_id=1, payload={})
        assert added.id == 4
    finally:
        await pg.close()


async def test_an_older_source_is_refused_until_it_is_migrated(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    db = await Database.open(old)
    await db.migrate(load_migrations()[:3])
    await db.close()
    with pytest.raises(CopyError, match="python -m bot migrate"):
        await copy_database(old, tmp_path / "new.db")
