"""Base classes for views and modals so their errors reach the one error handler.

A refusal in a view's button (bad input, a missing permission) is answered inside its callback,
like a command's (:func:`bot.errors.answer_refusals_inside`): it is an answer, not a failure for
``on_error``, which a simulated Discord records. (Forms' errors are not recorded as failures.)
Persistent buttons and selects (dynamic items) answer through :func:`bot.ui.handlers.answering`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.errors import is_expected, report_error

MODAL_TIMEOUT = 15 * 60
"""How long a form may stay open before submitting it no longer works."""


def _answering(callback: Callable[[discord.Interaction], Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def answering(interaction: discord.Interaction) -> Any:
        try:
            return await callback(interaction)
        except Exception as error:
            if not is_expected(error):
                raise
            await report_error(interaction, error)
            return None

    return answering


class BaseView(discord.ui.View):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in self.children:
            item.callback = _answering(item.callback)  # type: ignore[method-assign]

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await report_error(interaction, error)


class BaseModal(discord.ui.Modal):
    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await report_error(interaction, error)
