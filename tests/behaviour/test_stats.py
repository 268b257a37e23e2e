"""/stats through the real bot: a server built with the real commands gives exactly the expected
figures, with a chart; members are refused (and see their own story with /stats me); a member who
forgot is gone from the figures; nothing crosses servers."""

from __future__ import annotations

import io
import sys

import discord
import pytest
import simcord
from PIL import Image
from simcord.actors import MemberActor

from bot.domain.stats import FEWER
from tests.behaviour.connect_world import add_member, introduce
from tests.behaviour.followup_world import DAY, END, advance_to, answer, create_meetup, now
from tests.behaviour.meetup_world import MeetupWorld, build_meetup_world, plan

pytestmark = [pytest.mark.simcord(settle_timeout=3), pytest.mark.world("every channel")]


async def check_in_and_pick(world: MeetupWorld, member: MemberActor, *picked: MemberActor) -> None:
    messages = [m for thread in world.meetups.threads for m in thread.history()]
    who_came = next(m for m in messages if m.content.startswith("👋 **Who came?**"))
    checked = await member.click(who_came, label="I was there")
    if not picked:
        return
    [row] = checked.response.components
    [menu] = row["components"]
    values = [str(p.id) for p in picked] if menu["type"] == 3 else list(picked)
    await member.select(checked.response, values)


async def build_community(world: MeetupWorld, env: simcord.Env) -> dict[str, MemberActor]:
    """Seven joined (ada, alice, bob, carol, dave when the world was built; erin and frank now);
    five introduced; alice found someone with /match, bob and carol in a pairing round; alice, bob,
    carol and dave said Going to one meetup, all but dave came; alice and bob picked each other,
    alice and carol used /met; alice and bob met again with /met. One poll found no time."""
    erin, frank = add_member(world, "erin"), add_member(world, "frank")
    await env.settle()
    for member, interests, city in (
        (world.alice, "chess, python", "Portland"),
        (world.bob, "chess, python, pottery", "Portland"),
        (world.carol, "chess, hiking", "Portland"),
        (world.dave, "chess, hiking", ""),
        (erin, "chess, hiking", ""),
    ):
        await introduce(world, member, interests, city=city)
    found = await world.alice.slash(world.general, "match")
    assert found.response.embeds, found.response.content
    for member in (world.bob, world.carol):
        await member.slash(world.general, "pairing join")
    assert "started" in (await world.admin.slash(world.general, "pairing run")).response.content
    meetup = await create_meetup(world)
    poll = await plan(world, title="Nobody votes", closes="1h")
    assert "Poll #2 is up" in poll.response.content, poll.response.content
    for member in (world.alice, world.bob, world.carol, world.dave):
        await answer(world, meetup, member)
    await advance_to(env, END + 60)
    await check_in_and_pick(world, world.alice, world.bob)
    await check_in_and_pick(world, world.bob, world.alice)
    await check_in_and_pick(world, world.carol)
    for a, b in (
        (world.alice, world.carol),
        (world.carol, world.alice),
        (world.alice, world.bob),
        (world.bob, world.alice),
    ):
        await a.slash(world.general, "met", member=b)
    return {"erin": erin, "frank": frank}


def lines(embed: discord.Embed) -> list[str]:
    return (embed.description or "").splitlines()


def field(embed: discord.Embed, name: str) -> str:
    return next(f.value for f in embed.fields if f.name == name)


async def test_the_path_and_meetups_are_counted_exactly_with_a_chart(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await build_community(world, env)
    loaded_before = "matplotlib" in sys.modules

    result = await world.admin.slash(world.general, "stats")

    assert result.ephemeral
    assert loaded_before or "matplotlib" not in sys.modules  # the chart's own process drew it
    [embed] = result.response.embeds
    assert embed.title == "Community health · last 30 days"
    assert lines(embed) == [
        "**Joined**: 7 · before: 0",
        "**Introduced**: 5 (71% of the step before) · before: 0",
        "**Found someone**: 3 (60% of the step before) · before: 0",
        "**Answered Going**: 3 (100% of the step before) · before: 0",
        "**Came**: 3 (100% of the step before) · before: 0",
        "**Met in person**: 3 (100% of the step before) · before: 0",
        f"**Met again**: {FEWER} · before: 0",
    ]
    assert field(embed, "Meetups").splitlines() == [
        "Meetups held: **1**",
        "Median attendance: **3**",
        "Turnout (came ÷ said Going): **75%**",
        "Polls that found no time: **1**",
    ]
    assert field(embed, "Busiest interests").splitlines() == [
        "chess: 5",
        "hiking: 3",
        f"Python: {FEWER}",
        f"pottery: {FEWER}",
    ]
    assert field(embed, "Busiest cities").splitlines()[0].startswith("Portland")
    assert field(embed, "Busiest cities").endswith(": 3")
    assert embed.image.url == "attachment://stats.png"
    [attachment] = result.response.attachments
    png = await attachment.read()
    image = Image.open(io.BytesIO(png))
    image.verify()
    assert image.format == "PNG" and image.size == (880, 704)
    assert 10_000 < len(png) < 500_000
    # Names never appear in the server's figures.
    text = str(embed.to_dict())
    for name in ("alice", "bob", "carol", "dave", "erin"):
        assert name not in text


async def test_members_are_refused_the_server_figures_and_see_their_own_story(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await build_community(world, env)

    refused = await world.dave.slash(world.general, "stats", period="all")
    assert refused.ephemeral
    assert "Manage Server" in refused.response.content
    assert not refused.response.embeds and not refused.response.attachments
    assert env.errors == []

    story = await world.alice.slash(world.general, "stats", period="me")
    assert story.ephemeral
    [embed] = story.response.embeds
    assert field(embed, "Meetups you came to") == "1"
    assert field(embed, "Meetups you organised") == "1"
    met = field(embed, "People you met in person")
    assert met.startswith("2: ") and "bob" in met and "carol" in met and "dave" not in met
    assert field(embed, "What you share with people you met").splitlines() == [
        "chess: 2 of them",
        "Python: 1 of them",
    ]


async def test_a_bad_period_is_refused_with_an_example(world: MeetupWorld) -> None:
    result = await world.admin.slash(world.general, "stats", period="soon")
    assert result.ephemeral
    assert "/stats period:30d" in result.response.content
    assert not result.response.embeds


async def test_a_member_who_forgot_is_gone_from_every_figure(world: MeetupWorld, env: simcord.Env) -> None:
    await build_community(world, env)
    prompt = await world.carol.slash(world.general, "privacy forget")
    done = await world.carol.click(prompt.response, label="Forget me")
    assert "deleted everything" in done.response.content

    [embed] = (await world.admin.slash(world.general, "stats")).response.embeds

    assert [line.split(" · ")[0] for line in lines(embed)] == [
        "**Joined**: 6",
        "**Introduced**: 4 (67% of the step before)",
        f"**Found someone**: {FEWER}",
        f"**Answered Going**: {FEWER}",
        f"**Came**: {FEWER}",
        f"**Met in person**: {FEWER}",
        f"**Met again**: {FEWER}",
    ]
    assert field(embed, "Meetups").splitlines()[:3] == [
        "Meetups held: **1**",
        f"Median attendance: **{FEWER}**",
        "Turnout (came ÷ said Going): **67%**",
    ]
    assert "hiking: 2" not in field(embed, "Busiest interests")
    assert field(embed, "Busiest interests").splitlines()[:2] == ["chess: 4", f"hiking: {FEWER}"]


async def test_nothing_crosses_servers(world: MeetupWorld, env: simcord.Env) -> None:
    await build_community(world, env)
    other = await build_meetup_world(env, name="Elsewhere")

    [embed] = (await other.admin.slash(other.general, "stats", period="all")).response.embeds

    assert lines(embed)[0] == "**Joined**: 5"  # its own five members, nobody from the first server
    assert lines(embed)[1] == "**Introduced**: 0 (0% of the step before)"
    assert field(embed, "Meetups").splitlines()[0] == "Meetups held: **0**"
    assert field(embed, "Busiest interests") == "none yet"


async def test_stats_me_shows_series_streaks(world: MeetupWorld, env: simcord.Env) -> None:
    made = await world.alice.slash(
        world.general,
        "meetup create",
        title="Board games",
        when="2026-01-09 19:00",
        where="Café Central",
        repeat="weekly",
    )
    assert "Series **S1**" in made.response.content, made.response.content
    await advance_to(env, END + 60)  # the first meetup of the series (Friday 9 January) has ended
    await check_in_and_pick(world, world.bob)

    story = await world.bob.slash(world.general, "stats", period="me")

    [embed] = story.response.embeds
    assert field(embed, "Series streaks") == "**S1** Board games: 1 in a row"
    assert field(embed, "Meetups you came to") == "1" and field(embed, "Meetups you organised") == "0"
    assert field(embed, "People you met in person").startswith("nobody yet")


async def test_a_month_later_the_same_figures_are_those_of_the_period_before(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await build_community(world, env)
    await advance_to(env, now(env) + 31 * DAY)

    [embed] = (await world.admin.slash(world.general, "stats")).response.embeds

    assert lines(embed)[:2] == [
        "**Joined**: 0 · before: 7",
        "**Introduced**: 0 · before: 5",
    ]
    assert field(embed, "Meetups").splitlines()[0] == "Meetups held: **0**"
    assert field(embed, "Meetups, the last 30 days before").splitlines()[:2] == [
        "Meetups held: **1**",
        "Median attendance: **3**",
    ]
