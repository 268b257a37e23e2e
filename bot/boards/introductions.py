"""The Discord side of introductions: the DM about the other person (rendered when it is sent,
from their profile as it is then), the note kept for a member who gets no DM, and removing a
forgotten member's introduction post."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.adapters.outbound import Outbound, Undeliverable
from bot.boards.outbox import DmSender
from bot.domain.outbox import OutboxRow
from bot.domain.profiles import IntroMessage
from bot.services.introductions import INTRODUCTION
from bot.services.notices import MemberNotices
from bot.services.outbox import DmOutbox
from bot.services.profiles import ProfileService
from bot.ui.meetings import introduction_embed, introduction_message, introduction_note

log = logging.getLogger(__name__)


class IntroductionBoard:
    def __init__(
        self,
        outbound: Outbound,
        profiles: ProfileService,
        outbox: DmOutbox,
        sender: DmSender,
        notices: MemberNotices,
    ) -> None:
        self.outbound = outbound
        self.client = outbound.client
        self.profiles = profiles
        self.notices = notices
        sender.register(INTRODUCTION, self._render)
        outbox.register_fallback(INTRODUCTION, self._fallback)

    async def _about(self, guild_id: int, about_id: int) -> discord.abc.User | None:
        guild = self.client.get_guild(guild_id)
        member = guild.get_member(about_id) if guild is not None else None
        if member is not None:
            return member
        try:
            return await self.client.fetch_user(about_id)
        except discord.HTTPException:
            return None

    async def _render(self, row: OutboxRow) -> dict[str, Any] | None:
        args = row.args
        about_id = int(args.get("about", 0))
        if not about_id:
            return None  # they asked to be forgotten since
        about = await self._about(row.guild_id, about_id)
        if about is None:
            return None
        guild = self.client.get_guild(row.guild_id)
        profile = await self.profiles.get_profile(row.guild_id, about_id)
        return {
            "content": introduction_message(
                about, guild.name if guild else "your server", str(args["where"])
            ),
            "embed": introduction_embed(about, profile),
        }

    async def _fallback(self, guild_id: int, member_id: int, args: dict[str, Any], why: str) -> None:
        about_id = int(args.get("about", 0))
        if not about_id:
            return
        about = await self._about(guild_id, about_id)
        name = about.display_name if about is not None else "them"
        await self.notices.keep(
            guild_id, member_id, f"introduce:{about_id}", introduction_note(name, str(args.get("where", "")))
        )

    async def remove_intro(self, guild_id: int, intro: IntroMessage) -> bool:
        """Delete an introduction post; True when it is gone (deleted now or before)."""
        try:
            await self.outbound.delete(intro.channel_id, guild_id, intro.message_id)
        except Undeliverable as error:
            log.warning("guild %s: could not delete an introduction (%s)", guild_id, error)
            return False
        return True
