"""Shard processes in a test: each bot with its own simulated Discord on its own event loop.

SimCord runs one live environment per event loop, and each environment is a Discord of its own; a
shard process is therefore a thread with its own loop, its own :class:`simcord.Env` and its own
bot, and the processes meet only in the database, as real shard processes do. The test's loop
drives them (``await process.run(fn)`` runs ``fn(env)`` on the process's loop) and moves their
virtual clocks together (:func:`advance_all`).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import simcord

from bot import MeetbridgeBot, Settings, create_bot

T = TypeVar("T")
HOLD = "probe.hold"
"""A task kind every process registers (extension :mod:`tests.shard_probe`): it records here which
process ran which task, then holds for ``payload["hold"]`` seconds of virtual time."""
RUNS: list[tuple[str, int]] = []  # (process, task id) each time a probe's handler starts
FINISHED: list[tuple[str, int]] = []
RUNS_LOCK = threading.Lock()


async def schedule_probes(
    process: ShardProcess, actor: Any, channel: Any, guild_id: int, count: int, *, seconds: int, hold: int
) -> list[int]:
    """Have ``process`` schedule ``count`` probe tasks of ``guild_id`` due in ``seconds``."""

    async def ask(env: simcord.Env) -> list[int]:
        result = await actor.slash(
            channel, "probe-hold", guild=str(guild_id), count=count, seconds=seconds, hold=hold
        )
        return [int(part) for part in result.response.content.split()]

    return await process.run(ask)


class ShardProcess:
    """One bot (a shard process) and its simulated Discord, on a thread of its own."""

    def __init__(
        self, name: str, database: str | Path, *, settle_timeout: float = 5.0, **settings: Any
    ) -> None:
        from tests.conftest import database_options

        self.name = name
        self.bot: MeetbridgeBot = create_bot(
            Settings(**database_options(database), geocoder="offline", instance=name, **settings),
            extra_extensions=("tests.shard_probe",),
        )
        self.env = simcord.Env(self.bot, settle_timeout=settle_timeout, check_errors=False)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=f"shard-{name}", daemon=True)
        self._thread.start()
        self.started = False
        self.stopped = False

    async def run(self, fn: Callable[[simcord.Env], Awaitable[T]]) -> T:
        """Run ``fn(env)`` on this process's loop and wait for it from the caller's loop."""
        future: Future[T] = asyncio.run_coroutine_threadsafe(_call(fn, self.env), self.loop)
        return await asyncio.wrap_future(future)

    async def sync(self, fn: Callable[[simcord.Env], T]) -> T:
        """Run a plain function (e.g. building the world) on this process's loop."""

        async def call(env: simcord.Env) -> T:
            return fn(env)

        return await self.run(call)

    async def start(self) -> None:
        await self.run(lambda env: env.start())
        self.started = True

    async def advance(self, seconds: float) -> None:
        await self.run(lambda env: env.advance_time(seconds))

    async def crash(self) -> None:
        """The process dies: its gateway and timers stop at once and nothing is handed back (its
        claims stay in the database as they were, leases running)."""
        await self.run(_crash)
        self.stopped = True

    async def close(self) -> None:
        """Stop it cleanly (if still running) and end its thread."""
        try:
            if self.started:
                await self.run(_shutdown)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=30)
            self.loop.close()

    def errors(self) -> list[BaseException]:
        return list(self.env.errors_since(0))


async def _call(fn: Callable[[simcord.Env], Awaitable[T]], env: simcord.Env) -> T:
    return await fn(env)


async def _crash(env: simcord.Env) -> None:
    bot = env.bot
    scheduler = bot.services.scheduler
    env.backend.subscribers.remove(env._gateway_feed)
    # Its timers stop; its running handlers never finish (its clock never moves again), and its
    # claims stay as they were in the database, leases running out.
    # (Pausing, not shutting down: APScheduler's shutdown would cancel the running handlers, which
    # then hand their tasks back, as a clean stop does.)
    if scheduler._aps is not None:
        scheduler._aps.pause()


async def _shutdown(env: simcord.Env) -> None:
    try:
        await env.shutdown()
    finally:
        await env.bot.close()


async def advance_all(processes: Sequence[ShardProcess], seconds: int, *, step: int = 60) -> None:
    """Move every running process's virtual clock ``seconds`` forward, ``step`` at a time, together
    (one Discord clock each: they agree on the time as real machines with NTP do)."""
    live = [process for process in processes if process.started and not process.stopped]
    left = seconds
    while left > 0:
        amount = min(step, left)
        await asyncio.gather(*(process.advance(amount) for process in live))
        left -= amount


def epoch(process: ShardProcess) -> int:
    return int(process.env.now().timestamp())
