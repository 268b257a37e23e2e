"""The connection layer and migrations on real SQLite files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage.database import Database, Migration, MigrationError, load_migrations


@pytest.fixture
async def db(tmp_path: Path):
    database = await Database.open(tmp_path / "test.db")
    yield database
    await database.close()


async def test_every_migration_applies_to_an_empty_database(db: Database) -> None:
    migrations = load_migrations()

    reached = await db.migrate()

    assert reached == migrations[-1].version == await db.user_version()
    tables = {row["name"] for row in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"guild_settings", "guild_channels", "scheduled_tasks"} <= tables
    columns = {row["name"] for row in await db.fetchall("PRAGMA table_info(scheduled_tasks)")}
    assert {"id", "guild_id", "kind", "due_at", "state", "attempts", "last_error"} <= columns


async def test_migrating_twice_changes_nothing(db: Database) -> None:
    first = await db.migrate()
    schema = await db.fetchall("SELECT sql FROM sqlite_master ORDER BY name")

    second = await db.migrate()

    assert first == second
    assert [r["sql"] for r in await db.fetchall("SELECT sql FROM sqlite_master ORDER BY name")] == [
        r["sql"] for r in schema
    ]


async def test_wal_and_foreign_keys_are_on(db: Database) -> None:
    assert (await db.fetchval("PRAGMA journal_mode")).lower() == "wal"
    assert await db.fetchval("PRAGMA foreign_keys") == 1


async def test_a_failed_migration_leaves_the_previous_version(db: Database) -> None:
    good = Migration(1, "0001_one.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);")
    bad = Migration(
        2,
        "0002_two.sql",
        "CREATE TABLE two (id INTEGER PRIMARY KEY);\nINSERT INTO missing_table VALUES (1);\n",
    )
    await db.migrate([good])

    with pytest.raises(MigrationError, match=r"0002_two\.sql"):
        await db.migrate([good, bad])

    assert await db.user_version() == 1
    names = {r["name"] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "one" in names and "two" not in names


async def test_a_database_newer_than_the_code_is_refused(db: Database) -> None:
    await db.migrate()
    await db.execute("PRAGMA user_version = 999")

    with pytest.raises(MigrationError, match="newer"):
        await db.migrate()


async def test_transaction_rolls_back_every_write_on_error(db: Database) -> None:
    await db.migrate([Migration(1, "0001_t.sql", "CREATE TABLE t (v INTEGER);")])

    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.execute("INSERT INTO t VALUES (1)")
            await db.execute("INSERT INTO t VALUES (2)")
            raise RuntimeError("boom")

    assert await db.fetchval("SELECT COUNT(*) FROM t") == 0


async def test_transaction_commits_together(db: Database) -> None:
    await db.migrate([Migration(1, "0001_t.sql", "CREATE TABLE t (v INTEGER);")])

    async with db.transaction():
        await db.execute("INSERT INTO t VALUES (1)")
        async with db.transaction():  # nested joins the outer one
            await db.execute("INSERT INTO t VALUES (2)")

    assert await db.fetchval("SELECT COUNT(*) FROM t") == 2


def test_migration_files_are_numbered_without_gaps_and_say_why() -> None:
    migrations = load_migrations()
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    for migration in migrations:
        assert migration.sql.lstrip().startswith("--"), f"{migration.name} needs a one-line reason on top"


async def test_close_leaves_no_thread_blocking_exit(tmp_path: Path) -> None:
    import threading

    before = {t.ident for t in threading.enumerate()}
    database = await Database.open(tmp_path / "x.db")
    await database.migrate()
    await database.close()

    lingering = [t for t in threading.enumerate() if t.ident not in before and t.is_alive() and not t.daemon]
    assert lingering == []
