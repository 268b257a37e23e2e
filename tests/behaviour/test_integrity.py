"""The database a real session leaves behind passes SQLite's own checks.

An admin would run ``PRAGMA integrity_check`` on a backup; if it reports problems on a healthy
file, nobody can tell a real corruption from noise. SQLite before 3.4x misreports NOT NULL
columns outside the key of some ``WITHOUT ROWID`` tables, so the schema must avoid that shape.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

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

pytestmark = pytest.mark.simcord(settle_timeout=1.5)


def checks(db_path: Path) -> tuple[list[str], list[tuple[object, ...]]]:
    """``integrity_check`` and ``foreign_key_check`` on the file, read by a connection of their own."""
    connection = sqlite3.connect(db_path)
    try:
        integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        foreign_keys = [tuple(row) for row in connection.execute("PRAGMA foreign_key_check")]
    finally:
        connection.close()
    return integrity, foreign_keys


async def test_a_database_used_for_intros_a_poll_votes_and_rsvps_checks_ok(
    env: simcord.Env, db_path: Path
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

    integrity, foreign_keys = checks(db_path)

    assert integrity == ["ok"]
    assert foreign_keys == []
