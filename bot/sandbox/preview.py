"""Everything the sandbox asks of SimCord's browser page beyond its public API, in one place.

SimCord 3.2's ``env.preview(channel, viewers=...)`` serves one channel for the life of the page
and hands the page exactly what SimCord renders. The sandbox needs five things more:

1. **Moving the open page** to another channel, thread or DM, so ``/sandbox view`` needs no
   reload: the preview's ``channel`` and ``viewers``, each page's ``channel_id``, ``viewer``,
   ``target_id``, ``window_end_id``, ``generation`` (the page takes a higher one as a new view),
   and ``_publish``. Closing the preview and opening another instead would invalidate the page's
   context, which is what made the page go blank until reloaded.
2. **Rewriting what the page receives** (``bot.sandbox.render``): the server hands out
   ``preview._page_payload(page)``, ``await preview._action(context, body)`` and
   ``preview._replay_response(page, action)``, looked up on the instance at each request.
3. **Taking turns** with the sandbox's clock: the same ``_action``.
4. **Answering its own links** on the page's address: ``PreviewServer.start`` registers
   ``self._index`` for ``GET /`` when it starts, so an instance attribute set before that serves
   ``/?view=…`` too.
5. **Avatars offline**: the page looks for a member's avatar at SimCord's simulated CDN address
   (:func:`avatar_address`); ``env.preview(assets=...)`` (public) supplies the picture.

:func:`check_simcord` verifies each of these names and shapes and raises :class:`SimCordChanged`
naming what moved; the sandbox runs it before it starts anything, and the test suite runs it, so a
SimCord release that moves them fails at once instead of quietly showing raw ids again.
Nothing else in the project touches SimCord's private names.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import simcord
from simcord.backend.access import can_access_channel, can_access_message
from simcord.backend.cdn import CDN_BASE
from simcord.backend.errors import BackendError
from simcord.builders import ChannelHandle
from simcord.preview import Preview
from simcord.preview._identity import resolve_identity
from simcord.preview._pages import _Page
from simcord.preview._server import PreviewServer

Rewrite = Callable[[Any], Any]

# Page fields read or written when the page moves; all are dataclass fields of _Page.
PAGE_FIELDS = (
    "channel_id",
    "viewer",
    "target_id",
    "window_end_id",
    "generation",
    "modal",
    "modal_handle",
    "navigation_query",
    "navigation_cursor",
    "candidate_queries",
)
# Methods used, with the parameters they are called with.
PREVIEW_METHODS = {
    "_page_payload": ("self", "page"),
    "_action": ("self", "context_id", "body"),
    "_replay_response": ("self", "page", "action"),
    "_publish": ("self", "page"),
    "_initial_target": ("self", "viewer", "channel_id"),
}
# Where the page looks for a member's own avatar (SimCord's simulated CDN).
AVATAR_ADDRESS = 'f"{CDN_BASE}/avatars/{user.id}/{user.avatar}.png"'
# How the server reaches them (looked up on the instance at each request, so wrappers apply).
SERVER_CALLS = (
    "self.preview._page_payload(",
    "self.preview._action(",
    "self.preview._replay_response(",
)


class SimCordChanged(RuntimeError):
    """SimCord's page no longer has a shape the sandbox relies on (see this module's docstring)."""


def check_simcord() -> None:
    problems: list[str] = []
    for name, expected in PREVIEW_METHODS.items():
        method = getattr(Preview, name, None)
        if method is None:
            problems.append(f"Preview.{name} is gone")
            continue
        parameters = tuple(inspect.signature(method).parameters)[: len(expected)]
        if parameters != expected:
            problems.append(f"Preview.{name} takes {parameters}, not {expected}")
    for name in ("channel", "viewers", "_pages", "_server", "capability"):
        if not re.search(rf"self\.{name}\b[^=\n]*=", inspect.getsource(Preview.__init__)):
            problems.append(f"Preview no longer sets self.{name}")
    fields = {item.name for item in dataclasses.fields(_Page)}
    problems.extend(f"the page has no field {name}" for name in PAGE_FIELDS if name not in fields)
    server = inspect.getsource(PreviewServer)
    problems.extend(
        f"the page server no longer calls {call}…)" for call in SERVER_CALLS if call not in server
    )
    if 'add_get("/", self._index)' not in inspect.getsource(PreviewServer.start):
        problems.append("the page server no longer serves GET / from self._index")
    if AVATAR_ADDRESS not in inspect.getsource(resolve_identity):
        problems.append("the page no longer finds a member's avatar at " + AVATAR_ADDRESS)
    if problems:
        raise SimCordChanged(
            f"SimCord {simcord.__version__} changed what the sandbox's page relies on "
            f"(bot/sandbox/preview.py): {'; '.join(problems)}"
        )


def open_page(
    env: simcord.Env,
    channel: ChannelHandle,
    viewers: Sequence[Any],
    *,
    port: int,
    capability: str,
    timezone: str,
    assets: Mapping[str, tuple[str, bytes]],
    on_link: Callable[[Mapping[str, str]], Awaitable[None]],
) -> Preview:
    """The preview (not yet entered) on ``capability``, whose ``GET /?…`` first calls ``on_link``."""
    preview = env.preview(
        channel, viewers=viewers, layout="channel", port=port, timezone=timezone, assets=assets
    )
    preview.capability = capability  # public attribute; the sandbox prints its own address
    server = preview._server
    index = server._index

    async def index_and_links(request: Any) -> Any:
        response = await index(request)  # refuses a foreign Host header first
        if request.query:
            await on_link(dict(request.query))
        return response

    server._index = index_and_links
    return preview


def take_turns(preview: Preview, lane: asyncio.Lock, after: Callable[[], Awaitable[None]]) -> None:
    """Page actions wait for ``lane`` instead of failing; ``after`` runs in the same turn."""
    act = preview._action

    async def in_turn(context_id: Any, body: Any) -> Any:
        async with lane:
            result = await act(context_id, body)
            await after()
            return result

    preview._action = in_turn  # type: ignore[method-assign]


def rewrite_payloads(preview: Preview, rewriter: Callable[[], Rewrite]) -> None:
    """Pass everything the page receives through ``rewriter()`` (a fresh one per payload)."""
    page_payload, act, replay = preview._page_payload, preview._action, preview._replay_response

    def payload(page: Any) -> Any:
        return rewriter()(page_payload(page))

    async def action(context_id: Any, body: Any) -> Any:
        return rewriter()(_detached(await act(context_id, body)))

    def replay_response(page: Any, action: Any) -> Any:
        return rewriter()(_detached(replay(page, action)))

    preview._page_payload = payload  # type: ignore[method-assign]
    preview._action = action  # type: ignore[method-assign]
    preview._replay_response = replay_response  # type: ignore[method-assign]


def move_page(
    preview: Preview, channel: ChannelHandle, viewers: Sequence[Any], *, focus: int | None = None
) -> None:
    """Show ``channel`` on every open page, as a new view of the same page (no reload).

    ``viewers`` are the members (a DM: its one user) allowed to view it, the one who asked
    first; a page keeps its viewer if they are among them, else it shows the first. ``focus``
    is a message to scroll to; otherwise the page opens on the bot's latest message, as at start.
    """
    env = preview.env
    allowed = {viewer.id: viewer for viewer in viewers}
    preview.channel = channel
    preview.viewers = tuple(viewers)
    for page in tuple(preview._pages.values()):
        viewer = allowed.get(page.viewer.id, viewers[0])
        target = focus if focus is not None and _readable(env, channel.id, focus, viewer) else None
        if target is None:
            target = preview._initial_target(viewer, channel.id)
        page.viewer = viewer
        page.channel_id = channel.id
        page.target_id = target
        page.window_end_id = target
        page.modal = None
        page.modal_handle = None
        page.navigation_query = ""
        page.navigation_cursor = None
        page.candidate_queries.clear()
        page.generation += 1
        preview._publish(page, reason="navigation")


def avatar_address(user_id: int, avatar: str) -> str:
    """Where the page looks for the avatar of a user whose avatar hash is ``avatar``."""
    return f"{CDN_BASE}/avatars/{user_id}/{avatar}.png"


def readable(env: simcord.Env, channel_id: int, viewer: Any) -> bool:
    """Whether ``viewer`` may read ``channel_id`` and its history, as the page itself checks."""
    return can_access_channel(env, channel_id, viewer, history=True)


def _readable(env: simcord.Env, channel_id: int, message_id: int, viewer: Any) -> bool:
    try:
        message = env.backend.get_message(channel_id, message_id)
    except BackendError:
        return False
    return can_access_message(env, channel_id, message, viewer, history=True)


def _detached(value: Any) -> Any:
    """A copy, so rewriting a receipt never changes the one SimCord keeps for replays."""
    if isinstance(value, dict):
        return {key: _detached(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_detached(item) for item in value]
    return value


__all__ = [
    "SimCordChanged",
    "avatar_address",
    "check_simcord",
    "move_page",
    "open_page",
    "readable",
    "rewrite_payloads",
    "take_turns",
]
