"""Rebuilding ``poll_votes`` as a rowid table keeps every vote and what the vote writer relies on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.storage.database import Database, load_migrations

REBUILD = next(m.version for m in load_migrations() if m.name.endswith("_poll_votes_rowid.sql"))
VOTES = [(7, 1, "time", 0, 100), (7, 1, "time", 0, 101), (7, 1, "time", 1, 100), (7, 1, "place", 0, 102)]


@pytest.fixture
async def db(tmp_path: Path):
    database = await Database.open(tmp_path / "upgrade.db")
    yield database
    await database.close()


async def votes(db: Database) -> list[tuple[int, ...]]:
    rows = await db.fetchall(
        "SELECT guild_id, poll_id, kind, position, member_id FROM poll_votes "
        "ORDER BY poll_id, kind DESC, position, member_id"
    )
    return [tuple(row) for row in rows]


@pytest.fixture
async def upgraded(db: Database) -> Database:
    """A database with a poll and votes written before the rebuild, then migrated to the end."""
    await db.migrate(load_migrations()[: REBUILD - 1])
    await db.execute(
        "INSERT INTO polls (id, guild_id, number, channel_id, organiser_id, title, tz, closes_at, "
        "created_at) VALUES (1, 7, 1, 70, 100, 'Games', 'UTC', 2000000000, 1)"
    )
    await db.executemany(
        "INSERT INTO poll_options (guild_id, poll_id, kind, position, label) VALUES (7, 1, ?, ?, ?)",
        [("time", 0, "fri"), ("time", 1, "sat"), ("place", 0, "Café")],
    )
    await db.executemany(
        "INSERT INTO poll_votes (guild_id, poll_id, kind, position, member_id) VALUES (?, ?, ?, ?, ?)", VOTES
    )
    await db.migrate()
    return db


async def test_every_vote_survives_the_rebuild_and_the_checks_are_clean(upgraded: Database) -> None:
    assert await votes(upgraded) == VOTES
    assert [row[0] for row in await upgraded.fetchall("PRAGMA integrity_check")] == ["ok"]
    assert await upgraded.fetchall("PRAGMA foreign_key_check") == []
    indexes = {row["name"] for row in await upgraded.fetchall("PRAGMA index_list(poll_votes)")}
    assert "poll_votes_member" in indexes


async def test_a_repeated_vote_is_still_a_no_op(upgraded: Database) -> None:
    await upgraded.execute(
        "INSERT INTO poll_votes (guild_id, poll_id, kind, position, member_id) VALUES (7, 1, 'time', 0, 100) "
        "ON CONFLICT DO NOTHING"
    )

    assert await votes(upgraded) == VOTES


async def test_a_vote_for_an_option_that_does_not_exist_is_refused(upgraded: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        await upgraded.execute(
            "INSERT INTO poll_votes (guild_id, poll_id, kind, position, member_id) "
            "VALUES (7, 1, 'time', 5, 100)"
        )


async def test_deleting_a_poll_still_deletes_its_votes(upgraded: Database) -> None:
    await upgraded.execute("DELETE FROM polls WHERE id = 1")

    assert await votes(upgraded) == []
