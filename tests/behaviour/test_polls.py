"""Meetup polls through the real bot: members vote by reacting; the poll closes into a meetup.

The settle timeout is below the 2 s between two tally edits, so the deferred edit is a virtual
timer that only ``advance_time`` fires (otherwise SimCord would wait for it in real time).
"""

from __future__ import annotations

import itertools

import pytest
import simcord

from bot.domain.meetups import RsvpStatus
from bot.domain.polls import PLACE_EMOJIS, TIME_EMOJIS, PollState
from bot.domain.tasks import TaskState
from bot.services.polls import CLOSE_TASK, REMIND_TASK, TASKS
from tests.behaviour.meetup_world import (
    FRIDAY_7PM_EPOCH,
    HOUR,
    ONE,
    THREE,
    TWO,
    A,
    B,
    MeetupWorld,
    build_meetup_world,
    edits_of,
    field,
    last_post,
    plan,
    poll_message,
    posts,
    stored_poll,
    votes,
)
from tests.conftest import BotFactory, restart

pytestmark = [pytest.mark.simcord(settle_timeout=1.5), pytest.mark.world("meetups")]


# -- posting --------------------------------------------------------------------------------------


async def test_plan_posts_numbered_times_and_lettered_places_and_adds_the_reactions(
    world: MeetupWorld,
) -> None:
    result = await plan(world)

    assert result.ephemeral
    assert "Poll #1 is up" in result.response.content
    assert "1️⃣ “2026-01-09 19:00” → Fri 9 Jan 2026, 19:00 (Europe/Berlin)" in result.response.content
    poll = await stored_poll(world)
    assert [o.starts_at for o in poll.times] == [FRIDAY_7PM_EPOCH, FRIDAY_7PM_EPOCH + 19 * HOUR, 1768129200]
    assert [o.label for o in poll.places] == ["Café Central", "City Library"]
    assert poll.closes_at == int(world.env.now().timestamp()) + 48 * HOUR
    message = poll_message(world, poll)
    embed = message.embeds[0]
    assert embed.title == "🗳️ Poll #1: Board games"
    assert f"1️⃣ <t:{FRIDAY_7PM_EPOCH}:F>" in embed.description
    assert "“2026-01-10 14:00” → Sat 10 Jan 2026, 14:00 (Europe/Berlin)" in embed.description
    assert (
        "🇦 [Café Central](https://www.openstreetmap.org/search?query=Caf%C3%A9+Central)" in embed.description
    )
    assert f"Closes <t:{poll.closes_at}:F>" in embed.description
    assert [str(reaction.emoji) for reaction in message.reactions] == [ONE, TWO, THREE, A, B]
    assert all(reaction.count == 1 for reaction in message.reactions)  # the bot's own


async def test_plan_with_ten_times_and_ten_places_adds_twenty_reactions(world: MeetupWorld) -> None:
    times = "; ".join(f"2026-02-{day:02d} 19:00" for day in range(1, 11))
    places = "; ".join(f"Place {n}" for n in range(10))

    await plan(world, times=times, places=places)

    message = poll_message(world, await stored_poll(world))
    assert [str(r.emoji) for r in message.reactions] == list(TIME_EMOJIS) + list(PLACE_EMOJIS)


async def test_closes_is_read_like_a_time_or_a_duration(world: MeetupWorld) -> None:
    await plan(world, closes="24h")

    poll = await stored_poll(world)
    assert poll.closes_at == int(world.env.now().timestamp()) + 24 * HOUR
    assert poll.closes_text == "24h"


async def test_the_default_close_is_pulled_before_an_early_first_time(world: MeetupWorld) -> None:
    await plan(world, times="2026-01-02 19:00; 2026-01-09 19:00")

    poll = await stored_poll(world)
    assert poll.closes_at == 1767376800 - 3600  # an hour before Fri 2 Jan 19:00 in Berlin


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        ({"times": "; ".join(f"2026-02-{d:02d} 19:00" for d in range(1, 12))}, "at most 10 times"),
        ({"places": "; ".join(f"P{n}" for n in range(11))}, "at most 10 places"),
        ({"title": "t" * 101}, "at most 100 characters"),
        ({"capacity": 0}, "1 to 1,000"),
        ({"times": "2026-01-09 19:00; whenever"}, "Time 2"),
        ({"closes": "2026-01-20 12:00"}, "at least an hour before"),
        ({"times": "  ;  "}, "at least one time"),
    ],
)
async def test_bad_input_is_refused_with_an_example_and_nothing_is_posted(
    world: MeetupWorld, options: dict, complaint: str
) -> None:
    result = await plan(world, **options)

    assert result.ephemeral
    assert complaint in result.response.content
    assert "Try: " in result.response.content
    assert await world.bot.services.polls.find(world.guild.id, 1) is None
    assert last_post(world.meetups) is None
    assert await world.bot.services.scheduler.repo.count_by_state() == {}


async def test_plan_before_the_meetups_channel_is_set_names_the_config_command(env: simcord.Env) -> None:
    world = await build_meetup_world(env, configure=False)

    result = await plan(world)

    assert "/config channel purpose:meetups" in result.response.content
    assert await world.bot.services.polls.find(world.guild.id, 1) is None


# -- voting ---------------------------------------------------------------------------------------


async def test_several_votes_are_allowed_and_removing_a_reaction_withdraws_it(world: MeetupWorld) -> None:
    await plan(world)
    poll = await stored_poll(world)
    message = poll_message(world, poll)

    await world.bob.react(message, ONE)
    await world.bob.react(message, TWO)
    await world.bob.react(message, B)
    await world.bob.unreact(message, ONE)

    assert await votes(world, poll) == {(TWO, world.bob.id), (B, world.bob.id)}


async def test_the_bots_own_reactions_and_other_emoji_do_not_count(world: MeetupWorld) -> None:
    await plan(world, places="Café Central")
    poll = await stored_poll(world)
    message = poll_message(world, poll)

    await world.bob.react(message, "👍")
    await world.bob.react(message, B)  # the poll has one place, so 🇧 means nothing
    await world.bob.react(message, TIME_EMOJIS[5])

    assert await votes(world, poll) == set()
    assert edits_of(world, poll) == 0


async def test_the_tally_edits_are_coalesced_and_always_end_on_the_final_state(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await plan(world)
    poll = await stored_poll(world)
    message = poll_message(world, poll)

    await world.bob.react(message, ONE)  # the first vote shows at once
    for member in (world.carol, world.dave, world.admin):
        await member.react(message, ONE)
    await world.dave.unreact(message, ONE)

    assert edits_of(world, poll) == 1
    assert "· **1** vote\n" in poll_message(world, poll).embeds[0].description
    await env.advance_time(2)
    assert edits_of(world, poll) == 2
    assert f"{ONE} <t:{FRIDAY_7PM_EPOCH}:F> (<t:{FRIDAY_7PM_EPOCH}:R>) · **3** votes" in (
        poll_message(world, poll).embeds[0].description
    )
    await env.advance_time(60)
    assert edits_of(world, poll) == 2


async def test_busy_polls_in_one_channel_take_turns_and_each_ends_on_its_final_tally(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await plan(world)
    await plan(world, title="Hike")
    first, second = await stored_poll(world, 1), await stored_poll(world, 2)
    assert first.channel_id == second.channel_id
    times: dict[int, list[float]] = {first.message_id: [], second.message_id: []}

    def watch(event: str, payload: dict) -> None:  # when each tally edit went out, in virtual time
        if event == "MESSAGE_UPDATE" and int(payload["id"]) in times:
            times[int(payload["id"])].append(env.now().timestamp())

    env.backend.subscribers.append(watch)
    for member in (world.bob, world.carol, world.dave):
        await member.react(poll_message(world, first), ONE)
        await member.react(poll_message(world, second), TWO)
    await env.advance_time(10)
    env.backend.subscribers.remove(watch)

    starts = sorted(at for edits in times.values() for at in edits)
    assert all(later - earlier >= 1.0 for earlier, later in itertools.pairwise(starts))
    for edits in times.values():
        assert edits and all(later - earlier >= 2.0 for earlier, later in itertools.pairwise(edits))
    assert "· **3** votes" in poll_message(world, first).embeds[0].description
    assert "· **3** votes" in poll_message(world, second).embeds[0].description


# -- closing --------------------------------------------------------------------------------------


async def test_five_members_vote_two_change_their_minds_and_the_poll_closes_into_the_right_meetup(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await plan(world, capacity=8)
    poll = await stored_poll(world)
    message = poll_message(world, poll)
    ballots = {
        world.alice: [ONE, A],
        world.bob: [ONE, TWO, A],
        world.carol: [TWO, B],
        world.dave: [TWO, B],
        world.admin: [THREE, B],
    }
    for member, emojis in ballots.items():
        for emoji in emojis:
            await member.react(message, emoji)
    await world.dave.unreact(message, TWO)  # dave can make Friday after all
    await world.dave.react(message, ONE)
    await world.carol.unreact(message, B)  # carol prefers the café now
    await world.carol.react(message, A)

    await env.advance_time(48 * HOUR)

    closed = await stored_poll(world)
    assert closed.state is PollState.CLOSED and closed.outcome == "meetup"
    meetup = await world.meetup(1)
    assert (meetup.starts_at, meetup.when_text) == (FRIDAY_7PM_EPOCH, "2026-01-09 19:00")
    assert (meetup.place, meetup.capacity, meetup.poll_id) == ("Café Central", 8, poll.id)
    assert meetup.organiser_id == world.alice.id
    assert closed.meetup_id == meetup.id
    announcement = last_post(world.meetups)
    assert announcement.id == meetup.message_id
    assert announcement.embeds[0].title == "📅 Board games"
    assert f"<t:{FRIDAY_7PM_EPOCH}:F>" in field(announcement.embeds[0], "When")
    result = field(poll_message(world, poll).embeds[0], "Result")
    assert f"The meetup is <t:{FRIDAY_7PM_EPOCH}:F>" in result and meetup.jump_url in result
    description = poll_message(world, poll).embeds[0].description
    assert "· **3** votes 🏆" in description
    assert meetup.event_id is not None
    assert await votes(world, poll) == {
        (ONE, world.alice.id),
        (ONE, world.bob.id),
        (ONE, world.dave.id),
        (TWO, world.bob.id),
        (TWO, world.carol.id),
        (THREE, world.admin.id),
        (A, world.alice.id),
        (A, world.bob.id),
        (A, world.carol.id),
        (B, world.dave.id),
        (B, world.admin.id),
    }


async def test_a_tie_goes_to_the_earlier_time_and_the_first_listed_place(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await plan(world, times="2026-01-10 14:00; 2026-01-09 19:00")
    message = poll_message(world, await stored_poll(world))
    for member, emojis in {world.bob: [ONE, B], world.carol: [TWO, A]}.items():
        for emoji in emojis:
            await member.react(message, emoji)

    await env.advance_time(48 * HOUR)

    meetup = await world.meetup(1)
    assert (meetup.starts_at, meetup.place) == (FRIDAY_7PM_EPOCH, "Café Central")


async def test_a_poll_with_no_votes_closes_saying_so_and_creates_nothing(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await plan(world)
    poll = await stored_poll(world)

    await env.advance_time(48 * HOUR)

    closed = await stored_poll(world)
    assert closed.state is PollState.CLOSED and closed.meetup_id is None
    assert "no votes" in field(poll_message(world, poll).embeds[0], "Result")
    assert await world.bot.services.meetups.find(world.guild.id, 1) is None
    assert [m.id for m in world.meetups.history() if m.embeds] == [poll.message_id]
    assert list(world.bot.get_guild(world.guild.id).scheduled_events) == []


async def test_the_organiser_can_close_early(world: MeetupWorld, env: simcord.Env) -> None:
    await plan(world)
    poll = await stored_poll(world)
    await world.bob.react(poll_message(world, poll), TWO)

    result = await world.alice.slash(world.general, "meetup close-poll", id=1)

    assert "The meetup is" in result.response.content
    meetup = await world.meetup(1)
    assert meetup.starts_at == FRIDAY_7PM_EPOCH + 19 * HOUR
    assert (await stored_poll(world)).state is PollState.CLOSED
    await env.advance_time(48 * HOUR)  # the scheduled closing was cancelled
    assert len(posts(world.meetups)) == 2
    tasks = await world.bot.services.scheduler.repo.for_subject(world.guild.id, TASKS, poll.id)
    assert [(task.kind, task.state) for task in tasks] == [
        (REMIND_TASK, TaskState.CANCELLED),
        (CLOSE_TASK, TaskState.CANCELLED),
    ]


async def test_an_hour_before_closing_a_reminder_replies_to_the_poll(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await plan(world)
    poll = await stored_poll(world)

    await env.advance_time(47 * HOUR - 1)
    assert len(posts(world.meetups)) == 1
    await env.advance_time(1)

    reminder = last_post(world.meetups)
    assert reminder.content.startswith("⏰ Poll #1 “Board games” closes <t:")
    assert reminder.reference is not None and reminder.reference.message_id == poll.message_id
    assert (await stored_poll(world)).is_open


async def test_a_poll_closed_early_sends_no_reminder(world: MeetupWorld, env: simcord.Env) -> None:
    await plan(world)
    await world.alice.slash(world.general, "meetup close-poll", id=1)

    await env.advance_time(48 * HOUR)

    assert not any(message.content.startswith("⏰") for message in world.meetups.history())


async def test_a_member_who_did_not_organise_the_poll_cannot_close_it(world: MeetupWorld) -> None:
    await plan(world)

    result = await world.bob.slash(world.general, "meetup close-poll", id=1)

    assert "Only the organiser of poll #1 or someone with Manage Server" in result.response.content
    assert (await stored_poll(world)).is_open


async def test_an_admin_can_close_someone_elses_poll(world: MeetupWorld) -> None:
    await plan(world)

    result = await world.admin.slash(world.general, "meetup close-poll", id=1)

    assert "no votes" in result.response.content
    assert not (await stored_poll(world)).is_open


async def test_closing_a_closed_poll_is_refused(world: MeetupWorld) -> None:
    await plan(world)
    await world.alice.slash(world.general, "meetup close-poll", id=1)

    result = await world.alice.slash(world.general, "meetup close-poll", id=1)

    assert "already closed" in result.response.content


async def test_reactions_on_a_closed_poll_change_nothing(world: MeetupWorld) -> None:
    await plan(world)
    poll = await stored_poll(world)
    await world.bob.react(poll_message(world, poll), ONE)
    await world.alice.slash(world.general, "meetup close-poll", id=1)

    await world.carol.react(poll_message(world, poll), ONE)
    await world.bob.unreact(poll_message(world, poll), ONE)

    assert await votes(world, poll) == {(ONE, world.bob.id)}


async def test_the_poll_closes_exactly_once_across_restarts(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await plan(world)
    poll = await stored_poll(world)
    await world.bob.react(poll_message(world, poll), ONE)
    await env.advance_time(24 * HOUR)

    await restart(env, bot_factory)
    await env.advance_time(24 * HOUR)
    await restart(env, bot_factory)
    await env.advance_time(24 * HOUR)

    assert (await stored_poll(world)).state is PollState.CLOSED
    assert [m.embeds[0].title for m in world.meetups.history() if m.embeds] == [
        "🗳️ Poll #1: Board games",
        "📅 Board games",
    ]
    tasks = await world.bot.services.scheduler.repo.for_subject(world.guild.id, [CLOSE_TASK], poll.id)
    assert [task.state for task in tasks] == [TaskState.DONE]
    assert len(list(world.bot.get_guild(world.guild.id).scheduled_events)) == 1


async def test_an_announcement_discord_failed_at_closing_is_retried_while_the_bot_runs(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await plan(world, closes="24h")
    await world.bob.react(poll_message(world, await stored_poll(world)), ONE)
    await env.advance_time(23 * HOUR)  # past the closing-soon reply
    env.inject_error("POST", f"/channels/{world.meetups.id}/messages", status=500, times=2)

    await env.advance_time(1 * HOUR)
    assert (await world.meetup(1)).message_id is None
    await env.advance_time(90)  # the retries: 15 s, then a minute

    announced = await world.meetup(1)
    assert announced.message_id == last_post(world.meetups).id
    assert len(list(world.bot.get_guild(world.guild.id).scheduled_events)) == 1
    result = poll_message(world, await stored_poll(world))
    assert announced.jump_url in field(result.embeds[0], "Result")


async def test_a_refused_announcement_tells_the_organiser_and_goes_out_once_fixed(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await plan(world, closes="24h")
    await world.bob.react(poll_message(world, await stored_poll(world)), ONE)
    await env.advance_time(23 * HOUR)
    env.inject_error(
        "POST",
        f"/channels/{world.meetups.id}/messages",
        status=403,
        code=50013,
        message="Missing Permissions",
        times=None,
    )

    before = len(env.http_requests)
    await env.advance_time(1 * HOUR)
    await env.advance_time(50 * 60)  # retries come and go without asking Discord again for an hour

    assert (await world.meetup(1)).message_id is None
    refused = [
        r
        for r in env.http_requests[before:]
        if r.method == "POST" and r.path == f"/channels/{world.meetups.id}/messages"
    ]
    assert len(refused) == 1
    told = world.alice.user.dm_channel.last_message
    assert "couldn't announce your meetup #1" in told.content and "Send Messages" in told.content
    assert "/meetup info id:1" in told.content
    shown = await world.admin.slash(world.general, "config show")
    assert "Send Messages" in field(shown.response.embeds[0], "⚠️ Permissions I need")

    env.backend.faults.clear()  # an admin gave the permission
    await env.advance_time(120)
    assert (await world.meetup(1)).message_id is None  # nothing told the bot yet
    await world.alice.slash(world.general, "meetup info", id=1)

    announced = await world.meetup(1)
    assert announced.message_id == last_post(world.meetups).id


# SQLite only: two virtual days of announce retries must settle within 1.5 s of real time, and each
# retry costs more real time through a server. The retry logic is the backend's neither; the restart
# test below takes the same durable task through PostgreSQL.
@pytest.mark.sqlite_only
async def test_a_meetup_that_could_not_be_announced_before_it_starts_is_never_announced(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await plan(world, times="2026-01-02 19:00", closes="12h")
    await world.bob.react(poll_message(world, await stored_poll(world)), ONE)
    env.inject_error("POST", f"/channels/{world.meetups.id}/messages", status=500, times=None)

    await env.advance_time(2 * 24 * HOUR)
    env.backend.faults.clear()
    await env.advance_time(2 * HOUR)

    assert (await world.meetup(1)).message_id is None
    told = world.alice.user.dm_channel.last_message
    assert "could not be announced before it started" in told.content


async def test_an_unannounced_meetup_is_announced_after_a_restart(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await plan(world, closes="24h")
    await world.bob.react(poll_message(world, await stored_poll(world)), ONE)
    await env.advance_time(23 * HOUR)
    env.inject_error("POST", f"/channels/{world.meetups.id}/messages", status=503, times=1)
    await env.advance_time(1 * HOUR)
    assert (await world.meetup(1)).message_id is None

    await restart(env, bot_factory)
    await env.advance_time(60)

    announced = await world.meetup(1)
    assert announced.message_id == last_post(world.meetups).id
    announcements = [m for m in world.meetups.history() if m.embeds and m.embeds[0].title == "📅 Board games"]
    assert len(announcements) == 1


async def test_info_on_an_open_poll_shows_the_poll(world: MeetupWorld) -> None:
    await plan(world)
    await world.bob.react(poll_message(world, await stored_poll(world)), TWO)

    result = await world.carol.slash(world.general, "meetup info", id=1)

    assert result.response.embeds[0].title == "🗳️ Poll #1: Board games"
    listed = await world.carol.slash(world.general, "meetup list")
    assert "**#1** Board games · closes" in field(listed.response.embeds[0], "Polls open for votes")


async def test_the_closing_soon_note_lists_the_current_leader(world: MeetupWorld, env: simcord.Env) -> None:
    await plan(world)
    poll = await stored_poll(world)
    message = poll_message(world, poll)
    await world.bob.react(message, TWO)
    await world.carol.react(message, TWO)
    await world.carol.react(message, B)
    await world.dave.react(message, ONE)

    await env.advance_time(47 * HOUR)

    note = last_post(world.meetups).content
    assert (
        f"Leading: {TWO} <t:{FRIDAY_7PM_EPOCH + 19 * HOUR}:F> · "
        "**2** votes, at 🇧 [City Library](<https://www.openstreetmap.org/search?query=City+Library>) · "
        "**1** vote." in note
    )


async def test_the_closing_soon_note_says_when_nobody_voted_yet(world: MeetupWorld, env: simcord.Env) -> None:
    await plan(world)

    await env.advance_time(47 * HOUR)

    assert "No votes yet: react to the poll to vote." in last_post(world.meetups).content


async def test_the_closing_soon_note_is_posted_once_across_a_restart(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await plan(world)
    poll = await stored_poll(world)
    await env.advance_time(47 * HOUR - 60)

    await restart(env, bot_factory)
    await env.advance_time(120)
    await restart(env, bot_factory)
    await env.advance_time(2 * HOUR)

    notes = [m for m in world.meetups.history() if m.content.startswith("⏰ Poll #1")]
    assert len(notes) == 1
    tasks = await world.bot.services.scheduler.repo.for_subject(world.guild.id, TASKS, poll.id)
    assert [(task.kind, task.state) for task in tasks] == [
        (REMIND_TASK, TaskState.DONE),
        (CLOSE_TASK, TaskState.DONE),
    ]


async def test_who_voted_for_the_winning_time_is_asked_once_to_rsvp_and_nobody_is_marked_going(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await plan(world)
    message = poll_message(world, await stored_poll(world))
    await world.bob.react(message, ONE)
    await world.carol.react(message, ONE)
    await world.dave.react(message, TWO)  # voted for another time: not asked

    await world.alice.slash(world.general, "meetup close-poll", id=1)

    meetup = await world.meetup(1)
    announcement = world.announcement(meetup)
    assert (
        announcement.content
        == f"🗳️ {world.bob.mention} {world.carol.mention}: you voted for this time. Coming? Answer below."
    )
    stored = env.backend.messages[world.meetups.id][announcement.id]
    assert set(stored.ping_user_ids) == {world.bob.id, world.carol.id}
    assert await world.bot.services.meetups.members(meetup, RsvpStatus.GOING) == []
    assert field(announcement.embeds[0], "Capacity").startswith("0 ")


async def test_the_meetup_thread_opens_with_the_announcement(world: MeetupWorld) -> None:
    await plan(world)
    await world.bob.react(poll_message(world, await stored_poll(world)), ONE)

    await world.alice.slash(world.general, "meetup close-poll", id=1)

    meetup = await world.meetup(1)
    [thread] = world.meetups.threads
    assert meetup.thread_id == thread.id and thread.name == "Meetup #1: Board games"


async def test_a_poll_that_ended_without_a_meetup_gives_its_number_back(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await world.alice.slash(
        world.general, "meetup create", title="Walk", when="2026-01-09 19:00", where="Park"
    )
    await plan(world)  # poll #2: nobody votes
    await world.alice.slash(world.general, "meetup close-poll", id=2)
    await plan(world, title="Second poll")  # a poll never takes a number polls used before

    await world.admin.slash(
        world.general, "meetup create", title="Run", when="2026-01-10 09:00", where="Park"
    )

    assert [(await world.meetup(n)).title for n in (1, 2)] == ["Walk", "Run"]
    assert (await stored_poll(world, 3)).title == "Second poll"
    listed = await world.carol.slash(world.general, "meetup list")
    assert "**#1** Walk" in field(listed.response.embeds[0], "Meetups")
    assert "**#2** Run" in field(listed.response.embeds[0], "Meetups")
