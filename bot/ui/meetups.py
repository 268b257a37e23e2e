"""How meetups and polls look: announcement and poll embeds, the RSVP buttons, short notices.

Every time is shown as Discord timestamps (each viewer sees their own local time) plus how the
text the organiser typed was read, in the server's zone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from functools import lru_cache
from typing import Any, ClassVar

import discord

from bot.domain import limits
from bot.domain.clock import from_epoch
from bot.domain.durations import format_duration
from bot.domain.followups import mention_parts
from bot.domain.meetups import (
    CANCEL_REASON_MAX,
    TITLE_MAX,
    TO_BE_ANNOUNCED,
    Change,
    Meetup,
    OrganiserProblem,
    RsvpCounts,
    RsvpOutcome,
    RsvpStatus,
    Turnout,
    map_url,
)
from bot.domain.polls import Poll, PollForm, PollOption, PollOutcome, PollState, Tally, pick_winner
from bot.domain.series import Series, SeriesListing, SeriesNote
from bot.domain.waitlist import OfferAnswer, OfferOutcome
from bot.domain.when import ReadTime
from bot.ui.base import MODAL_TIMEOUT, BaseModal
from bot.ui.handlers import Handlers, answering
from bot.ui.text import GUILD_NAME, PLACE, TIME_TEXT, TITLE, one_line, shown

log = logging.getLogger(__name__)

COLOUR = discord.Colour.from_rgb(87, 242, 135)
POLL_COLOUR = discord.Colour.from_rgb(254, 231, 92)
CLOSED_COLOUR = discord.Colour.from_rgb(153, 170, 181)
MENTIONS_SHOWN = 20

_RSVP_LABELS = {RsvpStatus.GOING: "Going", RsvpStatus.MAYBE: "Maybe", RsvpStatus.NO: "Can't go"}
_RSVP_STYLES = {
    RsvpStatus.GOING: discord.ButtonStyle.success,
    RsvpStatus.MAYBE: discord.ButtonStyle.secondary,
    RsvpStatus.NO: discord.ButtonStyle.danger,
}


def timestamp(epoch: int) -> str:
    """``<t:…:F> (<t:…:R>)``: full date and time plus "in 3 days", in each viewer's zone.

    For what is read right away (replies) or kept current (the poll while open); a post that stays
    in a channel uses :func:`moment`, since "in 3 days" reads wrong once that day has passed."""
    moment = from_epoch(epoch)
    return f"{discord.utils.format_dt(moment, 'F')} ({discord.utils.format_dt(moment, 'R')})"


def moment(epoch: int) -> str:
    """``<t:…:F>``: the full date and time in each viewer's zone, true however late it is read."""
    return discord.utils.format_dt(from_epoch(epoch), "F")


def read_as(time: ReadTime) -> str:
    """How the typed text was read, so a misreading is caught early."""
    return _read_as(time)


@lru_cache(maxsize=4096)
def _read_as(time: ReadTime) -> str:  # a card or poll shows the same times on every edit
    if not time.text:
        return time.describe()
    return f"“{shown(time.text, TIME_TEXT)}” → {time.describe()}"


def place_text(place: str, url: str | None, budget: int = limits.FIELD_VALUE // 2) -> str:
    """The place with its map link, or the place alone when the link would not fit ``budget``
    (a long place in a non-Latin script percent-encodes to a very long link)."""
    return _place_text(place, url, budget)


@lru_cache(maxsize=4096)
def _place_text(place: str, url: str | None, budget: int) -> str:  # the same on every edit
    escaped = shown(place, PLACE)
    linked = f"[{escaped}]({url})" if url else escaped
    return linked if len(linked) <= budget else escaped


def mentions(member_ids: Sequence[int], limit: int = MENTIONS_SHOWN) -> str:
    listed = " ".join(f"<@{member}>" for member in member_ids[:limit])
    if len(member_ids) > limit:
        listed += f" and {len(member_ids) - limit} more"
    return listed


# -- meetups --------------------------------------------------------------------------------------


def capacity_text(meetup: Meetup, counts: RsvpCounts) -> str:
    if meetup.capacity is None:
        return f"{counts.going} going · no limit"
    text = f"{counts.going} / {meetup.capacity} going"
    if counts.held:
        text += f" · {counts.held} place{'s' if counts.held != 1 else ''} **held** for the waitlist"
    if counts.going + counts.held >= meetup.capacity:
        text += " · **full**" + (f", {counts.waitlist} on the waitlist" if counts.waitlist else "")
    return text


def meetup_embed(
    meetup: Meetup,
    counts: RsvpCounts,
    *,
    going: Sequence[int] = (),
    maybe: Sequence[int] = (),
    waitlist: Sequence[int] = (),
    series: SeriesNote | None = None,
    turnout: Turnout | None = None,
) -> discord.Embed:
    """The announcement (and /meetup info): what, when, where, who, and live RSVP counts; for an
    occurrence of a series, which series and when the next one is; once over, its turnout."""
    title = f"📅 {one_line(meetup.title, TITLE)}"
    if meetup.cancelled:
        title = f"❌ Cancelled: {one_line(meetup.title, TITLE)}"
    embed = discord.Embed(
        title=title[:256],
        description=meetup.description,
        colour=CLOSED_COLOUR if meetup.cancelled else COLOUR,
    )
    if meetup.cancelled:
        embed.add_field(
            name="Cancelled",
            value=shown(meetup.cancel_reason, CANCEL_REASON_MAX)
            if meetup.cancel_reason
            else "No reason given.",
            inline=False,
        )
    embed.add_field(name="When", value=f"{timestamp(meetup.starts_at)}\n{read_as(meetup.when)}", inline=False)
    embed.add_field(name="Where", value=place_text(meetup.place, meetup.map_url), inline=False)
    embed.add_field(name="Capacity", value=capacity_text(meetup, counts), inline=True)
    organiser = f"<@{meetup.organiser_id}>" if meetup.organiser_id else "a former member"
    embed.add_field(name="Organiser", value=organiser, inline=True)
    embed.add_field(
        name="RSVPs",
        value=f"✅ {counts.going} going · 🤔 {counts.maybe} maybe · ❌ {counts.no} can't go"
        + (f" · ⏳ {counts.waitlist} waitlisted" if counts.waitlist else ""),
        inline=False,
    )
    if going:
        embed.add_field(name=f"Going ({len(going)})", value=mentions(going), inline=False)
    if maybe:
        embed.add_field(name=f"Maybe ({len(maybe)})", value=mentions(maybe), inline=False)
    if waitlist:
        embed.add_field(name=f"Waitlist ({len(waitlist)})", value=mentions(waitlist), inline=False)
    if series is not None:
        embed.add_field(name="Series", value=series_line(series), inline=False)
    if turnout is not None:
        embed.add_field(name="Turnout", value=turnout_text(turnout), inline=False)
    if meetup.event_id:
        embed.add_field(
            name="Event",
            value=f"[Add to your Discord events](https://discord.com/events/{meetup.guild_id}/{meetup.event_id})",
            inline=False,
        )
    footer = f"Meetup #{meetup.number}"
    if series is not None:
        footer += f" · series {series.label}"
    embed.set_footer(text=f"{footer} · /meetup calendar id:{meetup.number} for your calendar")
    return embed


def series_line(note: SeriesNote) -> str:
    """On an occurrence's card: which series it belongs to and when the next one is."""
    text = f"**{note.label}**, {note.describe}."
    if note.next_epoch is None:
        return text + " This is the last one."
    return text + f" Next: {moment(note.next_epoch)}."


def turnout_text(turnout: Turnout) -> str:
    """How many of those who said Going came (and who came without saying so)."""
    if not turnout.going:
        text = "Nobody had said Going."
    else:
        text = f"**{turnout.came_of_going} of {turnout.going}** who said Going came ({turnout.percent}%)."
    if turnout.unannounced:
        text += f" {turnout.unannounced} more came without saying Going."
    return text


RsvpPressed = Callable[[discord.Interaction, int, RsvpStatus], Awaitable[None]]
"""What Going / Maybe / Can't go do: (the click, the meetup's id, the answer)."""


class RsvpButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"meetup:rsvp:(?P<meetup_id>\d+):(?P<status>going|maybe|no)",
):
    """Going / Maybe / Can't go: the meetup id lives in the custom id, so clicks work after a restart."""

    handlers: ClassVar[Handlers[RsvpPressed]] = Handlers()

    def __init__(self, meetup_id: int, status: RsvpStatus, count: int | None = None) -> None:
        label = _RSVP_LABELS[status] + (f" ({count})" if count is not None else "")
        super().__init__(
            discord.ui.Button(
                label=label,
                style=_RSVP_STYLES[status],
                custom_id=f"meetup:rsvp:{meetup_id}:{status.value}",
            )
        )
        self.meetup_id = meetup_id
        self.status = status

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> RsvpButton:
        return cls(int(match["meetup_id"]), RsvpStatus(match["status"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        pressed = self.handlers.of(interaction.client)
        await answering(interaction, lambda: pressed(interaction, self.meetup_id, self.status))


VOTERS_MENTIONED = 50
"""On an announcement, how many of those who voted for its time are mentioned by name."""


def voters_line(voters: Sequence[int]) -> str:
    """Above the announcement of a meetup a poll chose: the people who voted for its time."""
    shown = " ".join(f"<@{member}>" for member in voters[:VOTERS_MENTIONED])
    more = f" and {len(voters) - VOTERS_MENTIONED} more" if len(voters) > VOTERS_MENTIONED else ""
    return f"🗳️ {shown}{more}: you voted for this time. Coming? Answer below."


def rsvp_view(meetup: Meetup, counts: RsvpCounts) -> discord.ui.View | None:
    """The three buttons with live counts; none once the meetup is cancelled."""
    if meetup.cancelled:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(RsvpButton(meetup.id, RsvpStatus.GOING, counts.going))
    view.add_item(RsvpButton(meetup.id, RsvpStatus.MAYBE, counts.maybe))
    view.add_item(RsvpButton(meetup.id, RsvpStatus.NO, counts.no))
    return view


def rsvp_reply(outcome: RsvpOutcome) -> str:
    meetup = outcome.meetup
    name = f"meetup #{meetup.number} “{shown(meetup.title, TITLE)}”"
    if outcome.status is RsvpStatus.GOING:
        already = outcome.previous is RsvpStatus.GOING
        return f"{'You are already' if already else 'You are'} going to {name}. See you there!"
    if outcome.status is RsvpStatus.WAITLIST:
        return (
            f"{name[0].upper()}{name[1:]} is full, so you are **#{outcome.waitlist_place}** on the waitlist. "
            "I'll DM you if a place frees up."
        )
    if outcome.status is RsvpStatus.MAYBE:
        return f"Marked as maybe for {name}."
    return f"Marked as can't go for {name}. Thanks for letting the organiser know."


def _place(meetup: Meetup) -> str:
    return shown(meetup.place, PLACE)


def _at(meetup: Meetup) -> str:
    """`` at <place>``, or that the place is still to be announced."""
    if meetup.place == TO_BE_ANNOUNCED:
        return " (place to be announced)"
    return f" at {_place(meetup)}"


def promotion_dm(meetup: Meetup) -> str:
    text = (
        f"🎉 A place opened up: you're now **going** to meetup #{meetup.number} "
        f"“{shown(meetup.title, TITLE)}”, {moment(meetup.starts_at)}{_at(meetup)}."
    )
    if meetup.jump_url:
        text += f"\n{meetup.jump_url}"
    text += "\nCan't make it after all? Press **Can't go** on the announcement so the next person gets it."
    return text


def promotion_notice(meetup: Meetup) -> str:
    """In the meetup thread, for promoted members who get no DM."""
    return (
        f"🎉 A place opened up at meetup #{meetup.number} “{shown(meetup.title, TITLE)}”: "
        "you're now **going**. (I couldn't DM you, so I'm saying it here.)"
    )


_CHANGE_WORDS = {Change.TIME: "time", Change.PLACE: "place", Change.CAPACITY: "capacity"}


def change_notice(meetup: Meetup, changes: Sequence[Change]) -> str:
    listed = [_CHANGE_WORDS[change] for change in changes]
    what = ", ".join(listed) if listed else "details"
    return (
        f"✏️ Meetup #{meetup.number} “{shown(meetup.title, TITLE)}” changed ({what}): "
        f"now {moment(meetup.starts_at)}{_at(meetup)}."
    )


def notice_parts(header: str, member_ids: Sequence[int]) -> list[tuple[str, Sequence[int]]]:
    """A notice and the mentions of everyone it is for, in parts under Discord's 2,000 characters,
    each part pinging exactly the members it mentions."""
    return list(mention_parts(header + "\n", member_ids, continued="…"))


def cancel_notice(meetup: Meetup) -> str:
    text = f"❌ Meetup #{meetup.number} “{shown(meetup.title, TITLE)}” is cancelled."
    if meetup.cancel_reason:
        text += f" Reason: {shown(meetup.cancel_reason, CANCEL_REASON_MAX)}"
    return text


def event_description(meetup: Meetup) -> str:
    """The scheduled event's text: the organiser's description, then the meetup's number and link,
    which a long description never pushes out (Discord keeps 1,000 characters)."""
    parts = [f"Meetup #{meetup.number}, organised on Discord with Meetbridge."]
    if meetup.jump_url:
        parts.append(f"RSVP: {meetup.jump_url}")
    ours = "\n\n".join(parts)
    if meetup.description:
        room = limits.EVENT_DESCRIPTION - len(ours) - 2
        return f"{limits.clip(meetup.description.strip(), room)}\n\n{ours}"
    return ours


def list_embed(meetups: Sequence[Meetup], polls: Sequence[Poll], guild_name: str) -> discord.Embed:
    embed = discord.Embed(title=f"Upcoming meetups in {one_line(guild_name, GUILD_NAME)}", colour=COLOUR)
    if not meetups and not polls:
        embed.description = (
            "Nothing planned yet. Start one with `/meetup plan` (members vote on times and places) "
            "or `/meetup create`."
        )
        return embed
    lines = []
    for meetup in meetups:
        title = shown(meetup.title, TITLE)
        line = f"**#{meetup.number}** {title} · {timestamp(meetup.starts_at)}"
        line += f" · {shown(meetup.place, PLACE)}"
        if meetup.jump_url:
            line += f" · [RSVP]({meetup.jump_url})"
        lines.append(line)
    if lines:
        embed.add_field(name="Meetups", value=_fit(lines), inline=False)
    poll_lines = []
    for poll in polls:
        title = shown(poll.title, TITLE)
        line = f"**#{poll.number}** {title} · closes {timestamp(poll.closes_at)}"
        if poll.jump_url:
            line += f" · [vote]({poll.jump_url})"
        poll_lines.append(line)
    if poll_lines:
        embed.add_field(name="Polls open for votes", value=_fit(poll_lines), inline=False)
    embed.set_footer(text="/meetup info id:<n> for details")
    return embed


def _fit(lines: Sequence[str], limit: int = 1024) -> str:
    out: list[str] = []
    used = 0
    for number, line in enumerate(lines):
        if used + len(line) + 1 > limit - 20:
            out.append(f"…and {len(lines) - number} more")
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join(out)


# -- polls ----------------------------------------------------------------------------------------


def _votes(count: int) -> str:
    return f"**{count}** vote" + ("" if count == 1 else "s")


def _time_line(
    poll: Poll, option: PollOption, tally: Tally, winner: bool, shown_text: int = TIME_TEXT
) -> str:
    assert option.starts_at is not None, "only time options have a time"
    head, tail = _time_option(option.emoji, option.label, option.starts_at, poll.tz, shown_text, poll.is_open)
    return f"{head}{_votes(tally[option.key])}{' 🏆' if winner else ''}{tail}"


@lru_cache(maxsize=4096)
def _time_option(
    emoji: str, label: str, starts_at: int, tz: str, shown_text: int, is_open: bool
) -> tuple[str, str]:
    """A time option's line around its tally: the same on every edit of a live poll, so it is
    worked out once (reading the typed text back is most of what a poll's render costs)."""
    quoted = read_as(ReadTime(one_line(label, shown_text), starts_at, tz))
    when = timestamp(starts_at) if is_open else moment(starts_at)
    return f"{emoji} {when} · ", f"\n  {quoted}"


def _place_line(option: PollOption, tally: Tally, winner: bool, links: bool, shown_text: int = PLACE) -> str:
    head = _place_option(option.emoji, option.label, links, shown_text)
    return f"{head}{_votes(tally[option.key])}{' 🏆' if winner else ''}"


@lru_cache(maxsize=4096)
def _place_option(emoji: str, label: str, links: bool, shown_text: int) -> str:
    """A place option's line before its tally (escaped, with its map link when ``links``)."""
    place = place_text(one_line(label, shown_text), map_url(label) if links else None)
    return f"{emoji} {place} · "


POLL_TEXT_BUDGETS: tuple[tuple[int, bool], ...] = (
    (100, True),
    (100, False),
    (60, False),
    (30, False),
    (12, False),
)
"""How much of each typed time and place a poll shows, and whether places keep their map links:
tried in order until the poll fits its 4,096 characters (ten times and ten places of 100
characters, every one escaped, need the last but one)."""


def poll_embed(poll: Poll, tally: Tally, meetup: Meetup | None = None) -> discord.Embed:
    """The poll: numbered times, lettered places, the live tally, and the result once closed."""
    closed = not poll.is_open
    embed = discord.Embed(
        title=f"🗳️ Poll #{poll.number}: {one_line(poll.title, TITLE)}",
        colour=CLOSED_COLOUR if closed else POLL_COLOUR,
    )
    # Members' text gives way (map links first, then the typed text) so every option keeps its
    # emoji, its time and its tally.
    for shown_text, links in POLL_TEXT_BUDGETS:
        description = _poll_options(poll, tally, shown_text, links)
        if len(description) <= limits.EMBED_DESCRIPTION:
            break
    embed.description = description
    if closed:
        embed.add_field(name="Result", value=poll_result(poll, meetup), inline=False)
    details = []
    if poll.capacity:
        details.append(f"capacity {poll.capacity}")
    if poll.min_attendees:
        details.append(f"at least {poll.min_attendees} needed")
    organiser = f"<@{poll.organiser_id}>" if poll.organiser_id else "a former member"
    embed.add_field(name="Organiser", value=organiser, inline=True)
    if details:
        embed.add_field(name="Meetup", value=", ".join(details), inline=True)
    footer = f"Poll #{poll.number}"
    if poll.is_open:
        footer += f" · the organiser can close it early with /meetup close-poll id:{poll.number}"
    embed.set_footer(text=footer)
    return embed


def _poll_options(poll: Poll, tally: Tally, shown_text: int, links: bool) -> str:
    closed = not poll.is_open
    parts: list[str] = []
    if poll.is_open:
        parts.append(
            "**React to vote** for every time and place that works for you; remove a reaction to "
            f"take the vote back. Closes {timestamp(poll.closes_at)}."
        )
    parts.append("**Times**")
    parts.extend(
        _time_line(poll, option, tally, closed and option.position == poll.winner_time, shown_text)
        for option in poll.times
    )
    if poll.places:
        parts.append("**Places**")
        parts.extend(
            _place_line(option, tally, closed and option.position == poll.winner_place, links, shown_text)
            for option in poll.places
        )
    return "\n".join(parts)


def poll_result(poll: Poll, meetup: Meetup | None) -> str:
    if poll.state is PollState.CANCELLED:
        return f"Closed without a result ({_OUTCOME_WORDS.get(poll.outcome, 'it was cancelled')})."
    if meetup is not None:
        if meetup.place == TO_BE_ANNOUNCED:
            text = f"Closed. The meetup is {moment(meetup.starts_at)} (place to be announced)."
        else:
            where = place_text(meetup.place, meetup.map_url)
            text = f"Closed. The meetup is {moment(meetup.starts_at)} at {where}."
        if meetup.jump_url:
            text += f"\nRSVP on meetup #{meetup.number}: {meetup.jump_url}"
        else:
            text += f"\nIt is meetup #{meetup.number}."
        return text
    if poll.outcome is PollOutcome.NO_VOTES:
        return "Closed with no votes for any time, so no meetup was created."
    return f"Closed: {_OUTCOME_WORDS.get(poll.outcome, 'no meetup')}, so no meetup was created."


_OUTCOME_WORDS: dict[PollOutcome | None, str] = {
    PollOutcome.NO_VOTES: "no votes",
    PollOutcome.TIME_PASSED: "the winning time has passed",
    PollOutcome.MESSAGE_DELETED: "its message was deleted",
}


def poll_reminder(poll: Poll, tally: Tally) -> str:
    """The closing-soon note: when it closes and what is leading now."""
    text = f"⏰ Poll #{poll.number} “{shown(poll.title, TITLE)}” closes {moment(poll.closes_at)}. "
    winner = pick_winner(poll, tally)
    if winner is None:
        return text + "No votes yet: react to the poll to vote."
    time = winner.time
    leading = f"{time.emoji} {moment(time.starts_at or 0)} · {_votes(tally[time.key])}"
    if winner.place is not None:
        url = map_url(winner.place.label)
        place = shown(winner.place.label, PLACE)
        place = f"[{place}](<{url}>)" if url else place  # <…>: no map preview under the note
        leading += f", at {winner.place.emoji} {place} · {_votes(tally[winner.place.key])}"
    return text + f"Leading: {leading}. React to the poll to vote."


def poll_posted(poll: Poll) -> str:
    times = "\n".join(f"{option.emoji} {read_as(option.read_time(poll.tz))}" for option in poll.times)
    # The closing time before the quoted times: if members' text ever makes the reply too long,
    # it is the quotes at the end that are clipped.
    return (
        f"Poll #{poll.number} is up: {poll.jump_url}\nIt closes {timestamp(poll.closes_at)}.\n"
        f"I read the times as:\n{times}"
    )


PollFormSubmitted = Callable[[discord.Interaction, PollForm], Awaitable[None]]


class PollDraftModal(BaseModal):
    """The one form that drafts a meetup poll (custom ids ``title``, ``times``, ``places``): a
    pairing group's **Plan a meetup**, two members' **Plan a catch-up**."""

    def __init__(
        self, on_submit: PollFormSubmitted, *, heading: str = "Plan a meetup", title: str | None = None
    ) -> None:
        super().__init__(title=heading, timeout=MODAL_TIMEOUT)
        self._submit = on_submit
        self.poll_title: discord.ui.TextInput[PollDraftModal] = discord.ui.TextInput(
            label="What",
            custom_id="title",
            placeholder="Coffee and a walk",
            default=title,
            max_length=TITLE_MAX,
        )
        self.times: discord.ui.TextInput[PollDraftModal] = discord.ui.TextInput(
            label="Times to choose from (separate with ;)",
            custom_id="times",
            placeholder="fri 7pm; sat 2pm; 2026-12-05 18:30",
            max_length=500,
        )
        self.places: discord.ui.TextInput[PollDraftModal] = discord.ui.TextInput(
            label="Places (optional, separate with ;)",
            custom_id="places",
            placeholder="Café Central; City Library",
            required=False,
            max_length=500,
        )
        for item in (self.poll_title, self.times, self.places):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        form = PollForm(self.poll_title.value, self.times.value, self.places.value.strip() or None)
        await self._submit(interaction, form)


def not_announced_yet(meetup: Meetup) -> str:
    return (
        f"Meetup #{meetup.number} is not announced yet: I couldn't post it. I keep trying until it starts; "
        "`/config show` says which permission I'm missing."
    )


def organiser_problem(
    meetup: Meetup,
    problem: OrganiserProblem,
    guild_name: str | None,
    *,
    channel_id: int | None = None,
    missing: str | None = None,
) -> str:
    """What went wrong with the organiser's meetup (in ``channel_id``, for want of ``missing``)
    and what fixes it."""
    title = shown(meetup.title, TITLE)
    where = f" in **{shown(guild_name, GUILD_NAME)}**" if guild_name else ""
    if problem is OrganiserProblem.TOO_LATE:
        return (
            f"⚠️ Your meetup #{meetup.number} “{title}”{where} could not be announced before it started, "
            "so nobody could RSVP. Plan it again with `/meetup create` once the bot can post."
        )
    channel = f"<#{channel_id}>" if channel_id else "the meetups channel"
    why = f"I'm missing **{missing}** there" if missing else "Discord kept refusing it"
    missing = missing or "Send Messages and Embed Links"
    if problem is OrganiserProblem.POST:
        return (
            f"⚠️ I couldn't post about your meetup #{meetup.number} “{title}”{where} in {channel} "
            f"(reminders or notices for the people going): {why}. Ask an admin to give me "
            f"{missing} in {channel} and in its threads; `/config show` lists what I'm missing."
        )
    return (
        f"⚠️ I couldn't announce your meetup #{meetup.number} “{title}”{where} in {channel}: "
        f"I'm missing **{missing}** there. Ask an admin to give me {missing} in {channel}, "
        f"then run `/meetup info id:{meetup.number}`: I will post it again. "
        "(I keep trying on my own until it starts.)"
    )


# -- places offered from the waitlist --------------------------------------------------------------

OfferPressed = Callable[[discord.Interaction, int, OfferAnswer], Awaitable[None]]
"""What Claim / Pass do: (the click, the offer's id, the answer)."""


class OfferButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"meetup:offer:(?P<offer_id>\d+):(?P<answer>claim|pass)",
):
    """Claim / Pass on a place held for a member: works in a DM and in the meetup thread."""

    handlers: ClassVar[Handlers[OfferPressed]] = Handlers()

    def __init__(self, offer_id: int, answer: OfferAnswer) -> None:
        claim = answer is OfferAnswer.CLAIM
        super().__init__(
            discord.ui.Button(
                label="Claim" if claim else "Pass",
                style=discord.ButtonStyle.success if claim else discord.ButtonStyle.secondary,
                custom_id=f"meetup:offer:{offer_id}:{answer.value}",
            )
        )
        self.offer_id = offer_id
        self.answer = answer

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> OfferButton:
        return cls(int(match["offer_id"]), OfferAnswer(match["answer"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        pressed = self.handlers.of(interaction.client)
        await answering(interaction, lambda: pressed(interaction, self.offer_id, self.answer))


def offer_view(offer_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(OfferButton(offer_id, OfferAnswer.CLAIM))
    view.add_item(OfferButton(offer_id, OfferAnswer.PASS))
    return view


def _held_until(expires_at: int) -> str:
    at = from_epoch(expires_at)
    return f"{discord.utils.format_dt(at, 'F')} ({discord.utils.format_dt(at, 'R')})"


def offer_dm(meetup: Meetup, expires_at: int) -> str:
    text = (
        f"🎟️ A place opened up at meetup #{meetup.number} “{shown(meetup.title, TITLE)}”, "
        f"{moment(meetup.starts_at)}{_at(meetup)}, and you're first on the waitlist. "
        f"It's **held for you until {_held_until(expires_at)}**: press **Claim** to take it, or **Pass** "
        "to let the next person have it."
    )
    if meetup.jump_url:
        text += f"\n{meetup.jump_url}"
    return text


def offer_notice(meetup: Meetup, expires_at: int) -> str:
    """In the meetup thread, for a member a place is held for who gets no DM."""
    return (
        f"🎟️ A place opened up at meetup #{meetup.number} “{shown(meetup.title, TITLE)}” and it's "
        f"**held for you until {_held_until(expires_at)}**: **Claim** or **Pass** below. "
        "(I couldn't DM you, so I'm asking here.)"
    )


def offer_reply(outcome: OfferOutcome) -> str:
    meetup = outcome.meetup
    name = f"meetup #{meetup.number} “{shown(meetup.title, TITLE)}”"
    if not outcome.taken:
        text = (
            f"Sorry, the place at {name} was held for you until {moment(outcome.expires_at)}, "
            "and it has gone to the next person on the waitlist."
        )
        if outcome.waitlist_place is not None:
            text += (
                f" You're still on the waitlist (**#{outcome.waitlist_place}**): "
                "I'll tell you if another place frees up."
            )
        return text
    if outcome.answer is OfferAnswer.CLAIM:
        already = "You already claimed your place" if outcome.already else "It's yours"
        return f"🎉 {already}: you're **going** to {name}. See you there!"
    if outcome.already:
        return f"You passed on the place at {name}; it went to the next person on the waitlist."
    return f"Thanks for letting us know: the place at {name} goes to the next person on the waitlist."


# -- series ----------------------------------------------------------------------------------------


def series_created(series: Series, meetup: Meetup, ahead: int) -> str:
    return (
        f"Series **{series.label}** is set up: {shown(series.title, TITLE)}, {series.describe}.\n"
        f"The first, meetup #{meetup.number}, is announced: {meetup.jump_url}\n"
        f"I read the time as {read_as(meetup.when)}.\n"
        f"Each later one is posted {format_duration(ahead)} before it starts (`/meetup series list` shows "
        f"the next dates; `/meetup series skip`, `edit` and `end` manage it)."
    )


def series_list_embed(listings: Sequence[SeriesListing], guild_name: str) -> discord.Embed:
    embed = discord.Embed(title=f"Series in {one_line(guild_name, GUILD_NAME)}", colour=COLOUR)
    if not listings:
        embed.description = (
            "No series yet. Start one with `/meetup create` and `repeat` (weekly, every 2 weeks, monthly, "
            "monthly on the first friday)."
        )
        return embed
    lines = []
    for listing in listings:
        series = listing.series
        title, place = shown(series.title, TITLE), shown(series.place, PLACE)
        line = f"**{series.label}** {title} · {series.describe} · {place}"
        if listing.next_epochs:
            line += "\nNext: " + ", ".join(moment(epoch) for epoch in listing.next_epochs)
        else:
            line += "\nNo more dates."
        lines.append(line)
    embed.description = _fit(lines, limits.EMBED_DESCRIPTION)
    embed.set_footer(text="/meetup series skip|edit|end id:S<n> (organiser or Manage Server)")
    return embed


def series_skipped(series: Series, day_epoch: int, cancelled: Meetup | None) -> str:
    text = f"Series {series.label}: the meetup on {moment(day_epoch)} is skipped"
    if cancelled is not None:
        return text + f"; meetup #{cancelled.number} is cancelled and Going and Maybe members were told."
    return text + "; it won't be posted."


def series_edited(series: Series, next_epochs: Sequence[int]) -> str:
    text = (
        f"Series {series.label} updated for the meetups not yet posted: {series.describe}, "
        f"at {shown(series.place, PLACE)}"
        + (f", capacity {series.capacity}" if series.capacity else "")
        + "."
    )
    if next_epochs:
        text += " Next: " + ", ".join(moment(epoch) for epoch in next_epochs) + "."
    return text + " Meetups already posted keep their details (`/meetup edit` changes one)."


def series_ended(series: Series) -> str:
    return (
        f"Series {series.label} has ended: no more meetups will be posted. Meetups already posted still "
        "take place (`/meetup cancel` cancels one)."
    )


# -- the nudge to the undecided --------------------------------------------------------------------

DecidePressed = Callable[[discord.Interaction, int, RsvpStatus], Awaitable[None]]
"""What Going / Can't go under a nudge do: (the click, the meetup's id, the answer)."""


class DecideButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"meetup:decide:(?P<meetup_id>\d+):(?P<status>going|no)",
):
    """Going / Can't go under the nudge to the undecided: works in a DM and in the meetup thread."""

    handlers: ClassVar[Handlers[DecidePressed]] = Handlers()

    def __init__(self, meetup_id: int, status: RsvpStatus) -> None:
        super().__init__(
            discord.ui.Button(
                label=_RSVP_LABELS[status],
                style=_RSVP_STYLES[status],
                custom_id=f"meetup:decide:{meetup_id}:{status.value}",
            )
        )
        self.meetup_id = meetup_id
        self.status = status

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> DecideButton:
        return cls(int(match["meetup_id"]), RsvpStatus(match["status"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        pressed = self.handlers.of(interaction.client)
        await answering(interaction, lambda: pressed(interaction, self.meetup_id, self.status))


def undecided_view(meetup: Meetup) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(DecideButton(meetup.id, RsvpStatus.GOING))
    view.add_item(DecideButton(meetup.id, RsvpStatus.NO))
    return view


def undecided_notice(meetup: Meetup) -> str:
    """In the meetup thread, mentioning the members who haven't decided."""
    return (
        f"🤔 **Coming?** Meetup #{meetup.number} “{shown(meetup.title, TITLE)}” is {moment(meetup.starts_at)}"
        f"{_at(meetup)}. You said Maybe, or voted for this time and place: let everyone know."
    )


def undecided_dm(meetup: Meetup) -> str:
    text = (
        f"🤔 Coming to meetup #{meetup.number} “{shown(meetup.title, TITLE)}”, {moment(meetup.starts_at)}"
        f"{_at(meetup)}? You said Maybe, or voted for this time and place: press **Going** or **Can't go**."
    )
    if meetup.jump_url:
        text += f"\n{meetup.jump_url}"
    return text + "\n(You get this because you turned DMs on with `/privacy dm`.)"


def calendar_ready(meetups: int, series: int) -> str:
    parts = []
    if meetups:
        parts.append(f"{meetups} meetup{'s' if meetups != 1 else ''}")
    if series:
        parts.append(f"{series} series (repeating events)")
    return (
        f"Your calendar: {' and '.join(parts)}. Import the file in Google Calendar, Apple Calendar or "
        "Outlook; download it again after changes to update the same entries."
    )


def calendar_empty() -> str:
    return (
        "You haven't said Going or Maybe to any meetup still to come, so there's nothing to put in a "
        "calendar yet. `/meetup list` shows what's planned."
    )
