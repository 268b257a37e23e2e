"""/privacy through the real bot: settings, export and forget, one server at a time."""

from __future__ import annotations

import json

import discord
import pytest
import simcord
from simcord.actors import MemberActor

from bot.domain.consent import DmMode
from bot.domain.profiles import DEFAULT_PREFERENCES, Preferences
from tests.behaviour.intro_steps import INTRO, configure, intro, intro_posts, moderator
from tests.world import World, build_world

pytestmark = pytest.mark.world("introductions")


async def preferences(world: World, member: MemberActor) -> Preferences:
    return await world.bot.services.profiles.preferences(world.guild.id, member.id)


async def rows_about(world: World, member: MemberActor, guild_id: int | None = None) -> int:
    db = world.bot.services.db
    guild = world.guild.id if guild_id is None else guild_id
    total = 0
    for table in ("profiles", "profile_interests", "member_preferences"):
        total += await db.fetchval(
            f"SELECT count(*) FROM {table} WHERE guild_id = ? AND member_id = ?",
            (guild, member.id),
        )
    return total


def field(embed: discord.Embed, name: str) -> str:
    return next(f.value for f in embed.fields if f.name == name)


# --- settings ---------------------------------------------------------------------------------------


async def test_show_lists_the_defaults_and_that_only_the_join_is_stored(world: World) -> None:
    result = await world.alice.slash(world.general, "privacy show")

    assert result.ephemeral
    embed = result.response.embeds[0]
    settings = field(embed, "Settings")
    assert "`discoverable` **on**" in settings
    assert "`dm` **replies**: I only DM you answers to what you did" in settings
    assert "`helper` **off**" in settings
    # When they joined (recorded for /stats) is all there is before they use anything.
    assert field(embed, "What Meetbridge stores about you here") == "• member milestones: 1"


async def test_show_counts_what_is_stored_after_an_intro(world: World) -> None:
    await intro(world, world.alice)

    embed = (await world.alice.slash(world.general, "privacy show")).response.embeds[0]

    stored = field(embed, "What Meetbridge stores about you here")
    assert "introduction: 1" in stored and "interests: 3" in stored


@pytest.mark.parametrize(
    ("command", "state", "expected"),
    [
        ("privacy discoverable", "off", Preferences(discoverable=False, dm=DmMode.REPLIES, helper=False)),
        ("privacy dm", "on", Preferences(discoverable=True, dm=DmMode.ON, helper=False)),
        ("privacy helper", "on", Preferences(discoverable=True, dm=DmMode.REPLIES, helper=True)),
        ("privacy dm", "off", Preferences(discoverable=True, dm=DmMode.OFF, helper=False)),
        ("privacy dm", "replies", DEFAULT_PREFERENCES),
    ],
)
async def test_each_setting_is_stored_and_confirmed(
    world: World, command: str, state: str, expected: Preferences
) -> None:
    result = await world.alice.slash(world.general, command, state=state)

    assert result.ephemeral
    assert f"is now **{state}**" in result.response.content
    assert await preferences(world, world.alice) == expected
    assert await preferences(world, world.bob) == DEFAULT_PREFERENCES


async def test_turning_discovery_off_removes_the_member_from_matching(world: World) -> None:
    await intro(world, world.alice)
    await intro(world, world.bob)
    profiles = world.bot.services.profiles

    await world.alice.slash(world.general, "privacy discoverable", state="off")

    assert [p.member_id for p in await profiles.list_profiles_for_matching(world.guild.id)] == [world.bob.id]
    await world.alice.slash(world.general, "privacy discoverable", state="on")
    assert len(await profiles.list_profiles_for_matching(world.guild.id)) == 2


async def test_helpers_are_found_by_interest_once_they_offer_help(world: World) -> None:
    await intro(world, world.alice, interests="python, hiking")
    await intro(world, world.bob, interests="python")
    profiles = world.bot.services.profiles
    assert await profiles.members_with_interest_and_helper(world.guild.id, "python") == []

    await world.bob.slash(world.general, "privacy helper", state="on")

    assert await profiles.members_with_interest_and_helper(world.guild.id, "python") == [world.bob.id]


# --- export -----------------------------------------------------------------------------------------


async def test_export_sends_every_stored_row_about_the_member_as_json(world: World, env: simcord.Env) -> None:
    await intro(world, world.alice)
    await intro(world, world.bob, about="Bob's own.")
    await world.alice.slash(world.general, "privacy helper", state="on")
    other = build_world(env, name="Another Server")
    await configure(other)
    alice_there = other.guild.add_member(world.alice.user)
    await env.settle()
    await intro(other, alice_there, about="Somewhere else.")

    result = await world.alice.slash(world.general, "privacy export")

    assert result.ephemeral
    [attachment] = result.response.attachments
    assert attachment.filename == f"meetbridge-{world.guild.id}-{world.alice.id}.json"
    data = json.loads(await attachment.read())
    assert data["guild_id"] == world.guild.id and data["member_id"] == world.alice.id
    assert data["exported_at"] == "2026-01-01T00:00:00+00:00"
    tables = data["tables"]
    [profile] = tables["profiles"]
    assert profile["about"] == INTRO["about"] and profile["city"] == "Portland"
    assert profile["intro_message_id"] == intro_posts(world)[0].id
    assert [row["tag"] for row in sorted(tables["profile_interests"], key=lambda r: r["position"])] == [
        "hiking",
        "javascript",
        "board games",
    ]
    assert tables["member_preferences"][0]["helper"] == 1
    every_row = [row for rows in tables.values() for row in rows]
    assert all(row["guild_id"] == world.guild.id and row["member_id"] == world.alice.id for row in every_row)


async def test_export_before_anything_else_holds_only_when_they_joined(world: World) -> None:
    result = await world.alice.slash(world.general, "privacy export")

    data = json.loads(await result.response.attachments[0].read())
    [joined] = data["tables"].pop("member_milestones")
    assert (joined["kind"], joined["member_id"]) == ("joined", world.alice.id)
    assert all(rows == [] for rows in data["tables"].values())


# --- forget -----------------------------------------------------------------------------------------


async def test_forget_asks_for_confirmation_first(world: World) -> None:
    await intro(world, world.alice)

    result = await world.alice.slash(world.general, "privacy forget")

    assert result.ephemeral and "cannot be undone" in result.response.content
    assert await rows_about(world, world.alice) == 4
    assert len(intro_posts(world)) == 1


async def test_confirmed_forget_deletes_every_row_and_the_intro_embed(world: World, env: simcord.Env) -> None:
    await intro(world, world.alice, interests="rare tag")
    await intro(world, world.bob)
    await world.alice.slash(world.general, "privacy dm", state="on")
    other = build_world(env, name="Another Server")
    await configure(other)
    alice_there = other.guild.add_member(world.alice.user)
    await env.settle()
    await intro(other, alice_there)
    profiles = world.bot.services.profiles
    assert "rare tag" in (await profiles.known_tags(world.guild.id)).tags

    prompt = await world.alice.slash(world.general, "privacy forget")
    done = await world.alice.click(prompt.response, label="Forget me")

    assert "deleted everything" in done.response.content
    assert done.response.components == []
    assert await rows_about(world, world.alice) == 0
    assert await profiles.get_profile(world.guild.id, world.alice.id) is None
    assert await preferences(world, world.alice) == DEFAULT_PREFERENCES
    assert "rare tag" not in (await profiles.known_tags(world.guild.id)).tags
    [remaining] = intro_posts(world)
    assert world.bob.mention in remaining.content
    assert await rows_about(world, world.bob) > 0
    assert await rows_about(world, world.alice, other.guild.id) > 0
    assert len(intro_posts(other)) == 1


async def test_cancelled_forget_deletes_nothing(world: World) -> None:
    await intro(world, world.alice)

    prompt = await world.alice.slash(world.general, "privacy forget")
    done = await world.alice.click(prompt.response, label="Cancel")

    assert "Nothing was deleted" in done.response.content
    assert await rows_about(world, world.alice) == 4
    assert len(intro_posts(world)) == 1


async def test_forget_after_the_intro_was_deleted_still_forgets(world: World, env: simcord.Env) -> None:
    await intro(world, world.alice)
    await moderator(world, env).delete(intro_posts(world)[0])

    prompt = await world.alice.slash(world.general, "privacy forget")
    done = await world.alice.click(prompt.response, label="Forget me")

    assert "deleted everything" in done.response.content
    assert await rows_about(world, world.alice) == 0


async def test_intro_after_forget_starts_from_an_empty_form(world: World) -> None:
    await intro(world, world.alice)
    prompt = await world.alice.slash(world.general, "privacy forget")
    await world.alice.click(prompt.response, label="Forget me")

    shown = await world.alice.slash(world.general, "intro")

    assert shown.modal is not None and shown.modal["title"] == "Introduce yourself"
    await world.alice.submit_modal(shown, INTRO)
    assert len(intro_posts(world)) == 1


async def test_show_says_what_each_setting_means_as_it_is_and_names_what_is_stored_in_words(
    world: World,
) -> None:
    await intro(world, world.alice)
    await world.alice.slash(world.general, "met", member=world.bob)

    embed = (await world.alice.slash(world.general, "privacy show")).response.embeds[0]

    settings = field(embed, "Settings")
    assert "`helper` **off**: nobody can mention you for questions" in settings
    assert "may be mentioned" not in settings
    stored = field(embed, "What Meetbridge stores about you here")
    assert "people you said you met: 1" in stored
    assert "_" not in stored  # no table names
