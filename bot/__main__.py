"""``python -m bot``: settings -> logging -> bot.start(). ``python -m bot sandbox`` tries it offline."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from pydantic import ValidationError

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
    return parser.parse_args(argv)


def run_bot() -> int:
    from bot.app import create_bot
    from bot.config import Settings

    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"meetbridge: bad configuration: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}",
              file=sys.stderr)  # fmt: skip
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
        message = str(exc).replace(token, "<token>")
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
    return run_bot()


if __name__ == "__main__":
    sys.exit(main())
