"""/match through the real bot: rarer shared interests first, distances rounded, discovery respected."""

from __future__ import annotations

import pytest

from tests.behaviour.connect_world import (
    add_member,
    embed_lines,
    introduce,
    mentioned_in_order,
    privacy,
)
from tests.world import World

pytestmark = pytest.mark.world("connect")


async def test_a_rare_shared_interest_ranks_above_a_common_one(world: World) -> None:
    carol, dave, erin = (add_member(world, name) for name in ("carol", "dave", "erin"))
    await introduce(world, world.alice, "chess, hiking")
    await introduce(world, world.bob, "hiking, cooking")
    await introduce(world, carol, "chess, knitting")
    await introduce(world, dave, "hiking")
    await introduce(world, erin, "hiking, pottery")

    result = await world.alice.slash(world.general, "match")

    assert result.ephemeral
    lines = embed_lines(result)
    assert len(lines) == 4
    assert f"<@{carol.id}>" in lines[0] and "chess" in lines[0].lower()
    assert mentioned_in_order("\n".join(lines), [world.alice, world.bob, carol, dave, erin])[0] is carol
    assert all(f"<@{world.alice.id}>" not in line for line in lines)
    assert "knitting" not in lines[0]  # only what is shared is shown


async def test_within_km_keeps_members_near_the_asker_and_shows_a_rounded_distance(world: World) -> None:
    carol = add_member(world, "carol")
    await introduce(world, world.alice, "chess", city="Berlin")
    await introduce(world, world.bob, "chess", city="Potsdam")
    await introduce(world, carol, "chess", city="Munich")

    everyone = embed_lines(await world.alice.slash(world.general, "match"))
    near = embed_lines(await world.alice.slash(world.general, "match", within_km=50))

    assert [f"<@{world.bob.id}>" in line for line in everyone] == [True, False]  # nearer first among equals
    assert len(near) == 1 and f"<@{world.bob.id}>" in near[0]
    assert "~25 km away" in near[0]  # Berlin to Potsdam is about 27 km, shown to the nearest 5
    assert "~500 km away" in everyone[1]


async def test_within_km_without_a_city_is_refused_with_an_example(world: World) -> None:
    await introduce(world, world.alice, "chess")
    await introduce(world, world.bob, "chess", city="Potsdam")

    result = await world.alice.slash(world.general, "match", within_km=50)

    assert result.ephemeral
    assert "city" in result.response.content
    assert "Try: /match within_km:50" in result.response.content


async def test_members_who_turned_discovery_off_never_appear(world: World) -> None:
    carol = add_member(world, "carol")
    for member in (world.alice, world.bob, carol):
        await introduce(world, member, "board games")
    before = embed_lines(await world.alice.slash(world.general, "match"))
    await privacy(world, world.bob, "discoverable", "off")
    await privacy(world, world.alice, "discoverable", "off")  # hidden askers can still search

    after = embed_lines(await world.alice.slash(world.general, "match"))

    assert len(before) == 2
    assert len(after) == 1 and f"<@{carol.id}>" in after[0]
    carol_sees = await carol.slash(world.general, "match")
    assert "Nobody here shares your interests" in carol_sees.response.content  # both are hidden now


async def test_a_named_interest_is_normalised_and_counts_even_if_the_asker_lacks_it(world: World) -> None:
    await introduce(world, world.alice, "chess")
    await introduce(world, world.bob, "board games, chess")

    result = await world.alice.slash(world.general, "match", interest="Board-Games")

    lines = embed_lines(result)
    assert len(lines) == 1 and f"<@{world.bob.id}>" in lines[0]
    assert "board games" in result.response.embeds[0].title.lower()


async def test_match_without_a_profile_says_to_run_intro_first(world: World) -> None:
    await introduce(world, world.bob, "chess")

    result = await world.alice.slash(world.general, "match")

    assert result.ephemeral
    assert "run `/intro` first" in result.response.content and "Try:" not in result.response.content


async def test_an_edited_introduction_is_matched_on_its_new_interests(world: World) -> None:
    await introduce(world, world.alice, "chess")
    await introduce(world, world.bob, "cooking")
    assert "Nobody" in (await world.alice.slash(world.general, "match")).response.content

    await introduce(world, world.bob, "cooking, chess")

    lines = embed_lines(await world.alice.slash(world.general, "match"))
    assert len(lines) == 1 and f"<@{world.bob.id}>" in lines[0]


async def test_members_who_left_the_server_are_not_listed(world: World) -> None:
    carol = add_member(world, "carol")
    for member in (world.alice, world.bob, carol):
        await introduce(world, member, "chess")

    world.guild.remove_member(carol)
    lines = embed_lines(await world.alice.slash(world.general, "match"))

    assert len(lines) == 1 and f"<@{world.bob.id}>" in lines[0]
