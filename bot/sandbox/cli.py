"""``python -m bot sandbox [--tour]``: argument handling, output and exit codes."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

DEFAULT_FOLDER = Path("data/sandbox")


class ExistingDatabase(Exception):
    pass


def fresh_database(requested: str | None, name: str) -> Path:
    """A new database: the path asked for (which must not exist yet), else data/sandbox/<name> anew.

    The simulated Discord starts empty each time, with the same ids, so rows from an earlier run
    would point at messages that no longer exist; a file someone names is never deleted.
    """
    if requested:
        path = Path(requested)
        if path.exists():
            raise ExistingDatabase(
                f"meetbridge: {path} already exists; the sandbox starts from an empty database "
                "(its simulated Discord starts empty too). Name a new file or leave out --database."
            )
        return path
    path = DEFAULT_FOLDER / name
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return path


def run_sandbox(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    if not args.speed > 0:
        print(f"meetbridge: --speed must be above 0 (1 is real time, 60 an hour a minute), not {args.speed}",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        database = fresh_database(args.database, "tour.db" if args.tour else "sandbox.db")
    except ExistingDatabase as refusal:
        print(refusal, file=sys.stderr)
        return 2
    if args.tour:
        return run_tour_command(database)
    from bot.sandbox.server import serve_until_interrupted

    return serve_until_interrupted(database, port=args.port, speed=args.speed)


def run_tour_command(database: Path) -> int:
    from bot.sandbox.tour import run_tour

    result = asyncio.run(run_tour(database, sys.stdout))
    if not result.ok:
        print(f"meetbridge tour: step '{result.failed_step}' failed: {result.reason}", file=sys.stderr)
        return 1
    return 0
