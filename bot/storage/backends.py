"""Which database a process opens: PostgreSQL when a URL is configured, else the SQLite file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.storage.database import Database

if TYPE_CHECKING:
    from bot.storage.postgres import PostgresDatabase


def is_postgres_url(value: str | Path) -> bool:
    return isinstance(value, str) and value.startswith(("postgresql://", "postgres://"))


async def open_database(target: str | Path) -> Database | PostgresDatabase:
    """A ``postgresql://`` URL opens a pool (asyncpg is imported only then); anything else is a
    SQLite file path."""
    if is_postgres_url(target):
        from bot.storage.postgres import PostgresDatabase

        return await PostgresDatabase.open(str(target))
    return await Database.open(target)


def describe(target: str | Path) -> str:
    """How logs and errors name the database: a URL without its password, or the file path."""
    if is_postgres_url(target):
        from bot.storage.postgres import redact_url

        return redact_url(str(target))
    return str(target)
