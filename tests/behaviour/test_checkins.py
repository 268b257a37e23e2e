"""After a meetup: Who came?, I was there, attendance on /profile, and mutual picks introduced by DM."""

from __future__ import annotations

import pytest
import simcord
from simcord.actors import MemberActor

from bot.domain.followups import CHECKIN_WINDOW, NUDGE
from tests.behaviour.followup_world import (
    END,
    START,
    advance_to,
    answer,
    come_back,
    create_meetup,
    dms,
    go_down,
    set_going,
    thread_messages,
)
from tests.behaviour.intro_steps import intro
from tests.behaviour.meetup_world import MeetupWorld
from tests.conftest import BotFactory, restart

pytestmark = [pytest.mark.simcord(settle_timeout=1.5), pytest.mark.world("meetups and introductions")]

CHECKIN = "I was there"


@pytest.fixture
async def world(world: MeetupWorld) -> MeetupWorld:
    meetup = await create_meetup(world)
    for member in (world.bob, world.carol, world.dave):
        await answer(world, meetup, member)
    return world


def who_came(world: MeetupWorld):
    return next(m for m in thread_messages(world) if m.content.startswith("👋 **Who came?**"))


async def check_in(world: MeetupWorld, member: MemberActor) -> simcord.InteractionResult:
    return await member.click(who_came(world), label=CHECKIN)


def options(result: simcord.InteractionResult) -> list[str]:
    [row] = result.response.components
    [menu] = row["components"]
    return [option["label"] for option in menu["options"]]


async def pick(member: MemberActor, checked: simcord.InteractionResult, *picked: MemberActor):
    [row] = checked.response.components
    [menu] = row["components"]
    values = [str(p.id) for p in picked] if menu["type"] == 3 else list(picked)
    return await member.select(checked.response, values)


async def met_count(world: MeetupWorld, member: MemberActor) -> int:
    return await world.bot.services.meetings.met_count(world.guild.id, member.id)


async def test_when_the_meetup_ends_who_came_is_posted_in_its_thread(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await advance_to(env, END - 1)
    assert not any(m.content.startswith("👋") for m in thread_messages(world))

    await advance_to(env, END)

    message = who_came(world)
    assert "Meetup #1 **Board games** is over" in message.content
    assert f"<t:{END + CHECKIN_WINDOW}:F>" in message.content
    [[button]] = [row.children for row in message.components]
    assert (button.label, button.disabled) == (CHECKIN, False)


async def test_i_was_there_records_attendance_and_it_shows_on_profile(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await intro(world, world.bob)
    await advance_to(env, END)

    result = await check_in(world, world.bob)

    assert result.ephemeral
    assert result.response.content.startswith("✅ Checked in at meetup #1 **Board games**.")
    assert "**Whom did you talk to?**" in result.response.content
    assert options(result) == ["carol", "dave"]
    meetup = await world.meetup(1)
    assert await world.bot.services.checkins.attendance.attendees(meetup.id) == [world.bob.id]
    profile = await world.bob.slash(world.general, "profile")
    fields = {f.name: f.value for f in profile.response.embeds[0].fields}
    assert fields["Meetups attended"] == "1"


async def test_someone_who_came_without_rsvp_can_check_in_and_be_picked(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await advance_to(env, END)
    await check_in(world, world.admin)

    result = await check_in(world, world.bob)

    assert options(result) == ["ada", "carol", "dave"]  # who checked in first, then who said Going


async def test_mutual_picks_introduce_both_by_dm_and_record_the_meeting(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await intro(world, world.bob, about="Bob: board games every Friday.")
    await intro(world, world.carol, about="Carol, new in town, loves chess.")
    await advance_to(env, END)
    bob_checked = await check_in(world, world.bob)
    first = await pick(world.bob, bob_checked, world.carol)
    assert "picked each other" not in first.response.content
    assert dms(world.carol) == []

    carol_checked = await check_in(world, world.carol)
    second = await pick(world.carol, carol_checked, world.bob, world.dave)

    assert f"You and {world.bob.mention} picked each other" in second.response.content
    [to_bob], [to_carol] = dms(world.bob), dms(world.carol)
    assert to_bob.embeds[0].description == "Carol, new in town, loves chess."
    assert to_carol.embeds[0].description == "Bob: board games every Friday."
    assert "at meetup #1 “Board games”" in to_bob.content
    assert await met_count(world, world.bob) == 1 and await met_count(world, world.carol) == 1
    nudge = await world.bot.services.scheduler.repo.for_subject(
        world.guild.id, [NUDGE], min(world.bob.id, world.carol.id)
    )
    assert [task.due_at - END for task in nudge] == [21 * 24 * 3600]  # keep in touch, three weeks on


async def test_a_one_sided_pick_is_never_revealed(world: MeetupWorld, env: simcord.Env) -> None:
    await advance_to(env, END)
    await pick(world.bob, await check_in(world, world.bob), world.carol)

    carol_checked = await check_in(world, world.carol)
    answered = await pick(world.carol, carol_checked, world.dave)

    assert world.bob.mention not in carol_checked.response.content + answered.response.content
    assert dms(world.bob) == dms(world.carol) == dms(world.dave) == []
    assert await met_count(world, world.bob) == 0 and await met_count(world, world.carol) == 0


async def test_with_more_than_25_attendees_a_member_picker_is_offered_and_checked(
    world: MeetupWorld, env: simcord.Env
) -> None:
    crowd = [world.guild.add_member(env.create_user(f"member{n}")) for n in range(30)]
    await set_going(world, await world.meetup(1), [m.id for m in crowd])
    await advance_to(env, END)
    checked = await check_in(world, world.bob)
    [row] = checked.response.components
    assert row["components"][0]["type"] == 5  # a user select

    refused = await pick(world.bob, checked, world.admin)
    assert "wasn't at meetup #1" in refused.response.content
    noted = await pick(world.bob, checked, crowd[7])
    assert noted.response.content.startswith("Thanks, noted.")


async def test_check_in_closes_72_hours_after_the_end(world: MeetupWorld, env: simcord.Env) -> None:
    await advance_to(env, END + CHECKIN_WINDOW - 1)
    assert (await check_in(world, world.bob)).response.content.startswith("✅")

    await advance_to(env, END + CHECKIN_WINDOW)

    message = who_came(world)
    assert "is closed" in message.content
    [[button]] = [row.children for row in message.components]
    assert button.disabled


async def test_i_was_there_works_after_a_restart(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await advance_to(env, END)
    await restart(env, bot_factory)

    result = await check_in(world, world.carol)

    assert result.response.content.startswith("✅ Checked in")
    assert len([m for m in thread_messages(world) if m.content.startswith("👋")]) == 1


async def test_a_cancelled_meetup_asks_nobody(world: MeetupWorld, env: simcord.Env) -> None:
    await world.alice.slash(world.general, "meetup cancel", id=1)

    await advance_to(env, END + 60)

    assert not any(m.content.startswith("👋") for m in thread_messages(world))
    assert START < END


async def test_who_came_missed_while_down_is_posted_on_start(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await advance_to(env, END - 60)
    await go_down(env)
    await advance_to(env, END + 3600)

    await come_back(env, bot_factory)

    assert len([m for m in thread_messages(world) if m.content.startswith("👋")]) == 1
    assert (await check_in(world, world.bob)).response.content.startswith("✅")


async def test_when_check_in_closes_the_organiser_hears_how_many_who_said_going_came(
    world: MeetupWorld, env: simcord.Env
) -> None:
    meetup = await world.meetup(1)  # bob, carol and dave said Going
    await answer(world, meetup, world.dave, "maybe")
    await advance_to(env, END + 60)
    for member in (world.bob, world.dave):
        await check_in(world, member)

    await advance_to(env, END + 72 * 3600 + 60)

    [told] = [m for m in world.alice.user.dm_channel.history() if m.content.startswith("📊")]
    assert "**1 of 2** who said Going came (50%). 1 more came without saying Going." in told.content
    info = await world.bob.slash(world.general, "meetup info", id=1)
    turnout = next(f.value for f in info.response.embeds[0].fields if f.name == "Turnout")
    assert turnout.startswith("**1 of 2** who said Going came")
