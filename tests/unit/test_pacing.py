"""Planning send times within Discord's per-channel and global limits."""

from __future__ import annotations

from bot.domain.pacing import SendPlanner


def test_five_messages_go_at_once_and_the_sixth_five_seconds_later() -> None:
    planner = SendPlanner()

    assert planner.plan(1, 7, now=100) == [100, 100, 100, 100, 100, 105, 105]


def test_a_channel_busy_from_an_earlier_plan_waits_for_its_window() -> None:
    planner = SendPlanner()
    planner.plan(1, 4, now=100)

    assert planner.plan(1, 2, now=102) == [102, 105]
    assert planner.plan(2, 2, now=102) == [102, 102]  # another channel is free


def test_the_global_budget_spreads_many_channels_over_the_next_seconds() -> None:
    planner = SendPlanner(per_second=3)

    times = [planner.plan(channel, 1, now=10)[0] for channel in range(7)]

    assert times == [10, 10, 10, 11, 11, 11, 12]


def test_old_plans_are_forgotten() -> None:
    planner = SendPlanner()
    for channel in range(100):
        planner.plan(channel, 5, now=0)

    planner.plan(1000, 1, now=60)

    assert planner.channels_tracked == 1
