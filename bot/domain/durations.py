"""Reading and writing durations: reminder offsets (``24h, 1h``), retention, a poll's ``closes``.

One grammar for every option that takes a duration, so what works in one works in all."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_UNIT = "|".join(sorted(_UNITS, key=len, reverse=True))
# One part of a duration, after an optional separator (a comma, "and", or nothing: "1h30m").
_PART = re.compile(
    rf"(?:\s*,\s*|\s+and\s+|\s*)"
    rf"(?:(?P<hours>\d+)h(?P<minutes>\d{{2}})(?![a-z\d])"  # 1h30, as much of Europe writes it
    rf"|half\s+(?:an?\s+)?(?P<half>{_UNIT})(?![a-z])"  # half an hour, half a day
    rf"|(?:(?P<n>\d+(?:[.,]\d+)?|[.,]\d+)\s*|(?P<word>{'|'.join(_NUMBERS)})\s+)"  # 2.5, 2,5, an, two
    rf"(?P<unit>{_UNIT})(?![a-z])(?P<and_half>\s+and\s+a\s+half)?)"
)
_UNKNOWN_UNIT = re.compile(r"(?:^|\s|,)(?:\d+(?:\.\d+)?)\s*(?P<word>[a-z]+)")


@dataclass(frozen=True, slots=True)
class Span:
    """A duration as typed: its length and the units used (``w``, ``d``, ``h``, ``m``)."""

    seconds: int
    units: frozenset[str]

    @property
    def elapsed(self) -> bool:
        """Hours and minutes are elapsed time; days and weeks alone can mean calendar days."""
        return bool(self.units & {"h", "m"})


def read_span(text: str) -> Span | None:
    """The one duration grammar (``closes``, reminder offsets, retention, ``in ...`` times).

    Numbers are whole or decimal (``2.5 hours``, ``1.5h``) or words (``an hour``, ``two days``);
    parts can be combined (``5 hours 30 minutes``, ``1h 30m``, ``1d 12h``, ``1 day, 6 hours``,
    ``2 hours and 15 minutes``, ``1h30``); ``half an hour``, ``half a day`` and ``an hour and a
    half`` mean what they say. None when the whole text is not a duration.
    """
    cleaned = " ".join(text.strip().lower().split())
    if not cleaned:
        return None
    position, total, units = 0, 0.0, set()
    while position < len(cleaned):
        part = _PART.match(cleaned, position)
        if part is None or part.end() == position:
            return None
        if part["hours"] is not None:
            total += int(part["hours"]) * HOUR + int(part["minutes"]) * MINUTE
            units |= {"h", "m"}
        elif part["half"] is not None:
            unit = part["half"]
            total += _UNITS[unit] / 2
            units.add(unit[0])
        else:
            amount = _NUMBERS[part["word"]] if part["word"] else float(part["n"].replace(",", "."))
            amount += 0.5 if part["and_half"] else 0
            total += amount * _UNITS[part["unit"]]
            units.add(part["unit"][0])
        position = part.end()
    return Span(round(total), frozenset(units))


def parse_duration(text: str) -> int:
    """``1d 12h``, ``90 minutes``, ``1.5h``, ``half an hour`` -> seconds. Raises UserError when
    unreadable."""
    if not text.strip():
        raise UserError("A duration is empty.", "24h")
    span = read_span(text)
    if span is not None:
        return span.seconds
    words = (match["word"] for match in _UNKNOWN_UNIT.finditer(text.lower()))
    unknown = next((word for word in words if word not in _UNITS and word != "and"), None)
    if unknown is not None:
        raise UserError(
            f"`{quote(text)}` has an unknown unit `{quote(unknown, 20)}`; use m, h, d or w.",
            "90m or 1d 12h",
        )
    raise UserError(f"`{quote(text)}` is not a duration I can read.", "24h, 1h or 30m")


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
