"""The demo server both the sandbox and the tour play in, and the simulated Discord around the bot.

Members act through SimCord's actors, so everything the demo seeds (configuration, introductions,
a meetup with RSVPs, an open poll) goes through the real commands, exactly as a person would.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import discord
import simcord
from simcord.actors import MemberActor
from simcord.builders import ChannelHandle, GuildHandle

from bot import MeetbridgeBot, Settings, create_bot
from bot.domain.polls import PLACE_EMOJIS, TIME_EMOJIS
from bot.sandbox.avatars import avatar_hash
from bot.sandbox.controls import SandboxControls
from bot.scheduling.clock import clock_in_use

log = logging.getLogger(__name__)

BOT_NAME = "Meetbridge"
SERVER_NAME = "Meetbridge Demo"
TIMEZONE = "Europe/Berlin"
# Channels an admin points each feature at (purpose -> channel name); #general is for commands.
PURPOSES = ("introductions", "meetups", "pairing", "support", "moderation")
# Below the 2 s between two live poll-tally edits, so a deferred edit waits for virtual time (the
# sandbox's clock or the tour's explicit waits) instead of holding up the member who reacted.
SETTLE_TIMEOUT = 1.5
SANDBOX_EXTENSION = "bot.sandbox.cog"


@dataclass(frozen=True)
class Persona:
    name: str
    about: str
    interests: str
    city: str
    links: str = ""
    admin: bool = False


MEMBERS: tuple[Persona, ...] = (
    Persona(
        "ada",
        "I run this server. Board games on Fridays, long walks on Sundays, a camera always with me.",
        "board games, hiking, photography",
        "Berlin",
        "github.com/ada",
        admin=True,
    ),
    Persona(
        "ben",
        "Backend developer, new-ish in Berlin. Always up for chess or a board game after work.",
        "board games, chess, python",
        "Berlin",
        "github.com/ben",
    ),
    Persona(
        "chiara",
        "Photographer living in Potsdam; I know every park around here.",
        "photography, hiking, climbing",
        "Potsdam",
        "Mastodon: @chiara@example.social",
    ),
    Persona(
        "deniz",
        "Frontend developer in Hamburg, in Berlin twice a month.",
        "javascript, python, coffee",
        "Hamburg",
    ),
    Persona(
        "elif", "Climbing, cooking and the occasional board game.", "climbing, cooking, board games", "Berlin"
    ),
    Persona("farid", "Cook by trade, chess player by night.", "cooking, chess, hiking", "Potsdam"),
)
# Joins the server without an introduction yet: the tour introduces her; in the sandbox you can.
NEWCOMER = Persona(
    "nina",
    "Just moved to Berlin from Lisbon. Looking for hiking buddies and a regular board-game table.",
    "hiking, board games, photography",
    "Berlin",
    "instagram.com/nina.walks",
)


@dataclass
class DemoServer:
    """The simulated server: channels by name and members (actors) by name."""

    env: simcord.Env
    guild: GuildHandle
    channels: dict[str, ChannelHandle]
    members: dict[str, MemberActor] = field(default_factory=dict)

    @property
    def bot(self) -> MeetbridgeBot:
        return self.env.bot  # type: ignore[return-value]

    @property
    def admin(self) -> MemberActor:
        return self.members[MEMBERS[0].name]

    @property
    def general(self) -> ChannelHandle:
        return self.channels["general"]

    def channel(self, name: str) -> ChannelHandle:
        return self.channels[name]

    def join(self, persona: Persona) -> MemberActor:
        """A member joins (the bot sees the join event, as in Discord)."""
        roles = [self.guild.roles["Admins"]] if persona.admin else []
        user = self.env.create_user(persona.name, avatar=avatar_hash(persona.name))
        member = self.guild.add_member(user, roles=roles)
        self.members[persona.name] = member
        return member


def build_server(env: simcord.Env) -> DemoServer:
    """The bare server: channels, an admin role and the members; nothing configured yet."""
    guild = env.create_guild(SERVER_NAME)
    guild.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
    channels = {name: guild.create_text_channel(name) for name in ("general", *PURPOSES)}
    server = DemoServer(env=env, guild=guild, channels=channels)
    for persona in MEMBERS:
        server.join(persona)
    return server


@contextlib.asynccontextmanager
async def simulated_discord(
    database_path: Path, controls: SandboxControls | None = None
) -> AsyncIterator[simcord.Env]:
    """The real bot (create_bot, every cog) on ``database_path``, logged in to SimCord.

    With ``controls`` the sandbox's own /sandbox commands are added beside the product's.
    APScheduler is pointed at the simulated clock for as long as it runs. On the way out the
    simulation stops first, then the bot closes (which closes the database and the scheduler).
    """
    database_path.parent.mkdir(parents=True, exist_ok=True)
    extensions = (SANDBOX_EXTENSION,) if controls is not None else ()
    # Pinned so a developer's MEETBRIDGE_DEV_GUILD_ID or SYNC_COMMANDS cannot hide the commands.
    settings = Settings(
        database_path=database_path, geocoder="offline", dev_guild_id=None, sync_commands=True
    )
    bot = create_bot(settings, extra_extensions=extensions)
    bot.sandbox_controls = controls  # type: ignore[attr-defined]  # read by bot.sandbox.cog
    env = simcord.Env(bot, check_errors=False, settle_timeout=SETTLE_TIMEOUT)
    env.backend.bot_user.name = BOT_NAME  # SimCord calls every bot "TestBot"
    env.backend.bot_user.avatar = avatar_hash(BOT_NAME)  # drawn by the sandbox (avatars.py)
    started = False
    with clock_in_use(lambda: discord.utils.utcnow()):
        try:
            await env.start()
            started = True
            # Open (and if needed unpack) the offline gazetteer now, so no /intro waits for it.
            await bot.services.geocoder.geocode("Berlin")
            yield env
        finally:
            try:
                if started:
                    await env.shutdown()
            finally:
                await bot.close()


# -- seeding through the real commands ------------------------------------------------------------


async def configure(server: DemoServer) -> None:
    for purpose in PURPOSES:
        await server.admin.slash(
            server.general, "config channel", purpose=purpose, channel=server.channel(purpose)
        )
    await server.admin.slash(server.general, "config timezone", name=TIMEZONE)


async def introduce(server: DemoServer, member: MemberActor, persona: Persona) -> simcord.InteractionResult:
    shown = await member.slash(server.general, "intro")
    if shown.modal is None:
        raise RuntimeError(f"/intro did not open a modal for {persona.name}: {shown}")
    return await member.submit_modal(shown, intro_values(persona))


def intro_values(persona: Persona) -> dict[str, str]:
    return {
        "about": persona.about,
        "interests": persona.interests,
        "city": persona.city,
        "links": persona.links,
    }


def message_by_id(channel: ChannelHandle, message_id: int | None) -> discord.Message:
    return next(message for message in channel.history() if message.id == message_id)


async def seed(server: DemoServer) -> None:
    """A lived-in server: configured, introduced, one upcoming meetup with RSVPs, one open poll."""
    await configure(server)
    for persona in MEMBERS:
        await introduce(server, server.members[persona.name], persona)
    server.join(NEWCOMER)
    await server.env.settle()  # the newcomer is welcomed in #introductions
    m = server.members
    await m["ada"].slash(
        server.general,
        "meetup create",
        title="Board game night",
        when="fri 7pm",
        where="Spielwiese, Berlin",
        capacity=4,
        description="Bring a game if you have one; there will be plenty.",
    )
    meetups = server.bot.services.meetups
    meetup = await meetups.find(server.guild.id, 1)
    assert meetup is not None
    for name, status in (("ada", "going"), ("ben", "going"), ("elif", "going"), ("chiara", "maybe")):
        announcement = message_by_id(server.channel("meetups"), meetup.message_id)
        await m[name].click(announcement, custom_id=f"meetup:rsvp:{meetup.id}:{status}")
    await m["ben"].slash(
        server.general,
        "meetup plan",
        title="Sunday hike",
        times="sat 10am; sun 10am",
        places="Grunewald, Berlin; Sanssouci Park, Potsdam",
        closes="3h",
    )
    poll = await server.bot.services.polls.find(server.guild.id, 2)
    assert poll is not None
    message = message_by_id(server.channel("meetups"), poll.message_id)
    one, two = TIME_EMOJIS[:2]
    a, b = PLACE_EMOJIS[:2]
    for name, emojis in (
        ("ben", (one, two, a)),
        ("chiara", (one, b)),
        ("farid", (two, b)),
        ("ada", (two, a)),
    ):
        for emoji in emojis:
            await m[name].react(message, emoji)
    await server.env.advance_time(3)  # let the live tally catch up
