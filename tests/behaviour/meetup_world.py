"""A server with its meetups channel and timezone configured, and a few more members."""

from __future__ import annotations

from dataclasses import dataclass

import discord
import simcord
from simcord.actors import MemberActor

from bot.domain.meetups import Meetup
from bot.domain.polls import PLACE_EMOJIS, TIME_EMOJIS, OptionKind, Poll
from tests.world import World, build_world

TZ = "Europe/Berlin"
# The virtual clock starts on Thursday 2026-01-01 00:00 UTC (01:00 in Berlin).
FRIDAY_7PM = "2026-01-09 19:00"
FRIDAY_7PM_EPOCH = 1767981600


@dataclass
class MeetupWorld(World):
    carol: MemberActor
    dave: MemberActor

    async def meetup(self, number: int) -> Meetup:
        meetup = await self.bot.services.meetups.find(self.guild.id, number)
        assert meetup is not None, f"no meetup #{number} stored"
        return meetup

    def announcement(self, meetup: Meetup) -> discord.Message:
        channel = self.guild.channels[self.meetups.name]
        return next(message for message in channel.history() if message.id == meetup.message_id)


async def build_meetup_world(
    env: simcord.Env, *, configure: bool = True, name: str = "Meetbridge Test"
) -> MeetupWorld:
    base = build_world(env, name=name)
    carol = base.guild.add_member(env.create_user("carol"))
    dave = base.guild.add_member(env.create_user("dave"))
    world = MeetupWorld(**vars(base), carol=carol, dave=dave)
    if configure:
        await world.admin.slash(world.general, "config channel", purpose="meetups", channel=world.meetups)
        await world.admin.slash(world.general, "config timezone", name=TZ)
    return world


def posts(channel) -> list[discord.Message]:
    """A channel's messages without Discord's own notes (e.g. "started a thread")."""
    return [m for m in channel.history() if not m.is_system()]


def last_post(channel) -> discord.Message | None:
    found = posts(channel)
    return found[-1] if found else None


def field(embed: discord.Embed, name: str) -> str:
    return next(f.value for f in embed.fields if f.name == name)


def has_field(embed: discord.Embed, name: str) -> bool:
    return any(f.name == name for f in embed.fields)


def button_labels(message: discord.Message) -> list[str]:
    return [child.label for row in message.components for child in row.children]  # type: ignore[attr-defined]


def rsvp_id(meetup: Meetup, status: str) -> str:
    return f"meetup:rsvp:{meetup.id}:{status}"


# -- polls ----------------------------------------------------------------------------------------

ONE, TWO, THREE = TIME_EMOJIS[:3]
A, B = PLACE_EMOJIS[:2]
TIMES = "2026-01-09 19:00; 2026-01-10 14:00; 2026-01-11 12:00"
PLACES = "Café Central; City Library"
HOUR = 3600


async def plan(world: MeetupWorld, **options):
    values = {"title": "Board games", "times": TIMES, "places": PLACES}
    values.update(options)
    return await world.alice.slash(world.general, "meetup plan", **values)


async def stored_poll(world: MeetupWorld, number: int = 1) -> Poll:
    poll = await world.bot.services.polls.find(world.guild.id, number)
    assert poll is not None
    return poll


def poll_message(world: MeetupWorld, poll: Poll):
    return next(m for m in world.meetups.history() if m.id == poll.message_id)


async def votes(world: MeetupWorld, poll: Poll) -> set[tuple[str, int]]:
    stored = await world.bot.services.polls.votes(poll)
    return {
        ((TIME_EMOJIS if kind is OptionKind.TIME else PLACE_EMOJIS)[n], member)
        for (kind, n), member in stored
    }


def edits_of(world: MeetupWorld, poll: Poll) -> int:
    path = f"/channels/{poll.channel_id}/messages/{poll.message_id}"
    return sum(1 for request in world.env.http_requests if request.method == "PATCH" and request.path == path)
