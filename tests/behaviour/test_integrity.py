"""The database a real session leaves behind passes the database's own checks.

An admin would run ``PRAGMA integrity_check`` on a backup; if it reports problems on a healthy
file, nobody can tell a real corruption from noise. SQLite before 3.4x misreports NOT NULL
columns outside the key of some ``WITHOUT ROWID`` tables, so the schema must avoid that shape.
On PostgreSQL the same session is checked with ``amcheck`` (every B-tree index against its table)
and a query per foreign key for rows whose parent is missing.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg
import pytest
import simcord

from tests.behaviour.intro_steps import configure, intro
from tests.behaviour.meetup_world import (
    ONE,
    TWO,
    A,
    MeetupWorld,
    build_meetup_world,
    plan,
    poll_message,
    rsvp_id,
    stored_poll,
)

pytestmark = [pytest.mark.simcord(settle_timeout=1.5)]


def checks(db_path: Path) -> tuple[list[str], list[tuple[object, ...]]]:
    """``integrity_check`` and ``foreign_key_check`` on the file, read by a connection of their own."""
    connection = sqlite3.connect(db_path)
    try:
        integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        foreign_keys = [tuple(row) for row in connection.execute("PRAGMA foreign_key_check")]
    finally:
        connection.close()
    return integrity, foreign_keys


async def postgres_checks(url: str) -> tuple[list[str], list[tuple[object, ...]]]:
    """``bt_index_check`` on every index, and every foreign key's orphans, by a connection of its own."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        indexes = await conn.fetch(
            "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
            "JOIN pg_am a ON a.oid = c.relam WHERE n.nspname = current_schema() AND a.amname = 'btree'"
        )
        problems = []
        for oid, name in indexes:
            try:
                await conn.execute("SELECT bt_index_check($1::oid::regclass, true)", oid)
            except asyncpg.PostgresError as exc:
                problems.append(f"{name}: {exc}")
        orphans: list[tuple[object, ...]] = []
        for name, child, parent, keys, refs in await conn.fetch(
            "SELECT c.conname, c.conrelid::regclass::text, c.confrelid::regclass::text, "
            "ARRAY(SELECT attname FROM unnest(c.conkey) k JOIN pg_attribute a "
            "      ON a.attrelid = c.conrelid AND a.attnum = k), "
            "ARRAY(SELECT attname FROM unnest(c.confkey) k JOIN pg_attribute a "
            "      ON a.attrelid = c.confrelid AND a.attnum = k) "
            "FROM pg_constraint c WHERE c.contype = 'f'"
        ):
            present = " AND ".join(f"x.{k} IS NOT NULL" for k in keys)
            match = " AND ".join(f"p.{r} = x.{k}" for k, r in zip(keys, refs, strict=True))
            count = await conn.fetchval(
                f"SELECT COUNT(*) FROM {child} x WHERE {present} "
                f"AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {match})"
            )
            if count:
                orphans.append((child, name, count))
        return (problems or ["ok"]), orphans
    finally:
        await conn.close()


async def test_a_database_used_for_intros_a_poll_votes_and_rsvps_checks_ok(
    env: simcord.Env, database_target: str | Path
) -> None:
    world: MeetupWorld = await build_meetup_world(env)
    await configure(world)
    await intro(world, world.alice)
    await intro(world, world.bob, interests="chess, python")
    await plan(world)
    poll = await stored_poll(world)
    message = poll_message(world, poll)
    for member, emojis in {world.bob: [ONE, A], world.carol: [ONE, TWO], world.dave: [TWO]}.items():
        for emoji in emojis:
            await member.react(message, emoji)
    await world.dave.unreact(message, TWO)
    await world.alice.slash(world.general, "meetup close-poll", id=1)
    meetup = await world.meetup(1)
    for member, status in {world.bob: "going", world.carol: "maybe", world.dave: "no"}.items():
        await member.click(world.announcement(meetup), custom_id=rsvp_id(meetup, status))
    stored = await world.bot.services.db.fetchval("SELECT COUNT(*) FROM poll_votes")
    assert stored == 4
    assert await world.bot.services.db.fetchval("SELECT COUNT(*) FROM profile_interests") > 0

    if isinstance(database_target, str):
        integrity, foreign_keys = await postgres_checks(database_target)
    else:
        integrity, foreign_keys = checks(database_target)

    assert integrity == ["ok"]
    assert foreign_keys == []
