"""Welcome on join, /intro (a modal that posts or edits the introduction embed) and /profile."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.outbound import Undeliverable
from bot.adapters.replies import reply
from bot.app import MeetbridgeBot
from bot.clock import now_epoch
from bot.domain.cooldowns import Action
from bot.domain.errors import UserError
from bot.domain.guild_settings import Purpose
from bot.domain.profiles import IntroForm, IntroMessage, Profile
from bot.errors import is_admin
from bot.ui.profiles import (
    IntroModal,
    intro_content,
    intro_embed,
    profile_embed,
    saved_message,
    welcome_message,
)

log = logging.getLogger(__name__)


class IntrosCog(commands.Cog):
    def __init__(self, bot: MeetbridgeBot) -> None:
        self.bot = bot
        self.config = bot.services.config
        self.profiles = bot.services.profiles
        self.outbound = bot.boards.outbound
        self.cooldowns = bot.services.cooldowns

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        """Welcome a new member in the introductions channel (pinging only them); nothing when
        none is configured."""
        if member.bot:
            return
        channel_id = (await self.config.settings(member.guild.id)).channel(Purpose.INTRODUCTIONS)
        if channel_id is None:
            return
        try:
            await self.outbound.post(
                channel_id,
                member.guild.id,
                content=welcome_message(member, member.guild.name),
                ping=[member.id],
            )
        except Undeliverable as error:
            log.warning("guild %s: could not welcome a new member (%s)", member.guild.id, error)

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
            jump_url = await self._post_or_edit(interaction, saved.profile)
        await reply(
            interaction,
            saved_message(
                first=saved.first,
                where=saved.profile.place.display if saved.profile.place else None,
                hint=saved.place_hint,
                intro_url=jump_url,
            ),
        )

    async def _post_or_edit(self, interaction: discord.Interaction, profile: Profile) -> str:
        """Edit the member's introduction where it is; post a new one if it was deleted. Its link."""
        guild = interaction.guild
        assert guild is not None
        member = interaction.user
        embed = intro_embed(profile, member)
        if profile.intro is not None:
            old = profile.intro
            try:
                await self.outbound.edit(
                    old.channel_id, guild.id, old.message_id, content=intro_content(member), embed=embed
                )
            except Undeliverable as error:
                if not error.permanent:
                    raise
                log.info("guild %s: an introduction is gone (%s); posting anew", guild.id, error)
            else:
                return f"https://discord.com/channels/{guild.id}/{old.channel_id}/{old.message_id}"

        channel_id = await self.config.channel_for(guild.id, Purpose.INTRODUCTIONS)
        try:
            posted = await self.outbound.post(
                channel_id, guild.id, content=intro_content(member), embed=embed
            )
        except Undeliverable as error:
            if error.gone:
                raise UserError(
                    "Your profile is saved, but the introductions channel no longer exists. "
                    "Ask someone with Manage Server to set a new one, then run /intro again.",
                    "/config channel purpose:introductions channel:#introductions",
                ) from error
            if error.forbidden:
                raise UserError(
                    f"Your profile is saved, but I can't post in <#{channel_id}>. Ask an admin to give "
                    f"Meetbridge {error.missing} there, then run /intro again.",
                    "/intro",
                ) from error
            raise UserError(
                "Your profile is saved, but Discord didn't take the post just now. "
                "Run /intro again in a minute (it opens with what you wrote).",
                "/intro",
            ) from error
        await self.profiles.set_intro_message(
            guild.id, member.id, IntroMessage(channel_id, posted.message_id)
        )
        return posted.jump_url

    @app_commands.command(name="profile", description="Show a member's profile (only you see it)")
    @app_commands.describe(member="Whose profile; yours when left empty")
    @app_commands.guild_only()
    async def profile(self, interaction: discord.Interaction, member: discord.Member | None = None) -> None:
        assert interaction.guild is not None
        target = member or interaction.user
        own = target.id == interaction.user.id
        view = await self.profiles.profile_view(interaction.guild.id, target.id, own=own)
        await reply(interaction, embed=profile_embed(view.profile, target, view.stats, view.preferences))


async def setup(bot: MeetbridgeBot) -> None:
    await bot.add_cog(IntrosCog(bot))
