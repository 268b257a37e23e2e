"""The hostile-server benchmark runs in quick mode and its figures hold."""

from __future__ import annotations

from bench.hostile import RATES, Figures, measure, parse_args, script


def test_quick_is_small() -> None:
    args = parse_args(["--quick"])
    assert (args.members, args.minutes) == (12, 3)


def test_the_script_runs_every_command_at_least_once_inside_the_period() -> None:
    planned = script(minutes=3, seed=1)
    assert {action for _, action in planned} == {*RATES, "pairing run"}
    assert all(0 < second < 180 for second, _ in planned)


async def test_a_quick_run_costs_at_most_one_invalid_request_per_command_and_none_when_intact() -> None:
    # APScheduler reads SimCord's clock: the session fixture in tests/conftest.py sets that up.
    figures: Figures = await measure(members=12, minutes=3)

    hostile, intact = figures.hostile, figures.intact
    assert hostile.command_count >= 40 and hostile.reactions > 0
    assert hostile.invalid > 0 and hostile.per_command <= 1
    assert hostile.held_back > hostile.invalid  # most refused kinds were not asked again
    assert hostile.outbound_invalid == hostile.invalid  # nothing wrote to Discord around it
    assert intact.invalid == 0 and intact.command_count == hostile.command_count
    limited = figures.limited
    assert limited.limited_at is not None and limited.next_after is not None
    assert limited.next_after >= limited.retry_after and limited.final_shown
    assert figures.ok
    report = figures.report()
    for label in (
        "invalid per command:",
        "per simulated minute:",
        "held back",
        "permissions intact (baseline): 0 invalid",
        "final tally shown: yes",
    ):
        assert label in report
