"""Answers to a member's own interaction (a command, a button, a form), fitted to Discord's limits.

Replies are the other way out: they never ping (the client default is no mentions, and these
say so again), and a reply that quotes what a member typed is clipped rather than refused, so a
4,000-character timezone still gets its answer.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.adapters.outbound import NO_PINGS, fit_message


async def reply(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    file: discord.File | None = None,
    ephemeral: bool = True,
) -> None:
    """Answer the interaction (or follow up when it was deferred or answered already)."""
    message: dict[str, Any] = fit_message(content, embed, view)
    if file is not None:
        message["file"] = file
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, allowed_mentions=NO_PINGS, **message)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, allowed_mentions=NO_PINGS, **message)


async def update(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    clear_view: bool = False,
) -> None:
    """Replace the message the interaction came from (a button's own message), or the deferred reply."""
    message: dict[str, Any] = fit_message(content, embed, view)
    if clear_view:
        message["view"] = None
    if interaction.response.is_done():
        await interaction.edit_original_response(allowed_mentions=NO_PINGS, **message)
    else:
        await interaction.response.edit_message(allowed_mentions=NO_PINGS, **message)
