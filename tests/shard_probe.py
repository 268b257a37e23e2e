"""Test-only extension for shard processes: the probe task kind and ``/probe-hold``.

discord.py loads an extension as a fresh module, so what the probes record lives in
:mod:`tests.shard_processes`, which the tests import.
"""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from bot import MeetbridgeBot
from bot.clock import now_epoch
from bot.domain.tasks import ScheduledTask
from tests.shard_processes import FINISHED, HOLD, RUNS, RUNS_LOCK


class _Probe:
    def __init__(self, name: str) -> None:
        self.name = name

    async def hold(self, task: ScheduledTask) -> None:
        with RUNS_LOCK:
            RUNS.append((self.name, task.id))
        await asyncio.sleep(task.payload.get("hold", 0))
        with RUNS_LOCK:
            FINISHED.append((self.name, task.id))


class _ProbeCog(commands.Cog):
    """``/probe-hold``: schedule probe tasks from bot code (so SimCord's clock owns their timers)."""

    def __init__(self, bot: MeetbridgeBot) -> None:
        self.bot = bot

    @app_commands.command(name="probe-hold", description="test only")
    async def probe_hold(
        self, interaction: discord.Interaction, guild: str, count: int, seconds: int, hold: int
    ) -> None:
        scheduler = self.bot.services.scheduler
        due = now_epoch() + seconds
        ids = [
            (await scheduler.schedule(int(guild), HOLD, due, subject_id=n, payload={"hold": hold})).id
            for n in range(count)
        ]
        await interaction.response.send_message(" ".join(map(str, ids)), ephemeral=True)


async def setup(bot: MeetbridgeBot) -> None:
    """Extension entry point: the probe kind, registered before the scheduler starts."""
    bot.services.scheduler.register(HOLD, _Probe(bot.settings.instance or "?").hold)
    await bot.add_cog(_ProbeCog(bot))
