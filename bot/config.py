"""Settings from the environment (``MEETBRIDGE_*``, plus ``DISCORD_TOKEN``) or a ``.env`` file."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain.shards import Shards, default_rate_share, parse_shard_ids

DEFAULT_USER_AGENT = "Meetbridge Discord bot (https://github.com/meetbridge/meetbridge)"


class Settings(BaseSettings):
    """Validated once at start; a bad value stops the bot with a message naming the variable."""

    model_config = SettingsConfigDict(
        env_prefix="MEETBRIDGE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    discord_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_TOKEN", "discord_token")
    )
    database_path: Path = Path("data/meetbridge.db")
    # postgresql://user:password@host:5432/db runs on PostgreSQL instead of the SQLite file. A
    # secret: the settings' repr shows it masked, logs and errors name it without its password.
    database_url: SecretStr | None = None
    geocoder: Literal["nominatim", "offline"] = "nominatim"
    nominatim_user_agent: str = DEFAULT_USER_AGENT
    nominatim_url: str = "nominatim.openstreetmap.org"
    # The shipped offline gazetteer (xz-compressed SQLite) and where it is unpacked on first use
    # (default: beside it when writable, else beside the database, else a temp folder).
    gazetteer_path: Path | None = None
    gazetteer_dir: Path | None = None
    dev_guild_id: int | None = None
    sync_commands: bool = True
    log_level: str = "INFO"
    # Shard processes (README "Running at scale"): this process connects shards ``shard_ids``
    # (e.g. "0-3" or "4,5,6,7"; empty = all) out of ``shard_count`` and owns their servers' work.
    shard_count: int = Field(default=1, ge=1, le=4096)
    shard_ids: str | None = None
    # Requests per second this process may make of Discord's global 50 per token (default: 50 times
    # its fraction of the shards, i.e. 50 / the number of processes when split evenly).
    global_rate_share: float | None = Field(default=None, gt=0, le=50)
    # How long a claimed task or DM stays this process's before another may take it over; a running
    # task renews its lease every third of it.
    task_lease: int = Field(default=60, ge=5, le=3600)
    # This process's name on the tasks and DMs it claims (default: host, pid and a random tail).
    # A stable name (e.g. the service's) lets a restarted process take back its own claims at once
    # instead of after their lease; never give two running processes the same one.
    instance: str | None = Field(default=None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _shards_exist(self) -> Settings:
        try:
            parse_shard_ids(self.shard_ids, self.shard_count)
        except ValueError as exc:
            raise ValueError(f"MEETBRIDGE_SHARD_IDS: {exc}") from None
        return self

    @property
    def shards(self) -> Shards:
        return Shards(self.shard_count, parse_shard_ids(self.shard_ids, self.shard_count))

    @property
    def sharded(self) -> bool:
        """Run as discord.py's AutoShardedBot (more than one shard in the deployment)."""
        return self.shard_count > 1

    @property
    def rate_share(self) -> float:
        if self.global_rate_share is not None:
            return self.global_rate_share
        return default_rate_share(self.shards)

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not value.get_secret_value().startswith(("postgresql://", "postgres://")):
            raise ValueError(
                "use a URL like postgresql://user:password@host:5432/db (or leave it unset for SQLite)"
            )
        return value

    @property
    def database_target(self) -> str | Path:
        """What :func:`bot.storage.backends.open_database` opens: the URL when set, else the file."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return self.database_path

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if not isinstance(logging.getLevelName(level), int):
            raise ValueError(f"unknown log level {value!r}; use DEBUG, INFO, WARNING or ERROR")
        return level
