"""What the bot's persistent buttons and selects do: handlers registered per bot, typed per item.

discord.py rebuilds a dynamic item (:class:`discord.ui.DynamicItem`) from its custom id for every
click, so the item cannot be handed its handler when it is made. Instead each item class holds a
:class:`Handlers` slot, and the cog or board that owns the feature registers the one handler for
its bot (``RsvpButton.handlers.register(bot, self.rsvp_pressed)``), which also makes the bot
dispatch clicks on that item. The item then knows nothing but the type of the handler it calls:
no service locator, no ``interaction.client.services``.

Every call goes through :func:`answering`, the one wrapper for what a persistent item does: a
refusal is explained and a bug is logged with a trace id, as for commands (a dynamic item has no
view whose ``on_error`` would do it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import discord

from bot.errors import report_error

H = TypeVar("H")


class Handlers(Generic[H]):
    """One handler per bot for one dynamic item class (set as a class attribute of that item)."""

    def __init__(self) -> None:
        self._item: type[discord.ui.DynamicItem[Any]] | None = None

    def __set_name__(self, owner: type[discord.ui.DynamicItem[Any]], name: str) -> None:
        self._item = owner

    def register(self, client: discord.Client, handler: H) -> None:
        """``client`` dispatches clicks on the item to ``handler`` (from now on, and after restarts)."""
        assert self._item is not None, "Handlers must be a class attribute of a dynamic item"
        _registry(client)[self] = handler
        client.add_dynamic_items(self._item)

    def of(self, client: discord.Client) -> H:
        handler = _registry(client).get(self)
        if handler is None:
            name = self._item.__name__ if self._item is not None else "this item"
            raise LookupError(f"no handler for {name} is registered on this bot")
        return handler  # type: ignore[no-any-return]


def _registry(client: discord.Client) -> dict[Handlers[Any], Any]:
    """The bot's own handlers, kept on the bot: they live and go with it (handlers are bound
    methods of its cogs, so a registry outside it would keep every bot ever made alive)."""
    registry: dict[Handlers[Any], Any] = client.__dict__.setdefault("_item_handlers", {})
    return registry


async def answering(interaction: discord.Interaction, call: Callable[[], Awaitable[Any]]) -> None:
    """Run what a persistent item does; an error reaches the member the one way, never raw."""
    try:
        await call()
    except Exception as error:
        await report_error(interaction, error)
