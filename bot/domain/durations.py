"""Reading and writing short durations such as reminder offsets (``24h, 1h``)."""

from __future__ import annotations

import re

from bot.domain.errors import UserError, quote

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WEEK = 7 * DAY

MIN_OFFSET = 5 * MINUTE
MAX_OFFSET = 14 * DAY
MAX_OFFSETS = 5
DEFAULT_REMINDER_OFFSETS: tuple[int, ...] = (DAY, HOUR)

OFFSETS_EXAMPLE = "/config reminders offsets:24h, 1h"

# How long the data of a member who left (or of a server that removed the bot) is kept.
DEFAULT_RETENTION = 30 * DAY
MIN_RETENTION = DAY
MAX_RETENTION = 365 * DAY
RETENTION_EXAMPLE = "/config retention period:30d"

_UNITS: dict[str, int] = {
    "w": WEEK, "wk": WEEK, "wks": WEEK, "week": WEEK, "weeks": WEEK,
    "d": DAY, "day": DAY, "days": DAY,
    "h": HOUR, "hr": HOUR, "hrs": HOUR, "hour": HOUR, "hours": HOUR,
    "m": MINUTE, "min": MINUTE, "mins": MINUTE, "minute": MINUTE, "minutes": MINUTE,
}  # fmt: skip
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)")


def parse_duration(text: str) -> int:
    """``1d 12h``, ``90 minutes``, ``1.5h`` -> seconds. Raises UserError when unreadable."""
    cleaned = text.strip().lower().replace(" and ", " ")
    if not cleaned:
        raise UserError("A duration is empty.", "24h")
    position = 0
    total = 0.0
    for match in _PART.finditer(cleaned):
        between = cleaned[position : match.start()]
        if between.strip():
            break
        unit = _UNITS.get(match.group(2))
        if unit is None:
            raise UserError(
                f"`{quote(text)}` has an unknown unit `{quote(match.group(2), 20)}`; use m, h, d or w.",
                "90m or 1d 12h",
            )
        total += float(match.group(1)) * unit
        position = match.end()
    if position == 0 or cleaned[position:].strip():
        raise UserError(f"`{quote(text)}` is not a duration I can read.", "24h, 1h or 30m")
    return round(total)


def parse_offsets(text: str) -> tuple[int, ...]:
    """Reminder offsets before a meetup: 1 to 5 of them, 5 minutes to 14 days, largest first."""
    items = [item for item in re.split(r"[,;]", text) if item.strip()]
    if not items:
        raise UserError("Give at least one reminder offset.", OFFSETS_EXAMPLE)
    if len(items) > MAX_OFFSETS:
        raise UserError(
            f"That is {len(items)} reminder offsets; at most {MAX_OFFSETS} are allowed.", OFFSETS_EXAMPLE
        )
    offsets: set[int] = set()
    for item in items:
        try:
            seconds = parse_duration(item)
        except UserError as exc:
            raise UserError(exc.message, OFFSETS_EXAMPLE) from exc
        if seconds < MIN_OFFSET or seconds > MAX_OFFSET:
            raise UserError(
                f"`{quote(item)}` is out of range: each offset must be between 5 minutes and 14 days.",
                OFFSETS_EXAMPLE,
            )
        offsets.add(seconds)
    return tuple(sorted(offsets, reverse=True))


def parse_retention(text: str) -> int:
    """The retention period: one duration between 1 day and 365 days."""
    try:
        seconds = parse_duration(text)
    except UserError as exc:
        raise UserError(exc.message, RETENTION_EXAMPLE) from exc
    if seconds < MIN_RETENTION or seconds > MAX_RETENTION:
        raise UserError(
            f"`{text.strip()}` is out of range: keep data between 1 day and 365 days.", RETENTION_EXAMPLE
        )
    return seconds


def format_duration(seconds: int) -> str:
    """Short and exact: 86400 -> ``24h``, 5400 -> ``1h 30m``, 1209600 -> ``14d``."""
    if seconds <= 0:
        return "0m"
    if seconds % DAY == 0 and seconds > DAY:
        return f"{seconds // DAY}d"
    parts: list[str] = []
    days, rest = divmod(seconds, DAY)
    if days and rest:
        parts.append(f"{days}d")
    else:
        rest = seconds
    hours, rest = divmod(rest, HOUR)
    minutes, secs = divmod(rest, MINUTE)
    if hours:
        parts.append(f"{hours}h")
    if minutes:
        parts.append(f"{minutes}m")
    if secs:
        parts.append(f"{secs}s")
    return " ".join(parts)


def format_offsets(offsets: tuple[int, ...]) -> str:
    return ", ".join(format_duration(offset) for offset in offsets)
