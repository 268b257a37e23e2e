"""Series: ``/meetup create … repeat:`` posts each occurrence as a normal meetup a week ahead, keeps
its local time across daylight saving, and can be listed, skipped, edited and ended; exactly once
across restarts, and never in a burst after downtime."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import simcord

from bot.domain.meetups import Meetup
from bot.domain.series import OccurrenceState
from tests.behaviour.followup_world import DAY, HOUR, advance_to, answer, come_back, go_down, now
from tests.behaviour.intro_steps import intro
from tests.behaviour.meetup_world import TZ, MeetupWorld, field, posts
from tests.conftest import BotFactory, restart

pytestmark = [pytest.mark.simcord(settle_timeout=3), pytest.mark.world("meetups")]

BERLIN = ZoneInfo(TZ)
WEEK = 7 * DAY


def berlin(text: str) -> int:
    """Epoch of a wall time in Berlin: ``2026-01-16 19:00``."""
    return int(datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=BERLIN).timestamp())


FRI_9 = berlin("2026-01-09 19:00")
FRI_16 = berlin("2026-01-16 19:00")
FRI_23 = berlin("2026-01-23 19:00")
FRI_30 = berlin("2026-01-30 19:00")


async def create_series(world: MeetupWorld, **options):
    values = {"title": "Board games", "when": "2026-01-09 19:00", "where": "Café Central", "repeat": "weekly"}
    values.update(options)
    return await world.alice.slash(world.general, "meetup create", **values)


async def series_meetups(world: MeetupWorld) -> list[Meetup]:
    rows = await world.bot.services.db.fetchall(
        "SELECT number FROM meetups WHERE series_id IS NOT NULL ORDER BY starts_at"
    )
    return [await world.meetup(int(row["number"])) for row in rows]


async def starts(world: MeetupWorld) -> list[int]:
    return [m.starts_at for m in await series_meetups(world) if not m.cancelled]


def announcements(world: MeetupWorld) -> list:
    return [m for m in posts(world.meetups) if m.embeds]


async def test_create_with_repeat_announces_the_first_and_says_how_the_rest_follow(
    world: MeetupWorld,
) -> None:
    result = await create_series(world)

    text = result.response.content
    assert "Series **S1** is set up" in text and "every Friday at 19:00" in text
    assert "posted 7d before it starts" in text
    [card] = announcements(world)
    embed = card.embeds[0]
    assert field(embed, "Series") == f"**S1**, every Friday at 19:00. Next: <t:{FRI_16}:F>."
    assert "series S1" in embed.footer.text
    assert await starts(world) == [FRI_9]


async def test_each_occurrence_is_posted_a_week_ahead_as_a_meetup_of_its_own(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await create_series(world)

    await advance_to(env, FRI_16 - WEEK - 60)
    assert await starts(world) == [FRI_9]
    await advance_to(env, FRI_16 - WEEK + 1)

    first, second = await series_meetups(world)
    assert second.starts_at == FRI_16 and second.number == 2 and second.message_id is not None
    assert second.event_id is not None
    card = next(m for m in announcements(world) if m.id == second.message_id)
    assert field(card.embeds[0], "Series").endswith(f"Next: <t:{FRI_23}:F>.")
    await answer(world, second, world.bob)  # its own RSVPs
    assert (await world.bot.services.meetups.going_members(second)) == [world.bob.id]
    assert (await world.bot.services.meetups.going_members(first)) == []


async def test_the_local_time_holds_across_the_change_to_summer_time(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await world.admin.slash(world.general, "config series", ahead="14d")
    await create_series(world, when="2026-03-20 19:00")

    await advance_to(env, berlin("2026-03-21 12:00"))

    held = await series_meetups(world)
    assert [m.starts_at for m in held] == [
        berlin("2026-03-20 19:00"),
        berlin("2026-03-27 19:00"),
        berlin("2026-04-03 19:00"),
    ]
    assert [datetime.fromtimestamp(m.starts_at, BERLIN).hour for m in held] == [19, 19, 19]
    assert [datetime.fromtimestamp(m.starts_at, UTC).hour for m in held] == [18, 18, 17]


async def test_skipping_a_date_not_yet_posted_means_it_is_never_posted(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await create_series(world)

    skipped = await world.alice.slash(world.general, "meetup series skip", id="S1", date="2026-01-23")
    assert "is skipped; it won't be posted" in skipped.response.content
    await advance_to(env, FRI_30 - WEEK + 60)

    assert await starts(world) == [FRI_9, FRI_16, FRI_30]
    listed = await world.alice.slash(world.general, "meetup series list")
    assert f"<t:{FRI_23}:F>" not in listed.response.embeds[0].description


async def test_skipping_a_posted_meetup_cancels_it_with_the_usual_notice(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await create_series(world)
    await advance_to(env, FRI_16 - WEEK + 60)
    [_, second] = await series_meetups(world)
    await answer(world, second, world.bob)

    skipped = await world.alice.slash(world.general, "meetup series skip", id="1", date="16 jan")

    assert "meetup #2 is cancelled" in skipped.response.content
    assert (await world.meetup(2)).cancelled
    notice = next(
        m for thread in world.meetups.threads for m in thread.history() if m.content.startswith("❌")
    )
    assert world.bob.mention in notice.content and "skipped" in notice.content
    rows = await world.bot.services.series.occurrences(await world.bot.services.series.get(world.guild.id, 1))
    assert [o.state for o in rows] == [OccurrenceState.POSTED, OccurrenceState.SKIPPED]


async def test_editing_changes_the_meetups_not_yet_posted(world: MeetupWorld, env: simcord.Env) -> None:
    await create_series(world)

    edited = await world.alice.slash(
        world.general, "meetup series edit", id="S1", when="20:00", where="City Library", capacity=5
    )
    assert "every Friday at 20:00" in edited.response.content
    await advance_to(env, berlin("2026-01-16 20:00") - WEEK + 60)

    first, second = await series_meetups(world)
    assert (first.starts_at, first.place, first.capacity) == (FRI_9, "Café Central", None)
    assert (second.starts_at, second.place, second.capacity) == (
        berlin("2026-01-16 20:00"),
        "City Library",
        5,
    )


async def test_ending_a_series_posts_nothing_more(world: MeetupWorld, env: simcord.Env) -> None:
    await create_series(world)

    ended = await world.alice.slash(world.general, "meetup series end", id="S1")
    assert "has ended" in ended.response.content
    await advance_to(env, FRI_30)

    assert await starts(world) == [FRI_9]
    listed = await world.alice.slash(world.general, "meetup series list")
    assert "No series yet" in listed.response.embeds[0].description


async def test_a_restart_around_a_posting_posts_it_exactly_once(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await create_series(world)
    await advance_to(env, FRI_16 - WEEK - 60)

    await restart(env, bot_factory)
    await advance_to(env, FRI_16 - WEEK + 60)
    await restart(env, bot_factory)
    await advance_to(env, FRI_16 - WEEK + HOUR)

    assert await starts(world) == [FRI_9, FRI_16]
    assert len(announcements(world)) == 2


async def test_after_downtime_only_what_has_not_begun_is_posted(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await create_series(world)
    await advance_to(env, FRI_16 - WEEK - 60)

    await go_down(env)
    await advance_to(env, FRI_16 + HOUR)  # the 16th was due to be posted, and has begun
    await come_back(env, bot_factory)

    assert await starts(world) == [FRI_9, FRI_23]  # no burst: the 16th is never posted late
    rows = await world.bot.services.series.occurrences(await world.bot.services.series.get(world.guild.id, 1))
    assert [o.state for o in rows] == [OccurrenceState.POSTED, OccurrenceState.MISSED, OccurrenceState.POSTED]
    await advance_to(env, FRI_23 + HOUR)
    assert await starts(world) == [FRI_9, FRI_23, FRI_30]


async def test_a_series_stops_after_its_until_date(world: MeetupWorld, env: simcord.Env) -> None:
    await create_series(world, until="2026-01-16")

    await advance_to(env, FRI_30)

    assert await starts(world) == [FRI_9, FRI_16]
    assert (await world.bot.services.series.get(world.guild.id, 1)).ended


async def test_the_list_shows_each_series_with_its_next_dates(world: MeetupWorld) -> None:
    await create_series(world)
    await create_series(
        world, title="Chess", when="2026-01-08 18:00", repeat="monthly on the second thursday"
    )

    listed = await world.bob.slash(world.general, "meetup series list")

    description = listed.response.embeds[0].description
    assert "**S1** Board games · every Friday at 19:00" in description
    assert f"Next: <t:{FRI_9}:F>, <t:{FRI_16}:F>, <t:{FRI_23}:F>" in description
    assert "**S2** Chess · monthly on the second Thursday at 18:00" in description
    assert f"<t:{berlin('2026-02-12 18:00')}:F>" in description


@pytest.mark.parametrize(
    ("repeat", "said"),
    [
        ("daily", "weekly, every 2 weeks, monthly, monthly on the first friday"),
        ("every 9 weeks", "every 1 to 8 weeks"),
        ("monthly on the fifth friday", "fifth"),
    ],
)
async def test_a_repeat_it_cannot_read_is_refused_with_examples(
    world: MeetupWorld, repeat: str, said: str
) -> None:
    result = await create_series(world, repeat=repeat)

    assert said in result.response.content and result.response.flags.ephemeral
    assert announcements(world) == []


async def test_a_first_date_that_is_not_the_named_weekday_is_refused_with_one_that_is(
    world: MeetupWorld,
) -> None:
    result = await create_series(world, repeat="monthly on the first friday")

    assert "not the first Friday" in result.response.content
    assert "when:2026-02-06 19:00" in result.response.content
    assert announcements(world) == []


async def test_only_the_organiser_or_an_admin_may_skip(world: MeetupWorld) -> None:
    await create_series(world)

    refused = await world.bob.slash(world.general, "meetup series skip", id="S1", date="2026-01-16")
    allowed = await world.admin.slash(world.general, "meetup series skip", id="S1", date="2026-01-16")

    assert "Only the organiser" in refused.response.content
    assert "is skipped" in allowed.response.content


async def test_until_before_the_first_meetup_is_refused(world: MeetupWorld) -> None:
    result = await create_series(world, until="2026-01-05")

    assert "already past" in result.response.content or "before the first" in result.response.content
    assert now(world.env) and announcements(world) == []


async def expand(attachment, since: datetime, until: datetime) -> list:
    calendar = icalendar.Calendar.from_ical(await attachment.read())
    return recurring_ical_events.of(calendar).between(since, until)


async def test_one_calendar_holds_the_members_meetups_and_series_with_skipped_dates(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await create_series(world, when="2026-03-20 19:00")  # across the change to summer time
    picnic = await world.alice.slash(
        world.general, "meetup create", title="Picnic", when="2026-01-10 12:00", where="Park"
    )
    assert "is announced" in picnic.response.content
    [first] = await series_meetups(world)
    await answer(world, first, world.bob, "maybe")
    await answer(world, await world.meetup(2), world.bob, "going")
    await world.alice.slash(world.general, "meetup series skip", id="S1", date="2026-04-03")

    result = await world.bob.slash(world.general, "meetup calendar")

    assert "1 meetup and 1 series" in result.response.content
    [attachment] = result.response.attachments
    assert attachment.filename == "meetbridge.ics"
    events = await expand(attachment, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC))
    picnics = [e for e in events if str(e["SUMMARY"]) == "Picnic"]
    games = [e["DTSTART"].dt.astimezone(BERLIN) for e in events if str(e["SUMMARY"]) == "Board games"]
    assert [e["DTSTART"].dt for e in picnics] == [datetime.fromtimestamp(berlin("2026-01-10 12:00"), UTC)]
    assert [g.strftime("%m-%d %H:%M") for g in games] == [
        "03-20 19:00", "03-27 19:00", "04-10 19:00", "04-17 19:00", "04-24 19:00"
    ]  # fmt: skip
    nothing = await world.carol.slash(world.general, "meetup calendar")
    assert nothing.response.attachments == [] and "nothing to put" in nothing.response.content


@pytest.mark.world("meetups and introductions")
async def test_profile_shows_how_many_meetups_of_a_series_in_a_row_a_member_came_to(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await intro(world, world.bob)
    await create_series(world)
    for start in (FRI_9, FRI_16, FRI_23, FRI_30):
        await advance_to(env, start + 2 * HOUR + 60)
        meetup = next(m for m in await series_meetups(world) if m.starts_at == start)
        if start != FRI_16:  # bob misses the second
            thread = env.bot.get_channel(meetup.thread_id)
            who_came = next(
                m for m in world.guild.channels[world.meetups.name].threads if m.id == thread.id
            ).history()[-1]
            assert who_came.content.startswith("👋 **Who came?**")
            await world.bob.click(who_came, label="I was there")

    profile = await world.bob.slash(world.general, "profile")

    fields = {f.name: f.value for f in profile.response.embeds[0].fields}
    assert fields["Series streaks"] == "**S1** Board games: 2 in a row"
    assert fields["Meetups attended"] == "3"
