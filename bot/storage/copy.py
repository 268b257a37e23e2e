"""Moving house: copy a whole Meetbridge database, SQLite <-> PostgreSQL, and prove the copy whole.

``python -m bot copy-db --from data/meetbridge.db --to postgresql://...`` (or the other way round).
The source must be at this code's schema version (start the bot or run ``python -m bot migrate``
on it first); the target is migrated, must hold no row, and receives every table in one
transaction with foreign keys checked at commit. Ids are copied as they are (PostgreSQL's identity
sequences are moved past them afterwards), so pending tasks, RSVPs and pairing rounds keep
pointing at the right rows. Then each table's row count and a checksum of its rows (read back
from both sides) must match, or the copy is reported as failed.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.storage.backends import describe, is_postgres_url, open_database
from bot.storage.database import load_migrations

log = logging.getLogger(__name__)

# Tables whose order of rows (SQLite's rowid) means something: copied with it.
ROWID_TABLES = frozenset({"meetup_rsvps"})
BATCH = 5000


class CopyError(RuntimeError):
    """The copy was refused or did not verify; the message says why."""


@dataclass(frozen=True, slots=True)
class TableCopy:
    table: str
    rows: int
    checksum: str


async def copy_database(source: str | Path, target: str | Path) -> list[TableCopy]:
    """Copy every row of ``source`` into the empty ``target``; returns what was verified."""
    if str(source) == str(target):
        raise CopyError("the source and the target are the same database")
    if not is_postgres_url(source) and not Path(source).exists():  # noqa: ASYNC240 - once, at start
        raise CopyError(f"no database at {source}")
    src = await open_database(source)
    try:
        dst = await open_database(target)
    except BaseException:
        await src.close()
        raise
    try:
        latest = load_migrations()[-1].version
        version = await src.schema_version()
        if version != latest:
            raise CopyError(
                f"{describe(source)} is at schema version {version}, this code at {latest}: "
                "run `python -m bot migrate` on it (or start the bot on it) first"
            )
        await dst.migrate()
        tables = await src.table_names()
        if sorted(tables) != sorted(await dst.table_names()):
            raise CopyError("the two databases do not have the same tables")
        for table in tables:
            if await dst.fetchval(f"SELECT 1 FROM {table} LIMIT 1"):  # noqa: S608 - schema names
                raise CopyError(
                    f"{describe(target)} is not empty ({table} has rows): copy into an empty database"
                )
        columns = {table: await _columns(src, table) for table in tables}
        async with dst.transaction():
            await dst.defer_foreign_keys()
            for table in tables:
                await _copy_table(src, dst, table, columns[table])
        if getattr(dst, "dialect", "") == "postgresql":
            await _move_sequences(dst, tables)
        report = []
        for table in tables:
            expected = await _checksum(src, table, columns[table])
            copied = await _checksum(dst, table, columns[table])
            if expected != copied:
                raise CopyError(
                    f"{table}: copied {copied.rows} rows (checksum {copied.checksum[:12]}), "
                    f"expected {expected.rows} (checksum {expected.checksum[:12]})"
                )
            report.append(expected)
        return report
    finally:
        await src.close()
        await dst.close()


async def _columns(db: Any, table: str) -> list[str]:
    names = [name for name, _, _ in await db.table_columns(table)]
    return (["rowid", *names]) if table in ROWID_TABLES else names


async def _copy_table(src: Any, dst: Any, table: str, columns: list[str]) -> None:
    listed = ", ".join(columns)
    rows = await src.fetchall(f"SELECT {listed} FROM {table}")  # noqa: S608 - schema names
    if not rows:
        return
    values = [tuple(row) for row in rows]
    marks = ", ".join("?" for _ in columns)
    insert = f"INSERT INTO {table} ({listed}) VALUES ({marks})"  # noqa: S608 - schema names
    for start in range(0, len(values), BATCH):
        await dst.copy_rows(table, columns, values[start : start + BATCH], insert)
    log.info("copied %d rows of %s", len(values), table)


async def _move_sequences(db: Any, tables: list[str]) -> None:
    """Identity columns continue after the highest copied id (else the next insert collides)."""
    identities = await db.fetchall(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND is_identity = 'YES'"
    )
    for table, column in identities:
        if table not in tables:
            continue
        sequence = await db.fetchval("SELECT pg_get_serial_sequence(?, ?)", (table, column))
        await db.fetchval(
            f"SELECT setval(?, COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)",  # noqa: S608
            (sequence,),
        )


def _value(value: Any) -> str:
    if value is None:
        return "N"
    if isinstance(value, bool):
        return f"i{int(value)}"
    if isinstance(value, int):
        return f"i{value}"
    if isinstance(value, float):
        return f"f{value!r}"
    if isinstance(value, bytes):
        return f"b{value.hex()}"
    return f"s{value}"


async def _checksum(db: Any, table: str, columns: list[str]) -> TableCopy:
    """Row count and a SHA-256 over every row (values typed, rows sorted): the same on both sides
    exactly when the same rows are there."""
    listed = ", ".join(columns)
    rows = await db.fetchall(f"SELECT {listed} FROM {table}")  # noqa: S608 - schema names
    encoded = sorted("\x1f".join(_value(value) for value in row) for row in rows)
    digest = hashlib.sha256()
    for line in encoded:
        digest.update(line.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1e")
    return TableCopy(table, len(rows), digest.hexdigest())
