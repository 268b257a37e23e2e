"""A test-only extension: schedules a probe task from bot code and records when it fires.

Jobs must be armed from bot code for SimCord's virtual clock to own their timers, so the test
asks the bot to schedule through a slash command, as a feature would.
"""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.replies import reply
from bot.app import MeetbridgeBot
from bot.clock import now_epoch
from bot.domain.errors import UserError
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import TaskDropped
from bot.ui.base import BaseView
from tests.behaviour.probe_log import FAIL_TIMES, FIRED


class Probe(commands.Cog):
    def __init__(self, bot: MeetbridgeBot) -> None:
        self.bot = bot
        bot.services.scheduler.register("probe", self.run, max_lateness=600)

    async def run(self, task: ScheduledTask) -> None:
        if task.payload.get("drop"):
            raise TaskDropped("asked to drop")
        if FAIL_TIMES.get(task.id, 0) > 0:
            FAIL_TIMES[task.id] -= 1
            raise RuntimeError("simulated outage")
        FIRED.append((task.id, now_epoch()))

    @app_commands.command(name="probe", description="test only")
    async def probe(self, interaction: discord.Interaction, seconds: int, failures: int = 0) -> None:
        assert interaction.guild_id is not None
        task = await self.bot.services.scheduler.schedule(
            interaction.guild_id, "probe", now_epoch() + seconds
        )
        if failures:
            FAIL_TIMES[task.id] = failures
        await interaction.response.send_message(f"task {task.id}", ephemeral=True)

    @app_commands.command(name="probe-in-transaction", description="test only")
    async def in_transaction(self, interaction: discord.Interaction, seconds: int) -> None:
        """Schedule inside a transaction that stays open until the scheduler has refilled (or has
        had plenty of turns to): what a feature's transaction looks like to a concurrent refill."""
        assert interaction.guild_id is not None
        scheduler = self.bot.services.scheduler
        refills = scheduler.refills
        async with self.bot.services.db.transaction():
            task = await scheduler.schedule(interaction.guild_id, "probe", now_epoch() + seconds)
            for _ in range(2000):
                if scheduler.refills != refills:
                    break
                await asyncio.sleep(0)
        await interaction.response.send_message(
            f"refilled {scheduler.refills != refills} task {task.id}", ephemeral=True
        )

    @app_commands.command(name="probe-move", description="test only")
    async def move(self, interaction: discord.Interaction, task: int, seconds: int) -> None:
        moved = await self.bot.services.scheduler.reschedule(task, now_epoch() + seconds)
        await interaction.response.send_message(f"moved {moved}", ephemeral=True)

    @app_commands.command(name="probe-view", description="test only: a button that refuses")
    async def view(self, interaction: discord.Interaction) -> None:
        await reply(interaction, "press it", view=RefusingView())

    @app_commands.command(name="probe-crash", description="test only: a bug in a command")
    async def crash(self, interaction: discord.Interaction) -> None:
        raise RuntimeError("probe bug")


class RefusingView(BaseView):
    @discord.ui.button(label="Refuse")
    async def refuse(self, interaction: discord.Interaction, button: discord.ui.Button[RefusingView]) -> None:
        raise UserError("Not now.", "/probe-view")


async def setup(bot: MeetbridgeBot) -> None:
    await bot.add_cog(Probe(bot))
