"""/pairing: join, leave or skip pairing rounds; admins start one now with /pairing run."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.replies import reply
from bot.app import MeetbridgeBot
from bot.clock import now_epoch
from bot.domain.guild_settings import Purpose
from bot.errors import require_admin
from bot.ui import pairing as ui


class PairingCog(commands.Cog):
    pairing = app_commands.Group(
        name="pairing", description="Small groups that share interests, every few weeks", guild_only=True
    )

    def __init__(self, bot: MeetbridgeBot) -> None:
        self.bot = bot
        self.service = bot.services.pairing
        self.config = bot.services.config

    @pairing.command(name="join", description="Take part in pairing rounds (or come back after a skip)")
    async def join(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        membership = await self.service.join(interaction.guild_id, interaction.user.id, now_epoch())
        await reply(interaction, ui.joined(membership))

    @pairing.command(name="leave", description="Stop taking part in pairing rounds")
    async def leave(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        membership = await self.service.leave(interaction.guild_id, interaction.user.id)
        await reply(interaction, ui.left(membership))

    @pairing.command(name="skip", description="Sit out the next round only")
    async def skip(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        membership = await self.service.skip(interaction.guild_id, interaction.user.id)
        await reply(interaction, ui.skipped(membership))

    @pairing.command(name="run", description="Start a pairing round now (Manage Server)")
    async def run(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        require_admin(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        formed = await self.service.run_now(interaction.guild, now_epoch())
        channel_id = await self.config.channel_for(interaction.guild.id, Purpose.PAIRING)
        await reply(interaction, ui.round_started(formed, channel_id))


async def setup(bot: MeetbridgeBot) -> None:
    bot.add_dynamic_items(ui.PlanMeetupButton, ui.AnswerButton)
    await bot.add_cog(PairingCog(bot))
