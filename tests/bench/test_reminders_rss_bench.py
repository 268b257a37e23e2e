"""The whole-bot memory benchmark runs in quick mode: three fresh processes, each with its servers
cached and SimCord's model of them measured apart."""

from __future__ import annotations

from bench.reminders_rss import KINDS, ROOT, TARGET_MB, measure, owner, parse_args


def test_a_block_belongs_to_whoever_allocated_it() -> None:
    assert owner("/venv/site-packages/simcord/backend/serializers.py") == "SimCord"  # its payloads
    assert owner("/venv/site-packages/discord/member.py") == "discord.py"  # what it builds from them
    assert owner(str(ROOT / "bot/scheduling/scheduler.py")) == "meetbridge"
    assert owner("/usr/lib/python3.11/asyncio/events.py") == "other"


def test_quick_is_small() -> None:
    args = parse_args(["--quick"])
    assert (args.servers, args.reminders) == (20, 2000)


async def test_a_quick_run_starts_each_bot_in_its_own_process_with_every_server_cached() -> None:
    figures = await measure(servers=20, reminders=2000)

    assert set(figures.runs) == set(KINDS)
    for kind, run in figures.runs.items():
        assert run["guilds"] == 20 and run["members"] == 20 * 7, kind  # five members, the owner, the bot
        assert run["base"] > 0 and run["modelled"] >= run["base"] * 0.99 and run["started"] > 0
        assert run["meetbridge_imported"] is (kind != "bare")  # the baseline is discord.py alone
    # Every reminder written is pending after the start (none lost, none run early).
    assert figures.runs["loaded"]["pending"] == 2000 and figures.runs["empty"]["pending"] == 0
    assert figures.bot_mb("loaded") > figures.bot_mb("bare")
    # The fourth, traced start attributes what it left allocated; SimCord's part is taken off.
    assert figures.held.get("SimCord", 0) > 0 and set(figures.held) <= {
        "SimCord",
        "discord.py",
        "meetbridge",
        "other",
    }
    assert figures.estimate_mb == figures.bot_mb("loaded") - figures.held["SimCord"]
    report = figures.report()
    assert f"/ target ({TARGET_MB:.0f} MB)" in report and "empty - bare" in report
    assert "less what SimCord allocated starting it" in report
    for kind in KINDS:
        assert f"\n{kind:<8}" in report
