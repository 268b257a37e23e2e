"""Server configuration use cases: validate what an admin typed, then store it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.domain.date_order import DateOrder
from bot.domain.durations import parse_offsets, parse_retention
from bot.domain.errors import NotConfigured
from bot.domain.guild_settings import Cadence, GuildSettings, Purpose, validate_pairing_size
from bot.domain.series import parse_ahead
from bot.domain.timezones import validate_timezone
from bot.domain.waitlist import WaitlistMode, parse_hold, parse_undecided
from bot.storage.guild_settings import GuildSettingsRepository

# Told (settings before, settings after, now) when an admin runs /config pairing, inside the same
# transaction: pairing reschedules its next round, and a failure leaves the old settings in place.
PairingListener = Callable[[GuildSettings, GuildSettings, int], Awaitable[None]]


class ConfigService:
    def __init__(self, repo: GuildSettingsRepository) -> None:
        self.repo = repo
        self._pairing_listeners: list[PairingListener] = []

    def on_pairing_change(self, listener: PairingListener) -> None:
        self._pairing_listeners.append(listener)

    async def settings(self, guild_id: int) -> GuildSettings:
        return await self.repo.get(guild_id)

    async def with_pairing_on(self) -> set[int]:
        """The servers with pairing rounds on: a server without stored settings has them off."""
        return set(await self.repo.with_pairing_on())

    async def channel_for(self, guild_id: int, purpose: Purpose) -> int:
        """The channel a feature posts in, or a refusal telling admins what to run."""
        channel_id = (await self.repo.get(guild_id)).channel(purpose)
        if channel_id is None:
            raise NotConfigured(
                f"This server has no {purpose.value} channel yet. "
                "Someone with Manage Server can set it with:",
                f"/config channel purpose:{purpose.value} channel:#{purpose.value}",
            )
        return channel_id

    async def set_channel(self, guild_id: int, purpose: Purpose, channel_id: int, now: int) -> GuildSettings:
        await self.repo.set_channel(guild_id, purpose, channel_id, now)
        return await self.repo.get(guild_id)

    async def set_timezone(self, guild_id: int, name: str, now: int) -> GuildSettings:
        timezone = validate_timezone(name)
        await self.repo.set_timezone(guild_id, timezone, now)
        return await self.repo.get(guild_id)

    async def set_reminders(self, guild_id: int, text: str, now: int) -> GuildSettings:
        offsets = parse_offsets(text)
        await self.repo.set_reminder_offsets(guild_id, offsets, now)
        return await self.repo.get(guild_id)

    async def set_undecided(self, guild_id: int, text: str, now: int) -> GuildSettings:
        """How long before a meetup the undecided get their one nudge (``off``: never); meetups
        announced from now on follow it."""
        await self.repo.set_undecided(guild_id, parse_undecided(text), now)
        return await self.repo.get(guild_id)

    async def set_waitlist(
        self, guild_id: int, mode: WaitlistMode, hold: str | None, now: int
    ) -> GuildSettings:
        """Freed places assigned at once, or offered and held; offers already made keep their time."""
        seconds = parse_hold(hold) if hold is not None else None
        await self.repo.set_waitlist(guild_id, mode, seconds, now)
        return await self.repo.get(guild_id)

    async def set_series_ahead(self, guild_id: int, text: str, now: int) -> GuildSettings:
        """How long before each occurrence a series posts it (joins the caller's transaction)."""
        await self.repo.set_series_ahead(guild_id, parse_ahead(text), now)
        return await self.repo.get(guild_id)

    async def set_retention(self, guild_id: int, text: str, now: int) -> GuildSettings:
        """How long the data of members who leave is kept; departures from now on use it."""
        await self.repo.set_retention(guild_id, parse_retention(text), now)
        return await self.repo.get(guild_id)

    async def set_date_order(self, guild_id: int, order: DateOrder, now: int) -> GuildSettings:
        """How numeric dates are read from now on; times already read keep their reading."""
        await self.repo.set_date_order(guild_id, order, now)
        return await self.repo.get(guild_id)

    async def set_moderator_role(self, guild_id: int, role_id: int | None, now: int) -> GuildSettings:
        """Who may act on reports besides Manage Server (None: Manage Server only)."""
        await self.repo.set_moderator_role(guild_id, role_id, now)
        return await self.repo.get(guild_id)

    async def set_pairing(self, guild_id: int, cadence: Cadence, size: int, now: int) -> GuildSettings:
        validate_pairing_size(size)
        async with self.repo.db.transaction():
            before = await self.repo.get(guild_id)
            await self.repo.set_pairing(guild_id, cadence, size, now)
            after = await self.repo.get(guild_id)
            for listener in self._pairing_listeners:
                await listener(before, after, now)
        return after
