"""/stats: the community's health (Manage Server), and ``/stats me``: a member's own story.

Command shape. PRODUCT.md names ``/stats [period]`` (Manage Server) and ``/stats me`` (anyone).
Discord cannot offer both: a command with subcommands (``me``) takes no options itself, and a
command hidden from members by ``default_permissions`` hides every part of it. So ``/stats`` is one
command whose optional ``period`` also reads ``me``: typing ``/stats me`` in Discord fills the first
option with ``me``. Members see the command; the bot itself refuses them anything but ``me``,
ephemerally, as it does for /config.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.replies import reply
from bot.app import MeetbridgeBot
from bot.clock import now_epoch
from bot.domain.stats import PERIOD_EXAMPLE, parse_period
from bot.errors import is_admin
from bot.ui.stats import story_embed

ME = "me"
ADMIN_SUGGESTIONS = ("30d", "12w", "90d", "all", ME)


class StatsCog(commands.Cog):
    def __init__(self, bot: MeetbridgeBot) -> None:
        self.bot = bot
        self.stats = bot.services.stats
        self.board = bot.boards.stats

    @app_commands.command(
        name="stats", description="Community health (Manage Server), or `me`: your own story"
    )
    @app_commands.describe(period=f"30d, 12w, all (default 30 days); or me. e.g. {PERIOD_EXAMPLE}")
    @app_commands.guild_only()
    async def stats(self, interaction: discord.Interaction, period: str | None = None) -> None:
        assert interaction.guild is not None
        guild = interaction.guild
        if period is not None and period.strip().lower() == ME:
            story = await self.stats.story(guild.id, interaction.user.id)

            def name(member_id: int) -> str | None:
                member = guild.get_member(member_id)
                return member.display_name if member is not None else None

            await reply(interaction, embed=story_embed(story, name, guild.name))
            return
        if not is_admin(interaction):
            raise app_commands.CheckFailure(
                "You need the **Manage Server** permission to see the server's stats. "
                "`/stats me` shows your own story."
            )
        now = now_epoch()
        parse_period(period, now)  # a bad period is refused before anything else
        # The figures of a big server over all time take a few seconds: answer within Discord's 3.
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.board.warm()  # the drawing process starts (if it must) while the figures are read
        report = await self.stats.report(guild.id, period, now)
        embed, file = await self.board.rendered(report, guild.name)
        await reply(interaction, embed=embed, file=file)

    @stats.autocomplete("period")
    async def period_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        offered = ADMIN_SUGGESTIONS if interaction.permissions.manage_guild else (ME,)
        typed = current.strip().lower()
        return [app_commands.Choice(name=value, value=value) for value in offered if value.startswith(typed)]


async def setup(bot: MeetbridgeBot) -> None:
    await bot.add_cog(StatsCog(bot))
