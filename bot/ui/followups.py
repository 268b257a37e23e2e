"""How reminders and follow-ups look: reminder posts and DMs, the headcount question with its
Keep / Cancel buttons, and DMs rebuilt from the outbox.

Buttons are :class:`discord.ui.DynamicItem` with the ids they need in their custom id, so they
keep working after a restart; each calls the handler its cog registered (:mod:`bot.ui.handlers`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ClassVar

import discord

from bot.domain.clock import from_epoch
from bot.domain.followups import CHECKIN_WINDOW, HeadcountDecision, mention_parts
from bot.domain.limits import clip
from bot.domain.meetups import TO_BE_ANNOUNCED, Meetup, Turnout
from bot.ui.handlers import Handlers, answering
from bot.ui.meetups import moment, turnout_text
from bot.ui.text import DISPLAY_NAME, GUILD_NAME, PLACE, TITLE, shown

log = logging.getLogger(__name__)

USER_MENTIONS = discord.AllowedMentions(users=True, roles=False, everyone=False, replied_user=False)


def _title(meetup: Meetup) -> str:
    return shown(meetup.title, TITLE)


def place_link(meetup: Meetup) -> str:
    """The place with its map link; ``<…>`` keeps Discord from unfurling a map preview."""
    if meetup.place == TO_BE_ANNOUNCED:
        return "place to be announced"
    place = shown(meetup.place, PLACE)
    url = meetup.map_url
    linked = f"[{place}](<{url}>)" if url else place
    return linked if len(linked) <= 400 else place  # a long non-Latin place makes a very long link


# -- reminders -------------------------------------------------------------------------------------


def _reminder_header(meetup: Meetup) -> str:
    header = f"⏰ **{_title(meetup)}** (meetup #{meetup.number}) starts {moment(meetup.starts_at)}\n"
    return header + f"📍 {place_link(meetup)}\n"


def _continued(meetup: Meetup) -> str:
    return f"Going, continued (meetup #{meetup.number}): "


PLAN_LIMIT = 1800
"""Reminder parts are planned with room to spare: they are rendered again when posted, and the
title or place may have grown meanwhile."""


def reminder_parts(meetup: Meetup, going: Sequence[int]) -> list[tuple[str, list[int]]]:
    """The reminder in the meetup thread: when, where, and a mention of every Going member.

    Long lists continue in further messages, each under Discord's 2,000 characters; each part
    comes with the members it mentions (the only ones it may ping).
    """
    header = _reminder_header(meetup)
    if not going:
        text = header + "Nobody has said they're going yet: RSVP on the announcement."
        if meetup.jump_url:
            text += f" {meetup.jump_url}"
        return [(text, [])]
    return mention_parts(
        header + f"Going ({len(going)}): ", going, continued=_continued(meetup), limit=PLAN_LIMIT
    )


def reminder_messages(meetup: Meetup, going: Sequence[int]) -> list[str]:
    return [text for text, _ in reminder_parts(meetup, going)]


def reminder_part(meetup: Meetup, part: int, members: Sequence[int], total: int) -> str:
    """One planned part of a reminder, rendered when it is posted (the meetup may have changed)."""
    mentions = " ".join(f"<@{member}>" for member in members)
    if part == 0:
        if not members:
            return reminder_parts(meetup, [])[0][0]
        return clip(_reminder_header(meetup) + f"Going ({total}): " + mentions, 2000)
    return clip(_continued(meetup) + mentions, 2000)


def reminder_dm(meetup: Meetup, guild_name: str) -> str:
    text = (
        f"⏰ Reminder from **{shown(guild_name, GUILD_NAME)}**: **{_title(meetup)}** "
        f"starts {moment(meetup.starts_at)}, {place_link(meetup)}."
    )
    if meetup.jump_url:
        text += f"\n{meetup.jump_url}"
    text += "\n(You get this because you turned DMs on with `/privacy dm`.)"
    return text


# -- the headcount question ------------------------------------------------------------------------


def headcount_prompt(meetup: Meetup, going: int, *, mention: bool) -> str:
    who = f"<@{meetup.organiser_id}> " if mention and meetup.organiser_id else ""
    needed = meetup.min_attendees or 0
    people = "person is" if going == 1 else "people are"
    return (
        f"{who}📉 Only **{going}** {people} going to meetup #{meetup.number} **{_title(meetup)}** "
        f"({moment(meetup.starts_at)}), and you asked for at least **{needed}**. "
        "Keep it, or cancel it? Cancelling tells everyone who answered Going or Maybe."
    )


def headcount_decided(meetup: Meetup, decision: HeadcountDecision, member_id: int) -> str:
    if decision is HeadcountDecision.KEEP:
        return f"✅ <@{member_id}> kept meetup #{meetup.number} **{_title(meetup)}**. It goes ahead."
    return f"❌ <@{member_id}> cancelled meetup #{meetup.number} **{_title(meetup)}**; attendees were told."


HeadcountPressed = Callable[[discord.Interaction, int, HeadcountDecision], Awaitable[None]]
"""What Keep / Cancel do: (the click, the meetup's id, the decision)."""


class HeadcountButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"meetup:headcount:(?P<meetup_id>\d+):(?P<choice>keep|cancel)",
):
    """Keep / Cancel, for the organiser (or someone with Manage Server)."""

    handlers: ClassVar[Handlers[HeadcountPressed]] = Handlers()

    def __init__(self, meetup_id: int, choice: HeadcountDecision) -> None:
        keep = choice is HeadcountDecision.KEEP
        super().__init__(
            discord.ui.Button(
                label="Keep" if keep else "Cancel",
                style=discord.ButtonStyle.success if keep else discord.ButtonStyle.danger,
                custom_id=f"meetup:headcount:{meetup_id}:{choice.value}",
            )
        )
        self.meetup_id = meetup_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> HeadcountButton:
        return cls(int(match["meetup_id"]), HeadcountDecision(match["choice"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        pressed = self.handlers.of(interaction.client)
        await answering(interaction, lambda: pressed(interaction, self.meetup_id, self.choice))


def headcount_view(meetup: Meetup) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(HeadcountButton(meetup.id, HeadcountDecision.KEEP))
    view.add_item(HeadcountButton(meetup.id, HeadcountDecision.CANCEL))
    return view


# -- turnout ---------------------------------------------------------------------------------------


def turnout_message(meetup: Meetup, turnout: Turnout, guild_name: str | None) -> str:
    """To the organiser when check-in closes."""
    where = f" in **{shown(guild_name, GUILD_NAME)}**" if guild_name else ""
    return (
        f"📊 Check-in for your meetup #{meetup.number} **{_title(meetup)}**{where} is closed. "
        f"Turnout: {turnout_text(turnout)} (`/meetup info id:{meetup.number}` shows it too.)"
    )


# -- who came -------------------------------------------------------------------------------------

MAX_STRING_OPTIONS = 25


def met_where(meetup: Meetup) -> str:
    return f"at meetup #{meetup.number} “{_title(meetup)}”"


def who_came(meetup: Meetup) -> str:
    closes = meetup.ends_at + CHECKIN_WINDOW
    return (
        f"👋 **Who came?** Meetup #{meetup.number} **{_title(meetup)}** is over: thanks for coming!\n"
        "If you were there, press **I was there**, then say whom you talked to. When two people pick "
        "each other, I introduce them by DM with their profiles; a pick that isn't mutual is never shown "
        f"to anyone. Open until {discord.utils.format_dt(from_epoch(closes), 'F')}."
    )


def who_came_closed(meetup: Meetup) -> str:
    return (
        f"👋 **Who came?** Check-in for meetup #{meetup.number} **{_title(meetup)}** is closed. "
        "Met someone there? `/met member:@them` still records it."
    )


CheckinPressed = Callable[[discord.Interaction, int], Awaitable[None]]
"""What **I was there** does: (the click, the meetup's id)."""
PicksChosen = Callable[[discord.Interaction, int, list[int]], Awaitable[None]]
"""What choosing in "Whom did you talk to?" does: (the choice, the meetup's id, the members picked)."""


class CheckinButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"meetup:checkin:(?P<meetup_id>\d+)"
):
    """I was there: records attendance, then asks whom the member talked to."""

    handlers: ClassVar[Handlers[CheckinPressed]] = Handlers()

    def __init__(self, meetup_id: int, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="I was there",
                emoji="🙋",
                style=discord.ButtonStyle.success,
                custom_id=f"meetup:checkin:{meetup_id}",
                disabled=disabled,
            )
        )
        self.meetup_id = meetup_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> CheckinButton:
        return cls(int(match["meetup_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        pressed = self.handlers.of(interaction.client)
        await answering(interaction, lambda: pressed(interaction, self.meetup_id))


def who_came_view(meetup: Meetup, *, closed: bool = False) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(CheckinButton(meetup.id, disabled=closed))
    return view


def checked_in(meetup: Meetup, first: bool, *, has_others: bool) -> str:
    done = "Checked in" if first else "You are checked in"
    text = f"✅ {done} at meetup #{meetup.number} **{_title(meetup)}**."
    if not has_others:
        return text + (
            " Nobody else has checked in yet: press **I was there** again later to say whom you talked to."
        )
    return text + (
        "\n**Whom did you talk to?** Pick everyone you met. They are only told if they pick you too, "
        "and then you both get an introduction by DM."
    )


class PickSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"meetup:met:(?P<meetup_id>\d+)"):
    """Whom did you talk to? (up to 25 attendees, by name)."""

    handlers: ClassVar[Handlers[PicksChosen]] = Handlers()

    def __init__(self, meetup_id: int, options: Sequence[discord.SelectOption] = ()) -> None:
        options = list(options) or [discord.SelectOption(label="-", value="0")]
        super().__init__(
            discord.ui.Select(
                custom_id=f"meetup:met:{meetup_id}",
                placeholder="Whom did you talk to?",
                min_values=1,
                max_values=len(options),
                options=options,
            )
        )
        self.meetup_id = meetup_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select[Any], match: re.Match[str], /
    ) -> PickSelect:
        picked = cls(int(match["meetup_id"]))
        picked.item = item
        return picked

    async def callback(self, interaction: discord.Interaction) -> None:
        chosen = self.handlers.of(interaction.client)
        picked = [int(value) for value in self.item.values]
        await answering(interaction, lambda: chosen(interaction, self.meetup_id, picked))


class PickUserSelect(
    discord.ui.DynamicItem[discord.ui.UserSelect[Any]], template=r"meetup:metuser:(?P<meetup_id>\d+)"
):
    """Whom did you talk to? (a member picker, for meetups with more than 25 attendees)."""

    handlers: ClassVar[Handlers[PicksChosen]] = Handlers()

    def __init__(self, meetup_id: int) -> None:
        super().__init__(
            discord.ui.UserSelect(
                custom_id=f"meetup:metuser:{meetup_id}",
                placeholder="Whom did you talk to?",
                min_values=1,
                max_values=MAX_STRING_OPTIONS,
            )
        )
        self.meetup_id = meetup_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.UserSelect[Any], match: re.Match[str], /
    ) -> PickUserSelect:
        picked = cls(int(match["meetup_id"]))
        picked.item = item
        return picked

    async def callback(self, interaction: discord.Interaction) -> None:
        chosen = self.handlers.of(interaction.client)
        picked = [user.id for user in self.item.values]
        await answering(interaction, lambda: chosen(interaction, self.meetup_id, picked))


def pick_view(meetup: Meetup, others: Sequence[int], names: dict[int, str]) -> discord.ui.View | None:
    """A select of the other attendees by name, or a member picker when there are too many."""
    if not others:
        return None
    view = discord.ui.View(timeout=None)
    if len(others) <= MAX_STRING_OPTIONS:
        options = [
            discord.SelectOption(
                label=(" ".join(names.get(member_id, "").split()) or f"Member {member_id}")[:100],
                value=str(member_id),
            )
            for member_id in others
        ]
        view.add_item(PickSelect(meetup.id, options))
    else:
        view.add_item(PickUserSelect(meetup.id))
    return view


def picks_noted(picked: Sequence[int], mutual: Sequence[int]) -> str:
    text = "Thanks, noted."
    if mutual:
        who = ", ".join(f"<@{member_id}>" for member_id in mutual)
        text += f" 🤝 You and {who} picked each other: I've sent you both an introduction by DM."
    if len(mutual) < len(picked):
        text += " Anyone else you picked is only told if they pick you too."
    return text


# -- keep in touch ---------------------------------------------------------------------------------


def nudge(other_name: str, other_id: int, guild_name: str) -> str:
    return (
        f"👋 Three weeks ago you met **{shown(other_name, DISPLAY_NAME)}** (<@{other_id}>) in "
        f"person through **{shown(guild_name, GUILD_NAME)}**. How about catching up? Say hi, "
        "or plan a meetup for the two of you: the button opens a poll draft, you add the times."
        "\n(You get this because you turned DMs on with `/privacy dm`.)"
    )


def catchup_spec(guild_id: int, other_id: int) -> dict[str, Any]:
    return {"kind": "catchup", "guild_id": guild_id, "other_id": other_id}


def catchup_title(mine: str, theirs: str) -> str:
    return f"Catch-up: {mine} & {theirs}"[:100]


CatchupPressed = Callable[[discord.Interaction, int, int], Awaitable[None]]
"""What **Plan a catch-up** does: (the click in a DM, the server's id, the member they met)."""


class CatchupButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"meeting:catchup:(?P<guild_id>\d+):(?P<other_id>\d+)",
):
    """In the nudge DM: opens a poll draft for the member and the person they met."""

    handlers: ClassVar[Handlers[CatchupPressed]] = Handlers()

    def __init__(self, guild_id: int, other_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Plan a catch-up",
                emoji="📅",
                style=discord.ButtonStyle.primary,
                custom_id=f"meeting:catchup:{guild_id}:{other_id}",
            )
        )
        self.guild_id = guild_id
        self.other_id = other_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> CatchupButton:
        return cls(int(match["guild_id"]), int(match["other_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        pressed = self.handlers.of(interaction.client)
        await answering(interaction, lambda: pressed(interaction, self.guild_id, self.other_id))


# -- DMs from the outbox ---------------------------------------------------------------------------


def outbox_view(spec: dict[str, Any] | None) -> discord.ui.View | None:
    """The persistent buttons a queued DM carries, rebuilt from what the outbox stored."""
    if not spec:
        return None
    if spec.get("kind") == "catchup":
        view = discord.ui.View(timeout=None)
        view.add_item(CatchupButton(int(spec["guild_id"]), int(spec["other_id"])))
        return view
    log.warning("unknown outbox view %r; sending the DM without buttons", spec)
    return None


def outbox_message(payload: dict[str, Any]) -> dict[str, Any]:
    """``send`` keyword arguments for a queued DM with plain content."""
    message: dict[str, Any] = {"content": payload.get("content") or "…"}
    view = outbox_view(payload.get("view"))
    if view is not None:
        message["view"] = view
    return message
