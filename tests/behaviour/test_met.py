"""/met: meeting in person is recorded only when both say so, and then both are introduced."""

from __future__ import annotations

import pytest
import simcord

from tests.behaviour.intro_steps import intro
from tests.world import World, build_world

pytestmark = pytest.mark.world("introductions")


def dms(member) -> list:
    return [m for m in member.user.dm_channel.history() if m.author.bot]


async def met_count(world: World, member) -> int:
    return await world.bot.services.meetings.met_count(world.guild.id, member.id)


async def test_a_one_sided_pick_is_recorded_but_never_revealed(world: World) -> None:
    result = await world.alice.slash(world.general, "met", member=world.bob)

    assert result.ephemeral
    assert "not told" in result.response.content
    assert dms(world.bob) == [] and dms(world.alice) == []
    assert await met_count(world, world.alice) == 0


async def test_mutual_picks_introduce_both_by_dm_and_record_the_meeting(world: World) -> None:
    await intro(world, world.alice, about="Alice here, web apps and hikes.")
    await intro(world, world.bob, about="Bob: board games every Friday.", interests="board games, chess")
    await world.alice.slash(world.general, "met", member=world.bob)

    result = await world.bob.slash(world.general, "met", member=world.alice)

    assert "both said you met" in result.response.content
    to_alice, to_bob = dms(world.alice), dms(world.bob)
    assert len(to_alice) == 1 and len(to_bob) == 1
    assert to_alice[0].embeds[0].description == "Bob: board games every Friday."
    assert to_bob[0].embeds[0].description == "Alice here, web apps and hikes."
    assert "bob" in to_alice[0].content.lower()
    assert await met_count(world, world.alice) == 1 and await met_count(world, world.bob) == 1
    profile = await world.alice.slash(world.general, "profile")
    assert next(f.value for f in profile.response.embeds[0].fields if f.name == "Met in person") == "1"


async def test_picking_again_does_not_introduce_twice(world: World) -> None:
    await world.alice.slash(world.general, "met", member=world.bob)
    await world.bob.slash(world.general, "met", member=world.alice)

    await world.bob.slash(world.general, "met", member=world.alice)

    assert len(dms(world.alice)) == 1
    assert await met_count(world, world.bob) == 1


async def test_a_member_with_closed_dms_does_not_stop_the_other_introduction(
    world: World, env: simcord.Env
) -> None:
    await world.alice.slash(world.general, "met", member=world.bob)
    env.inject_error("POST", f"/channels/{world.alice.user.dm_channel.id}/messages", status=403, code=50007)

    result = await world.bob.slash(world.general, "met", member=world.alice)

    assert len(dms(world.bob)) == 1
    assert dms(world.alice) == []
    assert await met_count(world, world.alice) == 1
    assert "DMs are closed" not in result.response.content  # Bob's own DM went out


async def test_you_cannot_meet_yourself(world: World) -> None:
    result = await world.alice.slash(world.general, "met", member=world.alice)

    assert result.ephemeral and "yourself" in result.response.content
    assert "Try: /met member:" in result.response.content


async def test_meetings_do_not_cross_servers(world: World, env: simcord.Env) -> None:
    await world.alice.slash(world.general, "met", member=world.bob)
    await world.bob.slash(world.general, "met", member=world.alice)
    other = build_world(env, name="Elsewhere")

    assert await world.bot.services.meetings.met_count(other.guild.id, world.alice.id) == 0


async def test_an_export_never_shows_who_picked_you(world: World) -> None:
    import json

    await world.alice.slash(world.general, "met", member=world.bob)

    theirs = await world.bob.slash(world.general, "privacy export")
    mine = await world.alice.slash(world.general, "privacy export")

    bob_data = json.loads(await theirs.response.attachments[0].read())
    alice_data = json.loads(await mine.response.attachments[0].read())
    assert bob_data["tables"]["meeting_picks"] == []
    assert [row["picked_member_id"] for row in alice_data["tables"]["meeting_picks"]] == [world.bob.id]
