"""Forget means forget: a held place goes to the waitlist first, and a DM forgets every server."""

from __future__ import annotations

import json

import pytest
import simcord

from bot.domain.consent import DmMode
from bot.domain.meetups import RsvpStatus
from bot.domain.membership import MEMBER_PURGE
from bot.domain.tasks import TaskState
from tests.behaviour.connect_world import introduce
from tests.behaviour.followup_world import DAY, advance_to, answer, create_meetup, dms, now, thread_messages
from tests.behaviour.intro_steps import intro_posts
from tests.behaviour.meetup_world import MeetupWorld, build_meetup_world

pytestmark = [pytest.mark.simcord(settle_timeout=2), pytest.mark.world("meetups and introductions")]


async def configured(env: simcord.Env, name: str = "Meetbridge Test") -> MeetupWorld:
    world = await build_meetup_world(env, name=name)
    await world.admin.slash(
        world.general, "config channel", purpose="introductions", channel=world.introductions
    )
    return world


async def rows_about(world: MeetupWorld, member_id: int, guild_id: int) -> int:
    export = await world.bot.services.privacy.export(guild_id, member_id, now(world.env))
    return sum(len(rows) for rows in export["tables"].values())


async def test_forget_passes_a_held_place_to_the_waitlist_first(world: MeetupWorld) -> None:
    meetup = await create_meetup(world, capacity=1)
    await answer(world, meetup, world.bob)
    await answer(world, meetup, world.carol)

    prompt = await world.bob.slash(world.general, "privacy forget")
    await world.bob.click(prompt.response, label="Forget me")

    stored = {r.member_id: r.status for r in await world.bot.services.meetups.repo.rsvps(meetup.id)}
    assert stored == {world.carol.id: RsvpStatus.GOING}
    [told] = dms(world.carol)
    assert "you're now **going** to meetup #1" in told.content


async def test_forget_in_a_dm_lists_every_server_and_forgets_each(
    world: MeetupWorld, env: simcord.Env
) -> None:
    second = await configured(env, name="Second Server")
    gone = await configured(env, name="Gone Server")
    alice = world.alice
    await introduce(world, alice, "chess")
    alice_second = second.guild.add_member(alice.user)
    alice_gone = gone.guild.add_member(alice.user)
    await env.settle()
    await introduce(second, alice_second, "go")
    await introduce(gone, alice_gone, "sailing")
    await introduce(world, world.bob, "chess")  # others stay
    world.guild.remove_member(alice)  # she left the first server: only a DM can reach her data there
    env.backend.remove_guild(gone.guild.id)  # and the bot was removed from the third
    await env.settle()

    prompt = await alice.user.slash("privacy forget")

    assert prompt.ephemeral
    text = prompt.response.content
    assert "in 3 servers" in text
    assert "**Meetbridge Test**" in text and "**Second Server**" in text
    assert f"server `{gone.guild.id}`" in text and "Gone Server" not in text
    done = await alice.user.click(prompt.response, label="Forget me")

    assert "deleted everything I stored about you in 3 servers" in done.response.content
    for guild_id in (world.guild.id, second.guild.id, gone.guild.id):
        assert await rows_about(world, alice.id, guild_id) == 0
    assert await world.bot.services.privacy.known_guilds(alice.id) == []
    assert [world.bob.mention in post.content for post in intro_posts(world)] == [True]
    assert intro_posts(second) == []
    assert await rows_about(world, world.bob.id, world.guild.id) > 0
    # The deletion planned when she left has nothing left to do.
    await advance_to(env, now(env) + 31 * DAY)
    rows = await world.bot.services.db.fetchall(
        "SELECT state FROM scheduled_tasks WHERE kind = ? AND guild_id = ?", (MEMBER_PURGE, world.guild.id)
    )
    assert [row["state"] for row in rows] == [TaskState.DROPPED]


async def test_forget_in_a_dm_with_nothing_stored_says_so(world: MeetupWorld) -> None:
    # Joining is recorded (when, for /stats); once that is forgotten, nothing is left about her.
    prompt = await world.carol.slash(world.general, "privacy forget")
    assert (
        "deleted everything" in (await world.carol.click(prompt.response, label="Forget me")).response.content
    )

    result = await world.carol.user.slash("privacy forget")

    assert result.ephemeral and "don't store anything about you" in result.response.content
    assert result.response.components == []


async def test_a_member_who_only_joined_can_forget_when_they_joined(world: MeetupWorld) -> None:
    prompt = await world.carol.user.slash("privacy forget")
    assert "**Meetbridge Test**" in prompt.response.content

    done = await world.carol.user.click(prompt.response, label="Forget me")

    assert "deleted everything" in done.response.content
    assert (
        await world.bot.services.db.fetchval(
            "SELECT COUNT(*) FROM member_milestones WHERE member_id = ?", (world.carol.id,)
        )
        == 0
    )


async def test_other_privacy_commands_in_a_dm_point_to_a_server(world: MeetupWorld) -> None:
    await introduce(world, world.alice, "chess")

    for command, options in (("privacy show", {}), ("privacy export", {}), ("privacy dm", {"state": "on"})):
        result = await world.alice.user.slash(command, **options)
        assert result.ephemeral
        assert "works inside a server" in result.response.content
        assert "`/privacy forget`" in result.response.content and "Try:" not in result.response.content
    assert (
        await world.bot.services.profiles.preferences(world.guild.id, world.alice.id)
    ).dm is DmMode.REPLIES


async def test_export_includes_the_rows_that_name_the_member(world: MeetupWorld, env: simcord.Env) -> None:
    meetup = await create_meetup(world)
    await answer(world, meetup, world.bob)
    await advance_to(env, meetup.starts_at - DAY + 60)  # the 24 h reminder mentioning bob is planned

    result = await world.bob.slash(world.general, "privacy export")

    data = json.loads(await result.response.attachments[0].read())
    [post] = data["named_in"]["scheduled_tasks"]
    assert post["kind"] == "meetup.reminder.post" and world.bob.id in json.loads(post["payload"])["members"]


async def test_a_planned_reminder_still_posts_after_a_forget_minus_the_forgotten_member(
    world: MeetupWorld, env: simcord.Env
) -> None:
    meetup = await create_meetup(world)
    await answer(world, meetup, world.alice)
    await answer(world, meetup, world.bob)
    thread_id = await world.bot.boards.threads.ensure(meetup)
    assert thread_id is not None
    env.inject_error("POST", f"/channels/{thread_id}/messages", status=500, times=1)
    await advance_to(env, meetup.starts_at - DAY + 1)  # the post failed once: it waits for its retry
    [planned] = await world.bot.services.scheduler.pending_for_subject(
        world.guild.id, ["meetup.reminder.post"], meetup.id
    )
    assert world.alice.id in planned.payload["members"]

    prompt = await world.alice.slash(world.general, "privacy forget")
    await world.alice.click(prompt.response, label="Forget me")
    await env.advance_time(120)

    [reminder] = [m for m in thread_messages(world) if m.content.startswith("⏰")]
    assert world.bob.mention in reminder.content and world.alice.mention not in reminder.content
    stored = env.backend.messages[thread_id][reminder.id]
    assert world.bob.id in stored.ping_user_ids and world.alice.id not in stored.ping_user_ids


async def test_a_nudge_about_a_forgotten_member_is_never_sent(world: MeetupWorld, env: simcord.Env) -> None:
    await world.bob.slash(world.general, "privacy dm", state="on")
    await world.alice.slash(world.general, "met", member=world.bob)
    await world.bob.slash(world.general, "met", member=world.alice)
    met_at = now(env)

    prompt = await world.alice.slash(world.general, "privacy forget")
    await world.alice.click(prompt.response, label="Forget me")
    await advance_to(env, met_at + 22 * DAY)

    assert not any(m.content.startswith("👋 Three weeks ago") for m in dms(world.bob))
    nudges = await world.bot.services.db.fetchval(
        "SELECT COUNT(*) FROM scheduled_tasks WHERE kind = 'meeting.nudge'"
    )
    assert nudges == 0
