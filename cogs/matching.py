"""/match: members who share your interests, rarer shared interests first, with rough distances."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.replies import reply
from bot.app import MeetbridgeBot
from bot.clock import now_epoch
from bot.ui.matching import interest_choices, match_embed, no_matches


class MatchingCog(commands.Cog):
    def __init__(self, bot: MeetbridgeBot) -> None:
        self.bot = bot
        self.matching = bot.services.matching

    @app_commands.command(name="match", description="Find members who share your interests")
    @app_commands.describe(
        interest="Only members who list this interest, e.g. board games",
        within_km="Only members whose city is within this many km of yours, e.g. 50",
    )
    @app_commands.guild_only()
    async def match(
        self, interaction: discord.Interaction, interest: str | None = None, within_km: float | None = None
    ) -> None:
        assert interaction.guild is not None
        guild = interaction.guild
        answer = await self.matching.match(
            guild.id,
            interaction.user.id,
            interest=interest,
            within_km=within_km,
            now=now_epoch(),
            present=(lambda member_id: guild.get_member(member_id) is not None) if guild.chunked else None,
        )
        if not answer.matches:
            await reply(interaction, no_matches(answer))
            return
        await self.bot.services.stats.matched(guild.id, interaction.user.id, now_epoch())
        await reply(interaction, embed=match_embed(answer))

    @match.autocomplete("interest")
    async def interest_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        assert interaction.guild is not None
        return interest_choices(await self.matching.suggest_interests(interaction.guild.id, current))


async def setup(bot: MeetbridgeBot) -> None:
    await bot.add_cog(MatchingCog(bot))
