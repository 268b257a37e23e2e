"""/privacy: preferences, export and forget, over every table registered in member_data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.clock import from_epoch
from bot.domain.consent import DmMode
from bot.domain.profiles import IntroMessage, Preferences
from bot.services.profiles import ProfileService
from bot.storage.database import Database
from bot.storage.member_data import export_member, forget_member
from bot.storage.profiles import PreferenceName


@dataclass(frozen=True, slots=True)
class Forgotten:
    rows: int  # rows deleted or blanked (custom handlers not counted)
    intro: IntroMessage | None  # the introduction embed the caller should delete


class PrivacyService:
    def __init__(self, db: Database, profiles: ProfileService) -> None:
        self.db = db
        self.profiles = profiles

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
            "note": "Every row Meetbridge stores about you in this server, by table. "
            "Times are UTC epoch seconds.",
            "tables": await export_member(self.db, guild_id, member_id),
        }

    @staticmethod
    def export_bytes(export: dict[str, Any]) -> bytes:
        return json.dumps(export, indent=2, ensure_ascii=False).encode("utf-8")

    async def forget(self, guild_id: int, member_id: int) -> Forgotten:
        """Delete every row about the member in this server (one transaction)."""
        profile = await self.profiles.get_profile(guild_id, member_id)
        counts = await forget_member(self.db, guild_id, member_id)
        self.profiles.changed(guild_id, member_id)
        return Forgotten(
            rows=sum(count for count in counts.values() if count > 0),
            intro=profile.intro if profile else None,
        )
