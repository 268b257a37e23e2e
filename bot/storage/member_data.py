"""Every table that stores something about a member, and how to export and forget it.

A repository that stores member data registers its tables here (at import time, beside its
SQL). ``/privacy export`` and ``/privacy forget`` walk this registry, and a test walks the
schema: a table with a member id column that is not registered fails the suite, so a new
feature cannot forget to forget.

Convention: a column holding a member's Discord user id is named ``member_id``, ends in
``_member_id``, or is ``organiser_id``. Every such table has a ``guild_id`` column: data is
always scoped to one server.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from bot.storage.database import Database

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


_REGISTRY: dict[str, MemberTable] = {}


def register(entry: MemberTable) -> MemberTable:
    for column in entry.member_columns:
        if not MEMBER_COLUMN.search(column):
            raise ValueError(f"{entry.table}.{column} does not follow the member column convention")
    if entry.strategy == "custom" and entry.forget is None:
        raise ValueError(f"{entry.table}: a custom strategy needs a forget function")
    _REGISTRY[entry.table] = entry
    return entry


def registered() -> dict[str, MemberTable]:
    return dict(_REGISTRY)


def _where(entry: MemberTable) -> str:
    # Table and column names come from the registry (code), never from input.
    return " OR ".join(f"{column} = :member" for column in entry.member_columns)


async def export_member(db: Database, guild_id: int, member_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every stored row about the member in this server, by table."""
    data: dict[str, list[dict[str, Any]]] = {}
    for name, entry in sorted(_REGISTRY.items()):
        rows = await db.fetchall(
            f"SELECT * FROM {name} WHERE guild_id = :guild AND ({_where(entry)})",  # noqa: S608
            {"guild": guild_id, "member": member_id},
        )
        data[name] = [dict(row) for row in rows]
    return data


async def forget_member(db: Database, guild_id: int, member_id: int) -> dict[str, int]:
    """Delete (or blank) every row about the member in this server, in one transaction."""
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
    return counts
