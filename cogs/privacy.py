"""/privacy: show, discoverable, dm, helper, export and forget, for the member in this server."""

from __future__ import annotations

import io
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MeetbridgeBot
from bot.clock import now_epoch
from bot.domain.profiles import Toggle
from bot.storage.profiles import PreferenceName
from bot.ui.privacy import FORGET_PROMPT, ForgetView, changed_message, privacy_embed

log = logging.getLogger(__name__)


class PrivacyCog(commands.Cog):
    privacy = app_commands.Group(
        name="privacy", description="What Meetbridge stores about you and what it may do", guild_only=True
    )

    def __init__(self, bot: MeetbridgeBot) -> None:
        self.bot = bot
        self.service = bot.services.privacy

    @privacy.command(name="show", description="Your privacy settings and what is stored about you")
    async def show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        guild_id, member_id = interaction.guild.id, interaction.user.id
        preferences = await self.service.preferences(guild_id, member_id)
        stored = await self.service.stored_summary(guild_id, member_id)
        await interaction.response.send_message(embed=privacy_embed(preferences, stored), ephemeral=True)

    async def _set(self, interaction: discord.Interaction, name: PreferenceName, state: Toggle) -> None:
        assert interaction.guild is not None
        await self.service.set(interaction.guild.id, interaction.user.id, name, state, now_epoch())
        await interaction.response.send_message(changed_message(name, state.enabled), ephemeral=True)

    @privacy.command(name="discoverable", description="Whether /match and pairing can find you")
    @app_commands.describe(state="on: others can find you; off: hidden from /match and pairing")
    async def discoverable(self, interaction: discord.Interaction, state: Toggle) -> None:
        await self._set(interaction, "discoverable", state)

    @privacy.command(name="dm", description="Whether Meetbridge may send you direct messages")
    @app_commands.describe(state="on: reminders and nudges also by DM; off: reminders in the channel only")
    async def dm(self, interaction: discord.Interaction, state: Toggle) -> None:
        await self._set(interaction, "dm", state)

    @privacy.command(name="helper", description="Whether /ask may mention you for your interests")
    @app_commands.describe(state="on: you may be mentioned for questions about your interests")
    async def helper(self, interaction: discord.Interaction, state: Toggle) -> None:
        await self._set(interaction, "helper", state)

    @privacy.command(name="export", description="Everything stored about you here, as a JSON file")
    async def export(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        guild_id, member_id = interaction.guild.id, interaction.user.id
        data = await self.service.export(guild_id, member_id, now_epoch())
        file = discord.File(
            io.BytesIO(self.service.export_bytes(data)), filename=f"meetbridge-{guild_id}-{member_id}.json"
        )
        await interaction.response.send_message(
            "Everything Meetbridge stores about you in this server:", file=file, ephemeral=True
        )

    @privacy.command(name="forget", description="Delete everything stored about you here")
    async def forget(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        member_id = interaction.user.id
        view = ForgetView(member_id, self._forget_confirmed)
        await interaction.response.send_message(FORGET_PROMPT, view=view, ephemeral=True)

    async def _forget_confirmed(self, interaction: discord.Interaction) -> None:
        guild = interaction.guild
        assert guild is not None
        forgotten = await self.service.forget(guild.id, interaction.user.id)
        await interaction.response.edit_message(
            content=f"Done: I deleted everything I stored about you in this server ({forgotten.rows} rows).",
            view=None,
        )
        if forgotten.intro is None:
            return
        channel = guild.get_channel_or_thread(forgotten.intro.channel_id)
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            return
        try:
            await channel.get_partial_message(forgotten.intro.message_id).delete()
        except discord.NotFound:
            pass
        except discord.HTTPException:
            log.warning("guild %s: could not delete an introduction", guild.id, exc_info=True)
            await interaction.followup.send(
                f"I could not remove your introduction post in {channel.mention}; "
                "please delete it yourself or ask a moderator to.",
                ephemeral=True,
            )


async def setup(bot: MeetbridgeBot) -> None:
    await bot.add_cog(PrivacyCog(bot))
