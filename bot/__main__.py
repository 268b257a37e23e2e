"""``python -m bot``: settings -> logging -> bot.start(). ``python -m bot sandbox`` tries it offline."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import TYPE_CHECKING

from pydantic import ValidationError

if TYPE_CHECKING:
    from bot.config import Settings

NO_TOKEN = (
    "meetbridge: DISCORD_TOKEN is not set. Create a bot at https://discord.com/developers/applications, "
    "then run `DISCORD_TOKEN=<token> python -m bot` (or put it in .env); "
    "to try Meetbridge without a token, run `python -m bot sandbox`."
)


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("discord.http").setLevel(max(logging.getLevelName(level), logging.INFO))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Run the Meetbridge Discord bot.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot with DISCORD_TOKEN (the default)")
    sandbox = sub.add_parser("sandbox", help="try Meetbridge offline against a simulated Discord")
    sandbox.add_argument("--database", help="SQLite file to use (default: a fresh one under data/sandbox/)")
    sandbox.add_argument("--port", type=int, default=0, help="port for the browser preview (default: free)")
    sandbox.add_argument("--speed", type=float, default=1.0, help="virtual time runs N times faster")
    sandbox.add_argument("--tour", action="store_true", help="play the guided tour and print it")
    sub.add_parser(
        "migrate",
        help="apply pending database migrations once and exit (MEETBRIDGE_DATABASE_URL or _PATH)",
    )
    copy = sub.add_parser("copy-db", help="copy a whole database into an empty one (SQLite <-> PostgreSQL)")
    copy.add_argument("--from", dest="source", required=True, help="SQLite file or postgresql:// URL")
    copy.add_argument("--to", dest="target", required=True, help="SQLite file or postgresql:// URL (empty)")
    return parser.parse_args(argv)


def _load_settings() -> Settings | None:
    from bot.config import Settings

    try:
        return Settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        message = str(error["msg"]).removeprefix("Value error, ")
        where = f"{error['loc']}: " if error["loc"] else ""  # a check of several settings names them itself
        print(f"meetbridge: bad configuration: {where}{message}", file=sys.stderr)
        return None


def _secret_free(text: str, *targets: object) -> str:
    from bot.storage.postgres import redact_text

    for target in targets:
        if isinstance(target, str):
            text = redact_text(text, target)
    return text


def run_migrate() -> int:
    """Apply pending migrations once (the one-off step before shard processes start)."""
    from bot.storage.backends import describe, open_database

    settings = _load_settings()
    if settings is None:
        return 2
    configure_logging(settings.log_level)
    target = settings.database_target

    async def migrate() -> int:
        db = await open_database(target)
        try:
            return await db.migrate()
        finally:
            await db.close()

    try:
        version = asyncio.run(migrate())
    except Exception as exc:
        print(f"meetbridge: migrate failed: {_secret_free(str(exc), target)}", file=sys.stderr)
        return 1
    print(f"meetbridge: {describe(target)} is at schema version {version}")
    return 0


def run_copy(source: str, target: str) -> int:
    from bot.storage.backends import describe
    from bot.storage.copy import copy_database

    configure_logging("WARNING")
    try:
        report = asyncio.run(copy_database(source, target))
    except Exception as exc:
        print(f"meetbridge: copy-db failed: {_secret_free(str(exc), source, target)}", file=sys.stderr)
        return 1
    rows = sum(table.rows for table in report)
    print(f"meetbridge: copied {rows} rows in {len(report)} tables", end=" ")
    print(f"from {describe(source)} to {describe(target)}")
    for table in report:
        print(f"  {table.table}: {table.rows} rows, sha256 {table.checksum[:16]} (verified)")
    return 0


def run_bot() -> int:
    from bot.app import create_bot

    settings = _load_settings()
    if settings is None:
        return 2
    if settings.discord_token is None or not settings.discord_token.get_secret_value().strip():
        print(NO_TOKEN, file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    bot = create_bot(settings)
    token = settings.discord_token.get_secret_value().strip()

    async def main() -> None:
        async with bot:
            await bot.start(token)

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    except Exception as exc:  # LoginFailure and friends: say it without a traceback or the token
        message = _secret_free(str(exc).replace(token, "<token>"), settings.database_target)
        print(f"meetbridge: {type(exc).__name__}: {message}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "sandbox":
        try:
            from bot.sandbox import run_sandbox
        except ImportError:
            print("meetbridge: the sandbox needs its extra: pip install -e '.[sandbox]'", file=sys.stderr)
            return 2
        return run_sandbox(args)
    if args.command == "migrate":
        return run_migrate()
    if args.command == "copy-db":
        return run_copy(args.source, args.target)
    return run_bot()


if __name__ == "__main__":
    sys.exit(main())
