"""How safety looks: /block and /report answers, the report moderators see with its buttons, the
pause form, the first-meetup note and the hint about a private-looking place.

The report's buttons are dynamic items whose custom id carries the report and what pressing does
(``report:<id>:<pause|unpair|dismiss>:<do|undo>``), so they work after a restart, and a button
rendered before another moderator acted never does the opposite of what it says.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ClassVar

import discord

from bot.domain import limits
from bot.domain.clock import from_epoch
from bot.domain.meetups import Meetup
from bot.domain.safety import (
    CONTEXT_WINDOW,
    PAUSE_DEFAULT,
    Block,
    Blocked,
    ContextKind,
    ModAction,
    Report,
    ReportAction,
    SharedContext,
    Together,
    looks_private,
)
from bot.ui.base import MODAL_TIMEOUT, BaseModal
from bot.ui.handlers import Handlers, answering
from bot.ui.text import DISPLAY_NAME, PLACE, TITLE, shown

REPORT_COLOUR = discord.Colour.from_rgb(237, 66, 69)
DISMISSED_COLOUR = discord.Colour.from_rgb(128, 132, 142)
_ANSWERS = {"going": "Going", "maybe": "Maybe", "waitlist": "the waitlist"}


def _day(epoch: int) -> str:
    return discord.utils.format_dt(from_epoch(epoch), "D")


def _full(epoch: int) -> str:
    return discord.utils.format_dt(from_epoch(epoch), "f")


def _ago(epoch: int) -> str:
    return discord.utils.format_dt(from_epoch(epoch), "R")


# -- /block ---------------------------------------------------------------------------------------

EFFECTS = (
    "From now on you two are never grouped in a pairing round, never shown to each other by `/match`, "
    "never mentioned for each other's `/ask` and never introduced to each other, and `/profile` shows "
    "each of you only the other's public introduction."
)


def blocked_reply(member: discord.abc.User, blocked: Blocked) -> str:
    name = f"**{shown(member.display_name, DISPLAY_NAME)}**"
    if not blocked.changed:
        return f"You had already blocked {name}; nothing changed, and they are not told. `/block` lists all."
    return (
        f"🚫 You blocked {name}. They are not told, and nothing changes that they could see.\n"
        f"{EFFECTS}\n"
        "Changed your mind? `/unblock` with the same member. If something happened that the moderators "
        "should know about, `/report` tells them privately."
    )


def unblocked_reply(member: discord.abc.User, changed: bool) -> str:
    name = f"**{shown(member.display_name, DISPLAY_NAME)}**"
    if not changed:
        return f"You hadn't blocked {name}, so there was nothing to undo. `/block` lists whom you blocked."
    return (
        f"You unblocked {name}. They are not told. You may be grouped, matched and introduced again "
        "from now on."
    )


def block_list(blocks: Sequence[Block]) -> str:
    """Whom the member blocked (mentions render as names and ping nobody in a reply)."""
    if not blocks:
        return (
            "You haven't blocked anyone in this server. `/block member:@someone` keeps you two apart; "
            "they are not told."
        )
    head = (
        f"You've blocked {len(blocks)} member{'s' if len(blocks) != 1 else ''} in this server "
        "(only you see this list; they are not told):"
    )
    tail = "`/unblock member:@someone` undoes one."
    lines: list[str] = []
    budget = limits.CONTENT - len(head) - len(tail) - 40  # room for "…and N more"
    for block in blocks:
        line = f"• <@{block.blocked_member_id}>, since {_day(block.blocked_at)}"
        if budget - len(line) - 1 < 0:
            lines.append(f"…and {len(blocks) - len(lines)} more")
            break
        budget -= len(line) + 1
        lines.append(line)
    return "\n".join([head, *lines, tail])


def blocked_met_refusal(member: discord.abc.User) -> str:
    return (
        f"You blocked **{shown(member.display_name, DISPLAY_NAME)}**, so nothing is recorded between you "
        "(they are not told). Unblock them first if you want to."
    )


# -- /report --------------------------------------------------------------------------------------


def report_confirmation(report: Report) -> str:
    return (
        f"Thank you. Your report (#{report.number}) went to this server's moderators, privately: the member "
        "you reported is not told, and nobody else sees it. A moderator may contact you.\n"
        "You can also `/block` them so you two are kept apart. If you feel unsafe right now, go somewhere "
        "public and contact the local emergency services."
    )


def report_content(report: Report, role_id: int | None) -> str:
    """Above the report: its number, and the moderator role (the one ping a report makes)."""
    role = f" <@&{role_id}>" if role_id else ""
    return f"🚩 **Report #{report.number}**{role}"


def _member(member_id: int) -> str:
    """A mention (a name to whoever reads it, pinging nobody in an embed) and the id, for Discord's
    own moderation tools."""
    return f"<@{member_id}> (`{member_id}`)" if member_id else "*(asked to be forgotten)*"


def context_line(item: SharedContext) -> str:
    if item.kind is ContextKind.PAIRING:
        return f"• Pairing round {item.number} ({_day(item.at)}): the same group"
    title = f" “{shown(item.title, TITLE)}”" if item.title else ""
    if item.together is Together.CAME:
        how = "both checked in"
    else:
        how = "both answered " + " and ".join(_ANSWERS.get(a, a) for a in item.answers)
    return f"• Meetup #{item.number}{title} ({_day(item.at)}): {how}"


def action_line(action: ReportAction) -> str:
    by = f"by <@{action.moderator_member_id}>" if action.moderator_member_id else "by a moderator"
    if action.kind is ModAction.PAUSE:
        what = f"⏸️ Paused from meetups and pairing until {_full(action.until or action.taken_at)}"
    elif action.kind is ModAction.UNPAIR:
        what = "🚷 Removed from pairing rounds"
    else:
        what = "✅ Dismissed"
    line = f"{what}, {by} {_ago(action.taken_at)}"
    if action.undone_at is not None:
        undone_by = f"<@{action.undone_by_member_id}>" if action.undone_by_member_id else "a moderator"
        line = f"~~{line}~~, undone by {undone_by} {_ago(action.undone_at)}"
    return line


def _first_lines(lines: Sequence[str], limit: int = limits.FIELD_VALUE) -> str:
    """The first whole lines that fit (a clip could cut a timestamp in half)."""
    kept: list[str] = []
    room = limit - 30  # for "…and N more"
    for line in lines:
        if len(line) + 1 > room:
            break
        room -= len(line) + 1
        kept.append(line)
    skipped = len(lines) - len(kept)
    return "\n".join(kept + ([f"…and {skipped} more"] if skipped else []))


def _latest_lines(lines: Sequence[str], limit: int = limits.FIELD_VALUE) -> str:
    """The latest whole lines that fit (a clip could cut a timestamp in half), oldest first."""
    kept: list[str] = []
    room = limit - 30  # for "…N earlier"
    for line in reversed(lines):
        if len(line) + 1 > room:
            break
        room -= len(line) + 1
        kept.append(line)
    skipped = len(lines) - len(kept)
    return "\n".join(([f"…{skipped} earlier"] if skipped else []) + kept[::-1])


def report_embed(report: Report) -> discord.Embed:
    dismissed = report.current(ModAction.DISMISS) is not None
    embed = discord.Embed(
        title=f"Report #{report.number}" + (" (dismissed)" if dismissed else ""),
        description=limits.clip(report.reason, 3000),
        colour=DISMISSED_COLOUR if dismissed else REPORT_COLOUR,
    )
    embed.add_field(name="Member reported", value=_member(report.reported_member_id), inline=True)
    embed.add_field(name="Reported by", value=_member(report.reporter_member_id), inline=True)
    embed.add_field(name="When", value=_full(report.created_at), inline=True)
    if report.meetup_id is not None or report.meetup_number is not None:
        meetup = (
            f"#{report.meetup_number} “{shown(report.meetup_title or '', TITLE)}”"
            if report.meetup_number is not None
            else "a meetup that no longer exists"
        )
        embed.add_field(name="Meetup", value=meetup, inline=False)
    days = CONTEXT_WINDOW // 86400
    shared = _first_lines([context_line(item) for item in report.context]) or (
        f"Nothing in the last {days} days (no pairing group or meetup together that I know of)."
    )
    embed.add_field(name=f"What they shared lately (last {days} days)", value=shared, inline=False)
    if report.actions:
        embed.add_field(
            name="What moderators did",
            value=_latest_lines([action_line(a) for a in report.actions]),
            inline=False,
        )
    embed.set_footer(
        text="Only the moderator role or Manage Server can press these. The member reported is never told."
    )
    return embed


ReportPressed = Callable[[discord.Interaction, int, ModAction, bool], Awaitable[None]]
"""What a report's button does: (the click, the report's id, the action, True to undo it)."""

_LABELS: dict[tuple[ModAction, bool], str] = {
    (ModAction.PAUSE, False): "Pause from meetups",
    (ModAction.PAUSE, True): "Undo pause",
    (ModAction.UNPAIR, False): "Remove from pairing",
    (ModAction.UNPAIR, True): "Undo removal from pairing",
    (ModAction.DISMISS, False): "Dismiss",
    (ModAction.DISMISS, True): "Reopen",
}


class ReportButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"report:(?P<report_id>\d+):(?P<kind>pause|unpair|dismiss):(?P<verb>do|undo)",
):
    """One action on a report (or its undo); the report and the action live in the custom id."""

    handlers: ClassVar[Handlers[ReportPressed]] = Handlers()

    def __init__(self, report_id: int, kind: ModAction, undo: bool) -> None:
        style = discord.ButtonStyle.secondary
        if not undo and kind is not ModAction.DISMISS:
            style = discord.ButtonStyle.danger
        super().__init__(
            discord.ui.Button(
                label=_LABELS[(kind, undo)],
                style=style,
                custom_id=f"report:{report_id}:{kind.value}:{'undo' if undo else 'do'}",
            )
        )
        self.report_id = report_id
        self.kind = kind
        self.undo = undo

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> ReportButton:
        return cls(int(match["report_id"]), ModAction(match["kind"]), match["verb"] == "undo")

    async def callback(self, interaction: discord.Interaction) -> None:
        pressed = self.handlers.of(interaction.client)
        await answering(interaction, lambda: pressed(interaction, self.report_id, self.kind, self.undo))


def report_view(report: Report, now: int) -> discord.ui.View:
    """Pause / Remove from pairing / Dismiss, each as its undo once done."""
    view = discord.ui.View(timeout=None)
    pause = report.current(ModAction.PAUSE)
    states = (
        (ModAction.PAUSE, pause is not None and pause.in_force(now)),
        (ModAction.UNPAIR, report.current(ModAction.UNPAIR) is not None),
        (ModAction.DISMISS, report.current(ModAction.DISMISS) is not None),
    )
    for kind, done in states:
        view.add_item(ReportButton(report.id, kind, undo=done))
    return view


PauseSubmitted = Callable[[discord.Interaction, str], Awaitable[None]]


class PauseModal(BaseModal):
    """How long a pause from meetups lasts (custom id ``period``), read by the duration grammar."""

    def __init__(self, report: Report, on_submit: PauseSubmitted) -> None:
        super().__init__(title=f"Pause from meetups (report #{report.number})"[:45], timeout=MODAL_TIMEOUT)
        self._submit = on_submit
        self.period: discord.ui.TextInput[PauseModal] = discord.ui.TextInput(
            label="For how long?",
            custom_id="period",
            placeholder="30 days, 2 weeks, 48h (1 hour to 365 days)",
            default=PAUSE_DEFAULT,
            max_length=50,
        )
        self.add_item(self.period)

    async def on_submit(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        await self._submit(interaction, self.period.value or "")


def acted_reply(report: Report, kind: ModAction, undone: bool, until: int | None) -> str:
    number = f"report #{report.number}"
    if undone:
        return {
            ModAction.PAUSE: f"The pause is lifted ({number}): they can answer Going and be paired again.",
            ModAction.UNPAIR: f"Removal from pairing undone ({number}); a member who had joined is back in.",
            ModAction.DISMISS: f"{number[0].upper()}{number[1:]} is open again.",
        }[kind]
    if kind is ModAction.PAUSE:
        return (
            f"Paused ({number}) until {_full(until or 0)}: they can't answer Going or Maybe to meetups or be "
            "paired until then (they are told when they try, never about the report)."
        )
    if kind is ModAction.UNPAIR:
        return (
            f"Removed from pairing rounds ({number}) until undone; `/pairing join` tells them a moderator "
            "removed them, never about the report."
        )
    return f"{number[0].upper()}{number[1:]} is dismissed."


def not_a_moderator(role_id: int | None) -> str:
    who = f"the <@&{role_id}> role or " if role_id else ""
    return f"Only members with {who}**Manage Server** can act on reports."


# -- first meetup and private places --------------------------------------------------------------


FIRST_MEETUP_TITLE = "🛡️ **Before your first meetup"


def first_meetup_note(meetup: Meetup | None) -> str:
    """The note for a member's first Going, by DM or in the answer to their click."""
    where = ""
    if meetup is not None:
        where = f" (meetup #{meetup.number}, at {shown(meetup.place, PLACE)})"
    return (
        f"{FIRST_MEETUP_TITLE}{where}**\n"
        "• Meet in the public place given, and stay in public until you know people better.\n"
        "• Tell a friend where you'll be and when you expect to be back.\n"
        "• Leave whenever you like; you don't owe anyone a reason.\n"
        "• If someone makes you uncomfortable, `/report` tells this server's moderators privately (the "
        "member is never told) and `/block` keeps you two apart.\n"
        "Have a great time!"
    )


def private_place_warning(places: Sequence[str], meetup_number: int | None = None) -> str | None:
    """For the organiser only, when a place reads like a home (:func:`looks_private`); a hint,
    never a refusal. None when every place looks public."""
    private = [place for place in places if looks_private(place)]
    if not private:
        return None
    quoted = ", ".join(f"“{shown(place, PLACE)}”" for place in private[:3])
    looks = "looks" if len(private) == 1 else "look"
    text = (
        f"📍 Heads-up: {quoted} {looks} like a private address. With people you haven't met yet, a "
        "public place (a café, a library, a park) feels safer for everyone, and more people say yes. "
        "If it is a public venue, adding its name helps"
    )
    if meetup_number is not None:
        text += f": `/meetup edit id:{meetup_number} where:Café Central, Main Street 5`"
    return text + ". Nothing was changed."
