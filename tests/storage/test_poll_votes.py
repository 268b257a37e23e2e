"""The vote writer and reconciliation on a real SQLite file, with the races made explicit."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from bot.clock import now_epoch
from bot.domain.polls import OptionKind, Poll
from bot.domain.when import ReadTime
from bot.scheduling.scheduler import Scheduler
from bot.services.config import ConfigService
from bot.services.meetups import MeetupService
from bot.services.polls import PollService
from bot.storage.database import Database
from bot.storage.guild_settings import GuildSettingsRepository
from bot.storage.meetups import MeetupRepository
from bot.storage.polls import PollRepository, VoteChange
from bot.storage.tasks import TaskRepository

TIME = OptionKind.TIME
MESSAGE = 555


class CountingRepository(PollRepository):
    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.batches: list[int] = []

    async def apply(self, changes: Iterable[VoteChange]) -> None:
        changes = list(changes)
        self.batches.append(len(changes))
        await super().apply(changes)


@pytest.fixture
async def service(db: Database) -> PollService:
    config = ConfigService(GuildSettingsRepository(db))
    scheduler = Scheduler(TaskRepository(db), now=now_epoch)  # never started: no jobs run here
    return PollService(
        db, CountingRepository(db), MeetupService(db, MeetupRepository(db), config), config, scheduler
    )


@pytest.fixture
async def poll(service: PollService) -> Poll:
    added = await service.repo.add(
        guild_id=1,
        channel_id=2,
        organiser_id=3,
        title="Games",
        tz="UTC",
        closes_at=1_900_000_000,
        closes_text="",
        times=[ReadTime("a", 2_000_000_000, "UTC"), ReadTime("b", 2_000_100_000, "UTC")],
        places=[],
        now=1,
    )
    return await service.attach_message(added, MESSAGE)


async def stored(service: PollService, poll: Poll) -> set[tuple[int, int]]:
    return {(key[1], member) for key, member in await service.votes(poll)}


async def test_a_burst_of_reactions_is_written_in_a_few_transactions(
    service: PollService, poll: Poll
) -> None:
    for member in range(1000):
        service.record(MESSAGE, member, "1️⃣", added=True)
    for member in range(0, 1000, 2):
        service.record(MESSAGE, member, "1️⃣", added=False)

    await service.flush()

    assert (await service.tally(poll))[(TIME, 0)] == 500
    assert sum(service.repo.batches) == 1500
    assert len(service.repo.batches) <= 2


async def test_events_arriving_while_reactions_are_read_are_applied_on_top(
    service: PollService, poll: Poll
) -> None:
    service.record(MESSAGE, 10, "1️⃣", added=True)  # before the read, already in the snapshot
    service.record(MESSAGE, 30, "2️⃣", added=True)  # before the read, removed again during it

    async def read_reactions():
        snapshot = [((TIME, 0), 10), ((TIME, 0), 20), ((TIME, 1), 30)]
        # While the reactions are being read, events keep arriving.
        service.record(MESSAGE, 20, "1️⃣", added=False)
        service.record(MESSAGE, 30, "2️⃣", added=False)
        service.record(MESSAGE, 40, "2️⃣", added=True)
        return snapshot

    await service.reconcile(poll, read_reactions)
    await service.flush()

    assert await stored(service, poll) == {(0, 10), (1, 40)}


async def test_reactions_outside_open_polls_are_ignored_without_touching_the_database(
    service: PollService, poll: Poll
) -> None:
    assert not service.record(MESSAGE + 1, 10, "1️⃣", added=True)
    assert not service.record(MESSAGE, 10, "🎉", added=True)
    assert not service.record(MESSAGE, 10, "3️⃣", added=True)

    await service.flush()

    assert service.repo.batches == []


async def test_a_poll_and_its_tally_are_read_together_as_each_alone(service: PollService, poll: Poll) -> None:
    for member, emoji in ((10, "1️⃣"), (11, "1️⃣"), (12, "2️⃣"), (12, "1️⃣")):
        service.record(MESSAGE, member, emoji, added=True)
    await service.flush()

    found = await service.with_tally(poll.id)

    assert found is not None
    read, tally = found
    assert read == await service.by_id(poll.id)
    assert read.message_id == MESSAGE and [o.label for o in read.options] == ["a", "b"]
    assert tally.counts == {(TIME, 0): 3, (TIME, 1): 1} == (await service.tally(poll)).counts
    assert await service.with_tally(poll.id + 99) is None
