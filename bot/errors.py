"""The one error path: user errors are explained, everything else gets a trace id.

Commands, views and modals all end up in :func:`report_error`. A :class:`UserError` (or an app
command check failure) is bad input or a refused action: the member sees what was wrong and an
example, ephemerally. Anything else is a bug: it is logged with a short trace id, and the member
sees that id so an admin can find the log line.
"""

from __future__ import annotations

import logging
import secrets

import discord
from discord import app_commands

from bot.domain.errors import UserError

log = logging.getLogger(__name__)


class AdminOnly(app_commands.CheckFailure):
    """The member lacks Manage Server."""

    def __init__(self) -> None:
        super().__init__("You need the **Manage Server** permission to change Meetbridge's settings.")


def is_admin(interaction: discord.Interaction) -> bool:
    """Manage Server in the server the interaction comes from (never in a DM)."""
    return interaction.guild_id is not None and interaction.permissions.manage_guild


def require_admin(interaction: discord.Interaction) -> None:
    if not is_admin(interaction):
        raise AdminOnly()


def unwrap(error: BaseException) -> BaseException:
    while isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        inner = error.original if isinstance(error, app_commands.CommandInvokeError) else error.__cause__
        if inner is None:
            break
        error = inner
    return error


def is_expected(error: BaseException) -> bool:
    """Refusals the bot answered on purpose (not bugs)."""
    error = unwrap(error)
    return isinstance(error, UserError | app_commands.CheckFailure | app_commands.CommandOnCooldown)


def new_trace_id() -> str:
    return secrets.token_hex(4)


async def send_ephemeral(interaction: discord.Interaction, content: str) -> None:
    """Only to the member, never pinging, clipped to Discord's limits (refusals may quote a
    4,000-character input back)."""
    from bot.adapters.replies import reply

    try:
        await reply(interaction, content)
    except discord.HTTPException:
        log.warning("could not tell the member about an error", exc_info=True)


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    error = unwrap(error)
    if isinstance(error, UserError):
        await send_ephemeral(interaction, error.render())
        return
    if isinstance(error, app_commands.CommandOnCooldown):
        await send_ephemeral(interaction, f"Slow down: try again in {error.retry_after:.0f}s.")
        return
    if isinstance(error, app_commands.NoPrivateMessage):
        await send_ephemeral(interaction, "Meetbridge commands work inside a server, not in DMs.")
        return
    if isinstance(error, app_commands.CheckFailure):
        await send_ephemeral(interaction, str(error) or "You can't use this command here.")
        return
    trace = new_trace_id()
    command = interaction.command.qualified_name if interaction.command else interaction.data
    log.error(
        "unexpected error [trace %s] guild=%s user=%s command=%s",
        trace,
        interaction.guild_id,
        interaction.user.id if interaction.user else None,
        command,
        exc_info=error,
    )
    await send_ephemeral(
        interaction,
        f"Something went wrong on our side (trace id `{trace}`). Please try again; "
        "if it keeps happening, give an admin that trace id.",
    )


class MeetbridgeTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await report_error(interaction, error)
