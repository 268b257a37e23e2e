"""A server that took every useful permission away from the bot: how many invalid requests?

    python -m bench.hostile            # 40 members, 10 simulated minutes
    python -m bench.hostile --quick    # 12 members, 3 simulated minutes (what the test runs)

Discord bans a bot's IP for 10,000 invalid requests (answered 401, 403 or 429) in 10 minutes.
Meetbridge holds a refused kind of request back in that channel until something changes, so a
hostile server should cost about one refused request per kind and channel, not one per command.

1. **The server.** An admin configures the four feature channels, the timezone (Europe/London)
   and reminders 30 and 5 minutes ahead while the bot still has its permissions, as an admin
   would; every member introduces themself and half join pairing. Two week-long pairing rounds
   (private threads, greetings, a check-in): the first has ended (its **Did you meet?** is up), the
   second ends 30 s into the measured period. Then, with permissions intact: a meetup that ended
   (its **Who came?** is up), one that ends two minutes in, two that start seven and eight minutes
   in (5-minute reminders due in the period, one with its thread already open, one without), four
   upcoming meetups with RSVPs (one full, with a waitlist), a poll that closes during the period,
   two polls being voted on and two for their organisers to close.
2. **The hostile part.** Overwrites on the four feature channels deny the bot's role Send
   Messages, Send Messages in Threads, Embed Links, Add Reactions, Read Message History and
   Create Public/Private Threads (View Channel stays, so the commands are still offered), and the
   role loses Create Events and Manage Events. SimCord delivers CHANNEL_UPDATE and
   GUILD_ROLE_UPDATE as Discord would; that counts as "something changed", so it happens before
   the measured period starts.
3. **The measured period.** For ``--minutes`` of virtual time members run every command and press
   every button, at the rates in :data:`RATES` (per minute, for the whole server), each at a spread
   time, by members chosen with a seeded random generator: plan and create meetups, RSVP, edit,
   cancel, close polls, /ask, /intro (edits, and newcomers who join and introduce themselves), /met,
   /pairing join, **I was there**, **Plan a meetup** and **Did you meet?** in pairing threads,
   read-only commands, the admin's /pairing run, and reactions on the open polls (fed in bulk every
   10 s). Timed work runs as it comes due: the poll closing and its announcement, reminders, Who
   came?, notices to attendees, the second round's Did you meet? in every group's thread, the new
   round's threads and greetings, DMs.
4. **Counting.** Every REST answer SimCord gives (its router, which the bot's HTTP client and the
   interaction webhooks both go through) is recorded with its status; invalid requests are those
   answered 401, 403 or 429. The Outbound's own counters (requests, invalid, held back) are read
   too; the two counts of invalid requests must agree, or something wrote to Discord around it.
5. **The baseline.** The same server, script and seed with permissions intact, in the same process.
6. **429.** With permissions intact, 20 s of reactions on a poll (20 a second, adds and removals);
   a tally edit four seconds before the end is answered 429 (SimCord's injected 429 has no
   Retry-After header, so the Outbound holds for its default of 5 s). Votes keep coming during the
   hold; the next request on that route must not come before it ends, and the final tally must
   still be shown.

Targets: at most 1 invalid request per command with permissions removed, 0 with them intact, no
request within the retry-after of a 429, and the final tally shown after it.
"""

from __future__ import annotations

import argparse
import logging
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import simcord
from simcord.actors import MemberActor
from simcord.backend.errors import BackendError
from simcord.backend.models.channel import Overwrite
from simcord.builders import ChannelHandle, GuildHandle
from simcord.enums import OverwriteType
from simcord.http import router
from simcord.results import to_discord_message

from bench import simulated
from bot import MeetbridgeBot, Settings, create_bot
from bot.adapters.outbound import DEFAULT_RETRY_AFTER
from bot.boards.polls import POLL_EDIT_INTERVAL
from bot.domain.polls import TIME_EMOJIS
from bot.ui.meetups import poll_embed

MINUTE = 60
HOUR = 3600
DAY = 86400
TICK = 10  # virtual seconds between two batches of reactions
INVALID = (401, 403, 429)
PURPOSES = ("introductions", "meetups", "pairing", "support")
TARGET_PER_COMMAND = 1.0

# What a member-run server does in a minute (all members together). Commands are spread evenly
# over the period, each at its own second; reactions come in bulk every TICK seconds.
RATES: dict[str, float] = {
    "meetup plan": 1.0,
    "meetup create": 0.5,
    "rsvp": 4.0,
    "meetup edit": 0.3,
    "meetup cancel": 0.2,
    "meetup close-poll": 0.3,
    "ask": 0.5,
    "intro": 0.5,
    "newcomer": 0.3,  # joins (welcomed) and introduces themself
    "met": 1.0,
    "pairing join": 0.5,
    "i was there": 1.0,
    "plan a meetup": 0.3,  # the button in a pairing thread, then its form
    "did you meet": 0.5,
    "read-only": 2.0,  # /meetup list, info, calendar, /profile, /match in turn
}
REACTIONS_PER_MINUTE = 30
ONCE = ("pairing run",)  # the admin starts a round a third of the way in

# The bot's permissions taken away in each feature channel (View Channel stays) and server-wide.
DENIED_IN_CHANNELS = discord.Permissions(
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    add_reactions=True,
    read_message_history=True,
    create_public_threads=True,
    create_private_threads=True,
)
DENIED_IN_SERVER = discord.Permissions(create_events=True, manage_events=True)

INTERESTS = ("board games", "hiking", "python", "chess", "photography", "climbing", "cooking", "coffee")
CITIES = ("London", "Manchester", "Bristol", "Leeds")


# -- what SimCord answered ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    at: float  # virtual epoch seconds
    method: str
    path: str
    status: int

    @property
    def invalid(self) -> bool:
        return self.status in INVALID


@contextmanager
def recording(env: simcord.Env) -> Iterator[list[Answer]]:
    """Every REST answer SimCord's router gives while inside, with its status.

    The bot's HTTP client and the interaction webhooks both call ``router.dispatch``, so nothing
    the bot sends to Discord escapes this record.
    """
    answers: list[Answer] = []
    dispatch = router.dispatch

    def recorded(backend: Any, method: str, path: str, **kwargs: Any) -> Any:
        at = env.now().timestamp()
        try:
            result = dispatch(backend, method, path, **kwargs)
        except BackendError as error:
            answers.append(Answer(at, method, path, error.status))
            raise
        answers.append(Answer(at, method, path, 200))
        return result

    router.dispatch = recorded  # type: ignore[assignment]
    try:
        yield answers
    finally:
        router.dispatch = dispatch  # type: ignore[assignment]


def route_of(answer: Answer, names: dict[int, str]) -> str:
    """``POST /channels/{meetups}/messages``: ids replaced by the channel's name or ``{id}``."""

    def name(match: re.Match[str]) -> str:
        return "{" + names.get(int(match[0]), "id") + "}"

    path = re.sub(r"\d{6,}", name, answer.path)
    return f"{answer.method} {path}"


# -- the server --------------------------------------------------------------------------------------


@dataclass
class Server:
    env: simcord.Env
    guild: GuildHandle
    admin: MemberActor
    members: list[MemberActor]
    channels: dict[str, ChannelHandle]
    rng: random.Random
    meetups: dict[str, int] = field(default_factory=dict)  # role in the script -> meetup number
    polls: dict[str, int] = field(default_factory=dict)
    organisers: dict[int, MemberActor] = field(default_factory=dict)  # meetup/poll number -> organiser
    newcomers: int = 0
    commands: Counter[str] = field(default_factory=Counter)
    reactions: int = 0

    @property
    def bot(self) -> MeetbridgeBot:
        return self.env.bot  # type: ignore[return-value]

    @property
    def general(self) -> ChannelHandle:
        return self.channels["general"]

    def names(self) -> dict[int, str]:
        found = {channel.id: name for name, channel in self.channels.items()}
        found[self.guild.id] = "guild"
        for name, channel in self.channels.items():
            for thread in channel.threads:
                found[thread.id] = f"{name} thread"
        return found

    def message(self, channel_id: int, message_id: int) -> discord.Message:
        return to_discord_message(self.env, self.env.backend.get_message(channel_id, message_id))

    def now(self) -> int:
        return int(self.env.now().timestamp())


def at_text(epoch: int) -> str:
    """A time as a member types it (the server is on Europe/London, UTC in January)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M")


def persona(number: int) -> dict[str, str]:
    interests = ", ".join(INTERESTS[(number + k) % len(INTERESTS)] for k in (0, 2, 5))
    return {
        "about": f"Member {number}: here to meet people who like {interests}.",
        "interests": interests,
        "city": CITIES[number % len(CITIES)],
        "links": "",
    }


async def introduce(server: Server, member: MemberActor, number: int) -> None:
    shown = await member.slash(server.general, "intro")
    assert shown.modal is not None, shown
    await member.submit_modal(shown, persona(number))


async def build(env: simcord.Env, members: int, minutes: float, seed: int) -> Server:
    """The lived-in server of step 1, every permission intact; returns at the measured period's start."""
    guild = env.create_guild("Hostile")
    admins = guild.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
    channels = {name: guild.create_text_channel(name) for name in ("general", *PURPOSES)}
    admin = guild.add_member(env.create_user("ada"), roles=[admins])
    people = [guild.add_member(env.create_user(f"member{n}")) for n in range(members)]
    server = Server(env, guild, admin, people, channels, random.Random(seed))
    general = server.general
    for purpose in PURPOSES:
        await admin.slash(general, "config channel", purpose=purpose, channel=channels[purpose])
    await admin.slash(general, "config timezone", name="Europe/London")
    await admin.slash(general, "config reminders", offsets="30m, 5m")
    await introduce(server, admin, members)
    for number, member in enumerate(people):
        await introduce(server, member, number)
        if number % 3 == 0:
            await member.slash(general, "privacy helper", state="on")
        if number % 4 == 0:
            await member.slash(general, "privacy dm", state="on")
    for member in people[::2]:
        await member.slash(general, "pairing join")
    # Two week-long pairing rounds: the first has ended (its Did you meet? is up), the second ends
    # 30 s into the measured period (Did you meet? in each group's thread).
    await admin.slash(general, "pairing run")
    await advance_days(server, 7)
    await env.advance_time(HOUR)
    await admin.slash(general, "pairing run")
    pairing = server.bot.services.pairing
    second = (await pairing.repo.rounds(guild.id))[-1]
    start = second.ends_at - 30  # the measured period starts here
    t1 = start - 4 * HOUR
    await advance_days(server, (t1 - server.now()) // DAY)
    await env.advance_time(t1 - server.now())
    half = int(minutes * MINUTE) // 2

    async def create(key: str, organiser: MemberActor, starts: int, **options: Any) -> int:
        title = options.pop("title", key.capitalize())
        number = number_in(
            await organiser.slash(
                general,
                "meetup create",
                title=title,
                when=at_text(starts),
                where="The Crown, London",
                **options,
            )
        )
        server.meetups[key] = number
        server.organisers[number] = organiser
        return number

    async def rsvp(number: int, who: Sequence[MemberActor], status: str = "going") -> None:
        meetup = await server.bot.services.meetups.find(guild.id, number)
        assert meetup is not None and meetup.channel_id and meetup.message_id
        for member in who:
            message = server.message(meetup.channel_id, meetup.message_id)
            await member.click(message, custom_id=f"meetup:rsvp:{meetup.id}:{status}")

    # Ended before the period (its Who came? is up); ends inside it; reminders due inside it.
    ended = await create("ended", people[1], t1 + HOUR)
    await rsvp(ended, people[:8])
    ending = await create("ending", people[2], start - 2 * HOUR + 2 * MINUTE)
    await rsvp(ending, people[2:8])
    soon = await create("soon", people[3], start + 7 * MINUTE)  # its thread opens 30 min before
    await rsvp(soon, people[3:9])
    for n, key in enumerate(("upcoming", "full", "later", "last")):
        organiser = people[4 + n]
        capacity = {"capacity": 4} if key == "full" else {}
        number = await create(key, organiser, t1 + (3 + n) * DAY + 18 * HOUR, **capacity)
        await rsvp(number, people[4 + n : 10 + n])
        await rsvp(number, people[10 + n : 12 + n], "maybe")
    # Polls: two to vote on, two for their organisers to close, one that closes halfway through.
    times = "; ".join(at_text(t1 + day * DAY + 18 * HOUR) for day in (5, 6, 7))
    for n, key in enumerate(("vote", "vote too", "close", "close too")):
        organiser = people[(8 + n) % len(people)]
        server.polls[key] = number_in(
            await organiser.slash(
                general,
                "meetup plan",
                title=key.capitalize(),
                times=times,
                places="The Crown; The Lamb",
                closes="48h",
            )
        )
        server.organisers[server.polls[key]] = organiser

    await env.advance_time(start - 5 * MINUTE - server.now())
    server.polls["closing"] = number_in(
        await people[5].slash(
            general,
            "meetup plan",
            title="Closing",
            times=times,
            places="The Crown; The Lamb",
            closes=f"{5 + half // 60}m",
        )
    )
    server.organisers[server.polls["closing"]] = people[5]
    for poll in ("closing", "vote", "close"):
        await react_to(server, poll, people[:6], TIME_EMOJIS[0])
    fresh = await create("no thread", people[6], start + 8 * MINUTE)  # its 30 min reminder is past
    await rsvp(fresh, people[6:10])
    await env.advance_time(start - server.now())
    return server


async def advance_days(server: Server, days: int) -> None:
    for _ in range(days):
        await server.env.advance_time(DAY)


def number_in(result: simcord.InteractionResult) -> int:
    """The number the bot gave a meetup or poll, from its answer ("Poll #3 is up", "Meetup #4 ...")."""
    found = re.search(r"#(\d+)", result.response.content or "")
    assert found is not None, result.response.content
    return int(found[1])


async def react_to(server: Server, key: str, who: Sequence[MemberActor], emoji: str) -> None:
    poll = await server.bot.services.polls.find(server.guild.id, server.polls[key])
    assert poll is not None and poll.message_id is not None
    for member in who:
        server.env.backend.set_reaction(poll.channel_id, poll.message_id, emoji, member.id, True)
    await server.env.settle()


def remove_permissions(server: Server) -> None:
    """What an admin who wants the bot gone but not kicked does: deny it everything useful."""
    backend = server.env.backend
    guild = backend.get_guild(server.guild.id)
    role = next(role for role in guild.roles.values() if role.managed)
    for purpose in PURPOSES:
        backend.set_overwrite(
            server.channels[purpose].id,
            Overwrite(
                role.id,
                OverwriteType.ROLE,
                allow=discord.Permissions(view_channel=True).value,
                deny=DENIED_IN_CHANNELS.value,
            ),
        )
    backend.edit_role(guild.id, role.id, {"permissions": role.permissions & ~DENIED_IN_SERVER.value})


# -- the script --------------------------------------------------------------------------------------

Act = Callable[[Server], Awaitable[None]]


def script(minutes: float, seed: int) -> list[tuple[float, str]]:
    """(second into the period, action) for every command, spread evenly with a little jitter."""
    rng = random.Random(seed)
    seconds = minutes * MINUTE
    planned: list[tuple[float, str]] = []
    for action, rate in RATES.items():
        count = max(1, round(rate * minutes))
        for n in range(count):
            planned.append(((n + rng.uniform(0.25, 0.75)) * seconds / count, action))
    planned.extend((seconds / 3, action) for action in ONCE)
    return sorted(planned)


def someone(server: Server) -> MemberActor:
    return server.rng.choice([server.admin, *server.members])


async def _meetup(server: Server, key: str) -> Any:
    meetup = await server.bot.services.meetups.find(server.guild.id, server.meetups[key])
    assert meetup is not None
    return meetup


async def act_plan(server: Server) -> None:
    now = server.now()
    times = "; ".join(at_text(now + day * DAY + 18 * HOUR) for day in (9, 10))
    await someone(server).slash(
        server.general,
        "meetup plan",
        title="Pub quiz",
        times=times,
        places="The Crown; The Lamb",
        closes="24h",
    )


async def act_create(server: Server) -> None:
    await someone(server).slash(
        server.general,
        "meetup create",
        title="Walk",
        when=at_text(server.now() + 9 * DAY),
        where="Hyde Park, London",
    )


async def act_rsvp(server: Server) -> None:
    choices = [await _meetup(server, key) for key in ("upcoming", "full", "later", "last")]
    meetup = server.rng.choice([meetup for meetup in choices if not meetup.cancelled])
    status = server.rng.choice(("going", "going", "maybe", "no"))
    member = server.rng.choice(server.members)
    await member.click(
        server.message(meetup.channel_id, meetup.message_id), custom_id=f"meetup:rsvp:{meetup.id}:{status}"
    )


async def act_edit(server: Server) -> None:
    key = server.rng.choice(("upcoming", "later"))
    number = server.meetups[key]
    meetup = await _meetup(server, key)
    when = at_text(meetup.starts_at + server.rng.choice((-1, 1)) * HOUR)
    await server.organisers[number].slash(server.general, "meetup edit", id=number, when=when)


async def act_cancel(server: Server) -> None:
    for key in ("last", "full", "later"):
        meetup = await _meetup(server, key)
        if not meetup.cancelled:
            number = server.meetups[key]
            await server.organisers[number].slash(server.general, "meetup cancel", id=number, reason="Rain")
            return


async def act_close_poll(server: Server) -> None:
    key = server.rng.choice(("close", "close too"))
    number = server.polls[key]
    await server.organisers[number].slash(server.general, "meetup close-poll", id=number)


async def act_ask(server: Server) -> None:
    topic = server.rng.choice(INTERESTS)
    await someone(server).slash(
        server.general, "ask", topic=topic, question=f"Who knows a good place for {topic}?"
    )


async def act_intro(server: Server) -> None:
    number = server.rng.randrange(len(server.members))
    values = persona(number) | {"about": f"Member {number}, updated at {server.now()}."}
    member = server.members[number]
    shown = await member.slash(server.general, "intro")
    if shown.modal is not None:  # a cooldown may refuse before the form
        await member.submit_modal(shown, values)


async def act_newcomer(server: Server) -> None:
    server.newcomers += 1
    member = server.guild.add_member(server.env.create_user(f"newcomer{server.newcomers}"))
    await server.env.settle()  # the welcome
    server.members.append(member)
    await introduce(server, member, len(server.members))


async def act_met(server: Server) -> None:
    member, other = server.rng.sample(server.members, 2)
    await member.slash(server.general, "met", member=other)


async def act_pairing_join(server: Server) -> None:
    await server.rng.choice(server.members).slash(server.general, "pairing join")


async def act_pairing_run(server: Server) -> None:
    await server.admin.slash(server.general, "pairing run")


async def act_checkin(server: Server) -> None:
    meetup = await _meetup(server, "ended")
    followup = await server.bot.services.checkins.followups.get(meetup.id)
    assert followup is not None and followup.whocame_message_id and followup.whocame_channel_id
    message = server.message(followup.whocame_channel_id, followup.whocame_message_id)
    await server.rng.choice(server.members[:8]).click(message, label="I was there")


async def _group_thread(server: Server) -> tuple[Any, MemberActor, int]:
    """A group of the first round, one of its members, and the thread's id."""
    pairing = server.bot.services.pairing
    first = (await pairing.repo.rounds(server.guild.id))[0]
    group = server.rng.choice(await pairing.repo.groups(first.id))
    chosen = server.rng.choice(group.member_ids)
    member = next(m for m in server.members if m.id == chosen)
    assert group.thread_id is not None
    return group, member, group.thread_id


async def act_plan_in_thread(server: Server) -> None:
    group, member, thread = await _group_thread(server)
    assert group.greeting_id is not None
    shown = await member.click(server.message(thread, group.greeting_id), label="Plan a meetup")
    if shown.modal is None:
        return  # a cooldown refused it
    now = server.now()
    times = "; ".join(at_text(now + day * DAY + 18 * HOUR) for day in (4, 5))
    await member.submit_modal(shown, {"title": "Coffee", "times": times, "places": "Bean There"})


async def act_did_you_meet(server: Server) -> None:
    group, member, thread = await _group_thread(server)
    assert group.ask_id is not None
    answer = server.rng.choice(("In person", "In person", "Online", "Not yet"))
    await member.click(server.message(thread, group.ask_id), label=answer)


async def act_read_only(server: Server) -> None:
    member = someone(server)
    general = server.general
    which = server.commands["read-only"] % 5
    if which == 0:
        await member.slash(general, "meetup list")
    elif which == 1:
        await member.slash(general, "meetup info", id=server.meetups["upcoming"])
    elif which == 2:
        await member.slash(general, "meetup calendar", id=server.meetups["later"])
    elif which == 3:
        await member.slash(general, "profile")
    else:
        await member.slash(general, "match")


ACTS: dict[str, Act] = {
    "meetup plan": act_plan,
    "meetup create": act_create,
    "rsvp": act_rsvp,
    "meetup edit": act_edit,
    "meetup cancel": act_cancel,
    "meetup close-poll": act_close_poll,
    "ask": act_ask,
    "intro": act_intro,
    "newcomer": act_newcomer,
    "met": act_met,
    "pairing join": act_pairing_join,
    "pairing run": act_pairing_run,
    "i was there": act_checkin,
    "plan a meetup": act_plan_in_thread,
    "did you meet": act_did_you_meet,
    "read-only": act_read_only,
}


async def react_in_bulk(server: Server, count: int) -> None:
    """``count`` reactions on the open polls (adds, and removals of an earlier add), no settling."""
    polls = server.bot.services.polls
    open_polls = [poll for poll in await polls.open_polls(server.guild.id) if poll.message_id is not None]
    open_polls = [poll for poll in open_polls if poll.channel_id == server.channels["meetups"].id]
    if not open_polls:
        return
    backend = server.env.backend
    for _ in range(count):
        poll = server.rng.choice(open_polls)
        assert poll.message_id is not None
        emoji = server.rng.choice(poll.emojis)
        member = server.rng.choice(server.members)
        message = backend.get_message(poll.channel_id, poll.message_id)
        reaction = message.reaction_for(emoji)
        reacted = reaction is not None and member.id in reaction.user_ids
        backend.set_reaction(poll.channel_id, poll.message_id, emoji, member.id, not reacted)
        server.reactions += 1


async def play(server: Server, minutes: float, seed: int) -> None:
    """Run the script: each command at its second, reactions every TICK seconds."""
    started = server.now()
    planned = script(minutes, seed)
    end = started + minutes * MINUTE
    per_tick = REACTIONS_PER_MINUTE * TICK / MINUTE
    owed = 0.0
    tick = started
    index = 0
    while tick < end:
        tick = min(tick + TICK, end)
        while index < len(planned) and started + planned[index][0] <= tick:
            due, action = planned[index]
            index += 1
            wait = started + due - server.now()
            if wait > 0:
                await server.env.advance_time(wait)
            server.commands[action] += 1
            await ACTS[action](server)
        owed += per_tick
        await react_in_bulk(server, int(owed))
        owed -= int(owed)
        if tick > server.now():
            await server.env.advance_time(tick - server.now())


# -- one run -----------------------------------------------------------------------------------------


@dataclass
class Run:
    hostile: bool
    minutes: float
    commands: Counter[str]
    reactions: int
    answers: list[Answer]  # REST answers during the measured period
    outbound_requests: int
    outbound_invalid: int
    held_back: int
    tasks_run: int
    names: dict[int, str]
    wall: float

    @property
    def command_count(self) -> int:
        return sum(self.commands.values())

    @property
    def invalid(self) -> int:
        return sum(1 for answer in self.answers if answer.invalid)

    @property
    def per_command(self) -> float:
        return self.invalid / max(1, self.command_count)

    @property
    def per_minute(self) -> float:
        return self.invalid / self.minutes

    def requests_ratio(self, other: Run) -> float:
        return len(self.answers) / max(1, len(other.answers))

    def refused(self) -> Counter[str]:
        return Counter(f"{route_of(a, self.names)} {a.status}" for a in self.answers if a.invalid)


async def run(folder: Path, *, hostile: bool, members: int, minutes: float, seed: int) -> Run:
    """One run of the server and script; ``hostile`` removes the bot's permissions before it."""
    name = "hostile" if hostile else "intact"
    bot = create_bot(Settings(database_path=folder / f"{name}.db", geocoder="offline"))
    # Below the 2 s between two tally edits, so deferred edits wait for virtual time.
    env = simcord.Env(bot, check_errors=False, settle_timeout=1.5)
    await env.start()
    began = time.perf_counter()
    try:
        server = await build(env, members, minutes, seed)
        if hostile:
            remove_permissions(server)
        await env.settle()
        outbound = server.bot.boards.outbound
        before = (outbound.requests, outbound.invalid, outbound.held_back)
        started = server.now()
        with recording(env) as answers:
            await play(server, minutes, seed)
        tasks = await server.bot.services.db.fetchone(
            "SELECT COUNT(*) FROM scheduled_tasks WHERE guild_id IN (?, 0) AND due_at BETWEEN ? AND ? "
            "AND state != 'pending'",
            (server.guild.id, started, server.now()),
        )
        return Run(
            hostile=hostile,
            minutes=minutes,
            commands=server.commands,
            reactions=server.reactions,
            answers=answers,
            outbound_requests=outbound.requests - before[0],
            outbound_invalid=outbound.invalid - before[1],
            held_back=outbound.held_back - before[2],
            tasks_run=int(tasks[0]) if tasks else 0,
            names=server.names(),
            wall=time.perf_counter() - began,
        )
    finally:
        await env.shutdown()
        await bot.close()


# -- 429 -----------------------------------------------------------------------------------------------


@dataclass
class RateLimited:
    route: str
    limited_at: float | None  # virtual seconds into the storm when the 429 came
    next_after: float | None  # seconds from the 429 to the next request on that route
    retry_after: float
    held_back: int
    edits: int
    final_shown: bool

    @property
    def ok(self) -> bool:
        return (
            self.limited_at is not None
            and (self.next_after is None or self.next_after >= self.retry_after - 1e-6)
            and self.final_shown
        )


async def rate_limited(
    folder: Path, *, seconds: int = 20, per_second: int = 20, seed: int = 7
) -> RateLimited:
    """A reaction storm on one poll (adds and removals); a tally edit four seconds before the end is
    answered 429, so votes keep coming during the hold and the last ones can only be shown after it."""
    bot = create_bot(Settings(database_path=folder / "429.db", geocoder="offline"))
    env = simcord.Env(bot, check_errors=False, settle_timeout=1.5)
    await env.start()
    rng = random.Random(seed)
    try:
        guild = env.create_guild("Busy")
        admins = guild.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
        general, meetups = guild.create_text_channel("general"), guild.create_text_channel("meetups")
        admin = guild.add_member(env.create_user("ada"), roles=[admins])
        voters = [guild.add_member(env.create_user(f"voter{n}")).id for n in range(50)]
        await admin.slash(general, "config channel", purpose="meetups", channel=meetups)
        times = "; ".join(at_text(int(env.now().timestamp()) + day * DAY) for day in (3, 4, 5))
        await admin.slash(general, "meetup plan", title="Storm", times=times, closes="48h")
        poll = await bot.services.polls.find(guild.id, 1)
        assert poll is not None and poll.message_id is not None
        outbound = bot.boards.outbound
        held_before = outbound.held_back
        path = f"/channels/{meetups.id}/messages/{poll.message_id}"
        started = env.now().timestamp()
        with recording(env) as answers:
            for second in range(seconds):
                if second == seconds - 5:  # answered at the next edit; the storm ends inside the hold
                    env.inject_error("PATCH", path, status=429, code=0, message="You are being rate limited.")
                for _ in range(per_second):
                    emoji, voter = rng.choice(poll.emojis), rng.choice(voters)
                    reaction = env.backend.get_message(meetups.id, poll.message_id).reaction_for(emoji)
                    reacted = reaction is not None and voter in reaction.user_ids
                    env.backend.set_reaction(meetups.id, poll.message_id, emoji, voter, not reacted)
                await env.advance_time(1)
            await env.advance_time(DEFAULT_RETRY_AFTER + POLL_EDIT_INTERVAL)  # the storm is over
        edits = [a for a in answers if a.method == "PATCH" and a.path == path]
        limited = next((a for a in edits if a.status == 429), None)
        after = [a for a in edits if limited is not None and a.at > limited.at]
        shown = env.backend.get_message(meetups.id, poll.message_id).embeds[0]["description"]
        final = poll_embed(poll, await bot.services.polls.tally(poll)).description
        return RateLimited(
            route=f"PATCH /channels/{{meetups}}/messages/{{poll}} ({per_second} reactions/s)",
            limited_at=None if limited is None else limited.at - started,
            next_after=None if limited is None or not after else after[0].at - limited.at,
            retry_after=DEFAULT_RETRY_AFTER,
            held_back=outbound.held_back - held_before,
            edits=len(edits),
            final_shown=shown == final,
        )
    finally:
        await env.shutdown()
        await bot.close()


# -- figures -----------------------------------------------------------------------------------------


@dataclass
class Figures:
    members: int
    hostile: Run
    intact: Run
    limited: RateLimited

    @property
    def ok(self) -> bool:
        return (
            self.hostile.per_command <= TARGET_PER_COMMAND
            and self.intact.invalid == 0
            and self.hostile.invalid == self.hostile.outbound_invalid
            and self.limited.ok
        )

    def report(self) -> str:
        h, b, r = self.hostile, self.intact, self.limited
        kinds = ", ".join(f"{name} {count}" for name, count in sorted(h.commands.items()))
        refused = "; ".join(f"{route} x{n}" for route, n in h.refused().most_common()) or "none"
        around = "the same: nothing wrote around it" if h.outbound_invalid == h.invalid else "DIFFERENT"
        limited_at = "never" if r.limited_at is None else f"{r.limited_at:.0f} s into the storm"
        next_after = "none" if r.next_after is None else f"{r.next_after:.1f} s later"
        return "\n".join(
            [
                f"server: {self.members} members and an admin; {h.minutes:g} simulated minutes; "
                f"{h.command_count} commands, {h.reactions} reactions, {h.tasks_run} timed tasks",
                f"  commands: {kinds}",
                f"permissions removed: {h.invalid} invalid requests (401/403/429) of {len(h.answers)} made; "
                f"{h.held_back} held back",
                f"  invalid per command: {h.per_command:.3f} (target <= {TARGET_PER_COMMAND:g}); "
                f"per simulated minute: {h.per_minute:.2f}",
                f"  refused: {refused}",
                f"  invalid counted at the Outbound: {h.outbound_invalid} ({around})",
                f"permissions intact (baseline): {b.invalid} invalid of {len(b.answers)} made; "
                f"{b.held_back} held back; per command {b.per_command:.3f}; per minute {b.per_minute:.2f}",
                f"removed / intact: requests made {h.requests_ratio(b):.2f}; "
                f"invalid per command {h.per_command:.3f} / {b.per_command:.3f}",
                f"429 on {r.route}: answered {limited_at}; next request on that route {next_after} "
                f"(retry-after {r.retry_after:g} s: SimCord sends no header, the Outbound's default); "
                f"{r.held_back} held back meanwhile; {r.edits} tally edits; "
                f"final tally shown: {'yes' if r.final_shown else 'NO'}",
                f"wall time: removed {h.wall:.1f} s, intact {b.wall:.1f} s",
            ]
        )


async def measure(members: int = 40, minutes: float = 10, seed: int = 3) -> Figures:
    with tempfile.TemporaryDirectory(prefix="meetbridge-bench-") as folder:
        path = Path(folder)
        hostile = await run(path, hostile=True, members=members, minutes=minutes, seed=seed)
        intact = await run(path, hostile=False, members=members, minutes=minutes, seed=seed)
        limited = await rate_limited(path)
    return Figures(members, hostile, intact, limited)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.hostile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="12 members, 3 simulated minutes")
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    if args.quick:
        args.members, args.minutes = 12, 3
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    return simulated.run(lambda: measure(args.members, args.minutes, args.seed), log_level=logging.ERROR)


if __name__ == "__main__":
    raise SystemExit(main())
