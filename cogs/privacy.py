"""/privacy: show, discoverable, dm, helper, export and forget, for the member in this server.

``forget`` also works in a DM with the bot, for every server Meetbridge knows the member from: the
only way for someone who left. Discord sets where a command may run for the whole ``/privacy``
group (subcommands cannot differ), so the group allows DMs and the other subcommands refuse there.
"""

from __future__ import annotations

import io
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.replies import reply, update
from bot.app import MeetbridgeBot
from bot.clock import now_epoch
from bot.domain.consent import DmMode
from bot.domain.errors import UserError
from bot.domain.profiles import PreferenceName, Toggle
from bot.ui.privacy import (
    FORGET_NOTHING,
    FORGET_PROMPT,
    ForgetView,
    changed_message,
    forget_everywhere_prompt,
    forgotten_everywhere,
    guild_only,
    intro_posts_left,
    privacy_embed,
    server_label,
)

log = logging.getLogger(__name__)


class PrivacyCog(commands.Cog):
    privacy = app_commands.Group(
        name="privacy",
        description="What Meetbridge stores about you and what it may do",
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True),
        allowed_installs=app_commands.AppInstallationType(guild=True),
    )

    def __init__(self, bot: MeetbridgeBot) -> None:
        self.bot = bot
        self.service = bot.services.privacy
        self.introductions = bot.boards.introductions

    @staticmethod
    def _guild_id(interaction: discord.Interaction, command: str) -> int:
        if interaction.guild_id is None:
            raise UserError(guild_only(command), "/privacy forget")
        return interaction.guild_id

    @privacy.command(name="show", description="Your privacy settings and what is stored about you")
    async def show(self, interaction: discord.Interaction) -> None:
        guild_id, member_id = self._guild_id(interaction, "show"), interaction.user.id
        preferences = await self.service.preferences(guild_id, member_id)
        stored = await self.service.stored_summary(guild_id, member_id)
        await reply(interaction, embed=privacy_embed(preferences, stored))

    async def _set(
        self, interaction: discord.Interaction, name: PreferenceName, state: Toggle | DmMode
    ) -> None:
        guild_id = self._guild_id(interaction, name)
        value = state if isinstance(state, DmMode) else state.enabled
        await self.service.set(guild_id, interaction.user.id, name, value, now_epoch())
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
        guild_id, member_id = self._guild_id(interaction, "export"), interaction.user.id
        data = await self.service.export(guild_id, member_id, now_epoch())
        file = discord.File(
            io.BytesIO(self.service.export_bytes(data)), filename=f"meetbridge-{guild_id}-{member_id}.json"
        )
        await reply(interaction, "Everything Meetbridge stores about you in this server:", file=file)

    @privacy.command(
        name="forget", description="Delete everything stored about you here (in a DM: in every server)"
    )
    async def forget(self, interaction: discord.Interaction) -> None:
        member_id = interaction.user.id
        if interaction.guild_id is None:
            await self._forget_everywhere(interaction)
            return
        view = ForgetView(member_id, self._forget_confirmed)
        await reply(interaction, FORGET_PROMPT, view=view)

    def _server(self, guild_id: int) -> str:
        guild = self.bot.get_guild(guild_id)
        return server_label(guild.name if guild else None, guild_id)

    async def _forget_everywhere(self, interaction: discord.Interaction) -> None:
        guild_ids = await self.service.known_guilds(interaction.user.id)
        if not guild_ids:
            await reply(interaction, FORGET_NOTHING)
            return
        view = ForgetView(interaction.user.id, self._forget_everywhere_confirmed)
        prompt = forget_everywhere_prompt([self._server(guild_id) for guild_id in guild_ids])
        await reply(interaction, prompt, view=view)

    async def _forget_everywhere_confirmed(self, interaction: discord.Interaction) -> None:
        forgotten = await self.service.forget_everywhere(interaction.user.id, now_epoch())
        await update(
            interaction,
            forgotten_everywhere(len(forgotten), sum(each.rows for each in forgotten)),
            clear_view=True,
        )
        posts_left = [
            self._server(each.guild_id)
            for each in forgotten
            if each.intro is not None and not await self.introductions.remove_intro(each.guild_id, each.intro)
        ]
        if posts_left:
            await reply(interaction, intro_posts_left(posts_left))

    async def _forget_confirmed(self, interaction: discord.Interaction) -> None:
        guild = interaction.guild
        assert guild is not None
        forgotten = await self.service.forget(guild.id, interaction.user.id, now_epoch())
        await update(
            interaction,
            f"Done: I deleted everything I stored about you in this server ({forgotten.rows} rows).",
            clear_view=True,
        )
        if forgotten.intro is None:
            return
        intro = forgotten.intro
        if not await self.introductions.remove_intro(guild.id, intro):
            await reply(
                interaction,
                f"I could not remove your introduction post in <#{intro.channel_id}>; "
                "please delete it yourself or ask a moderator to.",
            )


async def setup(bot: MeetbridgeBot) -> None:
    await bot.add_cog(PrivacyCog(bot))
