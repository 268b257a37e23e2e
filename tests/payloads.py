"""The oracle for what Discord accepts and whom a message pings, for hostile-input tests.

SimCord's validators (:mod:`simcord.components`) mirror Discord's and are run first; the checks
here are a little stricter where Discord is (a field name or value that is only whitespace is
refused; a text input's default may not exceed its ``max_length``), and they count characters
without stripping, as the bot's own limits do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import discord
from simcord.components import validate_components, validate_embeds, validate_message_state, validate_modal

from bot.adapters.outbound import fit_message
from bot.domain import limits

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")


@dataclass
class Fitted:
    """A payload as the bot sends it, after :func:`bot.adapters.outbound.fit_message`."""

    content: str | None = None
    embed: dict[str, Any] | None = None
    components: list[dict[str, Any]] = field(default_factory=list)

    def texts(self) -> list[str]:
        """Every piece of text a viewer reads: content, then every embed part."""
        found = [self.content or ""]
        if self.embed:
            found += [self.embed.get("title") or "", self.embed.get("description") or ""]
            for part in self.embed.get("fields") or ():
                found += [part.get("name") or "", part.get("value") or ""]
            found += [(self.embed.get("footer") or {}).get("text") or ""]
            found += [(self.embed.get("author") or {}).get("name") or ""]
        return found

    def text(self) -> str:
        return "\n".join(self.texts())


def check_message(
    content: str | None = None, embed: discord.Embed | None = None, view: discord.ui.View | None = None
) -> Fitted:
    """Fit a payload as the send path does, and fail if Discord would refuse what comes out."""
    message = fit_message(content, embed, view)
    fitted = Fitted(content=message.get("content"))
    if message.get("embed") is not None:
        fitted.embed = message["embed"].to_dict()
    if message.get("view") is not None:
        fitted.components = message["view"].to_components()
    embeds = [fitted.embed] if fitted.embed is not None else []
    validate_message_state(
        fitted.components, flags=0, content=fitted.content, embeds=embeds, require_nonempty=True
    )
    check_content(fitted.content)
    for one in embeds:
        check_embed(one)
    check_components(fitted.components)
    return fitted


def check_content(content: str | None) -> None:
    if content is not None:
        assert len(content) <= limits.CONTENT, f"content of {len(content)} characters"


def check_embed(embed: Mapping[str, Any]) -> None:
    """Every part of one embed within Discord's limits, counted without stripping."""
    validate_embeds([dict(embed)])
    assert len(embed.get("title") or "") <= limits.EMBED_TITLE
    assert len(embed.get("description") or "") <= limits.EMBED_DESCRIPTION
    fields = embed.get("fields") or []
    assert len(fields) <= limits.EMBED_FIELDS
    for number, part in enumerate(fields):
        name, value = part.get("name") or "", part.get("value") or ""
        assert name.strip(), f"field {number} has no name: {name!r}"
        assert value.strip(), f"field {number} ({name!r}) has no value: {value!r}"
        assert len(name) <= limits.FIELD_NAME, f"field {number} name of {len(name)}"
        assert len(value) <= limits.FIELD_VALUE, f"field {number} value of {len(value)}"
    assert len((embed.get("footer") or {}).get("text") or "") <= limits.EMBED_FOOTER
    assert len((embed.get("author") or {}).get("name") or "") <= limits.EMBED_AUTHOR
    assert limits.embed_size(dict(embed)) <= limits.EMBED_TOTAL
    if embed.get("url"):
        assert len(embed["url"]) <= limits.URL


def check_components(components: list[dict[str, Any]]) -> None:
    validate_components(components)
    for row in components:
        for item in row.get("components", ()):
            if item.get("type") == 2:
                assert len(item.get("label") or "") <= limits.BUTTON_LABEL
            elif item.get("type") == 3:
                options = item.get("options") or []
                assert 1 <= len(options) <= limits.SELECT_OPTIONS
                for option in options:
                    assert option["label"].strip(), f"blank option label {option['label']!r}"
                    assert len(option["label"]) <= limits.SELECT_OPTION_TEXT
                    assert len(option["value"]) <= limits.SELECT_OPTION_TEXT


def check_modal(modal: discord.ui.Modal) -> dict[str, Any]:
    """A modal Discord would show: SimCord's checks plus every default within its own max_length."""
    payload = modal.to_dict()
    validate_modal(payload)
    for row in payload["components"]:
        for item in row.get("components", [row.get("component")]):
            if item and item.get("type") == 4 and item.get("value") is not None:
                maximum = item.get("max_length", 4000)
                assert len(item["value"]) <= maximum, (
                    f"{item['custom_id']}: a default of {len(item['value'])} characters, max {maximum}"
                )
    return payload


def check_thread_name(name: str) -> str:
    """A thread name Discord takes, with no mention that could ping in the system message
    announcing the thread (its text is the name, and allowed_mentions does not reach it)."""
    fitted = limits.fit_thread_name(name)
    assert 1 <= len(fitted) <= limits.THREAD_NAME and "\n" not in fitted
    assert not USER_MENTION.search(fitted) and not ROLE_MENTION.search(fitted), fitted
    assert "@everyone" not in fitted and "@here" not in fitted, fitted
    return fitted


@dataclass(frozen=True)
class Pings:
    users: frozenset[int]
    roles: frozenset[int]
    everyone: bool


def pings_of(content: str | None, allowed: discord.AllowedMentions) -> Pings:
    """Whom Discord notifies for ``content`` sent with ``allowed`` (as SimCord's backend decides,
    assuming every mentioned user exists and the bot may mention everyone and every role)."""
    text = content or ""
    users_allowed = allowed.users
    users = frozenset(
        int(found)
        for found in USER_MENTION.findall(text)
        if users_allowed is True
        or (isinstance(users_allowed, list) and int(found) in {u.id for u in users_allowed})
    )
    roles_allowed = allowed.roles
    roles = frozenset(
        int(found)
        for found in ROLE_MENTION.findall(text)
        if roles_allowed is True
        or (isinstance(roles_allowed, list) and int(found) in {r.id for r in roles_allowed})
    )
    everyone = bool(allowed.everyone) and ("@everyone" in text or "@here" in text)
    return Pings(users, roles, everyone)


def mentioned(text: str, member_ids: Iterable[int]) -> set[int]:
    """Which of ``member_ids`` are mentioned whole in ``text``."""
    found = {int(found) for found in USER_MENTION.findall(text)}
    return found & set(member_ids)
