"""Membership has a lifecycle: a member who leaves gives up their places and is hidden at once,
their data goes after the retention period unless they come back; a server that removes the bot
is deleted the same way unless the bot is added back."""

from __future__ import annotations

import pytest
import simcord
from simcord.actors import MemberActor

from bot.domain.meetups import RsvpStatus
from bot.domain.membership import GUILD_PURGE, MEMBER_PURGE
from bot.domain.tasks import TaskState
from tests.behaviour.connect_world import introduce, privacy
from tests.behaviour.followup_world import DAY, advance_to, answer, create_meetup, dms, now
from tests.behaviour.intro_steps import intro_posts
from tests.behaviour.meetup_world import MeetupWorld, build_meetup_world
from tests.conftest import BotFactory, restart

pytestmark = [pytest.mark.simcord(settle_timeout=2), pytest.mark.world("every channel")]


async def rsvps(world: MeetupWorld) -> dict[int, RsvpStatus]:
    meetup = await world.meetup(1)
    return {r.member_id: r.status for r in await world.bot.services.meetups.repo.rsvps(meetup.id)}


async def profile_rows(world: MeetupWorld, member: MemberActor) -> int:
    return await world.bot.services.db.fetchval(
        "SELECT COUNT(*) FROM profiles WHERE guild_id = ? AND member_id = ?", (world.guild.id, member.id)
    )


async def purge_tasks(world: MeetupWorld, kind: str = MEMBER_PURGE) -> list[tuple[str, str | None]]:
    rows = await world.bot.services.db.fetchall(
        "SELECT state, last_error FROM scheduled_tasks WHERE kind = ? ORDER BY id", (kind,)
    )
    return [(row["state"], row["last_error"]) for row in rows]


async def set_retention(world: MeetupWorld, period: str) -> None:
    result = await world.admin.slash(world.general, "config retention", period=period)
    assert "now deleted" in result.response.content, result.response.content


def match_lines(result: simcord.InteractionResult) -> list[str]:
    if not result.response.embeds:
        return []
    return (result.response.embeds[0].description or "").splitlines()


# -- leaving -----------------------------------------------------------------------------------------


async def test_a_member_who_leaves_gives_their_place_to_the_first_on_the_waitlist(world: MeetupWorld) -> None:
    meetup = await create_meetup(world, capacity=1)
    await answer(world, meetup, world.bob)
    await answer(world, meetup, world.carol)  # waitlisted
    await answer(world, meetup, world.dave, "maybe")
    assert await rsvps(world) == {
        world.bob.id: RsvpStatus.GOING,
        world.carol.id: RsvpStatus.WAITLIST,
        world.dave.id: RsvpStatus.MAYBE,
    }

    world.guild.remove_member(world.bob)
    world.guild.remove_member(world.dave)
    await world.env.settle()

    assert await rsvps(world) == {
        world.bob.id: RsvpStatus.NO,
        world.carol.id: RsvpStatus.GOING,
        world.dave.id: RsvpStatus.NO,
    }
    [told] = dms(world.carol)
    assert "you're now **going** to meetup #1" in told.content
    embed = world.announcement(meetup).embeds[0]
    going = next(f.value for f in embed.fields if f.name.startswith("Going"))
    assert going == world.carol.mention


async def test_a_member_who_leaves_disappears_from_match_and_ask_at_once(world: MeetupWorld) -> None:
    for member in (world.alice, world.bob, world.carol):
        await introduce(world, member, "chess")
        await privacy(world, member, "helper", "on")
    services = world.bot.services

    world.guild.remove_member(world.bob)
    await world.env.settle()

    lines = match_lines(await world.alice.slash(world.general, "match"))
    assert len(lines) == 1 and world.carol.mention in lines[0]
    # Hidden by the recorded departure, not by the member cache: no presence check is passed here.
    answer_ = await services.matching.match(world.guild.id, world.alice.id, now=now(world.env))
    assert [m.member_id for m in answer_.matches] == [world.carol.id]
    helpers = await services.ask.choose_helpers(world.guild.id, world.alice.id, "chess", now(world.env))
    assert helpers == [world.carol.id]
    asked = await world.alice.slash(world.general, "ask", topic="chess", question="Sicilian or French?")
    assert asked.followups or asked.response
    question = next(m for m in world.support.history() if m.embeds)
    assert world.carol.mention in question.content and world.bob.mention not in question.content


async def test_a_member_who_leaves_leaves_pairing_rounds(world: MeetupWorld) -> None:
    for member in (world.alice, world.bob, world.carol):
        await introduce(world, member, "chess")
        await member.slash(world.general, "pairing join")

    world.guild.remove_member(world.carol)
    await world.env.settle()
    ran = await world.admin.slash(world.general, "pairing run")

    assert "1 group from 2 members" in ran.response.content, ran.response.content
    joined = await world.bot.services.pairing.repo.members(world.guild.id)
    assert [m.member_id for m in joined] == sorted([world.alice.id, world.bob.id])


async def test_their_data_is_deleted_when_the_retention_period_ends(world: MeetupWorld) -> None:
    await set_retention(world, "2d")
    await introduce(world, world.bob, "chess")
    assert len(intro_posts(world)) == 1
    left_at = now(world.env)

    world.guild.remove_member(world.bob)
    await advance_to(world.env, left_at + 2 * DAY - 60)
    assert await profile_rows(world, world.bob) == 1
    await advance_to(world.env, left_at + 2 * DAY + 60)

    assert await profile_rows(world, world.bob) == 0
    assert intro_posts(world) == []
    export = await world.bot.services.privacy.export(world.guild.id, world.bob.id, now(world.env))
    assert all(rows == [] for rows in export["tables"].values())
    assert await purge_tasks(world) == [(TaskState.DONE, None)]


async def test_a_member_who_comes_back_keeps_their_profile_and_is_found_again(world: MeetupWorld) -> None:
    await set_retention(world, "1d")
    await introduce(world, world.alice, "chess")
    await introduce(world, world.bob, "chess")
    left_at = now(world.env)
    world.guild.remove_member(world.bob)
    await world.env.settle()
    assert match_lines(await world.alice.slash(world.general, "match")) == []

    bob = world.guild.add_member(world.bob.user)
    await advance_to(world.env, left_at + 3 * DAY)

    assert await profile_rows(world, bob) == 1
    assert len(intro_posts(world)) == 2
    [line] = match_lines(await world.alice.slash(world.general, "match"))
    assert bob.mention in line
    assert await purge_tasks(world) == [(TaskState.CANCELLED, None)]


async def test_the_deletion_happens_once_across_a_restart(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await set_retention(world, "1d")
    await introduce(world, world.bob, "chess")
    left_at = now(env)
    world.guild.remove_member(world.bob)
    await env.settle()

    await restart(env, bot_factory)
    await advance_to(env, left_at + DAY + 60)
    await restart(env, bot_factory)
    await env.advance_time(60)

    assert await profile_rows(world, world.bob) == 0
    assert await purge_tasks(world) == [(TaskState.DONE, None)]


async def test_a_member_who_left_while_the_bot_was_down_is_noticed_at_start(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    meetup = await create_meetup(world, capacity=1)
    await introduce(world, world.bob, "chess")
    await answer(world, meetup, world.bob)
    await answer(world, meetup, world.carol)
    env.backend.subscribers.remove(env._gateway_feed)  # the bot hears nothing from here on

    world.guild.remove_member(world.bob)
    await restart(env, bot_factory)
    # Against Discord, discord.py chunks every server before on_ready; SimCord's restarted bot gets
    # its servers after READY, so chunk and run the start step again as it would have run.
    guild = world.bot.get_guild(world.guild.id)
    assert guild is not None
    await guild.chunk()
    await world.bot.boards.membership.start()
    await env.settle()

    assert await world.bot.services.member_departures.repo.departed(world.guild.id, world.bob.id)
    assert (await rsvps(world))[world.carol.id] is RsvpStatus.GOING


# -- the retention setting ---------------------------------------------------------------------------


async def test_config_retention_is_shown_and_bounded(world: MeetupWorld) -> None:
    shown = (await world.admin.slash(world.general, "config show")).response.embeds[0]
    assert next(f.value for f in shown.fields if f.name == "Data of members who leave").startswith(
        "deleted 30d"
    )

    too_short = await world.admin.slash(world.general, "config retention", period="2h")
    too_long = await world.admin.slash(world.general, "config retention", period="2 years")
    unreadable = await world.admin.slash(world.general, "config retention", period="soon")

    for refused in (too_short, too_long, unreadable):
        assert refused.ephemeral and "Try: /config retention period:30d" in refused.response.content
    assert (await world.bot.services.config.settings(world.guild.id)).retention == 30 * DAY
    await set_retention(world, "2 weeks")
    shown = (await world.admin.slash(world.general, "config show")).response.embeds[0]
    assert next(f.value for f in shown.fields if f.name == "Data of members who leave").startswith(
        "deleted 14d"
    )


# -- the bot removed from a server -------------------------------------------------------------------


async def guild_rows(world: MeetupWorld, guild_id: int) -> dict[str, int]:
    """Rows per table that belong to the server (every table with a guild_id column)."""
    db = world.bot.services.db
    found: dict[str, int] = {}
    for table in await db.table_names():
        columns = {name for name, _, _ in await db.table_columns(table)}
        if "guild_id" in columns:
            count = await db.fetchval(f"SELECT COUNT(*) FROM {table} WHERE guild_id = ?", (guild_id,))
            if count:
                found[table] = count
    return found


async def fill_server(world: MeetupWorld) -> None:
    meetup = await create_meetup(world, capacity=1)
    await answer(world, meetup, world.bob)
    await answer(world, meetup, world.carol)
    await introduce(world, world.bob, "chess")
    await world.bob.slash(world.general, "privacy dm", state="on")
    await world.bob.slash(world.general, "pairing join")
    await world.alice.slash(world.general, "met", member=world.bob)


async def test_a_server_that_removes_the_bot_is_deleted_after_the_retention_period(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await set_retention(world, "3d")
    await fill_server(world)
    other = await build_meetup_world(env, name="Another Server")
    await other.admin.slash(other.general, "config retention", period="5d")
    before = await guild_rows(world, world.guild.id)
    assert {"meetups", "meetup_rsvps", "profiles", "scheduled_tasks", "pairing_members"} <= set(before)
    removed_at = now(env)

    env.backend.remove_guild(world.guild.id)
    await advance_to(env, removed_at + 3 * DAY - 60)
    assert (await guild_rows(world, world.guild.id)).get("profiles") == 1
    await advance_to(env, removed_at + 3 * DAY + 60)

    assert await guild_rows(world, world.guild.id) == {"scheduled_tasks": 1}  # the purge itself, done
    assert await purge_tasks(world, GUILD_PURGE) == [(TaskState.DONE, None)]
    assert (await world.bot.services.config.settings(other.guild.id)).retention == 5 * DAY


async def test_timed_work_of_a_removed_server_is_dropped_not_retried(
    world: MeetupWorld, env: simcord.Env
) -> None:
    meetup = await create_meetup(world)  # its reminders are 24 h and 1 h before Friday 19:00
    await answer(world, meetup, world.bob)

    env.backend.remove_guild(world.guild.id)
    await advance_to(env, meetup.starts_at - 30 * 60)

    rows = await world.bot.services.db.fetchall(
        "SELECT state, last_error, attempts FROM scheduled_tasks WHERE kind = 'meetup.reminder'"
    )
    assert [(r["state"], r["last_error"], r["attempts"]) for r in rows] == [
        (TaskState.DROPPED, "the bot is no longer in this server", 1)
    ] * 2


async def test_the_server_purge_happens_after_a_restart(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await set_retention(world, "1d")
    await fill_server(world)
    guild_id = world.guild.id
    removed_at = now(env)
    env.backend.remove_guild(guild_id)
    await env.settle()

    await restart(env, bot_factory)
    await advance_to(env, removed_at + DAY + 60)

    assert await guild_rows(world, guild_id) == {"scheduled_tasks": 1}
    assert await purge_tasks(world, GUILD_PURGE) == [(TaskState.DONE, None)]


async def test_a_server_that_adds_the_bot_back_keeps_its_data(world: MeetupWorld, env: simcord.Env) -> None:
    await set_retention(world, "1d")
    await fill_server(world)
    guild_id = world.guild.id
    before = await guild_rows(world, guild_id)
    removed_at = now(env)
    env.backend.remove_guild(guild_id)
    await env.settle()

    env.backend._reserved_ids.discard(guild_id)  # SimCord reserves ids once; this is the same server
    again = env.create_guild("Meetbridge Test", id=guild_id)
    for member in (world.alice, world.bob, world.carol, world.dave):
        again.add_member(member.user)  # SimCord's new guild starts empty; the members are still there
    await advance_to(env, removed_at + 2 * DAY)

    after = await guild_rows(world, guild_id)
    assert after["profiles"] == before["profiles"] and after["meetups"] == before["meetups"]
    assert await purge_tasks(world, GUILD_PURGE) == [(TaskState.CANCELLED, None)]


async def test_a_removal_while_the_bot_was_down_is_noticed_at_start(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await set_retention(world, "1d")
    await fill_server(world)
    guild_id = world.guild.id
    env.backend.subscribers.remove(env._gateway_feed)  # the bot hears nothing from here on
    await world.bot.services.scheduler.shutdown()
    removed_at = now(env)
    env.backend.remove_guild(guild_id)

    await restart(env, bot_factory)
    assert await world.bot.services.member_departures.repo.guild_gone(guild_id)
    await advance_to(env, removed_at + DAY + 60)

    assert await guild_rows(world, guild_id) == {"scheduled_tasks": 1}


async def test_a_member_with_nothing_stored_leaves_no_trace(world: MeetupWorld) -> None:
    world.guild.remove_member(world.dave)
    await world.env.settle()

    assert await world.bot.services.member_departures.repo.members(world.guild.id) == []
    assert await purge_tasks(world) == []


async def test_timed_work_dropped_while_the_bot_was_away_resumes_when_it_is_added_back(
    world: MeetupWorld, env: simcord.Env
) -> None:
    planned = await world.alice.slash(world.general, "meetup plan", title="Go", times="2026-01-20 19:00")
    assert "Poll #1" in planned.response.content, planned.response.content
    poll = await world.bot.services.polls.find(world.guild.id, 1)
    guild_id = world.guild.id
    env.backend.remove_guild(guild_id)
    await advance_to(env, poll.closes_at + 3600)
    closing = await world.bot.services.db.fetchone(
        "SELECT state, last_error FROM scheduled_tasks WHERE kind = 'poll.close'"
    )
    assert (closing["state"], closing["last_error"]) == (
        TaskState.DROPPED,
        "the bot is no longer in this server",
    )
    assert (await world.bot.services.polls.find(guild_id, 1)).is_open

    env.backend._reserved_ids.discard(guild_id)  # SimCord reserves ids once; this is the same server
    env.create_guild("Meetbridge Test", id=guild_id)
    await env.settle()

    closed = await world.bot.services.polls.find(guild_id, 1)
    assert closed is not None and not closed.is_open
    state = await world.bot.services.db.fetchval(
        "SELECT state FROM scheduled_tasks WHERE kind = 'poll.close'"
    )
    assert state == TaskState.DONE


async def test_dms_waiting_for_a_server_that_removed_the_bot_are_not_sent(
    world: MeetupWorld, env: simcord.Env
) -> None:
    meetup = await create_meetup(world, capacity=1)
    await answer(world, meetup, world.alice)
    await answer(world, meetup, world.bob)
    env.inject_error("POST", f"/channels/{world.bob.user.dm_channel.id}/messages", status=500, times=1)
    await answer(world, meetup, world.alice, "no")  # bob's promotion DM fails once: retried in a minute

    env.backend.remove_guild(world.guild.id)
    await env.advance_time(300)

    assert dms(world.bob) == []
