"""The commands benchmark runs quickly, every command answers, and its report names each one."""

from __future__ import annotations

import pytest

from bench.commands import ACTS, TARGETED, TRIPS, measure, parse_args
from bench.reactions import UNDER
from bench.sampling import read_samples, sampled_share


def test_our_share_of_py_spys_samples_is_our_innermost_frames_on_the_main_thread() -> None:
    raw = [
        "thread (11): MainThread;<module> (bench/commands.py:600);match (bot/domain/matching.py:391) 25",
        "thread (11): MainThread;_run (asyncio/events.py:80);reply (cogs/matching.py:20) 5",
        "thread (11): MainThread;reply (bot/adapters/replies.py:33);send (discord/webhook/async_.py:90) 40",
        "thread (12): Thread-1;run (aiosqlite/core.py:59);_cursor (bot/storage/database.py:300) 30",
        "",
    ]
    # Ours: the innermost frame in bot/ or cogs/ on the main thread; discord.py's below our frames
    # is not; the shares are of the main thread's samples (its CPU is what they divide).
    assert sampled_share(raw) == (30, 70)


def test_work_under_a_frame_counts_every_sample_with_it_anywhere_in_the_stack() -> None:
    main = "thread (11): MainThread;Handle._run (asyncio/events.py:80)"
    raw = [
        f"{main};PollBoard._render (bot/boards/polls.py:220);Messageable.edit (discord/message.py:9) 7",
        f"{main};_render (bot/boards/polls.py:225) 3",  # py-spy started with the process: no class
        f"{main};PollService._write (bot/services/polls.py:270);apply (bot/storage/polls.py:9) 4",
        f"{main};Env._settle_internal (simcord/env.py:540) 2",
        f"{main};GatewayFeed.feed (simcord/gateway.py:54) 4",
        # A collector's pass started by our allocation: apart, neither ours nor a kind of work.
        f"{main};PollBoard._render (bot/boards/polls.py:229);gc_collect_main (libpython3.11.so.1.0) 5",
        "thread (12): Thread-1;run (aiosqlite/core.py:59);_execute (bot/storage/database.py:300) 30",
    ]
    samples = read_samples(raw, UNDER)

    assert samples.under == {"tally edits": 10, "vote writes": 4, "listeners": 0, "settling": 2}
    assert (samples.ours, samples.gc, samples.main) == (7, 5, 25)
    assert samples.share_under("tally edits", cpu=2.5) == 1.0 and samples.share(cpu=2.5) == pytest.approx(0.7)


def test_quick_is_small() -> None:
    args = parse_args(["--quick"])
    assert (args.members, args.block, args.rounds) == (12, 5, 2)


async def test_a_quick_run_answers_every_command_and_profiles_our_own_code() -> None:
    figures = await measure(members=8, block=3, rounds=1)

    assert [command.name for command in figures.commands] == list(ACTS)
    assert set(TARGETED) <= set(ACTS)
    for command in [figures.noop, *figures.commands]:
        assert command.failed == 0 and command.answered >= 6  # its blocks, timed and profiled, answered
        assert len(command.cpu_us) == (len(ACTS) if command is figures.noop else 1)
        assert command.own_ms > 0 and command.calls > 0  # the profiler saw our code run
        assert 0 <= figures.net_ms(command) <= command.own_ms
        assert command.sampled_ms is None and figures.judged_ms(command) == command.own_ms  # no --sample
    assert figures.noop.statements < figures.commands[0].statements  # /profile reads the database
    assert figures.card is not None and figures.card.failed == 0 and len(figures.card.cpu_us) == 1
    report = figures.report()
    assert "every command answered: yes" in report
    assert "no-op answering a fixed meetup-sized card" in report and "÷card" in report
    assert figures.call_cost_us > 0 and "cProfile adds" in report and "net ms" in report
    # The third baseline: its round trips are counted, priced, and each command's share shown.
    assert figures.db is not None and figures.db.failed == 0 and figures.db.statements == TRIPS
    assert figures.trip_us >= 0 and figures.plain_trip_us > 0
    assert "a round trip to the database thread costs" in report and "rest µs" in report
    privacy = next(command for command in figures.commands if command.name == "privacy show")
    assert privacy.statements <= 3  # a member's stored data is read in one trip, not one per table
    for name in ACTS:
        assert f"\n{name:<16}" in report
