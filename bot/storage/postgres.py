"""The bot's database on PostgreSQL: the same methods as :class:`bot.storage.database.Database`.

Choice: asyncpg under the existing ``Database`` seam, not SQLAlchemy. The repositories already
speak through ten methods (execute, insert, executemany, executemany_batch, execute_returning,
fetchone, fetchall, fetchall_many, fetchval, transaction); a second class with those methods and
a translation of the handful of dialect differences keeps every repository and the SQLite path
exactly as they were (no new layer on the hot SQLite path, so its benchmarks cannot get slower),
where SQLAlchemy Core would put its compiler and result wrappers on every SQLite statement too.

Every dialect difference lives in :func:`translate` (and the DDL in ``migrations/postgresql``):

- ``?`` and ``:name`` placeholders become ``$n`` (string literals and comments are left alone);
- SQLite's scalar ``max(a, b)`` / ``min(a, b)`` become ``GREATEST`` / ``LEAST``;
- ``group_concat``, ``printf('%02d', x)``, ``char(n)``, ``json_extract(x, '$.key')`` and
  ``json_each(?)`` become their PostgreSQL spellings;
- ``insert`` appends ``RETURNING id`` where SQLite would read ``lastrowid``;
- row counts come from the command status (``UPDATE 3``).

``ON CONFLICT ... DO NOTHING / DO UPDATE`` and ``RETURNING`` are written portably in the
repositories (SQLite 3.35+ has both). ``meetup_rsvps`` orders ties by ``rowid``: its PostgreSQL
table has an identity column of that name (left out of exports and of the schema comparison).

Connections come from a pool. A transaction holds one connection, bound to the task that opened
it (a context variable checked against the current task, so a task spawned inside does not share
it); like the SQLite class, transactions and lone writes of one process take turns through an
asyncio lock, so code written for one connection keeps its meaning. Across processes PostgreSQL's
own row locks and constraints apply.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.storage.database import MigrationError, Params

log = logging.getLogger(__name__)

PG_MIGRATIONS_DIR = Path(__file__).with_name("migrations") / "postgresql"
# pg_advisory_lock key for migrations: any fixed 64-bit number, the same in every process.
MIGRATION_LOCK = 0x6D656574627264  # "meetbrd"
# How long closing waits for statements still running (a shutdown): then their connections are cut.
CLOSE_GRACE = 10.0
HIDDEN_COLUMNS = frozenset({"rowid"})  # PostgreSQL-only stand-ins for SQLite's rowid


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached; the message never holds a password."""


# -- URLs and secrets ------------------------------------------------------------------------------


def is_postgres_url(value: str) -> bool:
    return value.startswith(("postgresql://", "postgres://"))


def redact_url(url: str) -> str:
    """The URL with its password replaced by ``***`` (user, host, port and database kept)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable database URL>"
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username or ''}:***@{host}"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def redact_text(text: str, url: str) -> str:
    """Any mention of the URL or its password in ``text`` redacted."""
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    text = text.replace(url, redact_url(url))
    if password:
        text = text.replace(password, "***")
    return text


# -- the dialect -----------------------------------------------------------------------------------

_PARAM = re.compile(r"\?|(?<!:):([A-Za-z_][A-Za-z0-9_]*)")
_FUNCTIONS = re.compile(r"\b(max|min|group_concat|printf|char|json_extract)\s*\(", re.IGNORECASE)
_JSON_EACH = re.compile(r"SELECT\s+value\s+FROM\s+json_each\((\$\d+)\)", re.IGNORECASE)
# SQLite's ``a CROSS JOIN b ON ...`` is an inner join whose loop order the planner keeps (the
# repositories use it to drive a scan from the smaller table); PostgreSQL's CROSS JOIN takes no ON.
_CROSS_JOIN_ON = re.compile(r"\bCROSS\s+JOIN(\s+\w+(?:\s+(?:AS\s+)?\w+)?\s+ON)\b", re.IGNORECASE)


def _segments(sql: str) -> list[tuple[bool, str]]:
    """Split SQL into (is_code, text): string literals, quoted names and comments are not code."""
    parts: list[tuple[bool, str]] = []
    i = start = 0
    n = len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"":
            end = i + 1
            while end < n:
                if sql[end] == c:
                    if end + 1 < n and sql[end + 1] == c:
                        end += 2
                        continue
                    break
                end += 1
            parts.append((True, sql[start:i]))
            parts.append((False, sql[i : end + 1]))
            i = start = end + 1
        elif c == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            parts.append((True, sql[start:i]))
            parts.append((False, sql[i:end]))
            i = start = end
        else:
            i += 1
    parts.append((True, sql[start:]))
    return [part for part in parts if part[1]]


def _call_args(sql: str, open_at: int) -> tuple[list[str], int]:
    """The top-level arguments of the call whose ``(`` is at ``open_at``, and the index after ``)``."""
    depth = 0
    args: list[str] = []
    current = open_at + 1
    i = open_at
    quote = ""
    while i < len(sql):
        c = sql[i]
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                args.append(sql[current:i].strip())
                return args, i + 1
        elif c == "," and depth == 1:
            args.append(sql[current:i].strip())
            current = i + 1
        i += 1
    raise ValueError(f"unbalanced parentheses in SQL: {sql[:80]}")


def _rewrite_functions(sql: str) -> str:
    out: list[str] = []
    pos = 0
    while True:
        match = _FUNCTIONS.search(sql, pos)
        if match is None:
            out.append(sql[pos:])
            return "".join(out)
        name = match.group(1).lower()
        open_at = match.end() - 1
        args, after = _call_args(sql, open_at)
        args = [_rewrite_functions(arg) for arg in args]
        out.append(sql[pos : match.start()])
        if name in ("max", "min") and len(args) > 1:
            out.append(f"{'GREATEST' if name == 'max' else 'LEAST'}({', '.join(args)})")
        elif name in ("max", "min"):
            out.append(f"{match.group(1)}({args[0]})")
        elif name == "group_concat":
            out.append(f"string_agg({args[0]}, {args[1] if len(args) > 1 else ','})")
        elif name == "printf":
            width = re.fullmatch(r"'%0(\d+)d'", args[0])
            if width is None or len(args) != 2:
                raise ValueError(f"printf form not translated for PostgreSQL: {args[0]}")
            out.append(f"lpad(({args[1]})::text, {width.group(1)}, '0')")
        elif name == "char":
            out.append(f"chr({', '.join(args)})")
        else:  # json_extract(doc, '$.key'): the numbers kept in task payloads
            key = re.fullmatch(r"'\$\.([A-Za-z0-9_]+)'", args[1])
            if key is None:
                raise ValueError(f"json_extract path not translated for PostgreSQL: {args[1]}")
            out.append(f"(({args[0]})::jsonb ->> '{key.group(1)}')::bigint")
        pos = after


@functools.lru_cache(maxsize=2048)
def translate(sql: str) -> tuple[str, tuple[str, ...] | None]:
    """SQLite-flavoured SQL as the repositories write it -> PostgreSQL, and the order of named
    parameters (None when the statement uses ``?``)."""
    names: list[str] = []
    positional = 0
    out: list[str] = []

    def param(match: re.Match[str]) -> str:
        nonlocal positional
        if match.group(0) == "?":
            positional += 1
            return f"${positional}"
        name = match.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    for is_code, text in _segments(sql):
        out.append(_PARAM.sub(param, text) if is_code else text)
    if positional and names:
        raise ValueError("a statement mixes ? and :name parameters")
    translated = "".join(out)
    if _FUNCTIONS.search(translated):  # (the repositories' literals hold no such call)
        translated = _rewrite_functions(translated)
    translated = _CROSS_JOIN_ON.sub(r"JOIN\1", translated)
    translated = _JSON_EACH.sub(
        r"SELECT value::bigint FROM json_array_elements_text(\1::json) AS value", translated
    )
    return translated, (tuple(names) if names else None)


def _args(names: tuple[str, ...] | None, params: Params) -> Sequence[Any]:
    if names is None:
        if isinstance(params, dict):
            raise TypeError("named parameters given to a statement with ? placeholders")
        return tuple(params)
    if not isinstance(params, dict):
        raise TypeError("positional parameters given to a statement with :name placeholders")
    return tuple(params[name] for name in names)


def _rowcount(status: str) -> int:
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


# -- migrations ------------------------------------------------------------------------------------


def load_pg_migrations(directory: Path = PG_MIGRATIONS_DIR) -> list[Any]:
    from bot.storage.database import load_migrations

    return load_migrations(directory)


# -- the database ----------------------------------------------------------------------------------


_TX: contextvars.ContextVar[tuple[Any, asyncpg.Connection] | None] = contextvars.ContextVar(
    "meetbridge_pg_transaction", default=None
)


class _Connection(asyncpg.Connection):
    """No reset query when a connection goes back to the pool: the bot keeps no session state
    (``SET CONSTRAINTS`` ends with its transaction, the migration lock is released explicitly), and
    the reset would cost a round trip after every statement."""

    def get_reset_query(self) -> str:
        return ""


class PostgresDatabase:
    """A pool of connections to one PostgreSQL database, with the SQLite class's methods."""

    dialect = "postgresql"

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self._pool = pool
        self.url = url
        self.path = redact_url(url)  # what logs name
        self._lock = asyncio.Lock()
        self._closed = False

    @classmethod
    async def open(cls, url: str, *, min_size: int = 1, max_size: int = 10) -> PostgresDatabase:
        try:
            pool = await asyncpg.create_pool(
                dsn=url.replace("postgres://", "postgresql://", 1),
                min_size=min_size,
                max_size=max_size,
                connection_class=_Connection,
            )
        except (OSError, asyncpg.PostgresError, ValueError) as exc:
            raise DatabaseUnavailable(
                f"cannot open PostgreSQL database {redact_url(url)}: "
                f"{type(exc).__name__}: {redact_text(str(exc), url)}"
            ) from None
        return cls(pool, url)

    def __repr__(self) -> str:
        return f"PostgresDatabase({self.path!r})"

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await asyncio.wait_for(self._pool.close(), CLOSE_GRACE)
        except TimeoutError:
            # A connection that is never handed back (a task stuck mid-statement at shutdown)
            # must not keep the process from stopping; its transaction rolls back on the server.
            log.warning("PostgreSQL connections still busy %g s into closing: cut off", CLOSE_GRACE)
            self._pool.terminate()

    @property
    def closed(self) -> bool:
        return self._closed

    # -- connections -----------------------------------------------------------------------------

    def _tx_connection(self) -> asyncpg.Connection | None:
        bound = _TX.get()
        if bound is not None and bound[0] is asyncio.current_task():
            return bound[1]
        return None

    @asynccontextmanager
    async def _connection(self, *, write: bool) -> AsyncIterator[asyncpg.Connection]:
        conn = self._tx_connection()
        if conn is not None:
            yield conn
            return
        if write:
            async with self._lock, self._pool.acquire() as pooled:
                yield pooled
        else:
            async with self._pool.acquire() as pooled:
                yield pooled

    # -- queries ---------------------------------------------------------------------------------

    async def execute(self, sql: str, params: Params = ()) -> int:
        query, names = translate(sql)
        async with self._connection(write=True) as conn:
            return _rowcount(await conn.execute(query, *_args(names, params)))

    async def insert(self, sql: str, params: Params = ()) -> int:
        query, names = translate(sql)
        if "RETURNING" not in query.upper():
            query += " RETURNING id"
        async with self._connection(write=True) as conn:
            value = await conn.fetchval(query, *_args(names, params))
        return int(value or 0)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        query, names = translate(sql)
        total = 0
        async with self._connection(write=True) as conn:
            statement = await conn.prepare(query)
            for row in rows:
                await statement.fetch(*_args(names, row))
                total += _rowcount(statement.get_statusmsg() or "")
        return total

    async def execute_returning(self, sql: str, params: Params = ()) -> list[asyncpg.Record]:
        query, names = translate(sql)
        async with self._connection(write=True) as conn:
            return list(await conn.fetch(query, *_args(names, params)))

    async def fetchone(self, sql: str, params: Params = ()) -> asyncpg.Record | None:
        query, names = translate(sql)
        async with self._connection(write=False) as conn:
            return await conn.fetchrow(query, *_args(names, params))

    async def fetchall(self, sql: str, params: Params = ()) -> list[asyncpg.Record]:
        query, names = translate(sql)
        async with self._connection(write=False) as conn:
            return list(await conn.fetch(query, *_args(names, params)))

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def fetchall_many(self, reads: Sequence[tuple[str, Params]]) -> list[list[asyncpg.Record]]:
        """Several reads on one connection, each one's rows in order (as the SQLite database)."""
        if not reads:
            return []
        async with self._connection(write=False) as conn:
            results = []
            for sql, params in reads:
                query, names = translate(sql)
                results.append(list(await conn.fetch(query, *_args(names, params))))
            return results

    async def executemany_batch(self, statements: Sequence[tuple[str, Iterable[Params]]]) -> None:
        """Several statements, each run once per row of its own, in one transaction (joining the
        current one), as the SQLite database does; nothing to write sends nothing."""
        batch = [(sql, list(rows)) for sql, rows in statements]
        if not any(rows for _sql, rows in batch):
            return
        async with self.transaction():
            for sql, rows in batch:
                if rows:
                    await self.executemany(sql, rows)

    # -- transactions ----------------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresDatabase]:
        """One connection, ``BEGIN`` ... ``COMMIT``; any exception rolls everything back.

        Nested use inside the same task joins the outer transaction.
        """
        if self._tx_connection() is not None:
            yield self
            return
        async with self._lock, self._pool.acquire() as conn:
            token = _TX.set((asyncio.current_task(), conn))
            try:
                async with conn.transaction():
                    yield self
            finally:
                _TX.reset(token)

    async def copy_rows(
        self, table: str, columns: list[str], rows: list[tuple[Any, ...]], insert: str
    ) -> None:
        """Bulk-load rows (``COPY``) inside the current transaction (``insert`` is SQLite's way)."""
        async with self._connection(write=True) as conn:
            await conn.copy_records_to_table(table, records=rows, columns=columns)

    async def defer_foreign_keys(self) -> None:
        """Check foreign keys at commit (every reference is declared DEFERRABLE)."""
        await self.execute("SET CONSTRAINTS ALL DEFERRED")

    # -- the schema, for code that walks it ---------------------------------------------------------

    async def table_names(self) -> list[str]:
        rows = await self.fetchall(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename <> 'schema_version' ORDER BY tablename"
        )
        return [row[0] for row in rows]

    async def table_columns(self, table: str) -> list[tuple[str, str, int]]:
        """(name, declared type, position in the primary key or 0) per column, in table order."""
        rows = await self.fetchall(
            "SELECT a.attname, format_type(a.atttypid, NULL), COALESCE((SELECT "
            "  array_position(i.indkey::int2[], a.attnum) - array_lower(i.indkey::int2[], 1) + 1 "
            "  FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary), 0) "
            "FROM pg_attribute a WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 "
            "AND NOT a.attisdropped ORDER BY a.attnum",
            (table,),
        )
        return [(row[0], row[1], int(row[2])) for row in rows if row[0] not in HIDDEN_COLUMNS]

    # -- migrations ------------------------------------------------------------------------------

    async def user_version(self) -> int:
        """The schema version recorded in the database (0: nothing applied yet)."""
        async with self._pool.acquire() as conn:
            return await _version(conn)

    schema_version = user_version

    async def migrate(self, migrations: list[Any] | None = None) -> int:
        """Apply every pending migration once, each atomically with its version; a session-level
        ``pg_advisory_lock`` makes processes that start together take turns (the second finds
        nothing left to do)."""
        migrations = load_pg_migrations() if migrations is None else migrations
        latest = migrations[-1].version if migrations else 0
        async with self._pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            try:
                await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                current = await _version(conn)
                if current > latest:
                    raise MigrationError(newer_message(current, latest))
                for migration in migrations:
                    if migration.version <= current:
                        continue
                    try:
                        async with conn.transaction():
                            await conn.execute(migration.sql)
                            await conn.execute("DELETE FROM schema_version")
                            await conn.execute(
                                "INSERT INTO schema_version (version) VALUES ($1)", migration.version
                            )
                    except asyncpg.PostgresError as exc:
                        raise MigrationError(f"migration {migration.name} failed: {exc}") from exc
                    log.info("applied migration %s", migration.name)
                    current = migration.version
                return current
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)


async def _version(conn: asyncpg.Connection) -> int:
    exists = await conn.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
    if not exists:
        return 0
    return int(await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version"))


def newer_message(current: int, latest: int) -> str:
    return (
        f"database is at version {current}, newer than this code knows ({latest}); "
        "upgrade Meetbridge or use another database"
    )
