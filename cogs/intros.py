"""Welcome on join, /intro (a modal that posts or edits the introduction embed) and /profile."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.replies import reply
from bot.app import MeetbridgeBot
from bot.clock import now_epoch
from bot.domain.cooldowns import Action
from bot.domain.errors import NotFound
from bot.domain.guild_settings import Purpose
from bot.domain.profiles import IntroForm
from bot.errors import is_admin
from bot.ui.profiles import IntroModal, intro_embed, profile_embed, saved_message

log = logging.getLogger(__name__)


class IntrosCog(commands.Cog):
    def __init__(self, bot: MeetbridgeBot) -> None:
        self.bot = bot
        self.config = bot.services.config
        self.profiles = bot.services.profiles
        self.introductions = bot.boards.introductions
        self.cooldowns = bot.services.cooldowns
        self.blocks = bot.services.blocks

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        if not member.bot:
            await self.introductions.welcome(member)

    @app_commands.command(name="intro", description="Introduce yourself (or edit your introduction)")
    @app_commands.guild_only()
    async def intro(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        # Refuse before the member types a single word into a form that could not be posted.
        await self.config.channel_for(interaction.guild.id, Purpose.INTRODUCTIONS)
        profile = await self.profiles.get_profile(interaction.guild.id, interaction.user.id)
        # An edit that would be refused is refused now, before the member retypes anything.
        exempt = profile is None or is_admin(interaction)
        self.cooldowns.check(interaction.guild.id, interaction.user.id, Action.INTRO, exempt=exempt)
        await interaction.response.send_modal(IntroModal(profile, self._submitted))

    async def _submitted(self, interaction: discord.Interaction, form: IntroForm) -> None:
        assert interaction.guild is not None
        # Geocoding may take a while (Nominatim allows one request a second).
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild_id, member_id = interaction.guild.id, interaction.user.id
        # The first introduction is always welcome; edits after it count.
        first = await self.profiles.get_profile(guild_id, member_id) is None
        with self.cooldowns.use(guild_id, member_id, Action.INTRO, exempt=first or is_admin(interaction)):
            saved = await self.profiles.save_intro(guild_id, member_id, form, now_epoch())
            joined_at = getattr(interaction.user, "joined_at", None)
            if first and joined_at is not None:
                # Members who were here before joins were recorded join the path at their real date.
                await self.bot.services.stats.joined(guild_id, member_id, int(joined_at.timestamp()))
            jump_url = await self.introductions.publish(interaction.guild, interaction.user, saved.profile)
        await reply(
            interaction,
            saved_message(
                first=saved.first,
                where=saved.profile.place.display if saved.profile.place else None,
                hint=saved.place_hint,
                intro_url=jump_url,
            ),
        )

    @app_commands.command(name="profile", description="Show a member's profile (only you see it)")
    @app_commands.describe(member="Whose profile; yours when left empty")
    @app_commands.guild_only()
    async def profile(self, interaction: discord.Interaction, member: discord.Member | None = None) -> None:
        assert interaction.guild is not None
        target = member or interaction.user
        own = target.id == interaction.user.id
        view = await self.profiles.profile_view(interaction.guild.id, target.id, own=own)
        if not own and await self.blocks.between(interaction.guild.id, interaction.user.id, target.id):
            # Kept apart by a block: no more than the server shows anyway, the introduction post.
            if view.profile.intro is None:
                raise NotFound("That member hasn't introduced themselves in this server yet.", "/profile")
            await reply(interaction, embed=intro_embed(view.profile, target))
            return
        await reply(interaction, embed=profile_embed(view.profile, target, view.stats, view.preferences))


async def setup(bot: MeetbridgeBot) -> None:
    await bot.add_cog(IntrosCog(bot))
