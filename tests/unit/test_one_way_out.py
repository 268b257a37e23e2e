"""Structure: nothing writes to Discord except bot/adapters (one way out, one set of rules).

Posts, edits, reactions, threads, scheduled events and DMs go through
:class:`bot.adapters.outbound.Outbound`; replies to interactions through
:mod:`bot.adapters.replies`. A feature that called discord.py directly would skip the explicit
pings, the size limits and the hold after a 403, so this test reads every module's syntax tree
and fails naming the call.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {ROOT / "bot" / "adapters"}
SKIPPED = {ROOT / "bot" / "sandbox"}  # the sandbox acts as members (SimCord actors), not as the bot

# discord.py methods that write to Discord (or hand out something that can).
WRITES = {
    "send",
    "send_message",
    "edit_message",
    "edit_original_response",
    "add_reaction",
    "create_thread",
    "create_scheduled_event",
    "add_user",
    "get_partial_message",
    "get_partial_messageable",
    "fetch_message",
}
# Our own methods that share a name with one of those.
OWN_RECEIVERS = ("outbox",)


def modules() -> list[Path]:
    paths = sorted((ROOT / "bot").rglob("*.py")) + sorted((ROOT / "cogs").rglob("*.py"))
    return [path for path in paths if not any(path.is_relative_to(folder) for folder in ALLOWED | SKIPPED)]


def direct_writes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "followup":
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} .followup")
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in WRITES:
            continue
        receiver = ast.unparse(node.func.value)
        if receiver.endswith(OWN_RECEIVERS):
            continue
        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {receiver}.{node.func.attr}(…)")
    return found


def test_the_scan_finds_a_direct_write() -> None:
    sample = ROOT / "tests" / "unit" / "_direct_write_sample.py"
    sample.write_text("async def f(channel):\n    await channel.send('hi')\n", encoding="utf-8")
    try:
        assert direct_writes(sample) == ["tests/unit/_direct_write_sample.py:2 channel.send(…)"]
    finally:
        sample.unlink()


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_module_writes_to_discord_outside_the_adapters(path: Path) -> None:
    assert direct_writes(path) == [], "write through bot.adapters.outbound / bot.adapters.replies"
