"""Builds the bot: settings -> database -> services -> cogs. No network until it starts."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.outbound import NO_PINGS, Outbound
from bot.adapters.replies import reply
from bot.boards.alerts import OrganiserAlerts
from bot.boards.announcements import Announcements, PendingAnnouncements
from bot.boards.ask import AskBoard
from bot.boards.checkins import CheckinBoard
from bot.boards.events import ScheduledEvents
from bot.boards.introductions import IntroductionBoard
from bot.boards.meetups import MeetupBoard
from bot.boards.membership import MemberPurge, MembershipBoard
from bot.boards.notices import MeetupNotices
from bot.boards.nudges import NudgeBoard
from bot.boards.outbox import DmSender
from bot.boards.pairing import PairingBoard
from bot.boards.polls import PollBoard
from bot.boards.reminders import HeadcountBoard, ReminderBoard
from bot.boards.safety import FirstMeetupDms, ReportBoard
from bot.boards.series import SeriesBoard
from bot.boards.stats import StatsBoard
from bot.boards.threads import MeetupThreads
from bot.boards.undecided import UndecidedBoard
from bot.boards.waitlist import WaitlistOffers
from bot.clock import now_epoch, utcnow
from bot.config import Settings
from bot.domain.clock import Clock
from bot.domain.interests import use_synonyms
from bot.domain.places import Geocoder
from bot.errors import MeetbridgeTree, answer_refusals_inside, is_admin
from bot.scheduling.scheduler import Scheduler
from bot.services.ask import AskService
from bot.services.blocks import BlockService
from bot.services.checkins import CheckinService
from bot.services.config import ConfigService
from bot.services.cooldowns import CooldownService
from bot.services.geocoding import NominatimGeocoder, OfflineGeocoder
from bot.services.introductions import IntroductionService
from bot.services.matching import MatchService
from bot.services.meetings import MeetingService
from bot.services.meetup_updates import MeetupUpdates
from bot.services.meetups import MeetupService
from bot.services.membership import GuildDepartures, MemberDepartures
from bot.services.notices import MemberNotices
from bot.services.nudges import NudgeService
from bot.services.outbox import DmOutbox
from bot.services.pairing import PairingAnswers, PairingMembers, PairingRounds
from bot.services.polls import PollService
from bot.services.privacy import PrivacyService
from bot.services.profiles import ProfileService
from bot.services.reminders import RemindersService
from bot.services.reports import ReportService, Restrictions
from bot.services.safety_notes import FirstMeetupNote
from bot.services.series import SeriesService
from bot.services.stats import CommunityStats, MemberStatsQuery
from bot.services.undecided import UndecidedService
from bot.storage.ask import AskRepository
from bot.storage.backends import describe, open_database
from bot.storage.database import Database
from bot.storage.followups import AttendanceRepository, FollowupRepository
from bot.storage.gazetteer import SHIPPED, GazetteerHandle, default_cache_dirs
from bot.storage.geocode_cache import GeocodeCacheRepository
from bot.storage.guild_settings import GuildSettingsRepository
from bot.storage.meetings import MeetingRepository
from bot.storage.meetups import MeetupRepository
from bot.storage.membership import DepartureRepository
from bot.storage.notices import NoticeRepository
from bot.storage.outbox import OutboxRepository
from bot.storage.pairing import PairingRepository
from bot.storage.polls import PollRepository
from bot.storage.profiles import ProfileRepository
from bot.storage.safety import BlockRepository, FirstMeetupNotes, ReportRepository
from bot.storage.series import SeriesRepository
from bot.storage.shipped import shipped_synonyms
from bot.storage.stats import StatsRepository
from bot.storage.tasks import TaskRepository
from bot.ui.followups import outbox_message

log = logging.getLogger(__name__)

EXTENSIONS: tuple[str, ...] = (
    "cogs.config",
    "cogs.intros",
    "cogs.privacy",
    "cogs.meetups",
    "cogs.meetings",
    "cogs.matching",
    "cogs.ask",
    "cogs.pairing",
    "cogs.followups",
    "cogs.membership",
    "cogs.safety",
    "cogs.stats",
)


@dataclass
class Services:
    """The use cases (no Discord in them) and what they stand on; built once the database is open."""

    db: Database
    scheduler: Scheduler
    # The one way out, here too for /config show's list of refused requests (the config cog).
    outbound: Outbound
    config: ConfigService
    geocoder: Geocoder
    profiles: ProfileService
    privacy: PrivacyService
    notices: MemberNotices
    meetings: MeetingService
    introductions: IntroductionService
    meetups: MeetupService
    polls: PollService
    updates: MeetupUpdates
    matching: MatchService
    ask: AskService
    pairing: PairingRounds
    pairing_members: PairingMembers
    pairing_answers: PairingAnswers
    outbox: DmOutbox
    reminders: RemindersService
    checkins: CheckinService
    nudges: NudgeService
    cooldowns: CooldownService
    blocks: BlockService
    reports: ReportService
    restrictions: Restrictions
    first_meetup: FirstMeetupNote
    member_departures: MemberDepartures
    guild_departures: GuildDepartures
    series: SeriesService
    undecided: UndecidedService
    stats: CommunityStats
    # Run once the gateway is ready, before the scheduler resumes timed work (e.g. poll votes
    # cast while the bot was down are counted before an overdue poll closes).
    on_start: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


@dataclass
class Boards:
    """Each feature's Discord side (posts, threads, events, DMs), over the one way out."""

    outbound: Outbound
    sender: DmSender
    alerts: OrganiserAlerts
    threads: MeetupThreads
    announcements: Announcements
    pending: PendingAnnouncements
    polls: PollBoard
    meetups: MeetupBoard
    reminders: ReminderBoard
    headcount: HeadcountBoard
    checkins: CheckinBoard
    introductions: IntroductionBoard
    membership: MembershipBoard
    pairing: PairingBoard
    ask: AskBoard
    reports: ReportBoard
    waitlist: WaitlistOffers
    series: SeriesBoard
    stats: StatsBoard

    def close(self) -> None:
        """Stop the live re-renders (nothing else holds a timer)."""
        self.polls.close()
        self.announcements.close()


def intents() -> discord.Intents:
    """Members (welcome on join) and guild reactions (poll votes); no message content needed."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.members = True
    chosen.guild_reactions = True
    chosen.guild_scheduled_events = True
    chosen.dm_messages = True
    return chosen


def member_cache_flags(chosen: discord.Intents) -> discord.MemberCacheFlags:
    """Every member who joined is cached (no voice states: that intent is off).

    Meetbridge needs each server's complete member list: departures missed while it was down are
    found at start by comparing stored members with the cache, ``/match``, ``/ask`` and pairing
    leave out members who left, and names come from it. ``bench/memory.py`` measures what it costs.
    """
    return discord.MemberCacheFlags.from_intents(chosen)


CHUNK_AT_STARTUP = True
"""Servers are chunked as they arrive (at start and on join), so the member list is complete
before anything reads it (a partial list would make present members look gone)."""


class MeetbridgeBot(commands.Bot):
    def __init__(
        self, settings: Settings, *, extra_extensions: tuple[str, ...] = (), **client_options: Any
    ) -> None:
        chosen = intents()
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=chosen,
            member_cache_flags=member_cache_flags(chosen),
            chunk_guilds_at_startup=CHUNK_AT_STARTUP,
            tree_cls=MeetbridgeTree,
            help_command=None,
            # Nobody is pinged unless a message names them (bot.adapters.outbound).
            allowed_mentions=NO_PINGS,
            **client_options,
        )
        self.settings = settings
        self.extensions_to_load = EXTENSIONS + tuple(extra_extensions)
        self._services: Services | None = None
        self._boards: Boards | None = None
        self._ready_once = False

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("services are built in setup_hook; the bot has not started")
        return self._services

    @property
    def boards(self) -> Boards:
        if self._boards is None:
            raise RuntimeError("boards are built in setup_hook; the bot has not started")
        return self._boards

    async def setup_hook(self) -> None:
        target = self.settings.database_target
        db = await open_database(target)
        try:
            version = await db.migrate()
        except BaseException:
            await db.close()
            raise
        log.info("database %s at schema version %d", describe(target), version)
        self._services, self._boards = build(db, self.settings, self)
        for extension in self.extensions_to_load:
            await self.load_extension(extension)
        answer_refusals_inside(self.tree)
        if self.settings.sync_commands:
            await self.sync_commands()

    async def sync_commands(self) -> None:
        """Bulk-overwrite the commands: to the dev server when configured (instant), else globally."""
        if self.settings.dev_guild_id:
            guild = discord.Object(id=self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to development server %s", len(synced), guild.id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands", len(synced))

    async def on_app_command_completion(
        self,
        interaction: discord.Interaction,
        command: app_commands.Command[Any, ..., Any] | app_commands.ContextMenu,
    ) -> None:
        """After a member's command: what the bot kept for them (it could not DM them), only to them."""
        if interaction.guild_id is None:
            return
        note = await self.services.notices.take(interaction.guild_id, interaction.user.id)
        if note is not None:
            try:
                await reply(interaction, note)
            except discord.HTTPException:
                log.warning("could not show a kept note to a member", exc_info=True)

    async def forgive(self, guild_id: int) -> None:
        """Something changed in a server that may let refused requests through: try them again."""
        if self._services is not None:
            await self.boards.outbound.forgive(guild_id)

    async def on_guild_channel_update(
        self, before: discord.abc.GuildChannel, after: discord.abc.GuildChannel
    ) -> None:
        if before.overwrites != after.overwrites:
            await self.forgive(after.guild.id)

    async def on_guild_role_update(self, before: discord.Role, after: discord.Role) -> None:
        if before.permissions != after.permissions:
            await self.forgive(after.guild.id)

    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        if self.user is not None and after.id == self.user.id and before.roles != after.roles:
            await self.forgive(after.guild.id)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A command from someone with Manage Server may be them fixing what was refused (taken
        as such at most once per 10 minutes: an admin using the bot is no permission update)."""
        if interaction.guild_id is not None and is_admin(interaction) and self._boards is not None:
            await self._boards.outbound.admin_acted(interaction.guild_id)

    async def on_ready(self) -> None:
        if self._ready_once:
            return
        self._ready_once = True
        for hook in self.services.on_start:
            try:
                await hook()
            except Exception:
                log.exception("start-up step %r failed", hook)
        await self.services.scheduler.start()
        log.info("ready as %s in %d server(s)", self.user, len(self.guilds))

    async def close(self) -> None:
        try:
            if self._boards is not None:
                self._boards.close()
                await self._boards.stats.close()  # the chart's drawing process
            if self._services is not None:
                try:
                    await self._services.scheduler.shutdown()
                finally:
                    await self._services.geocoder.close()
        finally:
            try:
                await super().close()
            finally:
                if self._services is not None:
                    await self._services.db.close()


def build(db: Database, settings: Settings, client: discord.Client) -> tuple[Services, Boards]:
    """The use cases, then the Discord side over them; each registers its own timed work."""
    now = now_epoch  # the one clock every service reads (Discord's, virtual under SimCord)

    def in_guild(guild_id: int) -> bool:
        return client.get_guild(guild_id) is not None

    departures = DepartureRepository(db)
    shards = settings.shards
    scheduler = Scheduler(
        TaskRepository(db, shards),
        now=now,
        guild_gone=departures.guild_gone,
        claimer=settings.instance,
        lease=settings.task_lease,
    )
    # To the sub-second (429s, the rate share); a shard process keeps to its share of the global limit.
    outbound = Outbound(
        client, now=lambda: utcnow().timestamp(), rate=settings.rate_share if settings.sharded else None
    )
    geocoder = make_geocoder(settings, db, now=now)
    config = ConfigService(GuildSettingsRepository(db))
    blocks = BlockService(BlockRepository(db))
    meetings = MeetingService(MeetingRepository(db), blocks)
    attendance = AttendanceRepository(db)
    member_stats = MemberStatsQuery(meetings, attendance)
    profiles = ProfileService(ProfileRepository(db), geocoder=geocoder, stats=member_stats)
    notices = MemberNotices(NoticeRepository(db), now=now)
    outbox = DmOutbox(
        OutboxRepository(db, shards), scheduler, profiles.dm_modes, now=now, guild_gone=departures.guild_gone
    )
    meetups = MeetupService(db, MeetupRepository(db), config, geocoder=geocoder)
    polls = PollService(db, PollRepository(db), meetups, config, scheduler)
    matching = MatchService(profiles, blocks, now=now, owns=shards.owns)
    followups = FollowupRepository(db)
    introductions = IntroductionService(outbox)
    privacy = PrivacyService(db, profiles)
    privacy.label("meetup_id", "meetup", meetups.label)
    privacy.label("poll_id", "poll", polls.label)
    pairing_repo = PairingRepository(db)
    report_repo = ReportRepository(db)
    restrictions = Restrictions(report_repo)
    meetups.gate_rsvps(restrictions.check_rsvp)  # a member paused by moderators cannot answer Going
    pairing = PairingRounds(db, pairing_repo, config, matching, scheduler, blocks, restrictions, now=now)
    services = Services(
        db=db,
        scheduler=scheduler,
        outbound=outbound,
        config=config,
        geocoder=geocoder,
        profiles=profiles,
        privacy=privacy,
        notices=notices,
        meetings=meetings,
        introductions=introductions,
        meetups=meetups,
        polls=polls,
        updates=MeetupUpdates(scheduler, outbox, now=now),
        matching=matching,
        ask=AskService(profiles, meetings, matching, config, AskRepository(db), blocks),
        pairing=pairing,
        pairing_members=PairingMembers(pairing_repo, config, profiles, pairing, restrictions),
        pairing_answers=PairingAnswers(pairing_repo, meetings, introductions, matching),
        outbox=outbox,
        reminders=RemindersService(db, followups, meetups, config, scheduler, outbox, now=now),
        checkins=CheckinService(followups, attendance, meetups, meetings, blocks, now=now),
        nudges=NudgeService(meetings, attendance, outbox, scheduler, in_guild=in_guild),
        cooldowns=CooldownService(now=now),
        blocks=blocks,
        reports=ReportService(db, report_repo, config, meetups, pairing_repo),
        restrictions=restrictions,
        first_meetup=FirstMeetupNote(FirstMeetupNotes(db), outbox),
        member_departures=MemberDepartures(db, departures, config, scheduler, profiles, privacy),
        guild_departures=GuildDepartures(
            db, departures, config, scheduler, profiles, matching, in_guild=in_guild
        ),
        series=SeriesService(db, SeriesRepository(db), meetups, config, scheduler, now=now),
        undecided=UndecidedService(db, followups, meetups, polls, outbox, scheduler, now=now),
        stats=CommunityStats(db, StatsRepository(db), config, scheduler, member_stats, now=now),
    )
    member_stats.use_streaks(services.series.streaks)
    boards = build_boards(services, outbound, client)
    # Forgetting a member (by /privacy forget or after they left) gives up their places first.
    privacy.before_forget(boards.meetups.give_up_places)
    services.on_start.append(boards.membership.start)  # first: who left or came back while we were down
    services.on_start.append(notices.start)
    services.on_start.append(boards.polls.start)  # votes cast while we were down, before polls close
    services.on_start.append(boards.pending.start)
    services.on_start.append(boards.pairing.start)
    services.on_start.append(outbox.start)
    services.on_start.append(services.reminders.start)
    services.on_start.append(services.series.start)
    return services, boards


def build_boards(services: Services, outbound: Outbound, client: discord.Client) -> Boards:
    s, now = services, now_epoch
    sender = DmSender(s.outbox, outbound, s.scheduler, plain=outbox_message)
    alerts = OrganiserAlerts(outbound, s.meetups, s.outbox, sender, s.notices)
    events = ScheduledEvents(outbound, s.meetups)
    threads = MeetupThreads(outbound, s.meetups, s.scheduler, alerts)
    announcements = Announcements(outbound, s.meetups, events, threads, s.scheduler, alerts)
    pending = PendingAnnouncements(announcements, s.meetups, s.polls, alerts, s.scheduler, outbound, now=now)
    MeetupNotices(s.meetups, threads, s.scheduler, sender, alerts, now=now)
    meetups = MeetupBoard(s.meetups, s.updates, announcements, pending, s.scheduler)
    series = SeriesBoard(s.series, s.meetups, meetups, announcements, s.scheduler)
    introductions = IntroductionBoard(outbound, s.config, s.profiles, s.outbox, sender, s.notices, s.blocks)
    FirstMeetupDms(s.meetups, s.outbox, sender, s.notices)
    NudgeBoard(outbound, sender)
    UndecidedBoard(s.undecided, threads, s.scheduler, sender)
    MemberPurge(client, s.member_departures, introductions, s.scheduler, now=now)
    return Boards(
        outbound=outbound,
        sender=sender,
        alerts=alerts,
        threads=threads,
        announcements=announcements,
        pending=pending,
        polls=PollBoard(outbound, s.polls, s.meetups, s.scheduler, now=now),
        meetups=meetups,
        reminders=ReminderBoard(s.reminders, threads, alerts, outbound, s.scheduler, sender, now=now),
        headcount=HeadcountBoard(s.reminders, threads, outbound, meetups, s.scheduler, sender, now=now),
        checkins=CheckinBoard(
            s.checkins, s.introductions, threads, alerts, outbound, s.scheduler, s.outbox, sender, s.notices
        ),
        introductions=introductions,
        membership=MembershipBoard(
            client, s.member_departures, s.guild_departures, meetups, s.pairing_members, now=now
        ),
        pairing=PairingBoard(outbound, s.pairing, s.config, s.scheduler, now=now),
        ask=AskBoard(s.ask, outbound),
        reports=ReportBoard(s.reports, s.config, outbound),
        waitlist=WaitlistOffers(s.meetups, s.updates, announcements, s.scheduler, sender),
        series=series,
        stats=StatsBoard(outbound, s.stats, s.scheduler),
    )


def make_geocoder(settings: Settings, db: Database, *, now: Clock) -> Geocoder:
    """The geocoder the settings ask for. Opens nothing: files and sessions open on first use."""
    shipped = settings.gazetteer_path or SHIPPED
    cache_dirs = (
        [settings.gazetteer_dir]
        if settings.gazetteer_dir
        else default_cache_dirs(shipped, settings.database_path.resolve().parent)
    )
    gazetteer = GazetteerHandle(cache_dirs, shipped=shipped)
    if settings.geocoder == "offline":
        return OfflineGeocoder(gazetteer)
    return NominatimGeocoder(
        gazetteer,
        GeocodeCacheRepository(db),
        user_agent=settings.nominatim_user_agent,
        domain=settings.nominatim_url,
        now=now,
    )


class ShardedMeetbridgeBot(MeetbridgeBot, commands.AutoShardedBot):
    """One shard process: discord.py's AutoShardedBot connecting ``MEETBRIDGE_SHARD_IDS`` of
    ``MEETBRIDGE_SHARD_COUNT``; it sees (and owns the work of) the servers on those shards only."""


def create_bot(settings: Settings | None = None, *, extra_extensions: tuple[str, ...] = ()) -> MeetbridgeBot:
    """A ready-to-start bot; the database opens, migrates and cogs load when it starts.

    ``extra_extensions`` lets tests and tools add a cog of their own beside the product's. With
    ``shard_count`` above 1 the bot is an :class:`ShardedMeetbridgeBot` running its shards.
    """
    use_synonyms(shipped_synonyms())  # the domain reads no files: it is handed the shipped list
    settings = settings or Settings()
    if settings.sharded:
        shards = settings.shards
        return ShardedMeetbridgeBot(
            settings, extra_extensions=extra_extensions, shard_count=shards.count, shard_ids=list(shards.ids)
        )
    return MeetbridgeBot(settings, extra_extensions=extra_extensions)
