"""Introducing two people who both said they met in person: one DM each, about the other; and
removing a member's introduction post when they are forgotten."""

from __future__ import annotations

import logging

import discord

from bot.delivery import Delivered, Delivery
from bot.domain.profiles import IntroMessage
from bot.services.profiles import ProfileService
from bot.ui.meetings import introduction_embed, introduction_message

log = logging.getLogger(__name__)


class IntroductionService:
    def __init__(self, client: discord.Client, profiles: ProfileService, delivery: Delivery) -> None:
        self.client = client
        self.profiles = profiles
        self.delivery = delivery

    async def introduce(self, guild: discord.Guild, a_id: int, b_id: int, where: str) -> dict[int, Delivered]:
        """DM each of the pair the other's introduction; returns how each DM went."""
        results: dict[int, Delivered] = {}
        for to_id, about_id in ((a_id, b_id), (b_id, a_id)):
            about = guild.get_member(about_id) or await self._user(about_id)
            if about is None:
                results[to_id] = Delivered.GONE
                continue
            profile = await self.profiles.get_profile(guild.id, about_id)
            results[to_id] = await self.delivery.dm(
                to_id,
                content=introduction_message(about, guild.name, where),
                embed=introduction_embed(about, profile),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        return results

    async def remove_intro(self, guild_id: int, intro: IntroMessage) -> bool:
        """Delete an introduction post; True when it is gone (deleted now or before)."""
        channel = self.client.get_partial_messageable(intro.channel_id, guild_id=guild_id)
        try:
            await channel.get_partial_message(intro.message_id).delete()
        except discord.NotFound:
            return True
        except discord.HTTPException:
            log.warning("guild %s: could not delete an introduction", guild_id, exc_info=True)
            return False
        return True

    async def _user(self, user_id: int) -> discord.User | None:
        try:
            return await self.client.fetch_user(user_id)
        except discord.HTTPException:
            return None
