"""The reaction-storm benchmark runs, quickly, and its correctness figures hold."""

from __future__ import annotations

from bench.reactions import make_scale_storm, make_storm, measure, measure_scale, parse_args
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
