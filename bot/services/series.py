"""Series of meetups: create, post each occurrence ahead of time, skip, edit, end, list.

No Discord here: :mod:`bot.boards.series` announces. Each occurrence becomes a normal meetup (its own
card, RSVPs, waitlist, event, thread, reminders, Who came?) when ``/config series ahead`` before it
starts, by one ``series.post`` task per series:

- the task finds the next occurrence still to post (after the last one posted or missed, skipping
  skipped days); one whose posting time is still ahead re-plans the task for then;
- in one transaction it records the occurrence (keyed by series and day: never posted twice),
  stores its meetup and plans the task for the occurrence after; the board then announces it, and
  a refused announcement becomes a ``meetup.announce`` task (retried until it is up, never once it
  began), as does one a stop interrupted (a meetup without its announcement is found at start);
- after downtime only what has not begun is posted: an occurrence that began while the bot was
  down is recorded as missed, never posted late, so a long stop does not end in a burst.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.calendar import SeriesEntry, member_ics
from bot.domain.clock import Clock, from_epoch
from bot.domain.errors import Forbidden, NotFound, UserError
from bot.domain.followups import SERIES_POST
from bot.domain.meetups import (
    DEFAULT_LENGTH,
    Meetup,
    MeetupDraft,
    may_manage,
    validate_capacity,
    validate_place,
)
from bot.domain.series import (
    LIST_EXAMPLE,
    SHOWN_NEXT,
    Occurrence,
    OccurrenceState,
    Series,
    SeriesChange,
    SeriesDraft,
    SeriesListing,
    SeriesNote,
    Streak,
    check_anchor,
    posting_time,
    read_repeat,
    streak,
    upcoming,
)
from bot.domain.tasks import ScheduledTask
from bot.domain.when import read_date, read_time, read_time_of_day
from bot.scheduling.scheduler import Scheduler, TaskDropped
from bot.services.config import ConfigService
from bot.services.meetups import MeetupService
from bot.storage.database import Database
from bot.storage.meetups import NewMeetup
from bot.storage.series import NewSeries, SeriesRepository

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Skipped:
    """What ``/meetup series skip`` did: the day, and the posted meetup to cancel (if it was posted)."""

    series: Series
    day: datetime
    meetup: Meetup | None = None


class SeriesService:
    def __init__(
        self,
        db: Database,
        repo: SeriesRepository,
        meetups: MeetupService,
        config: ConfigService,
        scheduler: Scheduler,
        *,
        now: Clock,
    ) -> None:
        self.db = db
        self.repo = repo
        self.meetups = meetups
        self.config = config
        self.scheduler = scheduler
        self.now = now
        meetups.use_series(self.note)

    async def start(self) -> None:
        """Before timed work resumes: every active series has its ``series.post`` task (a stop
        between announcing a new series' first meetup and planning the next one leaves none)."""
        for series in await self.repo.without_task(SERIES_POST):
            if not self.scheduler.owns(series.guild_id):
                continue  # another shard process repairs its own servers
            log.warning("series %d had no posting planned; planning it", series.id)
            await self.plan_next(series)

    # -- reading -------------------------------------------------------------------------------

    async def get(self, guild_id: int, number: int) -> Series:
        series = await self.repo.by_number(guild_id, number)
        if series is None:
            raise NotFound(f"There is no series S{number} in this server.", LIST_EXAMPLE)
        return series

    async def by_id(self, series_id: int) -> Series | None:
        return await self.repo.get(series_id)

    async def managed(
        self, guild_id: int, number: int, member_id: int, is_admin: bool, action: str
    ) -> Series:
        """The series, if this member may ``action`` it (its organiser, or Manage Server)."""
        series = await self.get(guild_id, number)
        if not may_manage(series.organiser_id, member_id, is_admin):
            raise Forbidden(
                f"Only the organiser of series S{number} or someone with Manage Server can {action} it.",
                LIST_EXAMPLE,
            )
        if series.ended:
            raise UserError(f"Series S{number} has ended; start a new one with /meetup create … repeat:.")
        return series

    async def next_epochs(self, series: Series, after: int, count: int) -> list[int]:
        """When the series meets next after ``after``: occurrences already posted (not cancelled),
        then those still to post."""
        posted = [m.starts_at for m in await self.meetups.of_series(series.id, after) if not m.cancelled]
        dealt = await self.repo.occurrences(series.id)
        later = [series.epoch(wall) for wall in upcoming(series, dealt, count=count, after_epoch=after)]
        return sorted(set(posted + later))[:count]

    async def listing(self, guild_id: int, now: int) -> list[SeriesListing]:
        return [
            SeriesListing(series, tuple(await self.next_epochs(series, now, SHOWN_NEXT)))
            for series in await self.repo.active(guild_id)
        ]

    async def note(self, meetup: Meetup) -> SeriesNote | None:
        """An occurrence's card: which series, and when the next one is."""
        series = await self.repo.get(meetup.series_id) if meetup.series_id is not None else None
        if series is None:
            return None
        following = [] if series.ended else await self.next_epochs(series, meetup.starts_at, 1)
        return SeriesNote(series.label, series.describe, following[0] if following else None)

    async def streaks(self, guild_id: int, member_id: int) -> list[Streak]:
        """For /profile: occurrences in a row the member came to, per series they came to."""
        rows = await self.repo.streak_rows(guild_id, member_id, self.now())
        by_series: dict[int, list[bool]] = {}
        for series_id, came in rows:
            by_series.setdefault(series_id, []).append(came)
        found = []
        for series_id, attended in by_series.items():
            series = await self.repo.get(series_id)
            count = streak(attended)
            if series is not None and count:
                found.append(Streak(series.label, series.title, count))
        return sorted(found, key=lambda s: -s.count)

    async def attended_by(self, guild_id: int, member_id: int) -> list[Series]:
        found = [
            await self.repo.get(series_id) for series_id in await self.repo.attended_by(guild_id, member_id)
        ]
        return [series for series in found if series is not None]

    async def occurrences(self, series: Series) -> list[Occurrence]:
        return await self.repo.occurrences(series.id)

    async def calendar(self, guild_id: int, member_id: int, now: int) -> tuple[int, int, bytes]:
        """``/meetup calendar`` without ``id``: every meetup still to come the member said Going or
        Maybe to, and every series they attend as one recurring event; (meetups, series, the file)."""
        attended = await self.attended_by(guild_id, member_id)
        covered = {series.id for series in attended}
        meetups = [
            meetup
            for meetup in await self.meetups.answered_going_or_maybe(guild_id, member_id, now)
            if meetup.series_id not in covered
        ]
        entries = [await self._entry(series) for series in attended]
        return len(meetups), len(entries), member_ics(meetups, entries, now)

    async def _entry(self, series: Series) -> SeriesEntry:
        """The dates the series will not meet on, and its meetups that differ from the rule."""
        clock = time(series.anchor.hour, series.anchor.minute)
        skipped: list[datetime] = []
        changed: list[tuple[datetime, Meetup]] = []
        for occurrence in await self.repo.occurrences(series.id):
            if not series.occurs_on(occurrence.day):
                continue  # before an edit moved the series: not one of the rule's dates now
            wall = datetime.combine(occurrence.day, clock)
            meetup = await self.meetups.by_id(occurrence.meetup_id) if occurrence.meetup_id else None
            if occurrence.state is not OccurrenceState.POSTED or meetup is None or meetup.cancelled:
                skipped.append(wall)
            elif (meetup.starts_at, meetup.place) != (series.epoch(wall), series.place):
                changed.append((wall, meetup))
        return SeriesEntry(series, tuple(skipped), tuple(changed))

    # -- creating ------------------------------------------------------------------------------

    async def create(self, draft: MeetupDraft, repeat: SeriesDraft, now: int) -> tuple[Series, Meetup]:
        """The series and its first occurrence (``when``), stored together; everything is checked
        first. The first is announced at once by the caller, the others ahead of time."""
        new = await self.meetups.read_draft(draft, now)
        rule = read_repeat(repeat.repeat)
        settings = await self.config.settings(draft.guild_id)
        wall = datetime.fromtimestamp(new.starts_at, ZoneInfo(new.tz)).replace(tzinfo=None)
        check_anchor(rule, wall)
        until = None
        if repeat.until is not None:
            until = read_date(repeat.until, now=from_epoch(now), tz=new.tz, order=settings.dates)
            if until < wall.date():
                raise UserError(
                    f"`until` is before the first meetup ({wall:%Y-%m-%d}): the series would never meet.",
                    f"until:{(wall.date() + timedelta(days=182)).isoformat()}",
                )
        async with self.db.transaction():
            series = await self.repo.add(
                NewSeries(
                    guild_id=new.guild_id,
                    title=new.title,
                    tz=new.tz,
                    when_text=new.when_text,
                    anchor=wall,
                    rule=rule,
                    place=new.place,
                    organiser_id=new.organiser_id,
                    description=new.description,
                    capacity=new.capacity,
                    min_attendees=new.min_attendees,
                    until=until,
                ),
                now,
            )
            meetup = await self.meetups.add(replace(new, series_id=series.id), now)
            await self.repo.record(series.guild_id, series.id, wall, OccurrenceState.POSTED, now, meetup.id)
        return series, meetup

    async def discard(self, series: Series, meetup: Meetup) -> None:
        """Undo a series whose first meetup could not be announced."""
        await self.meetups.discard(meetup)
        await self.repo.delete(series.id)

    async def plan_next(self, series: Series) -> ScheduledTask | None:
        """The ``series.post`` task for the next occurrence, at its posting time (or now)."""
        if series.ended:
            return None
        settings = await self.config.settings(series.guild_id)
        walls = upcoming(series, await self.repo.occurrences(series.id), count=1)
        now = self.now()
        due = now if not walls else max(now, posting_time(series.epoch(walls[0]), settings.series_ahead))
        async with self.db.transaction():
            await self.scheduler.cancel_for_subject(series.guild_id, [SERIES_POST], series.id)
            return await self.scheduler.schedule(series.guild_id, SERIES_POST, due, subject_id=series.id)

    # -- posting -------------------------------------------------------------------------------

    async def post_due(self, task: ScheduledTask) -> Meetup | None:
        """The ``series.post`` task: the next occurrence becomes a meetup if its posting time has
        come (with the task for the one after); None otherwise. The caller announces it."""
        assert task.subject_id is not None
        now = self.now()
        async with self.db.transaction():
            series = await self.repo.get(task.subject_id)
            if series is None or series.ended:
                raise TaskDropped("the series has ended")
            ahead = (await self.config.settings(series.guild_id)).series_ahead
            dealt = await self.repo.occurrences(series.id)
            while True:
                walls = upcoming(series, dealt, count=1)
                if not walls:
                    await self.repo.end(series.id, now)  # past its until: nothing left to post
                    return None
                wall = walls[0]
                starts_at = series.epoch(wall)
                if starts_at > now:
                    break
                # It began while we were down: never posted late.
                await self.repo.record(series.guild_id, series.id, wall, OccurrenceState.MISSED, now)
                dealt.append(Occurrence(series.id, wall.date(), wall, OccurrenceState.MISSED))
            post_at = posting_time(starts_at, ahead)
            if post_at > now:
                await self.scheduler.schedule(series.guild_id, SERIES_POST, post_at, subject_id=series.id)
                return None
            meetup = await self.meetups.add(self._occurrence(series, starts_at), now)
            await self.repo.record(series.guild_id, series.id, wall, OccurrenceState.POSTED, now, meetup.id)
            dealt.append(Occurrence(series.id, wall.date(), wall, OccurrenceState.POSTED, meetup.id))
            following = upcoming(series, dealt, count=1)
            if following:
                due = max(now + 1, posting_time(series.epoch(following[0]), ahead))
                await self.scheduler.schedule(series.guild_id, SERIES_POST, due, subject_id=series.id)
            else:
                await self.repo.end(series.id, now)
        return meetup

    def _occurrence(self, series: Series, starts_at: int) -> NewMeetup:
        return NewMeetup(
            guild_id=series.guild_id,
            title=series.title,
            starts_at=starts_at,
            ends_at=starts_at + DEFAULT_LENGTH,
            tz=series.tz,
            when_text=f"{series.rule.describe(series.anchor)} ({series.label})",
            place=series.place,
            organiser_id=series.organiser_id,
            description=series.description,
            capacity=series.capacity,
            min_attendees=series.min_attendees,
            series_id=series.id,
        )

    # -- managing ------------------------------------------------------------------------------

    async def skip(
        self, guild_id: int, number: int, member_id: int, is_admin: bool, date_text: str, now: int
    ) -> Skipped:
        """One occurrence is not posted; one already posted is returned, for the caller to cancel
        as ``/meetup cancel`` would (its people are told)."""
        series = await self.managed(guild_id, number, member_id, is_admin, "skip a meetup of")
        settings = await self.config.settings(guild_id)
        day = read_date(date_text, now=from_epoch(now), tz=series.tz, order=settings.dates)
        coming = await self.next_epochs(series, now, SHOWN_NEXT)
        example = _skip_example(series, coming)
        if not series.occurs_on(day):
            raise UserError(f"Series {series.label} doesn't meet on {day:%a %d %b %Y}.", example)
        dealt = {o.day: o for o in await self.repo.occurrences(series.id)}
        wall = datetime.combine(day, time(series.anchor.hour, series.anchor.minute))
        done = dealt.get(day)
        if done is not None and done.state is OccurrenceState.SKIPPED:
            raise UserError(f"{day:%a %d %b} is already skipped in series {series.label}.", example)
        if done is not None and done.state is OccurrenceState.POSTED and done.meetup_id is not None:
            meetup = await self.meetups.by_id(done.meetup_id)
            if meetup is None or meetup.cancelled:
                raise UserError(f"The meetup on {day:%a %d %b} is already cancelled.", example)
            if meetup.starts_at <= now:
                raise UserError(f"The meetup on {day:%a %d %b} has begun.", example)
            return Skipped(series, wall, meetup)
        if done is not None or series.epoch(wall) <= now:
            raise UserError(f"The meetup on {day:%a %d %b} has begun.", example)
        await self.repo.record(series.guild_id, series.id, wall, OccurrenceState.SKIPPED, now)
        return Skipped(series, wall)

    async def skipped(self, skipped: Skipped) -> None:
        """A posted occurrence was cancelled by a skip: it counts as skipped (its calendar date too)."""
        await self.repo.mark_skipped(skipped.series.id, skipped.day.date())

    async def edit(self, change: SeriesChange, now: int) -> Series:
        """Time, place or capacity of the occurrences not yet posted. A time alone (``20:00``) keeps
        the days; a day and time (``thu 8pm``) moves the series to meet from then on."""
        example = f"/meetup series edit id:S{change.number} when:20:00"
        if change.empty:
            raise UserError("Say what to change: when, where or capacity.", example)
        series = await self.managed(change.guild_id, change.number, change.member_id, change.is_admin, "edit")
        anchor, when_text = series.anchor, series.when_text
        if change.when is not None:
            clock = read_time_of_day(change.when)
            if clock is not None:
                anchor = datetime.combine(series.anchor.date(), time(*clock))
            else:
                settings = await self.config.settings(change.guild_id)
                at = read_time(change.when, now=from_epoch(now), tz=series.tz, order=settings.dates)
                anchor = at.local.replace(tzinfo=None)
                check_anchor(series.rule, anchor)
            when_text = change.when.strip()
        place = validate_place(change.where, example) if change.where is not None else series.place
        capacity = (
            validate_capacity(change.capacity, example) if change.capacity is not None else series.capacity
        )
        async with self.db.transaction():
            await self.repo.update(
                series.id, when_text=when_text, anchor=anchor, place=place, capacity=capacity, now=now
            )
            edited = await self.repo.get(series.id)
            assert edited is not None
            await self.plan_next(edited)
        return edited

    async def end(self, guild_id: int, number: int, member_id: int, is_admin: bool, now: int) -> Series:
        """No occurrence is posted any more; those already posted stay (each can be cancelled)."""
        series = await self.managed(guild_id, number, member_id, is_admin, "end")
        async with self.db.transaction():
            await self.repo.end(series.id, now)
            await self.scheduler.cancel_for_subject(guild_id, [SERIES_POST], series.id)
        ended = await self.repo.get(series.id)
        assert ended is not None
        return ended

    async def set_ahead(self, guild_id: int, text: str, now: int) -> int:
        """``/config series ahead``: every active series of the server re-plans its next posting."""
        async with self.db.transaction():
            settings = await self.config.set_series_ahead(guild_id, text, now)
            for series in await self.repo.active(guild_id):
                await self.plan_next(series)
        return settings.series_ahead


def _skip_example(series: Series, coming: list[int]) -> str:
    if not coming:
        return LIST_EXAMPLE
    day = datetime.fromtimestamp(coming[0], ZoneInfo(series.tz)).date()
    return f"/meetup series skip id:{series.label} date:{day.isoformat()}"
