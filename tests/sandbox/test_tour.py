"""The guided tour is the end-to-end test of the whole product: every step, and what it printed."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from bot.sandbox.tour import STEPS, Step, Tour, run_tour

ROOT = Path(__file__).resolve().parents[2]

# Lines a reader of the transcript relies on, in the order they must appear.
KEY_LINES = (
    "[#general] ada → /config channel purpose:introductions channel:#introductions",
    "[#general] Meetbridge (only ada sees this): Times are now read and shown in Europe/Berlin.",
    "[#introductions] Meetbridge: Welcome to Meetbridge Demo, @nina! 👋",
    "[#general] nina → fills in the form: about: Just moved to Berlin",
    '[#introductions] Meetbridge: 👋 Say hello to @nina!\n    embed "nina"',
    "[#general] nina → /match",
    "      1. @ada · photography, board games, hiking · ~1 km away",
    "[#general] ada → /pairing run",
    "[#pairing] Meetbridge: Round 1: ben, farid",
    '[#pairing › Round 1: ben, farid] Meetbridge: embed "🗳️ Poll #1: Board games after work"',
    '[#pairing › Round 1: ben, farid] Meetbridge: ✎ edited embed "🗳️ Poll #1: Board games after work"',
    "[#general] nina → /meetup plan title:Sunday hike times:sat 10am; sun 10am; sun 2pm",
    '[#meetups] Meetbridge: embed "🗳️ Poll #2: Sunday hike"',
    "    reactions: 1️⃣ 2️⃣ 3️⃣ 🇦 🇧",
    "[#meetups] ben → reacts 1️⃣ 🇦",
    "      1️⃣ Sat 3 Jan 2026, 10:00 (in 2 days) · 4 votes",
    "[#meetups] Meetbridge: ⏰ Poll #2 “Sunday hike” closes Thu 1 Jan 2026, 13:00.",
    "      1️⃣ Sat 3 Jan 2026, 10:00 · 4 votes 🏆",
    "[#meetups] Meetbridge: 🗳️ @ada @ben @elif @nina: you voted for this time. Coming? Answer below.",
    '    embed "📅 Sunday hike"',
    "    buttons: Going (0) | Maybe (0) | Can't go (0)",
    '[#meetups] farid → clicks "Going (3)" on "📅 Sunday hike"',
    "Meetbridge (only farid sees this): Meetup #2 “Sunday hike” is full, so you are #2 on the waitlist.",
    "[DM ada] Meetbridge: 🎉 A place opened up: you're now going to meetup #2 “Sunday hike”",
    "    📎 meetup-2.ics",
    "[#meetups › Meetup #2: Sunday hike] Meetbridge: ⏰ Sunday hike (meetup #2) starts Sat 3 Jan 2026, "
    "10:00\n",
    "    Going (3): @nina @ben @ada",
    "starts Sat 3 Jan 2026, 10:00\n    📍",
    "[#meetups › Meetup #2: Sunday hike] Meetbridge: 👋 Who came? Meetup #2 Sunday hike is over",
    "[#meetups › Meetup #2: Sunday hike] nina → chooses @ben",
    "[DM nina] Meetbridge: 🤝 You and ben both said you met at meetup #2 “Sunday hike” in Meetbridge Demo.",
    "[DM chiara] Meetbridge: 🤝 You and elif both said you met in person in Meetbridge Demo.",
    "[#support] Meetbridge: ❓ @nina asks about board games. @ben @ada @elif: you offered to help",
    "[#general] deniz → /block member:@farid",
    "[#moderation] Meetbridge: 🚩 Report #1",
    '[#moderation] ada → clicks "Dismiss" on "Report #1"',
    "[#introductions] Meetbridge: ✂ deleted its message (👋 Say hello to @farid!)",
    "== The tour passed: 16 steps in",
)


def in_order(text: str, lines: tuple[str, ...]) -> list[str]:
    """The key lines missing from ``text`` or out of order."""
    problems, position = [], 0
    for line in lines:
        found = text.find(line, position)
        if found < 0:
            problems.append(line if line not in text else f"(out of order) {line}")
        else:
            position = found + len(line)
    return problems


async def test_the_tour_plays_the_whole_loop_and_prints_it_in_order(tmp_path: Path) -> None:
    out = io.StringIO()

    result = await run_tour(tmp_path / "tour.db", out)

    assert result.ok, f"{result.failed_step}: {result.reason}\n{result.transcript}"
    assert result.passed == [step.name for step in STEPS]
    assert out.getvalue() == result.transcript + "\n"
    assert in_order(result.transcript, KEY_LINES) == []


async def test_a_step_that_does_not_produce_what_it_should_fails_naming_it(tmp_path: Path) -> None:
    async def step_expecting_too_much(tour: Tour) -> None:
        await tour.slash(tour.member("ben"), tour.channel("general"), "meetup list")
        tour.expect(tour.channel("meetups").last_message is not None, "nothing was posted in #meetups")

    steps = (
        STEPS[0],
        Step("too-much", "Expecting a post that never comes", step_expecting_too_much),
        STEPS[1],
    )

    result = await run_tour(tmp_path / "tour.db", steps=steps)

    assert not result.ok
    assert (result.failed_step, result.reason) == ("too-much", "nothing was posted in #meetups")
    assert result.passed == ["configure"]
    assert result.lines[-1] == "== The tour FAILED at step 'too-much': nothing was posted in #meetups =="


async def test_a_step_that_crashes_fails_naming_it(tmp_path: Path) -> None:
    async def step_that_crashes(tour: Tour) -> None:
        raise LookupError("no such member")

    result = await run_tour(tmp_path / "tour.db", steps=(Step("crash", "Crashing", step_that_crashes),))

    assert (result.ok, result.failed_step, result.reason) == (False, "crash", "LookupError: no such member")


def test_python_m_bot_sandbox_tour_exits_0_and_prints_the_transcript(tmp_path: Path) -> None:
    environment = dict(os.environ, PYTHONPATH=str(ROOT))

    done = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", "--tour", "--database", str(tmp_path / "tour.db")],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert in_order(done.stdout, KEY_LINES) == []
