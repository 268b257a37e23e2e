"""KeyedLocks: one lock per key, and no key kept once nobody needs it."""

from __future__ import annotations

import asyncio

import pytest

from bot.services.locks import KeyedLocks


async def test_two_tasks_on_one_key_take_turns() -> None:
    locks: KeyedLocks[int] = KeyedLocks()
    inside: list[str] = []

    async def work(name: str) -> None:
        async with locks.hold(7):
            inside.append(f"{name} in")
            await asyncio.sleep(0)
            inside.append(f"{name} out")

    await asyncio.gather(work("a"), work("b"))

    assert inside == ["a in", "a out", "b in", "b out"]


async def test_different_keys_do_not_wait_for_each_other() -> None:
    locks: KeyedLocks[int] = KeyedLocks()
    async with locks.hold(1):
        await asyncio.wait_for(_enter(locks, 2), timeout=1)


async def _enter(locks: KeyedLocks[int], key: int) -> None:
    async with locks.hold(key):
        pass


async def test_a_key_is_kept_while_held_or_waited_for_and_dropped_after() -> None:
    locks: KeyedLocks[int] = KeyedLocks()
    async with locks.hold(1):
        waiter = asyncio.create_task(_enter(locks, 1))
        await asyncio.sleep(0)
        assert 1 in locks and len(locks) == 1
    await waiter

    assert 1 not in locks and len(locks) == 0


async def test_a_failure_inside_still_frees_the_key() -> None:
    locks: KeyedLocks[str] = KeyedLocks()
    with pytest.raises(RuntimeError):
        async with locks.hold("meetup"):
            raise RuntimeError("boom")

    assert len(locks) == 0


async def test_a_thousand_keys_used_once_leave_nothing_behind() -> None:
    locks: KeyedLocks[int] = KeyedLocks()
    for key in range(1000):
        async with locks.hold(key):
            pass

    assert len(locks) == 0
