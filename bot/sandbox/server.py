"""The interactive sandbox: the seeded demo server in SimCord's browser preview, with a running clock.

SimCord's preview serves one channel to a list of members ("viewers") the page lets you choose
between. Three things are added around it here:

- a clock: virtual time only moves when someone advances it, so a loop advances it by the real
  time elapsed times ``speed`` (and by what ``/sandbox skip`` asks for), then republishes the page
  when the bot did something meanwhile (a poll closed, a tally changed);
- one lane: SimCord refuses two operations at once, and a refused page action would leave the
  page unsure of its outcome, so page actions and the clock take turns through one lock;
- other channels: ``/sandbox view`` re-opens the preview on another channel, thread or DM, on the
  same address (port and key), so reloading the page shows it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import simcord
from simcord.backend.access import can_access_channel  # what the preview itself checks
from simcord.backend.errors import SetupError
from simcord.builders import ChannelHandle

from bot.sandbox.controls import DMS, SandboxControls, SkipRequest, ViewRequest
from bot.sandbox.demo import NEWCOMER, TIMEZONE, DemoServer, build_server, seed, simulated_discord

log = logging.getLogger(__name__)

TICK = 0.25  # seconds of real time between two clock advances
FIRST_CHANNEL = "meetups"


class Sandbox:
    """``async with Sandbox(path) as sandbox:`` serves ``sandbox.url`` until the block ends."""

    def __init__(self, database_path: Path, *, port: int = 0, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.database_path = database_path
        self.port = port
        self.speed = speed
        self.controls = SandboxControls()
        self.server: DemoServer | None = None
        self.preview: Any = None
        self._capability = secrets.token_urlsafe(32)
        self._lane = asyncio.Lock()
        self._stack = contextlib.AsyncExitStack()
        self._clock: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/#{self._capability}"

    @property
    def env(self) -> simcord.Env:
        assert self.server is not None
        return self.server.env

    async def __aenter__(self) -> Sandbox:
        try:
            env = await self._stack.enter_async_context(simulated_discord(self.database_path, self.controls))
            self.server = build_server(env)
            await env.settle()
            await seed(self.server)
            await self._show(self.server.channel(FIRST_CHANNEL), self.server.members[NEWCOMER.name].id)
            self._stack.push_async_callback(self._close_preview)
            self._clock = asyncio.create_task(self._run_clock(), name="sandbox clock")
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._clock is not None:
            self._clock.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._clock
        await self._stack.aclose()

    # -- the page ---------------------------------------------------------------------------------

    async def _show(self, channel: ChannelHandle, viewer_id: int) -> None:
        """(Re)open the preview on ``channel``; the member asking comes first in the viewer list.

        The viewers are the members who can read the channel (a private thread has fewer); a DM
        is shown to its one member. Nothing changes when the member asking cannot read it.
        """
        assert self.server is not None
        members = list(self.server.members.values())
        viewers: list[Any]
        if channel.guild is None:
            viewers = [member.user for member in members if member.id == viewer_id]
        else:
            readers = [m for m in members if can_access_channel(self.env, channel.id, m, history=True)]
            viewers = sorted(readers, key=lambda member: member.id != viewer_id)
        if not viewers or viewers[0].id != viewer_id:
            log.warning("member %s cannot read channel %s; the page stays where it is", viewer_id, channel.id)
            return
        await self._close_preview()
        preview = self.env.preview(
            channel, viewers=viewers, layout="channel", port=self.port, timezone=TIMEZONE
        )
        preview.capability = self._capability  # the same address across channels
        await preview.__aenter__()
        self.port = urlsplit(preview.url).port or self.port
        self._one_lane(preview)
        self.preview = preview

    def _one_lane(self, preview: Any) -> None:
        """Page actions wait for the clock's turn (and the clock for theirs) instead of failing."""
        act = preview._action

        async def in_turn(context_id: Any, body: Any) -> Any:
            async with self._lane:
                return await act(context_id, body)

        preview._action = in_turn

    async def _close_preview(self) -> None:
        if self.preview is not None:
            preview, self.preview = self.preview, None
            await preview.close()

    async def _view(self, request: ViewRequest) -> None:
        assert self.server is not None
        member = next((m for m in self.server.members.values() if m.id == request.user_id), None)
        if member is None:
            return
        channel: ChannelHandle | None
        if request.target == DMS:
            channel = member.user.dm_channel
        else:
            channel = next((c for c in self._channels() if str(c.id) == request.target), None)
        if channel is None:
            log.warning("no channel %s to show", request.target)
            return
        await self._show(channel, member.id)

    def _channels(self) -> list[ChannelHandle]:
        assert self.server is not None
        found: list[ChannelHandle] = []
        for channel in self.server.channels.values():
            found.append(channel)
            found.extend(channel.threads)
        return found

    # -- the clock --------------------------------------------------------------------------------

    async def _run_clock(self) -> None:
        owed = 0.0  # virtual seconds not advanced yet
        last = time.perf_counter()  # time.monotonic is SimCord's virtual clock while it runs
        while True:
            await asyncio.sleep(TICK)
            now = time.perf_counter()
            owed += (now - last) * self.speed
            last = now
            try:
                for request in self.controls.take():
                    if isinstance(request, SkipRequest):
                        owed += request.seconds
                    else:
                        async with self._lane:
                            await self._view(request)
                async with self._lane:
                    owed = await self._advance(owed)
            except Exception:  # keep the sandbox alive; the next tick tries again
                log.exception("the sandbox clock hit an error")

    async def _advance(self, seconds: float) -> float:
        """Advance the clock; returns what is still owed (all of it when SimCord was busy)."""
        env = self.env
        before_time, before_requests = env.now(), len(env.http_requests)
        try:
            await env.advance_time(seconds)
        except SetupError:
            return seconds
        except TimeoutError:
            log.info("the bot was still busy after advancing the clock; continuing")
        owed = max(0.0, seconds - (env.now() - before_time).total_seconds())
        if len(env.http_requests) != before_requests and self.preview is not None:
            with contextlib.suppress(SetupError, TimeoutError):
                await self.preview.refresh()  # show what the bot did meanwhile
        return owed


def serve_until_interrupted(database_path: Path, *, port: int = 0, speed: float = 1.0) -> int:
    """Serve until Ctrl-C (or SIGTERM); prints exactly one line, the address to open."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        async with Sandbox(database_path, port=port, speed=speed) as sandbox:
            print(
                f"Meetbridge sandbox: open {sandbox.url} (pick who you are, run /meetup list; Ctrl-C stops)",
                flush=True,
            )
            await stop.wait()

    try:
        asyncio.run(main())
    except SetupError as error:  # e.g. the port is taken
        print(f"meetbridge: the sandbox could not start: {error}", file=sys.stderr)
        return 1
    return 0


__all__ = ["Sandbox", "serve_until_interrupted"]
