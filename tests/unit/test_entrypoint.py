"""``python -m bot`` and ``create_bot`` as a deployer meets them."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import simcord

from bot import MeetbridgeBot, Settings, create_bot

ROOT = Path(__file__).resolve().parents[2]


def run_module(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def clean_environment() -> dict[str, str]:
    environment = {
        k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN" and not k.startswith("MEETBRIDGE_")
    }
    environment["PYTHONPATH"] = str(ROOT)
    return environment


def test_without_a_token_it_exits_2_with_one_clear_line(tmp_path: Path) -> None:
    result = run_module(env=clean_environment(), cwd=tmp_path)

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "DISCORD_TOKEN" in lines[0] and "python -m bot sandbox" in lines[0]
    assert result.stdout == ""


def test_a_bad_setting_is_named_without_showing_the_token(tmp_path: Path) -> None:
    environment = clean_environment() | {
        "DISCORD_TOKEN": "secret-token-123",
        "MEETBRIDGE_GEOCODER": "carrier-pigeon",
    }

    result = run_module(env=environment, cwd=tmp_path)

    assert result.returncode == 2
    assert "geocoder" in result.stderr
    assert "secret-token-123" not in result.stderr + result.stdout


def test_create_bot_touches_nothing_until_it_starts(tmp_path: Path) -> None:
    database = tmp_path / "nested" / "meetbridge.db"

    bot = create_bot(Settings(database_path=database, geocoder="offline"))

    assert isinstance(bot, MeetbridgeBot)
    assert not database.exists() and not database.parent.exists()


def test_settings_default_to_the_data_folder() -> None:
    settings = Settings(_env_file=None)
    assert settings.database_path == Path("data/meetbridge.db")


async def test_close_releases_the_database_and_the_scheduler(tmp_path: Path) -> None:
    before = {t.ident for t in threading.enumerate()}
    bot = create_bot(Settings(database_path=tmp_path / "m.db", geocoder="offline"))
    async with simcord.run(bot) as env:
        env.create_guild()
        assert bot.services.scheduler.running
        assert {"config"} <= {c.name for c in bot.tree.get_commands()}

    await bot.close()

    assert not bot.services.scheduler.running
    assert bot.services.db.closed
    lingering = [t for t in threading.enumerate() if t.ident not in before and t.is_alive() and not t.daemon]
    assert lingering == []
