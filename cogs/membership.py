"""Members leaving and coming back, the bot removed from a server and added back: no commands,
only gateway events handed to :class:`bot.boards.membership.MembershipBoard`."""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.app import MeetbridgeBot
from bot.clock import now_epoch


class MembershipCog(commands.Cog):
    def __init__(self, bot: MeetbridgeBot) -> None:
        self.bot = bot
        self.membership = bot.boards.membership

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        """The raw event: it arrives whether or not the member was in the cache."""
        if payload.user.bot:
            return
        await self.membership.member_left(payload.guild_id, payload.user.id, now_epoch())

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        if member.bot:
            return
        await self.bot.services.stats.joined(member.guild.id, member.id, now_epoch())
        await self.membership.member_returned(member.guild.id, member.id)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await self.membership.guild_removed(guild.id, now_epoch())

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.membership.guild_returned(guild.id)
        await self.membership.reconcile_members(guild)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        """Also a way back (a gateway may announce a re-added server as available, not joined),
        and the moment a server's member list is complete after a reconnect."""
        await self.membership.guild_returned(guild.id)
        await self.membership.reconcile_members(guild)


async def setup(bot: MeetbridgeBot) -> None:
    await bot.add_cog(MembershipCog(bot))
