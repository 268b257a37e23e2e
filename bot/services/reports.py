"""/report and what moderators do about a report, and the limits those actions put on a member.

A report is stored, then posted in the moderation channel by the Discord side
(:mod:`bot.boards.reports`), which withdraws it if the post fails: a report either reaches the
moderators or the reporter is told it did not. The member reported is never told anything.

Moderators act from the report's buttons: :meth:`ReportService.pause` (no Going or Maybe, no
pairing, until a time), :meth:`ReportService.unpair` (out of pairing rounds, and ``/pairing join``
refused, until undone; undoing puts back a member who had joined), :meth:`ReportService.dismiss`;
:meth:`ReportService.undo` reverses any of them. Each is a row on the report, so the post shows who
did what and when.

:class:`Restrictions` is what the rest of the bot asks: may this member answer Going, join pairing,
be grouped this round.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.domain.errors import NotConfigured, NotFound, UserError
from bot.domain.guild_settings import Purpose
from bot.domain.meetups import RsvpStatus
from bot.domain.safety import (
    CONTEXT_WINDOW,
    Acted,
    ModAction,
    Report,
    check_report,
    recent_first,
    validate_reason,
)
from bot.services.config import ConfigService
from bot.services.meetups import MeetupService
from bot.storage.database import Database
from bot.storage.pairing import PairingRepository
from bot.storage.safety import ReportRepository

log = logging.getLogger(__name__)


class Restrictions:
    """What moderators' actions keep a member from, asked by meetups and pairing."""

    def __init__(self, repo: ReportRepository) -> None:
        self.repo = repo

    async def paused_until(self, guild_id: int, member_id: int, now: int) -> int | None:
        return await self.repo.paused_until(guild_id, member_id, now)

    async def check_rsvp(self, guild_id: int, member_id: int, wanted: RsvpStatus, now: int) -> None:
        """Going and Maybe are refused while paused; Can't go always works."""
        if wanted is RsvpStatus.NO:
            return
        until = await self.repo.paused_until(guild_id, member_id, now)
        if until is not None:
            raise UserError(
                f"The moderators of this server paused you from meetups until <t:{until}:f>, so you can't "
                "answer Going or Maybe until then. **Can't go** still works.",
                "/meetup list",
            )

    async def check_pairing(self, guild_id: int, member_id: int, now: int) -> None:
        """``/pairing join`` is refused while a moderator keeps the member out of pairing."""
        if await self.repo.unpaired(guild_id, member_id):
            raise UserError("The moderators of this server removed you from pairing rounds.", "/meetup list")
        until = await self.repo.paused_until(guild_id, member_id, now)
        if until is not None:
            raise UserError(
                f"The moderators of this server paused you from meetups and pairing until <t:{until}:f>.",
                "/meetup list",
            )

    async def kept_from_pairing(self, guild_id: int, now: int) -> set[int]:
        """Members a round leaves out without a word: paused, or removed from pairing."""
        return await self.repo.kept_from_pairing(guild_id, now)


@dataclass(frozen=True, slots=True)
class ReportDraft:
    """A report checked and ready to store, with where it goes."""

    guild_id: int
    channel_id: int
    reporter_id: int
    reported_id: int
    meetup_id: int | None
    reason: str


class ReportService:
    def __init__(
        self,
        db: Database,
        repo: ReportRepository,
        config: ConfigService,
        meetups: MeetupService,
        pairing: PairingRepository,
    ) -> None:
        self.db = db
        self.repo = repo
        self.config = config
        self.meetups = meetups
        self.pairing = pairing

    # -- filing a report ------------------------------------------------------------------------

    async def prepare(
        self,
        guild_id: int,
        reporter_id: int,
        reported_id: int,
        reason: str,
        meetup_number: int | None = None,
        *,
        reported_is_bot: bool = False,
    ) -> ReportDraft:
        """Everything checked before anything is stored; refused with what to do instead."""
        check_report(reporter_id, reported_id, reported_is_bot=reported_is_bot)
        reason = validate_reason(reason)
        meetup_id = None
        if meetup_number is not None:
            meetup_id = (await self.meetups.get(guild_id, meetup_number)).id
        channel_id = (await self.config.settings(guild_id)).channel(Purpose.MODERATION)
        if channel_id is None:
            raise NotConfigured(
                "This server has no moderation channel, so I can't pass your report on, and nothing was "
                "stored. Please tell a moderator or an admin of this server directly. (Someone with "
                "Manage Server can set a channel with the command below; `/config show` lists it as "
                "missing.)",
                "/config channel purpose:moderation channel:#moderation",
            )
        return ReportDraft(guild_id, channel_id, reporter_id, reported_id, meetup_id, reason)

    async def file(self, draft: ReportDraft, now: int) -> Report:
        """Store the report with the shared history the bot knows of the two."""
        since = now - CONTEXT_WINDOW
        a, b = draft.reporter_id, draft.reported_id
        context = await self.repo.shared_rounds(draft.guild_id, a, b, since)
        context += await self.repo.shared_meetups(draft.guild_id, a, b, since)
        report = await self.repo.add(
            guild_id=draft.guild_id,
            reporter_id=a,
            reported_id=b,
            meetup_id=draft.meetup_id,
            reason=draft.reason,
            context=recent_first(context),
            now=now,
        )
        log.info(
            "guild %s: report #%d filed (%d shared moments)", draft.guild_id, report.number, len(context)
        )
        return report

    async def posted(self, report: Report, channel_id: int, message_id: int) -> Report:
        await self.repo.set_message(report.id, channel_id, message_id)
        return await self._reload(report.id)

    async def withdraw(self, report: Report) -> None:
        """The report could not be posted: nothing of it stays."""
        await self.repo.delete(report.id)

    # -- moderators -----------------------------------------------------------------------------

    async def report(self, guild_id: int, report_id: int) -> Report:
        report = await self.repo.get(report_id)
        if report is None or report.guild_id != guild_id:
            raise NotFound("This report no longer exists.")
        return report

    async def subject(self, guild_id: int, report_id: int) -> Report:
        """The report, if there is still a member to act on (refused once they were forgotten)."""
        report = await self.report(guild_id, report_id)
        if report.reported_member_id == 0:
            raise UserError(
                f"The member of report #{report.number} asked Meetbridge to forget them: there is no one "
                "left to act on. Discord's own moderation tools still work."
            )
        return report

    async def pause(self, guild_id: int, report_id: int, moderator_id: int, seconds: int, now: int) -> Acted:
        async with self.db.transaction():
            report = await self.subject(guild_id, report_id)
            current = report.current(ModAction.PAUSE)
            if current is not None and current.in_force(now):
                raise UserError(
                    f"That member is already paused from meetups until <t:{current.until}:f> "
                    f"(report #{report.number}). Undo it first to choose another period."
                )
            until = now + seconds
            await self.repo.add_action(report, ModAction.PAUSE, moderator_id, now, until=until)
        log.info("guild %s: report #%d: paused from meetups", guild_id, report.number)
        return Acted(await self._reload(report.id), ModAction.PAUSE, undone=False, until=until)

    async def unpair(self, guild_id: int, report_id: int, moderator_id: int, now: int) -> Acted:
        async with self.db.transaction():
            report = await self.subject(guild_id, report_id)
            if report.current(ModAction.UNPAIR) is not None:
                raise UserError(f"That member is already removed from pairing by report #{report.number}.")
            was_in = await self.pairing.leave(guild_id, report.reported_member_id)
            await self.repo.add_action(report, ModAction.UNPAIR, moderator_id, now, rejoin=was_in)
        log.info("guild %s: report #%d: removed from pairing", guild_id, report.number)
        return Acted(await self._reload(report.id), ModAction.UNPAIR, undone=False)

    async def dismiss(self, guild_id: int, report_id: int, moderator_id: int, now: int) -> Acted:
        async with self.db.transaction():
            report = await self.report(guild_id, report_id)
            if report.current(ModAction.DISMISS) is not None:
                raise UserError(f"Report #{report.number} is already dismissed.")
            await self.repo.add_action(report, ModAction.DISMISS, moderator_id, now)
        return Acted(await self._reload(report.id), ModAction.DISMISS, undone=False)

    async def undo(
        self, guild_id: int, report_id: int, kind: ModAction, moderator_id: int, now: int
    ) -> Acted:
        """Reverse the report's action of this kind (a member removed from pairing who had joined
        is put back, unless another report still keeps them out)."""
        async with self.db.transaction():
            report = await self.report(guild_id, report_id)
            current = report.current(kind)
            if current is None:
                raise UserError(
                    f"There is nothing to undo on report #{report.number}: it was undone already."
                )
            if kind is ModAction.PAUSE and not current.in_force(now):
                raise UserError(f"The pause of report #{report.number} already ended <t:{current.until}:R>.")
            await self.repo.undo_action(current.id, moderator_id, now)
            member = current.member_id
            if (
                kind is ModAction.UNPAIR
                and current.rejoin
                and member
                and not await self.repo.unpaired(guild_id, member)
            ):
                await self.pairing.join(guild_id, member, now)
        return Acted(await self._reload(report.id), kind, undone=True)

    async def _reload(self, report_id: int) -> Report:
        report = await self.repo.get(report_id)
        assert report is not None
        return report
