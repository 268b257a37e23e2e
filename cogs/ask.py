"""/ask: a question in the support channel, routed to members who offered help with the topic."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.replies import reply
from bot.app import MeetbridgeBot
from bot.clock import now_epoch
from bot.domain.cooldowns import Action
from bot.errors import is_admin
from bot.ui.ask import asked_reply
from bot.ui.matching import interest_choices


class AskCog(commands.Cog):
    def __init__(self, bot: MeetbridgeBot) -> None:
        self.bot = bot
        self.ask_service = bot.boards.ask
        self.matching = bot.services.matching
        self.cooldowns = bot.services.cooldowns

    @app_commands.command(name="ask", description="Ask a question; members who offered help are mentioned")
    @app_commands.describe(
        topic="The interest it is about, e.g. python or board games",
        question="Your question (answers come in a thread)",
    )
    @app_commands.guild_only()
    async def ask(self, interaction: discord.Interaction, topic: str, question: str) -> None:
        assert interaction.guild is not None and isinstance(interaction.user, discord.Member)
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild, asker = interaction.guild, interaction.user
        with self.cooldowns.use(guild.id, asker.id, Action.ASK, exempt=is_admin(interaction)):
            asked = await self.ask_service.ask(guild, asker, topic, question, now_epoch())
        await reply(interaction, asked_reply(asked.jump_url, asked.topic, asked.helpers))

    @ask.autocomplete("topic")
    async def topic_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        assert interaction.guild is not None
        return interest_choices(await self.matching.suggest_interests(interaction.guild.id, current))


async def setup(bot: MeetbridgeBot) -> None:
    await bot.add_cog(AskCog(bot))
