"""Waitlist offers (``/config waitlist mode:offer``): a freed place is offered to the first on the
waitlist with Claim / Pass, held for them, then offered to the next; close to the start it is given
at once. Exactly once across restarts; the card shows the held place."""

from __future__ import annotations

import discord
import pytest
import simcord

from bot.domain.followups import OFFER_EXPIRE
from bot.domain.meetups import Meetup, RsvpStatus
from bot.domain.tasks import TaskState
from bot.domain.waitlist import OfferState
from tests.behaviour.followup_world import HOUR, START, advance_to, answer, create_meetup, dms, now, tasks
from tests.behaviour.meetup_world import MeetupWorld, field
from tests.conftest import BotFactory, restart

pytestmark = [pytest.mark.simcord(settle_timeout=1.5), pytest.mark.world("meetups")]

HOLD = 12 * HOUR


async def offer_mode(world: MeetupWorld, hold: str = "12h") -> None:
    result = await world.admin.slash(world.general, "config waitlist", mode="offer", hold=hold)
    assert "offered" in result.response.content, result.response.content


async def full_meetup(world: MeetupWorld) -> Meetup:
    """Capacity 1: bob is going, carol then dave wait."""
    meetup = await create_meetup(world, capacity=1)
    for member in (world.bob, world.carol, world.dave):
        await answer(world, meetup, member)
    return meetup


def bot_dms(member) -> list[discord.Message]:
    """The bot's DMs about places, without the note a first Going brings (tested on its own)."""
    return dms(member)


def offer_dm(member) -> discord.Message:
    [dm] = [m for m in bot_dms(member) if "held for you" in m.content]
    return dm


async def statuses(world: MeetupWorld, meetup: Meetup) -> dict[int, RsvpStatus]:
    return {r.member_id: r.status for r in await world.bot.services.meetups.repo.rsvps(meetup.id)}


async def test_a_freed_place_is_offered_by_dm_and_claimed(world: MeetupWorld, env: simcord.Env) -> None:
    await offer_mode(world)
    meetup = await full_meetup(world)

    await answer(world, meetup, world.bob, "no")

    dm = offer_dm(world.carol)
    assert [c.label for row in dm.components for c in row.children] == ["Claim", "Pass"]
    assert f"<t:{now(env) + HOLD}:F>" in dm.content
    assert bot_dms(world.dave) == []
    assert (await statuses(world, meetup))[world.carol.id] is RsvpStatus.WAITLIST
    claimed = await world.carol.user.click(dm, label="Claim")
    assert "you're **going**" in claimed.response.content
    assert (await statuses(world, meetup))[world.carol.id] is RsvpStatus.GOING
    assert field(world.announcement(meetup).embeds[0], "Capacity").startswith("1 / 1 going · **full**")


async def test_the_card_shows_a_held_place_as_held(world: MeetupWorld) -> None:
    await offer_mode(world)
    meetup = await full_meetup(world)

    await answer(world, meetup, world.bob, "no")

    capacity = field(world.announcement(meetup).embeds[0], "Capacity")
    assert capacity == "0 / 1 going · 1 place **held** for the waitlist · **full**, 2 on the waitlist"
    late = await world.alice.click(world.announcement(meetup), custom_id=f"meetup:rsvp:{meetup.id}:going")
    assert "on the waitlist" in late.response.content  # the held place is not up for grabs


async def test_passing_offers_the_place_to_the_next(world: MeetupWorld, env: simcord.Env) -> None:
    await offer_mode(world)
    meetup = await full_meetup(world)
    await answer(world, meetup, world.bob, "no")

    passed = await world.carol.user.click(offer_dm(world.carol), label="Pass")
    await env.advance_time(5)  # the DM outbox paces its batches

    assert "goes to the next person" in passed.response.content
    assert (await statuses(world, meetup))[world.carol.id] is RsvpStatus.NO
    assert offer_dm(world.dave)
    assert (await statuses(world, meetup))[world.dave.id] is RsvpStatus.WAITLIST


async def test_an_unanswered_offer_expires_and_goes_to_the_next(world: MeetupWorld, env: simcord.Env) -> None:
    await offer_mode(world)
    meetup = await full_meetup(world)
    await answer(world, meetup, world.bob, "no")
    carols = offer_dm(world.carol)

    await env.advance_time(HOLD - 60)
    assert bot_dms(world.dave) == []
    await env.advance_time(120)

    assert offer_dm(world.dave)
    waitlist = await world.bot.services.meetups.members(meetup, RsvpStatus.WAITLIST)
    assert waitlist == [world.dave.id, world.carol.id]  # carol waits again, at the back
    late = await world.carol.user.click(carols, label="Claim")
    assert "Sorry" in late.response.content and "**#2**" in late.response.content
    assert (await statuses(world, meetup))[world.carol.id] is RsvpStatus.WAITLIST


async def test_an_offer_across_a_restart_expires_exactly_once(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await offer_mode(world)
    meetup = await full_meetup(world)
    await answer(world, meetup, world.bob, "no")

    await env.advance_time(HOUR)
    await restart(env, bot_factory)
    await env.advance_time(HOLD)
    await restart(env, bot_factory)
    await env.advance_time(HOUR)

    assert len([m for m in bot_dms(world.dave) if "held for you" in m.content]) == 1
    [expiry, second] = await tasks(world, meetup, OFFER_EXPIRE)
    assert (expiry.state, expiry.attempts) == (TaskState.DONE, 1)
    assert second.state is TaskState.PENDING
    offers = await world.bot.services.meetups.repo.open_offers(meetup.id)
    assert [o.member_id for o in offers] == [world.dave.id]
    claimed = await world.dave.user.click(offer_dm(world.dave), label="Claim")  # a button from before
    assert "you're **going**" in claimed.response.content


async def test_within_the_hold_of_the_start_a_place_is_given_at_once(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await offer_mode(world)
    meetup = await full_meetup(world)
    await advance_to(env, START - HOLD + 60)

    await answer(world, meetup, world.bob, "no")

    assert (await statuses(world, meetup))[world.carol.id] is RsvpStatus.GOING
    assert any("you're now **going**" in m.content for m in bot_dms(world.carol))
    assert await world.bot.services.meetups.repo.open_offers(meetup.id) == []


async def test_a_member_whose_dms_are_off_is_asked_in_the_thread(world: MeetupWorld) -> None:
    await offer_mode(world)
    meetup = await full_meetup(world)
    await world.carol.slash(world.general, "privacy dm", state="off")

    await answer(world, meetup, world.bob, "no")

    assert bot_dms(world.carol) == []
    [thread] = world.meetups.threads
    notice = thread.last_message
    assert world.carol.mention in notice.content and "held for you" in notice.content
    stored = world.env.backend.messages[thread.id][notice.id]
    assert stored.ping_user_ids == {world.carol.id} or set(stored.ping_user_ids) == {world.carol.id}
    claimed = await world.carol.click(notice, label="Claim")
    assert "you're **going**" in claimed.response.content
    dave_tries = await world.dave.click(notice, label="Claim")
    assert "offered to someone else" in dave_tries.response.content


async def test_in_auto_mode_a_freed_place_is_still_given_at_once(world: MeetupWorld) -> None:
    meetup = await full_meetup(world)

    await answer(world, meetup, world.bob, "no")

    assert (await statuses(world, meetup))[world.carol.id] is RsvpStatus.GOING
    assert await world.bot.services.meetups.repo.open_offers(meetup.id) == []


async def test_answering_going_on_the_card_claims_a_held_place(world: MeetupWorld) -> None:
    await offer_mode(world)
    meetup = await full_meetup(world)
    await answer(world, meetup, world.bob, "no")

    await answer(world, meetup, world.carol, "going")

    assert (await statuses(world, meetup))[world.carol.id] is RsvpStatus.GOING
    [offer] = [
        o
        for o in [await world.bot.services.meetups.offer(n) for n in range(1, 3)]
        if o is not None and o.member_id == world.carol.id
    ]
    assert offer.state is OfferState.CLAIMED


async def test_a_member_who_let_an_offer_lapse_is_not_asked_again_but_can_still_take_a_free_place(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await offer_mode(world)
    meetup = await create_meetup(world, capacity=1)
    await answer(world, meetup, world.bob)
    await answer(world, meetup, world.carol)  # the only one waiting
    await answer(world, meetup, world.bob, "no")
    assert offer_dm(world.carol)

    await env.advance_time(3 * HOLD)

    assert len([m for m in bot_dms(world.carol) if "held for you" in m.content]) == 1
    assert await world.bot.services.meetups.repo.open_offers(meetup.id) == []
    taken = await world.carol.click(world.announcement(meetup), custom_id=f"meetup:rsvp:{meetup.id}:going")
    assert "You are going" in taken.response.content
    assert (await statuses(world, meetup))[world.carol.id] is RsvpStatus.GOING
