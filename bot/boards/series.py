"""The Discord side of series: the first meetup announced at once, each later one when its
``series.post`` task makes it (announced by ``meetup.announce``, retried until it is up), a skipped
occurrence that was already posted cancelled as ``/meetup cancel`` would, and the cards of coming
occurrences kept saying when the next one is."""

from __future__ import annotations

from bot.adapters.outbound import Undeliverable
from bot.boards.announcements import Announcements
from bot.boards.delivery import cannot_post
from bot.boards.meetups import MeetupBoard
from bot.domain.errors import UserError
from bot.domain.followups import ANNOUNCE, SERIES_POST
from bot.domain.meetups import Meetup, MeetupDraft
from bot.domain.series import Series, SeriesChange, SeriesDraft
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import Scheduler
from bot.services.meetups import MeetupService
from bot.services.series import SeriesService, Skipped


class SeriesBoard:
    def __init__(
        self,
        series: SeriesService,
        meetups: MeetupService,
        board: MeetupBoard,
        announcements: Announcements,
        scheduler: Scheduler,
    ) -> None:
        self.series = series
        self.meetups = meetups
        self.board = board
        self.announcements = announcements
        self.scheduler = scheduler
        scheduler.register(SERIES_POST, self._post)

    async def create(self, draft: MeetupDraft, repeat: SeriesDraft, now: int) -> tuple[Series, Meetup]:
        """The series with its first meetup announced at once, or nothing at all."""
        channel_id = await self.meetups.meetups_channel(draft.guild_id)
        series, meetup = await self.series.create(draft, repeat, now)
        try:
            meetup = await self.announcements.publish(meetup, channel_id)
        except Undeliverable as error:
            await self.series.discard(series, meetup)
            raise cannot_post(channel_id, error) from error
        await self.series.plan_next(series)
        return series, meetup

    async def _post(self, task: ScheduledTask) -> None:
        meetup = await self.series.post_due(task)
        if meetup is None:
            return
        try:
            await self.announcements.publish(meetup, await self.meetups.meetups_channel(meetup.guild_id))
        except (Undeliverable, UserError):
            # Refused (or the channel is unset): meetup.announce retries it, tells the organiser what
            # to fix, and gives up once it has begun.
            await self.scheduler.schedule(
                meetup.guild_id, ANNOUNCE, self.scheduler.now_epoch(), subject_id=meetup.id
            )
            await self.scheduler.run_now_for_subject(meetup.guild_id, ANNOUNCE, meetup.id)
        await self._refresh(meetup.series_id, before=meetup.starts_at)

    async def skip(
        self, guild_id: int, number: int, member_id: int, is_admin: bool, date: str, now: int
    ) -> Skipped:
        skipped = await self.series.skip(guild_id, number, member_id, is_admin, date, now)
        if skipped.meetup is not None:
            await self.board.cancel_meetup(
                guild_id=guild_id,
                number=skipped.meetup.number,
                member_id=member_id,
                is_admin=is_admin,
                reason=f"This one is skipped (series {skipped.series.label}).",
                now=now,
            )
            await self.series.skipped(skipped)
        await self._refresh(skipped.series.id)
        return skipped

    async def edit(self, change: SeriesChange, now: int) -> Series:
        series = await self.series.edit(change, now)
        await self._refresh(series.id)
        return series

    async def end(self, guild_id: int, number: int, member_id: int, is_admin: bool, now: int) -> Series:
        series = await self.series.end(guild_id, number, member_id, is_admin, now)
        await self._refresh(series.id)
        return series

    async def _refresh(self, series_id: int | None, before: int | None = None) -> None:
        """The cards of occurrences still to come say when the next one is: shown anew."""
        if series_id is None:
            return
        now = self.scheduler.now_epoch()
        for meetup in await self.meetups.of_series(series_id, now):
            if not meetup.cancelled and (before is None or meetup.starts_at < before):
                self.announcements.renders.request(meetup.id)
