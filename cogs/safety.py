"""/block, /unblock and /report, and the buttons moderators press on a report.

Command shapes. PRODUCT.md names ``/block member:<@member>``, ``/unblock member:<@member>`` and
``/block list``. Discord cannot have both ``/block member:`` and ``/block list``: a command with
subcommands (a group) cannot take options itself, so ``block`` is either a command with a
``member`` option or a group with a ``list`` subcommand, never both. Blocking is the action that
matters (and must be exactly what the product promises), so ``/block`` is a command whose
``member`` option is optional: ``/block member:@someone`` blocks, ``/block`` on its own is the list.
``/unblock member:`` is its own command, as documented. Every answer is ephemeral and nobody else is
told anything.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.replies import reply
from bot.app import MeetbridgeBot
from bot.clock import now_epoch
from bot.domain.cooldowns import Action
from bot.domain.errors import Forbidden, UserError
from bot.domain.safety import ModAction, parse_pause
from bot.errors import is_admin
from bot.ui import safety as ui

log = logging.getLogger(__name__)

AnyMember = discord.Member | discord.User


class SafetyCog(commands.Cog):
    def __init__(self, bot: MeetbridgeBot) -> None:
        self.bot = bot
        self.blocks = bot.services.blocks
        self.reports = bot.services.reports
        self.config = bot.services.config
        self.board = bot.boards.reports
        self.cooldowns = bot.services.cooldowns

    # -- blocks ----------------------------------------------------------------------------------

    @app_commands.command(
        name="block", description="Keep a member apart from you (they aren't told); empty: whom you blocked"
    )
    @app_commands.describe(member="Who to block; leave it out to see whom you blocked")
    @app_commands.guild_only()
    async def block(self, interaction: discord.Interaction, member: AnyMember | None = None) -> None:
        assert interaction.guild_id is not None
        if member is None:
            await reply(
                interaction,
                ui.block_list(await self.blocks.blocked_by(interaction.guild_id, interaction.user.id)),
            )
            return
        blocked = await self.blocks.block(
            interaction.guild_id, interaction.user.id, member.id, now_epoch(), other_is_bot=member.bot
        )
        await reply(interaction, ui.blocked_reply(member, blocked))

    @app_commands.command(name="unblock", description="Undo a block (they aren't told)")
    @app_commands.describe(member="Who to unblock")
    @app_commands.guild_only()
    async def unblock(self, interaction: discord.Interaction, member: AnyMember) -> None:
        assert interaction.guild_id is not None
        changed = await self.blocks.unblock(
            interaction.guild_id, interaction.user.id, member.id, other_is_bot=member.bot
        )
        await reply(interaction, ui.unblocked_reply(member, changed))

    # -- reports ---------------------------------------------------------------------------------

    @app_commands.command(
        name="report", description="Tell this server's moderators privately about a member (they aren't told)"
    )
    @app_commands.describe(
        member="Who you are reporting",
        reason="What happened, briefly (moderators may ask you for more)",
        meetup="The meetup's number, if it happened at one (shown on it and in /meetup list)",
    )
    @app_commands.guild_only()
    async def report(
        self, interaction: discord.Interaction, member: AnyMember, reason: str, meetup: int | None = None
    ) -> None:
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild, reporter = interaction.guild, interaction.user
        with self.cooldowns.use(guild.id, reporter.id, Action.REPORT, exempt=is_admin(interaction)):
            filed = await self.board.report(guild, reporter.id, member, reason, meetup, now_epoch())
        await reply(interaction, ui.report_confirmation(filed))

    # -- what moderators press -------------------------------------------------------------------

    async def _check_moderator(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        role_id = (await self.config.settings(interaction.guild_id)).moderator_role_id
        if is_admin(interaction):
            return
        user = interaction.user
        if role_id and isinstance(user, discord.Member) and any(role.id == role_id for role in user.roles):
            return
        raise Forbidden(ui.not_a_moderator(role_id))

    async def report_pressed(
        self, interaction: discord.Interaction, report_id: int, kind: ModAction, undo: bool
    ) -> None:
        """A report's button: only the moderator role or Manage Server; pausing asks how long."""
        assert interaction.guild_id is not None
        await self._check_moderator(interaction)
        guild_id, moderator = interaction.guild_id, interaction.user.id
        report = await self.reports.report(guild_id, report_id)
        if kind is ModAction.PAUSE and not undo:
            await self.reports.subject(guild_id, report_id)  # refused before a form that could not work

            async def submitted(interaction: discord.Interaction, period: str) -> None:
                await self.pause_submitted(interaction, report_id, period)

            await interaction.response.send_modal(ui.PauseModal(report, submitted))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = now_epoch()
        try:
            if undo:
                acted = await self.reports.undo(guild_id, report.id, kind, moderator, now)
            elif kind is ModAction.UNPAIR:
                acted = await self.reports.unpair(guild_id, report.id, moderator, now)
            else:
                acted = await self.reports.dismiss(guild_id, report.id, moderator, now)
        except UserError:
            # Another moderator acted first: the post shows what is true now, then the refusal.
            await self.board.refresh(await self.reports.report(guild_id, report.id), now)
            raise
        await self.board.refresh(acted.report, now)
        await reply(interaction, ui.acted_reply(acted.report, acted.kind, acted.undone, acted.until))

    async def pause_submitted(self, interaction: discord.Interaction, report_id: int, period: str) -> None:
        assert interaction.guild_id is not None
        await self._check_moderator(interaction)  # the role may have changed while the form was open
        seconds = parse_pause(period)
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = now_epoch()
        try:
            acted = await self.reports.pause(
                interaction.guild_id, report_id, interaction.user.id, seconds, now
            )
        except UserError:
            await self.board.refresh(await self.reports.report(interaction.guild_id, report_id), now)
            raise
        await self.board.refresh(acted.report, now)
        await reply(interaction, ui.acted_reply(acted.report, acted.kind, acted.undone, acted.until))


async def setup(bot: MeetbridgeBot) -> None:
    cog = SafetyCog(bot)
    ui.ReportButton.handlers.register(bot, cog.report_pressed)
    await bot.add_cog(cog)
