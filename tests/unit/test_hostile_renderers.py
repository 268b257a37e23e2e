"""Every renderer in ``bot/ui`` fed hostile text: what it sends fits Discord and pings only whom
it is for.

Members' text (titles, places, descriptions, cancel reasons, poll options, introductions,
interests, questions, report reasons, display names, server names) is drawn from :mod:`tests.hostile`, both
within what validation lets through and far beyond it (the outbound fitting is the last line).
Each rendered payload goes through :func:`bot.adapters.outbound.fit_message`, as the send path
does, and then:

- Discord would take it (:mod:`tests.payloads`: SimCord's validators plus stricter checks);
- the mentions that can ping are only the ids the call site passes (``ping=`` in the services,
  and ``ping_roles=`` for the moderator role a report pings), never the victim, a role or everyone
  typed in member text, and every id it is for is still mentioned (member text never pushes a
  mention out of the message);
- the structural parts survive fitting whole: the time as a Discord timestamp, the meetup number,
  map links (member text gives way first, never the bot's own tokens).

``test_every_public_renderer_is_fuzzed`` lists the public functions and classes of every module in
``bot/ui`` and fails when one is neither covered here nor named in :data:`NOT_RENDERERS`. Today
21 case builders cover 124 of them (7 are not renderers); each builder runs 20 hypothesis examples
(derandomized, so CI sees the same ones) and the 10 worst cases, clipped to what validation lets
through and not: about 11 s.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from discord import app_commands
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import bot.ui
from bot.adapters.outbound import NO_PINGS, pings
from bot.domain import limits
from bot.domain.consent import DmMode
from bot.domain.guild_settings import Cadence, GuildSettings, Purpose
from bot.domain.matching import Match, MatchAnswer
from bot.domain.meetups import (
    DESCRIPTION_MAX,
    PLACE_MAX,
    TITLE_MAX,
    Change,
    Meetup,
    MeetupState,
    OrganiserProblem,
    RsvpCounts,
    RsvpOutcome,
    RsvpStatus,
    Turnout,
)
from bot.domain.pairing import UnmatchedReason
from bot.domain.pairing_rounds import (
    Answer,
    Answered,
    Formed,
    Membership,
    PairingGroup,
    PairingRound,
    RoundState,
)
from bot.domain.places import Place
from bot.domain.polls import OptionKind, Poll, PollForm, PollOption, PollOutcome, PollState, Tally
from bot.domain.profiles import MAX_ABOUT_LENGTH, MAX_CITY_LENGTH, MemberStats, Preferences, Profile
from bot.domain.safety import (
    Block,
    Blocked,
    ContextKind,
    ModAction,
    Report,
    ReportAction,
    SharedContext,
    Together,
)
from bot.domain.series import Series, SeriesListing, SeriesNote, Streak, read_repeat
from bot.domain.stats import Figures, HealthReport, HeldMeetup, MemberStory, buckets, parse_period
from bot.domain.waitlist import OfferAnswer, OfferOutcome, WaitlistMode
from bot.ui import (
    ask,
    config,
    followups,
    matching,
    meetings,
    meetups,
    pairing,
    privacy,
    profiles,
    safety,
    stats,
    text,
)
from tests.hostile import OPTION_MAX, ROLE_ID, VICTIM_ID, hostile_text, worst_cases
from tests.payloads import Fitted, check_message, check_modal, check_thread_name, mentioned, pings_of

HOSTILE = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: shrinking 6,000-character texts takes minutes; the worst-case test below names
    # the same problems with readable texts.
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

GUILD = 900000000000000001
ORGANISER = 700000000000000001
MEMBERS = tuple(700000000000000100 + n for n in range(60))
NOW = 1767225600  # 2026-01-01 00:00 UTC
START = 1767981600  # Friday 9 January 2026, 19:00 in Berlin
TZ = "Europe/Berlin"


# -- drawing members' text ------------------------------------------------------------------------


class Source:
    """Where a case gets members' text: hypothesis, or one fixed worst case.

    ``valid`` is what validation lets through for that text; a drawn text is sometimes within
    it and sometimes up to 6,000 characters; a fixed one is clipped to it when ``within``.
    """

    def __init__(self, data: st.DataObject | None = None, fixed: str | None = None, within: bool = False):
        self.data = data
        self.fixed = fixed
        self.within = within

    def text(self, valid: int = OPTION_MAX, *, min_size: int = 0) -> str:
        if self.data is None:
            assert self.fixed is not None
            text = self.fixed[:valid] if self.within else self.fixed
            return text if len(text) >= min_size else (text + "x" * min_size)[:min_size]
        limit = self.data.draw(st.sampled_from([valid, OPTION_MAX]))
        return self.data.draw(hostile_text(min_size=min_size, max_size=max(limit, min_size)))

    def pick(self, strategy: st.SearchStrategy[Any], default: Any) -> Any:
        return default if self.data is None else self.data.draw(strategy)


@dataclass
class FakeUser:
    """What renderers read from a ``discord.abc.User``."""

    id: int
    display_name: str

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    @property
    def display_avatar(self) -> Any:
        return SimpleNamespace(url="https://cdn.discordapp.com/embed/avatars/0.png")


def user(src: Source, user_id: int = MEMBERS[0]) -> FakeUser:
    return FakeUser(user_id, src.text(32, min_size=1))


def meetup(src: Source, **changes: Any) -> Meetup:
    cancelled = src.pick(st.booleans(), True)
    values: dict[str, Any] = {
        "id": 7,
        "guild_id": GUILD,
        "number": 7,
        "title": src.text(TITLE_MAX, min_size=1),
        "starts_at": START,
        "ends_at": START + 7200,
        "tz": TZ,
        "when_text": src.text(OPTION_MAX),
        "place": src.text(PLACE_MAX, min_size=1),
        "organiser_id": src.pick(st.sampled_from([ORGANISER, 0]), ORGANISER),
        "created_at": NOW,
        "updated_at": NOW,
        "description": src.text(DESCRIPTION_MAX) or None,
        "capacity": src.pick(st.none() | st.integers(1, 1000), 10),
        "min_attendees": src.pick(st.none() | st.integers(1, 1000), 3),
        "state": MeetupState.CANCELLED if cancelled else MeetupState.SCHEDULED,
        "cancel_reason": src.text(OPTION_MAX) or None,
        "channel_id": 800000000000000001,
        "message_id": src.pick(st.none() | st.just(800000000000000002), 800000000000000002),
        "thread_id": 800000000000000003,
        "event_id": src.pick(st.none() | st.just(800000000000000004), 800000000000000004),
    }
    values.update(changes)
    return Meetup(**values)


def poll(src: Source, **changes: Any) -> Poll:
    times = src.pick(st.integers(1, 10), 10)
    places = src.pick(st.integers(0, 10), 10)
    options = tuple(
        PollOption(OptionKind.TIME, n, src.text(OPTION_MAX, min_size=1), START + n * 86400)
        for n in range(times)
    ) + tuple(PollOption(OptionKind.PLACE, n, src.text(PLACE_MAX, min_size=1)) for n in range(places))
    state = src.pick(st.sampled_from(list(PollState)), PollState.CLOSED)
    values: dict[str, Any] = {
        "id": 3,
        "guild_id": GUILD,
        "number": 3,
        "channel_id": 800000000000000001,
        "organiser_id": ORGANISER,
        "title": src.text(TITLE_MAX, min_size=1),
        "tz": TZ,
        "closes_at": START - 86400,
        "created_at": NOW,
        "options": options,
        "message_id": 800000000000000009,
        "capacity": src.pick(st.none() | st.integers(1, 1000), 12),
        "min_attendees": src.pick(st.none() | st.integers(1, 1000), 2),
        "state": state,
        "outcome": None
        if state is PollState.OPEN
        else src.pick(
            st.sampled_from([PollOutcome.NO_VOTES, PollOutcome.MESSAGE_DELETED]), PollOutcome.NO_VOTES
        ),
        "winner_time": 0 if state is PollState.CLOSED else None,
        "winner_place": 0 if state is PollState.CLOSED and places else None,
    }
    values.update(changes)
    return Poll(**values)


def tally(src: Source, target: Poll) -> Tally:
    counts = {option.key: src.pick(st.integers(0, 1000), 999) for option in target.options}
    return Tally(counts)


def profile(src: Source) -> Profile:
    count = src.pick(st.integers(0, 20), 20)
    place = src.pick(st.booleans(), True)
    return Profile(
        guild_id=GUILD,
        member_id=MEMBERS[1],
        about=src.text(MAX_ABOUT_LENGTH, min_size=1),
        interests=tuple(src.text(40, min_size=1) for _ in range(count)),
        city=src.text(MAX_CITY_LENGTH) or None,
        place=Place(src.text(100, min_size=1), "US", 45.5, -122.6, admin=src.text(100) or None)
        if place
        else None,
        links=tuple(src.text(200, min_size=1) for _ in range(src.pick(st.integers(0, 5), 5))),
    )


def members(src: Source, most: int = 30) -> list[int]:
    count = src.pick(st.integers(0, most), most)
    return list(MEMBERS[:count])


# -- what each renderer's output must satisfy -----------------------------------------------------


@dataclass
class Case:
    """One rendered payload and what it must satisfy after fitting."""

    content: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None
    ping: Sequence[int] = ()  # the users the call site lets it ping (all of them must be mentioned)
    ping_roles: Sequence[int] = ()  # the roles it may ping (a report's moderator role)
    keep: Sequence[str] = ()  # structural parts that must survive fitting whole
    modal: discord.ui.Modal | None = None
    thread: str | None = None
    event_description: str | None = None
    choices: Sequence[app_commands.Choice[str]] = ()
    reply: bool = False  # an interaction reply: never pings
    fragment: str | None = None  # a piece of text other renderers embed: reasonably short
    fragment_limit: int = 0


# The bot's own timestamps start with 1 (hostile texts only hold "<t:9…"), its own links go to
# OpenStreetMap or Discord's events: one of them ending in the ellipsis of a clip was cut in half.
_BROKEN_TOKEN = re.compile(
    r"<t:1[\d:]*…|\]\(<?https://(www\.openstreetmap\.org|discord\.com/events)[^\s)>]*…"
)
_MAP_LINK = "](https://www.openstreetmap.org/search?query="
_MAP_LINK_QUIET = "](<https://www.openstreetmap.org/search?query="
_WHOLE_MAP_LINK = re.compile(r"\]\(<?https://www\.openstreetmap\.org/search\?query=[A-Za-z0-9%+_.\-~]*>?\)")


def check_case(case: Case) -> Fitted | None:
    if case.thread is not None:
        check_thread_name(case.thread)
    if case.modal is not None:
        check_modal(case.modal)
    if case.event_description is not None:
        fitted_event = limits.clip(case.event_description, limits.EVENT_DESCRIPTION)
        for token in case.keep:
            assert token in fitted_event, f"{token!r} was pushed out of the event description"
    for choice in case.choices:
        assert 1 <= len(choice.name) <= 100 and choice.name.strip()
        assert 1 <= len(str(choice.value)) <= 100
    if case.fragment is not None:
        assert len(case.fragment) <= case.fragment_limit, f"a fragment of {len(case.fragment)} characters"
    if case.content is None and case.embed is None and case.view is None:
        return None
    fitted = check_message(case.content, case.embed, case.view)
    allowed = (
        NO_PINGS if case.reply or not (case.ping or case.ping_roles) else pings(case.ping, case.ping_roles)
    )
    pinged = pings_of(fitted.content, allowed)
    assert pinged.users <= set(case.ping), f"pings {pinged.users - set(case.ping)} it is not for"
    assert VICTIM_ID not in pinged.users
    assert pinged.roles <= set(case.ping_roles) and ROLE_ID not in pinged.roles and not pinged.everyone
    missing_roles = set(case.ping_roles) - {int(r) for r in re.findall(r"<@&(\d+)>", fitted.content or "")}
    assert not missing_roles, "a role it is for is no longer mentioned"
    if not case.reply:
        missing = set(case.ping) - mentioned(fitted.content or "", case.ping)
        assert not missing, f"{len(missing)} member(s) it is for are no longer mentioned"
    text = fitted.text()
    for token in case.keep:
        assert token in text, f"{token!r} did not survive fitting"
    broken = _BROKEN_TOKEN.search(text)
    assert broken is None, f"a timestamp or link was cut in half: {broken.group()!r}"
    assert text.count(_MAP_LINK) + text.count(_MAP_LINK_QUIET) == len(_WHOLE_MAP_LINK.findall(text))
    return fitted


def stamp(epoch: int, style: str = "F") -> str:
    return f"<t:{epoch}:{style}>"


# -- the renderers, module by module --------------------------------------------------------------

Builder = Callable[[Source], list[Case]]
BUILDERS: dict[str, Builder] = {}
COVERS: dict[str, set[str]] = {}


def renders(*names: str) -> Callable[[Builder], Builder]:
    """Register a case builder covering these public names of ``bot.ui`` (``module.name``)."""

    def register(builder: Builder) -> Builder:
        BUILDERS[builder.__name__] = builder
        COVERS[builder.__name__] = set(names)
        return builder

    return register


@renders("ask.question_content", "ask.question_embed", "ask.thread_name", "ask.asked_reply")
def ask_question(src: Source) -> list[Case]:
    asker = user(src)
    tag = src.text(40, min_size=1)
    question = src.text(1500, min_size=1)
    helpers = members(src, 5)
    return [
        Case(
            content=ask.question_content(asker, tag, helpers),
            embed=ask.question_embed(asker, tag, question),
            ping=helpers,
            thread=ask.thread_name(tag, question),
        ),
        Case(content=ask.asked_reply("https://discord.com/channels/1/2/3", tag, helpers), reply=True),
    ]


@renders(
    "config.settings_embed",
    "config.permission_problems",
    "config.missing_permissions",
    "config.permission_names",
)
def config_show(src: Source) -> list[Case]:
    channels = {purpose: 800000000000000100 + n for n, purpose in enumerate(Purpose)}
    settings_ = GuildSettings(GUILD, channels=channels, timezone=TZ, pairing_cadence=Cadence.WEEKLY)
    lacking = discord.Permissions.none()
    problems = config.permission_problems(settings_, lambda channel: lacking, lacking, [])
    names = config.permission_names(config.missing_permissions(Purpose.MEETUPS, lacking))
    return [
        Case(embed=config.settings_embed(settings_, src.text(100, min_size=1), problems), reply=True),
        Case(
            embed=config.settings_embed(
                settings_, src.text(100, min_size=1), problems, digest_channel_id=123
            ),
            reply=True,
        ),
        Case(content=f"⚠️ I still need these permissions there: {names}.", reply=True),
    ]


@renders(
    "followups.place_link",
    "followups.reminder_parts",
    "followups.reminder_messages",
    "followups.reminder_part",
    "followups.reminder_dm",
)
def reminders(src: Source) -> list[Case]:
    target = meetup(src, state=MeetupState.SCHEDULED)
    going = members(src, 60)
    cases = [
        Case(content=text, ping=pinged, keep=[stamp(START)] if number == 0 else [])
        for number, (text, pinged) in enumerate(followups.reminder_parts(target, going))
    ]
    assert followups.reminder_messages(target, going) == [case.content for case in cases]
    for number, (_text, pinged) in enumerate(followups.reminder_parts(target, going)):
        cases.append(
            Case(
                content=followups.reminder_part(target, number, pinged, len(going)),
                ping=pinged,
                keep=[stamp(START)] if number == 0 else [],
            )
        )
    cases.append(Case(content=followups.reminder_dm(target, src.text(100, min_size=1)), keep=[stamp(START)]))
    cases.append(Case(fragment=followups.place_link(target), fragment_limit=1200))
    return cases


@renders(
    "followups.headcount_prompt",
    "followups.headcount_decided",
    "followups.HeadcountButton",
    "followups.headcount_view",
)
def headcount(src: Source) -> list[Case]:
    target = meetup(src, state=MeetupState.SCHEDULED, organiser_id=ORGANISER)
    going = src.pick(st.integers(0, 1000), 1)
    return [
        Case(
            content=followups.headcount_prompt(target, going, mention=True),
            view=followups.headcount_view(target),
            ping=[ORGANISER],
            keep=[stamp(START)],
        ),
        Case(
            content=followups.headcount_prompt(target, going, mention=False),
            view=followups.headcount_view(target),
            keep=[stamp(START)],
        ),
        Case(content=followups.headcount_decided(target, "keep", MEMBERS[0]), reply=True),
        Case(content=followups.headcount_decided(target, "cancel", MEMBERS[0]), reply=True),
    ]


@renders(
    "followups.met_where",
    "followups.who_came",
    "followups.who_came_closed",
    "followups.CheckinButton",
    "followups.who_came_view",
    "followups.checked_in",
    "followups.PickSelect",
    "followups.PickUserSelect",
    "followups.pick_view",
    "followups.picks_noted",
)
def who_came(src: Source) -> list[Case]:
    target = meetup(src, state=MeetupState.SCHEDULED)
    others = members(src, 40)
    names = {member_id: src.text(32, min_size=1) for member_id in others}
    picked = others[:10]
    return [
        Case(content=followups.who_came(target), view=followups.who_came_view(target)),
        Case(content=followups.who_came_closed(target), view=followups.who_came_view(target, closed=True)),
        Case(
            content=followups.checked_in(target, True, has_others=bool(others)),
            view=followups.pick_view(target, others, names),
            reply=True,
        ),
        Case(content=followups.checked_in(target, False, has_others=False), reply=True),
        Case(content=followups.picks_noted(picked, picked[:3]), reply=True),
        Case(fragment=followups.met_where(target), fragment_limit=300),
    ]


async def submitted(interaction: object, form: PollForm) -> None:
    """A form's handler, never called: the forms are only rendered here."""


@renders(
    "followups.nudge",
    "followups.catchup_spec",
    "followups.catchup_title",
    "meetups.PollDraftModal",
    "followups.CatchupButton",
    "followups.outbox_view",
    "followups.outbox_message",
)
def catch_up(src: Source) -> list[Case]:
    content = followups.nudge(src.text(32, min_size=1), MEMBERS[1], src.text(100, min_size=1))
    spec = followups.catchup_spec(GUILD, MEMBERS[1])
    message = followups.outbox_message({"content": content, "view": spec})
    title = followups.catchup_title(src.text(32, min_size=1), src.text(32, min_size=1))
    return [
        Case(content=message["content"], view=message["view"]),
        Case(content=content, view=followups.outbox_view(spec)),
        Case(modal=meetups.PollDraftModal(submitted, heading="Plan a catch-up", title=title)),
    ]


@renders("matching.match_line", "matching.match_embed", "matching.no_matches", "matching.interest_choices")
def match(src: Source) -> list[Case]:
    found = [
        Match(
            member_id=member_id,
            score=1.0,
            shared=tuple(src.text(40, min_size=1) for _ in range(src.pick(st.integers(1, 20), 20))),
            distance_km=src.pick(st.none() | st.floats(0, 20000), 12.5),
            last_active=NOW,
        )
        for member_id in MEMBERS[:10]
    ]
    interest = src.text(40) or None
    answer = MatchAnswer(found, interest, src.pick(st.none() | st.floats(0, 1e6), 50.0), True)
    empty = MatchAnswer([], interest, answer.within_km, False)
    tags = [src.text(40, min_size=1) for _ in range(25)]
    return [
        Case(embed=matching.match_embed(answer), reply=True),
        Case(content=matching.no_matches(empty), reply=True),
        Case(fragment=matching.match_line(1, found[0]), fragment_limit=1000),
        Case(choices=matching.interest_choices(tags)),
    ]


@renders(
    "meetings.introduction_message",
    "meetings.introduction_embed",
    "meetings.pick_noted",
    "meetings.mutual_noted",
    "meetings.introduction_note",
)
def introductions(src: Source) -> list[Case]:
    other = user(src, MEMBERS[1])
    where = followups.met_where(meetup(src))
    guild_name = src.text(100, min_size=1)
    return [
        Case(
            content=meetings.introduction_message(other, guild_name, where),
            embed=meetings.introduction_embed(other, profile(src)),
        ),
        Case(
            content=meetings.introduction_message(other, guild_name, "in person"),
            embed=meetings.introduction_embed(other, None),
        ),
        Case(content=meetings.pick_noted(other), reply=True),
        Case(content=meetings.mutual_noted(other, True), reply=True),
        Case(
            content=meetings.mutual_noted(other, False),
            embed=meetings.introduction_embed(other, profile(src)),
            reply=True,
        ),
        Case(content=meetings.introduction_note(other.display_name, where), reply=True),
    ]


@renders(
    "meetups.timestamp",
    "meetups.read_as",
    "meetups.place_text",
    "meetups.mentions",
    "meetups.capacity_text",
    "meetups.meetup_embed",
    "meetups.RsvpButton",
    "meetups.rsvp_view",
    "meetups.event_description",
)
def announcement(src: Source) -> list[Case]:
    target = meetup(src)
    counts = RsvpCounts(*(src.pick(st.integers(0, 1000), 999) for _ in range(4)))
    going, maybe, waitlist = members(src, 60), members(src, 60), members(src, 60)
    keep = [stamp(START), f"#{target.number}"]
    return [
        Case(
            embed=meetups.meetup_embed(target, counts, going=going, maybe=maybe, waitlist=waitlist),
            view=meetups.rsvp_view(target, counts),
            keep=keep,
        ),
        Case(embed=meetups.meetup_embed(target, counts), view=meetups.rsvp_view(target, counts), keep=keep),
        Case(event_description=meetups.event_description(target), keep=[f"Meetup #{target.number}"]),
        Case(fragment=meetups.read_as(target.when), fragment_limit=300),
        Case(
            fragment=meetups.place_text(target.place, target.map_url), fragment_limit=limits.FIELD_VALUE // 2
        ),
        Case(fragment=meetups.capacity_text(target, counts), fragment_limit=100),
        Case(fragment=meetups.timestamp(START) + meetups.mentions(going), fragment_limit=1024),
    ]


@renders(
    "meetups.rsvp_reply",
    "meetups.promotion_dm",
    "meetups.promotion_notice",
    "meetups.change_notice",
    "meetups.cancel_notice",
    "meetups.notice_parts",
    "meetups.not_announced_yet",
    "meetups.organiser_problem",
)
def meetup_notices(src: Source) -> list[Case]:
    target = meetup(src)
    told = members(src, 60)
    cases = [
        Case(content=text, ping=pinged, keep=[stamp(START)] if number == 0 and keep_time else [])
        for header, keep_time in (
            (meetups.change_notice(target, [Change.TIME, Change.PLACE]), True),
            (meetups.cancel_notice(target), False),
            (meetups.promotion_notice(target), False),
        )
        for number, (text, pinged) in enumerate(meetups.notice_parts(header, told))
    ]
    for status in RsvpStatus:
        outcome = RsvpOutcome(target, status, RsvpStatus.GOING, waitlist_place=3)
        cases.append(Case(content=meetups.rsvp_reply(outcome), reply=True))
    guild_name = src.text(100, min_size=1)
    cases += [
        Case(content=meetups.promotion_dm(target), keep=[stamp(START)]),
        Case(content=meetups.not_announced_yet(target), reply=True),
        Case(content=meetups.organiser_problem(target, OrganiserProblem.TOO_LATE, guild_name)),
        Case(
            content=meetups.organiser_problem(
                target, OrganiserProblem.ANNOUNCE, guild_name, channel_id=1, missing="Send Messages"
            ),
            keep=[f"/meetup info id:{target.number}"],
        ),
    ]
    return cases


@renders(
    "meetups.OfferButton",
    "meetups.offer_view",
    "meetups.offer_dm",
    "meetups.offer_notice",
    "meetups.offer_reply",
    "config.undecided_setting",
    "config.undecided_text",
    "config.waitlist_setting",
    "config.waitlist_text",
)
def waitlist_offers(src: Source) -> list[Case]:
    target = meetup(src, state=MeetupState.SCHEDULED)
    held = START - 86400
    cases = [
        Case(
            content=meetups.offer_dm(target, held),
            view=meetups.offer_view(41),
            keep=[stamp(START), stamp(held)],
        ),
        *(
            Case(content=text, ping=pinged, view=meetups.offer_view(41) if number == 0 else None)
            for number, (text, pinged) in enumerate(
                meetups.notice_parts(meetups.offer_notice(target, held), [MEMBERS[0]])
            )
        ),
    ]
    for answer in OfferAnswer:
        for taken, already in ((True, False), (True, True), (False, False)):
            outcome = OfferOutcome(target, answer, taken, already, waitlist_place=2, expires_at=held)
            cases.append(Case(content=meetups.offer_reply(outcome), reply=True))
    for mode in WaitlistMode:
        settings_ = GuildSettings(GUILD, waitlist_mode=mode)
        cases.append(Case(content=config.waitlist_text(settings_), reply=True))
        cases.append(Case(fragment=config.waitlist_setting(settings_), fragment_limit=200))
    for seconds in (0, 48 * 3600):
        cases.append(Case(content=config.undecided_text(seconds), reply=True))
        cases.append(Case(fragment=config.undecided_setting(seconds), fragment_limit=100))
    return cases


def a_series(src: Source, **changes: Any) -> Series:
    values: dict[str, Any] = {
        "id": 2,
        "guild_id": GUILD,
        "number": 2,
        "title": src.text(TITLE_MAX, min_size=1),
        "tz": TZ,
        "when_text": src.text(OPTION_MAX),
        "anchor": datetime(2026, 1, 31, 19, 0),  # noqa: DTZ001 - a wall time in TZ
        "rule": src.pick(st.sampled_from([read_repeat(r) for r in REPEATS]), read_repeat("monthly")),
        "place": src.text(PLACE_MAX, min_size=1),
        "organiser_id": ORGANISER,
        "created_at": NOW,
        "updated_at": NOW,
        "capacity": src.pick(st.none() | st.integers(1, 1000), 10),
        "until": src.pick(st.none() | st.just(date(2026, 12, 31)), date(2026, 12, 31)),
    }
    values.update(changes)
    return Series(**values)


REPEATS = ("weekly", "every 8 weeks", "monthly", "monthly on the last thursday")


@renders(
    "meetups.series_line",
    "meetups.turnout_text",
    "meetups.series_created",
    "meetups.series_list_embed",
    "meetups.series_skipped",
    "meetups.series_edited",
    "meetups.series_ended",
    "meetups.calendar_ready",
    "meetups.calendar_empty",
    "followups.turnout_message",
)
def series(src: Source) -> list[Case]:
    target = a_series(src)
    occurrence = meetup(src, state=MeetupState.SCHEDULED, series_id=target.id)
    note = SeriesNote(target.label, target.describe, src.pick(st.none() | st.just(START + 7 * 86400), START))
    counts = RsvpCounts(3, 1, 0, 2, 1)
    turnout = Turnout(src.pick(st.integers(0, 1000), 7), src.pick(st.integers(0, 7), 5), 2)
    listings = [
        SeriesListing(a_series(src, id=n, number=n), (START, START + 86400, START + 2 * 86400))
        for n in range(1, 25)
    ]
    nexts = (START, START + 7 * 86400)
    return [
        Case(
            embed=meetups.meetup_embed(occurrence, counts, series=note, turnout=turnout),
            view=meetups.rsvp_view(occurrence, counts),
            keep=[stamp(START), f"#{occurrence.number}"],
        ),
        Case(fragment=meetups.series_line(note), fragment_limit=1024),
        Case(fragment=meetups.turnout_text(turnout), fragment_limit=200),
        Case(content=meetups.series_created(target, occurrence, 7 * 86400), reply=True),
        Case(embed=meetups.series_list_embed(listings, src.text(100, min_size=1)), reply=True),
        Case(embed=meetups.series_list_embed([], src.text(100, min_size=1)), reply=True),
        Case(content=meetups.series_skipped(target, START, occurrence), reply=True, keep=[stamp(START)]),
        Case(content=meetups.series_skipped(target, START, None), reply=True, keep=[stamp(START)]),
        Case(content=meetups.series_edited(target, nexts), reply=True),
        Case(content=meetups.series_ended(target), reply=True),
        Case(content=meetups.calendar_ready(3, 1), reply=True),
        Case(content=meetups.calendar_ready(1, 0), reply=True),
        Case(content=meetups.calendar_empty(), reply=True),
        Case(content=followups.turnout_message(occurrence, turnout, src.text(100, min_size=1))),
        Case(content=followups.turnout_message(occurrence, turnout, None)),
    ]


@renders("meetups.DecideButton", "meetups.undecided_view", "meetups.undecided_notice", "meetups.undecided_dm")
def undecided(src: Source) -> list[Case]:
    target = meetup(src, state=MeetupState.SCHEDULED)
    told = members(src, 60)
    cases = [
        Case(content=text, ping=pinged, view=meetups.undecided_view(target) if number == 0 else None)
        for number, (text, pinged) in enumerate(meetups.notice_parts(meetups.undecided_notice(target), told))
    ]
    cases[0].keep = [stamp(START)]
    cases.append(
        Case(content=meetups.undecided_dm(target), view=meetups.undecided_view(target), keep=[stamp(START)])
    )
    return cases


@renders("meetups.list_embed")
def meetup_list(src: Source) -> list[Case]:
    listed = [meetup(src, id=n, number=n, state=MeetupState.SCHEDULED) for n in range(1, 4)]
    polls = [poll(src, id=n, number=n, state=PollState.OPEN) for n in range(4, 6)]
    return [
        Case(embed=meetups.list_embed(listed, polls, src.text(100, min_size=1)), reply=True),
        Case(embed=meetups.list_embed([], [], src.text(100, min_size=1)), reply=True),
    ]


@renders("meetups.poll_embed", "meetups.poll_result", "meetups.poll_reminder", "meetups.poll_posted")
def polls(src: Source) -> list[Case]:
    open_poll = poll(src, state=PollState.OPEN, outcome=None, winner_time=None, winner_place=None)
    closed = poll(src, state=PollState.CLOSED)
    cancelled = poll(src, state=PollState.CANCELLED, outcome=PollOutcome.MESSAGE_DELETED)
    won = meetup(src, state=MeetupState.SCHEDULED)
    times = [stamp(option.starts_at or 0) for option in open_poll.times]
    return [
        Case(
            embed=meetups.poll_embed(open_poll, tally(src, open_poll)),
            keep=[*times, stamp(open_poll.closes_at)],
        ),
        Case(embed=meetups.poll_embed(closed, tally(src, closed), won), keep=[stamp(START)]),
        Case(embed=meetups.poll_embed(cancelled, tally(src, cancelled))),
        Case(content=meetups.poll_result(closed, won), reply=True, keep=[stamp(START)]),
        Case(content=meetups.poll_result(closed, None), reply=True),
        Case(
            content=meetups.poll_reminder(open_poll, tally(src, open_poll)),
            keep=[stamp(open_poll.closes_at)],
        ),
        Case(content=meetups.poll_reminder(open_poll, Tally()), keep=[stamp(open_poll.closes_at)]),
        Case(content=meetups.poll_posted(open_poll), reply=True, keep=[stamp(open_poll.closes_at)]),
    ]


def pairing_round() -> PairingRound:
    return PairingRound(1, GUILD, 4, NOW, NOW + 3 * 86400, NOW + 7 * 86400, RoundState.OPEN, 2)


@renders(
    "pairing.when",
    "pairing.shared_text",
    "pairing.thread_name",
    "pairing.greeting",
    "pairing.checkin",
    "pairing.did_you_meet",
    "pairing.PlanMeetupButton",
    "pairing.plan_view",
    "pairing.AnswerButton",
    "pairing.answer_view",
)
def pairing_group(src: Source) -> list[Case]:
    current = pairing_round()
    group_members = tuple(MEMBERS[: src.pick(st.integers(2, 5), 5)])
    shared = tuple(src.text(40, min_size=1) for _ in range(src.pick(st.integers(0, 20), 20)))
    group = PairingGroup(5, GUILD, current.id, group_members, shared)
    names = [src.text(32, min_size=1) for _ in group_members]
    ends = stamp(current.ends_at)
    return [
        Case(
            content=pairing.greeting(current, group),
            view=pairing.plan_view(group.id),
            ping=group_members,
            keep=[ends],
        ),
        Case(content=pairing.checkin(current, group), view=pairing.plan_view(group.id), ping=group_members),
        Case(
            content=pairing.did_you_meet(current, group),
            view=pairing.answer_view(group.id),
            ping=group_members,
        ),
        Case(thread=pairing.thread_name(current, names)),
        Case(fragment=pairing.shared_text(shared) if shared else "", fragment_limit=500),
        Case(fragment=pairing.when(NOW), fragment_limit=100),
        Case(modal=meetups.PollDraftModal(submitted)),
    ]


@renders(
    "pairing.round_announcement",
    "pairing.no_round_notice",
    "pairing.no_round_reason",
    "pairing.round_started",
    "pairing.joined",
    "pairing.left",
    "pairing.skipped",
    "pairing.answered",
)
def pairing_round_messages(src: Source) -> list[Case]:
    current = pairing_round()
    left_out = {member_id: UnmatchedReason.ALL_RECENT for member_id in members(src, 10)}
    groups = [PairingGroup(n, GUILD, 1, MEMBERS[2 * n : 2 * n + 2], ()) for n in range(3)]
    formed = Formed(current, groups, left_out, 7)
    cases = [
        Case(content=pairing.round_announcement(current, 3, left_out), ping=list(left_out)),
        Case(content=pairing.no_round_notice(left_out, NOW + 86400), ping=list(left_out)),
        Case(content=pairing.round_started(formed, 1), reply=True),
    ]
    for taking_part in (0, 1, 5):
        cases.append(Case(content=pairing.no_round_reason(taking_part, left_out), reply=True))
    for changed in (True, False):
        for next_at in (None, NOW + 86400):
            membership = Membership(changed, next_at, Cadence.OFF if next_at is None else Cadence.WEEKLY, 3)
            for render in (pairing.joined, pairing.left, pairing.skipped):
                cases.append(Case(content=render(membership), reply=True))
    for answer in Answer:
        cases.append(Case(content=pairing.answered(Answered(answer, list(MEMBERS[:3]), 4)), reply=True))
        cases.append(Case(content=pairing.answered(Answered(answer, [], 4)), reply=True))
    return cases


@renders("privacy.privacy_embed", "privacy.changed_message", "privacy.ForgetView", "privacy.table_name")
def privacy_show(src: Source) -> list[Case]:
    cases = []
    for mode in DmMode:
        prefs = Preferences(discoverable=False, dm=mode, helper=True)
        stored = {"profiles": 1, "profile_interests": 20, "member_preferences": 1, "meetup_rsvps": 9}
        cases.append(Case(embed=privacy.privacy_embed(prefs, stored), reply=True))
        cases.append(Case(content=privacy.changed_message("dm", mode), reply=True))
    for name in ("discoverable", "helper"):
        for value in (True, False):
            cases.append(Case(content=privacy.changed_message(name, value), reply=True))

    async def confirm(interaction: discord.Interaction) -> None:
        return None

    cases.append(
        Case(content=privacy.FORGET_PROMPT, view=privacy.ForgetView(MEMBERS[0], confirm), reply=True)
    )
    cases.append(Case(embed=privacy.privacy_embed(Preferences(), {}), reply=True))
    return cases


@renders(
    "privacy.server_label",
    "privacy.forget_everywhere_prompt",
    "privacy.forgotten_everywhere",
    "privacy.intro_posts_left",
    "privacy.guild_only",
)
def privacy_everywhere(src: Source) -> list[Case]:
    labels = [privacy.server_label(src.text(100, min_size=1), 1), privacy.server_label(None, 2)] * 30
    return [
        Case(content=privacy.forget_everywhere_prompt(labels), reply=True),
        Case(content=privacy.forgotten_everywhere(60, 12345), reply=True),
        Case(content=privacy.intro_posts_left(labels), reply=True),
        Case(content=privacy.guild_only(src.text(32, min_size=1)), reply=True),
    ]


@renders("meetups.moment", "meetups.voters_line")
def announcement_extras(src: Source) -> list[Case]:
    return [
        Case(content=meetups.moment(START), keep=[stamp(START)]),
        Case(content=meetups.voters_line(MEMBERS[:3]), ping=MEMBERS[:3]),
        Case(content=meetups.voters_line(MEMBERS), ping=MEMBERS[: meetups.VOTERS_MENTIONED]),
    ]


@renders(
    "profiles.welcome_message",
    "profiles.IntroModal",
    "profiles.intro_content",
    "profiles.intro_embed",
    "profiles.profile_embed",
    "profiles.preferences_line",
    "profiles.saved_message",
    "profiles.streaks_text",
)
def intro(src: Source) -> list[Case]:
    member = user(src)
    shown = profile(src)

    async def submitted(interaction: discord.Interaction, form: Any) -> None:
        return None

    stats = MemberStats(src.pick(st.integers(0, 10**6), 999), src.pick(st.integers(0, 10**6), 999))
    cases = [
        Case(content=profiles.welcome_message(member, src.text(100, min_size=1)), ping=[member.id]),
        Case(content=profiles.intro_content(member), embed=profiles.intro_embed(shown, member)),
        Case(embed=profiles.profile_embed(shown, member, stats, Preferences()), reply=True),
        Case(embed=profiles.profile_embed(shown, member, stats), reply=True),
        Case(modal=profiles.IntroModal(shown, submitted)),
        Case(modal=profiles.IntroModal(None, submitted)),
        Case(
            content=profiles.saved_message(
                src.pick(st.booleans(), True),
                src.text(300) or None,
                src.text(1000) or None,
                "https://x.example/1",
            ),
            reply=True,
        ),
    ]
    # Drawn last, so the examples drawn above stay those of earlier runs.
    streaks = tuple(Streak(f"S{n}", src.text(TITLE_MAX, min_size=1), 100 - n) for n in range(1, 9))
    with_streaks = replace(stats, streaks=streaks)
    cases.append(Case(embed=profiles.profile_embed(shown, member, with_streaks), reply=True))
    cases.append(Case(fragment=profiles.streaks_text(streaks), fragment_limit=1024))
    return cases


MODERATOR_ROLE = 600000000000000001


def report(src: Source, **changes: Any) -> Report:
    context = tuple(
        SharedContext(
            ContextKind.MEETUP if n % 2 else ContextKind.PAIRING,
            n + 1,
            NOW - n * 86400,
            src.pick(st.sampled_from(list(Together)), Together.ANSWERED),
            src.text(TITLE_MAX),
            ("going", "maybe"),
        )
        for n in range(src.pick(st.integers(0, 5), 5))
    )
    actions = tuple(
        ReportAction(
            id=n,
            report_id=4,
            member_id=MEMBERS[1],
            kind=list(ModAction)[n % 3],
            moderator_member_id=src.pick(st.sampled_from([ORGANISER, 0]), ORGANISER),
            taken_at=NOW + n,
            until=NOW + 86400 * 30 if n % 3 == 0 else None,
            undone_at=NOW + n + 60 if n % 2 else None,
            undone_by_member_id=ORGANISER if n % 2 else None,
        )
        for n in range(src.pick(st.integers(0, 12), 12))
    )
    values: dict[str, Any] = {
        "id": 4,
        "guild_id": GUILD,
        "number": src.pick(st.integers(1, 10**6), 999999),
        "reporter_member_id": src.pick(st.sampled_from([MEMBERS[0], 0]), MEMBERS[0]),
        "reported_member_id": src.pick(st.sampled_from([MEMBERS[1], 0]), MEMBERS[1]),
        "reason": src.text(1000, min_size=1),
        "created_at": NOW,
        "meetup_id": src.pick(st.none() | st.just(7), 7),
        "meetup_number": src.pick(st.none() | st.just(7), 7),
        "meetup_title": src.text(TITLE_MAX, min_size=1),
        "context": context,
        "channel_id": 800000000000000001,
        "message_id": 800000000000000002,
        "actions": actions,
    }
    values.update(changes)
    return Report(**values)


@renders(
    "safety.blocked_reply",
    "safety.unblocked_reply",
    "safety.block_list",
    "safety.blocked_met_refusal",
    "safety.report_confirmation",
    "safety.report_content",
    "safety.context_line",
    "safety.action_line",
    "safety.report_embed",
    "safety.ReportButton",
    "safety.report_view",
    "safety.PauseModal",
    "safety.acted_reply",
    "safety.not_a_moderator",
    "safety.first_meetup_note",
    "safety.private_place_warning",
)
def safety_messages(src: Source) -> list[Case]:
    member = user(src)
    shown = report(src)
    blocks = [Block(GUILD, MEMBERS[0], other, NOW) for other in members(src, 60)]

    async def submitted(interaction: discord.Interaction, period: str) -> None:
        return None

    cases = [
        Case(content=safety.blocked_reply(member, Blocked(True, 3)), reply=True),
        Case(content=safety.blocked_reply(member, Blocked(False, 3)), reply=True),
        Case(content=safety.unblocked_reply(member, True), reply=True),
        Case(content=safety.unblocked_reply(member, False), reply=True),
        Case(content=safety.block_list(blocks), reply=True),
        Case(content=safety.blocked_met_refusal(member), reply=True),
        Case(content=safety.report_confirmation(shown), reply=True),
        Case(
            content=safety.report_content(shown, MODERATOR_ROLE),
            embed=safety.report_embed(shown),
            view=safety.report_view(shown, NOW),
            ping_roles=[MODERATOR_ROLE],
        ),
        Case(content=safety.report_content(shown, None), embed=safety.report_embed(shown)),
        Case(modal=safety.PauseModal(shown, submitted)),
        Case(content=safety.not_a_moderator(MODERATOR_ROLE), reply=True),
        Case(content=safety.not_a_moderator(None), reply=True),
        Case(content=safety.first_meetup_note(meetup(src)), reply=True),
        Case(content=safety.first_meetup_note(None), reply=True),
        Case(
            content=safety.private_place_warning([src.text(PLACE_MAX, min_size=1) + " 12 High St"] * 4, 7),
            reply=True,
        ),
        Case(content=safety.private_place_warning([src.text(PLACE_MAX, min_size=1), "my place"]), reply=True),
    ]
    for item in shown.context:
        cases.append(Case(fragment=safety.context_line(item), fragment_limit=300))
    for action in shown.actions:
        cases.append(Case(fragment=safety.action_line(action), fragment_limit=300))
    for kind in ModAction:
        for undone in (True, False):
            cases.append(Case(content=safety.acted_reply(shown, kind, undone, NOW + 86400), reply=True))
    cases.append(Case(view=safety.report_view(report(src, actions=()), NOW)))
    return cases


@renders(
    "stats.stats_embed",
    "stats.meetup_lines",
    "stats.story_embed",
    "stats.chart_file",
    "stats.digest_set",
)
def stats_messages(src: Source) -> list[Case]:
    period = parse_period(None, NOW)
    held = tuple(HeldMeetup(n, NOW - n * 3600, 10**6, 10**6 - n, 10**6 - n) for n in range(1, 12))
    figures = Figures(period, (10**9, 10**8, 10**7, 10**6, 10**5, 10**4, 2), held, 10**6)
    previous = replace(figures, period=period.previous() or period)
    report = HealthReport(
        current=figures,
        previous=previous,
        interests=tuple((src.text(40, min_size=1), 10**6 - n) for n in range(5)),
        cities=tuple((src.text(200, min_size=1), 2 - n % 2) for n in range(5)),
        buckets=buckets(held, period.start, period.end),
        tz="Europe/Berlin",
    )
    guild_name = src.text(100, min_size=1)
    names = {member_id: src.text(32, min_size=1) for member_id in members(src, 40)}
    story = MemberStory(
        attended=10**6,
        organised=10**6,
        met=tuple(names),
        streaks=tuple(Streak(f"S{n}", src.text(TITLE_MAX, min_size=1), 100 - n) for n in range(1, 9)),
        shared=tuple((src.text(40, min_size=1), 10**6) for _ in range(5)),
    )
    assert stats.chart_file(b"png").filename == stats.CHART
    return [
        Case(embed=stats.stats_embed(report, guild_name), reply=True),
        Case(embed=stats.stats_embed(replace(report, previous=None), guild_name, chart=False), reply=True),
        Case(content="\n".join(stats.meetup_lines(figures)), reply=True),
        Case(embed=stats.story_embed(story, names.get, guild_name), reply=True),
        Case(embed=stats.story_embed(MemberStory(0, 0, (), (), ()), names.get, guild_name), reply=True),
        Case(content=stats.digest_set(1234, NOW + 86400), reply=True),
        Case(content=stats.digest_set(None, None), reply=True),
    ]


@renders("text.one_line", "text.shown")
def member_text(src: Source) -> list[Case]:
    typed = src.text()
    line, escaped = text.one_line(typed, 100), text.shown(typed, 100)
    assert "\n" not in line and "\n" not in escaped
    return [Case(fragment=line, fragment_limit=100), Case(fragment=escaped, fragment_limit=200)]


NOT_RENDERERS = {
    "base.BaseView": "the error-routing base class of views, no output of its own",
    "base.BaseModal": "the error-routing base class of modals, no output of its own",
    "handlers.Handlers": "the registry of what persistent items do, no output of its own",
    "handlers.answering": "the error wrapper of persistent items, no output of its own",
    "stats_chart.draw": "a PNG of the bot's own words only (no member text); tests/unit/test_stats_chart.py",
    "stats_chart.Drawer": "the same PNG drawn by a process of its own; tests/unit/test_stats_chart.py",
    "stats_chart.serve": "the drawing process's loop (JSON in, PNG out), no Discord output",
    "stats_chart.main": "the drawing process's entry point (JSON in, PNG out), no Discord output",
}


# -- the tests ------------------------------------------------------------------------------------


def public_names() -> set[str]:
    found = set()
    for module_info in pkgutil.iter_modules(bot.ui.__path__):
        module = importlib.import_module(f"bot.ui.{module_info.name}")
        for name, value in vars(module).items():
            if name.startswith("_") or not (inspect.isfunction(value) or inspect.isclass(value)):
                continue
            if value.__module__ == module.__name__:
                found.add(f"{module_info.name}.{name}")
    return found


def test_every_public_renderer_is_fuzzed() -> None:
    covered = set().union(*COVERS.values())
    assert not covered - public_names(), "covered names that no longer exist"
    uncovered = public_names() - covered - set(NOT_RENDERERS)
    assert not uncovered, f"add these renderers to tests/unit/test_hostile_renderers.py: {sorted(uncovered)}"


@pytest.mark.parametrize("builder", sorted(BUILDERS))
@HOSTILE
@given(data=st.data())
def test_hostile_text_fits_discord_and_pings_only_whom_it_is_for(builder: str, data: st.DataObject) -> None:
    for case in BUILDERS[builder](Source(data)):
        check_case(case)


@pytest.mark.parametrize("within", [True, False], ids=["within-validation", "beyond-validation"])
@pytest.mark.parametrize("builder", sorted(BUILDERS))
def test_the_worst_texts_fit_discord_and_ping_only_whom_they_are_for(builder: str, within: bool) -> None:
    for worst in worst_cases():
        for case in BUILDERS[builder](Source(fixed=worst, within=within)):
            check_case(case)


def test_the_victim_role_and_everyone_are_in_the_worst_texts() -> None:
    joined = "".join(worst_cases())
    assert f"<@{VICTIM_ID}>" in joined and f"<@&{ROLE_ID}>" in joined and "@everyone" in joined
    assert max(len(text) for text in worst_cases()) == OPTION_MAX
