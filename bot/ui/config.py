"""How a server's settings look to an admin."""

from __future__ import annotations

import discord

from bot.domain.durations import format_duration, format_offsets
from bot.domain.guild_settings import Cadence, GuildSettings, Purpose

# What the bot needs in each feature's channel, beyond seeing it and sending messages.
NEEDED_PERMISSIONS: dict[Purpose, tuple[str, ...]] = {
    Purpose.INTRODUCTIONS: ("embed_links",),
    Purpose.MEETUPS: ("embed_links", "add_reactions", "read_message_history", "create_public_threads"),
    Purpose.PAIRING: ("embed_links", "create_private_threads", "send_messages_in_threads"),
    Purpose.SUPPORT: ("embed_links", "create_public_threads", "send_messages_in_threads"),
}

COLOUR = discord.Colour.from_rgb(88, 101, 242)


def settings_embed(settings: GuildSettings, guild_name: str) -> discord.Embed:
    embed = discord.Embed(title=f"Meetbridge settings for {guild_name}", colour=COLOUR)
    embed.add_field(
        name="Channels",
        value="\n".join(
            f"**{purpose.value}**: {f'<#{channel}>' if (channel := settings.channel(purpose)) else 'not set'}"
            for purpose in Purpose
        ),
        inline=False,
    )
    embed.add_field(name="Timezone", value=settings.timezone or "not set (UTC)", inline=True)
    embed.add_field(
        name="Reminders before meetups", value=format_offsets(settings.reminder_offsets), inline=True
    )
    pairing = (
        "off"
        if settings.pairing_cadence is Cadence.OFF
        else f"{settings.pairing_cadence.value}, groups of {settings.pairing_size}"
    )
    embed.add_field(name="Pairing rounds", value=pairing, inline=True)
    embed.add_field(
        name="Data of members who leave",
        value=f"deleted {format_duration(settings.retention)} after they leave",
        inline=True,
    )
    missing = settings.missing()
    embed.add_field(
        name="Still missing" if missing else "Ready",
        value="\n".join(f"• {item}" for item in missing) if missing else "Every feature is configured.",
        inline=False,
    )
    return embed


def missing_permissions(purpose: Purpose, permissions: discord.Permissions) -> list[str]:
    return [name for name in NEEDED_PERMISSIONS[purpose] if not getattr(permissions, name)]


def permission_names(names: list[str]) -> str:
    return ", ".join(name.replace("_", " ").title() for name in names)
