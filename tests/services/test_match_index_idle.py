"""The match service drops a server's index after an hour without use and rebuilds it on demand."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.profiles import IntroForm
from bot.services.blocks import BlockService
from bot.services.matching import IDLE_DROP, MatchService
from bot.services.profiles import ProfileService
from bot.storage.database import Database
from bot.storage.profiles import ProfileRepository
from bot.storage.safety import BlockRepository

QUIET, BUSY = 1, 2
ALICE, BOB, CAROL = 11, 12, 13


class Clock:
    def __init__(self) -> None:
        self.now = 1_000

    def __call__(self) -> int:
        return self.now


@pytest.fixture
async def db(tmp_path: Path):
    database = await Database.open(tmp_path / "match.db")
    await database.migrate()
    yield database
    await database.close()


def intro(interests: str) -> IntroForm:
    return IntroForm(about="Hi.", interests=interests, city="", links="")


async def test_an_idle_index_is_dropped_then_rebuilt_with_the_same_answer(db: Database) -> None:
    clock = Clock()
    profiles = ProfileService(ProfileRepository(db))
    matching = MatchService(profiles, BlockService(BlockRepository(db)), now=clock)
    for guild in (QUIET, BUSY):
        await profiles.save_intro(guild, ALICE, intro("chess, go"), now=clock.now)
        await profiles.save_intro(guild, BOB, intro("chess, go"), now=clock.now)
        await profiles.save_intro(guild, CAROL, intro("chess"), now=clock.now)

    first = await matching.match(QUIET, ALICE, now=clock.now)
    assert [m.member_id for m in first.matches] == [BOB, CAROL]
    assert matching.loaded() == {QUIET}

    clock.now += IDLE_DROP - 1
    await matching.match(BUSY, ALICE, now=clock.now)
    assert matching.loaded() == {QUIET, BUSY}  # not idle for an hour yet

    clock.now += 1
    await matching.match(BUSY, BOB, now=clock.now)
    assert matching.loaded() == {BUSY}  # the quiet server's index was dropped

    # A change while it is dropped is read from the database when the index is rebuilt.
    await profiles.save_intro(QUIET, CAROL, intro("chess, go, shogi"), now=clock.now)
    again = await matching.match(QUIET, ALICE, now=clock.now)
    assert matching.loaded() == {QUIET, BUSY}
    # Carol now shares both interests too, and was active more recently than Bob.
    both = ("chess", "go")
    assert [(m.member_id, m.shared) for m in again.matches] == [(CAROL, both), (BOB, both)]
    assert [m.score for m in again.matches] == [2.0, 2.0]  # everybody lists both now: each weighs 1
