"""Times as members type them, each with the reading it must get, in several zones and moments.

Every expectation is a rule a person can check by hand against the context: ``now`` is a local
wall time in the server zone (an ordinary Wednesday afternoon, a Friday evening, New Year's Eve
late, and the days around each daylight-saving change), and a reading is written as "the next
Friday at 20:00 local", "21 August at 19:30, this year if still ahead, else next year", or "5 h
30 min from now". Nothing here is copied from the reader's output, and this module imports
nothing of the bot's (``bench/when_corpus.py`` runs it against any checkout, before and after).

Rules an expectation relies on (the reader's docstring states the same ones):

- A wall time the clocks skip, or pass twice, is refused, whatever the phrase; so is one already
  past. A day named without its year that lands more than 12 months ahead is refused too.
- "Still ahead" compares wall clocks: 02:30 is still ahead at 01:30 even on the night it is skipped.
- A numeric date one of whose parts is above 12 is read the only way it can be; one that reads
  both ways follows the server's order (day-month unless the zone is a US-style one in the
  Americas) and the read-back says which order it used.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo")
DAY_MONTH, MONTH_DAY = "day-month", "month-day"
DEFAULT_ORDER = {"Europe/Berlin": DAY_MONTH, "America/New_York": MONTH_DAY, "Asia/Tokyo": DAY_MONTH}

# The Sundays the clocks change in 2026 (Berlin at 02:00 -> 03:00 and 03:00 -> 02:00; New York at
# 02:00 -> 03:00 and 02:00 -> 01:00). Tokyo keeps one offset all year; it uses Berlin's days.
SPRING = {"Europe/Berlin": date(2026, 3, 29), "America/New_York": date(2026, 3, 8)}
AUTUMN = {"Europe/Berlin": date(2026, 10, 25), "America/New_York": date(2026, 11, 1)}

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# -- contexts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """A server zone and the local wall time a member types in (each happens once in its zone)."""

    label: str
    tz: str
    wall: datetime  # naive: the local clock

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def now(self) -> datetime:
        return self.wall.replace(tzinfo=self.zone)

    @property
    def utc_now(self) -> datetime:
        """``now`` as Discord hands it to the bot (``interaction.created_at`` is in UTC)."""
        return self.now.astimezone(UTC)

    @property
    def today(self) -> date:
        return self.wall.date()

    @property
    def id(self) -> str:
        return f"{self.tz.split('/')[-1]}-{self.label.replace(' ', '_')}"


def contexts(zones: tuple[str, ...] = ZONES) -> list[Context]:
    found: list[Context] = []
    for tz in zones:
        spring, autumn = SPRING.get(tz, SPRING["Europe/Berlin"]), AUTUMN.get(tz, AUTUMN["Europe/Berlin"])
        found += [
            Context("Wednesday 14:00", tz, _wall(date(2026, 6, 10), 14, 0)),
            Context("Friday 20:30", tz, _wall(date(2026, 9, 18), 20, 30)),
            Context("New Year's Eve 22:30", tz, _wall(date(2025, 12, 31), 22, 30)),
            Context("Saturday noon before spring forward", tz, datetime.combine(spring, time(12)) - _DAY),
            Context("spring-forward night 01:30", tz, datetime.combine(spring, time(1, 30))),
            Context("Saturday noon before fall back", tz, datetime.combine(autumn, time(12)) - _DAY),
            Context("fall-back night 00:30", tz, datetime.combine(autumn, time(0, 30))),
        ]
    return found


_DAY = timedelta(days=1)


def _wall(day: date, hour: int, minute: int) -> datetime:
    """A naive local wall time, on purpose: what the member's clock shows."""
    return datetime.combine(day, time(hour, minute))


# -- which day: rules a person can apply with a calendar --------------------------------------------


def _ahead(ctx: Context, day: date, clock: time, end_of_day: bool) -> bool:
    """The wall time on ``day`` is later than the wall clock now."""
    return datetime.combine(day, clock) + (_DAY if end_of_day else timedelta(0)) > ctx.wall


@dataclass(frozen=True)
class Today:
    def __str__(self) -> str:
        return "today"

    def on(self, ctx: Context, clock: time, end: bool) -> date:
        return ctx.today


@dataclass(frozen=True)
class NextTime:
    """No day named: today while the time is still ahead, else tomorrow."""

    def __str__(self) -> str:
        return "the next time the clock shows it"

    def on(self, ctx: Context, clock: time, end: bool) -> date:
        return ctx.today if _ahead(ctx, ctx.today, clock, end) else ctx.today + _DAY


@dataclass(frozen=True)
class DaysAhead:
    days: int
    explicit = True  # the member said how far ahead

    def __str__(self) -> str:
        return f"{self.days} days after today"

    def on(self, ctx: Context, clock: time, end: bool) -> date:
        return ctx.today + timedelta(days=self.days)


@dataclass(frozen=True)
class Weekday:
    """The next such weekday: today while the time is still ahead (``next``: never today)."""

    name: str
    strict: bool = False

    def __str__(self) -> str:
        return f"the next {self.name.title()}{' after today' if self.strict else ''}"

    def on(self, ctx: Context, clock: time, end: bool) -> date:
        ahead = (_WEEKDAYS.index(self.name) - ctx.today.weekday()) % 7
        if ahead == 0 and (self.strict or not _ahead(ctx, ctx.today, clock, end)):
            ahead = 7
        return ctx.today + timedelta(days=ahead)


@dataclass(frozen=True)
class MonthDay:
    """Day and month without a year: the next such date, today included."""

    month: int
    day: int

    def __str__(self) -> str:
        return f"{self.day} {_MONTHS[self.month - 1]}, this year unless already gone"

    def on(self, ctx: Context, clock: time, end: bool) -> date:
        for year in range(ctx.today.year, ctx.today.year + 9):
            if self.day <= calendar.monthrange(year, self.month)[1]:
                found = date(year, self.month, self.day)
                if found >= ctx.today:
                    return found
        raise AssertionError(f"no {self}")


@dataclass(frozen=True)
class DayOfMonth:
    """A day of the month alone (``the 14th``): the next month that has it, this month included."""

    day: int

    def __str__(self) -> str:
        return f"the next {self.day} of a month, today included"

    def on(self, ctx: Context, clock: time, end: bool) -> date:
        year, month = ctx.today.year, ctx.today.month
        while True:
            if self.day <= calendar.monthrange(year, month)[1] and date(year, month, self.day) >= ctx.today:
                return date(year, month, self.day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)


@dataclass(frozen=True)
class On:
    """A date with its year, as typed."""

    year: int
    month: int
    day: int
    explicit = True

    def __str__(self) -> str:
        return f"{self.day} {_MONTHS[self.month - 1]} {self.year}"

    def on(self, ctx: Context, clock: time, end: bool) -> date:
        return date(self.year, self.month, self.day)


@dataclass(frozen=True)
class NextWeeks:
    """``fri next week``: that weekday in the week after this one (weeks start on Monday)."""

    name: str

    def __str__(self) -> str:
        return f"{self.name.title()} of next week"

    def on(self, ctx: Context, clock: time, end: bool) -> date:
        monday = ctx.today - timedelta(days=ctx.today.weekday())
        return monday + timedelta(days=7 + _WEEKDAYS.index(self.name))


DayRule = Today | NextTime | DaysAhead | Weekday | NextWeeks | MonthDay | DayOfMonth | On


@dataclass(frozen=True)
class Numeric:
    """A numeric date that reads both ways: the server's order picks, the read-back says which."""

    day_month: DayRule
    month_day: DayRule

    def __str__(self) -> str:
        return f"{self.day_month} (day-month) or {self.month_day} (month-day), by the server's order"


# -- expectations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class At:
    """A wall time on a day; ``24:00`` is midnight at the end of that day."""

    day: DayRule | Numeric
    clock: str

    def __str__(self) -> str:
        return f"{self.day} at {self.clock} local"


@dataclass(frozen=True)
class In:
    """Elapsed time from now (hours and minutes, not the wall clock)."""

    minutes: int

    def __str__(self) -> str:
        return f"{self.minutes // 60} h {self.minutes % 60} min from now"


@dataclass(frozen=True)
class Exact:
    """An instant fixed by a UTC offset typed with it, whatever the server zone."""

    instant: datetime

    def __str__(self) -> str:
        return f"{self.instant:%Y-%m-%d %H:%M} UTC"


@dataclass(frozen=True)
class Refused:
    """Refused with a message containing ``says``; every alternative in its example must read
    (and equal ``example`` when given)."""

    says: str
    example: str | None = None

    def __str__(self) -> str:
        return f"refused ({self.says})"


@dataclass(frozen=True)
class Lasts:
    """A duration, in seconds."""

    seconds: int

    def __str__(self) -> str:
        return f"{self.seconds} s"


Expect = At | In | Exact | Refused | Lasts

WHEN, CLOSES, DURATION = "when", "closes", "duration"


@dataclass(frozen=True)
class Phrase:
    """``kind``: ``when`` is a meetup time (read_time), ``closes`` a poll's closes option,
    ``duration`` a reminder offset or retention period. ``order`` overrides the server's default."""

    text: str
    expect: Expect
    kind: str = WHEN
    order: str | None = None

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.text}" + (f"[{self.order}]" if self.order else "")


H = 60  # minutes in an hour, for In()
HOUR, DAY_S = 3600, 86400

FRI, SAT, SUN, MON, TUE, WED, THU = (Weekday(n) for n in ("fri", "sat", "sun", "mon", "tue", "wed", "thu"))


def nxt(name: str) -> Weekday:
    return Weekday(name, strict=True)


def when(text: str, expect: Expect, order: str | None = None) -> Phrase:
    return Phrase(text, expect, WHEN, order)


def closes(text: str, expect: Expect) -> Phrase:
    return Phrase(text, expect, CLOSES)


def lasts(text: str, expect: Expect) -> Phrase:
    return Phrase(text, expect, DURATION)


NO_TIME = "no time of day"
PAST = "already past"

CORPUS: tuple[Phrase, ...] = (
    # -- the forms event bots document ------------------------------------------------------------
    when("in 5 hours", In(5 * H)),
    when("8pm on Friday", At(FRI, "20:00")),
    when("08/21 at 19:30", At(MonthDay(8, 21), "19:30")),
    when("tomorrow at 5pm", At(DaysAhead(1), "17:00")),
    when("friday at 8pm", At(FRI, "20:00")),
    when("next friday at 8pm", At(nxt("fri"), "20:00")),
    when("today at 6pm", At(Today(), "18:00")),
    when("tomorrow at noon", At(DaysAhead(1), "12:00")),
    # -- the time alone ----------------------------------------------------------------------------
    when("7pm", At(NextTime(), "19:00")),
    when("7:30pm", At(NextTime(), "19:30")),
    when("7.30pm", At(NextTime(), "19:30")),
    when("7 pm", At(NextTime(), "19:00")),
    when("7 p.m.", At(NextTime(), "19:00")),
    when("19:00", At(NextTime(), "19:00")),
    when("19:45", At(NextTime(), "19:45")),
    when("at 18:30", At(NextTime(), "18:30")),
    when("9am", At(NextTime(), "09:00")),
    when("10:15 am", At(NextTime(), "10:15")),
    when("12pm", At(NextTime(), "12:00")),
    when("12am", At(NextTime(), "00:00")),
    when("noon", At(NextTime(), "12:00")),
    when("midday", At(NextTime(), "12:00")),
    when("midnight", At(Today(), "24:00")),
    when("2:30am", At(NextTime(), "02:30")),
    when("1:30am", At(NextTime(), "01:30")),
    # -- "19h", how much of Europe writes 7 pm -----------------------------------------------------
    when("19h", At(NextTime(), "19:00")),
    when("19h30", At(NextTime(), "19:30")),
    when("fri 19h", At(FRI, "19:00")),
    when("friday 19h30", At(FRI, "19:30")),
    when("tomorrow 20h", At(DaysAhead(1), "20:00")),
    when("tomorrow 8h", At(DaysAhead(1), "08:00")),
    when("sat 14h", At(SAT, "14:00")),
    when("sun 9h15", At(SUN, "09:15")),
    when("25 dec 18h", At(MonthDay(12, 25), "18:00")),
    # -- today, tonight, tomorrow ------------------------------------------------------------------
    when("tonight at 9", At(Today(), "21:00")),
    when("tonight 9pm", At(Today(), "21:00")),
    when("tonight at 11:30", At(Today(), "23:30")),
    when("tonight at 23:45", At(Today(), "23:45")),
    when("today 11:59pm", At(Today(), "23:59")),
    when("today at noon", At(Today(), "12:00")),
    when("tomorrow 7pm", At(DaysAhead(1), "19:00")),
    when("Tomorrow At 7PM", At(DaysAhead(1), "19:00")),
    when("tomorrow 7 p.m.", At(DaysAhead(1), "19:00")),
    when("7pm tomorrow", At(DaysAhead(1), "19:00")),
    when("20:00 tomorrow", At(DaysAhead(1), "20:00")),
    when("noon tomorrow", At(DaysAhead(1), "12:00")),
    when("tomorrow midnight", At(DaysAhead(1), "24:00")),
    when("tomorrow morning at 9", At(DaysAhead(1), "09:00")),
    when("tomorrow evening at 8", At(DaysAhead(1), "20:00")),
    when("tomorrow afternoon at 3", At(DaysAhead(1), "15:00")),
    when("tmrw 7pm", At(DaysAhead(1), "19:00")),
    when("tomorrow @ 6pm", At(DaysAhead(1), "18:00")),
    when("tomorrow at 2:30am", At(DaysAhead(1), "02:30")),
    when("day after tomorrow 6pm", At(DaysAhead(2), "18:00")),
    when("the day after tomorrow at 6pm", At(DaysAhead(2), "18:00")),
    # -- in so long --------------------------------------------------------------------------------
    when("in 30 minutes", In(30)),
    when("in half an hour", In(30)),
    when("in an hour", In(H)),
    when("in 2 hours", In(2 * H)),
    when("in 2.5 hours", In(150)),
    when("in 1h 30m", In(90)),
    when("in 90 minutes", In(90)),
    when("in 1 hour and 30 minutes", In(90)),
    when("in an hour and a half", In(90)),
    when("in 2h", In(2 * H)),
    when("in 36 hours", In(36 * H)),
    when("5 hours from now", In(5 * H)),
    when("in 3 days at 8pm", At(DaysAhead(3), "20:00")),
    when("in a week at 7pm", At(DaysAhead(7), "19:00")),
    when("in 2 weeks 7pm", At(DaysAhead(14), "19:00")),
    when("in 400 days at 7pm", At(DaysAhead(400), "19:00")),
    # -- weekdays ----------------------------------------------------------------------------------
    when("fri 7pm", At(FRI, "19:00")),
    when("friday 8pm", At(FRI, "20:00")),
    when("Friday 8 PM", At(FRI, "20:00")),
    when("FRI 8PM", At(FRI, "20:00")),
    when("fri, 8pm", At(FRI, "20:00")),
    when("fri @ 8pm", At(FRI, "20:00")),
    when("friday 8:00 pm", At(FRI, "20:00")),
    when("8:00 PM friday", At(FRI, "20:00")),
    when("on friday at 7pm", At(FRI, "19:00")),
    when("fri 7", At(FRI, "19:00")),
    when("fri at 7", At(FRI, "19:00")),
    when("fri 7:30", At(FRI, "19:30")),
    when("fri midnight", At(FRI, "24:00")),
    when("friday evening at 8", At(FRI, "20:00")),
    when("friday night at 9", At(FRI, "21:00")),
    when("this friday 8pm", At(FRI, "20:00")),
    when("coming friday 7pm", At(FRI, "19:00")),
    when("next friday 6pm", At(nxt("fri"), "18:00")),
    when("sat 2pm", At(SAT, "14:00")),
    when("saturday 14:00", At(SAT, "14:00")),
    when("sat noon", At(SAT, "12:00")),
    when("at noon on saturday", At(SAT, "12:00")),
    when("sat 12", At(SAT, "12:00")),
    when("saturday afternoon at 3", At(SAT, "15:00")),
    when("saturday morning at 10", At(SAT, "10:00")),
    when("next saturday 2pm", At(nxt("sat"), "14:00")),
    when("this sat 2pm", At(SAT, "14:00")),
    when("sun 11am", At(SUN, "11:00")),
    when("sunday at 10am", At(SUN, "10:00")),
    when("sunday midday", At(SUN, "12:00")),
    when("sun 07:30", At(SUN, "07:30")),
    when("sun 2:30am", At(SUN, "02:30")),
    when("sun 1:30am", At(SUN, "01:30")),
    when("next sunday 11am", At(nxt("sun"), "11:00")),
    when("mon 6:30pm", At(MON, "18:30")),
    when("monday 18:00", At(MON, "18:00")),
    when("next mon 7pm", At(nxt("mon"), "19:00")),
    when("tue 18:00", At(TUE, "18:00")),
    when("tuesday 7pm", At(TUE, "19:00")),
    when("tues 7pm", At(TUE, "19:00")),
    when("wed 12:30", At(WED, "12:30")),
    when("wednesday 1pm", At(WED, "13:00")),
    when("next wednesday 7pm", At(nxt("wed"), "19:00")),
    when("thu 7pm", At(THU, "19:00")),
    when("thurs 7pm", At(THU, "19:00")),
    when("thursday at 6", At(THU, "18:00")),
    # -- days and months in words ------------------------------------------------------------------
    when("dec 5 7pm", At(MonthDay(12, 5), "19:00")),
    when("5 dec 7pm", At(MonthDay(12, 5), "19:00")),
    when("december 5th at 7pm", At(MonthDay(12, 5), "19:00")),
    when("5th december 7pm", At(MonthDay(12, 5), "19:00")),
    when("the 5th of december at 7pm", At(MonthDay(12, 5), "19:00")),
    when("dec 5th 19:00", At(MonthDay(12, 5), "19:00")),
    when("friday, december 4th at 7pm", At(MonthDay(12, 4), "19:00")),
    when("jan 14 8pm", At(MonthDay(1, 14), "20:00")),
    when("14 january 8pm", At(MonthDay(1, 14), "20:00")),
    when("14th of january 8pm", At(MonthDay(1, 14), "20:00")),
    when("the 14th of jan at 8pm", At(MonthDay(1, 14), "20:00")),
    when("march 3rd 7pm", At(MonthDay(3, 3), "19:00")),
    when("3rd of march 7pm", At(MonthDay(3, 3), "19:00")),
    when("mar 3 at 19:30", At(MonthDay(3, 3), "19:30")),
    when("feb 14 8pm", At(MonthDay(2, 14), "20:00")),
    when("14 feb 20h", At(MonthDay(2, 14), "20:00")),
    when("july 4th noon", At(MonthDay(7, 4), "12:00")),
    when("4 jul 12:00", At(MonthDay(7, 4), "12:00")),
    when("sept 12 6pm", At(MonthDay(9, 12), "18:00")),
    when("aug 21 19:30", At(MonthDay(8, 21), "19:30")),
    when("21 aug 7:30pm", At(MonthDay(8, 21), "19:30")),
    when("oct 31 8pm", At(MonthDay(10, 31), "20:00")),
    when("dec 31 11pm", At(MonthDay(12, 31), "23:00")),
    when("jan 1 1am", At(MonthDay(1, 1), "01:00")),
    when("mar 29 2:30am", At(MonthDay(3, 29), "02:30")),
    when("mar 8 2:30am", At(MonthDay(3, 8), "02:30")),
    when("oct 25 2:30am", At(MonthDay(10, 25), "02:30")),
    when("nov 1 1:30am", At(MonthDay(11, 1), "01:30")),
    when("december 5 2026 7pm", At(On(2026, 12, 5), "19:00")),
    when("5 dec 2026 19:00", At(On(2026, 12, 5), "19:00")),
    when("29 feb 2028 7pm", At(On(2028, 2, 29), "19:00")),
    when("2026-12-05 18:30", At(On(2026, 12, 5), "18:30")),
    when("2026-12-05T18:30", At(On(2026, 12, 5), "18:30")),
    when("2026/12/05 18:30", At(On(2026, 12, 5), "18:30")),
    when("2027-01-02 10:00", At(On(2027, 1, 2), "10:00")),
    # -- numbers for dates: one way only, both ways, and the server's order --------------------------
    when("8/21 7pm", At(MonthDay(8, 21), "19:00")),
    when("21/08 19:30", At(MonthDay(8, 21), "19:30")),
    when("21.08. 19:30", At(MonthDay(8, 21), "19:30")),
    when("21.8 19:30", At(MonthDay(8, 21), "19:30")),
    when("12/25 6pm", At(MonthDay(12, 25), "18:00")),
    when("25/12 6pm", At(MonthDay(12, 25), "18:00")),
    when("25.12. at 18:00", At(MonthDay(12, 25), "18:00")),
    when("12/25/2026 6pm", At(On(2026, 12, 25), "18:00")),
    when("12/25/26 6pm", At(On(2026, 12, 25), "18:00")),
    when("25/12/2026 18:00", At(On(2026, 12, 25), "18:00")),
    when("25.12.2026 18:00", At(On(2026, 12, 25), "18:00")),
    when("31/1 7pm", At(MonthDay(1, 31), "19:00")),
    when("1/31 7pm", At(MonthDay(1, 31), "19:00")),
    when("11/11 11am", At(MonthDay(11, 11), "11:00")),
    when("6/6 6pm", At(MonthDay(6, 6), "18:00")),
    when("3/4 7pm", At(Numeric(MonthDay(4, 3), MonthDay(3, 4)), "19:00")),
    when("3/4 7pm", At(MonthDay(4, 3), "19:00"), order=DAY_MONTH),
    when("3/4 7pm", At(MonthDay(3, 4), "19:00"), order=MONTH_DAY),
    when("5/12 18:30", At(Numeric(MonthDay(12, 5), MonthDay(5, 12)), "18:30")),
    when("10/11 at 8pm", At(Numeric(MonthDay(11, 10), MonthDay(10, 11)), "20:00")),
    when("04/05/2027 19:00", At(Numeric(On(2027, 5, 4), On(2027, 4, 5)), "19:00")),
    when("1.2. 19h", At(Numeric(MonthDay(2, 1), MonthDay(1, 2)), "19:00")),
    when("9/8 at 7pm", At(MonthDay(9, 8), "19:00"), order=MONTH_DAY),
    when("9/8 at 7pm", At(MonthDay(8, 9), "19:00"), order=DAY_MONTH),
    # -- a day of the month alone --------------------------------------------------------------------
    when("the 14th at 8pm", At(DayOfMonth(14), "20:00")),
    when("on the 14th at 8pm", At(DayOfMonth(14), "20:00")),
    when("14th 8pm", At(DayOfMonth(14), "20:00")),
    when("the 1st at 7pm", At(DayOfMonth(1), "19:00")),
    when("the 2nd at 7pm", At(DayOfMonth(2), "19:00")),
    when("the 3rd 7pm", At(DayOfMonth(3), "19:00")),
    when("the 22nd at 6pm", At(DayOfMonth(22), "18:00")),
    when("the 23rd at 18:00", At(DayOfMonth(23), "18:00")),
    when("the 31st at 7pm", At(DayOfMonth(31), "19:00")),
    when("the 30th 19h", At(DayOfMonth(30), "19:00")),
    # -- an exact instant: UTC or an offset -------------------------------------------------------------
    when("2026-12-05 18:30 UTC", Exact(datetime(2026, 12, 5, 18, 30, tzinfo=UTC))),
    when("2026-12-05 20:30 +02:00", Exact(datetime(2026, 12, 5, 18, 30, tzinfo=UTC))),
    when("2026-12-05T18:30Z", Exact(datetime(2026, 12, 5, 18, 30, tzinfo=UTC))),
    # -- added with the new reader (ranges, dotted 24-hour times, next week, o'clock) -----------------
    when("fri 7-9pm", At(FRI, "19:00")),
    when("sat 10am-2pm", At(SAT, "10:00")),
    when("sat 11-2pm", At(SAT, "11:00")),
    when("fri 19:00-21:00", At(FRI, "19:00")),
    when("fri 19h-21h", At(FRI, "19:00")),
    when("fri 19.30", At(FRI, "19:30")),
    when("sat 14.00", At(SAT, "14:00")),
    when("5.12. 18.30", At(Numeric(MonthDay(12, 5), MonthDay(5, 12)), "18:30")),
    when("fri next week 7pm", At(NextWeeks("fri"), "19:00")),
    when("next week friday at 7pm", At(NextWeeks("fri"), "19:00")),
    when("monday next week 18:00", At(NextWeeks("mon"), "18:00")),
    when("this evening at 8", At(Today(), "20:00")),
    when("7 o'clock tonight", At(Today(), "19:00")),
    when("at 8 tomorrow evening", At(DaysAhead(1), "20:00")),
    when("tonight at 12", At(Today(), "24:00")),
    when("friday night at 12", At(FRI, "24:00")),
    when("2 weeks from now at 7pm", At(DaysAhead(14), "19:00")),
    when("0/5 7pm", Refused("not a date")),
    when("feb 29 2027 7pm", Refused("no 29 feb 2027", "28 feb 2027 7pm")),
    when("next weekend 2pm", Refused("which day", "sat 2pm")),
    when("christmas eve 7pm", Refused("couldn't read")),
    # -- refused, each with an example that reads ----------------------------------------------------
    when("", Refused("give a day and a time", "fri 7pm")),
    when("banana", Refused("couldn't read")),
    when("soon", Refused("couldn't read")),
    when("whenever works", Refused("couldn't read")),
    when("fri", Refused(NO_TIME, "fri 7pm")),
    when("tomorrow", Refused(NO_TIME, "tomorrow 7pm")),
    when("dec 5", Refused(NO_TIME, "dec 5 7pm")),
    when("8/21", Refused(NO_TIME, "8/21 7pm")),
    when("the 14th", Refused(NO_TIME, "the 14th 7pm")),
    when("in 10 days", Refused(NO_TIME, "in 10 days 7pm")),
    when("next week", Refused("which day")),
    when("this weekend 2pm", Refused("which day")),
    when("fri 9", Refused("9am or 9pm", "fri 9pm")),
    when("at 8", Refused("8am or 8pm", "at 8pm")),
    when("tomorrow at 10", Refused("10am or 10pm", "tomorrow at 10pm")),
    when("13pm", Refused("12-hour clock", "13:00")),
    when("25:00", Refused("not a time of day")),
    when("fri 7:75", Refused("not a time of day")),
    when("fri 7pm 8pm", Refused("more than one time", "fri 7pm")),
    when("yesterday at 7pm", Refused(PAST)),
    when("2 hours ago", Refused(PAST, "in 2 hours")),
    when("last friday 7pm", Refused(PAST, "friday 7pm")),
    when("2025-01-01 19:00", Refused(PAST)),
    when("june 1 2025 7pm", Refused(PAST)),
    when("fri 5 dec 7pm", Refused("saturday, not a friday", "2026-12-05 19:00")),
    when("13/13 7pm", Refused("not a date")),
    when("31/4 7pm", Refused("no 31 apr", "30 apr 7pm")),
    when("feb 30 7pm", Refused("no 30 feb")),
    when("29 feb 7pm", Refused("more than 12 months ahead", "2028-02-29 19:00")),
    when("2/29 7pm", Refused("more than 12 months ahead", "2028-02-29 19:00")),
    when("in 13 months at 7pm", Refused("more than 12 months ahead")),
    when("fri 7pm PST", Refused("isn't a time zone i can use here", "fri 7pm")),
    # -- poll closing: the same duration grammar --------------------------------------------------------
    closes("1 hour", In(H)),
    closes("5 hours 30 minutes", In(5 * H + 30)),
    closes("1h", In(H)),
    closes("1h 30m", In(90)),
    closes("2.5 hours", In(150)),
    closes("1.5h", In(90)),
    closes("1d 12h", In(36 * H)),
    closes("an hour", In(H)),
    closes("half an hour", In(30)),
    closes("a day", In(24 * H)),
    closes("an hour and a half", In(90)),
    closes("2 hours and 15 minutes", In(135)),
    closes("1h30", In(90)),
    closes("45 min", In(45)),
    closes("3 hrs", In(3 * H)),
    closes("two hours", In(2 * H)),
    closes("1 day, 6 hours", In(30 * H)),
    closes("half a day", In(12 * H)),
    closes("24h", In(24 * H)),
    closes("in 2 days", In(48 * H)),
    closes("in 36 hours", In(36 * H)),
    closes("0h", Refused("some time to collect votes", "24h")),
    # -- /config reminders and /config retention: the same grammar ------------------------------------
    lasts("24h", Lasts(24 * HOUR)),
    lasts("30m", Lasts(30 * 60)),
    lasts("90 minutes", Lasts(90 * 60)),
    lasts("1.5h", Lasts(90 * 60)),
    lasts("2.5 hours", Lasts(150 * 60)),
    lasts("5 hours 30 minutes", Lasts(330 * 60)),
    lasts("1h 30m", Lasts(90 * 60)),
    lasts("1d 12h", Lasts(36 * HOUR)),
    lasts("an hour", Lasts(HOUR)),
    lasts("half an hour", Lasts(30 * 60)),
    lasts("a day", Lasts(DAY_S)),
    lasts("a week", Lasts(7 * DAY_S)),
    lasts("2 weeks", Lasts(14 * DAY_S)),
    lasts("30 days", Lasts(30 * DAY_S)),
    lasts("1 hour and 30 minutes", Lasts(90 * 60)),
    lasts("banana", Refused("not a duration")),
    lasts("24", Refused("not a duration")),
    lasts("-1h", Refused("not a duration")),
    lasts("24 parsecs", Refused("unknown unit")),
)


# -- what a phrase must read as in one context ------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """An accepted reading: the local wall time (or exact instant) and what the read-back says."""

    wall: datetime | None  # naive local wall time, or None when only the instant is fixed
    instant: datetime | None  # aware, when fixed (elapsed readings)
    note: str | None = None  # e.g. "day/month": the read-back names the order used
    seconds: int | None = None  # durations


def order_for(phrase: Phrase, ctx: Context) -> str:
    return phrase.order or DEFAULT_ORDER[ctx.tz]


def expected(phrase: Phrase, ctx: Context) -> Reading | Refused:
    """The reading (or refusal) the phrase must get in this context, by the rules above."""
    expect = phrase.expect
    if isinstance(expect, Refused):
        return expect
    if isinstance(expect, Lasts):
        return Reading(None, None, seconds=expect.seconds)
    if isinstance(expect, In):
        return Reading(None, ctx.now.astimezone(UTC) + timedelta(minutes=expect.minutes))
    if isinstance(expect, Exact):
        return Reading(None, expect.instant) if expect.instant > ctx.now else Refused(PAST)
    rule, note = expect.day, None
    if isinstance(rule, Numeric):
        order = order_for(phrase, ctx)
        rule, note = (rule.day_month, "day/month") if order == DAY_MONTH else (rule.month_day, "month/day")
    end = expect.clock == "24:00"
    hour, minute = (int(part) for part in expect.clock.split(":"))
    clock = time(hour % 24, minute)
    day = rule.on(ctx, clock, end)
    wall = datetime.combine(day, clock) + (_DAY if end else timedelta(0))
    zone = ctx.zone
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        return Refused("doesn't exist")
    if first.utcoffset() != second.utcoffset():
        return Refused("happens twice")
    if first <= ctx.now:
        return Refused(PAST)
    if not getattr(rule, "explicit", False) and wall > _a_year_after(ctx.wall):
        return Refused("more than 12 months ahead")
    return Reading(wall, first.astimezone(UTC), note=note)


def _a_year_after(wall: datetime) -> datetime:
    try:
        return wall.replace(year=wall.year + 1)
    except ValueError:  # 29 February
        return wall.replace(year=wall.year + 1, day=28)


# -- checking a reader against it ------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """The functions under test: ``read_time(text, now, tz, order)``, ``read_closes(text, now, tz,
    order)`` and ``parse_duration(text)``, and the refusal type (with ``message`` and ``example``)."""

    read_time: Callable[[str, datetime, str, str], object]
    read_closes: Callable[[str, datetime, str, str], object]
    parse_duration: Callable[[str], int]
    refusal: type[Exception]


def alternatives(example: str) -> list[str]:
    """The separate examples in one (``fri 7pm or tomorrow at noon``; offsets ``24h, 1h``)."""
    example = re.sub(r"^/\S+(?: \S+)? \w+:", "", example)  # "/config reminders offsets:24h, 1h"
    return [part.strip() for part in re.split(r"\s+or\s+|;\s*|,\s+", example) if part.strip()]


def check(phrase: Phrase, ctx: Context, reader: Reader) -> str | None:
    """None when the reader gets the phrase right in this context, else what went wrong."""
    want = expected(phrase, ctx)
    order = order_for(phrase, ctx)
    read = _reading_function(phrase, reader)
    try:
        got = read(phrase.text, ctx, order)
    except reader.refusal as error:
        message, example = getattr(error, "message", str(error)), getattr(error, "example", None)
        if not isinstance(want, Refused):
            return f"refused ({message}); wanted {_show(want, ctx)}"
        if want.says.lower() not in message.lower():
            return f"refused, but saying “{message}”; wanted it to say “{want.says}”"
        if not example:
            return "refused without an example"
        if want.example is not None and example != want.example:
            return f"refused with the example “{example}”; wanted “{want.example}”"
        for alternative in alternatives(example):
            try:
                read(alternative, ctx, order)
            except reader.refusal as again:
                return f"refused with the example “{example}”, but “{alternative}” is refused: {again}"
        return None
    if isinstance(want, Refused):
        return f"read as {_show_got(got)}; wanted it refused ({want.says})"
    if want.seconds is not None:
        return None if got == want.seconds else f"read as {got} s; wanted {want.seconds} s"
    utc = got.utc  # type: ignore[attr-defined]
    if want.instant is not None and utc != want.instant:
        return f"read as {_show_got(got)}; wanted {_show(want, ctx)}"
    if want.wall is not None:
        described = got.describe()  # type: ignore[attr-defined]
        wall = want.wall
        shown = f"{_DAY_NAMES[wall.weekday()]} {wall.day} {_MONTHS[wall.month - 1]} {wall.year}, {wall:%H:%M}"
        if shown not in described or f"({ctx.tz}" not in described:
            return f"read back as “{described}”; wanted it to name {shown} and {ctx.tz}"
        if want.note is not None and want.note not in described:
            return f"read back as “{described}”; wanted it to say the date was read {want.note}"
    return None


def _reading_function(phrase: Phrase, reader: Reader) -> Callable[[str, Context, str], object]:
    if phrase.kind == DURATION:
        return lambda text, ctx, order: reader.parse_duration(text)
    if phrase.kind == CLOSES:
        return lambda text, ctx, order: reader.read_closes(text, ctx.utc_now, ctx.tz, order)
    return lambda text, ctx, order: reader.read_time(text, ctx.utc_now, ctx.tz, order)


def _show(want: Reading | Refused, ctx: Context) -> str:
    if isinstance(want, Refused):
        return str(want)
    if want.seconds is not None:
        return f"{want.seconds} s"
    moment = want.wall if want.wall is not None else want.instant.astimezone(ctx.zone)  # type: ignore[union-attr]
    return f"{moment:%a %d %b %Y %H:%M}" + (f" ({want.note})" if want.note else "")


def _show_got(got: object) -> str:
    describe = getattr(got, "describe", None)
    return describe() if describe else repr(got)


def cases(zones: tuple[str, ...] = ZONES) -> Iterator[tuple[Phrase, Context]]:
    for ctx in contexts(zones):
        for phrase in CORPUS:
            yield phrase, ctx
