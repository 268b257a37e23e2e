"""How pairing rounds look: thread names, the greeting, check-in and Did you meet?, their buttons,
the Plan a meetup form and the replies to /pairing.

The buttons are dynamic items whose custom ids carry the group (``pairing:plan:<group>``,
``pairing:met:<group>:<answer>``), so they keep working after a restart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import discord

from bot.adapters.replies import reply
from bot.clock import from_epoch, now_epoch
from bot.domain.cooldowns import Action
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
from bot.ui.base import BaseModal
from bot.ui.meetups import poll_posted
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


class PlanMeetupButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"pairing:plan:(?P<group_id>\d+)",
):
    """Opens the Plan a meetup form; only members of the group may press it."""

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
        from bot.errors import is_admin, report_error

        try:
            assert interaction.guild_id is not None
            services = interaction.client.services  # type: ignore[attr-defined]
            await services.pairing.member_group(interaction.guild_id, self.group_id, interaction.user.id)
            services.cooldowns.check(  # before the member types into a form that would be refused
                interaction.guild_id, interaction.user.id, Action.MEETUP, exempt=is_admin(interaction)
            )
            await interaction.response.send_modal(PlanMeetupModal(self.group_id))
        except Exception as error:  # dynamic items have no view on_error to route to
            await report_error(interaction, error)


class PlanMeetupModal(BaseModal):
    """``/meetup plan`` for one group: the poll goes in the group's thread."""

    def __init__(self, group_id: int) -> None:
        super().__init__(title="Plan a meetup", timeout=15 * 60)
        self.group_id = group_id
        self.meetup_title: discord.ui.TextInput[PlanMeetupModal] = discord.ui.TextInput(
            label="What", custom_id="title", placeholder="Coffee and a walk", max_length=100
        )
        self.times: discord.ui.TextInput[PlanMeetupModal] = discord.ui.TextInput(
            label="Times to choose from (separate with ;)",
            custom_id="times",
            placeholder="fri 7pm; sat 2pm; 2026-12-05 18:30",
            max_length=500,
        )
        self.places: discord.ui.TextInput[PlanMeetupModal] = discord.ui.TextInput(
            label="Places (optional, separate with ;)",
            custom_id="places",
            placeholder="Café Central; City Library",
            required=False,
            max_length=500,
        )
        for item in (self.meetup_title, self.times, self.places):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        from bot.errors import is_admin

        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        services = interaction.client.services  # type: ignore[attr-defined]
        member_id = interaction.user.id
        # The same budget as /meetup plan and create: it posts a poll too.
        with services.cooldowns.use(
            interaction.guild_id, member_id, Action.MEETUP, exempt=is_admin(interaction)
        ):
            poll = await services.pairing.plan_meetup(
                guild_id=interaction.guild_id,
                group_id=self.group_id,
                member_id=member_id,
                title=self.meetup_title.value,
                times=self.times.value,
                places=self.places.value.strip() or None,
                now=interaction.created_at,
            )
        await reply(interaction, poll_posted(poll))
        await services.board.add_poll_reactions(poll)


class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"pairing:met:(?P<group_id>\d+):(?P<answer>in_person|online|not_yet)",
):
    """In person / Online / Not yet under **Did you meet?**"""

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
        from bot.errors import report_error

        try:
            assert interaction.guild is not None
            await interaction.response.defer(ephemeral=True, thinking=True)
            pairing = interaction.client.services.pairing  # type: ignore[attr-defined]
            outcome = await pairing.answer(
                interaction.guild, self.group_id, interaction.user.id, self.answer, now_epoch()
            )
            await reply(interaction, answered(outcome))
        except Exception as error:  # dynamic items have no view on_error to route to
            await report_error(interaction, error)


def plan_view(group_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(PlanMeetupButton(group_id))
    return view


def answer_view(group_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for answer in Answer:
        view.add_item(AnswerButton(group_id, answer))
    return view
