"""The counts /profile shows, and community health: /stats, /stats me and the weekly digest.

Read from the tables the meetup, meeting and pairing features fill; the figures' rules are in
:mod:`bot.domain.stats`, their SQL in :mod:`bot.storage.stats`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from bot.domain.profiles import MemberStats
from bot.domain.series import Streak
from bot.domain.stats import (
    TOP,
    Figures,
    HealthReport,
    MemberStory,
    Period,
    buckets,
    next_digest,
    parse_period,
    path_counts,
)
from bot.scheduling.scheduler import Scheduler
from bot.services.config import ConfigService
from bot.services.meetings import MeetingService
from bot.storage.database import Database
from bot.storage.followups import AttendanceRepository
from bot.storage.stats import CATCHUP, JOINED, MATCHED, StatsRepository


class MemberStatsQuery:
    def __init__(self, meetings: MeetingService, attendance: AttendanceRepository | None = None) -> None:
        self.meetings = meetings
        self.attendance = attendance
        self._streaks: Callable[[int, int], Awaitable[list[Streak]]] | None = None

    def use_streaks(self, streaks: Callable[[int, int], Awaitable[list[Streak]]]) -> None:
        """The series feature counts each member's streaks."""
        self._streaks = streaks

    async def stats(self, guild_id: int, member_id: int) -> MemberStats:
        attended = 0
        if self.attendance is not None:
            attended = await self.attendance.count_for_member(guild_id, member_id)
        return MemberStats(
            meetups_attended=attended,
            met_in_person=await self.meetings.met_count(guild_id, member_id),
            streaks=tuple(await self._streaks(guild_id, member_id)) if self._streaks else (),
        )


DIGEST = "stats.digest"
"""The weekly digest's task: one pending row per server with the digest on, due Monday 09:00."""

DIGEST_EXAMPLE = "/config digest channel:#general (or channel:off)"


class CommunityStats:
    """/stats, /stats me and the weekly digest's schedule (the Discord side posts it)."""

    def __init__(
        self,
        db: Database,
        repo: StatsRepository,
        config: ConfigService,
        scheduler: Scheduler,
        members: MemberStatsQuery,
        *,
        now: Callable[[], int],
    ) -> None:
        self.db = db
        self.repo = repo
        self.config = config
        self.scheduler = scheduler
        self.members = members
        self.now = now

    # -- what nothing else records -------------------------------------------------------------------

    async def joined(self, guild_id: int, member_id: int, at: int) -> None:
        await self.repo.milestone(guild_id, member_id, JOINED, at)

    async def matched(self, guild_id: int, member_id: int, at: int) -> None:
        await self.repo.milestone(guild_id, member_id, MATCHED, at)

    async def caught_up(self, guild_id: int, member_ids: Iterable[int], at: int) -> None:
        for member_id in member_ids:
            await self.repo.milestone(guild_id, member_id, CATCHUP, at)

    # -- the server's figures ------------------------------------------------------------------------

    async def figures(self, guild_id: int, period: Period, now: int) -> Figures:
        return Figures(
            period=period,
            path=path_counts(await self.repo.levels(guild_id, period.start, period.end)),
            meetups=tuple(await self.repo.held(guild_id, period.start, period.end, now)),
            no_time_polls=await self.repo.no_time_polls(guild_id, period.start, period.end),
        )

    async def report(self, guild_id: int, period_text: str | None, now: int) -> HealthReport:
        """The server's health over the period (bad period text: a refusal with an example)."""
        period = parse_period(period_text, now)
        current = await self.figures(guild_id, period, now)
        before = period.previous()
        previous = await self.figures(guild_id, before, now) if before is not None else None
        settings = await self.config.settings(guild_id)
        return HealthReport(
            current=current,
            previous=previous,
            interests=tuple(await self.repo.top_interests(guild_id, TOP)),
            cities=tuple(await self.repo.top_cities(guild_id, TOP)),
            buckets=buckets(current.meetups, period.start, period.end),
            tz=settings.tz,
        )

    async def story(self, guild_id: int, member_id: int) -> MemberStory:
        streaks = await self.members.stats(guild_id, member_id)
        return MemberStory(
            attended=await self.repo.attended(guild_id, member_id),
            organised=await self.repo.organised(guild_id, member_id),
            met=tuple(await self.repo.met(guild_id, member_id)),
            streaks=streaks.streaks,
            shared=tuple(await self.repo.shared_with_met(guild_id, member_id, TOP)),
        )

    # -- the weekly digest ---------------------------------------------------------------------------

    async def digest_channel(self, guild_id: int) -> int | None:
        return await self.repo.digest_channel(guild_id)

    async def next_digest_at(self, guild_id: int, after: int) -> int:
        return next_digest(after, (await self.config.settings(guild_id)).tz)

    async def set_digest(self, guild_id: int, channel_id: int | None, now: int) -> int | None:
        """Post the digest in ``channel_id`` (None: stop it). One pending task per server, replaced
        in the same transaction as the setting. The next posting's time, or None when off."""
        async with self.db.transaction():
            current = await self.repo.digest(guild_id)
            if current is not None and current[1] is not None:
                await self.scheduler.cancel(current[1])
            if channel_id is None:
                await self.repo.clear_digest(guild_id)
                return None
            due = await self.next_digest_at(guild_id, now)
            task = await self.scheduler.schedule(guild_id, DIGEST, due, subject_id=guild_id)
            await self.repo.set_digest(guild_id, channel_id, task.id, now)
            return due

    async def plan_next_digest(self, guild_id: int, after: int) -> int | None:
        """After a posting: the next one, unless it is planned already (a retried run plans once)."""
        async with self.db.transaction():
            current = await self.repo.digest(guild_id)
            if current is None:
                return None
            due = await self.next_digest_at(guild_id, after)
            for task in await self.scheduler.pending_for_subject(guild_id, [DIGEST], guild_id):
                if task.due_at == due:
                    return due
            task = await self.scheduler.schedule(guild_id, DIGEST, due, subject_id=guild_id)
            await self.repo.set_digest_task(guild_id, task.id, self.now())
            return due
