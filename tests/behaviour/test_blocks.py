"""/block through the real bot: silent, listed only to the one who blocked, and in effect both ways:
never grouped, matched, routed by /ask or introduced, and /profile shows only the public post."""

from __future__ import annotations

import json

import pytest
import simcord
from simcord.actors import MemberActor

from tests.behaviour.connect_world import add_member, introduce, privacy
from tests.behaviour.followup_world import END, advance_to, answer, create_meetup, dms, thread_messages
from tests.behaviour.meetup_world import MeetupWorld
from tests.behaviour.pairing_steps import (
    WEEK,
    bot_messages,
    groups,
    joined_member,
    joiner,
    run_round,
    thread_of,
)
from tests.world import World

pytestmark = pytest.mark.world("connect")


def bot_dms(member: MemberActor) -> list:
    channel = member.user.dm_channel
    return [] if channel is None else [m for m in channel.history() if m.author.bot]


def public_posts(env: simcord.Env) -> int:
    """Messages of the bot anyone but the one who acted could see (not ephemeral)."""
    bot_id = env.bot.user.id
    return sum(
        1
        for channel in env.backend.messages.values()
        for message in channel.values()
        if message.author_id == bot_id and not message.is_ephemeral
    )


async def block(world: World, member: MemberActor, other: MemberActor) -> simcord.InteractionResult:
    result = await member.slash(world.general, "block", member=other)
    assert "You blocked" in result.response.content, result.response.content
    return result


def match_text(result: simcord.InteractionResult) -> str:
    if result.response.embeds:
        return json.dumps(result.response.embeds[0].to_dict())
    return result.response.content


# -- the commands ---------------------------------------------------------------------------------


async def test_a_block_is_silent_and_listed_only_to_the_member_who_blocked(
    world: World, env: simcord.Env
) -> None:
    posts = public_posts(env)

    result = await block(world, world.alice, world.bob)

    assert result.ephemeral and "They are not told" in result.response.content
    assert public_posts(env) == posts and bot_dms(world.bob) == []
    listed = await world.alice.slash(world.general, "block")
    assert listed.ephemeral and world.bob.mention in listed.response.content
    assert "blocked 1 member" in listed.response.content
    theirs = await world.bob.slash(world.general, "block")
    assert "You haven't blocked anyone" in theirs.response.content
    assert world.alice.mention not in theirs.response.content


async def test_blocking_again_changes_nothing_and_unblock_undoes_it(world: World) -> None:
    await block(world, world.alice, world.bob)

    again = await world.alice.slash(world.general, "block", member=world.bob)
    assert "already blocked" in again.response.content
    undone = await world.alice.slash(world.general, "unblock", member=world.bob)

    assert undone.ephemeral and "You unblocked" in undone.response.content
    assert not await world.bot.services.blocks.between(world.guild.id, world.alice.id, world.bob.id)
    nothing = await world.alice.slash(world.general, "unblock", member=world.bob)
    assert "hadn't blocked" in nothing.response.content


async def test_blocking_yourself_or_a_bot_is_refused(world: World, env: simcord.Env) -> None:
    yourself = await world.alice.slash(world.general, "block", member=world.alice)
    bot = world.guild.add_member(env.create_user("helperbot", bot=True))
    robot = await world.alice.slash(world.general, "block", member=bot)

    assert "can't block yourself" in yourself.response.content
    assert "Bots" in robot.response.content
    assert await world.bot.services.blocks.blocked_by(world.guild.id, world.alice.id) == []


# -- pairing --------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 3, 4])
@pytest.mark.parametrize("who_blocks", ["alice", "bob"])
async def test_a_round_never_groups_a_blocked_pair_and_leaves_nobody_out(
    world: World, size: int, who_blocks: str
) -> None:
    """alice and bob share two rare interests (each other's best partner); blocked, either way,
    the round re-forms around them and everyone still gets a group."""
    await joiner(world, world.alice, "falconry, origami, chess")
    await joiner(world, world.bob, "falconry, origami, chess")
    others = [await joined_member(world, f"m{n}", "chess") for n in range(2 * size - 2)]
    await world.admin.slash(world.general, "config pairing", cadence="weekly", size=size)
    blocker, blocked = (world.alice, world.bob) if who_blocks == "alice" else (world.bob, world.alice)
    await block(world, blocker, blocked)

    result = await run_round(world)

    assert "2 groups" in result.response.content, result.response.content
    found = await groups(world)
    assert not any({world.alice.id, world.bob.id} <= set(g.member_ids) for g in found)
    placed = {m for g in found for m in g.member_ids}
    assert placed == {world.alice.id, world.bob.id, *(m.id for m in others)}


async def test_a_member_blocked_by_everyone_else_is_left_out_without_a_word_about_blocks(
    world: World,
) -> None:
    await joiner(world, world.alice, "chess")
    await joiner(world, world.bob, "chess")
    carol = await joined_member(world, "carol", "chess")
    await block(world, world.bob, world.alice)
    await block(world, carol, world.alice)

    await run_round(world)

    [group] = await groups(world)
    assert set(group.member_ids) == {world.bob.id, carol.id}
    announcement = world.pairing.history()[-1]
    assert world.alice.mention in announcement.content
    assert "block" not in announcement.content.lower()
    assert "grouped with everyone" not in announcement.content


async def test_in_person_answers_between_members_who_blocked_since_record_nothing(
    world: World, env: simcord.Env
) -> None:
    await joiner(world, world.alice, "chess")
    await joiner(world, world.bob, "chess")
    await run_round(world)
    (group,) = await groups(world)
    thread = thread_of(world, group)
    await block(world, world.alice, world.bob)  # during the round
    await env.advance_time(WEEK)
    (ask,) = bot_messages(thread, "🏁")

    await world.alice.click(ask, label="In person")
    second = await world.bob.click(ask, label="In person")

    assert "both said you met" not in second.response.content
    assert await world.bot.services.meetings.meeting(world.guild.id, world.alice.id, world.bob.id) is None
    assert bot_dms(world.alice) == [] and bot_dms(world.bob) == []


# -- /match, /ask, /met, /profile -----------------------------------------------------------------


async def test_match_hides_a_blocked_pair_from_each_other_both_ways(world: World) -> None:
    carol = add_member(world, "carol")
    for member in (world.alice, world.bob, carol):
        await introduce(world, member, "chess, go")
    await block(world, world.alice, world.bob)

    mine = match_text(await world.alice.slash(world.general, "match"))
    theirs = match_text(await world.bob.slash(world.general, "match"))
    carols = match_text(await carol.slash(world.general, "match"))

    assert world.bob.mention not in mine and carol.mention in mine
    assert world.alice.mention not in theirs and carol.mention in theirs
    assert world.alice.mention in carols and world.bob.mention in carols


async def test_match_still_lists_ten_when_a_blocked_member_would_have_been_among_them(world: World) -> None:
    await introduce(world, world.alice, "chess")
    await introduce(world, world.bob, "chess")
    for n in range(10):
        await introduce(world, add_member(world, f"p{n}"), "chess")
    await block(world, world.bob, world.alice)

    answer = await world.bot.services.matching.match(world.guild.id, world.alice.id, now=0)

    assert len(answer.matches) == 10 and world.bob.id not in {m.member_id for m in answer.matches}


async def test_ask_never_mentions_a_blocked_helper_either_way(world: World) -> None:
    carol = add_member(world, "carol")
    for member in (world.alice, world.bob, carol):
        await introduce(world, member, "python")
        await privacy(world, member, "helper", "on")
    await block(world, world.alice, world.bob)

    await world.alice.slash(world.general, "ask", topic="python", question="Which CSV library?")
    await world.bob.slash(world.general, "ask", topic="python", question="Which web framework?")

    first, second = [m for m in world.support.history() if m.embeds]
    assert world.bob.mention not in first.content and carol.mention in first.content
    assert world.alice.mention not in second.content and carol.mention in second.content


async def test_met_between_a_blocked_pair_records_nothing_and_reveals_nothing(world: World) -> None:
    await introduce(world, world.alice, "chess")
    await introduce(world, world.bob, "chess")
    await block(world, world.alice, world.bob)
    one_sided = await world.bob.slash(world.general, "met", member=add_member(world, "carol"))

    theirs = await world.bob.slash(world.general, "met", member=world.alice)
    mine = await world.alice.slash(world.general, "met", member=world.bob)

    # bob, who was blocked, reads exactly what any one-sided pick reads.
    carol_id = one_sided.response.content.split("<@")[1].split(">")[0]
    assert theirs.response.content.replace(str(world.alice.id), "X") == one_sided.response.content.replace(
        carol_id, "X"
    )
    assert "You blocked" in mine.response.content and mine.ephemeral
    assert await world.bot.services.meetings.met_count(world.guild.id, world.alice.id) == 0
    picks = await world.bot.services.db.fetchval(
        "SELECT COUNT(*) FROM meeting_picks WHERE guild_id = ? AND member_id IN (?, ?) "
        "AND picked_member_id IN (?, ?)",
        (world.guild.id, world.alice.id, world.bob.id, world.alice.id, world.bob.id),
    )
    assert picks == 0 and bot_dms(world.alice) == [] and bot_dms(world.bob) == []


async def test_profile_shows_a_blocked_pair_only_the_public_introduction(world: World) -> None:
    carol = add_member(world, "carol")
    for member in (world.alice, world.bob, carol):
        await introduce(world, member, "chess")
    await block(world, world.alice, world.bob)

    theirs = await world.bob.slash(world.general, "profile", member=world.alice)
    mine = await world.alice.slash(world.general, "profile", member=world.bob)
    carols = await carol.slash(world.general, "profile", member=world.alice)

    for result in (theirs, mine):
        fields = [f.name for f in result.response.embeds[0].fields]
        assert fields == ["Interests", "City", "Links"], fields
    assert "Met in person" in [f.name for f in carols.response.embeds[0].fields]


# -- privacy --------------------------------------------------------------------------------------


async def export(world: World, member: MemberActor) -> dict:
    result = await member.slash(world.general, "privacy export")
    return json.loads(await result.response.attachments[0].read())


async def test_export_shows_ones_own_blocks_and_never_who_blocked_you(world: World) -> None:
    await block(world, world.alice, world.bob)

    mine = await export(world, world.alice)
    theirs = await export(world, world.bob)

    assert [row["blocked_member_id"] for row in mine["tables"]["member_blocks"]] == [world.bob.id]
    assert theirs["tables"]["member_blocks"] == []
    assert str(world.alice.id) not in json.dumps(theirs)


@pytest.mark.parametrize("forgetting", ["alice", "bob"])
async def test_forget_removes_the_blocks_of_either_side(world: World, forgetting: str) -> None:
    await block(world, world.alice, world.bob)
    member = world.alice if forgetting == "alice" else world.bob

    prompt = await member.slash(world.general, "privacy forget")
    await member.click(prompt.response, label="Forget me")

    assert not await world.bot.services.blocks.between(world.guild.id, world.alice.id, world.bob.id)


# -- after a meetup -------------------------------------------------------------------------------


def picker_options(result: simcord.InteractionResult) -> list[str]:
    [row] = result.response.components
    [menu] = row["components"]
    return [option["label"] for option in menu["options"]]


@pytest.mark.simcord(settle_timeout=1.5)
@pytest.mark.world("meetups and introductions")
async def test_mutual_picks_after_a_meetup_between_a_blocked_pair_record_and_reveal_nothing(
    world: MeetupWorld, env: simcord.Env
) -> None:
    meetup = await create_meetup(world)
    for member in (world.bob, world.carol, world.dave):
        await answer(world, meetup, member)
    await advance_to(env, END)
    who_came = next(m for m in thread_messages(world) if m.content.startswith("👋 **Who came?**"))
    bob_checked = await world.bob.click(who_came, label="I was there")
    await world.bob.select(bob_checked.response, [str(world.carol.id)])  # before the evening went wrong
    await block(world, world.bob, world.carol)

    carol_checked = await world.carol.click(who_came, label="I was there")
    picked = await world.carol.select(carol_checked.response, [str(world.bob.id)])

    assert "picked each other" not in (picked.response.content or "")
    assert await world.bot.services.meetings.meeting(world.guild.id, world.bob.id, world.carol.id) is None
    assert dms(world.bob) == [] and dms(world.carol) == []
    # Checking in again, bob's list leaves out whom he blocked; carol's is the full list (nothing
    # tells her).
    assert picker_options(await world.bob.click(who_came, label="I was there")) == ["dave"]
    assert picker_options(carol_checked) == ["bob", "dave"]
