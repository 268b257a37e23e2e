"""What the SimCord benchmarks share: running one measurement on SimCord's virtual clock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

import discord

from bot.scheduling.clock import use_clock, use_wall_clock


class Figures(Protocol):
    ok: bool

    def report(self) -> str: ...


def run(measure: Callable[[], Awaitable[Figures]], *, log_level: int = logging.WARNING) -> int:
    """Measure with APScheduler on SimCord's virtual clock (as in tests), print the figures, and
    exit non-zero when they miss their targets."""
    logging.basicConfig(level=log_level)

    async def measured() -> Figures:
        use_clock(lambda: discord.utils.utcnow())
        try:
            return await measure()
        finally:
            use_wall_clock()

    figures = asyncio.run(measured())
    print(figures.report())
    return 0 if figures.ok else 1
