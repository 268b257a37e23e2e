"""Welcome, /intro and /profile through the real bot: what members see and what is stored."""

from __future__ import annotations

from typing import Any

import discord
import pytest
import simcord

from bot.domain.profiles import IntroMessage, MemberStats
from tests.behaviour.intro_steps import INTRO, configure, intro, intro_posts, moderator, stored
from tests.world import World, build_world

pytestmark = pytest.mark.world("server")


@pytest.fixture
async def world(world: World) -> World:
    await world.env.settle()  # the world's own members have joined before any channel is set
    return world


def modal_values(shown: simcord.InteractionResult) -> dict[str, Any]:
    assert shown.modal is not None
    return {
        field["custom_id"]: field.get("value")
        for row in shown.modal["components"]
        for field in row["components"]
    }


def field(embed: discord.Embed, name: str) -> str:
    return next(f.value for f in embed.fields if f.name == name)


# --- welcome ------------------------------------------------------------------------------------


async def test_a_member_who_joins_is_welcomed_in_the_introductions_channel(
    world: World, env: simcord.Env
) -> None:
    await configure(world)

    newbie = world.guild.add_member(env.create_user("newbie"))
    await env.settle()

    welcome = world.introductions.last_message
    assert welcome is not None
    assert newbie.mention in welcome.content
    assert "/intro" in welcome.content
    assert world.general.history() == []


async def test_no_welcome_is_posted_without_an_introductions_channel(world: World, env: simcord.Env) -> None:
    world.guild.add_member(env.create_user("newbie"))
    await env.settle()

    assert all(channel.history() == [] for channel in (world.introductions, world.general))
    shown = (await world.admin.slash(world.general, "config show")).response.embeds[0]
    assert "No introductions channel (new members are not welcomed" in field(shown, "Still missing")


async def test_a_bot_joining_is_not_welcomed(world: World, env: simcord.Env) -> None:
    await configure(world)

    world.guild.add_member(env.create_user("otherbot", bot=True))
    await env.settle()

    assert world.introductions.history() == []


# --- /intro ---------------------------------------------------------------------------------------


async def test_intro_without_an_introductions_channel_is_refused_before_the_form(world: World) -> None:
    result = await world.alice.slash(world.general, "intro")

    assert result.modal is None
    assert result.ephemeral
    assert "no introductions channel" in result.response.content
    assert "/config channel purpose:introductions" in result.response.content


async def test_intro_opens_an_empty_form_with_the_public_field_names(world: World) -> None:
    await configure(world)

    shown = await world.alice.slash(world.general, "intro")

    assert modal_values(shown) == {"about": None, "interests": None, "city": None, "links": None}


async def test_submitting_intro_posts_an_embed_and_stores_the_profile(world: World) -> None:
    await configure(world)

    result = await intro(world, world.alice)

    assert result.ephemeral and "Your introduction is posted!" in result.response.content
    [post] = intro_posts(world)
    embed = post.embeds[0]
    assert world.alice.mention in post.content
    assert embed.author.name == "alice" and embed.author.icon_url
    assert embed.description == INTRO["about"]
    assert field(embed, "Interests") == "`hiking` `JavaScript` `board games`"
    assert field(embed, "City") == "📍 Portland, Oregon, US"
    assert field(embed, "Links") == "https://github.com/alice\nMastodon: @alice@example.social"
    profile = await stored(world, world.alice)
    assert profile is not None
    assert profile.about == INTRO["about"]
    assert profile.interests == ("hiking", "javascript", "board games")
    assert profile.city == "Portland"
    assert profile.place is not None and profile.place.display == "Portland, Oregon, US"
    assert profile.place.timezone == "America/Los_Angeles"
    assert profile.links == ("https://github.com/alice", "Mastodon: @alice@example.social")
    assert profile.intro == IntroMessage(world.introductions.id, post.id)


async def test_intro_does_not_ping_anyone(world: World, env: simcord.Env) -> None:
    await configure(world)

    await intro(world, world.alice)

    [post] = [r for r in env.http_requests if r.method == "POST" and r.path.endswith("/messages")]
    assert post.json["allowed_mentions"]["parse"] == []
    assert not post.json["allowed_mentions"].get("users")


async def test_second_intro_is_prefilled_and_edits_the_same_message(world: World) -> None:
    await configure(world)
    await intro(world, world.alice)
    [first] = intro_posts(world)

    shown = await world.alice.slash(world.general, "intro")
    assert modal_values(shown) == {
        "about": INTRO["about"],
        "interests": "hiking, JavaScript, board games",
        "city": "Portland",
        "links": "https://github.com/alice\nMastodon: @alice@example.social",
    }
    values = {**modal_values(shown), "about": "Now into chess too.", "interests": "hiking, chess"}
    result = await world.alice.submit_modal(shown, values)

    assert "Your introduction is updated." in result.response.content
    [post] = intro_posts(world)
    assert post.id == first.id
    assert post.embeds[0].description == "Now into chess too."
    assert field(post.embeds[0], "Interests") == "`hiking` `chess`"
    profile = await stored(world, world.alice)
    assert profile is not None and profile.interests == ("hiking", "chess")
    assert profile.intro == IntroMessage(world.introductions.id, first.id)


async def test_intro_posts_a_new_message_when_the_old_one_was_deleted(world: World, env: simcord.Env) -> None:
    await configure(world)
    await intro(world, world.alice)
    [first] = intro_posts(world)
    await moderator(world, env).delete(first)

    await intro(world, world.alice, about="Back again.")

    [post] = intro_posts(world)
    assert post.id != first.id and post.embeds[0].description == "Back again."
    profile = await stored(world, world.alice)
    assert profile is not None and profile.intro == IntroMessage(world.introductions.id, post.id)


async def test_typed_synonyms_and_typos_merge_into_the_servers_tags(world: World) -> None:
    await configure(world)
    await intro(world, world.bob, interests="javascript, photography")

    await intro(world, world.alice, interests="JS, Javascrpt, photograpy, Board Games, boardgames")

    alice = await stored(world, world.alice)
    assert alice is not None
    assert alice.interests == ("javascript", "photography", "board games")
    tags = await world.bot.services.profiles.known_tags(world.guild.id)
    assert tags.tags == {"javascript", "photography", "board games"}


async def test_twenty_one_interests_are_refused_and_nothing_is_stored(world: World) -> None:
    await configure(world)
    many = ", ".join(f"topic{i:02d}" for i in range(21))

    result = await intro(world, world.alice, interests=many)

    assert result.ephemeral
    assert "21 interests; the limit is 20" in result.response.content
    assert "Try: " in result.response.content
    assert await stored(world, world.alice) is None
    assert intro_posts(world) == []


async def test_a_refused_edit_keeps_the_previous_profile_and_post(world: World) -> None:
    await configure(world)
    await intro(world, world.alice)
    before = await stored(world, world.alice)

    result = await intro(world, world.alice, about="changed", interests="x" * 41)

    assert "at most 40" in result.response.content
    assert await stored(world, world.alice) == before
    [post] = intro_posts(world)
    assert post.embeds[0].description == INTRO["about"]


@pytest.mark.parametrize(
    ("links", "complaint"),
    [
        ("javascript:alert(1)", "not a web link"),
        (", ".join(f"https://site{i}.example" for i in range(6)), "the limit is 5"),
        ("https://example.com/" + "a" * 190, "at most 200"),
    ],
)
async def test_bad_links_are_refused_and_nothing_is_stored(world: World, links: str, complaint: str) -> None:
    await configure(world)

    result = await intro(world, world.alice, links=links)

    assert complaint in result.response.content
    assert await stored(world, world.alice) is None
    assert intro_posts(world) == []


async def test_city_and_links_are_optional(world: World) -> None:
    await configure(world)

    await intro(world, world.alice, city="", links="")

    profile = await stored(world, world.alice)
    assert profile is not None and profile.city is None and profile.place is None and profile.links == ()
    [post] = intro_posts(world)
    assert field(post.embeds[0], "City") == "—" and field(post.embeds[0], "Links") == "—"


# --- places (the offline gazetteer answers in tests) -------------------------------------------------------


async def test_city_is_geocoded_to_city_level_coordinates_and_a_timezone(world: World) -> None:
    await configure(world)

    await intro(world, world.alice, city="Portland, OR")

    profile = await stored(world, world.alice)
    assert profile is not None and profile.place is not None
    assert profile.place.name == "Portland" and profile.place.country == "US"
    assert profile.place.timezone == "America/Los_Angeles"
    assert round(profile.place.latitude, 2) == profile.place.latitude


async def test_an_ambiguous_city_picks_the_most_populous_and_says_how_to_be_precise(world: World) -> None:
    await configure(world)

    result = await intro(world, world.alice, city="Springfield")

    assert "Several places are called Springfield" in result.response.content
    assert "Springfield, MA" in result.response.content
    profile = await stored(world, world.alice)
    assert profile is not None and profile.place is not None and profile.place.name == "Springfield"


async def test_an_unknown_city_is_refused_with_an_example_and_nothing_is_stored(world: World) -> None:
    await configure(world)

    result = await intro(world, world.alice, city="Qwxzzyville Nowhere")

    assert "couldn't find" in result.response.content and "Try: " in result.response.content
    assert await stored(world, world.alice) is None
    assert intro_posts(world) == []


async def test_a_street_address_is_reduced_to_its_city(world: World) -> None:
    await configure(world)

    await intro(world, world.alice, city="1600 Pennsylvania Avenue NW, Washington, DC")

    profile = await stored(world, world.alice)
    assert profile is not None and profile.place is not None and profile.place.name == "Washington"
    assert "Pennsylvania" not in (profile.city or "")
    rows = await world.bot.services.db.fetchall("SELECT * FROM profiles")
    assert not any("Pennsylvania" in str(value) for row in rows for value in tuple(row))


# --- /profile -------------------------------------------------------------------------------------


async def test_profile_shows_your_own_profile_with_counts_and_settings(world: World) -> None:
    await configure(world)
    await intro(world, world.alice)

    result = await world.alice.slash(world.general, "profile")

    assert result.ephemeral
    embed = result.response.embeds[0]
    assert embed.author.name == "alice"
    assert embed.description == INTRO["about"]
    assert field(embed, "Interests") == "`hiking` `JavaScript` `board games`"
    assert field(embed, "City") == "📍 Portland, Oregon, US"
    assert "https://github.com/alice" in field(embed, "Links")
    assert field(embed, "Meetups attended") == "0"
    assert field(embed, "Met in person") == "0"
    assert embed.footer.text.startswith("Discoverable on · DMs replies · Helper off")


async def test_profile_of_another_member_shows_theirs_without_their_settings(world: World) -> None:
    await configure(world)
    await intro(world, world.bob, about="Bob here.", interests="chess")

    result = await world.alice.slash(world.general, "profile", member=world.bob)

    assert result.ephemeral
    embed = result.response.embeds[0]
    assert embed.author.name == "bob" and embed.description == "Bob here."
    assert field(embed, "Interests") == "`chess`"
    assert embed.footer.text is None


async def test_profile_counts_come_from_the_registered_stats_provider(world: World) -> None:
    class Counted:
        async def stats(self, guild_id: int, member_id: int) -> MemberStats:
            return MemberStats(meetups_attended=3, met_in_person=7)

    await configure(world)
    await intro(world, world.alice)
    world.bot.services.profiles.use_stats(Counted())

    embed = (await world.alice.slash(world.general, "profile")).response.embeds[0]

    assert (field(embed, "Meetups attended"), field(embed, "Met in person")) == ("3", "7")


async def test_profile_of_someone_without_an_introduction_says_so(world: World) -> None:
    mine = await world.alice.slash(world.general, "profile")
    theirs = await world.alice.slash(world.general, "profile", member=world.bob)

    assert mine.ephemeral and "haven't introduced yourself" in mine.response.content
    assert "run `/intro`" in mine.response.content and "Try:" not in mine.response.content
    assert "hasn't introduced themselves" in theirs.response.content


async def test_a_hidden_member_is_still_shown_by_profile(world: World) -> None:
    await configure(world)
    await intro(world, world.bob, about="Bob here.")
    await world.bob.slash(world.general, "privacy discoverable", state="off")

    result = await world.alice.slash(world.general, "profile", member=world.bob)

    assert result.response.embeds[0].description == "Bob here."


# --- servers ----------------------------------------------------------------------------------------


async def test_a_second_server_cannot_see_the_profile(world: World, env: simcord.Env) -> None:
    await configure(world)
    await intro(world, world.alice)
    other = build_world(env, name="Another Server")
    alice_there = other.guild.add_member(world.alice.user)
    await env.settle()

    mine = await alice_there.slash(other.general, "profile")
    theirs = await other.admin.slash(other.general, "profile", member=alice_there)

    assert "haven't introduced yourself" in mine.response.content
    assert "hasn't introduced themselves" in theirs.response.content
    profiles = world.bot.services.profiles
    assert await profiles.list_profiles_for_matching(other.guild.id) == []
    assert (await profiles.known_tags(other.guild.id)).tags == frozenset()


async def test_intro_in_a_second_server_is_a_separate_profile(world: World, env: simcord.Env) -> None:
    await configure(world)
    await intro(world, world.alice)
    other = build_world(env, name="Another Server")
    alice_there = other.guild.add_member(world.alice.user)
    await env.settle()
    await configure(other)

    shown = await alice_there.slash(other.general, "intro")
    assert modal_values(shown)["about"] is None
    await alice_there.submit_modal(shown, {**INTRO, "about": "Elsewhere.", "interests": "chess"})

    here = await stored(world, world.alice)
    assert here is not None and here.about == INTRO["about"]
    [post] = intro_posts(world)
    assert post.embeds[0].description == INTRO["about"]
