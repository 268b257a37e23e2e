"""Privacy coverage: every table with a member id column can be exported and forgotten; forget scrubs
every row that still names the member; a server's purge reaches every table."""

from __future__ import annotations

import json

import pytest

import bot.app  # noqa: F401 - importing the app imports every repository, which register their tables
from bot.domain.consent import DmMode
from bot.storage.database import Database
from bot.storage.member_data import (
    MEMBER_COLUMN,
    documents,
    export_member,
    export_mentions,
    forget_member,
    purge_guild,
    registered,
    scrub_document,
    scrub_text,
)
from bot.storage.outbox import OutboxRepository
from bot.storage.profiles import ProfileRepository
from bot.storage.tasks import TaskRepository
from tests.storage.trips import count_trips


async def member_columns(db: Database) -> dict[str, set[str]]:
    tables = await db.table_names()
    found: dict[str, set[str]] = {}
    for table in tables:
        columns = {name for name, _, _ in await db.table_columns(table)}
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
    tables = await db.table_names()
    offenders = []
    for table in tables:
        for name, _, _ in await db.table_columns(table):
            if ("user" in name or "author" in name or "voter" in name) and not MEMBER_COLUMN.search(name):
                offenders.append(f"{table}.{name}")
    assert offenders == [], "name member id columns member_id / *_member_id / organiser_id"


async def test_registered_documents_are_text_columns_beside_their_id_columns(db: Database) -> None:
    for entry in documents():
        declared = {"text": "TEXT", "bigint": "INTEGER"}  # PostgreSQL's names for the same types
        columns = {name: declared.get(kind, kind) for name, kind, _ in await db.table_columns(entry.table)}
        assert columns.get(entry.column) == "TEXT", f"{entry.table}.{entry.column} is not a text column"
        assert "guild_id" in columns, f"{entry.table} names members without a guild_id scope"
        for column in entry.id_columns:
            assert columns.get(column) == "INTEGER", f"{entry.table}.{column} is not an integer column"


# -- the scrub ----------------------------------------------------------------------------------------

ALICE = 111111111111111111
BOB = 222222222222222222
GUILD = 1
OTHER_GUILD = 2


def test_scrub_text_removes_mentions_and_bare_ids_but_not_longer_numbers() -> None:
    text = f"Going (3): <@{BOB}> <@{ALICE}> <@!{ALICE}> and {ALICE}, not 9{ALICE} or {ALICE}5"

    assert scrub_text(text, ALICE) == f"Going (3): <@{BOB}> and , not 9{ALICE} or {ALICE}5"
    assert scrub_text("nobody here", ALICE) == "nobody here"


def test_a_document_naming_the_member_as_a_value_is_about_them() -> None:
    assert scrub_document({"a": ALICE, "b": BOB, "met_at": 5}, ALICE)[0] is True
    assert scrub_document({"view": {"kind": "catchup", "other_id": ALICE}}, ALICE)[0] is True
    # A list of ids is an audience: the member is taken out, the document stays about the others.
    assert scrub_document({"members": [BOB, ALICE, str(ALICE)], "part": 1}, ALICE) == (
        False,
        {"members": [BOB], "part": 1},
    )
    named, cleaned = scrub_document({"content": f"hi <@{BOB}> <@{ALICE}>", "part": 0, "ok": True}, ALICE)
    assert named is False and cleaned == {"content": f"hi <@{BOB}>", "part": 0, "ok": True}


@pytest.fixture
async def filled(db: Database) -> Database:
    """Rows that name ALICE outside her own member columns, and rows that do not, in two servers."""
    tasks, outbox = TaskRepository(db), OutboxRepository(db)
    for guild in (GUILD, OTHER_GUILD):
        post = {"reminder": 1, "part": 0, "channel_id": 5, "content": f"⏰ Going (2): <@{BOB}> <@{ALICE}>"}
        await tasks.add(guild, "meetup.reminder.post", 100, 0, subject_id=7, payload=post)
        await tasks.add(guild, "meeting.nudge", 100, 0, subject_id=ALICE, payload={"a": ALICE, "b": BOB})
        await tasks.add(guild, "meeting.nudge", 100, 0, subject_id=BOB, payload={"a": BOB, "b": 3})
        await tasks.add(guild, "meetup.reminder", 100, 0, subject_id=7, payload={"offset": 3600})
        catchup = {
            "content": f"You met **alice** (<@{ALICE}>)",
            "view": {"kind": "catchup", "other_id": ALICE},
        }
        await outbox.add(guild, [(BOB, f"nudge:1:{BOB}:{guild}")], catchup, now=0)
        await outbox.add(guild, [(ALICE, f"reminder:1:{ALICE}:{guild}")], {"content": "⏰ soon"}, now=0)
        await outbox.add(guild, [(BOB, f"reminder:1:{BOB}:{guild}")], {"content": "⏰ soon"}, now=0)
    await db.execute(
        "INSERT INTO meetups (guild_id, number, title, starts_at, ends_at, tz, when_text, place, "
        "organiser_id, cancel_reason, created_at, updated_at) "
        "VALUES (?, 1, ?, 0, 1, 'UTC', 'now', 'here', ?, ?, 0, 0)",
        (GUILD, f"Farewell for <@{ALICE}>", BOB, f"{ALICE} moved away"),
    )
    return db


async def test_forget_scrubs_every_row_that_names_the_member_in_this_server_only(filled: Database) -> None:
    await forget_member(filled, GUILD, ALICE)

    tasks = {
        (r["kind"], r["subject_id"]): json.loads(r["payload"])
        for r in await filled.fetchall("SELECT * FROM scheduled_tasks WHERE guild_id = ?", (GUILD,))
    }
    assert tasks == {
        ("meetup.reminder.post", 7): {
            "reminder": 1,
            "part": 0,
            "channel_id": 5,
            "content": f"⏰ Going (2): <@{BOB}>",
        },
        ("meeting.nudge", BOB): {"a": BOB, "b": 3},
        ("meetup.reminder", 7): {"offset": 3600},
    }
    outbox = await filled.fetchall("SELECT member_id, payload FROM dm_outbox WHERE guild_id = ?", (GUILD,))
    assert [(r["member_id"], json.loads(r["payload"])["content"]) for r in outbox] == [(BOB, "⏰ soon")]
    meetup = await filled.fetchone("SELECT title, cancel_reason FROM meetups WHERE guild_id = ?", (GUILD,))
    assert (meetup["title"], meetup["cancel_reason"]) == ("Farewell for", " moved away")
    elsewhere = await filled.fetchval(
        "SELECT COUNT(*) FROM scheduled_tasks WHERE guild_id = ? AND (payload LIKE ? OR subject_id = ?)",
        (OTHER_GUILD, f"%{ALICE}%", ALICE),
    )
    assert elsewhere == 2  # data never crosses servers: the other server keeps its own rows


async def test_export_lists_the_rows_forget_will_scrub(filled: Database) -> None:
    named = await export_mentions(filled, GUILD, ALICE)
    own = await export_member(filled, GUILD, ALICE)

    assert sorted(named) == ["dm_outbox", "meetups", "scheduled_tasks"]
    assert sorted(r["kind"] for r in named["scheduled_tasks"]) == ["meeting.nudge", "meetup.reminder.post"]
    assert [r["member_id"] for r in named["dm_outbox"]] == [BOB]  # her own DM is in her own rows
    assert [r["member_id"] for r in own["dm_outbox"]] == [ALICE]
    assert all(r["guild_id"] == GUILD for rows in named.values() for r in rows)


# -- purging a server ---------------------------------------------------------------------------------


async def rows_of(db: Database, guild_id: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for table in await db.table_names():
        columns = {name for name, _, _ in await db.table_columns(table)}
        if "guild_id" in columns and (
            count := await db.fetchval(f"SELECT COUNT(*) FROM {table} WHERE guild_id = ?", (guild_id,))
        ):
            found[table] = count
    return found


async def test_purging_a_server_deletes_its_rows_in_every_table_even_one_added_later(
    filled: Database,
) -> None:
    db = filled
    strict = " STRICT" if db.dialect == "sqlite" else ""
    await db.execute(f"CREATE TABLE added_later (guild_id INTEGER NOT NULL, note TEXT){strict}")
    await db.execute("INSERT INTO added_later VALUES (?, 'x'), (?, 'y')", (GUILD, OTHER_GUILD))
    await ProfileRepository(db).set_preference(GUILD, ALICE, "dm", DmMode.ON, now=1)
    meetup_id = await db.fetchval("SELECT id FROM meetups WHERE guild_id = ?", (GUILD,))
    await db.execute(
        "INSERT INTO meetup_rsvps (guild_id, meetup_id, member_id, status, updated_at) "
        "VALUES (?, ?, ?, 'going', 0)",
        (GUILD, meetup_id, BOB),
    )
    purge = await TaskRepository(db).add(GUILD, "guild.purge", 100, 0, subject_id=GUILD)
    before, other_before = await rows_of(db, GUILD), await rows_of(db, OTHER_GUILD)
    assert {
        "scheduled_tasks",
        "dm_outbox",
        "meetups",
        "meetup_rsvps",
        "member_preferences",
        "added_later",
    } <= set(before)

    await purge_guild(db, GUILD, keep_task=purge.id)

    assert await rows_of(db, GUILD) == {"scheduled_tasks": 1}
    assert (await TaskRepository(db).get(purge.id)) is not None
    assert await rows_of(db, OTHER_GUILD) == other_before


async def test_many_reads_answer_in_order_and_on_sqlite_in_one_round_trip(db: Database, backend: str) -> None:
    for guild_id, purpose, channel_id in ((1, "meetups", 10), (1, "pairing", 20), (2, "meetups", 30)):
        await db.execute(
            "INSERT INTO guild_channels (guild_id, purpose, channel_id, updated_at) VALUES (?, ?, ?, 0)",
            (guild_id, purpose, channel_id),
        )
    trips = count_trips(db, backend)

    found = await db.fetchall_many(
        [
            ("SELECT channel_id FROM guild_channels WHERE guild_id = ? ORDER BY channel_id", (1,)),
            ("SELECT channel_id FROM guild_channels WHERE guild_id = :guild", {"guild": 2}),
            ("SELECT channel_id FROM guild_channels WHERE guild_id = ?", (3,)),
        ]
    )

    assert [[row[0] for row in rows] for rows in found] == [[10, 20], [30], []]
    assert await db.fetchall_many([]) == []
    if backend == "sqlite":
        assert trips() == 1  # three reads, one trip to aiosqlite's thread (none for no reads)
