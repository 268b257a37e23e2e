"""Settings from the environment (``MEETBRIDGE_*``, plus ``DISCORD_TOKEN``) or a ``.env`` file."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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
