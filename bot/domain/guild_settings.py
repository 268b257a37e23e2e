"""A server's configuration and what it still lacks."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.date_order import DateOrder, default_date_order
from bot.domain.durations import DEFAULT_REMINDER_OFFSETS, DEFAULT_RETENTION
from bot.domain.errors import UserError
from bot.domain.series import DEFAULT_AHEAD
from bot.domain.waitlist import DEFAULT_HOLD, DEFAULT_UNDECIDED, WaitlistMode


class Purpose(StrEnum):
    """Where each feature posts."""

    INTRODUCTIONS = "introductions"
    MEETUPS = "meetups"
    PAIRING = "pairing"
    SUPPORT = "support"
    MODERATION = "moderation"


class Cadence(StrEnum):
    OFF = "off"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"

    @property
    def days(self) -> int | None:
        return {"off": None, "weekly": 7, "biweekly": 14, "monthly": 28}[self.value]


# What members miss while a channel is not set, shown by /config show.
_WITHOUT: dict[Purpose, str] = {
    Purpose.INTRODUCTIONS: " (new members are not welcomed and /intro is off)",
    Purpose.MODERATION: " (/report has nowhere to go: members who report someone are told so)",
}

PAIRING_SIZES = range(2, 5)
DEFAULT_TIMEZONE = "UTC"


def validate_pairing_size(size: int) -> int:
    if size not in PAIRING_SIZES:
        raise UserError(
            f"A pairing group has 2 to 4 members, not {size}.", "/config pairing cadence:weekly size:2"
        )
    return size


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: int
    channels: dict[Purpose, int] = field(default_factory=dict)
    timezone: str | None = None
    reminder_offsets: tuple[int, ...] = DEFAULT_REMINDER_OFFSETS
    pairing_cadence: Cadence = Cadence.OFF
    pairing_size: int = 2
    retention: int = DEFAULT_RETENTION  # seconds the data of a member who left is kept
    date_order: DateOrder | None = None  # None: as the timezone suggests
    moderator_role_id: int | None = None  # may act on reports, beside members with Manage Server
    series_ahead: int = DEFAULT_AHEAD  # seconds before each occurrence of a series it is posted
    waitlist_mode: WaitlistMode = WaitlistMode.AUTO
    waitlist_hold: int = DEFAULT_HOLD  # seconds an offered place is held (offer mode)
    undecided: int = DEFAULT_UNDECIDED  # seconds before a meetup the undecided are nudged; 0: off

    @property
    def tz(self) -> str:
        """The zone to read and show times in; UTC until an admin sets one."""
        return self.timezone or DEFAULT_TIMEZONE

    @property
    def dates(self) -> DateOrder:
        """How numeric dates (``3/4``) are read: the admin's choice, else the timezone's custom."""
        return self.date_order or default_date_order(self.timezone)

    def channel(self, purpose: Purpose) -> int | None:
        return self.channels.get(purpose)

    def missing(self) -> list[str]:
        """What an admin still has to set, each with the command that sets it."""
        missing = [
            f"No {purpose.value} channel{_WITHOUT.get(purpose, '')}: "
            f"`/config channel purpose:{purpose.value} channel:#{purpose.value}`"
            for purpose in Purpose
            if purpose not in self.channels
        ]
        if self.timezone is None:
            missing.append("No timezone (times are read as UTC): `/config timezone name:Europe/Berlin`")
        return missing
