"""Shared fixtures: the real bot on a real SQLite file, driven through SimCord."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

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


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "meetbridge.db"


@pytest.fixture
async def bot_factory(db_path: Path) -> AsyncIterator[BotFactory]:
    """Builds bots on the test's database file and closes every one of them at the end.

    SimCord never calls ``bot.close()``; an open database would keep a thread alive.
    """
    made: list[MeetbridgeBot] = []

    def make(extra_extensions: tuple[str, ...] = (), **overrides: Any) -> MeetbridgeBot:
        options: dict[str, Any] = {"database_path": db_path, "geocoder": "offline"}
        options.update(overrides)
        bot = create_bot(Settings(**options), extra_extensions=extra_extensions)
        made.append(bot)
        return bot

    yield make
    for bot in made:
        await bot.close()


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
        await environment.shutdown()
        # Errors a test read through ``env.errors`` are acknowledged, as with SimCord's own fixture.
        fresh = environment.errors_since(environment._errors_acknowledged)
        unexpected = [error for error in fresh if not is_expected(error)]
        if unexpected:
            raise ExceptionGroup("the bot raised unexpected error(s)", unexpected)


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
