"""Shared fixtures: the real bot on a real database, driven through SimCord.

Storage and behaviour tests run once per backend: SQLite (a file per test) and PostgreSQL (one
database per test session, created here, migrated once, emptied between tests with TRUNCATE and
dropped at the end). The server is found through ``MEETBRIDGE_TEST_DATABASE_URL``; where it is
unset or unreachable the PostgreSQL half is skipped, unless ``MEETBRIDGE_REQUIRE_POSTGRES=1`` (CI)
makes that a failure. A test marked ``sqlite_only`` runs on SQLite alone (it reads the file).
"""

from __future__ import annotations

import asyncio
import io
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import discord
import pytest
import simcord

from bot import MeetbridgeBot, Settings, create_bot
from bot.domain.interests import use_synonyms
from bot.errors import is_expected
from bot.scheduling.clock import use_clock, use_wall_clock
from bot.storage.shipped import shipped_synonyms
from tests.behaviour.connect_world import build_connect_world
from tests.behaviour.intro_steps import configure as configure_introductions
from tests.behaviour.meetup_world import MeetupWorld, build_meetup_world
from tests.world import World, build_world

BotFactory = Callable[..., MeetbridgeBot]


@pytest.fixture(autouse=True, scope="session")
def _scheduler_on_discord_clock() -> Any:
    """APScheduler's due checks read discord.py's clock, which SimCord moves in virtual time."""
    use_clock(lambda: discord.utils.utcnow())
    yield
    use_wall_clock()


@pytest.fixture(autouse=True, scope="session")
def _shipped_synonyms() -> None:
    """Domain functions called without a synonym list use the shipped one, as the app installs it."""
    use_synonyms(shipped_synonyms())


# -- the two backends ------------------------------------------------------------------------------

BACKENDS = ("sqlite", "postgresql")
INTEGRITY_ERRORS = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)
ENABLE_POSTGRES = (
    "PostgreSQL tests skipped: to run them, set MEETBRIDGE_TEST_DATABASE_URL="
    "postgresql://postgres@127.0.0.1:5432/postgres (a server where the user may create databases)"
)
_pg_state: dict[str, Any] = {}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: the test reads the SQLite file itself; not run on PostgreSQL"
    )
    _pg_state["skip"] = _postgres_unavailable()
    if _pg_state["skip"] and os.environ.get("MEETBRIDGE_REQUIRE_POSTGRES") == "1":
        raise pytest.UsageError(f"MEETBRIDGE_REQUIRE_POSTGRES=1: {_pg_state['skip']}")


def _postgres_unavailable() -> str | None:
    """Why the PostgreSQL half cannot run here (None: it can)."""
    server = os.environ.get("MEETBRIDGE_TEST_DATABASE_URL", "").strip()
    if not server:
        return ENABLE_POSTGRES

    async def probe() -> None:
        import asyncpg

        conn = await asyncpg.connect(server, timeout=5)
        await conn.close()

    try:
        asyncio.run(probe())
    except Exception as exc:
        from bot.storage.postgres import redact_text

        return (
            f"PostgreSQL unreachable ({type(exc).__name__}: {redact_text(str(exc), server)}); "
            + ENABLE_POSTGRES
        )
    return None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that stands on a database (``backend``) runs once per backend available."""
    if "backend" in metafunc.fixturenames:
        sqlite_only = metafunc.definition.get_closest_marker("sqlite_only") or _pg_state.get("skip")
        metafunc.parametrize("backend", ["sqlite"] if sqlite_only else list(BACKENDS), indirect=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL half runs after everything else: the SQLite half and the benchmarks' tests
    (which read this process's memory) see the session as they would without it."""
    items[:] = [item for item in items if "[postgresql" not in item.nodeid] + [
        item for item in items if "[postgresql" in item.nodeid
    ]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _pg_state.get("skip"):
        terminalreporter.write_line(_pg_state["skip"])


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


async def _create_test_database(server_url: str) -> str:
    """A fresh database on the server, migrated; its URL."""
    import asyncpg

    from bot.storage.postgres import PostgresDatabase

    name = f"meetbridge_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(server_url, timeout=5)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = _with_database(server_url, name)
    db = await PostgresDatabase.open(url, min_size=1, max_size=2)
    try:
        await db.migrate()
        _pg_state["tables"] = await db.table_names()
    finally:
        await db.close()
    return url


async def _drop_test_database(server_url: str, url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(server_url, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _with_database(url: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _in_own_loop(coro: Any) -> Any:
    """Run a coroutine to the end on a loop of its own (fixtures may be set up inside a test's loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@pytest.fixture(scope="session")
def postgres_session_url() -> Iterator[str]:
    """One migrated database for the session's PostgreSQL tests, dropped at the end."""
    server = os.environ["MEETBRIDGE_TEST_DATABASE_URL"].strip()
    if "failed" in _pg_state:
        pytest.fail(_pg_state["failed"])
    try:
        url = _in_own_loop(_create_test_database(server))
    except Exception as exc:
        _pg_state["failed"] = f"could not set up the PostgreSQL test database: {type(exc).__name__}: {exc}"
        raise
    yield url
    _in_own_loop(_drop_test_database(server, url))


async def _empty(url: str) -> None:
    import asyncpg

    tables = ", ".join(f'"{name}"' for name in _pg_state["tables"])
    conn = await asyncpg.connect(url)
    try:
        present = await conn.fetch(
            "SELECT tablename FROM pg_tables "
            "WHERE schemaname = current_schema() AND tablename <> 'schema_version'"
        )
        for row in present:  # a table a test added (the schema walkers' tests do)
            if row[0] not in _pg_state["tables"]:
                await conn.execute(f'DROP TABLE "{row[0]}" CASCADE')
        # DELETE with foreign-key triggers off is ~100x faster than TRUNCATE on these small
        # tables (TRUNCATE makes new files for every table and index); it needs a superuser.
        if await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"):
            deletes = "; ".join(f'DELETE FROM "{name}"' for name in _pg_state["tables"])
            await conn.execute(f"SET session_replication_role = replica; {deletes}")
            await conn.execute(
                "SELECT setval(pg_get_serial_sequence(quote_ident(table_name), column_name), 1, false) "
                "FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND is_identity = 'YES'"
            )
        else:
            await conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


@pytest.fixture
async def database_target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str | Path:
    """The test's empty database: a SQLite file path, or the session's PostgreSQL URL emptied."""
    if backend == "sqlite":
        return tmp_path / "meetbridge.db"
    url = request.getfixturevalue("postgres_session_url")
    await _empty(url)
    return url


@pytest.fixture
async def db(database_target: str | Path) -> AsyncIterator[Any]:
    """An open, migrated database of the test's backend (storage tests)."""
    from bot.storage.backends import open_database

    database = await open_database(database_target)
    await database.migrate()
    yield database
    await database.close()


@pytest.fixture
async def empty_postgres() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database (copy-db's target must be empty), dropped afterwards."""
    if _pg_state.get("skip"):
        pytest.skip(_pg_state["skip"])
    server = os.environ["MEETBRIDGE_TEST_DATABASE_URL"]
    name = f"meetbridge_copy_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(server)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    yield _with_database(server, name)
    conn = await asyncpg.connect(server)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "meetbridge.db"


def database_options(target: str | Path) -> dict[str, Any]:
    """Settings that put a bot on ``target`` (a SQLite path or a PostgreSQL URL)."""
    if isinstance(target, str) and target.startswith("postgresql://"):
        return {"database_url": target}
    return {"database_path": target, "database_url": None}


@pytest.fixture
async def bot_factory(database_target: str | Path) -> AsyncIterator[BotFactory]:
    """Builds bots on the test's database and closes every one of them at the end.

    SimCord never calls ``bot.close()``; an open database would keep a thread alive.
    """
    made: list[MeetbridgeBot] = []

    def make(extra_extensions: tuple[str, ...] = (), **overrides: Any) -> MeetbridgeBot:
        options: dict[str, Any] = {**database_options(database_target), "geocoder": "offline"}
        options.update(overrides)
        bot = create_bot(Settings(**options), extra_extensions=extra_extensions)
        made.append(bot)
        return bot

    yield make
    for bot in made:
        await bounded(bot.close(), "closing the bot")


@pytest.fixture
def simcord_bot(bot_factory: BotFactory) -> MeetbridgeBot:
    return bot_factory()


@pytest.fixture
async def env(simcord_bot: MeetbridgeBot, request: pytest.FixtureRequest) -> AsyncIterator[simcord.Env]:
    """Like SimCord's ``simcord_env``, but refusals the bot answered on purpose are not failures.

    Any other error the bot swallowed (a bug) still fails the test at teardown.
    """
    marker = request.node.get_closest_marker("simcord")
    options = dict(marker.kwargs) if marker else {}
    options["check_errors"] = False
    environment = simcord.Env(simcord_bot, **options)
    await environment.start()
    try:
        yield environment
    finally:
        await bounded(environment.shutdown(), "SimCord's shutdown")
        # Errors a test read through ``env.errors`` are acknowledged, as with SimCord's own fixture.
        fresh = environment.errors_since(environment._errors_acknowledged)
        unexpected = [error for error in fresh if not is_expected(error)]
        if unexpected:
            raise ExceptionGroup("the bot raised unexpected error(s)", unexpected)


TEARDOWN_LIMIT = 60.0


async def bounded(step: Coroutine[Any, Any, Any], what: str) -> Any:
    """A teardown step that cannot hang the suite: past ``TEARDOWN_LIMIT`` seconds, the stack of
    every task still running is printed (what each waits for) and the test fails."""
    running = asyncio.ensure_future(step)
    done, _ = await asyncio.wait({running}, timeout=TEARDOWN_LIMIT)
    if running in done:
        return running.result()
    stacks = io.StringIO()
    for task in asyncio.all_tasks():
        if task is not asyncio.current_task():
            print(f"--- {task.get_name()}: {task!r:.300}", file=stacks)
            task.print_stack(limit=30, file=stacks)
    running.cancel()
    pytest.fail(f"{what} did not finish within {TEARDOWN_LIMIT:.0f} s; the tasks left:\n{stacks.getvalue()}")


async def restart(environment: simcord.Env, bot_factory: BotFactory, **options: Any) -> MeetbridgeBot:
    """Stop the running bot and start a new one on the same database, as a redeploy would."""
    old = environment.bot
    new = bot_factory(**options)
    await environment.restart_bot(new)
    await old.close()
    return new


# -- the world a test acts in ----------------------------------------------------------------------


async def _server(env: simcord.Env) -> World:
    return build_world(env)


async def _introductions(env: simcord.Env) -> World:
    world = build_world(env)
    await env.settle()  # the world's own members have joined before the channel is set
    await configure_introductions(world)
    return world


async def _meetups_and_introductions(env: simcord.Env) -> MeetupWorld:
    world = await build_meetup_world(env)
    await configure_introductions(world)
    return world


async def _every_channel(env: simcord.Env) -> MeetupWorld:
    world = await build_meetup_world(env)
    for purpose, channel in (
        ("introductions", world.introductions),
        ("pairing", world.pairing),
        ("support", world.support),
    ):
        await world.admin.slash(world.general, "config channel", purpose=purpose, channel=channel)
    return world


WORLDS: dict[str, Callable[[simcord.Env], Awaitable[World]]] = {
    "server": _server,  # an admin, alice and bob, one channel per feature, nothing configured
    "introductions": _introductions,  # and the introductions channel set
    "connect": build_connect_world,  # introductions, pairing, support and meetups channels set
    "meetups": build_meetup_world,  # carol and dave too; the meetups channel and Europe/Berlin set
    "meetups and introductions": _meetups_and_introductions,
    "every channel": _every_channel,  # the meetups world with every channel set
}


@pytest.fixture
async def world(env: simcord.Env, request: pytest.FixtureRequest) -> World:
    """The server a test acts in, as its module's marker names it: ``pytest.mark.world("meetups")``
    (one of :data:`WORLDS`). A module that needs more (a meetup already created) overrides
    ``world`` with a fixture that takes this one and adds to it."""
    marker = request.node.get_closest_marker("world")
    if marker is None:
        pytest.fail(f'mark the test with pytest.mark.world(<one of {sorted(WORLDS)}>) to use "world"')
    return await WORLDS[marker.args[0]](env)
