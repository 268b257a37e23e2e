"""What the sandbox page shows in place of Discord's ids and Discord's links.

Real Discord renders ``<@id>``, ``<#id>`` and ``<@&id>`` inside embed descriptions and field values
as names; SimCord's page renders them only in message content, and only for ids it deems public
to the viewer (in a DM, nobody but the two people in it). Jump links and event links point at
discord.com, which is outside the sandbox. Production embeds are right as they are, so the
sandbox rewrites what its page receives instead: a JSON payload of messages projected into token
trees (``content_tokens``, ``description_tokens``, ``value_tokens``…), plain strings (embed titles,
author names, sidebar excerpts) and link targets (``href`` in tokens, ``url`` on embeds).

- Mentions become ``@display name``, ``#channel`` (``#parent › thread`` for a thread) and
  ``@role``; an id nobody knows reads as Discord writes it (``@unknown-user``, ``#unknown``,
  ``@deleted-role``). Code spans and code blocks keep their text, as in Discord.
- A link to a channel or message on discord.com leads to the same place in the sandbox (a link
  back to the sandbox's own page, which switches to that channel and message) and, where the
  link's text was the bare address, reads as ``#channel › message`` as the Discord client shows
  it. Other discord.com links (events, invites) lose their target and keep their text.
- What a member may edit is left alone: a message's raw ``content`` (the page prefills it when
  you edit your own message) and the values prefilled in a form.

Everything here is pure: the names and the link maker are handed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

USER_MENTION = re.compile(r"<@!?(\d{1,20})>")
ROLE_MENTION = re.compile(r"<@&(\d{1,20})>")
CHANNEL_MENTION = re.compile(r"<#(\d{1,20})>")
COMMAND_MENTION = re.compile(r"</([^:<>\n]{1,100}):\d{1,20}>")
# Discord's web addresses, with the client variants (ptb, canary) and the old domain.
_DISCORD_HOST = r"(?:(?:www|ptb|canary)\.)?discord(?:app)?\.com"
DISCORD_LINK = re.compile(
    rf"https?://{_DISCORD_HOST}/channels/(@me|\d{{1,20}})/(\d{{1,20}})(?:/(\d{{1,20}}))?"
)
MARKDOWN_LINK = re.compile(r"\[([^\]\n]+)\]\(<?(https?://[^)\s>]+)>?\)")
ANY_DISCORD_URL = re.compile(rf"^https?://(?:{_DISCORD_HOST}|discord\.gg)(?:[/?#]|$)", re.IGNORECASE)

# Any of them: a mention's kind ("@", "@!", "@&" or "#") and id, or "/" and a command's name.
MENTION = re.compile(r"<(@!?|@&|#)(\d{1,20})>|<(/)([^:<>\n]{1,100}):\d{1,20}>")

UNKNOWN_USER = "@unknown-user"
UNKNOWN_CHANNEL = "#unknown"
UNKNOWN_ROLE = "@deleted-role"

# Keys whose strings are what a member typed and may edit again (a message's raw content, a form's
# prefilled value, an option's wire value); never rewritten.
_RAW_KEYS = frozenset({"content", "value"})
# Keys holding a link target.
_LINK_KEYS = frozenset({"url", "href"})
_CODE_TOKENS = frozenset({"code", "code_block"})

# Where a jump link should lead in the sandbox: (channel id, message id or None) -> an address,
# or None when the sandbox cannot show that place (the link then keeps only its text).
LinkMaker = Callable[[int, int | None], str | None]


@dataclass(frozen=True)
class Names:
    """Display names by id: members (their server nickname first), roles, channels and threads."""

    users: Mapping[int, str] = field(default_factory=dict)
    roles: Mapping[int, str] = field(default_factory=dict)
    channels: Mapping[int, str] = field(default_factory=dict)  # "#general", "#meetups › Thread"

    def user(self, ident: int) -> str:
        name = self.users.get(ident)
        return f"@{name}" if name is not None else UNKNOWN_USER

    def role(self, ident: int) -> str:
        name = self.roles.get(ident)
        if name is None:
            return UNKNOWN_ROLE
        return name if name.startswith("@") else f"@{name}"

    def channel(self, ident: int) -> str:
        return self.channels.get(ident, UNKNOWN_CHANNEL)


def plain_text(text: str, names: Names) -> str:
    """Mentions and bare discord.com jump links as a member reads them."""
    if "<" in text:
        text = USER_MENTION.sub(lambda match: names.user(int(match.group(1))), text)
        text = ROLE_MENTION.sub(lambda match: names.role(int(match.group(1))), text)
        text = CHANNEL_MENTION.sub(lambda match: names.channel(int(match.group(1))), text)
        text = COMMAND_MENTION.sub(lambda match: f"/{match.group(1)}", text)
    if "discord" in text:
        text = DISCORD_LINK.sub(lambda match: jump_label(match, names), text)
    return text


def jump_label(match: re.Match[str], names: Names) -> str:
    """``#channel › message`` for a message link, ``#channel`` for a channel link."""
    place = names.channels.get(int(match.group(2)))
    if place is None:
        place = "Direct Messages" if match.group(1) == "@me" else UNKNOWN_CHANNEL
    return f"{place} › message" if match.group(3) else place


def sandbox_link(url: str, make_link: LinkMaker) -> str | None:
    """Where ``url`` leads in the sandbox: itself unless it is Discord's; None for no link."""
    if not ANY_DISCORD_URL.match(url):
        return url
    match = DISCORD_LINK.fullmatch(url.split("?", 1)[0].split("#", 1)[0])
    if match is None:
        return None
    return make_link(int(match.group(2)), int(match.group(3)) if match.group(3) else None)


class PageRenderer:
    """Rewrites one page payload (or action receipt) in place; see the module docstring."""

    def __init__(self, names: Names, make_link: LinkMaker) -> None:
        self.names = names
        self.make_link = make_link

    def __call__(self, payload: Any) -> Any:
        return self._value(payload, key=None)

    def _value(self, value: Any, *, key: str | None, prose: bool = False) -> Any:
        if isinstance(value, str):
            if key in _RAW_KEYS and not prose:
                return value
            if key in _LINK_KEYS:
                return sandbox_link(value, self.make_link)
            if "](" in value:
                value = MARKDOWN_LINK.sub(self._markdown_link, value)
            return plain_text(value, self.names)
        if isinstance(value, list):
            if any(isinstance(item, dict) and item.get("type") == "link_open" for item in value):
                value[:] = self._links(value)
            if any(_is_text_with_mentions(item) for item in value):
                value[:] = [piece for item in value for piece in self._pills(item)]
            for index, item in enumerate(value):
                value[index] = self._value(item, key=key)
            return value
        if isinstance(value, dict):
            kind = value.get("type")
            if kind in _CODE_TOKENS:
                return value
            # A markdown token's "content" and an embed field's "value" are text to read.
            prose = isinstance(kind, str) or key == "fields"
            for name in list(value):
                rewritten = self._value(value[name], key=name, prose=prose)
                if rewritten is None and name in _LINK_KEYS and value[name] is not None:
                    del value[name]  # a Discord-only target: no link at all
                else:
                    value[name] = rewritten
            return value
        return value

    def _markdown_link(self, match: re.Match[str]) -> str:
        """``[words](address)`` in a plain string: a Discord address moves into the sandbox or goes."""
        target = sandbox_link(match.group(2), self.make_link)
        if target == match.group(2):
            return match.group(0)
        return f"[{match.group(1)}]({target})" if target else match.group(1)

    def _pills(self, token: Any) -> list[Any]:
        """A text token split around its mentions, each a mention token (a pill, as in Discord)."""
        if not _is_text_with_mentions(token):
            return [token]
        text: str = token["content"]
        pieces: list[Any] = []
        at = 0
        for match in MENTION.finditer(text):
            if match.start() > at:
                pieces.append({**token, "content": text[at : match.start()]})
            if match.group(3):
                pieces.append({"type": "command", "id": "", "label": f"/{match.group(4)}"})
            else:
                pieces.append(self._pill(match.group(1), int(match.group(2))))
            at = match.end()
        if at < len(text):
            pieces.append({**token, "content": text[at:]})
        return pieces

    def _pill(self, kind: str, ident: int) -> dict[str, Any]:
        kinds = {"#": ("channel", self.names.channel), "@&": ("role", self.names.role)}
        name, label = kinds.get(kind, ("user", self.names.user))
        return {"type": "mention", "kind": name, "id": str(ident), "label": label(ident)}

    def _links(self, tokens: list[Any]) -> list[Any]:
        """Inline tokens with Discord link targets moved into the sandbox, or unlinked.

        An autolinked address (the link's only text is its own address) reads as its label.
        """
        kept: list[Any] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            href = token.get("href") if isinstance(token, dict) and token.get("type") == "link_open" else None
            if not isinstance(href, str) or not ANY_DISCORD_URL.match(href):
                kept.append(token)
                index += 1
                continue
            close = next(
                (
                    at
                    for at in range(index + 1, len(tokens))
                    if isinstance(tokens[at], dict) and tokens[at].get("type") == "link_close"
                ),
                len(tokens),
            )
            inner = tokens[index + 1 : close]
            if len(inner) == 1 and isinstance(inner[0], dict) and inner[0].get("content") == href:
                match = DISCORD_LINK.fullmatch(href)
                inner = [{**inner[0], "content": jump_label(match, self.names) if match else "Discord"}]
            target = sandbox_link(href, self.make_link)
            if target is None:
                kept.extend(inner)
            else:
                kept.append({**token, "href": target})
                kept.extend(inner)
                if close < len(tokens):
                    kept.append(tokens[close])
            index = close + 1
        return kept


def _is_text_with_mentions(token: Any) -> bool:
    return (
        isinstance(token, dict)
        and token.get("type") == "text"
        and isinstance(token.get("content"), str)
        and MENTION.search(token["content"]) is not None
    )


__all__ = ["Names", "PageRenderer", "plain_text", "sandbox_link"]
