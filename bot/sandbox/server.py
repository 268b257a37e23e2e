"""The interactive sandbox: the seeded demo server in SimCord's browser preview, with a running clock.

SimCord's preview serves one channel to a list of members ("viewers") the page lets you choose
between. Around it the sandbox adds (SimCord's private names it needs live in ``preview.py``):

- a clock: virtual time only moves when someone advances it, so a loop advances it by the real
  time elapsed times ``speed`` (and by what ``/sandbox skip`` asks for), then republishes the page
  when the bot did something meanwhile (a poll closed, a tally changed);
- one lane: SimCord refuses two operations at once, and a refused page action would leave the
  page unsure of its outcome, so page actions, page moves and the clock take turns through one lock;
- other channels: ``/sandbox view`` (and a link to a channel or message) moves the open page to
  another channel, thread or DM as soon as the command has answered; the page follows by itself;
- what the page shows: names instead of ``<@id>`` where SimCord leaves ids, links that stay in
  the sandbox instead of leading to discord.com (``render.py``), and the members' avatars drawn
  locally (``avatars.py``), since the page loads nothing from outside.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import secrets
import signal
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import simcord
from simcord.backend.errors import SetupError
from simcord.builders import ChannelHandle

from bot.sandbox import preview as page
from bot.sandbox.avatars import BOT_COLOUR, avatar_png
from bot.sandbox.controls import DMS_LABEL, Place, SandboxControls, SkipRequest, ViewRequest, labelled
from bot.sandbox.demo import NEWCOMER, TIMEZONE, DemoServer, build_server, seed, simulated_discord
from bot.sandbox.render import Names, PageRenderer

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
        self.controls = SandboxControls(places=self.places)
        self.server: DemoServer | None = None
        self.preview: Any = None
        self._capability = secrets.token_urlsafe(32)
        self._link_key = secrets.token_urlsafe(16)  # in the sandbox's own links (GET /?view=…)
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

    def turn(self) -> asyncio.Lock:
        """Hold it to act on the simulated Discord from outside the page (the clock waits)."""
        return self._lane

    async def __aenter__(self) -> Sandbox:
        page.check_simcord()  # before anything starts: fail at once if SimCord moved
        try:
            env = await self._stack.enter_async_context(simulated_discord(self.database_path, self.controls))
            self.server = build_server(env)
            await env.settle()
            await seed(self.server)
            await self._open(self.server.channel(FIRST_CHANNEL), self.server.members[NEWCOMER.name].id)
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

    async def _open(self, channel: ChannelHandle, viewer_id: int) -> None:
        viewers = self._viewers(channel, viewer_id)
        assert viewers, "the first viewer can read the first channel"
        preview = page.open_page(
            self.env,
            channel,
            viewers,
            port=self.port,
            capability=self._capability,
            timezone=TIMEZONE,
            assets=self._avatars(),
            on_link=self._follow_link,
        )
        await preview.__aenter__()
        self._stack.push_async_callback(preview.close)
        self.port = urlsplit(preview.url).port or self.port
        page.take_turns(preview, self._lane, after=self._take_views)
        page.rewrite_payloads(preview, self._renderer)
        self.preview = preview

    def _viewers(self, channel: ChannelHandle, viewer_id: int) -> list[Any]:
        """Who may view ``channel``, ``viewer_id`` first; empty when that member cannot read it.

        The viewers are the members who can read the channel (a private thread has fewer); a DM
        is shown to its one member.
        """
        assert self.server is not None
        members = list(self.server.members.values())
        if channel.guild is None:
            owner = self.env.backend.get_channel(channel.id).recipient_ids
            viewers = [member.user for member in members if member.id in owner]
        else:
            readers = [member for member in members if page.readable(self.env, channel.id, member)]
            viewers = sorted(readers, key=lambda member: member.id != viewer_id)
        return viewers if viewers and viewers[0].id == viewer_id else []

    async def _show(self, channel: ChannelHandle, viewer_id: int, *, focus: int | None = None) -> bool:
        """Move the open page to ``channel`` for ``viewer_id``; False when they cannot read it."""
        viewers = self._viewers(channel, viewer_id)
        if not viewers:
            log.warning("member %s cannot read channel %s; the page stays where it is", viewer_id, channel.id)
            return False
        page.move_page(self.preview, channel, viewers, focus=focus)
        return True

    async def _take_views(self) -> None:
        """Carry out /sandbox view at once (called in the lane, right after each page action)."""
        for request in self.controls.take_views():
            await self._view(request)

    async def _view(self, request: ViewRequest) -> None:
        assert self.server is not None
        member = next((m for m in self.server.members.values() if m.id == request.user_id), None)
        if member is None:
            return
        if request.place.channel_id is None:
            channel: ChannelHandle | None = member.user.dm_channel
        else:
            channel = self._channel(request.place.channel_id)
        if channel is None:
            log.warning("no channel %s to show", request.place)
            return
        await self._show(channel, member.id)

    def _channel(self, channel_id: int) -> ChannelHandle | None:
        """The channel, thread or existing DM with this id (creates nothing: links are read often)."""
        assert self.server is not None
        for channel in self.server.channels.values():
            if channel.id == channel_id:
                return channel
            for thread in channel.threads:
                if thread.id == channel_id:
                    return thread
        dm_owners = {channel: user for user, channel in self.env.backend.dm_channels.items()}
        owner = dm_owners.get(channel_id)
        member = next((m for m in self.server.members.values() if m.id == owner), None)
        return member.user.dm_channel if member is not None else None

    def places(self, user_id: int) -> list[Place]:
        """Where ``user_id`` can look: channels, then their threads (archived too), then DMs."""
        assert self.server is not None
        member = next((m for m in self.server.members.values() if m.id == user_id), None)
        if member is None:
            return []
        found: list[tuple[str, int | None]] = []
        for channel in self.server.channels.values():
            if not page.readable(self.env, channel.id, member):
                continue
            found.append((f"#{channel.name}", channel.id))
            for thread in sorted(channel.threads, key=lambda thread: thread.id):
                if page.readable(self.env, thread.id, member):
                    found.append((f"#{channel.name} › {thread.name}", thread.id))
        found.append((DMS_LABEL, None))
        return labelled(found)

    # -- what the page receives -------------------------------------------------------------------

    def names(self) -> Names:
        """Display names the page should show for ids, read from the simulated Discord."""
        assert self.server is not None
        backend = self.env.backend
        guild = backend.guilds[self.server.guild.id]
        users: dict[int, str] = {}
        for user_id, user in backend.users.items():
            member = guild.members.get(user_id)
            users[user_id] = (member.nick if member is not None else None) or user.global_name or user.name
        roles = {role_id: role.name for role_id, role in guild.roles.items()}
        channels: dict[int, str] = {}
        for channel_id, channel in backend.channels.items():
            if channel.guild_id is None:
                channels[channel_id] = "Direct Messages"
            elif channel.is_thread:
                parent = backend.channels.get(channel.parent_id or 0)
                channels[channel_id] = f"#{parent.name if parent else '?'} › {channel.name}"
            else:
                channels[channel_id] = f"#{channel.name}"
        return Names(users=users, roles=roles, channels=channels)

    def _renderer(self) -> PageRenderer:
        return PageRenderer(self.names(), self.link)

    def link(self, channel_id: int, message_id: int | None) -> str | None:
        """The sandbox's own address for a channel or message (None when it has no such channel)."""
        if self._channel(channel_id) is None:
            return None
        query = {"view": str(channel_id), "key": self._link_key}
        if message_id is not None:
            query["message"] = str(message_id)
        return f"http://127.0.0.1:{self.port}/?{urlencode(query)}#{self._capability}"

    async def _follow_link(self, query: Mapping[str, str]) -> None:
        """``GET /?view=<channel>&message=<id>&key=…``: move the page there before it loads."""
        if not hmac.compare_digest(query.get("key", ""), self._link_key):
            return
        channel = self._channel(int(query["view"])) if query.get("view", "").isdigit() else None
        if channel is None or self.preview is None:
            return
        focus = int(query["message"]) if query.get("message", "").isdigit() else None
        # Whoever the page shows now, if they can read it; else the DM's owner or a member who can.
        current = self.preview.viewers[0].id
        candidates = [current, *(member.id for member in self.server.members.values() if self.server)]
        viewer = next((ident for ident in candidates if self._viewers(channel, ident)), None)
        if viewer is not None:
            async with self._lane:
                await self._show(channel, viewer, focus=focus)

    def _avatars(self) -> dict[str, tuple[str, bytes]]:
        """Every avatar address the page may meet (the bot's embeds and SimCord's own), drawn here."""
        assert self.server is not None
        bot = self.server.bot
        found: dict[str, tuple[str, bytes]] = {}
        for user_id, user in self.env.backend.users.items():
            if not user.avatar:
                continue
            colour = BOT_COLOUR if user.bot else None
            picture = (f"{user.name}.png", avatar_png(user.global_name or user.name, colour=colour))
            found[page.avatar_address(user_id, user.avatar)] = picture
            for known in (bot.get_user(user_id), *(guild.get_member(user_id) for guild in bot.guilds)):
                if known is not None:
                    found[known.display_avatar.url] = picture
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
    except (SetupError, page.SimCordChanged) as error:  # e.g. the port is taken
        print(f"meetbridge: the sandbox could not start: {error}", file=sys.stderr)
        return 1
    return 0


__all__ = ["Sandbox", "serve_until_interrupted"]
