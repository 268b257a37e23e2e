"""Introducing two people who both said they met in person: one DM each, about the other; and
removing a member's introduction post when they are forgotten.

The introduction answers something each of them did (they picked the other), so it is a
``reply`` DM: sent unless the member turned DMs off. It is rendered when the outbox sends it, from
the profile as it is then. A member who does not get it (DMs off or closed) finds a note after
their next command instead.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.adapters.outbound import Outbound, Undeliverable
from bot.domain.consent import DmKind
from bot.domain.outbox import OutboxMessage, OutboxRow, Queued
from bot.domain.profiles import IntroMessage
from bot.services.notices import MemberNotices
from bot.services.outbox import DmOutbox
from bot.services.profiles import ProfileService
from bot.ui.meetings import introduction_embed, introduction_message, introduction_note

log = logging.getLogger(__name__)


class IntroductionService:
    def __init__(
        self,
        outbound: Outbound,
        profiles: ProfileService,
        outbox: DmOutbox,
        notices: MemberNotices,
    ) -> None:
        self.outbound = outbound
        self.client = outbound.client
        self.profiles = profiles
        self.outbox = outbox
        self.notices = notices
        outbox.register("introduction", self._render, self._fallback)

    async def introduce(
        self, guild_id: int, a_id: int, b_id: int, where: str, *, present: int | None = None
    ) -> dict[int, bool]:
        """Queue a DM to each of the pair about the other; whether each may get one by DM.

        ``present`` is the member whose action completed the pair: they are answered right away,
        so they get no note for later when their DMs are off.
        """
        allowed: dict[int, bool] = {}
        for to_id, about_id in ((a_id, b_id), (b_id, a_id)):
            queued: Queued = await self.outbox.enqueue(
                guild_id,
                [to_id],
                OutboxMessage(render="introduction", args={"about": about_id, "where": where}),
                key=f"introduce:{guild_id}:{min(a_id, b_id)}:{max(a_id, b_id)}:{about_id}",
                kind=DmKind.REPLY,
                fallback=to_id != present,
            )
            allowed[to_id] = bool(queued.queued)
        await self.outbox.kick()
        return allowed

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
        args = row.payload["args"]
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
