"""Every table that stores something about a member, and how to export, forget and purge it.

A repository that stores member data registers its tables here (at import time, beside its
SQL). ``/privacy export`` and ``/privacy forget`` walk this registry, and a test walks the
schema: a table with a member id column that is not registered fails the suite, so a new
feature cannot forget to forget.

Convention: a column holding a member's Discord user id is named ``member_id``, ends in
``_member_id``, or is ``organiser_id``. Every such table has a ``guild_id`` column: data is
always scoped to one server.

Members are also *named* outside those columns: a reminder post waiting in ``scheduled_tasks``
mentions the Going members (``<@id>``), a nudge's payload holds the pair, a DM queued for someone
else carries a button about them. Forgetting a member therefore ends with one generic scrub over
every text column of every server-scoped table (found by walking the schema, like the test):

1. a JSON column registered as a :class:`MemberDocument` whose document holds the member's id as a
   *value* (``"a": 123``, ``"about": 123``), or whose registered id column holds it, is about
   them: the row is deleted (a nudge about them drops, a DM about them is never sent); in a *list*
   of ids (an audience: the members a reminder part mentions) they are only taken out;
2. anywhere else, a mention of them (``<@id>``, ``<@!id>``) or their bare id inside text is
   removed and the row kept (a reminder post still posts, minus them).

Export shows the rows that scrub would touch, beside the member's own rows. A table may name
*hidden* member columns: someone else's decision about that member (who blocked them, who reported
them). Forget still deletes or blanks those rows, but export never shows them to the member they
name, and never lists the table's rows among those that mention them: showing them would tell the
member what the product promises they are never told.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from bot.storage.database import Database, Params

MEMBER_COLUMN = re.compile(r"(^|_)member_id$|^organiser_id$")

Forget = Callable[[Database, int, int], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class MemberTable:
    table: str
    member_columns: tuple[str, ...]
    # delete: remove the rows; anonymise: keep the row (others depend on it) but blank the member;
    # custom: call ``forget`` (for rows that need more care, e.g. a meetup the member organised).
    strategy: Literal["delete", "anonymise", "custom"] = "delete"
    forget: Forget | None = None
    # Member columns whose member is never shown the row (they are the subject of someone else's
    # block or report); forget still covers them.
    hidden: tuple[str, ...] = ()

    @property
    def exported_columns(self) -> tuple[str, ...]:
        return tuple(column for column in self.member_columns if column not in self.hidden)


@dataclass(frozen=True, slots=True)
class MemberDocument:
    """A JSON text column whose documents may name members (task payloads, queued DMs).

    ``id_columns`` are integer columns of the same table outside the member-column convention that
    may hold a member id for some rows (``scheduled_tasks.subject_id`` of a nudge is the pair's
    first member); a row whose id column holds the member is about them, like a named document.
    """

    table: str
    column: str
    id_columns: tuple[str, ...] = ()


_REGISTRY: dict[str, MemberTable] = {}
_DOCUMENTS: dict[tuple[str, str], MemberDocument] = {}


def register(entry: MemberTable) -> MemberTable:
    for column in entry.member_columns:
        if not MEMBER_COLUMN.search(column):
            raise ValueError(f"{entry.table}.{column} does not follow the member column convention")
    if not set(entry.hidden) <= set(entry.member_columns):
        raise ValueError(f"{entry.table}: hidden columns must be member columns")
    if entry.strategy == "custom" and entry.forget is None:
        raise ValueError(f"{entry.table}: a custom strategy needs a forget function")
    _REGISTRY[entry.table] = entry
    return entry


def register_document(entry: MemberDocument) -> MemberDocument:
    _DOCUMENTS[(entry.table, entry.column)] = entry
    return entry


def registered() -> dict[str, MemberTable]:
    return dict(_REGISTRY)


def documents() -> list[MemberDocument]:
    return list(_DOCUMENTS.values())


def _where(entry: MemberTable, columns: tuple[str, ...] | None = None) -> str:
    # Table and column names come from the registry (code), never from input.
    return " OR ".join(f"{column} = :member" for column in columns or entry.member_columns)


# -- naming a member inside text and documents --------------------------------------------------------


def _pattern(member_id: int) -> re.Pattern[str]:
    """A mention of the member (with the space before it) or their bare id, never part of a longer
    number."""
    return re.compile(rf" ?<@!?{member_id}>|(?<!\d){member_id}(?!\d)")


def scrub_text(text: str, member_id: int) -> str:
    """``text`` without any mention of the member or their id."""
    return _pattern(member_id).sub("", text)


def names_member(text: str, member_id: int) -> bool:
    return _pattern(member_id).search(text) is not None


def _is_member_id(value: Any, member_id: int) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value == member_id
    return isinstance(value, str) and value.strip() == str(member_id)


def scrub_document(value: Any, member_id: int) -> tuple[bool, Any]:
    """(the document holds the member's id as a value, the document with mentions removed)."""
    if isinstance(value, dict):
        named = False
        cleaned: dict[str, Any] = {}
        for key, item in value.items():
            item_named, cleaned[key] = scrub_document(item, member_id)
            named = named or item_named
        return named, cleaned
    if isinstance(value, list):
        # A list of members is an audience (a reminder part's mentions): the member leaves it and
        # the document stays about the others.
        kept = [item for item in value if not _is_member_id(item, member_id)]
        pairs = [scrub_document(item, member_id) for item in kept]
        return any(named for named, _ in pairs), [item for _, item in pairs]
    if isinstance(value, bool):
        return False, value
    if isinstance(value, int):
        return value == member_id, value
    if isinstance(value, str):
        return value.strip() == str(member_id), scrub_text(value, member_id)
    return False, value


# -- the schema, walked -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Table:
    name: str
    key: tuple[str, ...]  # primary key columns; empty: the rowid
    text_columns: tuple[str, ...]

    def key_of(self, row: dict[str, Any]) -> dict[str, Any]:
        if not self.key:
            return {"k0": row["_rowid_"]}
        return {f"k{i}": row[column] for i, column in enumerate(self.key)}

    @property
    def where_key(self) -> str:
        if not self.key:
            return "rowid = :k0"
        return " AND ".join(f"{column} = :k{i}" for i, column in enumerate(self.key))


async def _guild_tables(db: Database) -> list[_Table]:
    """Every table with a ``guild_id`` column: all server-scoped data, whoever added the table."""
    tables: list[_Table] = []
    for name in await db.table_names():
        columns = await db.table_columns(name)
        if not any(column == "guild_id" for column, _, _ in columns):
            continue
        key = tuple(column for column, _, pk in sorted((c for c in columns if c[2]), key=lambda c: c[2]))
        text = tuple(column for column, declared, _ in columns if _may_hold_text(declared))
        tables.append(_Table(name, key, text))
    return tables


def _may_hold_text(declared: str) -> bool:
    """SQLite's affinity rules: text for CHAR, CLOB or TEXT; anything for ANY or no type."""
    declared = declared.upper()
    return declared in ("", "ANY") or any(part in declared for part in ("CHAR", "CLOB", "TEXT"))


@dataclass(frozen=True, slots=True)
class _Named:
    """A row that names the member outside their own member columns, and what forget does to it."""

    table: _Table
    row: dict[str, Any]
    delete: bool
    changes: dict[str, str]


def _scrubbed(
    row: dict[str, Any], table: _Table, docs: set[str], id_columns: list[str], member_id: int
) -> _Named | None:
    delete = any(row.get(column) == member_id for column in id_columns)
    changes: dict[str, str] = {}
    for column in table.text_columns:
        text = row.get(column)
        if not isinstance(text, str):
            continue
        if column in docs:
            try:
                document = json.loads(text)
            except ValueError:
                document = None
            if document is not None:
                named, cleaned = scrub_document(document, member_id)
                delete = delete or named
                if cleaned != document:
                    changes[column] = json.dumps(cleaned, sort_keys=True, separators=(",", ":"))
                continue
        if names_member(text, member_id):
            changes[column] = scrub_text(text, member_id)
    if not (delete or changes):
        return None
    return _Named(table, row, delete, changes)


async def _named_rows(db: Database, guild_id: int, member_id: int) -> list[_Named]:
    searched: list[tuple[_Table, set[str], list[str]]] = []
    reads: list[tuple[str, Params]] = []
    params = {"guild": guild_id, "member": member_id, "like": f"%{member_id}%"}
    for table in await _guild_tables(db):
        docs = {d.column for d in _DOCUMENTS.values() if d.table == table.name}
        id_columns = sorted({c for d in _DOCUMENTS.values() if d.table == table.name for c in d.id_columns})
        tests = [f"{column} LIKE :like" for column in table.text_columns]
        tests += [f"{column} = :member" for column in id_columns]
        if not tests:
            continue
        rowid = "" if table.key else "rowid AS _rowid_, "
        searched.append((table, docs, id_columns))
        reads.append(
            (f"SELECT {rowid}* FROM {table.name} WHERE guild_id = :guild AND ({' OR '.join(tests)})", params)  # noqa: S608
        )
    found: list[_Named] = []
    for (table, docs, id_columns), rows in zip(searched, await db.fetchall_many(reads), strict=True):
        for raw in rows:
            named = _scrubbed(_public(raw), table, docs, id_columns, member_id)
            if named is not None:
                found.append(named)
    return found


async def _apply(db: Database, named: _Named) -> int:
    table = named.table
    key = table.key_of(named.row)
    if named.delete:
        return await db.execute(f"DELETE FROM {table.name} WHERE {table.where_key}", key)  # noqa: S608
    sets = ", ".join(f"{column} = :c{i}" for i, column in enumerate(named.changes))
    values = {f"c{i}": value for i, value in enumerate(named.changes.values())}
    return await db.execute(
        f"UPDATE {table.name} SET {sets} WHERE {table.where_key}",  # noqa: S608 - schema names
        {**key, **values},
    )


def _public(row: Any) -> dict[str, Any]:
    """A stored row as export shows it (PostgreSQL's stand-in for SQLite's rowid is not data)."""
    return {column: value for column, value in dict(row).items() if column != "rowid"}


# -- export, forget, purge ----------------------------------------------------------------------------


async def export_member(db: Database, guild_id: int, member_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every stored row about the member in this server, by table (read in one round trip)."""
    params = {"guild": guild_id, "member": member_id}
    tables: list[str] = []
    reads: list[tuple[str, Params]] = []
    for name, entry in _REGISTRY.items():
        if columns := entry.exported_columns:
            tables.append(name)
            where = _where(entry, columns)
            reads.append((f"SELECT * FROM {name} WHERE guild_id = :guild AND ({where})", params))  # noqa: S608
    found = dict(zip(tables, await db.fetchall_many(reads), strict=True))
    return {name: [_public(row) for row in found.get(name, ())] for name in sorted(_REGISTRY)}


async def export_mentions(db: Database, guild_id: int, member_id: int) -> dict[str, list[dict[str, Any]]]:
    """Rows elsewhere in this server that name the member (forget deletes or scrubs them), by table."""
    data: dict[str, list[dict[str, Any]]] = {}
    for named in await _named_rows(db, guild_id, member_id):
        entry = _REGISTRY.get(named.table.name)
        if entry is not None and entry.hidden:
            continue  # others' words about someone (a report's reason): never shown by export
        if entry is not None and any(named.row.get(c) == member_id for c in entry.member_columns):
            continue  # already among the member's own rows
        row = {column: value for column, value in named.row.items() if column != "_rowid_"}
        data.setdefault(named.table.name, []).append(row)
    return data


async def forget_member(db: Database, guild_id: int, member_id: int) -> dict[str, int]:
    """Delete (or blank) every row about the member in this server, then scrub every row that
    still names them, all in one transaction."""
    counts: dict[str, int] = {}
    async with db.transaction():
        # Custom handlers first: they may need rows that plain deletes would remove.
        for name, entry in sorted(_REGISTRY.items(), key=lambda item: item[1].strategy != "custom"):
            params = {"guild": guild_id, "member": member_id}
            if entry.strategy == "custom":
                assert entry.forget is not None
                await entry.forget(db, guild_id, member_id)
                counts[name] = -1
            elif entry.strategy == "anonymise":
                changed = 0
                for column in entry.member_columns:
                    changed += await db.execute(
                        f"UPDATE {name} SET {column} = 0 WHERE guild_id = :guild AND {column} = :member",  # noqa: S608
                        params,
                    )
                counts[name] = changed
            else:
                counts[name] = await db.execute(
                    f"DELETE FROM {name} WHERE guild_id = :guild AND ({_where(entry)})",  # noqa: S608
                    params,
                )
        for named in await _named_rows(db, guild_id, member_id):
            counts[named.table.name] = counts.get(named.table.name, 0) + await _apply(db, named)
    return counts


async def stores_member(db: Database, guild_id: int, member_id: int) -> bool:
    """Whether any registered table holds a row about the member in this server (most members who
    leave never used the bot: nothing to hide, nothing to delete later)."""
    for name, entry in sorted(_REGISTRY.items()):
        found = await db.fetchval(
            f"SELECT 1 FROM {name} WHERE guild_id = :guild AND ({_where(entry)}) LIMIT 1",  # noqa: S608
            {"guild": guild_id, "member": member_id},
        )
        if found:
            return True
    return False


async def member_guilds(db: Database, member_id: int) -> list[int]:
    """Every server holding a row about the member: the one query that crosses servers, for a
    member who asks (in a DM) to be forgotten everywhere."""
    found: set[int] = set()
    for name, entry in sorted(_REGISTRY.items()):
        rows = await db.fetchall(
            f"SELECT DISTINCT guild_id FROM {name} WHERE {_where(entry)}",  # noqa: S608
            {"member": member_id},
        )
        found.update(int(row["guild_id"]) for row in rows)
    found.discard(0)
    return sorted(found)


async def purge_guild(db: Database, guild_id: int, keep_task: int | None = None) -> dict[str, int]:
    """Delete every row of every server-scoped table for this server, in one transaction.

    The tables are found by walking the schema, so a table added later is purged too. ``keep_task``
    is the scheduled task doing the purge: its row stays so the scheduler can mark it done.
    """
    counts: dict[str, int] = {}
    async with db.transaction():
        # Rows reference each other within the server (a meetup its poll); all of them go, so the
        # foreign keys are checked once, at commit.
        await db.defer_foreign_keys()
        for table in await _guild_tables(db):
            if table.name == "scheduled_tasks" and keep_task is not None:
                counts[table.name] = await db.execute(
                    "DELETE FROM scheduled_tasks WHERE guild_id = ? AND id <> ?", (guild_id, keep_task)
                )
            else:
                counts[table.name] = await db.execute(
                    f"DELETE FROM {table.name} WHERE guild_id = ?",  # noqa: S608 - schema names
                    (guild_id,),
                )
    return counts
