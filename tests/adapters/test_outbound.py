"""The one way out, through the real bot: explicit pings, Discord's limits, holding back after a
refusal, and respecting a 429."""

from __future__ import annotations

import discord
import pytest
import simcord

from bot.adapters.outbound import Action, Undeliverable
from bot.domain import limits
from tests.behaviour.followup_world import DAY_BEFORE, advance_to, answer, create_meetup, reminders
from tests.behaviour.intro_steps import intro, intro_posts
from tests.behaviour.meetup_world import MeetupWorld, field

pytestmark = pytest.mark.world("meetups and introductions")

HOSTILE = "Games <@{victim}> <@!{victim}> <@&{role}> @everyone @here"


def bot_messages(env: simcord.Env) -> list:
    return [
        stored
        for channel in env.backend.messages.values()
        for stored in channel.values()
        if stored.author_id == env.backend.bot_user.id and not stored.is_ephemeral
    ]


async def test_the_client_pings_nobody_unless_a_message_says_whom(world: MeetupWorld) -> None:
    assert world.bot.allowed_mentions is not None
    assert world.bot.allowed_mentions.to_dict() == {"parse": []}


async def test_mentions_typed_into_a_meetup_ping_nobody_but_the_people_it_is_for(
    world: MeetupWorld, env: simcord.Env
) -> None:
    victim = world.guild.add_member(env.create_user("victim"))
    role = world.guild.create_role("Everyone who matters", mentionable=True)
    hostile = HOSTILE.format(victim=victim.id, role=role.id)
    meetup = await create_meetup(world, title=hostile[:100], where=hostile[:100], description=hostile)
    await answer(world, meetup, world.bob)
    edit = await world.alice.slash(world.general, "meetup edit", id=1, where="Library " + hostile[:80])
    assert "updated" in edit.response.content

    await advance_to(env, DAY_BEFORE + 60)
    await world.alice.slash(world.general, "meetup cancel", id=1, reason=hostile)

    posted = [m for m in bot_messages(env) if not m.content.startswith("Welcome")]  # victim's own welcome
    assert len(posted) >= 4  # announcement, change notice, reminder, cancel notice
    assert all(not message.mention_everyone and not message.ping_role_ids for message in posted)
    assert all(victim.id not in message.ping_user_ids for message in posted)
    assert set().union(*(message.ping_user_ids for message in posted)) == {world.bob.id}


async def test_an_over_long_refusal_still_answers_with_its_example(world: MeetupWorld) -> None:
    result = await world.admin.slash(world.general, "config timezone", name="Mars/" + "x" * 3995)

    content = result.response.content
    assert result.ephemeral and len(content) <= limits.CONTENT
    assert "\nTry: " in content and content.startswith("`Mars/xxx")


async def test_five_long_links_still_post_the_introduction(world: MeetupWorld) -> None:
    links = "\n".join(f"github.com/{'a' * 185}{n}" for n in range(5))

    result = await intro(world, world.alice, links=links)

    assert "Your introduction is posted!" in result.response.content
    [posted] = intro_posts(world)
    value = field(posted.embeds[0], "Links")
    assert len(value) <= limits.FIELD_VALUE
    assert value.startswith("https://github.com/") and value.endswith("…and 1 more")
    assert value.count("https://github.com/") == 4  # whole links only, never one cut in two


async def test_a_long_place_in_a_non_latin_script_is_shown_without_an_overlong_link(
    world: MeetupWorld,
) -> None:
    meetup = await create_meetup(world, where="東京都渋谷区神南一丁目" * 9)

    embed = world.announcement(meetup).embeds[0]
    assert field(embed, "Where") == "東京都渋谷区神南一丁目" * 9
    assert len(field(embed, "When")) <= limits.FIELD_VALUE


async def test_a_time_padded_with_spaces_is_read_back_on_one_short_line(world: MeetupWorld) -> None:
    meetup = await create_meetup(world, when="2026-01-09" + " " * 3000 + "19:00")

    when = field(world.announcement(meetup).embeds[0], "When")
    assert "“2026-01-09 19:00” → Fri 9 Jan 2026, 19:00" in when


async def test_a_reaction_refused_once_is_not_tried_for_the_other_options(
    world: MeetupWorld, env: simcord.Env
) -> None:
    env.inject_error("PUT", "/channels/*/messages/*/reactions/*", status=403, code=50013, times=None)

    result = await world.alice.slash(
        world.general, "meetup plan", title="Games", times="fri 7pm; sat 2pm; sun 5pm", places="A; B; C"
    )

    assert "Poll #1 is up" in result.response.content
    puts = [r for r in env.http_requests if r.method == "PUT" and "/reactions/" in r.path]
    assert len(puts) == 1


async def test_a_rate_limited_reminder_waits_for_its_retry_after(
    world: MeetupWorld, env: simcord.Env
) -> None:
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob)
    await advance_to(env, DAY_BEFORE - 5)
    env.inject_error("POST", "/channels/*/messages", status=429, times=1)

    await env.advance_time(5)  # the reminder is due, refused with 429 (retry after 5 s by default)
    posts = [r for r in env.http_requests if r.method == "POST" and r.path.endswith("/messages")]
    assert reminders(world) == []
    await env.advance_time(3)
    assert [r for r in env.http_requests if r.method == "POST" and r.path.endswith("/messages")] == posts
    await env.advance_time(10)

    assert len(reminders(world)) == 1


async def test_the_hold_after_a_403_ends_when_an_admin_acts(world: MeetupWorld, env: simcord.Env) -> None:
    env.inject_error("PUT", "/channels/*/messages/*/reactions/*", status=403, code=50013, times=1)
    await world.alice.slash(world.general, "meetup plan", title="Games", times="fri 7pm; sat 2pm")
    outbound = world.bot.boards.outbound
    assert outbound.held(world.meetups.id, Action.REACT)

    await world.admin.slash(world.general, "config show")

    assert not outbound.held(world.meetups.id, Action.REACT)


async def test_the_hold_after_a_403_ends_after_an_hour(world: MeetupWorld, env: simcord.Env) -> None:
    env.inject_error("PUT", "/channels/*/messages/*/reactions/*", status=403, code=50013, times=1)
    await world.alice.slash(world.general, "meetup plan", title="Games", times="fri 7pm; sat 2pm")
    outbound = world.bot.boards.outbound

    await env.advance_time(3599)
    assert outbound.held(world.meetups.id, Action.REACT)
    await env.advance_time(2)
    assert not outbound.held(world.meetups.id, Action.REACT)


def test_fitting_a_message_keeps_every_part_within_discords_limits() -> None:
    from bot.adapters.outbound import fit_message

    embed = discord.Embed(title="t" * 300, description="d" * 5000)
    for _ in range(30):
        embed.add_field(name="n" * 300, value="v" * 2000)
    fitted = fit_message("c" * 2500, embed)

    data = fitted["embed"].to_dict()
    assert len(fitted["content"]) == limits.CONTENT and fitted["content"].endswith("…")
    assert len(data["title"]) <= 256 and len(data["fields"]) == 25
    assert limits.embed_size(data) <= limits.EMBED_TOTAL
    assert all(len(f["name"]) <= 256 and 0 < len(f["value"]) <= 1024 for f in data["fields"])


async def test_a_refused_reminder_tells_the_organiser_what_to_fix(
    world: MeetupWorld, env: simcord.Env
) -> None:
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob)
    thread_id = await world.bot.boards.threads.ensure(meetup)
    env.inject_error("POST", f"/channels/{thread_id}/messages", status=403, code=50013, times=None)

    await advance_to(env, DAY_BEFORE + 60)

    told = [m for m in world.alice.user.dm_channel.history() if m.author.bot]
    assert len(told) == 1
    assert "couldn't post about your meetup #1" in told[0].content and "Send Messages" in told[0].content
    assert reminders(world) == []


async def test_a_request_finds_its_threads_channel_in_its_own_server_not_by_looking_through_all(
    world: MeetupWorld, env: simcord.Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """discord.py's get_channel walks every server the bot is in: a hosted bot's every request
    would pay for that. The server is known, so the thread is looked up there."""
    meetup = await create_meetup(world)
    thread_id = await world.bot.boards.threads.ensure(meetup)
    outbound = world.bot.boards.outbound

    def every_server(_channel_id: int) -> None:
        raise AssertionError("looked through every server for a channel")

    monkeypatch.setattr(world.bot, "get_channel", every_server)
    env.inject_error("POST", f"/channels/{thread_id}/messages", status=403, code=50013, times=1)
    with pytest.raises(Undeliverable) as refused:
        await outbound.post(thread_id, world.guild.id, content="Hello")
    assert refused.value.status == 403

    # The refusal is held against the thread's channel, so every thread of it waits.
    assert outbound.held(thread_id, Action.POST, world.guild.id)
    assert outbound.held(world.meetups.id, Action.THREAD_POST, world.guild.id)
    assert not outbound.held(world.meetups.id, Action.POST, world.guild.id)
