"""/sandbox: commands that exist only in the sandbox, to look around the simulated server.

SimCord's browser page shows one channel at a time, so ``/sandbox view`` asks the sandbox to show
another one (a channel, a thread or your DMs with the bot), and ``/sandbox skip`` moves the
simulated clock forward so a poll closing or a reminder can be seen without waiting. The commands
only record the request (in ``bot.sandbox.controls``); the sandbox carries it out as soon as the
command has answered, and the page follows without a reload.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.durations import DAY, format_duration, parse_duration
from bot.domain.errors import UserError
from bot.sandbox.controls import Place, SandboxControls, SkipRequest, ViewRequest, find_place, matching

MAX_SKIP = 14 * DAY


class SandboxCog(commands.Cog):
    sandbox = app_commands.Group(
        name="sandbox",
        description="Sandbox only: look at another channel, or skip ahead in time",
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True),
        allowed_installs=app_commands.AppInstallationType(guild=True),
    )

    def __init__(self, bot: commands.Bot, controls: SandboxControls | None) -> None:
        self.bot = bot
        self.controls = controls

    def _controls(self) -> SandboxControls:
        if self.controls is None:
            raise UserError("This only works in the interactive sandbox.", "python -m bot sandbox")
        return self.controls

    def _places(self, user_id: int) -> list[Place]:
        controls = self._controls()
        return controls.places(user_id) if controls.places is not None else []

    @sandbox.command(name="view", description="Show another channel, a thread, or your DMs in this page")
    @app_commands.describe(where="A channel, a thread, or your DMs with Meetbridge")
    async def view(self, interaction: discord.Interaction, where: str) -> None:
        place = find_place(self._places(interaction.user.id), where)
        if place is None:
            raise UserError(
                f"There is no channel or thread called `{where}` that you can read here.",
                "/sandbox view where:#meetups",
            )
        self._controls().pending.append(ViewRequest(interaction.user.id, place))
        await interaction.response.send_message(f"Showing **{place.label}**.", ephemeral=True)

    @view.autocomplete("where")
    async def view_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        # The value is the label too: picking a suggestion fills the box with what you read.
        return [
            app_commands.Choice(name=place.label, value=place.label)
            for place in matching(self._places(interaction.user.id), current)
        ][:25]

    @sandbox.command(name="skip", description="Move the simulated clock forward, e.g. 2h or 1d")
    @app_commands.describe(duration="How far ahead, e.g. 30m, 2h or 1d (at most 14 days)")
    async def skip(self, interaction: discord.Interaction, duration: str) -> None:
        seconds = parse_duration(duration)
        if not 0 < seconds <= MAX_SKIP:
            raise UserError("Skip between a minute and 14 days.", "/sandbox skip duration:2h")
        self._controls().pending.append(SkipRequest(seconds))
        await interaction.response.send_message(
            f"⏩ Skipping {format_duration(seconds)} ahead; what happens meanwhile shows up here.",
            ephemeral=True,
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(SandboxCog(bot, getattr(bot, "sandbox_controls", None)))
