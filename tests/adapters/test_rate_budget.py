"""A process's share of Discord's global limit: a token bucket in the one way out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.outbound import RateBudget


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_a_burst_up_to_the_share_goes_at_once_and_the_rest_is_spread_over_the_next_seconds() -> None:
    clock = Clock()
    budget = RateBudget(25, now=clock)

    waits = [budget.reserve() for _ in range(75)]

    assert waits[:25] == [0.0] * 25
    assert waits[25] == pytest.approx(1 / 25) and waits[-1] == pytest.approx(2.0)


def test_a_quiet_moment_refills_the_bucket_but_never_beyond_one_second() -> None:
    clock = Clock()
    budget = RateBudget(10, now=clock)
    for _ in range(10):
        budget.reserve()
    clock.t += 60  # a long quiet minute

    waits = [budget.reserve() for _ in range(11)]

    assert waits[:10] == [0.0] * 10 and waits[10] > 0


@given(
    rate=st.sampled_from([5.0, 12.5, 25.0, 50.0]),
    gaps=st.lists(st.floats(min_value=0, max_value=0.5), min_size=1, max_size=300),
)
def test_no_window_of_a_second_ever_holds_more_than_the_share_plus_one_burst(
    rate: float, gaps: list[float]
) -> None:
    """Whatever the arrivals, the requests as made (arrival + wait) keep to the rate: any window of
    T seconds holds at most rate * (T + 1) of them."""
    clock = Clock()
    budget = RateBudget(rate, now=clock)
    sent = []
    for gap in gaps:
        clock.t += gap
        sent.append(clock.t + budget.reserve())
    sent.sort()
    for i, start in enumerate(sent):
        for span in (1.0, 5.0):
            inside = sum(1 for t in sent[i:] if t < start + span - 1e-9)
            assert inside <= rate * (span + 1) + 1e-6
    # and over the whole run, the average keeps to the rate after the first burst
    assert len(sent) <= rate * (sent[-1] - sent[0] + 1) + 1
