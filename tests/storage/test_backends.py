"""SQLite and PostgreSQL: the same migrations, the same schema, one dialect translation, no password
in any message."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import Settings
from bot.storage.database import Database, load_migrations
from bot.storage.postgres import (
    PG_MIGRATIONS_DIR,
    DatabaseUnavailable,
    PostgresDatabase,
    redact_url,
    translate,
)

PG_TYPES = {"bigint": "INTEGER", "text": "TEXT", "double precision": "REAL"}


def test_both_backends_have_the_same_numbered_migrations() -> None:
    sqlite = [(m.version, m.name) for m in load_migrations()]
    postgres = [(m.version, m.name) for m in load_migrations(PG_MIGRATIONS_DIR)]
    assert sqlite == postgres


async def test_both_backends_yield_the_same_tables_and_columns(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from tests.conftest import _pg_state

    if _pg_state.get("skip"):
        pytest.skip(_pg_state["skip"])
    url = request.getfixturevalue("postgres_session_url")
    lite = await Database.open(tmp_path / "schema.db")
    pg = await PostgresDatabase.open(url)
    try:
        await lite.migrate()
        await pg.migrate()
        assert await lite.schema_version() == await pg.schema_version() == load_migrations()[-1].version
        assert await lite.table_names() == await pg.table_names()
        for table in await lite.table_names():
            sqlite_columns = await lite.table_columns(table)
            pg_columns = [(name, PG_TYPES[kind], pk) for name, kind, pk in await pg.table_columns(table)]
            assert sqlite_columns == pg_columns, table
    finally:
        await lite.close()
        await pg.close()


def test_placeholders_become_numbered_and_literals_are_left_alone() -> None:
    sql, names = translate("SELECT '?', x FROM t WHERE a = ? AND b = ? -- what?\nAND c = '$.x'")
    assert sql == "SELECT '?', x FROM t WHERE a = $1 AND b = $2 -- what?\nAND c = '$.x'"
    assert names is None
    sql, names = translate("UPDATE t SET a = :a WHERE g = :guild AND (b = :a OR c::text = 'x:y')")
    assert sql == "UPDATE t SET a = $1 WHERE g = $2 AND (b = $1 OR c::text = 'x:y')"
    assert names == ("a", "guild")


def test_sqlite_functions_become_their_postgresql_spelling() -> None:
    assert translate("UPDATE p SET l = max(l, ?), m = MIN(a, min(b, c))")[0] == (
        "UPDATE p SET l = GREATEST(l, $1), m = LEAST(a, LEAST(b, c))"
    )
    assert translate("SELECT MAX(position) FROM r")[0] == "SELECT MAX(position) FROM r"
    # SQLite's CROSS JOIN ... ON keeps the loop order; PostgreSQL spells the join without CROSS.
    assert translate("SELECT t.id FROM meetups m CROSS JOIN tasks t ON t.m = m.id")[0] == (
        "SELECT t.id FROM meetups m JOIN tasks t ON t.m = m.id"
    )
    assert translate("SELECT 1 FROM a CROSS JOIN b")[0] == "SELECT 1 FROM a CROSS JOIN b"
    assert translate("SELECT group_concat(printf('%02d', position) || tag, char(30)) FROM i")[0] == (
        "SELECT string_agg(lpad((position)::text, 2, '0') || tag, chr(30)) FROM i"
    )
    assert translate("SELECT json_extract(t.payload, '$.ends_at') FROM t")[0] == (
        "SELECT ((t.payload)::jsonb ->> 'ends_at')::bigint FROM t"
    )
    assert translate("SELECT a FROM b WHERE id IN (SELECT value FROM json_each(?))")[0] == (
        "SELECT a FROM b WHERE id IN (SELECT value::bigint FROM json_array_elements_text($1::json) AS value)"
    )


SECRET_URL = "postgresql://meet:s3cr3t-pa55@127.0.0.1:1/meetbridge"


def test_a_url_is_named_without_its_password() -> None:
    assert redact_url(SECRET_URL) == "postgresql://meet:***@127.0.0.1:1/meetbridge"
    assert redact_url("postgresql://postgres@localhost/db") == "postgresql://postgres@localhost/db"


def test_settings_never_show_the_database_password() -> None:
    settings = Settings(database_url=SECRET_URL)
    assert settings.database_target == SECRET_URL
    assert "s3cr3t" not in repr(settings)
    assert "s3cr3t" not in str(settings.model_dump())
    with pytest.raises(ValueError, match="postgresql://"):
        Settings(database_url="mysql://u:p@h/db")


async def test_an_unreachable_server_is_reported_without_the_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DatabaseUnavailable) as failure:
        await PostgresDatabase.open(SECRET_URL)
    message = str(failure.value)
    assert "127.0.0.1:1" in message and "***" in message
    assert "s3cr3t" not in message
    assert failure.value.__cause__ is None and failure.value.__context__ is not None
    assert "s3cr3t" not in caplog.text


async def test_closing_cuts_off_a_connection_that_is_never_handed_back(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A shutdown must stop even when a task holds a connection forever (a statement stuck
    mid-way): after the grace period that connection is cut and its transaction rolled back."""
    import asyncio

    import bot.storage.postgres as postgres
    from tests.conftest import _pg_state

    if _pg_state.get("skip"):
        pytest.skip(_pg_state["skip"])
    url = request.getfixturevalue("postgres_session_url")
    monkeypatch.setattr(postgres, "CLOSE_GRACE", 0.3)
    db = await PostgresDatabase.open(url, min_size=1, max_size=2)
    await db.execute("CREATE TABLE IF NOT EXISTS held_at_close (n BIGINT)")
    holding = asyncio.Event()

    async def hold_forever() -> None:
        async with db.transaction():
            await db.execute("INSERT INTO held_at_close (n) VALUES (1)")
            holding.set()
            await asyncio.Event().wait()

    holder = asyncio.create_task(hold_forever())
    await holding.wait()
    started = asyncio.get_running_loop().time()
    await asyncio.wait_for(db.close(), 5)
    assert asyncio.get_running_loop().time() - started < 2
    assert db.closed
    assert "PostgreSQL connections still busy 0.3 s into closing: cut off" in caplog.text
    holder.cancel()
    await asyncio.gather(holder, return_exceptions=True)
    after = await PostgresDatabase.open(url, min_size=1, max_size=1)
    try:
        assert await after.fetchval("SELECT COUNT(*) FROM held_at_close") == 0  # rolled back
    finally:
        await after.execute("DROP TABLE held_at_close")
        await after.close()
