"""Steps shared by the reminder and follow-up tests: a meetup on Friday 9 January at 19:00 in Berlin,
ways to read its thread and DMs, and a way to take the bot down for a while."""

from __future__ import annotations

import discord
import simcord
from simcord.actors import MemberActor

from bot.domain.meetups import Meetup, RsvpStatus
from bot.domain.tasks import ScheduledTask
from tests.behaviour.meetup_world import FRIDAY_7PM, FRIDAY_7PM_EPOCH, MeetupWorld, rsvp_id
from tests.conftest import BotFactory, restart

HOUR = 3600
DAY = 24 * HOUR
START = FRIDAY_7PM_EPOCH
DAY_BEFORE = START - DAY
HOUR_BEFORE = START - HOUR
END = START + 2 * HOUR


def now(env: simcord.Env) -> int:
    return int(env.now().timestamp())


async def advance_to(env: simcord.Env, epoch: int) -> None:
    """Move the virtual clock to ``epoch`` (in steps, each with its own settle budget)."""
    while (left := epoch - now(env)) > 0:
        await env.advance_time(min(left, 2 * DAY))


async def create_meetup(world: MeetupWorld, **options) -> Meetup:
    values = {"title": "Board games", "when": FRIDAY_7PM, "where": "Café Central"}
    values.update(options)
    result = await world.alice.slash(world.general, "meetup create", **values)
    assert "is announced" in result.response.content, result.response.content
    return await world.meetup(1)


async def answer(world: MeetupWorld, meetup: Meetup, member: MemberActor, status: str = "going") -> None:
    await member.click(world.announcement(meetup), custom_id=rsvp_id(meetup, status))


async def set_going(world: MeetupWorld, meetup: Meetup, member_ids: list[int]) -> None:
    """Many RSVPs at once, straight into the database (arranging, not the behaviour under test)."""
    repo = world.bot.services.meetups.repo
    for member_id in member_ids:
        await repo.set_rsvp(world.guild.id, meetup.id, member_id, RsvpStatus.GOING, now(world.env))


async def dms_on(world: MeetupWorld, *members: MemberActor) -> None:
    for member in members:
        result = await member.slash(world.general, "privacy dm", state="on")
        assert result.ephemeral


def thread_messages(world: MeetupWorld) -> list[discord.Message]:
    threads = world.meetups.threads
    assert len(threads) <= 1, "one thread per meetup"
    return threads[0].history() if threads else []


def reminders(world: MeetupWorld) -> list[discord.Message]:
    return [m for m in thread_messages(world) if m.content.startswith("⏰")]


FIRST_MEETUP_NOTE = "🛡️ **Before your first meetup"


def dms(member: MemberActor) -> list[discord.Message]:
    """The bot's DMs to the member, without the first-meetup note a first Going brings (the note
    is tested on its own in test_safety; here it would only shift what each test counts)."""
    return [m for m in all_dms(member) if not m.content.startswith(FIRST_MEETUP_NOTE)]


def all_dms(member: MemberActor) -> list[discord.Message]:
    return [m for m in member.user.dm_channel.history() if m.author.bot]


async def tasks(world: MeetupWorld, meetup: Meetup, *kinds: str) -> list[ScheduledTask]:
    return await world.bot.services.scheduler.repo.for_subject(world.guild.id, kinds, meetup.id)


async def go_down(env: simcord.Env) -> None:
    """The bot stops: no gateway events reach it and its scheduler no longer fires.

    SimCord has no "offline" switch; this unplugs the running bot's feed and stops its timed work.
    A :func:`come_back` later starts a new bot on the same database, as a redeploy would.
    """
    env.backend.subscribers.remove(env._gateway_feed)
    await env.bot.services.scheduler.shutdown()


async def come_back(env: simcord.Env, bot_factory: BotFactory) -> None:
    await restart(env, bot_factory)
