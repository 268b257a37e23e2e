"""Shared fixtures: the real bot on a real SQLite file, driven through SimCord."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
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
