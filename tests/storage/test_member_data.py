"""Privacy coverage: every table with a member id column can be exported and forgotten."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.app  # noqa: F401 - importing the app imports every repository, which register their tables
from bot.storage.database import Database
from bot.storage.member_data import MEMBER_COLUMN, registered


@pytest.fixture
async def db(tmp_path: Path):
    database = await Database.open(tmp_path / "privacy.db")
    await database.migrate()
    yield database
    await database.close()


async def member_columns(db: Database) -> dict[str, set[str]]:
    tables = [r["name"] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")]
    found: dict[str, set[str]] = {}
    for table in tables:
        columns = {r["name"] for r in await db.fetchall(f"PRAGMA table_info({table})")}
        if matching := {c for c in columns if MEMBER_COLUMN.search(c)}:
            found[table] = matching | ({"guild_id"} & columns)
    return found


async def test_every_table_with_a_member_column_is_registered_for_export_and_forget(db: Database) -> None:
    found = await member_columns(db)
    entries = registered()

    missing = sorted(set(found) - set(entries))
    assert missing == [], f"tables storing member ids without privacy coverage: {missing}"
    for table, columns in found.items():
        assert "guild_id" in columns, f"{table} stores member data without a guild_id scope"
        uncovered = columns - {"guild_id"} - set(entries[table].member_columns)
        assert not uncovered, f"{table} has member columns not covered: {sorted(uncovered)}"


async def test_suspicious_user_columns_follow_the_naming_convention(db: Database) -> None:
    tables = [r["name"] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")]
    offenders = []
    for table in tables:
        for row in await db.fetchall(f"PRAGMA table_info({table})"):
            name = row["name"]
            if ("user" in name or "author" in name or "voter" in name) and not MEMBER_COLUMN.search(name):
                offenders.append(f"{table}.{name}")
    assert offenders == [], "name member id columns member_id / *_member_id / organiser_id"
