"""The one error path: user errors are explained, everything else gets a trace id.

Commands, views and modals all end up in :func:`report_error`. A :class:`UserError` (or an app
command check failure) is bad input or a refused action: the member sees what was wrong and an
example, ephemerally. Anything else is a bug: it is logged with a short trace id, and the member
sees that id so an admin can find the log line.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

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


def manages_server(interaction: discord.Interaction, guild_id: int) -> bool:
    """Manage Server in ``guild_id``, also for a button pressed in a DM (where the interaction has
    no server permissions to read)."""
    guild = interaction.client.get_guild(guild_id)
    member = guild.get_member(interaction.user.id) if guild is not None else None
    return member is not None and member.guild_permissions.manage_guild


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


def describe(interaction: discord.Interaction) -> str:
    """What the member did, for the log, without anything they typed: a command's name, or a
    component's or modal's custom id with each field's custom id and the length of its value.

    Modal fields hold what members wrote about themselves (``/intro``'s about, city and links);
    logs are kept longer and seen by more people than the database rows ``/privacy forget`` deletes.
    """
    if interaction.command is not None:
        return interaction.command.qualified_name
    data: dict[str, Any] = dict(interaction.data or {})
    parts = [str(data.get("custom_id", "?"))]
    if "values" in data:  # a select: which options, not which
        parts.append(f"{len(data['values'])} value(s)")
    parts.extend(_fields(data.get("components") or []))
    return " ".join(parts)


def _fields(components: list[Any]) -> list[str]:
    found: list[str] = []
    for component in components:
        if not isinstance(component, dict):
            continue
        if "value" in component:
            found.append(f"{component.get('custom_id', '?')}({len(str(component['value']))} chars)")
        elif "values" in component:
            found.append(f"{component.get('custom_id', '?')}({len(component['values'])} value(s))")
        nested = component.get("components") or ([component["component"]] if "component" in component else [])
        found.extend(_fields(nested))
    return found


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
    command = describe(interaction)
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


ADMIN_ONLY = "admin_only"
"""In a command's or group's ``extras``: only members with Manage Server may run it (checked in the
bot; Discord also hides it from others through ``default_permissions``, which servers may change)."""


def _admin_only(command: app_commands.Command[Any, ..., Any]) -> bool:
    parent: app_commands.Group | None = command.parent
    while parent is not None:
        if parent.extras.get(ADMIN_ONLY):
            return True
        parent = parent.parent
    return bool(command.extras.get(ADMIN_ONLY))


def answer_refusals_inside(tree: app_commands.CommandTree) -> None:
    """Every command answers its own refusals (bad input, a missing permission, a cooldown).

    A refusal is an answer, not an error: answered inside the command, it is not reported as a
    failed command (discord.py's ``on_error``, which a simulated Discord and log tooling count as
    errors). Anything else still goes to :meth:`MeetbridgeTree.on_error` with its trace id. The
    Manage Server check of admin commands runs here too, so its refusal is answered the same way.
    """
    for command in tree.walk_commands():
        if not isinstance(command, app_commands.Command) or getattr(command, "_answers_refusals", False):
            continue
        original = command._callback  # what discord.py calls with (cog?, interaction, **options)
        admin_only = _admin_only(command)

        async def answering(
            *args: Any, _original: Any = original, _admin_only: bool = admin_only, **kwargs: Any
        ) -> Any:
            interaction = next(arg for arg in args if isinstance(arg, discord.Interaction))
            try:
                if _admin_only:
                    require_admin(interaction)
                return await _original(*args, **kwargs)
            except Exception as error:
                if not is_expected(error):
                    raise
                await report_error(interaction, error)
                return None

        command._callback = answering  # type: ignore[assignment]
        command._answers_refusals = True  # type: ignore[attr-defined]


class MeetbridgeTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await report_error(interaction, error)
