"""Counting round trips to aiosqlite's thread, for tests that check a write or read takes few."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def count_trips(db: Any, backend: str) -> Callable[[], int]:
    """How many calls onto aiosqlite's thread were made since (always 0 on PostgreSQL)."""
    trips = 0
    if backend == "sqlite":
        connection = db._conn
        original = connection._execute

        def counted(*args: object, **kwargs: object) -> object:
            nonlocal trips
            trips += 1
            return original(*args, **kwargs)

        connection._execute = counted
    return lambda: trips
