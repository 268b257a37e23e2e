"""How pairing rounds look: thread names, the greeting, check-in and Did you meet?, their buttons
and the replies to /pairing (the Plan a meetup form is :class:`bot.ui.meetups.PollDraftModal`).

The buttons are dynamic items whose custom ids carry the group (``pairing:plan:<group>``,
``pairing:met:<group>:<answer>``), so they keep working after a restart.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, ClassVar

import discord

from bot.domain.clock import from_epoch
from bot.domain.guild_settings import Cadence
from bot.domain.interests import display_tag
from bot.domain.pairing import UnmatchedReason
from bot.domain.pairing_rounds import (
    LEFT_OUT_REASONS,
    RECENT_ROUNDS,
    Answer,
    Answered,
    Formed,
    Membership,
    PairingGroup,
    PairingRound,
)
from bot.ui.handlers import Handlers, answering
from bot.ui.text import TAG, shown

SHARED_SHOWN = 5
_ANSWER_STYLES = {
    Answer.IN_PERSON: discord.ButtonStyle.success,
    Answer.ONLINE: discord.ButtonStyle.primary,
    Answer.NOT_YET: discord.ButtonStyle.secondary,
}


def when(epoch: int) -> str:
    moment = from_epoch(epoch)
    return f"{discord.utils.format_dt(moment, 'F')} ({discord.utils.format_dt(moment, 'R')})"


def _mentions(member_ids: Sequence[int]) -> str:
    return " ".join(f"<@{m}>" for m in member_ids)


def shared_text(shared: Sequence[str]) -> str:
    names = [f"**{shown(display_tag(tag), TAG)}**" for tag in shared[:SHARED_SHOWN]]
    if len(shared) > SHARED_SHOWN:
        names.append(f"{len(shared) - SHARED_SHOWN} more")
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def thread_name(current: PairingRound, names: Sequence[str]) -> str:
    return f"Round {current.number}: {', '.join(names)}"[:100]


def greeting(current: PairingRound, group: PairingGroup) -> str:
    everyone = "You both" if len(group.member_ids) == 2 else "You all"
    if group.shared:
        common = f"{everyone} list {shared_text(group.shared)}, so there's plenty to talk about."
    else:
        common = (
            "You don't list the same interests, which makes for good questions: "
            "ask each other what you're into."
        )
    return (
        f"👋 {_mentions(group.member_ids)}: you're a group for **pairing round {current.number}**!\n"
        f"{common}\n"
        f"Meet up before {when(current.ends_at)}: press **Plan a meetup** to poll times and places right "
        "here. I'll check in halfway, and at the end I'll ask whether you met."
    )


def checkin(current: PairingRound, group: PairingGroup) -> str:
    return (
        f"⏳ {_mentions(group.member_ids)}: round {current.number} is halfway through "
        f"(it ends {discord.utils.format_dt(from_epoch(current.ends_at), 'F')}). Have you found a time to "
        "meet? If not, **Plan a meetup** puts a poll right here."
    )


def did_you_meet(current: PairingRound, group: PairingGroup) -> str:
    return (
        f"🏁 {_mentions(group.member_ids)}: round {current.number} is over. **Did you meet?** "
        "Answer below; only you see your answer. When two of you both say *In person*, it's recorded on "
        "your profiles and I'll send you each other's introduction."
    )


def round_announcement(current: PairingRound, groups: int, left_out: Mapping[int, UnmatchedReason]) -> str:
    text = (
        f"🔔 **Pairing round {current.number}** has started: {groups} group{'s' if groups != 1 else ''}, "
        f"each with a private thread. It runs until {when(current.ends_at)}."
    )
    if left_out:
        text += "\n" + _left_out_lines(left_out)
    text += "\nWant in next time? `/pairing join`"
    return text


def _left_out_lines(left_out: Mapping[int, UnmatchedReason]) -> str:
    return "\n".join(
        f"• <@{member_id}>: no group this time, {LEFT_OUT_REASONS[reason]}. You stay in for the next round."
        for member_id, reason in left_out.items()
    )


def no_round_notice(left_out: Mapping[int, UnmatchedReason], next_at: int) -> str:
    return (
        "No pairing round this time: no group could be formed.\n"
        f"{_left_out_lines(left_out)}\nThe next round starts {when(next_at)}."
    )


def no_round_reason(taking_part: int, left_out: Mapping[int, UnmatchedReason]) -> str:
    if taking_part == 0:
        return "Nobody is taking part yet: members join with `/pairing join` (after `/intro`)."
    if taking_part == 1:
        return (
            "Only one member is taking part; a round needs at least two. Members join with `/pairing join`."
        )
    return (
        "No group can be formed: everyone taking part was grouped with each other in the last "
        f"{RECENT_ROUNDS} rounds. More members joining with `/pairing join` makes new groups possible."
    )


def round_started(formed: Formed, channel_id: int) -> str:
    assert formed.round is not None
    text = (
        f"Round {formed.round.number} started: {len(formed.groups)} group"
        f"{'s' if len(formed.groups) != 1 else ''} from {formed.taking_part} members, each with a private "
        f"thread in <#{channel_id}>. It ends {when(formed.round.ends_at)}."
    )
    if formed.left_out:
        text += f"\n{len(formed.left_out)} member(s) could not be placed; they were told why."
    return text


def _schedule(membership: Membership) -> str:
    if membership.next_round_at is not None:
        return (
            f"The next round starts {when(membership.next_round_at)} "
            f"({membership.cadence.value}, groups of {membership.size})."
        )
    if membership.cadence is Cadence.OFF:
        return "Rounds start when an admin runs `/pairing run` (no schedule is set)."
    return ""


def joined(membership: Membership) -> str:
    if not membership.changed:
        return f"You're already in pairing rounds. {_schedule(membership)}".strip()
    return (
        f"You're in! {_schedule(membership)} You'll get a private thread with your group.\n"
        "Sit one out with `/pairing skip`, or stop with `/pairing leave`."
    ).replace("  ", " ")


def left(membership: Membership) -> str:
    if not membership.changed:
        return "You weren't in pairing rounds. Join with `/pairing join`."
    return (
        "You've left pairing rounds. A group you're in now keeps its thread. "
        "Come back any time with `/pairing join`."
    )


def skipped(membership: Membership) -> str:
    first = "You're already sitting out" if not membership.changed else "You'll sit out"
    when_text = f", starting {when(membership.next_round_at)}" if membership.next_round_at else ""
    return (
        f"{first} the next round{when_text}. You're back in automatically after it; "
        "changed your mind? `/pairing join`."
    )


def answered(outcome: Answered) -> str:
    if outcome.answer is Answer.IN_PERSON:
        if outcome.met:
            return (
                f"🤝 You and {', '.join(f'<@{m}>' for m in outcome.met)} both said you met in person. "
                "It's recorded on your profiles, and I've sent you each other's introduction by DM."
            )
        return "Noted: you met in person. When someone else in your group says so too, it's recorded."
    if outcome.answer is Answer.ONLINE:
        return "Noted: you met online. Maybe in person next time: **Plan a meetup** still works here."
    return "Noted. There's still time: **Plan a meetup** puts a poll in your thread."


# -- buttons and the form ----------------------------------------------------------------------


PlanPressed = Callable[[discord.Interaction, int], Awaitable[None]]
"""What **Plan a meetup** does: (the click, the group's id)."""
AnswerPressed = Callable[[discord.Interaction, int, Answer], Awaitable[None]]
"""What In person / Online / Not yet do: (the click, the group's id, the answer)."""


class PlanMeetupButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"pairing:plan:(?P<group_id>\d+)",
):
    """Opens the Plan a meetup form; only members of the group may press it."""

    handlers: ClassVar[Handlers[PlanPressed]] = Handlers()

    def __init__(self, group_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Plan a meetup",
                emoji="📅",
                style=discord.ButtonStyle.primary,
                custom_id=f"pairing:plan:{group_id}",
            )
        )
        self.group_id = group_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> PlanMeetupButton:
        return cls(int(match["group_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        pressed = self.handlers.of(interaction.client)
        await answering(interaction, lambda: pressed(interaction, self.group_id))


class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"pairing:met:(?P<group_id>\d+):(?P<answer>in_person|online|not_yet)",
):
    """In person / Online / Not yet under **Did you meet?**"""

    handlers: ClassVar[Handlers[AnswerPressed]] = Handlers()

    def __init__(self, group_id: int, answer: Answer) -> None:
        super().__init__(
            discord.ui.Button(
                label=answer.label,
                style=_ANSWER_STYLES[answer],
                custom_id=f"pairing:met:{group_id}:{answer.value}",
            )
        )
        self.group_id = group_id
        self.answer = answer

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> AnswerButton:
        return cls(int(match["group_id"]), Answer(match["answer"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        pressed = self.handlers.of(interaction.client)
        await answering(interaction, lambda: pressed(interaction, self.group_id, self.answer))


def plan_view(group_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(PlanMeetupButton(group_id))
    return view


def answer_view(group_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for answer in Answer:
        view.add_item(AnswerButton(group_id, answer))
    return view
