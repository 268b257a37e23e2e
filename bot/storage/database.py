"""One SQLite connection for the whole bot, its pragmas, transactions and migrations.

A single aiosqlite connection serialises every statement through one thread, so SQLite never
sees two writers. Transactions take an asyncio lock so that two tasks can never interleave
their statements inside one ``BEGIN ... COMMIT``; reads outside a transaction do not wait
for it unless they run while a transaction is open (they then see its uncommitted state,
which is the same connection's view).
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

Params = Sequence[Any] | dict[str, Any]


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def statements(self) -> list[str]:
        """Split the file into complete statements (sqlite3 knows where one ends)."""
        statements: list[str] = []
        buffer = ""
        for line in self.sql.splitlines(keepends=True):
            if not buffer and (not line.strip() or line.lstrip().startswith("--")):
                continue
            buffer += line
            if sqlite3.complete_statement(buffer):
                statements.append(buffer.strip())
                buffer = ""
        if buffer.strip():
            raise MigrationError(f"{self.name}: unterminated statement: {buffer.strip()[:80]}")
        return statements


class MigrationError(RuntimeError):
    """A migration file is malformed or failed to apply; the database kept its version."""


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Numbered ``NNNN_name.sql`` files in order; gaps or duplicates are a packaging bug."""
    migrations: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration file name not NNNN_name.sql: {path.name}")
        migrations.append(Migration(int(match.group(1)), path.name, path.read_text(encoding="utf-8")))
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise MigrationError(f"migration {migration.name} should be number {expected:04d}")
    return migrations


class Database:
    """The bot's connection. Repositories get one of these and own all SQL.

    :class:`bot.storage.postgres.PostgresDatabase` has the same methods for PostgreSQL.
    """

    dialect = "sqlite"

    def __init__(self, connection: aiosqlite.Connection, path: Path | str) -> None:
        self._conn = connection
        self.path = path
        self._lock = asyncio.Lock()
        self._in_transaction = False
        self._begin_pending = False  # the open transaction's BEGIN goes with its first statement
        self._begin_sent = False  # ... has been sent (it may still be on its way if cancelled)
        self._begun = False  # ... and has succeeded: COMMIT ends it
        self._closed = False

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        """Open (creating parent folders) with WAL, foreign keys and a busy timeout."""
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        pending = aiosqlite.connect(str(path), isolation_level=None)
        # Belt and braces: close() stops the worker thread, but if a caller forgets it the
        # thread must not keep the interpreter alive at exit.
        worker = getattr(pending, "_thread", None)
        if worker is not None:
            worker.daemon = True
        conn = await pending
        conn.row_factory = aiosqlite.Row
        db = cls(conn, path)
        for pragma in (
            "journal_mode = WAL",
            "foreign_keys = ON",
            "synchronous = NORMAL",
            "busy_timeout = 5000",
        ):
            await db._run(f"PRAGMA {pragma}")
        return db

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._conn.close()

    @property
    def closed(self) -> bool:
        return self._closed

    # -- queries -------------------------------------------------------------------------

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the number of rows it changed (:meth:`insert` gives a new
        row's id)."""
        async with self._autocommit_guard():
            return await self._on_thread(_rowcount, sql, params)

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run an INSERT and return the new row id."""
        async with self._autocommit_guard():
            return await self._on_thread(_lastrowid, sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        """Run one statement per row; returns the total number of rows changed."""
        async with self._autocommit_guard():
            return await self._on_thread(_many, sql, rows)

    # Reads run and finish in one call on the connection's thread: a cursor left open between two
    # awaits would hold a read snapshot, and a write queued meanwhile on this connection would fail
    # at once ("database is locked") when another process (a shard process) has written since.

    async def execute_returning(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """A write with a ``RETURNING`` clause: its rows, under the same guard as other writes."""
        async with self._autocommit_guard():
            return await self._on_thread(_all, sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        return await self._on_thread(_one, sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        return await self._on_thread(_all, sql, params)

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def fetchall_many(self, reads: Sequence[tuple[str, Params]]) -> list[list[aiosqlite.Row]]:
        """Several reads in one round trip to the connection's thread: each one's rows, in order.

        For a use case that reads many tables at once (a member's export): a round trip costs more
        than a small query, so twenty reads cost one trip instead of twenty."""
        if not reads:
            return []
        return await self._hop(_all_of, list(reads))

    async def executemany_batch(self, statements: Sequence[tuple[str, Iterable[Params]]]) -> None:
        """Several statements, each run once per row of its own, in one transaction and one round
        trip to the connection's thread (``BEGIN``, the statements and ``COMMIT`` together; any
        error rolls them all back). Inside a transaction they join it, still in one trip.

        For a batch of writes that belong together (a burst of poll votes): four round trips
        become one."""
        batch = [(sql, list(rows)) for sql, rows in statements]
        if not any(rows for _sql, rows in batch):
            return
        if self._in_transaction and _owner_is_current(self):
            await self._hop(_many_of, batch)
            return
        async with self._lock:
            await self._conn._execute(_transaction_of, self._conn, batch)

    async def _run(self, sql: str, params: Params = ()) -> None:
        """Execute and close the cursor at once (an open cursor blocks COMMIT)."""
        await self._on_thread(_rowcount, sql, params)

    async def _on_thread(self, work: Any, sql: str, params: Any) -> Any:
        """One round trip to aiosqlite's thread: the cursor is made, read and closed there.

        aiosqlite's own cursor API costs a round trip per step (execute, fetch, close); each one
        wakes the thread and the event loop, which is most of what a small query costs.
        """
        return await self._hop(work, sql, params)

    async def _hop(self, work: Any, *args: Any) -> Any:
        """Run ``work(connection, *args)`` on the connection's thread; the first statement of a
        transaction takes its ``BEGIN IMMEDIATE`` along (one round trip instead of two)."""
        connection = self._conn
        if self._begin_pending and _owner_is_current(self):
            self._begin_pending, self._begin_sent = False, True
            return await connection._execute(_begin_then, connection, self, work, args)
        return await connection._execute(work, connection, *args)

    # -- transactions --------------------------------------------------------------------

    @asynccontextmanager
    async def _autocommit_guard(self) -> AsyncIterator[None]:
        """A lone write outside a transaction waits for an open transaction to finish.

        Without this, a write from another task would silently join (and commit or roll back
        with) somebody else's transaction on the shared connection.
        """
        if self._in_transaction and _owner_is_current(self):
            yield
            return
        async with self._lock:
            yield

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Database]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``; any exception rolls everything back.

        Nested use inside the same task joins the outer transaction.
        """
        if self._in_transaction and _owner_is_current(self):
            yield self
            return
        async with self._lock:
            self._in_transaction = True
            self._owner = asyncio.current_task()
            # BEGIN IMMEDIATE is sent with the first statement (its write lock taken then, as
            # the statement runs); a body that runs none sends neither it nor COMMIT.
            self._begin_pending, self._begin_sent, self._begun = True, False, False
            try:
                yield self
            except BaseException:
                self._begin_pending = False
                if self._begin_sent:  # the thread runs calls in order: this follows the BEGIN
                    await self._rollback()
                raise
            else:
                self._begin_pending = False
                if self._begun:
                    await self._run("COMMIT")
            finally:
                self._in_transaction = self._begin_pending = self._begin_sent = self._begun = False
                self._owner = None

    async def _rollback(self) -> None:
        """ROLLBACK, when the BEGIN went through: a cancelled first statement may or may not have
        run by now, and a refused BEGIN (the database busy) left nothing to roll back."""
        try:
            await self._run("ROLLBACK")
        except sqlite3.OperationalError as error:
            if "no transaction is active" not in str(error):
                raise

    async def copy_rows(
        self, table: str, columns: list[str], rows: list[tuple[Any, ...]], insert: str
    ) -> None:
        """Bulk-load rows with ``insert`` (one ``INSERT ... VALUES (?, ...)`` per row)."""
        await self.executemany(insert, rows)

    async def defer_foreign_keys(self) -> None:
        """Check foreign keys at commit, not per statement (inside a transaction)."""
        await self.execute("PRAGMA defer_foreign_keys = ON")

    # -- the schema, for code that walks it ---------------------------------------------------------

    async def table_names(self) -> list[str]:
        rows = await self.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
        return [row[0] for row in rows]

    async def table_columns(self, table: str) -> list[tuple[str, str, int]]:
        """(name, declared type, position in the primary key or 0) per column, in table order."""
        return [
            (row["name"], str(row["type"]), int(row["pk"]))
            for row in await self.fetchall(f"PRAGMA table_info({table})")
        ]

    # -- migrations ----------------------------------------------------------------------

    async def user_version(self) -> int:
        return int(await self.fetchval("PRAGMA user_version"))

    schema_version = user_version

    async def migrate(self, migrations: list[Migration] | None = None) -> int:
        """Apply every pending migration, each atomically with its ``user_version`` bump.

        Statements run one by one inside an explicit transaction (``executescript`` would
        commit first and break atomicity). Returns the version reached.
        """
        migrations = load_migrations() if migrations is None else migrations
        current = await self.user_version()
        latest = migrations[-1].version if migrations else 0
        if current > latest:
            raise MigrationError(
                f"database is at version {current}, newer than this code knows ({latest}); "
                "upgrade Meetbridge or use another database file"
            )
        for migration in migrations:
            if migration.version <= current:
                continue
            statements = migration.statements
            try:
                async with self.transaction():
                    for statement in statements:
                        await self._run(statement)
                    # PRAGMA cannot take a bound parameter; the version is an int we parsed.
                    await self._run(f"PRAGMA user_version = {int(migration.version)}")
            except sqlite3.Error as exc:
                raise MigrationError(f"migration {migration.name} failed: {exc}") from exc
            log.info("applied migration %s", migration.name)
            current = migration.version
        return current


def _owner_is_current(db: Database) -> bool:
    return getattr(db, "_owner", None) is asyncio.current_task()


# Run on aiosqlite's thread by Database._on_thread (``connection`` is the aiosqlite one; its
# ``_conn`` is the sqlite3 connection, usable on that thread only).


def _cursor(connection: aiosqlite.Connection, sql: str, params: Any) -> sqlite3.Cursor:
    return connection._conn.execute(sql, params)


def _rowcount(connection: aiosqlite.Connection, sql: str, params: Any) -> int:
    cursor = _cursor(connection, sql, params)
    try:
        return cursor.rowcount
    finally:
        cursor.close()


def _lastrowid(connection: aiosqlite.Connection, sql: str, params: Any) -> int:
    cursor = _cursor(connection, sql, params)
    try:
        return int(cursor.lastrowid or 0)
    finally:
        cursor.close()


def _many(connection: aiosqlite.Connection, sql: str, rows: Any) -> int:
    cursor = connection._conn.executemany(sql, rows)
    try:
        return cursor.rowcount
    finally:
        cursor.close()


def _one(connection: aiosqlite.Connection, sql: str, params: Any) -> Any:
    cursor = _cursor(connection, sql, params)
    try:
        return cursor.fetchone()
    finally:
        cursor.close()


def _all(connection: aiosqlite.Connection, sql: str, params: Any) -> list[Any]:
    cursor = _cursor(connection, sql, params)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def _all_of(connection: aiosqlite.Connection, reads: list[tuple[str, Any]]) -> list[list[Any]]:
    return [_all(connection, sql, params) for sql, params in reads]


def _many_of(connection: aiosqlite.Connection, statements: list[tuple[str, list[Any]]]) -> None:
    for sql, rows in statements:
        if rows:
            _many(connection, sql, rows)


def _transaction_of(connection: aiosqlite.Connection, statements: list[tuple[str, list[Any]]]) -> None:
    _rowcount(connection, "BEGIN IMMEDIATE", ())
    try:
        _many_of(connection, statements)
    except BaseException:
        _rowcount(connection, "ROLLBACK", ())
        raise
    _rowcount(connection, "COMMIT", ())


def _begin_then(connection: aiosqlite.Connection, db: Database, work: Any, args: tuple[Any, ...]) -> Any:
    """A transaction's BEGIN and its first statement, in one call on the thread; ``db._begun``
    says whether the transaction is open (read on the event loop once the call returns)."""
    _rowcount(connection, "BEGIN IMMEDIATE", ())
    db._begun = True
    return work(connection, *args)
