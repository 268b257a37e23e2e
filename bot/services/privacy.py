"""/privacy: preferences, export and forget, over every table registered in member_data."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.domain.clock import from_epoch
from bot.domain.consent import DmMode
from bot.domain.profiles import Forgotten, PreferenceName, Preferences
from bot.services.profiles import ProfileService
from bot.storage.database import Database
from bot.storage.member_data import (
    export_member,
    export_mentions,
    forget_member,
    member_guilds,
    stores_member,
)

log = logging.getLogger(__name__)

# Told (guild_id, member_id, now) before a member's rows are deleted: what they hold that others
# wait for (a place at a meetup) is given up first, exactly as when they leave.
BeforeForget = Callable[[int, int, int], Awaitable[None]]


Label = Callable[[int], Awaitable[str | None]]
"""What a member knows an internal id as (meetup id 7 -> "meetup #5 “Board games”")."""


class PrivacyService:
    def __init__(self, db: Database, profiles: ProfileService) -> None:
        self.db = db
        self.profiles = profiles
        self._before_forget: list[BeforeForget] = []
        self._labels: dict[str, tuple[str, Label]] = {}

    def label(self, column: str, key: str, describe: Label) -> None:
        """In exports, rows with ``column`` (an internal id) also get ``key``: what members saw."""
        self._labels[column] = (key, describe)

    async def _labelled(self, tables: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
        cache: dict[tuple[str, int], str | None] = {}
        for rows in tables.values():
            for row in rows:
                for column, (key, describe) in self._labels.items():
                    value = row.get(column)
                    if not isinstance(value, int) or key in row:
                        continue
                    if (column, value) not in cache:
                        cache[(column, value)] = await describe(value)
                    if cache[(column, value)] is not None:
                        row[key] = cache[(column, value)]
        return tables

    def before_forget(self, listener: BeforeForget) -> None:
        self._before_forget.append(listener)

    async def preferences(self, guild_id: int, member_id: int) -> Preferences:
        return await self.profiles.preferences(guild_id, member_id)

    async def stored_summary(self, guild_id: int, member_id: int) -> dict[str, int]:
        """How many rows each table holds about the member (tables with none left out)."""
        data = await export_member(self.db, guild_id, member_id)
        return {table: len(rows) for table, rows in data.items() if rows}

    async def set(
        self, guild_id: int, member_id: int, name: PreferenceName, value: bool | DmMode, now: int
    ) -> Preferences:
        return await self.profiles.set_preference(guild_id, member_id, name, value, now)

    async def export(self, guild_id: int, member_id: int, now: int) -> dict[str, Any]:
        """Every stored row about the member in this server, with what the file is."""
        return {
            "format": "meetbridge-member-export/1",
            "guild_id": guild_id,
            "member_id": member_id,
            "exported_at": from_epoch(now).isoformat(),
            "note": "Every row Meetbridge stores about you in this server, by table, and under "
            "named_in the rows elsewhere that name you (posts and messages waiting to go out); "
            "/privacy forget deletes or clears all of them. Times are UTC epoch seconds; next to an "
            "internal id (meetup_id, poll_id) is what you saw it as (meetup #5).",
            "tables": await self._labelled(await export_member(self.db, guild_id, member_id)),
            "named_in": await self._labelled(await export_mentions(self.db, guild_id, member_id)),
        }

    @staticmethod
    def export_bytes(export: dict[str, Any]) -> bytes:
        return json.dumps(export, indent=2, ensure_ascii=False).encode("utf-8")

    async def forget(self, guild_id: int, member_id: int, now: int) -> Forgotten:
        """Give up what the member holds, then delete every row about them in this server and
        scrub every row that names them (one transaction)."""
        for listener in self._before_forget:
            try:
                await listener(guild_id, member_id, now)
            except Exception:  # what they held stays theirs until deleted; forgetting must not fail
                log.exception("giving up a member's places before forgetting them failed")
        profile = await self.profiles.get_profile(guild_id, member_id)
        counts = await forget_member(self.db, guild_id, member_id)
        self.profiles.changed(guild_id, member_id)
        return Forgotten(
            guild_id=guild_id,
            rows=sum(count for count in counts.values() if count > 0),
            intro=profile.intro if profile else None,
        )

    async def stores_anything(self, guild_id: int, member_id: int) -> bool:
        return await stores_member(self.db, guild_id, member_id)

    async def known_guilds(self, member_id: int) -> list[int]:
        """Every server Meetbridge stores something about this member in (for a forget by DM)."""
        return await member_guilds(self.db, member_id)

    async def forget_everywhere(self, member_id: int, now: int) -> list[Forgotten]:
        """``forget`` in every server that knows the member: the way for someone who left."""
        return [
            await self.forget(guild_id, member_id, now) for guild_id in await self.known_guilds(member_id)
        ]
