"""Meetups that recur: the repeat rules members type, and the occurrences they lead to.

Pure: no discord, no database, no clock. A series is an *anchor* (the local wall time of one
occurrence, in the server's zone) and a rule. Every occurrence is the anchor's wall time on one of
the rule's dates, placed in the zone afterwards, so 19:00 in Berlin stays 19:00 before and after
the clocks change (the UTC time moves, not the wall clock). A wall time the clocks skip that night
moves an hour later, as the clocks do; one they pass twice is the first.

What ``repeat`` reads (case and spacing don't matter):

1. ``weekly``, ``every week``: the anchor's weekday every week.
2. ``every 2 weeks`` (any N from 1 to 8, in digits or words), ``every other week``, ``biweekly``,
   ``fortnightly``: the anchor's weekday every N weeks.
3. ``monthly``, ``every month``: the anchor's day of the month, or the month's last day when it is
   shorter (31 January, 28 February, 31 March, 30 April).
4. ``monthly on the first friday`` (``first`` to ``fourth``, ``1st`` to ``4th``, or ``last``; any
   weekday, full or short), also ``every first friday`` and ``first friday of the month``: that
   weekday of every month. The first occurrence must fall on such a day.

Anything else (``daily``, ``yearly``, ``every 9 weeks``, ``the fifth friday``) is refused with
examples that work.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.durations import DAY, HOUR, WEEK, parse_duration
from bot.domain.errors import UserError, quote

MAX_INTERVAL = 8
"""``every N weeks`` goes up to this N."""
DEFAULT_AHEAD = 7 * DAY
MIN_AHEAD = HOUR
MAX_AHEAD = 8 * WEEK
AHEAD_EXAMPLE = "/config series ahead:7d"
REPEAT_EXAMPLES = "weekly, every 2 weeks, monthly, monthly on the first friday"
CREATE_EXAMPLE = "/meetup create title:Board games when:fri 7pm where:Café Central repeat:weekly"
LIST_EXAMPLE = "/meetup series list"
SHOWN_NEXT = 3
"""How many coming dates ``/meetup series list`` shows for each series."""

_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_NAMES = tuple(day.capitalize() for day in _DAYS)
_MONTH_NAMES = tuple(calendar.month_name[m] for m in range(1, 13))
_ORDINAL_WORDS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_ORDINAL_NAMES = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "other": 2, "second": 2,
}  # fmt: skip
_WEEKDAY = (
    r"(?P<wd>mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:r|rs|rsday)?|fri(?:day)?"  # one weekday
    r"|sat(?:urday)?|sun(?:day)?)"
)
_ORDINAL = r"(?P<nth>first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last)"
_WEEKLY = re.compile(r"weekly|every week|each week|once a week")
_EVERY_N = re.compile(r"every (?P<n>\d+|[a-z]+) weeks?")
_BIWEEKLY = re.compile(r"biweekly|bi-weekly|fortnightly|every fortnight")
_MONTHLY = re.compile(r"monthly|every month|each month|once a month")
_NTH = re.compile(rf"{_ORDINAL} {_WEEKDAY}")
_NTH_BEFORE = re.compile(r"^(?:(?:monthly|every month|each month) )?(?:on )?(?:every |each )?(?:the )?")
_NTH_AFTER = re.compile(r"(?: (?:of|in) (?:the|each|every) month| monthly| every month| each month)$")


class Frequency(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class SeriesState(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class OccurrenceState(StrEnum):
    """What became of one occurrence of a series (stored by value)."""

    POSTED = "posted"  # it is a meetup of its own
    SKIPPED = "skipped"  # /meetup series skip: not posted, or cancelled if it was
    MISSED = "missed"  # it began while the bot was down, before it could be posted


@dataclass(frozen=True, slots=True)
class RepeatRule:
    """How often a series meets: every ``interval`` weeks, or monthly on the anchor's date, or
    monthly on the ``ordinal`` ``weekday`` (1 to 4, or -1 for the last)."""

    frequency: Frequency
    interval: int = 1
    ordinal: int | None = None
    weekday: int | None = None  # Monday is 0

    @property
    def text(self) -> str:
        """The canonical words, which :func:`read_repeat` reads back to this rule (stored)."""
        if self.frequency is Frequency.WEEKLY:
            return "weekly" if self.interval == 1 else f"every {self.interval} weeks"
        if self.ordinal is None:
            return "monthly"
        assert self.weekday is not None
        return f"monthly on the {_ORDINAL_NAMES[self.ordinal]} {_DAYS[self.weekday]}"

    def describe(self, anchor: datetime) -> str:
        """``every Friday at 19:00``, ``every 2 weeks on Friday at 19:00``, ``monthly on the
        first Friday at 19:00``, ``monthly on the 31st (or the month's last day) at 19:00``."""
        at = f"at {anchor:%H:%M}"
        if self.frequency is Frequency.WEEKLY:
            day = _DAY_NAMES[anchor.weekday()]
            if self.interval == 1:
                return f"every {day} {at}"
            return f"every {self.interval} weeks on {day} {at}"
        if self.ordinal is not None:
            assert self.weekday is not None
            return f"monthly on the {_ORDINAL_NAMES[self.ordinal]} {_DAY_NAMES[self.weekday]} {at}"
        day_of_month = anchor.day
        shorter = " (or the month's last day)" if day_of_month > 28 else ""
        return f"monthly on the {_ordinal_suffix(day_of_month)}{shorter} {at}"

    def dates(self, anchor: date) -> Iterator[date]:
        """The anchor, then every later date the rule names, in order, without end."""
        if self.frequency is Frequency.WEEKLY:
            step = timedelta(weeks=self.interval)
            day = anchor
            while True:
                yield day
                day += step
        months = 0
        while True:
            year, month = divmod(anchor.month - 1 + months, 12)
            year, month = anchor.year + year, month + 1
            months += 1
            if self.ordinal is None:
                yield date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))
                continue
            assert self.weekday is not None
            found = nth_weekday(year, month, self.weekday, self.ordinal)
            if found >= anchor:
                yield found

    def matches(self, anchor: date, day: date) -> bool:
        """Whether ``day`` is one of the rule's dates from the anchor on."""
        if day < anchor:
            return False
        if self.frequency is Frequency.WEEKLY:
            return (day - anchor).days % (7 * self.interval) == 0
        if self.ordinal is None:
            last = calendar.monthrange(day.year, day.month)[1]
            return day.day == min(anchor.day, last)
        assert self.weekday is not None
        return day == nth_weekday(day.year, day.month, self.weekday, self.ordinal)


def nth_weekday(year: int, month: int, weekday: int, ordinal: int) -> date:
    """The ``ordinal`` (1 to 4, -1 for the last) ``weekday`` of a month."""
    if ordinal == -1:
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (ordinal - 1))


def _ordinal_suffix(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _weekday_index(word: str) -> int:
    return [day[:3] for day in _DAYS].index(word[:3])


def read_repeat(text: str) -> RepeatRule:
    """The rule ``repeat`` names (see the module docstring), or a refusal with examples."""
    plain = " ".join(text.lower().replace(",", " ").split())
    if not plain:
        raise UserError("Say how often it repeats.", f"repeat:weekly (or {REPEAT_EXAMPLES})")
    if _WEEKLY.fullmatch(plain):
        return RepeatRule(Frequency.WEEKLY)
    if _BIWEEKLY.fullmatch(plain):
        return RepeatRule(Frequency.WEEKLY, interval=2)
    if every := _EVERY_N.fullmatch(plain):
        word = every["n"]
        number = int(word) if word.isdigit() else _NUMBER_WORDS.get(word)
        if number is None:
            raise _unreadable(text)
        if not 1 <= number <= MAX_INTERVAL:
            raise UserError(
                f"A series repeats every 1 to {MAX_INTERVAL} weeks, not every {number}.",
                "repeat:every 2 weeks (or monthly)",
            )
        return RepeatRule(Frequency.WEEKLY, interval=number)
    if _MONTHLY.fullmatch(plain):
        return RepeatRule(Frequency.MONTHLY)
    if nth := _NTH.fullmatch(_NTH_AFTER.sub("", _NTH_BEFORE.sub("", plain, count=1), count=1)):
        ordinal_word, weekday_word = nth["nth"], nth["wd"]
        if ordinal_word in ("fifth", "5th"):
            raise UserError(
                "Not every month has a fifth one of any weekday; a monthly series needs a day every "
                "month has.",
                f"repeat:monthly on the last {_DAYS[_weekday_index(weekday_word)]}",
            )
        ordinal = -1 if ordinal_word == "last" else _ORDINAL_WORDS[ordinal_word]
        return RepeatRule(Frequency.MONTHLY, ordinal=ordinal, weekday=_weekday_index(weekday_word))
    raise _unreadable(text)


def _unreadable(text: str) -> UserError:
    return UserError(
        f"I can't read “{quote(text, 40)}” as how often a meetup repeats. "
        f"I understand: {REPEAT_EXAMPLES} (second, third, fourth or last; any weekday).",
        "repeat:every 2 weeks",
    )


def check_anchor(rule: RepeatRule, start: datetime) -> None:
    """The first occurrence must be one of the rule's days (a monthly-on-a-weekday rule)."""
    first = start.date()
    if rule.ordinal is None or rule.matches(first, first):
        return
    assert rule.weekday is not None
    month = first.month
    candidate = nth_weekday(first.year, month, rule.weekday, rule.ordinal)
    if candidate < first:
        year, month0 = divmod(first.month, 12)
        candidate = nth_weekday(first.year + year, month0 + 1, rule.weekday, rule.ordinal)
    raise UserError(
        f"{_DAY_NAMES[first.weekday()]} {first.day} {_MONTH_NAMES[first.month - 1]} is not the "
        f"{_ORDINAL_NAMES[rule.ordinal]} {_DAY_NAMES[rule.weekday]} of its month: start the series on one.",
        f"when:{candidate.isoformat()} {start:%H:%M} repeat:{rule.text}",
    )


def parse_ahead(text: str) -> int:
    """How long before each occurrence it is posted: 1 hour to 8 weeks."""
    try:
        seconds = parse_duration(text)
    except UserError as error:
        raise UserError(error.message, AHEAD_EXAMPLE) from error
    if not MIN_AHEAD <= seconds <= MAX_AHEAD:
        raise UserError(
            f"`{quote(text, 40)}` is out of range: post occurrences between 1 hour and 8 weeks ahead.",
            AHEAD_EXAMPLE,
        )
    return seconds


def read_series_number(text: str) -> int:
    """``S1``, ``s1``, ``#S1`` or ``1``: the series members know as S1."""
    match = re.fullmatch(r"\s*#?\s*s?\s*(\d{1,6})\s*", text, flags=re.IGNORECASE)
    if match is None:
        raise UserError(f"“{quote(text, 40)}” is not a series number like S1.", LIST_EXAMPLE)
    return int(match[1])


# -- a series and its occurrences -----------------------------------------------------------------


def local_text(moment: datetime) -> str:
    """A naive local wall time as stored: ``YYYY-MM-DDTHH:MM``."""
    return f"{moment:%Y-%m-%dT%H:%M}"


def parse_local(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M")  # noqa: DTZ007 - a wall time, placed in its zone later


def place_in_zone(wall: datetime, tz: str) -> int:
    """UTC epoch seconds of a naive local wall time in ``tz``: a skipped hour moves an hour later
    (as the clocks do), a repeated one is its first."""
    # zoneinfo reads a wall time in a gap with the offset before it (02:30 is 03:30 after the jump)
    # and a repeated one, with fold 0, as the first.
    return int(wall.replace(tzinfo=ZoneInfo(tz), fold=0).timestamp())


@dataclass(frozen=True, slots=True)
class Series:
    id: int
    guild_id: int
    number: int
    title: str
    tz: str
    when_text: str
    anchor: datetime  # naive local wall time of one occurrence, in ``tz``
    rule: RepeatRule
    place: str
    organiser_id: int  # 0 once the organiser asked to be forgotten
    created_at: int
    updated_at: int
    description: str | None = None
    capacity: int | None = None
    min_attendees: int | None = None
    until: date | None = None
    state: SeriesState = SeriesState.ACTIVE
    revision: int = 0

    @property
    def label(self) -> str:
        return f"S{self.number}"

    @property
    def ended(self) -> bool:
        return self.state is SeriesState.ENDED

    @property
    def describe(self) -> str:
        text = self.rule.describe(self.anchor)
        if self.until is not None:
            text += f", until {self.until.day} {_MONTH_NAMES[self.until.month - 1]} {self.until.year}"
        return text

    def wall_times(self, after: datetime | None = None) -> Iterator[datetime]:
        """Every occurrence's local wall time from the anchor on (after ``after``), up to ``until``."""
        clock = time(self.anchor.hour, self.anchor.minute)
        for day in self.rule.dates(self.anchor.date()):
            if self.until is not None and day > self.until:
                return
            wall = datetime.combine(day, clock)
            if after is None or wall > after:
                yield wall

    def epoch(self, wall: datetime) -> int:
        return place_in_zone(wall, self.tz)

    def occurs_on(self, day: date) -> bool:
        if self.until is not None and day > self.until:
            return False
        return self.rule.matches(self.anchor.date(), day)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One occurrence a series has dealt with (posted, skipped or missed)."""

    series_id: int
    day: date
    wall: datetime  # its local wall time by the rule when it was dealt with
    state: OccurrenceState
    meetup_id: int | None = None


def upcoming(
    series: Series, dealt: Iterable[Occurrence], *, count: int, after_epoch: int | None = None
) -> list[datetime]:
    """The next ``count`` wall times the series will still post: after the last posted or missed
    occurrence, without skipped days, starting after ``after_epoch`` when given."""
    dealt = list(dealt)
    done = {occurrence.day for occurrence in dealt}
    cursor = max(
        (o.wall for o in dealt if o.state is not OccurrenceState.SKIPPED),
        default=None,
    )
    found: list[datetime] = []
    if series.ended or count <= 0:
        return found
    for wall in series.wall_times(after=cursor):
        if wall.date() in done:
            continue
        if after_epoch is not None and series.epoch(wall) <= after_epoch:
            continue
        found.append(wall)
        if len(found) >= count:
            break
    return found


def posting_time(starts_at: int, ahead: int) -> int:
    """When an occurrence is posted: ``ahead`` before it starts."""
    return starts_at - ahead


@dataclass(frozen=True, slots=True)
class SeriesDraft:
    """``repeat`` and ``until`` as ``/meetup create`` got them (read when stored)."""

    repeat: str
    until: str | None = None


@dataclass(frozen=True, slots=True)
class SeriesChange:
    """What ``/meetup series edit`` asks to change for occurrences not yet posted."""

    guild_id: int
    number: int
    member_id: int
    is_admin: bool
    when: str | None = None
    where: str | None = None
    capacity: int | None = None

    @property
    def empty(self) -> bool:
        return self.when is None and self.where is None and self.capacity is None


@dataclass(frozen=True, slots=True)
class SeriesNote:
    """What an occurrence's card says about its series: which one, and when the next one is."""

    label: str
    describe: str
    next_epoch: int | None


@dataclass(frozen=True, slots=True)
class SeriesListing:
    series: Series
    next_epochs: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Streak:
    """How many occurrences of a series in a row a member came to, counting back from the last."""

    label: str
    title: str
    count: int


def streak(attended: Iterable[bool]) -> int:
    """Consecutive ``True`` from the start of ``attended`` (the latest occurrence first)."""
    count = 0
    for came in attended:
        if not came:
            break
        count += 1
    return count
