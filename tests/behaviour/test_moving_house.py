"""Moving house: a community's database, filled through the real bot, copied to the other backend
(SQLite -> PostgreSQL on the SQLite run, PostgreSQL -> SQLite on the PostgreSQL run); the bot
started on the copy still fires the reminder and takes RSVPs, and ``copy-db`` refuses a target
that already holds data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import simcord

from bot.domain.followups import REMINDER
from bot.domain.tasks import TaskState
from bot.storage.copy import CopyError, copy_database
from tests.behaviour.followup_world import (
    DAY_BEFORE,
    HOUR_BEFORE,
    advance_to,
    answer,
    create_meetup,
    go_down,
    reminders,
    tasks,
)
from tests.behaviour.meetup_world import MeetupWorld
from tests.conftest import BotFactory, database_options, restart

pytestmark = [pytest.mark.simcord(settle_timeout=1.5), pytest.mark.world("meetups")]


async def test_a_copied_community_keeps_its_meetup_rsvps_and_pending_reminders(
    world: MeetupWorld,
    env: simcord.Env,
    bot_factory: BotFactory,
    backend: str,
    database_target: str | Path,
    empty_postgres: str,
    tmp_path: Path,
) -> None:
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob)
    await answer(world, meetup, world.carol, "maybe")
    await advance_to(world.env, DAY_BEFORE)
    assert len(reminders(world)) == 1  # the day-before reminder went out; the hour-before is pending

    copy_target: str | Path = empty_postgres if backend == "sqlite" else tmp_path / "moved.db"
    await go_down(env)
    report = await copy_database(database_target, copy_target)
    copied = {table.table: table.rows for table in report}
    assert copied["meetups"] == 1 and copied["meetup_rsvps"] == 2
    assert copied["scheduled_tasks"] >= 2

    await restart(env, bot_factory, **database_options(copy_target))
    assert world.bot.services.db.dialect == ("postgresql" if backend == "sqlite" else "sqlite")
    moved = await world.meetup(1)
    assert moved.id == meetup.id and moved.message_id == meetup.message_id

    await answer(world, moved, world.dave)  # the RSVP button of the old announcement still works
    await advance_to(world.env, HOUR_BEFORE)
    posted = reminders(world)
    assert len(posted) == 2
    assert set(posted[-1].raw_mentions) == {world.bob.id, world.dave.id}
    stored = await tasks(world, moved, REMINDER)
    assert [(task.payload["offset"], task.state) for task in stored] == [
        (86400, TaskState.DONE),
        (3600, TaskState.DONE),
    ]
    # New rows get new ids after the copied ones (PostgreSQL's identity sequences were moved on).
    second = await world.alice.slash(
        world.general, "meetup create", title="Second", when="2026-01-20 19:00", where="Café Central"
    )
    assert "is announced" in second.response.content
    assert (await world.meetup(2)).id == meetup.id + 1


async def test_copy_db_refuses_a_target_that_holds_rows(
    world: MeetupWorld, env: simcord.Env, backend: str, database_target: str | Path, tmp_path: Path
) -> None:
    await create_meetup(world)
    other = tmp_path / "other.db"
    # Copy once into a new SQLite file (or the session database is the source), then again: refused.
    source = database_target
    if backend == "sqlite":
        await copy_database(source, other)
        with pytest.raises(CopyError, match="not empty"):
            await copy_database(source, other)
        connection = sqlite3.connect(other)
        assert connection.execute("SELECT COUNT(*) FROM meetups").fetchone()[0] == 1
        connection.close()
    else:
        await copy_database(source, other)
        with pytest.raises(CopyError, match="not empty"):
            await copy_database(other, source)  # the live PostgreSQL database is the target
