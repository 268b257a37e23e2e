"""``python -m bot migrate`` and the version check at start, on both backends; on PostgreSQL,
processes that migrate at the same moment take turns (``pg_advisory_lock``)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from bot import Settings, create_bot
from bot.storage.backends import open_database
from bot.storage.database import MigrationError, load_migrations
from bot.storage.postgres import PostgresDatabase
from tests.conftest import database_options

ROOT = Path(__file__).resolve().parents[2]
LATEST = load_migrations()[-1].version


def run_bot_module(*args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("MEETBRIDGE_") and k != "DISCORD_TOKEN"
    }
    environment.update(variables, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=environment, capture_output=True, text=True, timeout=120
    )


def variables_for(target: str | Path) -> dict[str, str]:
    if isinstance(target, str):
        return {"MEETBRIDGE_DATABASE_URL": target}
    return {"MEETBRIDGE_DATABASE_PATH": str(target)}


async def test_migrate_applies_every_migration_once(database_target: str | Path, backend: str) -> None:
    if backend == "postgresql":  # the session database is migrated already: start from nothing
        db = await open_database(database_target)
        await db.execute("DROP SCHEMA public CASCADE")
        await db.execute("CREATE SCHEMA public")
        await db.close()
    first = await asyncio.to_thread(run_bot_module, "migrate", **variables_for(database_target))
    assert first.returncode == 0, first.stderr
    assert f"is at schema version {LATEST}" in first.stdout
    assert "applied migration 0001_guild_settings.sql" in first.stderr
    again = await asyncio.to_thread(run_bot_module, "migrate", **variables_for(database_target))
    assert again.returncode == 0 and "applied migration" not in again.stderr
    db = await open_database(database_target)
    try:
        assert await db.schema_version() == LATEST
    finally:
        await db.close()


async def test_a_database_newer_than_the_code_is_refused_at_start(database_target: str | Path) -> None:
    db = await open_database(database_target)
    await db.migrate()
    if db.dialect == "sqlite":
        await db.execute("PRAGMA user_version = 999")
    else:
        await db.execute("UPDATE schema_version SET version = 999")
    await db.close()

    bot = create_bot(Settings(**database_options(database_target), geocoder="offline", sync_commands=False))
    with pytest.raises(
        MigrationError, match=f"database is at version 999, newer than this code knows \\({LATEST}\\)"
    ):
        await bot.setup_hook()
    await bot.close()
    refused = await asyncio.to_thread(run_bot_module, "migrate", **variables_for(database_target))
    assert refused.returncode == 1 and "newer than this code knows" in refused.stderr
    if isinstance(database_target, str):  # leave the session database usable for the next test
        db = await open_database(database_target)
        await db.execute("UPDATE schema_version SET version = ?", (LATEST,))
        await db.close()


async def test_processes_that_migrate_together_apply_each_migration_once(empty_postgres: str) -> None:
    migrators = [await PostgresDatabase.open(empty_postgres, min_size=1, max_size=1) for _ in range(6)]
    try:
        reached = await asyncio.gather(*(db.migrate() for db in migrators))
    finally:
        for db in migrators:
            await db.close()
    assert reached == [LATEST] * 6
    conn = await asyncpg.connect(empty_postgres)
    try:
        assert await conn.fetchval("SELECT COUNT(*) FROM schema_version") == 1
        assert await conn.fetchval("SELECT version FROM schema_version") == LATEST
        assert await conn.fetchval("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory'") == 0
    finally:
        await conn.close()


async def test_a_failed_postgresql_migration_leaves_the_version_where_it_was(empty_postgres: str) -> None:
    from bot.storage.database import Migration

    db = await PostgresDatabase.open(empty_postgres)
    try:
        good = Migration(1, "0001_one.sql", "CREATE TABLE one (v BIGINT);")
        bad = Migration(2, "0002_two.sql", "CREATE TABLE two (v BIGINT); INSERT INTO nowhere VALUES (1);")
        assert await db.migrate([good]) == 1
        with pytest.raises(MigrationError, match=r"0002_two\.sql"):
            await db.migrate([good, bad])
        assert await db.schema_version() == 1
        assert "two" not in await db.table_names()
    finally:
        await db.close()


def test_copy_db_on_the_command_line_names_no_password(tmp_path: Path) -> None:
    source = tmp_path / "source.db"
    result = run_bot_module(
        "copy-db", "--from", str(source), "--to", "postgresql://meet:hunter2-secret@127.0.0.1:1/db"
    )
    assert result.returncode == 1
    assert "no database at" in result.stderr
    sqlite_source = tmp_path / "made.db"
    assert run_bot_module("migrate", MEETBRIDGE_DATABASE_PATH=str(sqlite_source)).returncode == 0
    result = run_bot_module(
        "copy-db", "--from", str(sqlite_source), "--to", "postgresql://meet:hunter2-secret@127.0.0.1:1/db"
    )
    assert result.returncode == 1
    assert "postgresql://meet:***@127.0.0.1:1/db" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout
