"""/privacy: show, discoverable, dm, helper, export and forget, for the member in this server."""

from __future__ import annotations

import io
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.outbound import Undeliverable
from bot.adapters.replies import reply, update
from bot.app import MeetbridgeBot
from bot.clock import now_epoch
from bot.domain.consent import DmMode
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
        await reply(interaction, embed=privacy_embed(preferences, stored))

    async def _set(
        self, interaction: discord.Interaction, name: PreferenceName, state: Toggle | DmMode
    ) -> None:
        assert interaction.guild is not None
        value = state if isinstance(state, DmMode) else state.enabled
        await self.service.set(interaction.guild.id, interaction.user.id, name, value, now_epoch())
        await reply(interaction, changed_message(name, value))

    @privacy.command(name="discoverable", description="Whether /match and pairing can find you")
    @app_commands.describe(state="on: others can find you; off: hidden from /match and pairing")
    async def discoverable(self, interaction: discord.Interaction, state: Toggle) -> None:
        await self._set(interaction, "discoverable", state)

    @privacy.command(name="dm", description="Which direct messages Meetbridge may send you")
    @app_commands.describe(
        state="on: also reminders and nudges; replies: only answers to what you did (default); off: none"
    )
    async def dm(self, interaction: discord.Interaction, state: DmMode) -> None:
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
        await reply(interaction, "Everything Meetbridge stores about you in this server:", file=file)

    @privacy.command(name="forget", description="Delete everything stored about you here")
    async def forget(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        member_id = interaction.user.id
        view = ForgetView(member_id, self._forget_confirmed)
        await reply(interaction, FORGET_PROMPT, view=view)

    async def _forget_confirmed(self, interaction: discord.Interaction) -> None:
        guild = interaction.guild
        assert guild is not None
        forgotten = await self.service.forget(guild.id, interaction.user.id)
        await update(
            interaction,
            f"Done: I deleted everything I stored about you in this server ({forgotten.rows} rows).",
            clear_view=True,
        )
        if forgotten.intro is None:
            return
        intro = forgotten.intro
        try:
            await self.bot.services.outbound.delete(intro.channel_id, guild.id, intro.message_id)
        except Undeliverable as error:
            log.warning("guild %s: could not delete an introduction (%s)", guild.id, error)
            await reply(
                interaction,
                f"I could not remove your introduction post in <#{intro.channel_id}>; "
                "please delete it yourself or ask a moderator to.",
            )


async def setup(bot: MeetbridgeBot) -> None:
    await bot.add_cog(PrivacyCog(bot))
