"""``python -m bot sandbox [--tour]``: argument handling, output and exit codes."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

DEFAULT_FOLDER = Path("data/sandbox")


class Refused(Exception):
    """The sandbox cannot start on this database; the message says why and what to do instead."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextlib.contextmanager
def database_in_use(requested: str | None, name: str) -> Iterator[Path]:
    """A fresh database for this run, held for its whole life (see ``fresh_database``).

    A lock file beside the database (``<name>.lock``, kept between runs) is locked first, with a
    lock the operating system drops when the process ends however it ends: a second sandbox on the
    same database is refused before it deletes anything, and a crash leaves no stale lock.
    """
    if requested:
        fresh_database(requested, name)  # refuse an existing file before leaving a lock beside it
    database = Path(requested) if requested else DEFAULT_FOLDER / name
    database.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path(database), "a+b") as handle:
        if not _try_lock(handle):
            other = database.parent / "other.db"
            raise Refused(
                f"meetbridge: another sandbox is running on {database}; stop it (Ctrl-C in its terminal) "
                f"or give this one its own file: python -m bot sandbox --database {other}"
            )
        yield fresh_database(requested, name)


def fresh_database(requested: str | None, name: str) -> Path:
    """A new database: the path asked for (which must not exist yet), else data/sandbox/<name> anew.

    The simulated Discord starts empty each time, with the same ids, so rows from an earlier run
    would point at messages that no longer exist; a file someone names is never deleted. Call it
    only while holding the lock (``database_in_use``).
    """
    if requested:
        path = Path(requested)
        if path.exists():
            raise Refused(
                f"meetbridge: {path} already exists; the sandbox starts from an empty database "
                "(its simulated Discord starts empty too). Name a new file or leave out --database."
            )
        return path
    path = DEFAULT_FOLDER / name
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return path


def _try_lock(handle: IO[bytes]) -> bool:
    """An exclusive, non-blocking lock on ``handle`` for as long as it stays open."""
    try:
        if os.name == "nt":  # pragma: no cover - exercised on Windows only
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def run_sandbox(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    if not args.speed > 0:
        print(f"meetbridge: --speed must be above 0 (1 is real time, 60 an hour a minute), not {args.speed}",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        with database_in_use(args.database, "tour.db" if args.tour else "sandbox.db") as database:
            if args.tour:
                return run_tour_command(database)
            from bot.sandbox.server import serve_until_interrupted

            return serve_until_interrupted(database, port=args.port, speed=args.speed)
    except Refused as refusal:
        print(refusal, file=sys.stderr)
        return 2


def run_tour_command(database: Path) -> int:
    from bot.sandbox.tour import run_tour

    result = asyncio.run(run_tour(database, sys.stdout))
    if not result.ok:
        print(f"meetbridge tour: step '{result.failed_step}' failed: {result.reason}", file=sys.stderr)
        return 1
    return 0
