"""How a server's settings look to an admin."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import discord

from bot.adapters.outbound import Action, Refusal
from bot.clock import from_epoch
from bot.domain.durations import format_duration, format_offsets
from bot.domain.guild_settings import Cadence, GuildSettings, Purpose
from bot.domain.waitlist import WaitlistMode

# What the bot needs in each feature's channel, beyond seeing it and sending messages.
NEEDED_PERMISSIONS: dict[Purpose, tuple[str, ...]] = {
    Purpose.INTRODUCTIONS: ("embed_links",),
    Purpose.MEETUPS: ("embed_links", "add_reactions", "read_message_history", "create_public_threads"),
    Purpose.PAIRING: ("embed_links", "create_private_threads", "send_messages_in_threads"),
    Purpose.SUPPORT: ("embed_links", "create_public_threads", "send_messages_in_threads"),
    Purpose.MODERATION: ("embed_links",),
}

COLOUR = discord.Colour.from_rgb(88, 101, 242)


def settings_embed(
    settings: GuildSettings,
    guild_name: str,
    problems: Sequence[str] = (),
    digest_channel_id: int | None = None,
) -> discord.Embed:
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
    chosen = "set with /config dateformat" if settings.date_order else "from the timezone"
    embed.add_field(
        name="Numeric dates",
        value=f"{settings.dates.value} ({settings.dates.example()}), {chosen}",
        inline=True,
    )
    embed.add_field(
        name="Reminders before meetups", value=format_offsets(settings.reminder_offsets), inline=True
    )
    pairing = (
        "off"
        if settings.pairing_cadence is Cadence.OFF
        else f"{settings.pairing_cadence.value}, groups of {settings.pairing_size}"
    )
    embed.add_field(name="Nudge to the undecided", value=undecided_setting(settings.undecided), inline=True)
    embed.add_field(name="Pairing rounds", value=pairing, inline=True)
    embed.add_field(name="Waitlist", value=waitlist_setting(settings), inline=True)
    embed.add_field(
        name="Series", value=f"occurrences posted {format_duration(settings.series_ahead)} ahead", inline=True
    )
    embed.add_field(
        name="Data of members who leave",
        value=f"deleted {format_duration(settings.retention)} after they leave",
        inline=True,
    )
    moderators = (
        f"<@&{settings.moderator_role_id}> and Manage Server"
        if settings.moderator_role_id
        else "Manage Server only (`/config moderators role:@Moderators` adds a role)"
    )
    embed.add_field(name="Who acts on reports", value=moderators, inline=True)
    embed.add_field(
        name="Weekly stats digest",
        value=f"<#{digest_channel_id}>, Mondays 09:00"
        if digest_channel_id
        else "off (`/config digest channel:#general`)",
        inline=True,
    )
    missing = settings.missing()
    embed.add_field(
        name="Still missing" if missing else "Ready",
        value="\n".join(f"• {item}" for item in missing) if missing else "Every feature is configured.",
        inline=False,
    )
    if problems:
        embed.add_field(
            name="⚠️ Permissions I need",
            value="\n".join(f"• {problem}" for problem in problems),
            inline=False,
        )
    return embed


def permission_problems(
    settings: GuildSettings,
    channel_permissions: Callable[[int], discord.Permissions | None],
    guild_permissions: discord.Permissions,
    refusals: Sequence[Refusal],
) -> list[str]:
    """What the bot lacks, per configured channel (as Discord would judge it now), plus what
    Discord actually refused recently, with when."""
    problems: list[str] = []
    for purpose, channel_id in sorted(settings.channels.items(), key=lambda item: item[0].value):
        permissions = channel_permissions(channel_id)
        if permissions is None:
            problems.append(
                f"The {purpose.value} channel <#{channel_id}> is gone: "
                f"`/config channel purpose:{purpose.value} channel:#{purpose.value}`"
            )
            continue
        lacking = [name for name in ("view_channel", "send_messages") if not getattr(permissions, name)]
        lacking += missing_permissions(purpose, permissions)
        if lacking:
            problems.append(f"<#{channel_id}> ({purpose.value}): give me {permission_names(lacking)}")
    if not (guild_permissions.manage_events or guild_permissions.create_events):
        problems.append("Server-wide: give me Create Events (meetups then appear in Discord's Events)")
    for refusal in refusals:
        when = discord.utils.format_dt(from_epoch(int(refusal.at)), "R")
        where = "server-wide" if refusal.action is Action.EVENT else f"in <#{refusal.channel_id}>"
        line = f"Discord refused me {where} {when}: I need {refusal.missing}"
        if line not in problems:
            problems.append(line)
    return problems


def missing_permissions(purpose: Purpose, permissions: discord.Permissions) -> list[str]:
    return [name for name in NEEDED_PERMISSIONS[purpose] if not getattr(permissions, name)]


def permission_names(names: list[str]) -> str:
    return ", ".join(name.replace("_", " ").title() for name in names)


def undecided_setting(seconds: int) -> str:
    return "off" if not seconds else f"{format_duration(seconds)} before"


def undecided_text(seconds: int) -> str:
    if not seconds:
        return "Members who haven't decided are **no longer nudged** before meetups."
    return (
        f"Maybe members, and poll voters who haven't answered, get one nudge **{format_duration(seconds)}** "
        "before each meetup (meetups announced from now on)."
    )


def waitlist_setting(settings: GuildSettings) -> str:
    if settings.waitlist_mode is WaitlistMode.AUTO:
        return "auto: a freed place goes to the first on the waitlist"
    return f"offer: a freed place is offered and held {format_duration(settings.waitlist_hold)}"


def waitlist_text(settings: GuildSettings) -> str:
    if settings.waitlist_mode is WaitlistMode.AUTO:
        return "A freed place now goes **at once** to the first member on the waitlist, who is told by DM."
    hold = format_duration(settings.waitlist_hold)
    return (
        f"A freed place is now **offered** to the first member on the waitlist (**Claim** / **Pass**) and "
        f"held for them **{hold}**, then offered to the next. Within {hold} of the start it is given at once."
    )
