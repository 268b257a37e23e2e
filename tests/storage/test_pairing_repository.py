"""Pairing rounds on a real SQLite file: the no-repeat window, answers, per-server scope, forget."""

from __future__ import annotations

from bot.domain.pairing import Group, UnmatchedReason
from bot.domain.pairing_rounds import Answer
from bot.storage.ask import AskRepository
from bot.storage.database import Database
from bot.storage.member_data import export_member, forget_member
from bot.storage.pairing import PairingRepository

GUILD = 1


async def add_round(repo: PairingRepository, *pairs: tuple[int, ...], guild_id: int = GUILD, left_out=None):
    return await repo.create_round(
        guild_id=guild_id,
        size=2,
        started_at=0,
        halfway_at=50,
        ends_at=100,
        task_id=None,
        groups=[Group(pair, ("chess",)) for pair in pairs],
        left_out=left_out or {},
    )


async def test_pairs_from_the_last_four_rounds_are_forbidden_and_older_ones_are_not(db: Database) -> None:
    repo = PairingRepository(db)
    await add_round(repo, (1, 2))
    for n in range(4):
        await add_round(repo, (10 + n, 20 + n, 30 + n))

    forbidden = await repo.forbidden_pairs(GUILD, 4)

    assert (1, 2) not in forbidden
    assert {(10, 20), (10, 30), (20, 30), (13, 23), (13, 33), (23, 33)} <= forbidden
    assert len(forbidden) == 12


async def test_rounds_are_numbered_per_server_and_pairs_do_not_cross_servers(db: Database) -> None:
    repo = PairingRepository(db)
    first = await add_round(repo, (1, 2))
    other = await add_round(repo, (3, 4), guild_id=2)
    second = await add_round(repo, (1, 3))

    assert (first.number, other.number, second.number) == (1, 1, 2)
    assert await repo.forbidden_pairs(2, 4) == {(3, 4)}


async def test_answers_are_stored_per_member_of_the_group(db: Database) -> None:
    repo = PairingRepository(db)
    created = await add_round(repo, (1, 2))
    (group,) = await repo.groups(created.id)

    assert await repo.set_answer(group.id, 1, Answer.ONLINE, 10)
    assert not await repo.set_answer(group.id, 3, Answer.ONLINE, 10)  # not in the group

    assert await repo.answers(group.id) == {1: Answer.ONLINE, 2: None}


async def test_forget_removes_the_member_from_pairing_and_ask_data(db: Database) -> None:
    repo = PairingRepository(db)
    await repo.join(GUILD, 1, 0)
    await add_round(repo, (1, 2), left_out={3: UnmatchedReason.ALONE})
    await AskRepository(db).record(GUILD, [1, 3], 5, 99, forget_before=0)

    before = await export_member(db, GUILD, 1)
    await forget_member(db, GUILD, 1)
    await forget_member(db, GUILD, 3)

    assert len(before["pairing_members"]) == 1 and len(before["pairing_group_members"]) == 1
    assert len(before["ask_mentions"]) == 1
    after = await export_member(db, GUILD, 1)
    assert all(rows == [] for rows in after.values())
    assert await repo.forbidden_pairs(GUILD, 4) == set()
    assert await repo.member(GUILD, 1) is None
    assert (await export_member(db, GUILD, 3))["pairing_left_out"] == []
