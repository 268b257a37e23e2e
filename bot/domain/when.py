"""Read the meetup times members type (``fri 7pm``, ``2026-12-05 18:30``, ``in 2 hours``).

Pure: the caller hands in ``now`` (the interaction's aware time) and the server's IANA zone, so
every rule is testable and nothing here reads the clock.

How a text is read, in this order:

1. A zone suffix at the end is taken off: a UTC offset (``+02:00``, ``-0500``, ``UTC+2``), ``UTC``/
   ``GMT``/``Z``, or one of the server zone's own abbreviations (``CET``/``CEST``, ``BST``/``GMT``).
   An offset fixes the instant outright; an abbreviation picks which of a repeated hour is meant.
2. The time of day is taken out by our own rules, never dateparser's, because dateparser reads
   ``fri 7`` as the 7th of the month. Rules: ``7pm``/``7:30 am`` are 12-hour; ``19:00`` is 24-hour;
   ``noon``/``midday`` are 12:00; ``midnight`` is the end of the named day (``fri midnight`` is the
   night of Friday into Saturday). A bare hour (``fri 7``, ``at 7``, ``tonight 9``) follows what a
   meetup most likely means: 1-7 is pm, 12 is noon, 0 and 13-23 are 24-hour, a leading zero
   (``07``) is taken as written, and 8-11 is refused as a question (am or pm?) except after
   ``tonight``. A single-digit hour 1-7 with minutes (``7:30``) is pm too.
3. The rest is the day. Weekdays (``fri``, ``this friday``, ``next friday``) are ours: a bare
   weekday is its next occurrence, today included while the time is still ahead; ``next`` means
   strictly after today. Everything else (``tomorrow``, ``in 3 days``, ``5 dec``, ``2026-12-05``) goes
   to dateparser, in English, preferring the future, relative to the local date of ``now``.
   Numeric dates that read both ways (``5/12``) are refused rather than guessed.
4. The wall time is placed in the zone with zoneinfo, so calendar arithmetic happens on the wall
   clock (``in 3 days at 8pm`` across a DST change is still 20:00). A wall time the clocks skip is
   refused; one they pass twice needs a suffix. ``in 2 hours`` is elapsed time, not wall time.
5. The result must be after ``now``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache, partial
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

from bot.domain.errors import UserError, quote

MAX_TIMES = 10
DEFAULT_CLOSE = timedelta(hours=48)
POLL_LEAD = timedelta(hours=1)
"""A poll closes at least this long before its earliest time, so the winner can still be planned."""

EXAMPLE = "fri 7pm"
_LIST_EXAMPLE = "fri 7pm; sat 2pm; 2026-12-05 18:30"
_READ_EXAMPLES = "fri 7pm, tomorrow at noon or 2026-12-05 18:30"

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_WEEKDAY = (
    r"(?P<wd>mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:r|rs|rsday)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?)\.?"
)
_WEEKDAY_PHRASE = re.compile(rf"(?:on\s+)?(?:(?P<rel>this|next|coming)\s+)?{_WEEKDAY}")
_WEEKDAY_WORD = re.compile(rf"\b{_WEEKDAY}\b")
_DAY_ANCHOR = re.compile(
    rf"(?:on\s+)?(?:(?:this|next|coming)\s+)?{_WEEKDAY}|today|tonight|tomorrow|(?:the\s+)?day after tomorrow"
)

_CLOCK = re.compile(
    r"\b(?P<h12>\d{1,2})(?::(?P<m12>\d{2}))?\s*(?P<ampm>[ap])m\b"
    r"|\b(?P<h24>\d{1,2}):(?P<m24>\d{2})(?::\d{2})?\b"
    r"|\b(?P<noon>noon|midday)\b"
    r"|\b(?P<midnight>midnight)\b"
    r"|\bat\s+(?P<hat>\d{1,2})\b(?!\s*(?:[ap]m\b|:))"
)
_BARE_HOUR_AFTER_DAY = re.compile(r"(?P<day>.+?)\s+(?P<h>\d{1,2})")
_NUMERIC_DATE = re.compile(r"(?<![\d/.-])(?P<a>\d{1,2})[/.](?P<b>\d{1,2})(?:[/.](?:\d{4}|\d{2}))?(?![\d/])")

_OFFSET_SUFFIX = re.compile(
    r"(?:(?<=\s)|(?<=utc)|(?<=gmt)|(?<=:\d\d))(?P<sign>[+-])(?P<oh>\d{1,2})(?::?(?P<om>\d{2}))?$", re.I
)
_NAME_SUFFIX = re.compile(r"(?:(?<=\s)|(?<=\d))(?P<name>[a-z]{1,5})$", re.I)
_UTC_NAMES = frozenset({"utc", "gmt", "z"})
_NOT_ZONES = frozenset(
    {"am", "pm", "noon", "today", "tonight", "at", "on", "in", "next", "this", "day", "days", "week"}
    | {m.lower() for m in _MONTHS}
    | {d.lower() for d in _DAYS}
    | {"june", "july", "tues", "thur", "thurs"}
)

_UNIT = r"(?P<unit>weeks?|w|days?|d|hours?|hrs?|h|minutes?|mins?|m)"
_DURATION_PART = re.compile(rf"(?P<n>\d+|an?|one)\s*{_UNIT}(?:\s*,\s*|\s+and\s+|\s+|$)")
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60}


@dataclass(frozen=True, slots=True)
class ReadTime:
    """A time as the member typed it and as we read it: UTC epoch seconds in a server zone."""

    text: str
    epoch: int
    tz: str

    @property
    def local(self) -> datetime:
        """The aware wall time in the server zone (the right fold on a repeated hour)."""
        return datetime.fromtimestamp(self.epoch, ZoneInfo(self.tz))

    @property
    def utc(self) -> datetime:
        return datetime.fromtimestamp(self.epoch, UTC)

    def describe(self) -> str:
        """How we read the text, shown back so the member can catch a misreading.

        The zone abbreviation is added only when the wall time happens twice that night.
        """
        local = self.local
        text = _format_wall(local)
        if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
            text += f" {local.tzname()}"
        return f"{text} ({self.tz})"


@dataclass(frozen=True, slots=True)
class _Suffix:
    """A zone suffix: ``offset`` fixes the instant, ``name`` picks among the zone's own names."""

    raw: str
    name: str | None
    offset: timedelta | None


@dataclass(frozen=True, slots=True)
class _Clock:
    hour: int
    minute: int
    next_day: bool = False  # midnight closes the named day


def read_time(text: str, *, now: datetime, tz: str) -> ReadTime:
    """Read one meetup time typed in the server's zone; refuse anything unclear or past."""
    _check_now(now)
    zone = ZoneInfo(tz)
    typed = text.strip()
    if not typed:
        raise UserError("Give a day and a time.", EXAMPLE)
    at = _read_instant(typed, now=now, zone=zone)
    if at <= now:
        raise UserError(
            f"“{quote(typed)}” reads as {_format_wall(at.astimezone(zone))}, which is already past.",
            _past_example(at, now, zone),
        )
    return ReadTime(text=typed, epoch=int(at.timestamp()), tz=tz)


def read_times(text: str, *, now: datetime, tz: str, max_count: int = MAX_TIMES) -> list[ReadTime]:
    """Read a ``;``-separated list of poll times, in the order typed.

    Empty items are skipped. Two items that read as the same moment are refused rather than
    merged, so the numbers on the poll stay the ones the member typed.
    """
    items = [item.strip() for item in text.split(";")]
    items = [item for item in items if item]
    if not items:
        raise UserError("Give at least one time.", _LIST_EXAMPLE)
    if len(items) > max_count:
        raise UserError(f"A poll takes at most {max_count} times; you gave {len(items)}.", _LIST_EXAMPLE)
    read: list[ReadTime] = []
    for number, item in enumerate(items, start=1):
        try:
            one = read_time(item, now=now, tz=tz)
        except UserError as error:
            raise UserError(f"Time {number} (“{quote(item)}”): {error.message}", error.example) from error
        for earlier_number, earlier in enumerate(read, start=1):
            if earlier.epoch == one.epoch:
                kept = "; ".join(i for n, i in enumerate(items, start=1) if n != number)
                raise UserError(
                    f"Times {earlier_number} and {number} are both {one.describe()}; list each time once.",
                    kept,
                )
        read.append(one)
    return read


def read_closes(text: str | None, *, now: datetime, tz: str, latest: int | None) -> ReadTime:
    """Read when a poll closes: a duration (``24h``, ``in 2 days``) or a time like ``read_time``.

    Durations are elapsed time from ``now`` (``2 days`` is 48 hours even across a DST change).
    No text means the default, 48 hours. ``latest`` is the epoch of the earliest time in the poll:
    the poll must close at least ``POLL_LEAD`` before it, and the default is pulled in to fit.
    """
    _check_now(now)
    typed = (text or "").strip()
    earliest = None if latest is None else ReadTime("", latest, tz)
    deadline = None if earliest is None else earliest.utc - POLL_LEAD
    if deadline is not None and deadline <= now:
        raise UserError(
            "The earliest time is less than an hour away, so there is no time left to vote: pick "
            "times further ahead, or create the meetup directly with /meetup create.",
            _LIST_EXAMPLE,
        )
    if not typed:
        at = now + DEFAULT_CLOSE if deadline is None else min(now + DEFAULT_CLOSE, deadline)
        return ReadTime(text="", epoch=int(at.timestamp()), tz=tz)
    duration = _read_duration(typed.lower().removeprefix("in "))
    if duration is not None:
        if duration[0] <= timedelta(0):
            raise UserError("A poll needs some time to collect votes.", "24h")
        at = _floor_minute(now + duration[0])
        read = ReadTime(text=typed, epoch=int(at.timestamp()), tz=tz)
    else:
        read = read_time(typed, now=now, tz=tz)
    if earliest is not None and deadline is not None and read.utc > deadline:
        raise UserError(
            f"The poll would close {read.describe()}, but it must close at least an hour before "
            f"the earliest time, {earliest.describe()}.",
            _format_duration(deadline - now),
        )
    return read


# -- reading ------------------------------------------------------------------------------------


def _read_instant(typed: str, *, now: datetime, zone: ZoneInfo) -> datetime:
    """The aware instant a text names, before the is-it-future check."""
    rest_typed, suffix = _split_suffix(typed, now=now, zone=zone)
    text = _normalise(rest_typed)

    if text.startswith("in ") and suffix is None:
        duration = _read_duration(text[3:])
        if duration is not None and duration[1] & {"h", "m"}:
            # hours and minutes are elapsed time; days and weeks go by the calendar below
            return _floor_minute(now + duration[0])

    evening = bool(re.search(r"\btonight\b", text))
    text, clock = _split_clock(text, evening=evening)
    local_now = now.astimezone(zone)
    read_day = partial(_read_day, text, typed=typed, rest_typed=rest_typed, today=local_now.date())
    if clock is None:
        read_day(clock=_Clock(19, 0))  # a day we can't read is the first thing to say
        raise UserError(f"“{quote(typed)}” has no time of day; say when it starts.", _add_time(rest_typed))
    day, rolls = read_day(clock=clock)
    wall = datetime.combine(day, time(clock.hour, clock.minute))  # naive wall time, localised below
    if clock.next_day:
        wall += timedelta(days=1)
    if rolls and wall <= local_now.replace(tzinfo=None):
        wall += timedelta(days=rolls)
    return _localise(wall, zone=zone, suffix=suffix)


def _normalise(text: str) -> str:
    text = text.lower()
    text = re.sub(r"\b([ap])\.m\.?", r"\1m", text)
    text = re.sub(r"(\d)t(\d)", r"\1 \2", text)  # ISO 2026-12-05T18:30
    text = text.replace(",", " ").replace("@", " at ")
    return re.sub(r"\s+", " ", text).strip()


def _split_suffix(typed: str, *, now: datetime, zone: ZoneInfo) -> tuple[str, _Suffix | None]:
    """Take a zone suffix off the end of the text."""
    match = _OFFSET_SUFFIX.search(typed)
    if match:
        hours, minutes = int(match["oh"]), int(match["om"] or 0)
        if hours > 14 or minutes > 59:
            raise UserError(
                f"“{quote(match[0])}” is not a UTC offset.", f"{typed[: match.start()].strip()} +02:00"
            )
        offset = timedelta(hours=hours, minutes=minutes) * (-1 if match["sign"] == "-" else 1)
        rest = typed[: match.start()]
        rest = re.sub(r"\s*(?:utc|gmt)$", "", rest, flags=re.I).strip()
        return rest, _Suffix(raw=match[0], name=None, offset=offset)
    match = _NAME_SUFFIX.search(typed)
    if not match:
        return typed, None
    raw = match["name"]
    name = raw.lower()
    rest = typed[: match.start()].strip()
    if name in _UTC_NAMES:
        return rest, _Suffix(raw=raw, name=name, offset=timedelta(0))
    if name in _zone_names(zone, now):
        return rest, _Suffix(raw=raw, name=name, offset=None)
    if raw.isupper() and raw.endswith("T") and name not in _NOT_ZONES:  # EST, PST, AEST...
        raise UserError(
            f"“{quote(raw)}” isn't a time zone I can use here: times are read in {zone.key}. "
            "Leave it out, or give a UTC offset such as -05:00.",
            rest,
        )
    return typed, None


def _zone_names(zone: ZoneInfo, now: datetime) -> set[str]:
    """The abbreviations the zone uses over the coming year (CET and CEST, GMT and BST...)."""
    names = set()
    for month in range(13):
        name = (now + timedelta(days=31 * month)).astimezone(zone).tzname()
        if name and name[0].isalpha():
            names.add(name.lower())
    return names


def _split_clock(text: str, *, evening: bool) -> tuple[str, _Clock | None]:
    """Take the time of day out of the text; what is left names the day."""
    matches = list(_CLOCK.finditer(text))
    if len(matches) > 1:
        raise UserError(
            f"“{quote(text)}” has more than one time in it; separate poll times with ;", "fri 7pm; sat 2pm"
        )
    if matches:
        match = matches[0]
        rest = text[: match.start()] + " " + text[match.end() :]
        clock = _clock_from(match, text=text, evening=evening)
    else:
        bare = _BARE_HOUR_AFTER_DAY.fullmatch(text)
        if not bare or not _DAY_ANCHOR.fullmatch(bare["day"]):
            return text, None
        rest = bare["day"]
        clock = _Clock(_bare_hour(bare["h"], text=text, evening=evening), 0)
    rest = re.sub(r"\bat\b", " ", rest)
    return re.sub(r"\s+", " ", rest).strip(), clock


def _clock_from(match: re.Match[str], *, text: str, evening: bool) -> _Clock:
    if match["h12"]:
        hour, minute = int(match["h12"]), int(match["m12"] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise UserError(f"“{quote(match[0])}” is not a time on a 12-hour clock.", "7pm")
        return _Clock(hour % 12 + (12 if match["ampm"] == "p" else 0), minute)
    if match["h24"]:
        hour, minute = int(match["h24"]), int(match["m24"])
        if hour > 23 or minute > 59:
            raise UserError(f"“{quote(match[0])}” is not a time of day.", "19:30")
        if (len(match["h24"]) == 1 and 1 <= hour <= 7) or (evening and 1 <= hour <= 11):
            hour += 12
        return _Clock(hour, minute)
    if match["noon"]:
        return _Clock(12, 0)
    if match["midnight"]:
        return _Clock(0, 0, next_day=True)
    return _Clock(_bare_hour(match["hat"], text=text, evening=evening), 0)


def _bare_hour(digits: str, *, text: str, evening: bool) -> int:
    """An hour typed without minutes or am/pm, read as a meetup most likely means it."""
    hour = int(digits)
    if hour > 23:
        raise UserError(f"“{quote(text)}”: {hour} is not an hour.", EXAMPLE)
    if digits.startswith("0") or hour == 0 or hour >= 12:
        return hour
    if hour <= 7 or evening:
        return hour + 12
    raise UserError(
        f"“{quote(text)}”: is that {hour}am or {hour}pm?", f"{text.replace(digits, f'{hour}pm', 1)}"
    )


def _read_day(text: str, *, typed: str, rest_typed: str, today: date, clock: _Clock) -> tuple[date, int]:
    """The local date the text names, and how many days to roll it if that moment has passed."""
    if not text:
        return today, 1
    weekday = _WEEKDAY_PHRASE.fullmatch(text)
    if weekday:
        target = _weekday_index(weekday["wd"])
        ahead = (target - today.weekday()) % 7
        if weekday["rel"] == "next" and ahead == 0:
            ahead = 7
        return today + timedelta(days=ahead), 0 if weekday["rel"] == "next" else 7

    numeric = _NUMERIC_DATE.search(text)
    if numeric:
        first, second = int(numeric["a"]), int(numeric["b"])
        if first != second and 1 <= first <= 12 and 1 <= second <= 12:
            as_dm = f"{first} {_MONTHS[second - 1].lower()}"
            as_md = f"{second} {_MONTHS[first - 1].lower()}"
            raise UserError(
                f"“{numeric[0]}” could be {as_dm} or {as_md}; write the month as a word.",
                f"{_NUMERIC_DATE.sub(as_dm, rest_typed, 1)} or {_NUMERIC_DATE.sub(as_md, rest_typed, 1)}",
            )

    text = re.sub(r"\btonight\b", "today", text)
    found = _parser(today).get_date_data(text).date_obj
    if found is None:
        raise UserError(
            f"I couldn't read “{quote(typed)}” as a day and time.",
            "fri 7pm, tomorrow at noon, 2026-12-05 18:30",
        )
    day = found.date()
    if (day.year, day.month, day.day) == (today.year + 1, today.month, today.day):
        # dateparser's "future" excludes today for a written date ("27 mar" on 27 March);
        # a reading from yesterday tells a written date from a relative one ("in 1 year").
        yesterday = _parser(today - timedelta(days=1)).get_date_data(text).date_obj
        if yesterday is not None and yesterday.date() == today:
            day = today
    named = _WEEKDAY_WORD.search(text)
    if named and _weekday_index(named["wd"]) != day.weekday():
        raise UserError(
            f"{day.day} {_MONTHS[day.month - 1]} {day.year} is a {_DAY_NAMES[day.weekday()]}, "
            f"not a {_DAY_NAMES[_weekday_index(named['wd'])]}.",
            f"{day.isoformat()} {clock.hour:02d}:{clock.minute:02d}",
        )
    return day, 0


@lru_cache(maxsize=8)
def _parser(today: date) -> DateDataParser:
    """dateparser configured once per local day: building one per call is needlessly slow.

    Only the date is taken from its answer, so the base is local midnight and ``REQUIRE_PARTS``
    refuses a month or year without a day (``december``, ``2026``).
    """
    base = datetime.combine(today, time())  # dateparser reasons in naive wall time
    return DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": base,
            "PREFER_DATES_FROM": "future",
            "RETURN_AS_TIMEZONE_AWARE": False,
            "REQUIRE_PARTS": ["day"],
            "DATE_ORDER": "DMY",
        },
    )


def _localise(wall: datetime, *, zone: ZoneInfo, suffix: _Suffix | None) -> datetime:
    """Place a naive wall time in the zone, refusing skipped hours and guessing no repeated ones."""
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    exists = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall
    names = {candidate.tzname().lower(): candidate for candidate in (first, second) if candidate.tzname()}
    if suffix is not None and suffix.name in names and exists:
        return names[suffix.name]
    if suffix is not None and suffix.offset is not None:
        return wall.replace(tzinfo=timezone(suffix.offset)).astimezone(zone)
    if not exists:
        after = first.astimezone(UTC).astimezone(zone)
        raise UserError(
            f"{_format_wall(first)} doesn't exist in {zone.key}: the clocks skip that hour "
            "for daylight saving.",
            f"{after:%Y-%m-%d %H:%M}",
        )
    if suffix is not None:
        raise UserError(
            f"{zone.key} is on {first.tzname()}, not {suffix.raw.upper()}, on {_format_wall(first)}.",
            f"{wall:%Y-%m-%d %H:%M} {first.tzname()}",
        )
    if first.utcoffset() != second.utcoffset():
        raise UserError(
            f"{_format_wall(first)} happens twice in {zone.key} (the clocks go back that night); "
            "say which one.",
            f"{wall:%Y-%m-%d %H:%M} {first.tzname()} or {wall:%Y-%m-%d %H:%M} {second.tzname()}",
        )
    return first


def _read_duration(text: str) -> tuple[timedelta, frozenset[str]] | None:
    """``2h``, ``1 day 12 hours``, ``an hour``, ``90 min``: the span and the units used (w d h m).

    None if the text is not a duration.
    """
    text = text.strip()
    position, total, units = 0, timedelta(0), set()
    while position < len(text):
        part = _DURATION_PART.match(text, position)
        if part is None:
            return None
        amount = 1 if part["n"] in ("a", "an", "one") else int(part["n"])
        unit = part["unit"][0]
        total += timedelta(seconds=amount * _UNIT_SECONDS[unit])
        units.add(unit)
        position = part.end()
    return (total, frozenset(units)) if units else None


# -- formatting ---------------------------------------------------------------------------------


def _format_wall(moment: datetime) -> str:
    """``Fri 5 Dec 2026, 19:00``: English whatever the host locale."""
    return (
        f"{_DAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]} {moment.year}, "
        f"{moment.hour:02d}:{moment.minute:02d}"
    )


def _format_duration(span: timedelta) -> str:
    """``1d 2h 5m``, in a form ``_read_duration`` reads back (rounded down to the minute)."""
    minutes = max(int(span.total_seconds() // 60), 1)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{amount}{unit}" for amount, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if amount]
    return " ".join(parts)


def _past_example(at: datetime, now: datetime, zone: ZoneInfo) -> str:
    """The same wall time on the next day it is still ahead."""
    local, local_now = at.astimezone(zone), now.astimezone(zone)
    day = local_now.date() if local.time() > local_now.time() else local_now.date() + timedelta(days=1)
    return f"{day.isoformat()} {local:%H:%M}"


def _add_time(typed: str) -> str:
    return f"{typed} 7pm" if typed else EXAMPLE


def _weekday_index(word: str) -> int:
    return [day.lower() for day in _DAYS].index(word[:3])


def _floor_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _check_now(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
