"""The Discord side of membership: who is in a server is what the gateway and the member cache
say, so leaving, coming back, and start-up catch-up are read here and handed to the use cases
(:mod:`bot.services.membership`)."""

from __future__ import annotations

import logging

import discord

from bot.boards.introductions import IntroductionBoard
from bot.boards.meetups import MeetupBoard
from bot.domain.clock import Clock
from bot.domain.membership import MEMBER_PURGE, MemberDeparture
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import Scheduler, TaskDropped
from bot.services.membership import GuildDepartures, MemberDepartures
from bot.services.pairing import PairingMembers

log = logging.getLogger(__name__)


class MembershipBoard:
    def __init__(
        self,
        client: discord.Client,
        members: MemberDepartures,
        guilds: GuildDepartures,
        board: MeetupBoard,
        pairing: PairingMembers,
        *,
        now: Clock,
    ) -> None:
        self.client = client
        self.members = members
        self.guilds = guilds
        self.board = board
        self.pairing = pairing
        self.now = now

    async def member_left(self, guild_id: int, member_id: int, now: int) -> MemberDeparture | None:
        """Hide the member at once, give up their places and their pairing rounds, and plan the
        deletion of their data; None when nothing is stored about them here."""
        departure = await self.members.member_left(guild_id, member_id, now)
        if departure is None:
            return None
        await self.board.give_up_places(guild_id, member_id, now)
        await self.pairing.leave(guild_id, member_id)
        return departure

    async def member_returned(self, guild_id: int, member_id: int) -> bool:
        return await self.members.member_returned(guild_id, member_id)

    async def guild_removed(self, guild_id: int, now: int) -> None:
        await self.guilds.guild_removed(guild_id, now)

    async def guild_returned(self, guild_id: int) -> bool:
        return await self.guilds.guild_returned(guild_id)

    async def start(self) -> None:
        """Catch up with what happened while the bot was down (before timed work resumes)."""
        present = {guild.id: guild for guild in self.client.guilds}
        await self.guilds.catch_up(present.keys(), self.now())
        for guild in present.values():
            await self.reconcile_members(guild)

    async def reconcile_members(self, guild: discord.Guild) -> None:
        """Who left or came back while we could not see the server, once its member list is
        complete: at start (discord.py chunks every server before ``on_ready``), or when the gateway
        hands a server over later (``on_guild_available`` / ``on_guild_join``, after chunking).
        Never with a partial cache: every member it misses would look gone."""
        if not guild.chunked:
            return
        now = self.now()
        departed = await self.members.departed(guild.id)
        for member_id in departed:
            if guild.get_member(member_id) is not None:
                await self.members.member_returned(guild.id, member_id)
            else:  # a stop between recording a departure and giving up the places: finish it
                await self.board.give_up_places(guild.id, member_id, now)
        for member_id in await self.members.known_members(guild.id, now):
            if member_id not in departed and guild.get_member(member_id) is None:
                await self.member_left(guild.id, member_id, now)


class MemberPurge:
    """``member.purge``: a member who left and did not come back is forgotten, post and all."""

    def __init__(
        self,
        client: discord.Client,
        members: MemberDepartures,
        introductions: IntroductionBoard,
        scheduler: Scheduler,
        *,
        now: Clock,
    ) -> None:
        self.client = client
        self.members = members
        self.introductions = introductions
        self.now = now
        scheduler.register(MEMBER_PURGE, self._purge_member, needs_guild=False)

    async def _purge_member(self, task: ScheduledTask) -> None:
        departure = await self.members.due_for_purge(task)
        if await self._is_member(departure.guild_id, departure.member_id):
            await self.members.member_returned(departure.guild_id, departure.member_id)
            raise TaskDropped("the member is back")
        forgotten = await self.members.forget(departure, self.now())
        if forgotten.intro is not None:
            await self.introductions.remove_intro(departure.guild_id, forgotten.intro)
        log.info("guild %s: forgot a member who left (%d rows)", departure.guild_id, forgotten.rows)

    async def _is_member(self, guild_id: int, member_id: int) -> bool:
        guild = self.client.get_guild(guild_id)
        if guild is None:
            return False
        if guild.get_member(member_id) is not None:
            return True
        try:
            await guild.fetch_member(member_id)
        except discord.NotFound:
            return False
        return True  # other errors propagate: the scheduler retries rather than guessing
