"""The reaction-storm benchmark runs, quickly, and its correctness figures hold."""

from __future__ import annotations

from bench.reactions import (
    ScaleFigures,
    ScaleRun,
    make_scale_storm,
    make_storm,
    measure,
    measure_scale,
    parse_args,
)
from bench.sampling import Samples
from bot.boards.polls import POLL_EDIT_INTERVAL


def test_the_storm_is_valid_reaction_traffic() -> None:
    ops = make_storm(members=50, emojis=20, count=2000, seed=1)
    reacted: set[tuple[int, int]] = set()
    for member, emoji, added in ops:
        assert ((member, emoji) in reacted) is not added  # only add what is absent, remove what is there
        (reacted.add if added else reacted.discard)((member, emoji))
    assert 0.3 < sum(1 for op in ops if not op[2]) / len(ops) < 0.5


def test_quick_is_small() -> None:
    args = parse_args(["--quick"])
    assert (args.members, args.reactions, args.rounds) == (200, 1000, 1)


async def test_a_quick_storm_loses_no_vote_and_edits_at_most_once_per_interval() -> None:
    figures = await measure(members=200, reactions=1000, rounds=1)

    run = figures.meetbridge[0]
    assert figures.lost == 0 and figures.extra == 0
    assert run.votes_stored == run.votes_expected > 0
    assert run.final_shown
    assert figures.min_gap is None or figures.min_gap >= POLL_EDIT_INTERVAL
    assert 1 <= len(run.edits) <= run.virtual_seconds / POLL_EDIT_INTERVAL + 1
    assert figures.ok
    assert "votes lost: 0" in figures.report()


def test_full_quick_is_many_polls_in_several_servers() -> None:
    args = parse_args(["--full", "--quick"])
    assert (args.servers, args.polls, args.members, args.reactions) == (4, 10, 100, 2000)
    full = parse_args(["--full"])
    assert (full.servers, full.polls, full.members, full.reactions) == (100, 10, 100, 100_000)


def test_the_scale_storm_is_valid_reaction_traffic_on_every_poll() -> None:
    ops = make_scale_storm(polls=30, members=20, emojis=10, count=3000, seed=2)
    reacted: set[tuple[int, int, int]] = set()
    for poll, member, emoji, added in ops:
        assert ((poll, member, emoji) in reacted) is not added
        (reacted.add if added else reacted.discard)((poll, member, emoji))
    assert {op[0] for op in ops} == set(range(30))


async def test_a_quick_storm_over_many_polls_loses_no_vote_and_shows_every_final_tally() -> None:
    figures = await measure_scale(servers=3, per_server=4, members=30, reactions=800, batch=100)

    run = figures.meetbridge[0]
    assert run.polls == 12 and run.votes_stored == run.votes_expected > 0
    assert run.lost == 0 and run.extra == 0 and run.polls_wrong == 0
    assert run.not_shown == 0  # every poll's message ends on its final tally
    assert run.min_gap is None or run.min_gap >= POLL_EDIT_INTERVAL
    assert run.edits >= 12
    assert figures.ok
    assert "votes lost: 0   counted twice: 0   polls with a wrong count: 0" in figures.report()
    for measured in (*figures.meetbridge, *figures.bare):
        assert 0 < measured.gc_seconds < measured.seconds  # the collector ran, within the CPU time
    assert "of which the garbage collector's passes: Meetbridge" in figures.report()


def test_the_gc_clock_counts_only_collections_while_it_runs() -> None:
    import gc

    from bench.reactions import GcClock

    with GcClock() as clock:
        for _ in range(3):
            gc.collect()
    counted = clock.seconds
    gc.collect()

    assert counted > 0 and clock.seconds == counted


def test_a_sampled_storm_reports_our_share_and_each_kind_of_work_per_reaction() -> None:
    def run(seconds: float, main: float, samples: Samples) -> ScaleRun:
        return ScaleRun(seconds, 1.0, 1000, 30.0, main_seconds=main, samples=samples)

    # Main thread: 1.0 s of CPU over 100 samples, so a sample is 10 ms, 10 µs per reaction.
    kinds = ("tally edits", "vote writes", "listeners", "settling")
    ours = Samples(main=100, ours=12, gc=30, under=dict(zip(kinds, (20, 3, 5, 6), strict=True)))
    theirs = Samples(main=100, gc=30, under=dict(zip(kinds, (0, 0, 1, 2), strict=True)))
    figures = ScaleFigures(1, 10, 100, 1000, [run(1.3, 1.0, ours)], [run(0.8, 0.8, theirs)])

    sampled = figures.report().splitlines()[-2]
    assert "own code (bot/, cogs/) 120 µs" in sampled
    assert "tally edits 200 µs, its vote writes 30 µs, its reaction listeners 50 µs" in sampled
    assert "(the bare bot's 8 µs)" in sampled
    assert "settling: Meetbridge 60 µs, bare bot 16 µs" in sampled
    assert "(aiosqlite's): Meetbridge 300 µs, bare bot 0 µs" in sampled
    unsampled = ScaleFigures(1, 10, 100, 1000, [run(1.3, 1.0, ours)], [ScaleRun(0.8, 1.0, 1000, 30.0)])
    assert "py-spy" not in unsampled.report()
