"""Membership has a lifecycle: leaving gives up one's places at once and one's data after a while.

When a member leaves a server:

1. a departure row is written with a ``member.purge`` task due after the server's retention
   period (one transaction), which hides them at once from ``/match``, ``/ask`` and pairing
   (those queries skip departed members, whatever the member cache knows);
2. every answer they gave to a meetup still to come ends exactly as if they had pressed
   **Can't go** (:meth:`MeetupBoard.rsvp`: the waitlist moves up and the promoted member is told),
   and they leave pairing rounds.

If they come back first, the departure and its task are cancelled and they keep their profile
(their places and pairing membership stay given up: they answer and join again). Otherwise the
task forgets them in that server exactly like ``/privacy forget`` and removes their introduction.

When the bot is removed from a server, a ``guild.purge`` task is scheduled the same way; being
added back cancels it. Meanwhile the server's other timed work is dropped, not retried, and put
back if the bot returns (see :mod:`bot.scheduling.scheduler`). The purge deletes every row of every
table for that server.

Both purge tasks are durable rows: each runs once across restarts. Departures and returns that
happened while the bot was down are noticed at start.
"""

from __future__ import annotations

import logging

import discord

from bot.domain.clock import Clock
from bot.domain.errors import UserError
from bot.domain.meetups import RsvpStatus
from bot.domain.membership import GUILD_PURGE, MEMBER_PURGE, purge_due
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import Scheduler, TaskDropped
from bot.services.config import ConfigService
from bot.services.introductions import IntroductionService
from bot.services.matching import MatchService
from bot.services.meetup_board import MeetupBoard
from bot.services.meetups import MeetupService
from bot.services.pairing import PairingService
from bot.services.privacy import PrivacyService
from bot.services.profiles import ProfileService
from bot.storage.database import Database
from bot.storage.member_data import purge_guild
from bot.storage.membership import DepartureRepository, MemberDeparture

log = logging.getLogger(__name__)


class MembershipService:
    def __init__(
        self,
        client: discord.Client,
        db: Database,
        repo: DepartureRepository,
        *,
        config: ConfigService,
        scheduler: Scheduler,
        meetups: MeetupService,
        board: MeetupBoard,
        pairing: PairingService,
        profiles: ProfileService,
        matching: MatchService,
        privacy: PrivacyService,
        introductions: IntroductionService,
        now: Clock,
    ) -> None:
        self.client = client
        self.db = db
        self.repo = repo
        self.config = config
        self.scheduler = scheduler
        self.meetups = meetups
        self.board = board
        self.pairing = pairing
        self.profiles = profiles
        self.matching = matching
        self.privacy = privacy
        self.introductions = introductions
        self.now = now
        scheduler.register(MEMBER_PURGE, self._purge_member, needs_guild=False)
        scheduler.register(GUILD_PURGE, self._purge_guild, needs_guild=False)
        privacy.before_forget(self.give_up_places)

    # -- members -----------------------------------------------------------------------------

    async def member_left(self, guild_id: int, member_id: int, now: int) -> MemberDeparture | None:
        """Hide the member at once, give up their places, and plan the deletion of their data.

        None when nothing is stored about them here (most members who leave never used the bot).
        """
        if not await self.privacy.stores_anything(guild_id, member_id):
            return None
        retention = (await self.config.settings(guild_id)).retention
        async with self.db.transaction():
            departure = await self.repo.member_left(guild_id, member_id, now, purge_due(now, retention))
            if departure.task_id is None:
                task = await self.scheduler.schedule(
                    guild_id, MEMBER_PURGE, departure.purge_at, subject_id=departure.id
                )
                await self.repo.set_member_task(departure.id, task.id)
        self.profiles.changed(guild_id, member_id)
        await self.give_up_places(guild_id, member_id, now)
        await self.pairing.leave(guild_id, member_id)
        return departure

    async def member_returned(self, guild_id: int, member_id: int) -> bool:
        """They came back before their data was deleted: they keep it and can be found again."""
        departure = await self.repo.member_returned(guild_id, member_id)
        if departure is None:
            return False
        if departure.task_id is not None:
            await self.scheduler.cancel(departure.task_id)
        self.profiles.changed(guild_id, member_id)
        return True

    async def give_up_places(self, guild_id: int, member_id: int, now: int) -> list[int]:
        """Every answer to a meetup still to come becomes **Can't go**; returns those meetup ids."""
        released: list[int] = []
        for meetup_id in await self.meetups.answered_by(guild_id, member_id, now):
            try:
                await self.board.rsvp(guild_id, meetup_id, member_id, RsvpStatus.NO, now)
            except UserError:
                continue  # cancelled or over since we looked: nothing to give up
            released.append(meetup_id)
        return released

    async def _purge_member(self, task: ScheduledTask) -> None:
        departure = await self.repo.member_by_id(task.subject_id) if task.subject_id is not None else None
        if departure is None or departure.task_id != task.id:
            raise TaskDropped("the member came back or was already forgotten")
        if await self._is_member(departure.guild_id, departure.member_id):
            await self.member_returned(departure.guild_id, departure.member_id)
            raise TaskDropped("the member is back")
        forgotten = await self.privacy.forget(departure.guild_id, departure.member_id, self.now())
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

    # -- servers -----------------------------------------------------------------------------

    async def guild_removed(self, guild_id: int, now: int) -> None:
        """The bot was removed: plan the deletion of everything stored for the server."""
        retention = (await self.config.settings(guild_id)).retention
        async with self.db.transaction():
            departure = await self.repo.guild_left(guild_id, now, purge_due(now, retention))
            if departure.task_id is None:
                task = await self.scheduler.schedule(
                    guild_id, GUILD_PURGE, departure.purge_at, subject_id=guild_id
                )
                await self.repo.set_guild_task(guild_id, task.id)
        log.info(
            "removed from guild %s; its data goes at %d unless the bot is added back",
            guild_id,
            departure.purge_at,
        )

    async def guild_returned(self, guild_id: int) -> bool:
        departure = await self.repo.guild_returned(guild_id)
        if departure is None:
            return False
        if departure.task_id is not None:
            await self.scheduler.cancel(departure.task_id)
        resumed = await self.scheduler.resume_guild(guild_id)
        log.info("added back to guild %s; its data is kept and %d dropped task(s) resume", guild_id, resumed)
        return True

    async def _purge_guild(self, task: ScheduledTask) -> None:
        departure = await self.repo.guild(task.guild_id)
        if departure is None or departure.task_id != task.id:
            raise TaskDropped("the bot was added back")
        if self.client.get_guild(task.guild_id) is not None:
            await self.guild_returned(task.guild_id)
            raise TaskDropped("the bot is in the server again")
        counts = await purge_guild(self.db, task.guild_id, keep_task=task.id)
        self.matching.drop_guild(task.guild_id)
        self.profiles.drop_guild(task.guild_id)
        log.info("guild %s: deleted everything stored for it (%d rows)", task.guild_id, sum(counts.values()))

    # -- start ---------------------------------------------------------------------------------

    async def start(self) -> None:
        """Catch up with what happened while the bot was down (before timed work resumes)."""
        present = {guild.id: guild for guild in self.client.guilds}
        for departure in await self.repo.guilds():
            if departure.guild_id in present:
                await self.guild_returned(departure.guild_id)
        # One process sees every server it is in (no sharding yet): a server with stored work that
        # is not among them removed the bot while it was down.
        gone = {departure.guild_id for departure in await self.repo.guilds()}
        now = self.now()
        for guild_id in await self.repo.guilds_with_data():
            if guild_id not in present and guild_id not in gone:
                await self.guild_removed(guild_id, now)
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
        departed = {d.member_id for d in await self.repo.members(guild.id)}
        for member_id in departed:
            if guild.get_member(member_id) is not None:
                await self.member_returned(guild.id, member_id)
            else:  # a stop between recording a departure and giving up the places: finish it
                await self.give_up_places(guild.id, member_id, now)
        for member_id in await self.repo.known_members(guild.id, now):
            if member_id not in departed and guild.get_member(member_id) is None:
                await self.member_left(guild.id, member_id, now)
