"""The Discord side of safety: a report posted in the moderation channel (or not kept at all), the
report re-rendered as moderators act on it, and the first-meetup note sent by DM.

A report is stored, then posted; when the post fails the report is withdrawn and the reporter is
told to reach a moderator directly, so nobody believes a report arrived that did not. It mentions
no one but the server's moderator role (when one is set): the reporter and the member reported are
named in its embed, which pings nobody.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.adapters.outbound import Outbound, Undeliverable
from bot.boards.outbox import DmSender
from bot.domain.errors import UserError
from bot.domain.outbox import OutboxRow
from bot.domain.safety import Report
from bot.services.config import ConfigService
from bot.services.meetups import MeetupService
from bot.services.notices import MemberNotices
from bot.services.outbox import DmOutbox
from bot.services.reports import ReportService
from bot.services.safety_notes import FIRST_MEETUP
from bot.ui import safety as ui

log = logging.getLogger(__name__)


class ReportBoard:
    def __init__(self, reports: ReportService, config: ConfigService, outbound: Outbound) -> None:
        self.reports = reports
        self.config = config
        self.outbound = outbound

    async def report(
        self,
        guild: discord.Guild,
        reporter_id: int,
        reported: discord.abc.User,
        reason: str,
        meetup_number: int | None,
        now: int,
    ) -> Report:
        """Checked, stored and posted for the moderators; or refused with nothing kept."""
        draft = await self.reports.prepare(
            guild.id, reporter_id, reported.id, reason, meetup_number, reported_is_bot=reported.bot
        )
        report = await self.reports.file(draft, now)
        role_id = (await self.config.settings(guild.id)).moderator_role_id
        try:
            posted = await self.outbound.post(
                draft.channel_id,
                guild.id,
                content=ui.report_content(report, role_id),
                embed=ui.report_embed(report),
                view=ui.report_view(report, now),
                ping_roles=[role_id] if role_id else (),
            )
        except Undeliverable as error:
            await self.reports.withdraw(report)
            log.warning("guild %s: a report could not be posted (%s)", guild.id, error)
            why = (
                f"I'm missing {error.missing} in the moderation channel"
                if error.forbidden
                else ("the moderation channel no longer exists" if error.gone else "Discord did not take it")
            )
            raise UserError(
                f"I couldn't pass your report on: {why}, and nothing was kept. Please tell a moderator or "
                "an admin of this server directly (and let them know the moderation channel needs fixing).",
                "/config channel purpose:moderation channel:#moderation",
            ) from error
        return await self.reports.posted(report, posted.channel_id, posted.message_id)

    async def refresh(self, report: Report, now: int) -> None:
        """Show what moderators did on the report's post (its buttons become the undos)."""
        if report.channel_id is None or report.message_id is None:
            return
        try:
            await self.outbound.edit(
                report.channel_id,
                report.guild_id,
                report.message_id,
                embed=ui.report_embed(report),
                view=ui.report_view(report, now),
            )
        except Undeliverable as error:
            log.warning("guild %s: could not update report #%d (%s)", report.guild_id, report.number, error)


class FirstMeetupDms:
    """The first-meetup note by DM, written when it is sent (with the meetup's place); kept for the
    member's next command when their DMs turn out to be closed."""

    def __init__(
        self, meetups: MeetupService, outbox: DmOutbox, sender: DmSender, notices: MemberNotices
    ) -> None:
        self.meetups = meetups
        self.notices = notices
        sender.register(FIRST_MEETUP, self._render)
        outbox.register_fallback(FIRST_MEETUP, self._fallback)

    async def _render(self, row: OutboxRow) -> dict[str, Any] | None:
        meetup = await self.meetups.by_id(int(row.args.get("meetup", 0)))
        return {"content": ui.first_meetup_note(meetup if meetup and not meetup.cancelled else None)}

    async def _fallback(self, guild_id: int, member_id: int, args: dict[str, Any], why: str) -> None:
        meetup = await self.meetups.by_id(int(args.get("meetup", 0)))
        await self.notices.keep(guild_id, member_id, FIRST_MEETUP, ui.first_meetup_note(meetup))
