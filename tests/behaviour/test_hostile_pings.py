"""Text members type never pings anyone: the whole loop, end to end, with mentions in every box.

Members type ``<@victim>``, ``<@!victim>``, ``<@&role>``, ``@everyone`` and ``@here`` into a poll's
title and places, a meetup's title, place and description, a new place, a cancel reason, an
/intro, an /ask question and their interests; then the loop runs: the poll's closing-soon note,
its result and the announcement, RSVPs and the waitlist, the change notice, the promotion notice,
the reminders, the headcount question, Who came?, the cancellation, the question with its
helpers, a pairing greeting and a welcome.

Then every message the bot posted (channels, threads, DMs, ephemeral answers) is read back from
SimCord's backend, which records whom Discord actually notified: no message pinged a role or
everyone, the victim (a member with the mentioned role who never asked for anything) was never
pinged, and each message pinged only the members it is for. The bot may mention every role and
everyone here and the role is mentionable, so only the bot's ``allowed_mentions`` stands between
member text and a ping.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import simcord

from bot.domain.polls import PLACE_EMOJIS, TIME_EMOJIS
from tests.behaviour.connect_world import add_member, introduce
from tests.behaviour.followup_world import DAY, END, START, advance_to, answer
from tests.behaviour.fuzz_steps import build_hostile_world
from tests.behaviour.intro_steps import intro
from tests.behaviour.meetup_world import FRIDAY_7PM, poll_message, stored_poll

pytestmark = pytest.mark.simcord(settle_timeout=1.5)


def bot_messages(env: simcord.Env) -> Iterator[Any]:
    bot_id = env.bot.user.id
    for channel in env.backend.messages.values():
        for message in channel.values():
            if message.author_id == bot_id:
                yield message


async def test_member_text_never_pings_anyone_through_the_whole_loop(env: simcord.Env) -> None:
    hostile = await build_hostile_world(env)
    w, victim = hostile.world, hostile.victim
    ping = f"<@{victim.id}> <@!{victim.id}> <@&{hostile.role.id}> @everyone @here"
    long_ping = hostile.strings(1000)[0]  # every way to ping, 1,000 characters
    for member in (w.alice, w.carol):  # told in the meetup thread, not by DM
        await member.slash(w.general, "privacy dm", state="off")

    # A poll whose title and places ping, voted on, with its closing-soon note and its result.
    planned = await w.alice.slash(
        w.general,
        "meetup plan",
        title=f"Games {ping}",
        times="2026-01-09 19:00; 2026-01-10 14:00",
        places=f"{ping}; Café Central",
    )
    assert "is up" in planned.response.content, planned.response.content
    poll = await stored_poll(w, 1)
    for member in (w.bob, w.carol):
        await member.react(poll_message(w, poll), TIME_EMOJIS[0])
        await member.react(poll_message(w, poll), PLACE_EMOJIS[0])
    await advance_to(env, poll.closes_at + 60)
    closed = await stored_poll(w, 1)
    voted = await w.bot.services.meetups.by_id(closed.meetup_id or 0)
    assert voted is not None and voted.place == ping

    # A meetup whose title, place and description ping: two places, a waitlist, a minimum of two.
    created = await w.alice.slash(
        w.general,
        "meetup create",
        title=f"Board games {ping}",
        when=FRIDAY_7PM,
        where=ping,
        capacity=2,
        min_attendees=2,
        description=long_ping,
    )
    meetup = await w.meetup(number(created))
    await answer(w, meetup, w.bob)  # going
    await answer(w, meetup, w.dave)  # going
    await answer(w, meetup, w.carol)  # waitlisted
    await answer(w, meetup, w.admin, "maybe")
    edited = await w.alice.slash(w.general, "meetup edit", id=meetup.number, where=f"Library {ping}")
    assert "updated" in edited.response.content, edited.response.content
    await answer(w, meetup, w.bob, "no")  # carol is promoted, and told in the thread
    await answer(w, meetup, w.dave, "no")  # one going: the organiser is asked to keep or cancel

    # A meetup cancelled for a reason that pings.
    picnic_created = await w.admin.slash(
        w.general, "meetup create", title=f"Picnic {ping}", when="2026-01-10 12:00", where="Park"
    )
    picnic = await w.meetup(number(picnic_created))
    await answer(w, picnic, w.dave)
    cancelled = await w.admin.slash(w.general, "meetup cancel", id=picnic.number, reason=long_ping)
    assert "is cancelled" in cancelled.response.content, cancelled.response.content

    # Introductions, a question with a helper, a pairing group, a newcomer: all with mentions.
    await intro(
        w, w.dave, about=long_ping, interests="python, @everyone, @here", city="", links="github.com/dave"
    )
    await introduce(w, w.bob, "python, chess")
    await w.bob.slash(w.general, "privacy helper", state="on")
    asked = await w.dave.slash(w.general, "ask", topic="python", question=long_ping)
    assert "posted" in asked.response.content, asked.response.content
    await introduce(w, w.alice, "chess")
    for member in (w.alice, w.bob):
        await member.slash(w.general, "pairing join")
    await w.admin.slash(w.general, "pairing run")
    newcomer = add_member(w, "newcomer")

    # The loop runs: reminders, the headcount question, Who came?
    await advance_to(env, START - DAY)
    await advance_to(env, END)

    # What was posted, and whom it notified.
    kinds_seen: set[str] = set()
    problems = []
    for message in bot_messages(env):
        kind, meant = whom_for(message.content, w, newcomer)
        kinds_seen.add(kind)
        pinged = set(message.ping_user_ids)
        if message.ping_role_ids or message.mention_everyone:
            problems.append(
                f"{kind} pinged roles {message.ping_role_ids} or everyone: {message.content[:120]!r}"
            )
        if victim.id in pinged:
            problems.append(f"{kind} pinged the victim: {message.content[:120]!r}")
        if not pinged <= meant:
            problems.append(f"{kind} pinged {pinged - meant}, not whom it is for: {message.content[:120]!r}")
        if message.is_ephemeral and pinged:
            problems.append(f"an ephemeral answer pinged {pinged}: {message.content[:120]!r}")
    assert not problems, "\n".join(problems)
    # The loop really ran: every kind of message that pings somebody was posted.
    assert {
        "poll closing soon",
        "change notice",
        "promotion notice",
        "cancel notice",
        "reminder",
        "headcount question",
        "nudge to the undecided",
        "who came",
        "question",
        "pairing greeting",
        "welcome",
    } <= kinds_seen, kinds_seen
    # And it pinged those it is for: Going carol in the reminder, helper bob for the question.
    reminders = [m for m in bot_messages(env) if m.content.startswith("⏰ **Board games")]
    assert reminders and all(set(m.ping_user_ids) == {w.carol.id} for m in reminders)
    assert any(set(m.ping_user_ids) == {w.bob.id} for m in bot_messages(env) if m.content.startswith("❓"))


def number(created: simcord.InteractionResult) -> int:
    found = re.match(r"Meetup #(\d+) is announced", created.response.content)
    assert found, created.response.content
    return int(found[1])


def whom_for(content: str, w: Any, newcomer: Any) -> tuple[str, set[int]]:
    """What kind of message this is, and the members it may ping."""
    going_or_maybe = {w.bob.id, w.carol.id, w.dave.id, w.admin.id}
    kinds: list[tuple[str, str, set[int]]] = [
        ("⏰ Poll", "poll closing soon", set()),
        ("🗳️ <@", "winning voters", {w.bob.id, w.carol.id}),
        ("⏰ **", "reminder", {w.carol.id}),
        ("Going, continued", "reminder", {w.carol.id}),
        ("✏️", "change notice", going_or_maybe),
        ("🎉 A place opened up", "promotion notice", {w.carol.id}),
        ("❌ Meetup", "cancel notice", {w.dave.id}),
        # Maybe (the admin), and bob and carol who voted for the poll's winning time and place.
        ("🤔 **Coming?**", "nudge to the undecided", {w.admin.id, w.bob.id, w.carol.id}),
        (f"<@{w.alice.id}> 📉", "headcount question", {w.alice.id}),
        ("👋 **Who came?**", "who came", set()),
        ("❓", "question", {w.bob.id}),
        ("👋 <@", "pairing greeting", {w.alice.id, w.bob.id}),
        ("⏳ <@", "pairing check-in", {w.alice.id, w.bob.id}),
        ("🏁 <@", "did you meet", {w.alice.id, w.bob.id}),
        ("🔔", "pairing round", set()),
        ("Welcome to", "welcome", {newcomer.id}),
    ]
    for prefix, kind, meant in kinds:
        if content.startswith(prefix):
            return kind, meant
    return "other", set()
