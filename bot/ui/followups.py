"""How reminders and follow-ups look: reminder posts and DMs, the headcount question with its
Keep / Cancel buttons, and DMs rebuilt from the outbox.

Buttons are :class:`discord.ui.DynamicItem` with the ids they need in their custom id, so they
keep working after a restart; their callbacks hand plain values to a service and render the
result, like the RSVP buttons.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import discord

from bot.adapters.replies import reply, update
from bot.clock import from_epoch, now_epoch
from bot.domain.cooldowns import Action
from bot.domain.errors import UserError
from bot.domain.followups import CHECKIN_WINDOW, mention_parts
from bot.domain.limits import clip
from bot.domain.meetups import TO_BE_ANNOUNCED, Meetup
from bot.ui.base import BaseModal
from bot.ui.meetups import moment, poll_posted
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


def headcount_decided(meetup: Meetup, decision: str, member_id: int) -> str:
    if decision == "keep":
        return f"✅ <@{member_id}> kept meetup #{meetup.number} **{_title(meetup)}**. It goes ahead."
    return f"❌ <@{member_id}> cancelled meetup #{meetup.number} **{_title(meetup)}**; attendees were told."


class HeadcountButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"meetup:headcount:(?P<meetup_id>\d+):(?P<choice>keep|cancel)",
):
    """Keep / Cancel, for the organiser (or someone with Manage Server)."""

    def __init__(self, meetup_id: int, choice: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Keep" if choice == "keep" else "Cancel",
                style=discord.ButtonStyle.success if choice == "keep" else discord.ButtonStyle.danger,
                custom_id=f"meetup:headcount:{meetup_id}:{choice}",
            )
        )
        self.meetup_id = meetup_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> HeadcountButton:
        return cls(int(match["meetup_id"]), match["choice"])

    async def callback(self, interaction: discord.Interaction) -> None:
        from bot.errors import is_admin, report_error

        try:
            reminders = interaction.client.services.reminders  # type: ignore[attr-defined]
            admin = is_admin(interaction)
            await reminders.check_headcount_decision(self.meetup_id, interaction.user.id, admin)
            await interaction.response.defer()  # cancelling edits the event and tells attendees
            meetup = await reminders.decide_headcount(
                self.meetup_id, interaction.user.id, admin, self.choice, now_epoch()
            )
            await update(
                interaction, headcount_decided(meetup, self.choice, interaction.user.id), clear_view=True
            )
        except Exception as error:  # dynamic items have no view on_error to route to
            await report_error(interaction, error)


def headcount_view(meetup: Meetup) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(HeadcountButton(meetup.id, "keep"))
    view.add_item(HeadcountButton(meetup.id, "cancel"))
    return view


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


class CheckinButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"meetup:checkin:(?P<meetup_id>\d+)"
):
    """I was there: records attendance, then asks whom the member talked to."""

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
        from bot.errors import report_error

        try:
            assert interaction.guild is not None
            checkins = interaction.client.services.checkins  # type: ignore[attr-defined]
            checked = await checkins.check_in(
                interaction.guild.id, self.meetup_id, interaction.user.id, now_epoch()
            )
            names = {
                member_id: member.display_name
                for member_id in checked.others
                if (member := interaction.guild.get_member(member_id)) is not None
            }
            view = pick_view(checked.meetup, checked.others, names)
            text = checked_in(checked.meetup, checked.first, has_others=view is not None)
            if view is None:
                await reply(interaction, text)
            else:
                await reply(interaction, text, view=view)
        except Exception as error:  # dynamic items have no view on_error to route to
            await report_error(interaction, error)


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


async def _record_picks(interaction: discord.Interaction, meetup_id: int, picked: list[int]) -> None:
    from bot.errors import report_error

    try:
        assert interaction.guild is not None
        checkins = interaction.client.services.checkins  # type: ignore[attr-defined]
        await interaction.response.defer(ephemeral=True, thinking=True)  # introductions send DMs
        picks = await checkins.pick(interaction.guild.id, meetup_id, interaction.user.id, picked, now_epoch())
        await reply(interaction, picks_noted(picks.picked, picks.mutual))
    except Exception as error:
        await report_error(interaction, error)


class PickSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"meetup:met:(?P<meetup_id>\d+)"):
    """Whom did you talk to? (up to 25 attendees, by name)."""

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
        await _record_picks(interaction, self.meetup_id, [int(value) for value in self.item.values])


class PickUserSelect(
    discord.ui.DynamicItem[discord.ui.UserSelect[Any]], template=r"meetup:metuser:(?P<meetup_id>\d+)"
):
    """Whom did you talk to? (a member picker, for meetups with more than 25 attendees)."""

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
        await _record_picks(interaction, self.meetup_id, [user.id for user in self.item.values])


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


def manages_server(interaction: discord.Interaction, guild_id: int) -> bool:
    """Manage Server in ``guild_id``, also for a button pressed in a DM (where the interaction has
    no server permissions to read)."""
    guild = interaction.client.get_guild(guild_id)
    member = guild.get_member(interaction.user.id) if guild is not None else None
    return member is not None and member.guild_permissions.manage_guild


class CatchupModal(BaseModal, title="Plan a catch-up"):
    """A ``/meetup plan`` draft for two members: the title filled in, the times theirs to add."""

    def __init__(self, guild_id: int, other_id: int, title: str) -> None:
        super().__init__(timeout=None)
        self.guild_id = guild_id
        self.other_id = other_id
        self.poll_title: discord.ui.TextInput[CatchupModal] = discord.ui.TextInput(
            label="Title", custom_id="title", default=title, max_length=100
        )
        self.times: discord.ui.TextInput[CatchupModal] = discord.ui.TextInput(
            label="Times (separate with ;)",
            custom_id="times",
            placeholder="sat 2pm; sun 11am",
            max_length=500,
        )
        self.places: discord.ui.TextInput[CatchupModal] = discord.ui.TextInput(
            label="Places (optional, separate with ;)",
            custom_id="places",
            placeholder="Café Central; City Library",
            required=False,
            max_length=500,
        )
        for item in (self.poll_title, self.times, self.places):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        services = interaction.client.services  # type: ignore[attr-defined]
        board = services.board
        await interaction.response.defer(ephemeral=True, thinking=True)
        exempt = manages_server(interaction, self.guild_id)
        with services.cooldowns.use(self.guild_id, interaction.user.id, Action.MEETUP, exempt=exempt):
            poll = await board.plan_poll(
                guild_id=self.guild_id,
                organiser_id=interaction.user.id,
                title=self.poll_title.value,
                times=self.times.value,
                places=self.places.value or None,
                closes=None,
                now=interaction.created_at,
                react=False,
                content=f"🤝 <@{interaction.user.id}> and <@{self.other_id}>: a catch-up. React to vote!",
                ping=[interaction.user.id, self.other_id],
            )
        await reply(interaction, poll_posted(poll))
        await board.add_poll_reactions(poll)


class CatchupButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"meeting:catchup:(?P<guild_id>\d+):(?P<other_id>\d+)",
):
    """In the nudge DM: opens a poll draft for the member and the person they met."""

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
        from bot.errors import report_error

        try:
            guild = interaction.client.get_guild(self.guild_id)
            me = guild.get_member(interaction.user.id) if guild is not None else None
            if guild is None or me is None:
                raise UserError("You're no longer in that server, so I can't plan a meetup there.")
            other = guild.get_member(self.other_id)
            if other is None:
                raise UserError("They're no longer in that server; a catch-up poll there would miss them.")
            cooldowns = interaction.client.services.cooldowns  # type: ignore[attr-defined]
            exempt = me.guild_permissions.manage_guild
            cooldowns.check(self.guild_id, me.id, Action.MEETUP, exempt=exempt)  # before typing in vain
            title = catchup_title(me.display_name, other.display_name)
            await interaction.response.send_modal(CatchupModal(self.guild_id, self.other_id, title))
        except Exception as error:
            await report_error(interaction, error)


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
