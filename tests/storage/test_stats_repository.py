"""/stats' SQL on a real SQLite file with the real migrations: the path's levels as of a period's
end, meetups held, polls without a time, per-server scope, and forget."""

from __future__ import annotations

from bot.domain.stats import path_counts
from bot.storage.database import Database
from bot.storage.member_data import forget_member
from bot.storage.stats import CATCHUP, JOINED, MATCHED, StatsRepository

GUILD, OTHER = 1, 2
DAY = 86400


async def profile(db: Database, member: int, at: int, guild: int = GUILD) -> None:
    await db.execute(
        "INSERT INTO profiles (guild_id, member_id, about, created_at, updated_at, last_active) "
        "VALUES (?, ?, 'hi', ?, ?, ?)",
        (guild, member, at, at, at),
    )


async def meetup(db: Database, number: int, starts: int, state: str = "scheduled", guild: int = GUILD) -> int:
    return await db.insert(
        "INSERT INTO meetups (guild_id, number, title, starts_at, ends_at, tz, when_text, place, "
        "organiser_id, state, created_at, updated_at) VALUES (?, ?, 't', ?, ?, 'UTC', 'x', 'p', 99, ?, 0, 0)",
        (guild, number, starts, starts + 7200, state),
    )


async def rsvp(db: Database, meetup_id: int, member: int, status: str, at: int, guild: int = GUILD) -> None:
    await db.execute(
        "INSERT INTO meetup_rsvps (guild_id, meetup_id, member_id, status, updated_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (guild, meetup_id, member, status, at),
    )


async def came(db: Database, meetup_id: int, member: int, at: int, guild: int = GUILD) -> None:
    await db.execute(
        "INSERT INTO meetup_attendance (guild_id, meetup_id, member_id, checked_in_at) VALUES (?, ?, ?, ?)",
        (guild, meetup_id, member, at),
    )


async def met(db: Database, a: int, b: int, first: int, last: int, times: int) -> None:
    await db.execute(
        "INSERT INTO met_in_person (guild_id, member_id, other_member_id, first_met_at, last_met_at, times, "
        "context, context_id) VALUES (?, ?, ?, ?, ?, ?, 'manual', 0)",
        (GUILD, min(a, b), max(a, b), first, last, times),
    )


async def test_each_member_counts_at_the_furthest_step_reached_by_the_period_end(db: Database) -> None:
    repo = StatsRepository(db)
    for member in range(1, 8):
        assert await repo.milestone(GUILD, member, JOINED, 10 * DAY)
    assert not await repo.milestone(GUILD, 1, JOINED, 20 * DAY)  # the first time stays
    for member in range(1, 7):
        await profile(db, member, 11 * DAY)
    await repo.milestone(GUILD, 1, MATCHED, 12 * DAY)
    await repo.milestone(GUILD, 2, MATCHED, 12 * DAY)
    await repo.milestone(GUILD, 3, MATCHED, 40 * DAY)  # after the first period's end
    held = await meetup(db, 1, 13 * DAY)
    for member in (1, 2, 4):  # 4 never found anyone: Going alone does not move them on
        await rsvp(db, held, member, "going", 12 * DAY)
    await came(db, held, 1, 13 * DAY)
    await came(db, held, 2, 13 * DAY)
    await met(db, 1, 2, 13 * DAY, 25 * DAY, 2)
    await repo.milestone(GUILD, 2, CATCHUP, 14 * DAY)

    first = path_counts(await repo.levels(GUILD, 0, 20 * DAY))
    assert first == (7, 6, 2, 2, 2, 2, 1)  # 1 met again only on day 25; 2 planned a catch-up
    later = path_counts(await repo.levels(GUILD, 0, 50 * DAY))
    assert later == (7, 6, 3, 2, 2, 2, 2)
    assert path_counts(await repo.levels(GUILD, 10 * DAY + 1, 50 * DAY)) == (0,) * 7  # joined before
    assert path_counts(await repo.levels(GUILD, None, 50 * DAY)) == later
    assert path_counts(await repo.levels(OTHER, None, 50 * DAY)) == (0,) * 7
    # Big cohorts are counted by a second query (each step's members listed once): the same answers.
    for start, end in ((0, 20 * DAY), (0, 50 * DAY), (10 * DAY + 1, 50 * DAY), (None, 50 * DAY)):
        for guild in (GUILD, OTHER):
            assert await repo.levels(guild, start, end, listed=True) == await repo.levels(
                guild, start, end, listed=False
            )
    assert path_counts(await repo.levels(GUILD, 0, 20 * DAY, listed=True)) == first


async def test_meetups_held_are_those_that_took_place_and_ended(db: Database) -> None:
    repo = StatsRepository(db)
    done = await meetup(db, 1, 10 * DAY)
    await meetup(db, 2, 11 * DAY, state="cancelled")
    await meetup(db, 3, 30 * DAY)  # still to come
    await meetup(db, 4, 10 * DAY, guild=OTHER)
    for member, status in ((1, "going"), (2, "going"), (3, "going"), (4, "maybe")):
        await rsvp(db, done, member, status, 9 * DAY)
    for member in (1, 2, 4, 5):
        await came(db, done, member, 10 * DAY)

    [figure] = await repo.held(GUILD, 0, 40 * DAY, now=20 * DAY)
    assert (figure.going, figure.came, figure.came_going) == (3, 4, 2)
    assert await repo.held(GUILD, 10 * DAY + 1, 40 * DAY, now=20 * DAY) == []


async def test_polls_that_found_no_time_and_the_busiest_tags(db: Database) -> None:
    repo = StatsRepository(db)
    for number, outcome in ((1, "no votes"), (2, "the winning time has passed"), (3, "meetup")):
        await db.execute(
            "INSERT INTO polls (guild_id, number, channel_id, organiser_id, title, tz, closes_at, state, "
            "outcome, created_at, closed_at) VALUES (?, ?, 1, 9, 't', 'UTC', 0, 'closed', ?, 0, ?)",
            (GUILD, number, outcome, 5 * DAY),
        )
    assert await repo.no_time_polls(GUILD, 0, 10 * DAY) == 2
    assert await repo.no_time_polls(GUILD, 6 * DAY, 10 * DAY) == 0
    for member, tags in ((1, ("chess", "go")), (2, ("chess",)), (3, ("chess", "go"))):
        await profile(db, member, 0)
        for position, tag in enumerate(tags):
            await db.execute(
                "INSERT INTO profile_interests (guild_id, member_id, tag, position) VALUES (?, ?, ?, ?)",
                (GUILD, member, tag, position),
            )
    assert await repo.top_interests(GUILD, 5) == [("chess", 3), ("go", 2)]
    assert await repo.top_interests(OTHER, 5) == []


async def test_forget_removes_the_milestones(db: Database) -> None:
    repo = StatsRepository(db)
    await repo.milestone(GUILD, 1, JOINED, 0)
    await repo.milestone(GUILD, 2, JOINED, 0)
    await forget_member(db, GUILD, 1)
    assert await repo.milestones(GUILD, 1) == {}
    assert await repo.milestones(GUILD, 2) == {JOINED: 0}
