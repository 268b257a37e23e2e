"""Discord's size limits, and how a payload is made to fit them whatever members typed.

A message Discord refuses for its size is a message nobody reads, and members control much of
what the bot writes (titles, places, reasons, introductions). So every payload the bot sends is
fitted here before it goes out: text is clipped with an ellipsis, never rejected. Renderers still
try to stay well inside the limits (a title is at most 100 characters); this is the last line.

Pure: payloads are the plain dicts discord.py serialises (``discord.Embed.to_dict()``), so the
rules are testable without a client. Lengths are counted in code points, as Discord counts them.
"""

from __future__ import annotations

import re
from typing import Any

CONTENT = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
EMBED_FOOTER = 2048
EMBED_AUTHOR = 256
EMBED_TOTAL = 6000
THREAD_NAME = 100
BUTTON_LABEL = 80
SELECT_OPTIONS = 25
SELECT_OPTION_TEXT = 100
SELECT_PLACEHOLDER = 150
EVENT_NAME = 100
EVENT_DESCRIPTION = 1000
EVENT_LOCATION = 100
URL = 512
ATTACHMENT_BYTES = 10 * 1024 * 1024  # what any bot may upload per message (servers may allow more)

ELLIPSIS = "…"
EMPTY_FIELD = "\u200b"  # Discord refuses an empty field name or value; a zero-width space is "nothing"


def clip(text: str, limit: int) -> str:
    """``text`` if it fits, else its start and an ellipsis, ``limit`` code points in all."""
    if limit < 1:
        return ""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def fit_content(content: str | None) -> str | None:
    if content is None:
        return None
    return clip(content, CONTENT)


_MENTION = re.compile(r"<@([!&]?\d+)>|@(everyone|here)")


def unmention(text: str) -> str:
    """``text`` with every mention (``<@id>``, ``<@!id>``, ``<@&role>``, ``@everyone``, ``@here``)
    broken by a zero-width space: it reads the same and can never ping."""
    return _MENTION.sub(lambda found: found.group(0).replace("@", "@" + EMPTY_FIELD, 1), text)


def fit_thread_name(name: str) -> str:
    """Thread names: one line, 1 to 100 characters, no mentions.

    Members type mentions into meetup titles and questions, which name threads; Discord announces
    a new thread with a system message whose text is its name, and allowed_mentions cannot
    reach that message, so the name itself must not hold a working mention.
    """
    flat = unmention(" ".join(name.split()))
    return clip(flat, THREAD_NAME) or "Meetbridge"


def embed_size(embed: dict[str, Any]) -> int:
    """The characters Discord counts towards an embed's 6,000."""
    size = len(embed.get("title") or "") + len(embed.get("description") or "")
    for field in embed.get("fields") or ():
        size += len(field.get("name") or "") + len(field.get("value") or "")
    size += len((embed.get("footer") or {}).get("text") or "")
    size += len((embed.get("author") or {}).get("name") or "")
    return size


def _text_fits(text: Any, limit: int) -> bool:
    return text is None or (type(text) is str and len(text) <= limit)


def embed_fits(embed: dict[str, Any]) -> bool:
    """True when :func:`fit_embed` would change nothing: every part within its limit and the total
    within 6,000. What almost every embed is, checked without copying it."""
    if not (
        _text_fits(embed.get("title"), EMBED_TITLE)
        and _text_fits(embed.get("description"), EMBED_DESCRIPTION)
    ):
        return False
    url = embed.get("url")
    if url and len(url) > URL:
        return False
    fields = embed.get("fields")
    if fields:
        if len(fields) > EMBED_FIELDS:
            return False
        for field in fields:
            name, value = field.get("name"), field.get("value")
            if not (name and value and _text_fits(name, FIELD_NAME) and _text_fits(value, FIELD_VALUE)):
                return False
    for key, text_key, limit in (("footer", "text", EMBED_FOOTER), ("author", "name", EMBED_AUTHOR)):
        section = embed.get(key)
        if section and not _text_fits(section.get(text_key), limit):
            return False
    return embed_size(embed) <= EMBED_TOTAL


def fit_embed(embed: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``embed`` within every per-part limit and the 6,000 total.

    Over the total, the longest text (description or a field value) is shortened first, so a
    long introduction gives way before the time, the place or the organiser do.
    """
    fitted = dict(embed)
    if "title" in fitted and fitted["title"] is not None:
        fitted["title"] = clip(str(fitted["title"]), EMBED_TITLE)
    if fitted.get("description") is not None:
        fitted["description"] = clip(str(fitted["description"]), EMBED_DESCRIPTION)
    if fitted.get("url") and len(fitted["url"]) > URL:
        del fitted["url"]
    fields = [dict(field) for field in (fitted.get("fields") or ())][:EMBED_FIELDS]
    for field in fields:
        field["name"] = clip(str(field.get("name") or ""), FIELD_NAME) or EMPTY_FIELD
        field["value"] = clip(str(field.get("value") or ""), FIELD_VALUE) or EMPTY_FIELD
    if "fields" in fitted:
        fitted["fields"] = fields
    for key, text_key, limit in (("footer", "text", EMBED_FOOTER), ("author", "name", EMBED_AUTHOR)):
        if fitted.get(key):
            section = dict(fitted[key])
            if section.get(text_key) is not None:
                section[text_key] = clip(str(section[text_key]), limit)
            fitted[key] = section
    if embed_size(fitted) > EMBED_TOTAL:
        _level(fitted, fields)
    return fitted


def _level(fitted: dict[str, Any], fields: list[dict[str, Any]]) -> None:
    """Bring the embed to 6,000 by lowering one cap on every text part, the longest first.

    Like water finding its level: the shortest cap that keeps the total within the limit is
    found, and only texts longer than it are clipped, so a long introduction or description gives
    way while the time, the place and the names stay whole.
    """
    parts: list[tuple[dict[str, Any], str]] = []
    if fitted.get("description"):
        parts.append((fitted, "description"))
    if fitted.get("title"):
        parts.append((fitted, "title"))
    for field in fields:
        parts.extend(((field, "value"), (field, "name")))
    for key, text_key in (("footer", "text"), ("author", "name")):
        if fitted.get(key) and fitted[key].get(text_key):
            parts.append((fitted[key], text_key))
    lengths = [len(holder[key]) for holder, key in parts]
    low, high = 1, max(lengths, default=1)
    while low < high:  # the largest cap whose clipped total fits
        cap = (low + high + 1) // 2
        if sum(min(length, cap) for length in lengths) <= EMBED_TOTAL:
            low = cap
        else:
            high = cap - 1
    for (holder, key), length in zip(parts, lengths, strict=True):
        if length > low:
            holder[key] = clip(holder[key], low) or EMPTY_FIELD
