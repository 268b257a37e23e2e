"""The guided tour: scripted members play the whole loop against the real bot and say what happened.

Each step is one small async function ``step_…(tour)`` that acts as members through ``Tour``'s
verbs (each prints what the member did and then what the bot posted) and checks with
``tour.expect`` what it should have produced. ``STEPS`` lists them in the order of the loop; a
new feature adds its function and one line there.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import discord
import simcord
from simcord.actors import MemberActor
from simcord.builders import ChannelHandle

from bot.domain.meetups import RsvpStatus
from bot.domain.polls import PLACE_EMOJIS, TIME_EMOJIS, PollState
from bot.errors import is_expected
from bot.sandbox.demo import (
    MEMBERS,
    NEWCOMER,
    PURPOSES,
    TIMEZONE,
    DemoServer,
    Persona,
    build_server,
    intro_values,
    simulated_discord,
)
from bot.sandbox.transcript import Transcript
from bot.ui.safety import FIRST_MEETUP_TITLE

HOUR = 3600


class StepFailed(Exception):
    """A tour step did not produce what it should; names the step."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"step '{step}' failed: {reason}")
        self.step = step
        self.reason = reason


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    run: Callable[[Tour], Awaitable[None]]


@dataclass
class TourResult:
    ok: bool
    lines: list[str]
    passed: list[str] = field(default_factory=list)
    failed_step: str | None = None
    reason: str | None = None
    seconds: float = 0.0

    @property
    def transcript(self) -> str:
        return "\n".join(self.lines)


@dataclass
class TourState:
    """What one step leaves for the next."""

    newcomer: MemberActor | None = None
    poll_number: int | None = None
    meetup_number: int | None = None


class Tour:
    """Member verbs that write the transcript, and checks that fail the current step."""

    def __init__(self, server: DemoServer, transcript: Transcript) -> None:
        self.server = server
        self.transcript = transcript
        self.state = TourState()
        self.step = "set-up"
        self._error_cursor = server.env.error_cursor

    @property
    def env(self) -> simcord.Env:
        return self.server.env

    @property
    def services(self) -> Any:
        return self.server.bot.services

    def member(self, name: str) -> MemberActor:
        return self.server.members[name]

    def channel(self, name: str) -> ChannelHandle:
        return self.server.channel(name)

    # -- checks ------------------------------------------------------------------------------------

    def expect(self, condition: object, reason: str) -> None:
        if not condition:
            raise StepFailed(self.step, reason)

    def check_no_bot_errors(self) -> None:
        """Errors the bot swallowed (other than refusals it answered) fail the step."""
        fresh = self.env.errors_since(self._error_cursor)
        self._error_cursor = self.env.error_cursor
        unexpected = [error for error in fresh if not is_expected(error)]
        if unexpected:
            raise StepFailed(self.step, f"the bot raised {type(unexpected[0]).__name__}: {unexpected[0]}")

    def posted(self, channel: ChannelHandle, title: str) -> discord.Message:
        """The newest bot message in ``channel`` whose first embed title starts with ``title``."""
        for message in reversed(channel.history()):
            if message.author.bot and message.embeds and (message.embeds[0].title or "").startswith(title):
                return message
        raise StepFailed(self.step, f'no embed "{title}…" in #{channel.name}')

    def dms(self, member: MemberActor) -> list[discord.Message]:
        """The bot's DMs to the member, but the first-meetup note (see :meth:`notes`)."""
        return [m for m in self._all_dms(member) if not m.content.startswith(FIRST_MEETUP_TITLE)]

    def notes(self, member: MemberActor) -> list[discord.Message]:
        """The first-meetup note a member's first Going brought them by DM."""
        return [m for m in self._all_dms(member) if m.content.startswith(FIRST_MEETUP_TITLE)]

    def _all_dms(self, member: MemberActor) -> list[discord.Message]:
        return [message for message in member.user.dm_channel.history() if message.author.bot]

    # -- member verbs (each recorded, then what the bot posted) ------------------------------------

    async def slash(self, member: MemberActor, channel: ChannelHandle, command: str, /, **options: Any):
        shown = " ".join(f"{name}:{_option_text(value)}" for name, value in options.items())
        self.transcript.action(member, channel, f"/{command}" + (f" {shown}" if shown else ""))
        result = await member.slash(channel, command, **options)
        if result.modal is not None:
            self.transcript.write(f'{" " * 4}Meetbridge opens the form "{result.modal.get("title", "")}"')
        self.transcript.catch_up(result)
        return result

    async def fill(self, member: MemberActor, channel: ChannelHandle, shown: Any, values: dict[str, str]):
        filled = "; ".join(f"{key}: {value}" for key, value in values.items() if value)
        self.transcript.action(member, channel, f"fills in the form: {filled}")
        result = await member.submit_modal(shown, values)
        self.transcript.catch_up(result)
        return result

    async def click(self, member: MemberActor, message: discord.Message, label: str):
        """Click the button whose label starts with ``label`` (counts follow it, e.g. ``Going (2)``)."""
        button = next(
            (
                child
                for row in message.components
                for child in getattr(row, "children", [])
                if isinstance(child, discord.Button) and (child.label or "").startswith(label)
            ),
            None,
        )
        self.expect(button is not None, f'no "{label}" button on the message')
        assert button is not None
        subject = (message.embeds[0].title if message.embeds else None) or _excerpt(
            self.transcript.text(message.content)
        )
        self.transcript.action(member, _handle(self, message), f'clicks "{button.label}" on "{subject}"')
        result = await member.click(message, custom_id=button.custom_id)
        self.transcript.catch_up(result)
        return result

    async def select(
        self,
        member: MemberActor,
        message: discord.Message,
        values: Sequence[Any],
        custom_id: str | None = None,
    ):
        """Choose ``values`` in the message's select menu (members, for a user select)."""
        names = {str(member.id): f"@{name}" for name, member in self.server.members.items()}
        chosen = ", ".join(names.get(str(value), _option_text(value)) for value in values)
        self.transcript.action(member, _handle(self, message), f"chooses {chosen}")
        result = await member.select(message, values, custom_id=custom_id)
        self.transcript.catch_up(result)
        return result

    async def react(self, member: MemberActor, message: discord.Message, *emojis: str) -> None:
        self.transcript.action(member, _handle(self, message), f"reacts {' '.join(emojis)}")
        for emoji in emojis:
            await member.react(message, emoji)

    async def unreact(self, member: MemberActor, message: discord.Message, *emojis: str) -> None:
        self.transcript.action(member, _handle(self, message), f"takes back {' '.join(emojis)}")
        for emoji in emojis:
            await member.unreact(message, emoji)

    async def join(self, persona: Persona) -> MemberActor:
        member = self.server.join(persona)
        await self.env.settle()  # the bot handles the join event
        self.transcript.note(f"{persona.name} joins {self.server.guild.name}")
        self.transcript.catch_up()
        return member

    async def wait(self, seconds: float, why: str) -> None:
        """Virtual time passes; whatever the bot does meanwhile is shown."""
        await self.env.advance_time(seconds)
        now = self.env.now().astimezone(self.transcript.tz)
        self.transcript.note(f"⏩ {why} (now {now:%a %-d %b %Y, %H:%M} {TIMEZONE})")
        self.transcript.catch_up()

    async def settle_tallies(self) -> None:
        """Live poll tallies are coalesced (at most one edit every 2 s); let the last one out."""
        await self.env.advance_time(3)
        self.transcript.catch_up()


def _excerpt(text: str, length: int = 40) -> str:
    first = text.splitlines()[0] if text else ""
    return first if len(first) <= length else first[: length - 1].rstrip() + "…"


def _option_text(value: Any) -> str:
    if isinstance(value, ChannelHandle):
        return f"#{value.name}"
    if isinstance(value, MemberActor):
        return f"@{value.name}"
    return str(value)


def _handle(tour: Tour, message: discord.Message) -> ChannelHandle | None:
    for channel in tour.transcript.channels():
        if channel.id == message.channel.id:
            return channel
    return None


# -- the steps, in the order of the loop -----------------------------------------------------------


async def step_configure(tour: Tour) -> None:
    ada, general = tour.member("ada"), tour.channel("general")
    for purpose in PURPOSES:
        await tour.slash(ada, general, "config channel", purpose=purpose, channel=tour.channel(purpose))
    await tour.slash(ada, general, "config timezone", name=TIMEZONE)
    shown = await tour.slash(ada, general, "config show")
    settings = await tour.services.config.settings(tour.server.guild.id)
    tour.expect(settings.timezone == TIMEZONE, f"the timezone is {settings.timezone}, not {TIMEZONE}")
    missing = [purpose for purpose in PURPOSES if settings.channel(purpose) is None]
    tour.expect(not missing, f"channels not configured: {missing}")
    tour.expect(
        shown.response is not None and shown.response.embeds, "/config show answered without an embed"
    )


async def step_introductions(tour: Tour) -> None:
    first, *others = MEMBERS
    await _introduce(tour, first)
    for persona in others:
        member = tour.member(persona.name)
        shown = await member.slash(tour.channel("general"), "intro")
        await member.submit_modal(shown, intro_values(persona))
    tour.transcript.catch_up(quiet=True)
    names = ", ".join(persona.name for persona in others)
    tour.transcript.note(
        f"{names} introduce themselves the same way ({len(others)} more posts in #introductions)"
    )
    for persona in MEMBERS:
        profile = await tour.services.profiles.get_profile(tour.server.guild.id, tour.member(persona.name).id)
        tour.expect(profile is not None and profile.intro is not None, f"{persona.name} has no introduction")


async def step_join_and_introduce(tour: Tour) -> None:
    nina = tour.state.newcomer = await tour.join(NEWCOMER)
    welcome = tour.channel("introductions").last_message
    tour.expect(
        welcome is not None
        and welcome.author.bot
        and nina.mention in welcome.content
        and "/intro" in welcome.content,
        "no welcome mentioning the newcomer and /intro in #introductions",
    )
    posted = await _introduce(tour, NEWCOMER)
    tour.expect(
        posted.embeds and "Berlin" in str(posted.embeds[0].to_dict()), "the introduction shows no city"
    )
    profile = await tour.slash(nina, tour.channel("general"), "profile")
    tour.expect(
        profile.ephemeral and profile.response is not None and profile.response.embeds,
        "/profile did not answer with a private embed",
    )


async def _introduce(tour: Tour, persona: Persona) -> discord.Message:
    member = tour.member(persona.name)
    shown = await tour.slash(member, tour.channel("general"), "intro")
    tour.expect(shown.modal is not None, "/intro did not open the form")
    await tour.fill(member, tour.channel("general"), shown, intro_values(persona))
    profile = await tour.services.profiles.get_profile(tour.server.guild.id, member.id)
    tour.expect(profile is not None and profile.intro is not None, f"{persona.name}'s profile was not stored")
    assert profile is not None and profile.intro is not None
    return next(m for m in tour.channel("introductions").history() if m.id == profile.intro.message_id)


async def step_match(tour: Tour) -> None:
    nina = tour.member("nina")
    result = await tour.slash(nina, tour.channel("general"), "match")
    tour.expect(result.ephemeral and result.response is not None, "/match did not answer privately")
    listed = str(result.response.embeds[0].to_dict()) if result.response.embeds else ""
    # nina shares hiking, board games and photography with ada: nobody shares more.
    first = re.search(r"\*\*1\.\*\* <@(\d+)>", listed)
    tour.expect(first is not None, "/match listed nobody")
    assert first is not None
    tour.expect(int(first.group(1)) == tour.member("ada").id, "ada, who shares the most, is not first")
    tour.expect("km away" in listed, "/match shows no approximate distances")
    # ben (Berlin) and deniz (Hamburg, ~250 km away) both list python.
    within = await tour.slash(nina, tour.channel("general"), "match", interest="python", within_km=50)
    shown = str(within.response.embeds[0].to_dict()) if within.response and within.response.embeds else ""
    tour.expect(tour.member("ben").mention in shown, "within_km:50 left out ben in Berlin")
    tour.expect(tour.member("deniz").mention not in shown, "within_km:50 let deniz in Hamburg in")


async def step_pairing_round(tour: Tour) -> None:
    general, pairing = tour.channel("general"), tour.channel("pairing")
    ben = tour.member("ben")
    for name in ("ben", "chiara", "elif", "farid"):
        await tour.slash(tour.member(name), general, "pairing join")
    await tour.slash(tour.member("ada"), general, "pairing run")
    threads = pairing.threads
    tour.expect(len(threads) == 2, f"{len(threads)} pairing threads, not 2 for 4 members in pairs")
    thread = next(
        (t for t in threads if any(ben.mention in m.content for m in t.history() if m.author.bot)), None
    )
    tour.expect(thread is not None, "ben's group has no thread")
    assert thread is not None
    greeting = next(m for m in thread.history() if m.author.bot and m.components)
    partner = next(
        (tour.member(n) for n in ("chiara", "elif", "farid") if tour.member(n).mention in greeting.content),
        None,
    )
    tour.expect(partner is not None, "ben's greeting names no partner")
    assert partner is not None
    shared = await tour.services.profiles.get_profile(tour.server.guild.id, partner.id)
    mine = await tour.services.profiles.get_profile(tour.server.guild.id, ben.id)
    assert shared is not None and mine is not None
    common = set(shared.interests) & set(mine.interests)
    tour.expect(
        common and any(tag in greeting.content.lower() for tag in common),
        "the greeting does not name what they share",
    )
    shown = await tour.click(ben, greeting, "Plan a meetup")
    tour.expect(shown.modal is not None, "Plan a meetup did not open the form")
    await tour.fill(
        ben, thread, shown, {"title": "Board games after work", "times": "mon 7pm; tue 7pm", "places": ""}
    )
    poll = tour.posted(thread, "🗳️ Poll #")
    await tour.react(ben, poll, TIME_EMOJIS[0])
    await tour.react(partner, poll, TIME_EMOJIS[0], TIME_EMOJIS[1])
    await tour.settle_tallies()
    stored = await tour.services.polls.find(tour.server.guild.id, _poll_number(poll))
    tour.expect(
        stored is not None and stored.channel_id == thread.id, "the group's poll is not in its thread"
    )
    tour.expect(len(await tour.services.polls.votes(stored)) == 3, "the group's votes were not all counted")


def _poll_number(message: discord.Message) -> int:
    found = re.search(r"Poll #(\d+)", message.embeds[0].title or "")
    return int(found.group(1)) if found else 0


async def step_plan_meetup(tour: Tour) -> None:
    nina, meetups = tour.member("nina"), tour.channel("meetups")
    result = await tour.slash(
        nina,
        tour.channel("general"),
        "meetup plan",
        title="Sunday hike",
        times="sat 10am; sun 10am; sun 2pm",
        places="Grunewald, Berlin; Sanssouci Park, Potsdam",
        closes="12h",
        capacity=3,
    )
    tour.expect(
        result.response is not None and "Poll #" in result.response.content, "no poll number in the reply"
    )
    number = int(re.search(r"Poll #(\d+)", result.response.content).group(1))  # type: ignore[union-attr]
    tour.state.poll_number = number
    poll = tour.posted(meetups, f"🗳️ Poll #{number}")
    tour.expect(
        len(poll.reactions) == 5, f"the poll has {len(poll.reactions)} reactions, not 5 (3 times, 2 places)"
    )
    one, two, three = TIME_EMOJIS[:3]
    a, b = PLACE_EMOJIS[:2]
    ballots = {
        "nina": (one, a),
        "ben": (one, a),
        "chiara": (two, b),
        "elif": (one, two, a),
        "farid": (two, b),
    }
    for name, emojis in ballots.items():
        await tour.react(tour.member(name), poll, *emojis)
    await tour.react(tour.member("ada"), poll, three, a)
    await tour.unreact(tour.member("ada"), poll, three)
    await tour.react(tour.member("ada"), poll, one)
    await tour.settle_tallies()
    stored = await tour.services.polls.find(tour.server.guild.id, number)
    votes = await tour.services.polls.votes(stored)
    tour.expect(len(votes) == 13, f"{len(votes)} votes stored, not 13")
    tally = tour.posted(meetups, f"🗳️ Poll #{number}").embeds[0].description or ""
    tour.expect("**4** votes" in tally, "the live tally does not show 4 votes for the first time")


async def step_poll_closes(tour: Tour) -> None:
    number = tour.state.poll_number
    tour.expect(number is not None, "no poll was planned")
    await tour.wait(11 * HOUR, "11 hours later, an hour before the poll closes")
    await tour.wait(HOUR, "an hour later the poll closes")
    poll = await tour.services.polls.find(tour.server.guild.id, number)
    tour.expect(
        poll.state is PollState.CLOSED and poll.meetup_id is not None, "the poll did not close into a meetup"
    )
    meetup = await tour.services.meetups.find(tour.server.guild.id, number)
    tour.expect(
        meetup is not None and meetup.place.startswith("Grunewald"), "the meetup is not at the winning place"
    )
    tour.state.meetup_number = number
    announcement = tour.posted(tour.channel("meetups"), "📅 Sunday hike")
    labels = [child.label for row in announcement.components for child in getattr(row, "children", [])]
    tour.expect(labels == ["Going (0)", "Maybe (0)", "Can't go (0)"], f"RSVP buttons are {labels}")
    tour.expect(meetup.event_id is not None, "no Discord scheduled event was created")


async def step_rsvps(tour: Tour) -> None:
    number = tour.state.meetup_number
    tour.expect(number is not None, "there is no meetup to answer")
    meetups = tour.channel("meetups")
    for name, label in (
        ("nina", "Going"),
        ("ben", "Going"),
        ("elif", "Going"),
        ("ada", "Going"),
        ("chiara", "Maybe"),
    ):
        await tour.click(tour.member(name), tour.posted(meetups, "📅 Sunday hike"), label)
    last = await tour.click(tour.member("farid"), tour.posted(meetups, "📅 Sunday hike"), "Going")
    tour.expect(
        "**#2** on the waitlist" in last.response.content, "the fifth Going was not put on the waitlist"
    )
    await tour.click(tour.member("elif"), tour.posted(meetups, "📅 Sunday hike"), "Can't go")
    meetup = await tour.services.meetups.find(tour.server.guild.id, number)
    going = await tour.services.meetups.members(meetup, RsvpStatus.GOING)
    ada = tour.member("ada")
    tour.expect(ada.id in going, "the first on the waitlist was not promoted")
    tour.expect(any("now **going**" in dm.content for dm in tour.dms(ada)), "the promoted member got no DM")
    tour.expect(len(tour.notes(tour.member("nina"))) == 1, "a first Going brought no first-meetup note")


async def step_meetup_commands(tour: Tour) -> None:
    deniz, general, number = tour.member("deniz"), tour.channel("general"), tour.state.meetup_number
    listed = await tour.slash(deniz, general, "meetup list")
    tour.expect(
        "Sunday hike" in str(listed.response.embeds[0].to_dict()), "/meetup list does not show the meetup"
    )
    info = await tour.slash(deniz, general, "meetup info", id=number)
    tour.expect(info.response.embeds[0].title == "📅 Sunday hike", "/meetup info shows another meetup")
    calendar = await tour.slash(deniz, general, "meetup calendar", id=number)
    files = [attachment.filename for attachment in calendar.response.attachments]
    tour.expect(files == [f"meetup-{number}.ics"], f"/meetup calendar sent {files}")


async def step_reminders(tour: Tour) -> None:
    meetup = await tour.services.meetups.find(tour.server.guild.id, tour.state.meetup_number)
    tour.expect(meetup is not None, "there is no meetup to be reminded of")
    assert meetup is not None
    going = await tour.services.meetups.members(meetup, RsvpStatus.GOING)
    now = int(tour.env.now().timestamp())
    await tour.wait(meetup.starts_at - 24 * HOUR - now, "the day before the hike: the 24 h reminder")
    first = _reminders(tour, meetup.title)
    tour.expect(len(first) == 1, f"{len(first)} reminders 24 h before, not 1")
    mentioned = {int(found) for found in re.findall(r"<@(\d+)>", first[0].content)}
    tour.expect(mentioned == set(going), "the reminder does not mention exactly the Going members")
    tour.expect(f"<t:{meetup.starts_at}:" in first[0].content, "the reminder shows no Discord timestamp")
    await tour.wait(23 * HOUR, "an hour before the hike: the 1 h reminder")
    tour.expect(len(_reminders(tour, meetup.title)) == 2, "no second reminder an hour before")


def _meetup_thread(tour: Tour, title: str) -> ChannelHandle:
    thread = next((t for t in tour.channel("meetups").threads if title in (t.name or "")), None)
    tour.expect(thread is not None, f"the meetup “{title}” has no thread")
    assert thread is not None
    return thread


def _reminders(tour: Tour, title: str) -> list[discord.Message]:
    thread = _meetup_thread(tour, title)
    return [m for m in thread.history() if m.author.bot and m.content.startswith("⏰")]


async def step_who_came(tour: Tour) -> None:
    meetup = await tour.services.meetups.find(tour.server.guild.id, tour.state.meetup_number)
    assert meetup is not None
    now = int(tour.env.now().timestamp())
    await tour.wait(meetup.ends_at - now, "the hike is over")
    thread = _meetup_thread(tour, meetup.title)
    who_came = next((m for m in thread.history() if m.author.bot and "Who came?" in m.content), None)
    tour.expect(who_came is not None, "no Who came? in the meetup thread")
    assert who_came is not None
    for name in ("nina", "ben", "ada"):
        await tour.click(tour.member(name), who_came, "I was there")
    attended = await tour.slash(tour.member("nina"), tour.channel("general"), "profile")
    count = next((f.value for f in attended.response.embeds[0].fields if f.name == "Meetups attended"), None)
    tour.expect(count == "1", f"/profile shows meetups attended {count!r}, not 1")


async def step_mutual_picks(tour: Tour) -> None:
    meetup = await tour.services.meetups.find(tour.server.guild.id, tour.state.meetup_number)
    assert meetup is not None
    thread = _meetup_thread(tour, meetup.title)
    who_came = next(m for m in thread.history() if m.author.bot and "Who came?" in m.content)
    nina, ben, ada = tour.member("nina"), tour.member("ben"), tour.member("ada")
    # ada picks nina, who does not pick her back: that pick is never revealed.
    for member, picked in ((nina, ben), (ada, nina), (ben, nina)):
        checked = await tour.click(member, who_came, "I was there")
        await tour.select(member, checked.response.message, [str(picked.id)])
    tour.expect(
        len(tour.dms(nina)) == 1 and len(tour.dms(ben)) == 1, "mutual picks were not both introduced by DM"
    )
    tour.expect(tour.dms(nina)[0].embeds, "the DM introduction has no profile embed")
    tour.expect(not any("ada" in dm.content for dm in tour.dms(nina)), "a one-sided pick was revealed")
    met = await tour.services.meetings.met_members(tour.server.guild.id, nina.id)
    tour.expect(met == {ben.id}, "nina and ben are not recorded as met in person (and only they)")


async def step_met_in_person(tour: Tour) -> None:
    await tour.wait(2 * 24 * HOUR, "two days later")
    chiara, elif_, general = tour.member("chiara"), tour.member("elif"), tour.channel("general")
    await tour.slash(chiara, general, "met", member=elif_)
    tour.expect(not tour.dms(elif_), "a one-sided /met was revealed")
    await tour.slash(elif_, general, "met", member=chiara)
    tour.expect(
        len(tour.dms(chiara)) == 1 and len(tour.dms(elif_)) == 1, "/met by both did not introduce them by DM"
    )
    profile = await tour.slash(chiara, general, "profile")
    met = next((f.value for f in profile.response.embeds[0].fields if f.name == "Met in person"), None)
    tour.expect(met == "1", f"/profile shows met in person {met!r}, not 1")


async def step_ask(tour: Tour) -> None:
    general, support = tour.channel("general"), tour.channel("support")
    for name in ("ada", "elif", "ben"):
        await tour.slash(tour.member(name), general, "privacy helper", state="on")
    nina = tour.member("nina")
    await tour.slash(
        nina, general, "ask", topic="board games", question="Which game should a group of six start with?"
    )
    question = tour.posted(support, "Question about")
    asker, _, asked = question.content.partition("asks about")
    tour.expect(nina.mention in asker, "the question does not say who asks")
    mentioned = [int(found) for found in re.findall(r"<@(\d+)>", asked)]
    ben = tour.member("ben")
    tour.expect(mentioned and mentioned[0] == ben.id, "ben, whom nina met in person, is not asked first")
    tour.expect(nina.id not in mentioned, "the asker was mentioned as a helper")
    tour.expect({tour.member("ada").id, tour.member("elif").id} <= set(mentioned), "a helper was left out")
    tour.expect(question.thread is not None or support.threads, "no thread was opened for answers")


async def step_safety(tour: Tour) -> None:
    general, moderation = tour.channel("general"), tour.channel("moderation")
    deniz, elif_, farid, ada = (
        tour.member("deniz"),
        tour.member("elif"),
        tour.member("farid"),
        tour.member("ada"),
    )
    before = len(tour._all_dms(farid))
    blocked = await tour.slash(deniz, general, "block", member=farid)
    tour.expect(blocked.ephemeral and "not told" in blocked.response.content, "/block was not silent")
    matched = await tour.slash(deniz, general, "match")
    shown = str(matched.response.embeds[0].to_dict()) if matched.response.embeds else matched.response.content
    tour.expect(farid.mention not in shown, "/match still shows a member one blocked")
    await tour.slash(
        elif_,
        general,
        "report",
        member=farid,
        reason="Kept insisting on walking me home after the hike although I said no.",
        meetup=tour.state.meetup_number,
    )
    report = tour.posted(moderation, "Report #1")
    tour.expect(farid.mention in str(report.embeds[0].to_dict()), "the report does not name the member")
    await tour.click(ada, report, "Dismiss")
    tour.expect(
        "(dismissed)" in (tour.posted(moderation, "Report #1").embeds[0].title or ""), "not dismissed"
    )
    tour.expect(len(tour._all_dms(farid)) == before, "the member blocked or reported was told")


async def step_privacy(tour: Tour) -> None:
    farid, general = tour.member("farid"), tour.channel("general")
    await tour.slash(farid, general, "privacy show")
    await tour.slash(farid, general, "privacy dm", state="off")
    exported = await tour.slash(farid, general, "privacy export")
    files = [attachment.filename for attachment in exported.response.attachments]
    tour.expect(len(files) == 1 and files[0].endswith(".json"), f"/privacy export sent {files}")
    prompt = await tour.slash(farid, general, "privacy forget")
    done = await tour.click(farid, prompt.response.message, "Forget me")
    tour.expect("deleted everything" in done.response.content, "forgetting was not confirmed")
    profile = await tour.services.profiles.get_profile(tour.server.guild.id, farid.id)
    tour.expect(profile is None, "the profile is still stored")


STEPS: tuple[Step, ...] = (
    Step("configure", "An admin sets the server up", step_configure),
    Step("introductions", "Members introduce themselves", step_introductions),
    Step("join-and-introduce", "A newcomer joins and introduces herself", step_join_and_introduce),
    Step("match", "Finding people who share your interests", step_match),
    Step("pairing-round", "A pairing round, its private thread and Plan a meetup", step_pairing_round),
    Step("plan-meetup", "Planning a meetup: a poll members answer by reacting", step_plan_meetup),
    Step("poll-closes", "The poll closes into a meetup", step_poll_closes),
    Step("rsvps", "RSVPs, a full meetup and its waitlist", step_rsvps),
    Step("meetup-commands", "Looking meetups up", step_meetup_commands),
    Step("reminders", "Reminders before the meetup", step_reminders),
    Step("who-came", "Who came? after the meetup", step_who_came),
    Step("mutual-picks", "Whom did you meet: mutual picks and DM introductions", step_mutual_picks),
    Step("met-in-person", "/met by hand, with the same mutual rule", step_met_in_person),
    Step("ask", "A question routed to helpers, people met in person first", step_ask),
    Step("safety", "Safety: a silent block, a report to the moderators and what they do", step_safety),
    Step("privacy", "Privacy: settings, export and forget", step_privacy),
)


async def play(server: DemoServer, transcript: Transcript, steps: Sequence[Step] = STEPS) -> TourResult:
    tour = Tour(server, transcript)
    result = TourResult(ok=True, lines=transcript.lines)
    for number, step in enumerate(steps, start=1):
        tour.step = step.name
        transcript.heading(f"{number}. {step.title} [{step.name}]")
        try:
            await step.run(tour)
            tour.check_no_bot_errors()
        except StepFailed as failure:
            return _failed(result, failure.step, failure.reason)
        except Exception as error:  # a crash names its step too
            return _failed(result, step.name, f"{type(error).__name__}: {error}")
        result.passed.append(step.name)
    return result


def _failed(result: TourResult, step: str, reason: str) -> TourResult:
    result.ok = False
    result.failed_step = step
    result.reason = reason
    return result


async def run_tour(
    database_path: Path, out: TextIO | None = None, *, steps: Sequence[Step] = STEPS
) -> TourResult:
    """Play ``steps`` on a fresh demo server; ``out`` receives the transcript as it is written."""
    started = time.perf_counter()
    async with simulated_discord(database_path) as env:
        server = build_server(env)
        await env.settle()  # the members' joins, before any channel is configured
        transcript = Transcript(server, out)
        transcript.write(
            f"Meetbridge tour on a simulated server “{server.guild.name}”: "
            f"#{', #'.join(server.channels)}; members {', '.join(server.members)} (ada is an admin)."
        )
        transcript.mark_all_shown()
        result = await play(server, transcript, steps)
    result.seconds = time.perf_counter() - started
    if result.ok:
        transcript.heading(f"The tour passed: {len(result.passed)} steps in {result.seconds:.1f} s")
    else:
        transcript.heading(f"The tour FAILED at step '{result.failed_step}': {result.reason}")
    return result
