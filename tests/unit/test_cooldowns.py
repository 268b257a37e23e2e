"""The sliding-window cooldown rule, and the service that remembers uses on a clock it is given."""

from __future__ import annotations

import pytest

from bot.domain.cooldowns import LIMITS, Action, Limit, TooSoon, span
from bot.domain.errors import UserError
from bot.services.cooldowns import SWEEP_EVERY, CooldownService

THREE_IN_TEN = Limit(3, 600, done="did it {uses} times", again="do it again", meanwhile="wait.")


# -- the rule ------------------------------------------------------------------------------------


def test_uses_below_the_limit_are_allowed() -> None:
    assert THREE_IN_TEN.next_allowed([], now=1000) is None
    assert THREE_IN_TEN.next_allowed([900, 950], now=1000) is None


def test_the_next_use_is_allowed_when_the_oldest_counted_one_leaves_the_window() -> None:
    assert THREE_IN_TEN.next_allowed([900, 950, 990], now=1000) == 1500


def test_the_window_slides_one_use_at_a_time() -> None:
    used = [900, 950, 990]

    assert THREE_IN_TEN.next_allowed(used, now=1499) == 1500
    assert THREE_IN_TEN.next_allowed(used, now=1500) is None
    assert THREE_IN_TEN.next_allowed([*used, 1500], now=1500) == 1550


def test_uses_older_than_the_window_do_not_count() -> None:
    assert THREE_IN_TEN.next_allowed([100, 200, 300, 990], now=1000) is None


def test_more_uses_than_the_limit_wait_for_enough_of_them_to_expire() -> None:
    # Five counted (e.g. the limit was lowered): two must leave before one more fits.
    assert THREE_IN_TEN.next_allowed([990, 900, 950, 960, 970], now=1000) == 1560


@pytest.mark.parametrize(("uses", "seconds"), [(0, 600), (3, 0)])
def test_a_limit_must_allow_something(uses: int, seconds: int) -> None:
    with pytest.raises(ValueError, match="at least one use"):
        Limit(uses, seconds, done="", again="", meanwhile="")


def test_the_refusal_says_when_as_a_discord_timestamp_and_what_to_do_meanwhile() -> None:
    refusal = LIMITS[Action.MEETUP].refusal(1500)

    assert isinstance(refusal, UserError) and refusal.retry_at == 1500
    assert refusal.render() == (
        "You've planned or created 3 meetups in the last 10 minutes, the most one member can. "
        "You can post another <t:1500:R>.\n"
        "Meanwhile: `/meetup list` shows what's already up: vote on a poll or RSVP there."
    )


@pytest.mark.parametrize(
    ("seconds", "text"), [(3600, "hour"), (600, "10 minutes"), (7200, "2 hours"), (90, "90 seconds")]
)
def test_windows_read_naturally(seconds: int, text: str) -> None:
    assert span(seconds) == text


def test_the_product_limits() -> None:
    assert {action: (limit.uses, limit.seconds) for action, limit in LIMITS.items()} == {
        Action.MEETUP: (3, 600),
        Action.ASK: (3, 3600),
        Action.MET: (10, 3600),
        Action.INTRO: (5, 3600),
        Action.REPORT: (3, 3600),
    }


# -- the service -----------------------------------------------------------------------------------


class Clock:
    def __init__(self, now: int = 1_000_000) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cooldowns(clock: Clock) -> CooldownService:
    return CooldownService({Action.MEETUP: THREE_IN_TEN, Action.ASK: THREE_IN_TEN}, now=clock)


def spend(
    cooldowns: CooldownService, member: int = 1, action: Action = Action.MEETUP, guild: int = 7
) -> None:
    with cooldowns.use(guild, member, action):
        pass


def test_the_fourth_use_is_refused_with_the_time_the_oldest_expires(
    cooldowns: CooldownService, clock: Clock
) -> None:
    for _ in range(3):
        spend(cooldowns)
        clock.now += 10

    with pytest.raises(TooSoon) as refused:
        spend(cooldowns)

    assert refused.value.retry_at == 1_000_000 + 600


def test_a_failed_action_gives_its_use_back(cooldowns: CooldownService) -> None:
    for _ in range(5):
        with pytest.raises(UserError), cooldowns.use(7, 1, Action.MEETUP):
            raise UserError("bad times")

    for _ in range(3):
        spend(cooldowns)


def test_a_use_in_flight_already_counts(cooldowns: CooldownService) -> None:
    """Two commands sent at once cannot both take the last place."""
    spend(cooldowns)
    spend(cooldowns)
    with cooldowns.use(7, 1, Action.MEETUP), pytest.raises(TooSoon):
        spend(cooldowns)


def test_members_servers_and_actions_have_budgets_of_their_own(cooldowns: CooldownService) -> None:
    for _ in range(3):
        spend(cooldowns)

    spend(cooldowns, member=2)
    spend(cooldowns, guild=8)
    spend(cooldowns, action=Action.ASK)
    with pytest.raises(TooSoon):
        cooldowns.check(7, 1, Action.MEETUP)


def test_exempt_members_are_neither_refused_nor_counted(cooldowns: CooldownService) -> None:
    for _ in range(10):
        with cooldowns.use(7, 1, Action.MEETUP, exempt=True):
            pass

    assert cooldowns.tracked == 0
    cooldowns.check(7, 1, Action.MEETUP)


def test_check_refuses_without_spending(cooldowns: CooldownService) -> None:
    for _ in range(5):
        cooldowns.check(7, 1, Action.MEETUP)

    for _ in range(3):
        spend(cooldowns)


def test_windows_that_have_passed_are_forgotten(cooldowns: CooldownService, clock: Clock) -> None:
    for member in range(1000):
        spend(cooldowns, member=member)
    assert cooldowns.tracked == 1000

    clock.now += 600 + SWEEP_EVERY
    spend(cooldowns, member=5000)

    assert cooldowns.tracked == 1
