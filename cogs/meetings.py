"""/met: record by hand that you met a member in person (mutual rule, as after a meetup)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.replies import reply
from bot.app import MeetbridgeBot
from bot.clock import now_epoch
from bot.domain.cooldowns import Action
from bot.domain.errors import UserError
from bot.domain.meetings import check_pick
from bot.errors import is_admin
from bot.ui.meetings import introduction_embed, mutual_noted, pick_noted
from bot.ui.safety import blocked_met_refusal


class MeetingsCog(commands.Cog):
    def __init__(self, bot: MeetbridgeBot) -> None:
        self.bot = bot
        self.meetings = bot.services.meetings
        self.introductions = bot.services.introductions
        self.profiles = bot.services.profiles
        self.cooldowns = bot.services.cooldowns
        self.blocks = bot.services.blocks

    @app_commands.command(name="met", description="Record that you met a member in person")
    @app_commands.describe(member="The member you met")
    @app_commands.guild_only()
    async def met(self, interaction: discord.Interaction, member: discord.Member) -> None:
        assert interaction.guild is not None
        check_pick(interaction.user.id, member.id, picked_is_bot=member.bot)
        guild_id, member_id = interaction.guild.id, interaction.user.id
        if await self.blocks.has_blocked(guild_id, member_id, member.id):
            raise UserError(blocked_met_refusal(member))
        with self.cooldowns.use(guild_id, member_id, Action.MET, exempt=is_admin(interaction)):
            outcome = await self.meetings.met_by_hand(guild_id, member_id, member.id, now_epoch())
        if not outcome.mutual:
            await reply(interaction, pick_noted(member))
            return
        by_dm = await self.introductions.introduce(
            interaction.guild.id,
            interaction.user.id,
            member.id,
            where="in person",
            present=interaction.user.id,
        )
        if by_dm.get(interaction.user.id):
            await reply(interaction, mutual_noted(member, True))
            return
        profile = await self.profiles.get_profile(interaction.guild.id, member.id)
        await reply(interaction, mutual_noted(member, False), embed=introduction_embed(member, profile))


async def setup(bot: MeetbridgeBot) -> None:
    await bot.add_cog(MeetingsCog(bot))
