"""Read the meetup times members type (``fri 7pm``, ``08/21 at 19:30``, ``in 2 hours``).

Pure: the caller hands in ``now`` (the interaction's aware time), the server's IANA zone and the
server's date order, so every rule is testable and nothing here reads the clock. The rules are
held to a corpus of typed times in three zones and seven moments (tests/unit/when_corpus.py).

How a text is read, in this order:

1. A zone suffix at the end is taken off: a UTC offset (``+02:00``, ``-0500``, ``UTC+2``), ``UTC``/
   ``GMT``/``Z``, or one of the server zone's own abbreviations (``CET``/``CEST``, ``BST``/``GMT``).
   An offset fixes the instant outright; an abbreviation picks which of a repeated hour is meant.
2. A span from now is elapsed time: ``in 2 hours``, ``in 2.5 hours``, ``in half an hour``, ``5 hours
   from now``, in the one duration grammar of :mod:`bot.domain.durations` (shared with a poll's
   ``closes``, reminder offsets and retention). A span of whole days or weeks (``in 3 days at 8pm``)
   counts calendar days instead and needs a time. ``2 hours ago`` is refused as past.
3. The time of day is taken out by our own rules, never dateparser's, because dateparser reads
   ``fri 7`` as the 7th of the month. Rules: ``7pm``/``7:30 am``/``7.30pm`` are 12-hour; ``19:00``,
   ``19h``, ``19h30`` and ``19.30`` (when it cannot be a date) are 24-hour; ``noon``/``midday`` are
   12:00; ``midnight`` is the end of the named day (``fri midnight`` is the night of Friday into
   Saturday); a range (``7-9pm``, ``19:00-21:00``) is read as its start. A bare hour (``fri 7``,
   ``at 7``, ``7 o'clock``) follows what a meetup most likely means: 1-7 is pm, 12 is noon, 0 and
   13-23 are 24-hour, a leading zero (``07``) is taken as written, and 8-11 is refused as a
   question (am or pm?); ``morning`` makes it am, and ``afternoon``, ``evening``, ``night`` and
   ``tonight`` make it pm (``tonight at 12`` is midnight). A single-digit hour 1-7 with minutes
   (``7:30``) is pm too, unless it is morning. A range without am/pm (``sat 3-5``) starts at its
   first hour, by the same rules.
4. The rest is the day, read by our own grammar: ``today``/``tonight``, ``tomorrow``, ``the day after
   tomorrow``; a weekday (``fri``, ``this friday``, ``next friday``: a bare weekday is its next
   occurrence, today included while the time is still ahead, ``next`` means strictly after today,
   ``fri next week`` is the Friday of the week after this one, weeks starting on Monday);
   a date with the month in words (``5 dec``, ``december 5th``, ``the 5th of december``), ISO
   (``2026-12-05``) or in numbers (``21/08``, ``21.08.``, ``08/21/2026``, a two-digit year is 20yy);
   or a day of the month alone (``the 14th``: the next month that has it, this month included).
   In a numeric date a part above 12 can only be the day, so ``08/21`` and ``21/08`` are both 21
   August whatever the setting; one that reads both ways (``3/4``) follows the server's order
   (``/config dateformat``, by default from its timezone) and the read-back says which order it
   used. A weekday given with a date must agree with it. ``next week`` or ``this weekend`` without
   a day is refused as vague. Anything else goes to dateparser, in English, preferring the future,
   as a last resort. Every refusal carries an example that itself reads as a time ahead.
5. The wall time is placed in the zone with zoneinfo, so calendar arithmetic happens on the wall
   clock (``in 3 days at 8pm`` across a DST change is still 20:00). A wall time the clocks skip is
   refused; one they pass twice needs a suffix. ``in 2 hours`` is elapsed time, not wall time.
6. The result must be after ``now``. A time alone or a bare weekday whose moment has passed today
   is its next occurrence (tomorrow, next week). A date without a year is its next occurrence,
   today included; a date, a day of the month or ``today`` whose time has passed is refused rather
   than moved a month or a year. Nothing is read silently far away: a reading more than 12 months
   ahead is refused unless the member typed its year or said how far ahead (``in 400 days``).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.date_order import DateOrder, default_date_order
from bot.domain.durations import Span, read_span

if TYPE_CHECKING:  # dateparser (and its language data) is imported on first use: most phrases never need it
    from dateparser.date import DateDataParser
from bot.domain.errors import UserError, quote

MAX_TIMES = 10
DEFAULT_CLOSE = timedelta(hours=48)
POLL_LEAD = timedelta(hours=1)
"""A poll closes at least this long before its earliest time, so the winner can still be planned."""

EXAMPLE = "fri 7pm"
_LIST_EXAMPLE = "fri 7pm; sat 2pm; tomorrow at noon"
_UNREADABLE_EXAMPLE = "fri 7pm or tomorrow at noon"

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LONGEST_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

_WEEKDAY = (
    r"(?P<wd>mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:r|rs|rsday)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?)\.?"
)
_WEEKDAY_PHRASE = re.compile(rf"\b(?:(?P<rel>this|next|coming|last)\s+)?{_WEEKDAY}(?![a-z])")
_TOMORROW = r"tomorrow|tomorow|tommorow|tommorrow|tmrw|tmr"
_DAY_ANCHOR = re.compile(
    rf"(?:on\s+)?(?:(?:this|next|coming)\s+)?{_WEEKDAY}|today|{_TOMORROW}|(?:the\s+)?day after tomorrow"
)
_RELATIVE = re.compile(
    rf"\b(?:(?P<after>(?:the\s+)?day\s+after\s+tomorrow)|(?P<rel>today|yesterday|{_TOMORROW}))\b"
)
_RELATIVE_DAYS = {"today": 0, "yesterday": -1}

_MONTH = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?![a-z])"
)
_ORDINAL = r"(?:st|nd|rd|th)"
_YEAR = r"(?:\s+(?P<year>\d{4})\b)?"
_ISO_DATE = re.compile(r"\b(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})\b")
_NUMERIC_DATE = re.compile(
    r"(?<![\d/.:-])(?P<a>\d{1,2})(?P<sep>[/.])(?P<b>\d{1,2})(?:(?P=sep)(?P<year>\d{4}|\d{2}))?(?P=sep)?(?![\d/])"
    r"|(?<![\d/.:-])(?P<da>\d{1,2})-(?P<db>\d{1,2})-(?P<dyear>\d{4})\b"
)
_MONTH_FIRST = re.compile(rf"\b{_MONTH}\s+(?:the\s+)?(?P<day>\d{{1,2}}){_ORDINAL}?\b{_YEAR}")
_DAY_FIRST = re.compile(rf"\b(?:the\s+)?(?P<day>\d{{1,2}}){_ORDINAL}?(?:\s+of)?\s+{_MONTH}{_YEAR}")
_DAY_OF_MONTH = re.compile(rf"\bthe\s+(?P<day>\d{{1,2}}){_ORDINAL}?\b|\b(?P<ordinal>\d{{1,2}}){_ORDINAL}\b")
_IN_DAYS = re.compile(r"\bin\s+(?P<span>.+)$|^(?P<before>.+?)\s+from\s+now$")
_VAGUE = re.compile(r"(?:(?:this|next|coming|the)\s+)?(?P<what>weekend|week|month|year)")
_FILLER = frozenset({"the", "of", "on", "at", "this"})

_CLOCK = re.compile(
    r"\b(?P<h12>\d{1,2})(?:[:.](?P<m12>\d{2}))?\s*(?P<ampm>[ap])m\b"
    r"|(?<![\d.:/-])(?P<h24>\d{1,2}):(?P<m24>\d{2})(?::\d{2})?\b"
    r"|\b(?P<noon>noon|midday)\b"
    r"|\b(?P<midnight>midnight)\b"
    r"|\bat\s+(?P<hat>\d{1,2})\b(?![:.]\d|\s*[ap]m\b)"
)
_BARE_HOUR_AFTER_DAY = re.compile(r"(?P<day>.+?)\s+(?P<h>\d{1,2})|(?P<h_first>\d{1,2})\s+(?P<day_after>.+)")
_HOUR_H = re.compile(r"\b(?P<h>\d{1,2})h(?P<m>\d{2})?\b")
_RANGE = re.compile(
    r"(?<![\d/.:-])(?P<h1>\d{1,2})(?::(?P<m1>\d{2}))?\s*(?P<ap1>[ap]m)?"
    r"\s*(?:-|–|to|till|until)\s*"
    r"(?P<h2>\d{1,2})(?::(?P<m2>\d{2}))?\s*(?P<ap2>[ap]m)?(?![\d/.:])"
)
_CLOCK_RANGE_END = re.compile(r"\b\d{1,2}:\d{2}\s*[-–]\s*\d{1,2}:\d{2}$")
_DOTTED_TIME = re.compile(r"(?<![\d./:-])(?P<h>\d{1,2})\.(?P<m>\d{2})(?![\d./])")
_NEXT_WEEK = re.compile(r"\bnext\s+week\b")
_PERIOD = re.compile(
    r"\b(?:(?P<this>this)\s+)?(?P<period>morning|afternoon|evening|night)\b|\b(?P<tonight>tonight)\b"
)
_AM, _PM, _NIGHT = "am", "pm", "night"  # night is pm, and its 12 is midnight
_PERIODS = {"morning": _AM, "afternoon": _PM, "evening": _PM, "night": _NIGHT}

_OFFSET_SUFFIX = re.compile(
    r"(?:(?<=\s)|(?<=utc)|(?<=gmt)|(?<=:\d\d))(?P<sign>[+-])(?P<oh>\d{1,2})(?::?(?P<om>\d{2}))?$", re.I
)
_NAME_SUFFIX = re.compile(r"(?:(?<=\s)|(?<=\d))(?P<name>[a-z]{1,5})$", re.I)
_UTC_NAMES = frozenset({"utc", "gmt", "z"})
_NOT_ZONES = frozenset(
    {"am", "pm", "noon", "today", "tonight", "at", "on", "in", "next", "this", "day", "days", "week"}
    | {m.lower() for m in _MONTHS}
    | {d.lower() for d in _DAYS}
    | {"june", "july", "sept", "tues", "thur", "thurs", "st", "nd", "rd", "th", "h", "last", "night"}
)


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

        The zone abbreviation is added only when the wall time happens twice that night; the date
        order only when the text had a numeric date that reads both ways (``3/4``).
        """
        return _describe(self.text, self.epoch, self.tz)


@lru_cache(maxsize=4096)
def _describe(text: str, epoch: int, tz: str) -> str:
    """:meth:`ReadTime.describe`, remembered: a live poll or card shows the same times on every
    edit, and reading the text again (its date order) is most of what rendering one costs."""
    local = datetime.fromtimestamp(epoch, ZoneInfo(tz))
    wall = _format_wall(local)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        wall += f" {local.tzname()}"
    order = _order_used(text, local)
    if order is not None:
        return f"{wall} ({tz}; {order[0]} read as {order[1].parts})"
    return f"{wall} ({tz})"


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


@dataclass(frozen=True, slots=True)
class _Day:
    """The local date a text names; ``rolls`` days are added while that moment has passed;
    ``explicit`` when the member typed the year or how far ahead it is."""

    day: date
    rolls: int = 0
    explicit: bool = False


def read_time(text: str, *, now: datetime, tz: str, order: DateOrder | str | None = None) -> ReadTime:
    """Read one meetup time typed in the server's zone; refuse anything unclear, past or far off.

    ``order`` is how the server writes numeric dates; None takes the default for ``tz``.
    """
    now = _utc_now(now)
    zone = ZoneInfo(tz)
    dates = DateOrder(order) if order is not None else default_date_order(tz)
    typed = text.strip()
    if not typed:
        raise UserError("Give a day and a time.", EXAMPLE)
    try:
        at = _read_ahead(typed, now=now, zone=zone, dates=dates)
    except UserError as error:
        raise UserError(
            error.message, _example_that_reads(error.example, now=now, zone=zone, dates=dates)
        ) from None
    return ReadTime(text=typed, epoch=int(at.timestamp()), tz=tz)


def read_times(
    text: str,
    *,
    now: datetime,
    tz: str,
    order: DateOrder | str | None = None,
    max_count: int = MAX_TIMES,
) -> list[ReadTime]:
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
            one = read_time(item, now=now, tz=tz, order=order)
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


def read_closes(
    text: str | None,
    *,
    now: datetime,
    tz: str,
    latest: int | None,
    order: DateOrder | str | None = None,
) -> ReadTime:
    """Read when a poll closes: a duration (``24h``, ``2.5 hours``, ``in 2 days``) or a time like
    ``read_time``.

    Durations are elapsed time from ``now`` (``2 days`` is 48 hours even across a DST change), in
    the grammar of :func:`bot.domain.durations.read_span`. No text means the default, 48 hours.
    ``latest`` is the epoch of the earliest time in the poll: the poll must close at least
    ``POLL_LEAD`` before it, and the default is pulled in to fit.
    """
    now = _utc_now(now)
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
    span = read_span(re.sub(r"^in\s+", "", typed.lower()))
    if span is not None:
        if span.seconds <= 0:
            raise UserError("A poll needs some time to collect votes.", "24h")
        at = _floor_minute(now + timedelta(seconds=span.seconds))
        read = ReadTime(text=typed, epoch=int(at.timestamp()), tz=tz)
    else:
        read = read_time(typed, now=now, tz=tz, order=order)
    if earliest is not None and deadline is not None and read.utc > deadline:
        raise UserError(
            f"The poll would close {read.describe()}, but it must close at least an hour before "
            f"the earliest time, {earliest.describe()}.",
            _format_duration(deadline - now),
        )
    return read


DATE_EXAMPLE = "2026-12-31"


def read_date(text: str, *, now: datetime, tz: str, order: DateOrder | str | None = None) -> date:
    """Read a day without a time (a series' ``until``, the occurrence to skip) by rule 4's grammar:
    ``2026-03-31``, ``31 mar``, ``3/31`` in the server's order, ``next friday``, ``tomorrow``.

    A time of day typed with it is ignored; today counts, a day already past is refused."""
    now = _utc_now(now)
    zone = ZoneInfo(tz)
    dates = DateOrder(order) if order is not None else default_date_order(tz)
    typed = text.strip()
    today = now.astimezone(zone).date()
    example = (today + timedelta(days=7)).isoformat()
    plain, period = _split_period(_normalise(typed)) if typed else ("", None)
    try:
        rest, clock = _split_clock(plain, period=period)
    except UserError:
        rest = plain
    if not _squash(re.sub(r"\b(?:at|on)\b", " ", rest)):
        raise UserError("Give a date.", example)
    try:
        day = _read_day(rest, full=plain, typed=typed, today=today, clock=clock or _Clock(19, 0), dates=dates)
    except UserError as error:
        if error.example != _UNREADABLE_EXAMPLE:
            raise
        raise UserError(f"I couldn't read “{quote(typed)}” as a date.", example) from None
    if day.day < today:
        raise UserError(f"“{quote(typed)}” reads as {_format_day(day.day)}, which is already past.", example)
    return day.day


def read_time_of_day(text: str) -> tuple[int, int] | None:
    """``20:00``, ``8pm``, ``at 19h30``: (hour, minute) when the text is a time of day and nothing
    else (a series keeps its days and changes only its time); None otherwise."""
    try:
        plain, period = _split_period(_normalise(text))
        rest, clock = _split_clock(plain, period=period)
    except UserError:
        return None
    if clock is None or clock.next_day or _squash(re.sub(r"\b(?:at|today)\b", " ", rest)):
        return None
    return clock.hour, clock.minute


def _format_day(day: date) -> str:
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


# -- reading ------------------------------------------------------------------------------------


def _read_ahead(
    typed: str, *, now: datetime, zone: ZoneInfo, dates: DateOrder, examples: bool = True
) -> datetime:
    """The instant a text names, refused when past or silently far away."""
    at, explicit = _read_instant(typed, now=now, zone=zone, dates=dates)
    local, local_now = at.astimezone(zone), now.astimezone(zone)
    if at <= now:
        raise UserError(
            f"“{quote(typed)}” reads as {_format_wall(local)}, which is already past.",
            _past_example(at, now, zone, dates) if examples else EXAMPLE,
        )
    if not explicit and local.replace(tzinfo=None) > _a_year_after(local_now.replace(tzinfo=None)):
        raise UserError(
            f"“{quote(typed)}” reads as {_format_wall(local)}, more than 12 months ahead; "
            "type the year if that is what you mean.",
            f"{local:%Y-%m-%d %H:%M}",
        )
    return at


def _read_instant(typed: str, *, now: datetime, zone: ZoneInfo, dates: DateOrder) -> tuple[datetime, bool]:
    """The aware instant a text names, before the is-it-future check, and whether the member
    typed its year or how far ahead it is."""
    rest_typed, suffix = _split_suffix(typed, now=now, zone=zone)
    plain = " ".join(rest_typed.lower().split())
    if suffix is None:
        span = _span_from_now(plain)
        if span is not None and span.elapsed:
            # hours and minutes are elapsed time; days and weeks go by the calendar below
            return _floor_minute(now + timedelta(seconds=span.seconds)), True
    ago = re.fullmatch(r"(?P<span>.+?)\s+ago", plain)
    if ago and read_span(ago["span"]) is not None:
        raise UserError(f"“{quote(typed)}” is already past.", f"in {ago['span']}")

    text, period = _split_period(_normalise(rest_typed))
    full = text
    text, clock = _split_clock(text, period=period)
    local_now = now.astimezone(zone)
    today = local_now.date()

    def read_day(clock: _Clock) -> _Day:
        return _read_day(text, full=full, typed=typed, today=today, clock=clock, dates=dates)

    if clock is None:
        read_day(_Clock(19, 0))  # a day we can't read is the first thing to say
        raise UserError(
            f"“{quote(typed)}” has no time of day; say when it starts.",
            _readable([f"{rest_typed} 7pm", f"{full} 7pm", "tomorrow 7pm"], now=now, zone=zone, dates=dates)
            or EXAMPLE,
        )
    day = read_day(clock)
    wall = datetime.combine(day.day, time(clock.hour, clock.minute))  # naive wall time, localised below
    if clock.next_day:
        wall += timedelta(days=1)
    if day.rolls and wall <= local_now.replace(tzinfo=None):
        wall += timedelta(days=day.rolls)
    return _localise(wall, zone=zone, suffix=suffix), day.explicit


def _span_from_now(text: str) -> Span | None:
    """``in 2 hours`` or ``2 hours from now``."""
    match = re.fullmatch(r"in\s+(?P<span>.+)|(?P<before>.+?)\s+from\s+now", text)
    if match is None:
        return None
    return read_span(match["span"] or match["before"])


def _normalise(text: str) -> str:
    text = text.lower()
    text = re.sub(r"\b([ap])\.m\.?", r"\1m", text)
    text = re.sub(r"(\d)t(\d)", r"\1 \2", text)  # ISO 2026-12-05T18:30
    text = text.replace(",", " ").replace("@", " at ")
    text = re.sub(r"\bo'?clock\b", " ", text)
    # 19h and 19h30 are how much of Europe writes 19:00 and 19:30; 7h is 07:00, as written.
    text = _HOUR_H.sub(lambda m: f"{int(m['h']):02d}:{m['m'] or '00'}", text)
    text = _RANGE.sub(_range_start, text)
    return re.sub(r"\s+", " ", text).strip()


def _range_start(match: re.Match[str]) -> str:
    """``7-9pm`` -> ``19:00``: a meetup starts at the start of its range."""
    hour, minute = int(match["h1"]), int(match["m1"] or 0)
    if not (match["ap1"] or match["ap2"] or match["m1"] or match["m2"]):
        # sat 3-5 starts at a bare 3 (the bare-hour rules decide); 3-4 alone is no time at all
        return match["h1"] if hour <= 23 and int(match["h2"]) <= 23 else match[0]
    if match["ap1"]:
        return f"{hour}:{minute:02d}{match['ap1']}"
    if match["ap2"] and hour <= 12:
        end = int(match["h2"]) % 12 + (12 if match["ap2"] == _PM else 0)
        end_minutes = end * 60 + int(match["m2"] or 0)
        pm = hour % 12 + 12
        hour = pm if pm * 60 + minute < end_minutes else hour % 12
        return f"{hour:02d}:{minute:02d}"
    return f"{hour}:{minute:02d}"


def _split_period(text: str) -> tuple[str, str | None]:
    """Take ``tonight``, ``this morning``, ``friday evening``'s part of the day out of the text."""
    match = _PERIOD.search(text)
    if match is None:
        return text, None
    if match["tonight"]:
        return _squash(text[: match.start()] + " today " + text[match.end() :]), _NIGHT
    today = " today " if match["this"] else " "
    return _squash(text[: match.start()] + today + text[match.end() :]), _PERIODS[match["period"]]


def _split_suffix(typed: str, *, now: datetime, zone: ZoneInfo) -> tuple[str, _Suffix | None]:
    """Take a zone suffix off the end of the text."""
    match = _OFFSET_SUFFIX.search(typed)
    if match and _CLOCK_RANGE_END.search(typed) and not _ISO_DATE.search(typed):
        match = None  # fri 19:00-21:00 is a range; 2026-12-05T19:00-05:00 is an offset
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


def _split_clock(text: str, *, period: str | None) -> tuple[str, _Clock | None]:
    """Take the time of day out of the text; what is left names the day."""
    matches = list(_CLOCK.finditer(text))
    if len(matches) > 1:
        second = matches[1]
        raise UserError(
            f"“{quote(text)}” has more than one time in it ({matches[0][0].strip()} and "
            f"{second[0].strip()}); give one, or separate poll times with ;",
            _squash(text[: second.start()] + " " + text[second.end() :]),
        )
    if matches:
        match = matches[0]
        rest = text[: match.start()] + " " + text[match.end() :]
        clock = _clock_from(match, text=text, period=period)
    elif dotted := _dotted_time(text):
        rest = text[: dotted.start()] + " " + text[dotted.end() :]
        clock = _Clock(int(dotted["h"]), int(dotted["m"]))
    else:
        bare = _BARE_HOUR_AFTER_DAY.fullmatch(text)
        day = bare and (bare["day"] or bare["day_after"])
        if not bare or not day or not _DAY_ANCHOR.fullmatch(day):
            return text, None
        rest = day
        clock = _bare_hour(bare["h"] or bare["h_first"], text=text, period=period)
    rest = re.sub(r"\bat\b", " ", rest)
    return _squash(rest), clock


def _dotted_time(text: str) -> re.Match[str] | None:
    """``19.30``, ``14.00``: a 24-hour time written with a dot, when it cannot be a date."""
    for match in _DOTTED_TIME.finditer(text):
        hour, minute = int(match["h"]), int(match["m"])
        could_be_date = (1 <= hour <= 31 and 1 <= minute <= 12) or (1 <= hour <= 12 and 1 <= minute <= 31)
        if hour <= 23 and minute <= 59 and not could_be_date:
            return match
    return None


def _clock_from(match: re.Match[str], *, text: str, period: str | None) -> _Clock:
    if match["h12"]:
        hour, minute = int(match["h12"]), int(match["m12"] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            example = f"{hour}:{minute:02d}" if 13 <= hour <= 23 and minute <= 59 else "7pm"
            raise UserError(f"“{quote(match[0])}” is not a time on a 12-hour clock.", example)
        return _Clock(hour % 12 + (12 if match["ampm"] == "p" else 0), minute)
    if match["h24"]:
        hour, minute = int(match["h24"]), int(match["m24"])
        if hour > 23 or minute > 59:
            raise UserError(f"“{quote(match[0])}” is not a time of day.", "19:30")
        if period != _AM and (
            (len(match["h24"]) == 1 and 1 <= hour <= 7) or (period in (_PM, _NIGHT) and 1 <= hour <= 11)
        ):
            hour += 12
        return _Clock(hour, minute)
    if match["noon"]:
        return _Clock(12, 0)
    if match["midnight"]:
        return _Clock(0, 0, next_day=True)
    return _bare_hour(match["hat"], text=text, period=period)


def _bare_hour(digits: str, *, text: str, period: str | None) -> _Clock:
    """An hour typed without minutes or am/pm, read as a meetup most likely means it."""
    hour = int(digits)
    if hour > 23:
        raise UserError(f"“{quote(text)}”: {hour} is not an hour.", EXAMPLE)
    if hour == 12 and period == _NIGHT:
        return _Clock(0, 0, next_day=True)  # tonight at 12
    if digits.startswith("0") or hour == 0 or hour >= 12 or period == _AM:
        return _Clock(hour, 0)
    if hour <= 7 or period in (_PM, _NIGHT):
        return _Clock(hour + 12, 0)
    raise UserError(
        f"“{quote(text)}”: is that {hour}am or {hour}pm?",
        re.sub(rf"\b{digits}\b", f"{hour}pm", text, count=1),
    )


def _read_day(text: str, *, full: str, typed: str, today: date, clock: _Clock, dates: DateOrder) -> _Day:
    """The local date the text names (the time of day already taken out)."""
    text = _squash(re.sub(r"\b(?:at|on)\b", " ", text))
    if not text:
        return _Day(today, rolls=1)
    rest = text
    anchors: list[_Day] = []
    relative = _RELATIVE.search(rest)
    if relative:
        ahead = 2 if relative["after"] else _RELATIVE_DAYS.get(relative["rel"], 1)
        anchors.append(_Day(today + timedelta(days=ahead)))
        rest = _cut(rest, relative)
    in_days = _IN_DAYS.search(rest)
    if in_days:
        span = read_span(in_days["span"] or in_days["before"])
        if span is not None and not span.elapsed and span.seconds % 86400 == 0:
            anchors.append(_Day(today + timedelta(seconds=span.seconds), explicit=True))
            rest = _cut(rest, in_days)
    for finder in (_iso_date, _numeric_date, _words_date, _day_of_month):
        found = finder(rest, full=full, today=today, dates=dates)
        if found is not None:
            day, match = found
            anchors.append(day)
            rest = _cut(rest, match)
            break
    weekday = _WEEKDAY_PHRASE.search(rest)
    next_week = None
    if weekday:
        rest = _cut(rest, weekday)
        next_week = _NEXT_WEEK.search(rest) if weekday["rel"] is None and not anchors else None
        if next_week:  # fri next week, next week friday
            rest = _cut(rest, next_week)
    leftover = [word for word in rest.split() if word not in _FILLER]
    if leftover or len(anchors) > 1:
        vague = _VAGUE.fullmatch(" ".join(w for w in rest.split() if w not in {"on", "at"}))
        if vague and not anchors and weekday is None:
            day_word = "sat" if vague["what"] == "weekend" else ("next mon" if "next" in vague[0] else "mon")
            example = full.replace(vague[0], day_word, 1)
            timed = _CLOCK.search(full) is not None
            raise UserError(
                f"“{quote(typed)}” doesn't say which day; name one.", example if timed else f"{example} 7pm"
            )
        return _fallback(text, typed=typed, today=today, clock=clock, dates=dates)

    if weekday and weekday["rel"] == "last":
        raise UserError(f"“{quote(typed)}” is already past.", _squash(full.replace("last ", "", 1)))
    if next_week is not None and weekday is not None:
        monday = today - timedelta(days=today.weekday())  # weeks start on Monday, as ISO has it
        return _Day(monday + timedelta(days=7 + _weekday_index(weekday["wd"])))
    if not anchors:
        assert weekday is not None
        target = _weekday_index(weekday["wd"])
        ahead = (target - today.weekday()) % 7
        if weekday["rel"] == "next" and ahead == 0:
            ahead = 7
        return _Day(today + timedelta(days=ahead), rolls=0 if weekday["rel"] == "next" else 7)
    [anchor] = anchors
    if weekday:
        _check_weekday(anchor.day, weekday["wd"], clock)
    return anchor


_Found = tuple[_Day, re.Match[str]] | None  # a date the text names, and where it was written


def _cut(text: str, match: re.Match[str]) -> str:
    return _squash(text[: match.start()] + " " + text[match.end() :])


def _iso_date(text: str, *, full: str, today: date, dates: DateOrder) -> _Found:
    match = _ISO_DATE.search(text)
    if match is None:
        return None
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    if not 1 <= month <= 12:
        raise UserError(f"“{match[0]}” is not a date: {month} is not a month.", "2026-12-05 18:30")
    return _Day(_dated(year, month, day, match=match, full=full), explicit=True), match


def _numeric_date(text: str, *, full: str, today: date, dates: DateOrder) -> _Found:
    """``21/08``, ``08/21``, ``21.08.``, ``3/4/2026``: the only possible reading, else the server's order."""
    match = _NUMERIC_DATE.search(text)
    if match is None:
        return None
    first, second = int(match["a"] or match["da"]), int(match["b"] or match["db"])
    typed_year = match["year"] or match["dyear"]
    day_month = (first, second) if 1 <= second <= 12 and 1 <= first <= 31 else None
    month_day = (second, first) if 1 <= first <= 12 and 1 <= second <= 31 else None
    if day_month is None and month_day is None:
        soon = today + timedelta(days=7)
        raise UserError(
            f"“{match[0].strip('.')}” is not a date, day/month or month/day.",
            full.replace(match[0], f"{soon.day} {_MONTHS[soon.month - 1].lower()}", 1),
        )
    if day_month is not None and month_day is not None:
        day, month = day_month if dates is DateOrder.DAY_MONTH else month_day
    else:
        day, month = day_month or month_day  # type: ignore[misc]
    if typed_year is None:
        return _Day(_next_date(month, day, today, match=match, full=full)), match
    year = int(typed_year) + (2000 if len(typed_year) == 2 else 0)
    return _Day(_dated(year, month, day, match=match, full=full), explicit=True), match


def _words_date(text: str, *, full: str, today: date, dates: DateOrder) -> _Found:
    """``5 dec``, ``december 5th 2026``, ``the 5th of december``."""
    match = _MONTH_FIRST.search(text) or _DAY_FIRST.search(text)
    if match is None:
        return None
    month = [m.lower() for m in _MONTHS].index(match["mon"][:3]) + 1
    day = int(match["day"])
    if match["year"] is None:
        return _Day(_next_date(month, day, today, match=match, full=full)), match
    return _Day(_dated(int(match["year"]), month, day, match=match, full=full), explicit=True), match


def _day_of_month(text: str, *, full: str, today: date, dates: DateOrder) -> _Found:
    """``the 14th``: the next month that has that day, this month included; the same everywhere."""
    match = _DAY_OF_MONTH.search(text)
    if match is None:
        return None
    day = int(match["day"] or match["ordinal"])
    if not 1 <= day <= 31:
        raise UserError(f"“{match[0]}” is not a day of the month.", full.replace(match[0], "the 14th", 1))
    year, month = today.year, today.month
    while day > calendar.monthrange(year, month)[1] or date(year, month, day) < today:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return _Day(date(year, month, day)), match


def _next_date(month: int, day: int, today: date, *, match: re.Match[str], full: str) -> date:
    """Day and month without a year: the next such date, today included."""
    if not 1 <= day <= _LONGEST_MONTH[month - 1]:
        year = today.year if (month, 1) >= (today.month, 1) else today.year + 1
        last = calendar.monthrange(year, month)[1]
        raise UserError(
            f"There is no {day} {_MONTHS[month - 1]}.",
            full.replace(match[0], f"{last} {_MONTHS[month - 1].lower()}", 1),
        )
    year = today.year
    while day > calendar.monthrange(year, month)[1] or date(year, month, day) < today:
        year += 1
    return date(year, month, day)


def _dated(year: int, month: int, day: int, *, match: re.Match[str], full: str) -> date:
    """A date with its year, as typed."""
    if not 1 <= month <= 12:
        raise UserError(f"“{match[0]}” is not a date: {month} is not a month.", "2026-12-05 18:30")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise UserError(
            f"There is no {day} {_MONTHS[month - 1]} {year}.",
            full.replace(match[0], f"{last} {_MONTHS[month - 1].lower()} {year}", 1),
        )
    return date(year, month, day)


def _check_weekday(day: date, word: str, clock: _Clock) -> None:
    named = _weekday_index(word)
    if named != day.weekday():
        raise UserError(
            f"{day.day} {_MONTHS[day.month - 1]} {day.year} is a {_DAY_NAMES[day.weekday()]}, "
            f"not a {_DAY_NAMES[named]}.",
            f"{day.isoformat()} {clock.hour:02d}:{clock.minute:02d}",
        )


def _fallback(text: str, *, typed: str, today: date, clock: _Clock, dates: DateOrder) -> _Day:
    """What our grammar doesn't know (``in 2 months``, ``a week from tomorrow``), read by dateparser."""
    found = _parser(today, dates).get_date_data(text).date_obj
    if found is None:
        raise UserError(f"I couldn't read “{quote(typed)}” as a day and time.", _UNREADABLE_EXAMPLE)
    day = found.date()
    if (day.year, day.month, day.day) == (today.year + 1, today.month, today.day):
        # dateparser's "future" excludes today for a written date ("27 mar" on 27 March);
        # a reading from yesterday tells a written date from a relative one ("in 1 year").
        yesterday = _parser(today - timedelta(days=1), dates).get_date_data(text).date_obj
        if yesterday is not None and yesterday.date() == today:
            day = today
    named = _WEEKDAY_PHRASE.search(text)
    if named:
        _check_weekday(day, named["wd"], clock)
    return _Day(day, explicit=re.search(r"\b\d{4}\b", text) is not None)


@lru_cache(maxsize=16)
def _parser(today: date, dates: DateOrder) -> DateDataParser:
    """dateparser configured once per local day: building one per call is needlessly slow.

    Only the date is taken from its answer, so the base is local midnight and ``REQUIRE_PARTS``
    refuses a month or year without a day (``december``, ``2026``).
    """
    from dateparser.date import DateDataParser

    base = datetime.combine(today, time())  # dateparser reasons in naive wall time
    return DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": base,
            "PREFER_DATES_FROM": "future",
            "RETURN_AS_TIMEZONE_AWARE": False,
            "REQUIRE_PARTS": ["day"],
            "DATE_ORDER": "DMY" if dates is DateOrder.DAY_MONTH else "MDY",
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


def _order_used(text: str, local: datetime) -> tuple[str, DateOrder] | None:
    """The numeric date in ``text`` that reads both ways, and the order that gives ``local``'s date.

    Worked out from the text and the reading, so a stored time says it too."""
    if not text:
        return None
    dated = _CLOCK.sub(" ", _normalise(text))  # times out first: 10.11pm is no date
    for match in _NUMERIC_DATE.finditer(dated):
        if match["a"] is None:
            first, second = int(match["da"]), int(match["db"])
        else:
            first, second = int(match["a"]), int(match["b"])
        if first == second or not (1 <= first <= 12 and 1 <= second <= 12):
            continue
        for day in (local.date(), local.date() - timedelta(days=1)):  # midnight ends the named day
            if (day.day, day.month) == (first, second):
                return match[0].strip(".").strip(), DateOrder.DAY_MONTH
            if (day.day, day.month) == (second, first):
                return match[0].strip(".").strip(), DateOrder.MONTH_DAY
    return None


# -- formatting ---------------------------------------------------------------------------------


def _format_wall(moment: datetime) -> str:
    """``Fri 5 Dec 2026, 19:00``: English whatever the host locale."""
    return (
        f"{_DAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]} {moment.year}, "
        f"{moment.hour:02d}:{moment.minute:02d}"
    )


def _format_duration(span: timedelta) -> str:
    """``1d 2h 5m``, in a form ``read_span`` reads back (rounded down to the minute)."""
    minutes = max(int(span.total_seconds() // 60), 1)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{amount}{unit}" for amount, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if amount]
    return " ".join(parts)


def _past_example(at: datetime, now: datetime, zone: ZoneInfo, dates: DateOrder) -> str:
    """The same wall time on the next day it is still ahead (and exists)."""
    local, local_now = at.astimezone(zone), now.astimezone(zone)
    day = local_now.date() if local.time() > local_now.time() else local_now.date() + timedelta(days=1)
    candidates = [f"{day + timedelta(days=n)} {local:%H:%M}" for n in range(3)]
    return _readable(candidates, now=now, zone=zone, dates=dates) or EXAMPLE


def _readable(
    candidates: list[str], *, now: datetime, zone: ZoneInfo, dates: DateOrder, fallback: str | None = EXAMPLE
) -> str | None:
    """The first example that reads as a time ahead, so no refusal suggests another refusal."""
    for candidate in candidates:
        try:
            _read_ahead(candidate, now=now, zone=zone, dates=dates, examples=False)
        except UserError:
            continue
        return candidate
    return fallback


def _example_that_reads(example: str | None, *, now: datetime, zone: ZoneInfo, dates: DateOrder) -> str:
    """A refusal's example with every alternative (``a or b``) reading as a time ahead: one that
    lacks its time of day gets 7pm, one that still doesn't read is left out."""
    kept = []
    for alternative in re.split(r"\s+or\s+", example or ""):
        found = _readable([alternative, f"{alternative} 7pm"], now=now, zone=zone, dates=dates, fallback=None)
        if found is not None:
            kept.append(found)
    return " or ".join(kept) if kept else _UNREADABLE_EXAMPLE


def _a_year_after(wall: datetime) -> datetime:
    try:
        return wall.replace(year=wall.year + 1)
    except ValueError:  # 29 February
        return wall.replace(year=wall.year + 1, day=28)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _weekday_index(word: str) -> int:
    return [day.lower() for day in _DAYS].index(word[:3])


def _floor_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _utc_now(now: datetime) -> datetime:
    """``now`` in UTC, so adding hours adds elapsed time (aware arithmetic in a zone is wall time)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(UTC)
