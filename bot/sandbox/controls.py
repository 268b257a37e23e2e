"""What /sandbox asks of the running sandbox, kept apart from the cog.

discord.py loads an extension as a fresh module each time, so the request types live here, in a
module imported once, where the sandbox (host code) and the cog agree on them. The sandbox also
hands the cog ``places``: where a member can look, as the simulated Discord knows it (every
channel and thread they can read, archived or not, and their DMs with the bot).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

LABEL_LIMIT = 100  # Discord's limit for an autocomplete choice's name and value
DMS_LABEL = "Your DMs with Meetbridge"


@dataclass(frozen=True)
class Place:
    """Somewhere the page can show: ``label`` is what a member reads, picks and may type."""

    label: str
    channel_id: int | None  # None: the member's DMs with the bot


@dataclass(frozen=True)
class ViewRequest:
    """Show ``place`` to ``user_id``."""

    user_id: int
    place: Place


@dataclass(frozen=True)
class SkipRequest:
    seconds: int


@dataclass
class SandboxControls:
    """Requests from /sandbox, taken by the sandbox (host code, not bot code).

    ``places(user_id)`` is set by the sandbox; without it (no interactive sandbox) /sandbox view
    has nowhere to go.
    """

    pending: list[ViewRequest | SkipRequest] = field(default_factory=list)
    places: Callable[[int], list[Place]] | None = None

    def take(self) -> list[ViewRequest | SkipRequest]:
        taken, self.pending = self.pending, []
        return taken

    def take_views(self) -> list[ViewRequest]:
        views = [request for request in self.pending if isinstance(request, ViewRequest)]
        self.pending = [request for request in self.pending if not isinstance(request, ViewRequest)]
        return views


def labelled(places: Sequence[tuple[str, int | None]]) -> list[Place]:
    """Places with labels fit for a choice: at most 100 characters, and no two alike."""
    seen: set[str] = set()
    found: list[Place] = []
    for label, channel_id in places:
        unique, number = clip(label), 1
        while unique.casefold() in seen:
            number += 1
            suffix = f" ({number})"
            unique = clip(label, LABEL_LIMIT - len(suffix)) + suffix
        seen.add(unique.casefold())
        found.append(Place(unique, channel_id))
    return found


def clip(text: str, limit: int = LABEL_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _key(text: str) -> str:
    """How a typed place is compared: no case, no leading #, any arrow, single spaces."""
    text = re.sub(r"\s*(?:›|>)\s*#?", " › ", text.strip().casefold())
    return " ".join(text.lstrip("#").split())


def find_place(places: Sequence[Place], typed: str) -> Place | None:
    """The place a member picked or typed: its label (``meetups`` finds ``#meetups``), its
    channel id, or ``dms``."""
    key = _key(typed)
    if key in {"dms", "dm", "my dms", "direct messages"}:
        key = _key(DMS_LABEL)
    for place in places:
        if _key(place.label) == key or (place.channel_id is not None and str(place.channel_id) == key):
            return place
    return None


def matching(places: Sequence[Place], typed: str) -> list[Place]:
    """Suggestions for what a member is typing: every place whose label contains it."""
    key = _key(typed)
    return [place for place in places if key in _key(place.label)]
