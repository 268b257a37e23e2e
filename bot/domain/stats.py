"""Community health (/stats): the path from joining to meeting again, and what the figures may show.

The path follows the members who *joined* in the period (a cohort), step by step; each step counts
the members of the step before who also:

1. joined: joined the server in the period (recorded on join; a member who was there before the
   bot recorded joins counts from their Discord join date once they introduce themselves);
2. introduced: have an introduction (``/intro``);
3. found someone: got a list from ``/match`` with at least one member, or were in a pairing group;
4. answered Going: answer Going to a meetup;
5. came: checked in with **I was there**;
6. met in person: a mutual pick, ``/met``, or both *In person* after a pairing round;
7. met again: met someone in person a second time, or planned a catch-up from a keep-in-touch
   nudge.

Each step is counted as of the end of the period, so the previous period is measured the same way
it would have been then (except for answers changed since: Going is the answer standing now).

Privacy: the figures are aggregates, never names; a count of members from 1 to 2 is shown as
"fewer than 3" (the chart shows such a bar hatched up to 3 with "<3"), and a share of a step
hidden that way is not shown. Counts of meetups and polls are events, not people, and shown as
they are. Interests and cities are the busiest among the members introduced now.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.durations import DAY, WEEK, read_span
from bot.domain.errors import UserError, quote
from bot.domain.series import Streak

STEPS: tuple[str, ...] = (
    "Joined",
    "Introduced",
    "Found someone",
    "Answered Going",
    "Came",
    "Met in person",
    "Met again",
)
"""The path's steps, in order; a member's level is how many of them they reached (1 to 7)."""

HIDDEN_BELOW = 3
FEWER = "fewer than 3"
DEFAULT_PERIOD = 30 * DAY
MIN_PERIOD = DAY
MAX_PERIOD = 5 * 365 * DAY
PERIOD_EXAMPLE = "/stats period:30d (or 12w, 90 days, all)"
TOP = 5
LAST_MEETUPS = 5
MAX_BUCKETS = 26
"""At most this many bars in the per-week chart: a longer period groups several weeks in a bar."""

FOOTNOTE = (
    "Path: members who joined in the period, each step counting those of the step before. "
    "Found someone: /match listed someone, or a pairing group. Met again: a second meeting in person, "
    "or a catch-up planned after a nudge. Counts of 1-2 members show as “fewer than 3”."
)


@dataclass(frozen=True, slots=True)
class Period:
    """[start, end) in UTC epoch seconds; ``start`` None: everything until ``end``."""

    start: int | None
    end: int
    seconds: int | None  # None for all
    label: str

    def previous(self) -> Period | None:
        if self.start is None or self.seconds is None:
            return None
        return Period(self.start - self.seconds, self.start, self.seconds, f"the {self.label} before")


def parse_period(text: str | None, now: int) -> Period:
    """``30d``, ``12w``, ``90 days``, ``all`` (the one duration grammar), 1 day to 5 years. The
    period ends just after ``now``: what happened this second counts."""
    end = now + 1
    if text is None or not text.strip():
        return Period(end - DEFAULT_PERIOD, end, DEFAULT_PERIOD, "last 30 days")
    cleaned = " ".join(text.lower().split())
    if cleaned in {"all", "all time", "ever", "everything"}:
        return Period(None, end, None, "all time")
    span = read_span(cleaned)
    if span is None:
        raise UserError(f"`{quote(text)}` is not a period I can read.", PERIOD_EXAMPLE)
    if not MIN_PERIOD <= span.seconds <= MAX_PERIOD:
        raise UserError(f"`{quote(text)}` is out of range: give 1 day to 5 years, or all.", PERIOD_EXAMPLE)
    return Period(end - span.seconds, end, span.seconds, f"last {period_words(span.seconds)}")


def period_words(seconds: int) -> str:
    """``30 days``, ``12 weeks``, ``1 day``, ``36 hours``."""
    if seconds % DAY:
        return f"{seconds // 3600} hours"
    days = seconds // DAY
    if days % 7 == 0 and days % 30 and days > 7:
        return f"{days // 7} weeks"
    return "1 day" if days == 1 else f"{days} days"


# -- figures ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeldMeetup:
    """A meetup that took place (not cancelled, ended): who said Going, who came, both."""

    meetup_id: int
    starts_at: int
    going: int
    came: int
    came_going: int  # came among those who said Going


def path_counts(levels: dict[int, int]) -> tuple[int, ...]:
    """Members per step, from how many reached each level (1 joined only ... 7 met again)."""
    return tuple(sum(n for level, n in levels.items() if level >= step) for step in range(1, len(STEPS) + 1))


def median(values: Sequence[int]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def turnout(meetups: Sequence[HeldMeetup]) -> float | None:
    """Came ÷ said Going: the share of the Going answers that came; None without any Going."""
    going = sum(m.going for m in meetups)
    return None if going == 0 else sum(m.came_going for m in meetups) / going


@dataclass(frozen=True, slots=True)
class Figures:
    """One period's figures."""

    period: Period
    path: tuple[int, ...]
    meetups: tuple[HeldMeetup, ...]  # held in the period, oldest first
    no_time_polls: int

    @property
    def held(self) -> int:
        return len(self.meetups)

    @property
    def median_attendance(self) -> float | None:
        return median([m.came for m in self.meetups])

    @property
    def turnout(self) -> float | None:
        return turnout(self.meetups)

    @property
    def recent_turnout(self) -> float | None:
        return turnout(self.meetups[-LAST_MEETUPS:])

    @property
    def going_total(self) -> int:
        return sum(m.going for m in self.meetups)

    @property
    def recent_going(self) -> int:
        return sum(m.going for m in self.meetups[-LAST_MEETUPS:])


@dataclass(frozen=True, slots=True)
class Bucket:
    """A bar of the per-week chart: meetups held and people who came, from ``start``."""

    start: int
    weeks: int
    meetups: int
    attendance: int


@dataclass(frozen=True, slots=True)
class HealthReport:
    current: Figures
    previous: Figures | None
    interests: tuple[tuple[str, int], ...]
    cities: tuple[tuple[str, int], ...]
    buckets: tuple[Bucket, ...]
    tz: str


def buckets(meetups: Sequence[HeldMeetup], start: int | None, end: int) -> tuple[Bucket, ...]:
    """Meetups and attendance per week from ``start`` (or the first meetup) to ``end``; several
    weeks per bar when there would be more than :data:`MAX_BUCKETS`."""
    if start is None:
        if not meetups:
            return ()
        start = min(m.starts_at for m in meetups)
    total_weeks = max(1, math.ceil((end - start) / WEEK))
    weeks = max(1, math.ceil(total_weeks / MAX_BUCKETS))
    count = math.ceil(total_weeks / weeks)
    held = [0] * count
    came = [0] * count
    for meetup in meetups:
        index = min(count - 1, max(0, (meetup.starts_at - start) // (weeks * WEEK)))
        held[index] += 1
        came[index] += meetup.came
    return tuple(Bucket(start + i * weeks * WEEK, weeks, held[i], came[i]) for i in range(count))


# -- what may be shown -----------------------------------------------------------------------------


def hidden(count: int) -> bool:
    """A count of members small enough to point at someone."""
    return 0 < count < HIDDEN_BELOW


def shown_count(count: int) -> str:
    return FEWER if hidden(count) else f"{count:,}"


def shown_share(part: int, whole: int) -> str | None:
    """``75%``; None when either count is hidden or there is nothing to share."""
    if whole == 0 or hidden(part) or hidden(whole):
        return None
    return f"{round(100 * part / whole)}%"


def shown_ratio(value: float | None, whole: int) -> str | None:
    """A ratio over ``whole`` members (turnout), None when ``whole`` is hidden or zero."""
    if value is None or whole == 0 or hidden(whole):
        return None
    return f"{round(100 * value)}%"


def shown_median(value: float | None) -> str | None:
    if value is None:
        return None
    if 0 < value < HIDDEN_BELOW:
        return FEWER
    return f"{value:g}"


def local_day(epoch: int, tz: str) -> str:
    """``5 Jan``: a bar's label."""
    moment = datetime.fromtimestamp(epoch, ZoneInfo(tz))
    return f"{moment.day} {moment:%b}"


# -- a member's own story (/stats me) --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberStory:
    attended: int
    organised: int
    met: tuple[int, ...]  # members met in person (mutual, by definition), most recent first
    streaks: tuple[Streak, ...]
    shared: tuple[tuple[str, int], ...]  # interests shared with people they met: (tag, how many)


DIGEST_WEEKDAY = 0  # Monday
DIGEST_HOUR = 9


def next_digest(after: int, tz: str) -> int:
    """The first Monday 09:00 (server time) strictly after ``after``."""
    zone = ZoneInfo(tz)
    local = datetime.fromtimestamp(after, zone)
    day = local.date() + timedelta(days=(DIGEST_WEEKDAY - local.weekday()) % 7)
    while True:
        slot = int(datetime.combine(day, time(DIGEST_HOUR), tzinfo=zone).timestamp())
        if slot > after:
            return slot
        day += timedelta(days=7)


def _bar(count: int) -> tuple[float, str, bool]:
    """(a bar's length, its label, whether it is hatched) for a count of members: 1-2 are drawn
    as a hatched bar up to 3 labelled "<3"."""
    if hidden(count):
        return HIDDEN_BELOW, "<3", True
    return count, f"{count:,}", False


def chart_spec(report: HealthReport) -> dict[str, object]:
    """What the chart draws, as plain values (JSON for the drawing process): every label is the
    bot's own words, and hidden counts are already hidden."""
    path = report.current.path
    steps = []
    for index, step in enumerate(STEPS):
        length, label, hatched = _bar(path[index])
        share = shown_share(path[index], path[index - 1]) if index else None
        steps.append({"label": step, "length": length, "text": f"{label}  ({share})" if share else label,
                      "hatched": hatched})  # fmt: skip
    per = report.buckets[0].weeks if report.buckets else 1
    bars = []
    for bucket in report.buckets:
        length, label, hatched = _bar(bucket.attendance)
        bars.append({"day": local_day(bucket.start, report.tz), "came": length, "came_text": label,
                     "came_hatched": hatched, "meetups": bucket.meetups})  # fmt: skip
    return {
        "period": report.current.period.label,
        "steps": steps,
        "bars_title": "Each week" if per == 1 else f"Every {per} weeks",
        "bars": bars,
    }
