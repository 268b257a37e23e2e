"""Meetups, RSVPs and polls on a real SQLite file."""

from __future__ import annotations

from bot.domain.meetups import Meetup, RsvpStatus
from bot.domain.polls import OptionKind, PollOutcome, PollState
from bot.domain.when import ReadTime
from bot.storage.database import Database
from bot.storage.meetups import MeetupRepository, NewMeetup
from bot.storage.member_data import export_member, forget_member
from bot.storage.polls import PollRepository, VoteChange
from tests.storage.trips import count_trips

TIME = OptionKind.TIME


def new(guild_id: int = 1, organiser_id: int = 100, **fields) -> NewMeetup:
    values = {
        "guild_id": guild_id,
        "title": "Games",
        "starts_at": 2_000_000,
        "ends_at": 2_007_200,
        "tz": "UTC",
        "when_text": "fri 7pm",
        "place": "Park",
        "organiser_id": organiser_id,
    }
    values.update(fields)
    return NewMeetup(**values)


async def add_poll(db: Database, guild_id: int = 1, organiser_id: int = 100):
    return await PollRepository(db).add(
        guild_id=guild_id,
        channel_id=5,
        organiser_id=organiser_id,
        title="Games",
        tz="UTC",
        closes_at=1_900_000,
        closes_text="",
        times=[ReadTime("fri 7pm", 2_000_000, "UTC"), ReadTime("sat 2pm", 2_050_000, "UTC")],
        places=["Park"],
        now=1_000_000,
    )


async def test_numbers_are_small_per_server_and_shared_with_polls(db: Database) -> None:
    meetups = MeetupRepository(db)

    first = await meetups.add(new(guild_id=1), now=1)
    poll = await add_poll(db, guild_id=1)
    other_server = await meetups.add(new(guild_id=2), now=1)
    third = await meetups.add(new(guild_id=1), now=1)

    assert (first.number, poll.number, third.number) == (1, 2, 3)
    assert other_server.number == 1
    assert (await meetups.by_number(2, 1)).id == other_server.id


async def test_waitlist_positions_are_first_come_first_served(db: Database) -> None:
    meetups = MeetupRepository(db)
    meetup = await meetups.add(new(capacity=1), now=1)
    async with db.transaction():
        await meetups.set_rsvp(1, meetup.id, 10, RsvpStatus.GOING, now=5)
        first = await meetups.set_rsvp(1, meetup.id, 30, RsvpStatus.WAITLIST, now=5)
        second = await meetups.set_rsvp(1, meetup.id, 20, RsvpStatus.WAITLIST, now=5)

    assert (first, second) == (1, 2)
    assert await meetups.members_with(meetup.id, RsvpStatus.WAITLIST) == [30, 20]
    assert await meetups.waitlist_place(meetup.id, second) == 2
    counts = await meetups.counts(meetup.id)
    assert (counts.going, counts.waitlist) == (1, 2)


async def test_a_cards_counts_and_roster_come_in_one_query_as_they_do_apart(db: Database) -> None:
    meetups = MeetupRepository(db)
    meetup = await meetups.add(new(capacity=2), now=1)
    shown = (RsvpStatus.GOING, RsvpStatus.MAYBE, RsvpStatus.WAITLIST)
    empty_counts, empty_roster = await meetups.counts_and_roster(meetup.id, *shown)
    assert empty_counts == await meetups.counts(meetup.id)
    assert empty_roster == {status: [] for status in shown}

    async with db.transaction():
        for member_id, status, at in (
            (10, RsvpStatus.GOING, 5),
            (11, RsvpStatus.MAYBE, 6),
            (12, RsvpStatus.NO, 7),
            (13, RsvpStatus.GOING, 8),
            (14, RsvpStatus.WAITLIST, 9),
            (15, RsvpStatus.MAYBE, 4),
            (16, RsvpStatus.WAITLIST, 10),
        ):
            await meetups.set_rsvp(1, meetup.id, member_id, status, now=at)
    await meetups.add_offer(1, meetup.id, 14, now=11, expires_at=100)

    counts, roster = await meetups.counts_and_roster(meetup.id, *shown)
    assert counts == await meetups.counts(meetup.id)
    assert (counts.going, counts.maybe, counts.no, counts.waitlist, counts.held) == (2, 2, 1, 2, 1)
    assert roster == await meetups.roster(meetup.id, *shown)
    assert roster == {RsvpStatus.GOING: [10, 13], RsvpStatus.MAYBE: [15, 11], RsvpStatus.WAITLIST: [14, 16]}


async def answered_meetup(db: Database) -> tuple[MeetupRepository, Meetup]:
    """A meetup of one place: 10 going, 20 waiting (offered the place), 30 maybe."""
    meetups = MeetupRepository(db)
    meetup = await meetups.add(new(capacity=1), now=1)
    async with db.transaction():
        await meetups.set_rsvp(1, meetup.id, 10, RsvpStatus.GOING, now=5)
        await meetups.set_rsvp(1, meetup.id, 20, RsvpStatus.WAITLIST, now=6)
        await meetups.set_rsvp(1, meetup.id, 30, RsvpStatus.MAYBE, now=7)
    await meetups.add_offer(1, meetup.id, 20, now=8, expires_at=100)
    return meetups, meetup


async def test_a_meetup_with_its_cards_counts_and_roster_comes_in_one_round_trip(
    db: Database, backend: str
) -> None:
    meetups, meetup = await answered_meetup(db)
    shown = (RsvpStatus.GOING, RsvpStatus.MAYBE, RsvpStatus.WAITLIST)
    trips = count_trips(db, backend)

    found = await meetups.with_counts_and_roster(meetup.id, *shown)

    assert trips() == (1 if backend == "sqlite" else 0)
    assert found == (await meetups.get(meetup.id), *await meetups.counts_and_roster(meetup.id, *shown))
    assert found is not None and found[2] == {
        RsvpStatus.GOING: [10],
        RsvpStatus.MAYBE: [30],
        RsvpStatus.WAITLIST: [20],
    }
    assert await meetups.with_counts_and_roster(meetup.id + 1, *shown) is None


async def test_a_meetup_with_a_members_answer_and_the_counts_comes_in_one_round_trip(
    db: Database, backend: str
) -> None:
    meetups, meetup = await answered_meetup(db)

    for member_id in (10, 20, 30, 40):
        trips = count_trips(db, backend)
        found = await meetups.with_answer_and_counts(meetup.id, member_id)
        assert trips() == (1 if backend == "sqlite" else 0)
        expected = (await meetups.get(meetup.id), *await meetups.answer_and_counts(meetup.id, member_id))
        assert found == expected
    assert found[1] is None and (found[2].going, found[2].maybe, found[2].waitlist, found[2].held) == (
        1,
        1,
        1,
        1,
    )
    assert await meetups.with_answer_and_counts(meetup.id + 1, 10) == (
        None, None, await meetups.counts(meetup.id + 1)
    )  # fmt: skip


async def test_an_answer_and_the_counts_come_in_one_query_as_they_do_apart(db: Database) -> None:
    meetups = MeetupRepository(db)
    meetup = await meetups.add(new(capacity=1), now=1)
    assert await meetups.answer_and_counts(meetup.id, 30) == (None, await meetups.counts(meetup.id))
    async with db.transaction():
        await meetups.set_rsvp(1, meetup.id, 10, RsvpStatus.GOING, now=5)
        await meetups.set_rsvp(1, meetup.id, 20, RsvpStatus.MAYBE, now=6)
        await meetups.set_rsvp(1, meetup.id, 30, RsvpStatus.WAITLIST, now=7)
    await meetups.add_offer(1, meetup.id, 30, now=8, expires_at=100)

    for member_id in (10, 20, 30, 40):
        answer, counts = await meetups.answer_and_counts(meetup.id, member_id)
        assert answer == await meetups.rsvp(meetup.id, member_id)
        assert counts == await meetups.counts(meetup.id)
    answer, counts = await meetups.answer_and_counts(meetup.id, 30)
    assert answer is not None
    assert (answer.status, answer.position, answer.updated_at) == (RsvpStatus.WAITLIST, 1, 7)
    assert (counts.going, counts.maybe, counts.waitlist, counts.held) == (1, 1, 1, 1)


async def test_open_polls_come_with_their_options_as_each_poll_read_alone(db: Database) -> None:
    polls = PollRepository(db)
    first = await add_poll(db, guild_id=1)
    closed = await add_poll(db, guild_id=1)
    other_server = await add_poll(db, guild_id=2)
    last = await add_poll(db, guild_id=1)
    await polls.close(closed.id, state=PollState.CLOSED, outcome=PollOutcome.NO_VOTES, now=1_950_000)

    here = await polls.open_polls(1)
    assert [p.id for p in here] == [first.id, last.id]
    assert here == [await polls.get(first.id), await polls.get(last.id)]
    assert [(o.kind, o.position, o.label) for o in here[0].options] == [
        (OptionKind.TIME, 0, "fri 7pm"),
        (OptionKind.TIME, 1, "sat 2pm"),
        (OptionKind.PLACE, 0, "Park"),
    ]
    everywhere = await polls.open_polls()
    assert everywhere == [await polls.get(p) for p in (first.id, other_server.id, last.id)]
    assert await polls.open_polls(3) == []


async def test_votes_are_exact_whatever_the_order_of_duplicates(db: Database) -> None:
    polls = PollRepository(db)
    poll = await add_poll(db)

    def change(member: int, added: bool, position: int = 0) -> VoteChange:
        return VoteChange(1, poll.id, (TIME, position), member, added)

    await polls.apply([change(7, True), change(7, True), change(8, True), change(8, False), change(9, True)])
    await polls.apply([change(9, True), change(7, False), change(7, True), change(8, False)])

    assert await polls.votes(poll.id) == [((TIME, 0), 7), ((TIME, 0), 9)]
    assert (await polls.tally(poll.id))[(TIME, 0)] == 2


async def test_forgetting_an_organiser_keeps_their_meetup_and_poll_but_blanks_them(db: Database) -> None:
    meetups = MeetupRepository(db)
    meetup = await meetups.add(new(organiser_id=100), now=1)
    poll = await add_poll(db, organiser_id=100)
    async with db.transaction():
        await meetups.set_rsvp(1, meetup.id, 100, RsvpStatus.GOING, now=2)
        await meetups.set_rsvp(1, meetup.id, 200, RsvpStatus.GOING, now=2)
    await PollRepository(db).apply([VoteChange(1, poll.id, (TIME, 1), 100, True)])

    exported = await export_member(db, 1, 100)
    await forget_member(db, 1, 100)

    assert [row["id"] for row in exported["meetups"]] == [meetup.id]
    assert len(exported["poll_votes"]) == 1 and len(exported["meetup_rsvps"]) == 1
    kept = await meetups.get(meetup.id)
    assert kept is not None and kept.organiser_id == 0
    assert (await PollRepository(db).get(poll.id)).organiser_id == 0
    assert await meetups.members_with(meetup.id, RsvpStatus.GOING) == [200]
    assert await PollRepository(db).votes(poll.id) == []


async def test_every_column_reaches_its_field_whichever_query_reads_the_meetup(db: Database) -> None:
    """Meetups are read by position: each field must get its own column, by id, by number and
    joined with the member's answers (which lists the columns itself)."""
    from bot.domain.meetups import MeetupState

    meetups = MeetupRepository(db)
    added = await meetups.add(
        new(description="Bring dice", capacity=8, min_attendees=3, when_text="sat 2pm"), now=1_000
    )
    await meetups.set_announcement(added.id, channel_id=71, message_id=72)
    await meetups.set_thread(added.id, thread_id=73)
    await meetups.set_location(added.id, 52.5, 13.4)
    await meetups.set_rsvp(1, added.id, 555, RsvpStatus.GOING, now=1_500)
    assert await meetups.cancel(added.id, "Rain", now=1_600)
    cancelled_yet_listed = await meetups.get(added.id)
    assert cancelled_yet_listed is not None
    read = {
        "by id": cancelled_yet_listed,
        "by number": await meetups.by_number(1, added.number),
    }

    expected = {
        "id": added.id,
        "guild_id": 1,
        "number": added.number,
        "title": "Games",
        "description": "Bring dice",
        "starts_at": 2_000_000,
        "ends_at": 2_007_200,
        "tz": "UTC",
        "when_text": "sat 2pm",
        "place": "Park",
        "capacity": 8,
        "min_attendees": 3,
        "organiser_id": 100,
        "state": MeetupState.CANCELLED,
        "cancel_reason": "Rain",
        "channel_id": 71,
        "message_id": 72,
        "thread_id": 73,
        "latitude": 52.5,
        "longitude": 13.4,
        "created_at": 1_000,
    }
    for how, meetup in read.items():
        assert meetup is not None, how
        assert {name: getattr(meetup, name) for name in expected} == expected, how
        assert isinstance(meetup.state, MeetupState), how
    # The answers' join lists meetups that are still scheduled: a second, scheduled one.
    other = await meetups.add(new(description="Second", capacity=4), now=2_000)
    await meetups.set_location(other.id, 48.1, 11.6)
    await meetups.set_rsvp(1, other.id, 555, RsvpStatus.MAYBE, now=2_100)
    [joined] = await meetups.answered_going_or_maybe(1, 555, now=1_900_000)
    assert joined == await meetups.get(other.id)
    assert (joined.description, joined.capacity, joined.latitude, joined.longitude) == (
        "Second",
        4,
        48.1,
        11.6,
    )
