"""Membership has a lifecycle: leaving gives up one's places at once and one's data after a while.

When a member leaves a server:

1. a departure row is written with a ``member.purge`` task due after the server's retention
   period (one transaction), which hides them at once from ``/match``, ``/ask`` and pairing
   (those queries skip departed members, whatever the member cache knows);
2. every answer they gave to a meetup still to come ends exactly as if they had pressed
   **Can't go** (the waitlist moves up and the promoted member is told), and they leave pairing
   rounds (both done by :class:`bot.boards.membership.MembershipBoard`, which sees the gateway).

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
from collections.abc import Callable, Collection

from bot.domain.membership import GUILD_PURGE, MEMBER_PURGE, MemberDeparture, purge_due
from bot.domain.profiles import Forgotten
from bot.domain.shards import is_home
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import Scheduler, TaskDropped
from bot.services.config import ConfigService
from bot.services.matching import MatchService
from bot.services.privacy import PrivacyService
from bot.services.profiles import ProfileService
from bot.storage.database import Database
from bot.storage.member_data import purge_guild
from bot.storage.membership import DepartureRepository

log = logging.getLogger(__name__)


class MemberDepartures:
    """Members who left a server: hidden at once, forgotten after the retention period."""

    def __init__(
        self,
        db: Database,
        repo: DepartureRepository,
        config: ConfigService,
        scheduler: Scheduler,
        profiles: ProfileService,
        privacy: PrivacyService,
    ) -> None:
        self.db = db
        self.repo = repo
        self.config = config
        self.scheduler = scheduler
        self.profiles = profiles
        self.privacy = privacy

    async def member_left(self, guild_id: int, member_id: int, now: int) -> MemberDeparture | None:
        """Hide the member at once and plan the deletion of their data (their places are given up
        by the caller). None when nothing is stored about them here (most members who leave never
        used the bot)."""
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

    async def due_for_purge(self, task: ScheduledTask) -> MemberDeparture:
        """The departure a ``member.purge`` task is for, unless they came back or were forgotten."""
        departure = await self.repo.member_by_id(task.subject_id) if task.subject_id is not None else None
        if departure is None or departure.task_id != task.id:
            raise TaskDropped("the member came back or was already forgotten")
        return departure

    async def forget(self, departure: MemberDeparture, now: int) -> Forgotten:
        """Everything about a member who left, deleted exactly like ``/privacy forget``."""
        return await self.privacy.forget(departure.guild_id, departure.member_id, now)

    async def departed(self, guild_id: int) -> set[int]:
        """Members whose departure from this server is recorded (not yet forgotten)."""
        return {departure.member_id for departure in await self.repo.members(guild_id)}

    async def known_members(self, guild_id: int, now: int) -> list[int]:
        """Members this server stores something about (who must be in it, or have left)."""
        return await self.repo.known_members(guild_id, now)


class GuildDepartures:
    """Servers that removed the bot: everything stored for them goes after the retention period."""

    def __init__(
        self,
        db: Database,
        repo: DepartureRepository,
        config: ConfigService,
        scheduler: Scheduler,
        profiles: ProfileService,
        matching: MatchService,
        *,
        in_guild: Callable[[int], bool],
    ) -> None:
        """``in_guild`` says whether the bot is in a server now (the Discord side knows)."""
        self.db = db
        self.repo = repo
        self.config = config
        self.scheduler = scheduler
        self.profiles = profiles
        self.matching = matching
        self.in_guild = in_guild
        scheduler.register(GUILD_PURGE, self._purge_guild, needs_guild=False)

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

    async def catch_up(self, present: Collection[int], now: int) -> None:
        """At start, knowing the servers the bot is in: those that added it back while it was down
        keep their data, and those that removed it have their deletion planned."""
        for departure in await self.repo.guilds():
            if departure.guild_id in present:
                await self.guild_returned(departure.guild_id)
        # A process sees every server on its shards: a server of those shards with stored work
        # that is not among them removed the bot while it was down (servers on other shards are
        # other processes' to judge).
        gone = {departure.guild_id for departure in await self.repo.guilds()}
        for guild_id in await self.repo.guilds_with_data():
            if (
                guild_id not in present
                and guild_id not in gone
                and self.scheduler.owns(guild_id)
                and not is_home(guild_id)  # a shard's own work (its DM drain), no server
            ):
                await self.guild_removed(guild_id, now)

    async def _purge_guild(self, task: ScheduledTask) -> None:
        departure = await self.repo.guild(task.guild_id)
        if departure is None or departure.task_id != task.id:
            raise TaskDropped("the bot was added back")
        if self.in_guild(task.guild_id):
            await self.guild_returned(task.guild_id)
            raise TaskDropped("the bot is in the server again")
        counts = await purge_guild(self.db, task.guild_id, keep_task=task.id)
        self.matching.drop_guild(task.guild_id)
        self.profiles.drop_guild(task.guild_id)
        log.info("guild %s: deleted everything stored for it (%d rows)", task.guild_id, sum(counts.values()))
