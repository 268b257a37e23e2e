"""The Discord side of introductions: the welcome when a member joins, the /intro post (edited in
place, posted anew when it was deleted), the DM about the person two members met (rendered when it
is sent, from their profile as it is then), the note kept for a member who gets no DM, and removing
a forgotten member's introduction post."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.adapters.outbound import Outbound, Undeliverable
from bot.boards.outbox import DmSender
from bot.domain.errors import UserError
from bot.domain.guild_settings import Purpose
from bot.domain.outbox import OutboxRow
from bot.domain.profiles import IntroMessage, Profile
from bot.services.blocks import BlockService
from bot.services.config import ConfigService
from bot.services.introductions import INTRODUCTION
from bot.services.notices import MemberNotices
from bot.services.outbox import DmOutbox
from bot.services.profiles import ProfileService
from bot.ui.meetings import introduction_embed, introduction_message, introduction_note
from bot.ui.profiles import intro_content, intro_embed, welcome_message

log = logging.getLogger(__name__)


class IntroductionBoard:
    def __init__(
        self,
        outbound: Outbound,
        config: ConfigService,
        profiles: ProfileService,
        outbox: DmOutbox,
        sender: DmSender,
        notices: MemberNotices,
        blocks: BlockService,
    ) -> None:
        self.outbound = outbound
        self.blocks = blocks
        self.client = outbound.client
        self.config = config
        self.profiles = profiles
        self.notices = notices
        sender.register(INTRODUCTION, self._render)
        outbox.register_fallback(INTRODUCTION, self._fallback)

    async def welcome(self, member: discord.Member) -> None:
        """Welcome a new member in the introductions channel (pinging only them); nothing when
        none is configured."""
        channel_id = (await self.config.settings(member.guild.id)).channel(Purpose.INTRODUCTIONS)
        if channel_id is None:
            return
        try:
            await self.outbound.post(
                channel_id,
                member.guild.id,
                content=welcome_message(member, member.guild.name),
                ping=[member.id],
            )
        except Undeliverable as error:
            log.warning("guild %s: could not welcome a new member (%s)", member.guild.id, error)

    async def publish(self, guild: discord.Guild, member: discord.abc.User, profile: Profile) -> str:
        """Edit the member's introduction where it is; post a new one if it was deleted. Its link."""
        embed = intro_embed(profile, member)
        if profile.intro is not None:
            old = profile.intro
            try:
                await self.outbound.edit(
                    old.channel_id, guild.id, old.message_id, content=intro_content(member), embed=embed
                )
            except Undeliverable as error:
                if not error.permanent:
                    raise
                log.info("guild %s: an introduction is gone (%s); posting anew", guild.id, error)
            else:
                return f"https://discord.com/channels/{guild.id}/{old.channel_id}/{old.message_id}"

        channel_id = await self.config.channel_for(guild.id, Purpose.INTRODUCTIONS)
        try:
            posted = await self.outbound.post(
                channel_id, guild.id, content=intro_content(member), embed=embed
            )
        except Undeliverable as error:
            if error.gone:
                raise UserError(
                    "Your profile is saved, but the introductions channel no longer exists. "
                    "Ask someone with Manage Server to set a new one, then run /intro again.",
                    "/config channel purpose:introductions channel:#introductions",
                ) from error
            if error.forbidden:
                raise UserError(
                    f"Your profile is saved, but I can't post in <#{channel_id}>. Ask an admin to give "
                    f"Meetbridge {error.missing} there, then run /intro again.",
                    "/intro",
                ) from error
            raise UserError(
                "Your profile is saved, but Discord didn't take the post just now. "
                "Run /intro again in a minute (it opens with what you wrote).",
                "/intro",
            ) from error
        await self.profiles.set_intro_message(
            guild.id, member.id, IntroMessage(channel_id, posted.message_id)
        )
        return posted.jump_url

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
        if await self.blocks.between(row.guild_id, row.member_id, about_id):
            return None  # one blocked the other since the picks: no introduction
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
        if not about_id or await self.blocks.between(guild_id, member_id, about_id):
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
