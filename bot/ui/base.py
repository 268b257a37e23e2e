"""Base classes for views and modals so their errors reach the one error handler."""

from __future__ import annotations

from typing import Any

import discord


class BaseView(discord.ui.View):
    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        from bot.errors import report_error

        await report_error(interaction, error)


class BaseModal(discord.ui.Modal):
    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        from bot.errors import report_error

        await report_error(interaction, error)
