"""A member's profile in one server: what /intro collects and the rules it is checked against.

Pure: no discord, no database, no clock. Every check raises :class:`UserError` with an example,
and the service runs all of them before it writes anything, so a refused /intro stores nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from bot.domain.consent import DEFAULT_DM_MODE, DmMode
from bot.domain.errors import UserError
from bot.domain.places import Place
from bot.domain.series import Streak

MAX_ABOUT_LENGTH = 1000
MAX_CITY_LENGTH = 100
MAX_LINKS = 5
MAX_LINK_LENGTH = 200
LINKS_EXAMPLE = "https://github.com/octocat, Mastodon: @me@example.social"
ABOUT_EXAMPLE = "I moved here last year, I build web apps and I'm looking for a hiking group."
CITY_EXAMPLE = "Springfield, MA"

_LINK_SEPARATORS = re.compile(r"[\n\r,]+")
# "https://…" and friends; "GitHub: octocat" (a label, a space) is not a scheme.
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):(?=\S)")
_URL_CHARS = r"[^\s<>\"'`|\\\[\]{}]"
_URL = re.compile(rf"^https?://{_URL_CHARS}+$", re.IGNORECASE)
_DOMAIN = re.compile(rf"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{{2,}}(/{_URL_CHARS}*)?$", re.IGNORECASE)
_UNSAFE_IN_HANDLE = re.compile(r"[<>\[\]()`|\\]")

PreferenceName = Literal["discoverable", "dm", "helper"]
"""The settings a member changes with /privacy."""


class Toggle(StrEnum):
    """The ``state`` choice of the /privacy commands."""

    ON = "on"
    OFF = "off"

    @property
    def enabled(self) -> bool:
        return self is Toggle.ON


@dataclass(frozen=True, slots=True)
class Preferences:
    """What a member allows, per server.

    Discovery is on by default: introducing yourself in a community is asking to be found, and
    /match and pairing are the point of the bot. DMs default to ``replies``: a bot that DMs on its
    own initiative is opt-in on Discord (members who never asked for reminders by DM report them
    as spam), but a DM that answers what the member did (the introduction after they picked
    someone, the place they waited for) is expected (see :mod:`bot.domain.consent`). Helping is
    opt-in: /ask mentions helpers, and nobody should be pinged for questions they did not offer
    to answer.
    """

    discoverable: bool = True
    dm: DmMode = DEFAULT_DM_MODE
    helper: bool = False


DEFAULT_PREFERENCES = Preferences()


@dataclass(frozen=True, slots=True)
class MemberStats:
    """Counts shown on /profile, filled in by the meetup and check-in features."""

    meetups_attended: int = 0
    met_in_person: int = 0
    streaks: tuple[Streak, ...] = ()  # per series they came to: occurrences in a row, longest first


@dataclass(frozen=True, slots=True)
class IntroMessage:
    """Where a member's introduction embed was posted."""

    channel_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What ``/privacy forget`` (or the end of a departed member's retention) deleted in a server."""

    guild_id: int
    rows: int  # rows deleted, blanked or scrubbed (custom handlers not counted)
    intro: IntroMessage | None  # the introduction embed the caller should delete


@dataclass(frozen=True, slots=True)
class Profile:
    guild_id: int
    member_id: int
    about: str
    interests: tuple[str, ...] = ()
    city: str | None = None  # what the member typed (city level), shown back in the /intro modal
    place: Place | None = None  # the geocoded city, when it was found
    links: tuple[str, ...] = ()
    intro: IntroMessage | None = None
    created_at: int = 0
    updated_at: int = 0
    last_active: int = 0

    @property
    def city_display(self) -> str | None:
        """The approximate city as shown to others: the geocoded name, else what was typed."""
        if self.place is not None:
            return self.place.display
        return self.city


@dataclass(frozen=True, slots=True)
class IntroForm:
    """The four /intro fields exactly as submitted."""

    about: str
    interests: str
    city: str = ""
    links: str = ""


def validate_about(text: str) -> str:
    about = text.strip()
    if not about:
        raise UserError("Please write a line or two about yourself.", ABOUT_EXAMPLE)
    if len(about) > MAX_ABOUT_LENGTH:
        raise UserError(
            f"Your “about” is {len(about)} characters long; the limit is {MAX_ABOUT_LENGTH}. "
            "Keep the highlights.",
            ABOUT_EXAMPLE,
        )
    return about


def validate_city(text: str) -> str | None:
    """The city as typed (stripped), or None when left empty."""
    city = " ".join(text.split())
    if not city:
        return None
    if len(city) > MAX_CITY_LENGTH:
        raise UserError(
            f"That place name is {len(city)} characters long; give just the city and country.",
            CITY_EXAMPLE,
        )
    return city


def parse_links(text: str) -> tuple[str, ...]:
    """Links or handles separated by commas or new lines: web links (http/https) and handles.

    ``github.com/me`` becomes ``https://github.com/me``; anything with another scheme
    (``javascript:``, ``data:``, ``file:``) is refused, as is markup that could disguise a link.
    Duplicates are merged. At most 5, each at most 200 characters.
    """
    links: dict[str, None] = {}
    for item in _LINK_SEPARATORS.split(text):
        link = " ".join(item.split())
        if not link:
            continue
        if len(link) > MAX_LINK_LENGTH:
            raise UserError(
                f"A link is {len(link)} characters long; each can be at most {MAX_LINK_LENGTH}.",
                LINKS_EXAMPLE,
            )
        links.setdefault(_one_link(link), None)
    if len(links) > MAX_LINKS:
        raise UserError(
            f"That is {len(links)} links; the limit is {MAX_LINKS}. Keep the ones you most want to share.",
            LINKS_EXAMPLE,
        )
    return tuple(links)


def _one_link(link: str) -> str:
    scheme = _SCHEME.match(link)
    if scheme and scheme.group(1).lower() not in ("http", "https"):
        raise UserError(
            f"“{link[:40]}” is not a web link. Links must start with https:// (or be a handle).",
            LINKS_EXAMPLE,
        )
    if scheme:
        if " " in link or not _URL.match(link):
            raise UserError(f"“{link[:60]}” is not a valid web link.", LINKS_EXAMPLE)
        return link
    if _DOMAIN.match(link):
        return f"https://{link}"
    if _UNSAFE_IN_HANDLE.search(link):
        raise UserError(f"“{link[:60]}” has characters a handle can't contain (<>[]()`|\\).", LINKS_EXAMPLE)
    return link


def is_web_link(link: str) -> bool:
    return bool(_URL.match(link))
