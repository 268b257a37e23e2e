"""/config: where features post, timezone, date format, reminders, pairing, retention, the weekly
stats digest (Manage Server)."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.replies import reply
from bot.app import MeetbridgeBot
from bot.clock import now_epoch
from bot.domain.date_order import DateOrder
from bot.domain.durations import format_duration, format_offsets, parse_offsets
from bot.domain.errors import UserError
from bot.domain.guild_settings import Cadence, Purpose
from bot.domain.timezones import search_timezones
from bot.domain.waitlist import WaitlistMode, parse_undecided
from bot.errors import ADMIN_ONLY
from bot.services.stats import DIGEST_EXAMPLE
from bot.ui.config import (
    missing_permissions,
    permission_names,
    permission_problems,
    settings_embed,
    undecided_text,
    waitlist_text,
)
from bot.ui.stats import digest_set

log = logging.getLogger(__name__)


class ConfigCog(commands.Cog):
    config = app_commands.Group(
        name="config",
        description="Meetbridge settings for this server (Manage Server)",
        guild_only=True,
        # Discord offers /config only to admins; the bot checks again (servers may change who sees it).
        default_permissions=discord.Permissions(manage_guild=True),
        extras={ADMIN_ONLY: True},
    )

    def __init__(self, bot: MeetbridgeBot) -> None:
        self.bot = bot
        self.service = bot.services.config

    @config.command(name="show", description="Every setting of this server and what is missing")
    async def show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        guild = interaction.guild
        settings = await self.service.settings(guild.id)

        def channel_permissions(channel_id: int) -> discord.Permissions | None:
            channel = guild.get_channel(channel_id)
            return channel.permissions_for(guild.me) if channel is not None else None

        problems = permission_problems(
            settings,
            channel_permissions,
            guild.me.guild_permissions,
            self.bot.services.outbound.refusals(guild.id),
        )
        digest = await self.bot.services.stats.digest_channel(guild.id)
        await reply(
            interaction, embed=settings_embed(settings, guild.name, problems, digest_channel_id=digest)
        )

    @config.command(name="channel", description="Choose where a feature posts")
    @app_commands.describe(purpose="Which feature", channel="The text channel it posts in")
    async def channel(
        self, interaction: discord.Interaction, purpose: Purpose, channel: discord.TextChannel
    ) -> None:
        assert interaction.guild is not None
        me = interaction.guild.me
        permissions = channel.permissions_for(me)
        if not (permissions.view_channel and permissions.send_messages):
            raise UserError(
                f"I can't see or post in {channel.mention}. Give the Meetbridge role View Channel and "
                "Send Messages there, or pick another channel.",
                f"/config channel purpose:{purpose.value} channel:#{purpose.value}",
            )
        await self.service.set_channel(interaction.guild.id, purpose, channel.id, now_epoch())
        message = f"The **{purpose.value}** channel is now {channel.mention}."
        if missing := missing_permissions(purpose, permissions):
            message += f"\n⚠️ I still need these permissions there: {permission_names(missing)}."
        if (
            purpose is Purpose.MODERATION
            and channel.permissions_for(interaction.guild.default_role).view_channel
        ):
            message += "\n⚠️ Everyone can see that channel; reports name who reported whom. Make it private."
        await reply(interaction, message)

    @config.command(name="timezone", description="The server's default timezone (IANA name)")
    @app_commands.describe(name="For example Europe/Berlin or America/New_York")
    async def timezone(self, interaction: discord.Interaction, name: str) -> None:
        assert interaction.guild is not None
        settings = await self.service.set_timezone(interaction.guild.id, name, now_epoch())
        text = f"Times are now read and shown in **{settings.timezone}**."
        if settings.date_order is None:
            text += (
                f"\nNumeric dates follow the timezone: **{settings.dates.value}** "
                f"({settings.dates.example()}); `/config dateformat` changes that."
            )
        await reply(interaction, text)

    @timezone.autocomplete("name")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=name) for name in search_timezones(current)]

    @config.command(name="dateformat", description="How members write numeric dates such as 3/4")
    @app_commands.describe(order="day-month: 3/4 is 3 April; month-day: 3/4 is March 4")
    @app_commands.choices(
        order=[
            app_commands.Choice(name="day-month (3/4 is 3 April)", value=DateOrder.DAY_MONTH.value),
            app_commands.Choice(name="month-day (3/4 is March 4)", value=DateOrder.MONTH_DAY.value),
        ]
    )
    async def dateformat(self, interaction: discord.Interaction, order: str) -> None:
        assert interaction.guild is not None
        settings = await self.service.set_date_order(interaction.guild.id, DateOrder(order), now_epoch())
        await reply(
            interaction,
            f"Numeric dates are now read **{settings.dates.value}**: {settings.dates.example()}. "
            "A date that reads only one way (25/12, 12/25) is read that way whatever this says.",
        )

    @config.command(name="reminders", description="When reminders and the nudge to the undecided go out")
    @app_commands.describe(
        offsets="1 to 5 offsets, each 5 minutes to 14 days, e.g. 24h, 1h",
        undecided="When Maybe members and poll voters who haven't answered are nudged, e.g. 48h, or off",
    )
    async def reminders(
        self, interaction: discord.Interaction, offsets: str | None = None, undecided: str | None = None
    ) -> None:
        assert interaction.guild is not None
        if offsets is None and undecided is None:
            raise UserError(
                "Say what to change: offsets, undecided or both.", "/config reminders offsets:24h, 1h"
            )
        if offsets is not None:
            parse_offsets(offsets)  # both are checked before either is stored
        if undecided is not None:
            parse_undecided(undecided)
        lines = []
        if offsets is not None:
            settings = await self.service.set_reminders(interaction.guild.id, offsets, now_epoch())
            lines.append(
                f"Reminders now go out **{format_offsets(settings.reminder_offsets)}** before each meetup."
            )
        if undecided is not None:
            settings = await self.service.set_undecided(interaction.guild.id, undecided, now_epoch())
            lines.append(undecided_text(settings.undecided))
        await reply(interaction, "\n".join(lines))

    @config.command(name="waitlist", description="Give freed places at once, or offer and hold them")
    @app_commands.describe(
        mode="auto: the first on the waitlist gets a freed place at once; offer: it is offered and held",
        hold="How long an offered place is held, 15 minutes to 7 days (default 12h)",
    )
    async def waitlist(
        self, interaction: discord.Interaction, mode: WaitlistMode, hold: str | None = None
    ) -> None:
        assert interaction.guild is not None
        settings = await self.service.set_waitlist(interaction.guild.id, mode, hold, now_epoch())
        await reply(interaction, waitlist_text(settings))

    @config.command(name="series", description="How long before each meetup of a series it is posted")
    @app_commands.describe(ahead="1 hour to 8 weeks, e.g. 7d (the default) or 2 weeks")
    async def series(self, interaction: discord.Interaction, ahead: str) -> None:
        assert interaction.guild is not None
        seconds = await self.bot.services.series.set_ahead(interaction.guild.id, ahead, now_epoch())
        await reply(
            interaction,
            f"Each meetup of a series is now posted **{format_duration(seconds)}** before it starts "
            "(series already running follow it from their next meetup).",
        )

    @config.command(name="retention", description="How long the data of members who leave is kept")
    @app_commands.describe(period="1 day to 365 days, e.g. 30d or 2 weeks")
    async def retention(self, interaction: discord.Interaction, period: str) -> None:
        assert interaction.guild is not None
        settings = await self.service.set_retention(interaction.guild.id, period, now_epoch())
        await reply(
            interaction,
            f"The data of members who leave is now deleted **{format_duration(settings.retention)}** "
            "after they leave, unless they come back. (Members who already left keep their date.)",
        )

    @config.command(name="moderators", description="Who may act on reports, besides Manage Server")
    @app_commands.describe(
        role="Members with this role may act on reports; leave empty for Manage Server only"
    )
    async def moderators(self, interaction: discord.Interaction, role: discord.Role | None = None) -> None:
        assert interaction.guild is not None
        if role is not None and role.is_default():
            raise UserError(
                "Not @everyone: every member could then act on reports. Choose a moderators' role.",
                "/config moderators role:@Moderators",
            )
        await self.service.set_moderator_role(interaction.guild.id, role.id if role else None, now_epoch())
        if role is None:
            text = "Only members with **Manage Server** can act on reports now."
        else:
            text = (
                f"Members with {role.mention} (and anyone with Manage Server) can act on reports, and each "
                "report mentions the role."
            )
            if not role.mentionable and not interaction.guild.me.guild_permissions.mention_everyone:
                text += (
                    "\n⚠️ That role can't be mentioned by me, so reports won't notify it: make it mentionable "
                    "(Server Settings → Roles) or give me Mention @everyone, @here and All Roles."
                )
        await reply(interaction, text)

    @config.command(
        name="digest", description="Post the week's /stats every Monday 09:00 server time, or off"
    )
    @app_commands.describe(channel="The text channel to post in, e.g. #general; or off")
    async def digest(self, interaction: discord.Interaction, channel: str) -> None:
        assert interaction.guild is not None
        guild = interaction.guild
        chosen = read_channel(guild, channel)
        if chosen is not None:
            permissions = chosen.permissions_for(guild.me)
            if not (permissions.view_channel and permissions.send_messages and permissions.embed_links):
                raise UserError(
                    f"I can't post embeds in {chosen.mention}. Give the Meetbridge role View Channel, Send "
                    "Messages and Embed Links there, or pick another channel.",
                    DIGEST_EXAMPLE,
                )
        due = await self.bot.services.stats.set_digest(guild.id, chosen.id if chosen else None, now_epoch())
        text = digest_set(chosen.id if chosen else None, due)
        if chosen is not None and not chosen.permissions_for(guild.me).attach_files:
            text += "\n⚠️ Without Attach Files there, the digest goes out without its chart."
        await reply(interaction, text)

    @digest.autocomplete("channel")
    async def digest_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        assert interaction.guild is not None
        typed = current.strip().lstrip("#").lower()
        choices = [app_commands.Choice(name="off", value="off")] if "off".startswith(typed) else []
        for text_channel in interaction.guild.text_channels:
            if typed in text_channel.name.lower() and len(choices) < 25:
                choices.append(
                    app_commands.Choice(name=f"#{text_channel.name}"[:100], value=str(text_channel.id))
                )
        return choices

    @config.command(name="pairing", description="How often pairing rounds run and the group size")
    @app_commands.describe(cadence="How often a round runs", size="Members per group (2 to 4)")
    async def pairing(
        self, interaction: discord.Interaction, cadence: Cadence, size: app_commands.Range[int, 2, 4]
    ) -> None:
        assert interaction.guild is not None
        await self.service.set_pairing(interaction.guild.id, cadence, size, now_epoch())
        if cadence is Cadence.OFF:
            text = "Pairing rounds are **off**."
        else:
            text = f"Pairing rounds now run **{cadence.value}** with groups of **{size}**."
        await reply(interaction, text)


def read_channel(guild: discord.Guild, text: str) -> discord.TextChannel | None:
    """``off`` (None), a channel id (what the autocomplete sends), ``<#id>``, ``#name`` or ``name``."""
    cleaned = text.strip()
    if cleaned.lower() == "off":
        return None
    digits = cleaned.removeprefix("<#").removesuffix(">")
    found: discord.abc.GuildChannel | None = None
    if digits.isdigit():
        found = guild.get_channel(int(digits))
    else:
        name = cleaned.lstrip("#").strip().lower()
        found = next((c for c in guild.text_channels if c.name.lower() == name), None)
    if not isinstance(found, discord.TextChannel):
        raise UserError(
            "That is not a text channel of this server. Pick one from the list, or off.", DIGEST_EXAMPLE
        )
    return found


async def setup(bot: MeetbridgeBot) -> None:
    await bot.add_cog(ConfigCog(bot))
