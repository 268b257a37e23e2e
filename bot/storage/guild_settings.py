"""SQL for a server's configuration."""

from __future__ import annotations

from bot.domain.date_order import DateOrder
from bot.domain.guild_settings import Cadence, GuildSettings, Purpose
from bot.domain.waitlist import WaitlistMode
from bot.storage.database import Database


def _encode_offsets(offsets: tuple[int, ...]) -> str:
    return ",".join(str(offset) for offset in offsets)


def _decode_offsets(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part)


class GuildSettingsRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, guild_id: int) -> GuildSettings:
        """The server's settings; defaults when nothing was ever set."""
        row = await self.db.fetchone(
            "SELECT timezone, reminder_offsets, pairing_cadence, pairing_size, retention, date_order, "
            "moderator_role_id, series_ahead, waitlist_mode, waitlist_hold, undecided_nudge "
            "FROM guild_settings WHERE guild_id = ?",
            (guild_id,),
        )
        channel_rows = await self.db.fetchall(
            "SELECT purpose, channel_id FROM guild_channels WHERE guild_id = ?", (guild_id,)
        )
        channels = {Purpose(r["purpose"]): int(r["channel_id"]) for r in channel_rows}
        if row is None:
            return GuildSettings(guild_id=guild_id, channels=channels)
        return GuildSettings(
            guild_id=guild_id,
            channels=channels,
            timezone=row["timezone"],
            reminder_offsets=_decode_offsets(row["reminder_offsets"]),
            pairing_cadence=Cadence(row["pairing_cadence"]),
            pairing_size=int(row["pairing_size"]),
            retention=int(row["retention"]),
            date_order=DateOrder(row["date_order"]) if row["date_order"] else None,
            moderator_role_id=row["moderator_role_id"],
            series_ahead=int(row["series_ahead"]),
            waitlist_mode=WaitlistMode(row["waitlist_mode"]),
            waitlist_hold=int(row["waitlist_hold"]),
            undecided=int(row["undecided_nudge"]),
        )

    async def with_pairing_on(self) -> list[int]:
        """The servers whose pairing cadence is not ``off`` (one query, not one per server)."""
        rows = await self.db.fetchall("SELECT guild_id FROM guild_settings WHERE pairing_cadence != 'off'")
        return [int(row["guild_id"]) for row in rows]

    async def _ensure_row(self, guild_id: int, now: int) -> None:
        await self.db.execute(
            "INSERT INTO guild_settings (guild_id, updated_at) VALUES (?, ?) "
            "ON CONFLICT (guild_id) DO NOTHING",
            (guild_id, now),
        )

    async def set_channel(self, guild_id: int, purpose: Purpose, channel_id: int, now: int) -> None:
        await self.db.execute(
            "INSERT INTO guild_channels (guild_id, purpose, channel_id, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (guild_id, purpose) DO UPDATE SET channel_id = excluded.channel_id, "
            "updated_at = excluded.updated_at",
            (guild_id, purpose.value, channel_id, now),
        )

    async def set_timezone(self, guild_id: int, timezone: str, now: int) -> None:
        async with self.db.transaction():
            await self._ensure_row(guild_id, now)
            await self.db.execute(
                "UPDATE guild_settings SET timezone = ?, updated_at = ? WHERE guild_id = ?",
                (timezone, now, guild_id),
            )

    async def set_reminder_offsets(self, guild_id: int, offsets: tuple[int, ...], now: int) -> None:
        async with self.db.transaction():
            await self._ensure_row(guild_id, now)
            await self.db.execute(
                "UPDATE guild_settings SET reminder_offsets = ?, updated_at = ? WHERE guild_id = ?",
                (_encode_offsets(offsets), now, guild_id),
            )

    async def set_pairing(self, guild_id: int, cadence: Cadence, size: int, now: int) -> None:
        async with self.db.transaction():
            await self._ensure_row(guild_id, now)
            await self.db.execute(
                "UPDATE guild_settings SET pairing_cadence = ?, pairing_size = ?, updated_at = ? "
                "WHERE guild_id = ?",
                (cadence.value, size, now, guild_id),
            )

    async def set_retention(self, guild_id: int, seconds: int, now: int) -> None:
        async with self.db.transaction():
            await self._ensure_row(guild_id, now)
            await self.db.execute(
                "UPDATE guild_settings SET retention = ?, updated_at = ? WHERE guild_id = ?",
                (seconds, now, guild_id),
            )

    async def set_date_order(self, guild_id: int, order: DateOrder, now: int) -> None:
        async with self.db.transaction():
            await self._ensure_row(guild_id, now)
            await self.db.execute(
                "UPDATE guild_settings SET date_order = ?, updated_at = ? WHERE guild_id = ?",
                (order.value, now, guild_id),
            )

    async def set_moderator_role(self, guild_id: int, role_id: int | None, now: int) -> None:
        async with self.db.transaction():
            await self._ensure_row(guild_id, now)
            await self.db.execute(
                "UPDATE guild_settings SET moderator_role_id = ?, updated_at = ? WHERE guild_id = ?",
                (role_id, now, guild_id),
            )

    async def set_series_ahead(self, guild_id: int, seconds: int, now: int) -> None:
        async with self.db.transaction():
            await self._ensure_row(guild_id, now)
            await self.db.execute(
                "UPDATE guild_settings SET series_ahead = ?, updated_at = ? WHERE guild_id = ?",
                (seconds, now, guild_id),
            )

    async def set_waitlist(self, guild_id: int, mode: WaitlistMode, hold: int | None, now: int) -> None:
        """``hold`` None keeps the current one."""
        async with self.db.transaction():
            await self._ensure_row(guild_id, now)
            await self.db.execute(
                "UPDATE guild_settings SET waitlist_mode = ?, waitlist_hold = COALESCE(?, waitlist_hold), "
                "updated_at = ? WHERE guild_id = ?",
                (mode.value, hold, now, guild_id),
            )

    async def set_undecided(self, guild_id: int, seconds: int, now: int) -> None:
        async with self.db.transaction():
            await self._ensure_row(guild_id, now)
            await self.db.execute(
                "UPDATE guild_settings SET undecided_nudge = ?, updated_at = ? WHERE guild_id = ?",
                (seconds, now, guild_id),
            )
