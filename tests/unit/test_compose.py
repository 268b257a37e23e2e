"""compose.yaml (README "Running at scale"): PostgreSQL, the one-off migrate step and two shard
services, checked against the settings and the command line, since Docker cannot run here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.__main__ import parse_args
from bot.config import Settings
from bot.domain.shards import DISCORD_GLOBAL_RATE, Shards, parse_shard_ids

ROOT = Path(__file__).resolve().parents[2]
SHARDS = ("shard-0", "shard-1")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def field(variable: str) -> str:
    """The Settings field a MEETBRIDGE_* variable sets (DISCORD_TOKEN is its own)."""
    if variable == "DISCORD_TOKEN":
        return "discord_token"
    assert variable.startswith("MEETBRIDGE_"), variable
    return variable.removeprefix("MEETBRIDGE_").lower()


def test_the_services_are_postgres_the_migration_and_two_shards(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"postgres", "migrate", *SHARDS}
    assert compose["services"]["postgres"]["image"].startswith("postgres:15")
    migrate = compose["services"]["migrate"]
    assert migrate["command"] == ["python", "-m", "bot", "migrate"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in SHARDS:
        shard = compose["services"][name]
        assert shard["command"] == ["python", "-m", "bot"]
        assert shard["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_every_variable_is_a_setting_and_every_shard_value_is_valid(compose: dict[str, Any]) -> None:
    missing = []
    for name in ("migrate", *SHARDS):
        for variable in compose["services"][name]["environment"]:
            if field(variable) not in Settings.model_fields:
                missing.append(variable)
    # The shards together run every shard once, and their shares add up to Discord's limit.
    owned: list[int] = []
    rate = 0.0
    for name in SHARDS:
        env = compose["services"][name]["environment"]
        settings = Settings(
            shard_count=int(env["MEETBRIDGE_SHARD_COUNT"]),
            shard_ids=env["MEETBRIDGE_SHARD_IDS"],
            global_rate_share=float(env["MEETBRIDGE_GLOBAL_RATE_SHARE"]),
            instance=env["MEETBRIDGE_INSTANCE"],
        )
        assert settings.shards == Shards(4, parse_shard_ids(env["MEETBRIDGE_SHARD_IDS"], 4))
        owned += settings.shards.ids
        rate += settings.rate_share
    assert sorted(owned) == [0, 1, 2, 3]
    assert rate == DISCORD_GLOBAL_RATE
    assert len({compose["services"][n]["environment"]["MEETBRIDGE_INSTANCE"] for n in SHARDS}) == 2
    assert missing == []


def test_the_migrate_command_is_one_the_bot_knows(compose: dict[str, Any]) -> None:
    command = compose["services"]["migrate"]["command"]
    assert parse_args(command[3:]).command == "migrate"


def test_the_readme_explains_every_variable_of_the_compose_file(compose: dict[str, Any]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running at scale", 1)[1].split("\n## ", 1)[0]
    for name in ("migrate", *SHARDS):
        for variable in compose["services"][name]["environment"]:
            assert f"`{variable}`" in section, variable
    assert "compose.yaml" in section and "docker compose up" in section
