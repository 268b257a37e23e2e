"""Poll rules: which emoji vote for what, the tally, and picking the winner."""

from __future__ import annotations

from bot.domain.polls import (
    PLACE_EMOJIS,
    TIME_EMOJIS,
    OptionKind,
    Poll,
    PollOption,
    Tally,
    option_for_emoji,
    pick_winner,
)

TIME, PLACE = OptionKind.TIME, OptionKind.PLACE


def poll(times: list[int], places: int = 0) -> Poll:
    options = [PollOption(TIME, n, f"time {n}", epoch) for n, epoch in enumerate(times)]
    options += [PollOption(PLACE, n, f"place {n}") for n in range(places)]
    return Poll(
        id=1,
        guild_id=1,
        number=1,
        channel_id=1,
        organiser_id=1,
        title="t",
        tz="UTC",
        closes_at=0,
        created_at=0,
        options=tuple(options),
    )


def test_there_are_ten_numbers_and_ten_letters_twenty_reactions_in_all() -> None:
    assert len(TIME_EMOJIS) == len(PLACE_EMOJIS) == 10
    assert PLACE_EMOJIS[0] == "🇦" and PLACE_EMOJIS[-1] == "🇯"
    assert TIME_EMOJIS[-1] == "🔟"


def test_keycaps_match_with_or_without_the_variation_selector() -> None:
    assert option_for_emoji("1️⃣") == (TIME, 0)
    assert option_for_emoji("1\u20e3") == (TIME, 0)
    assert option_for_emoji("🔟") == (TIME, 9)
    assert option_for_emoji("🇧") == (PLACE, 1)


def test_any_other_emoji_is_not_a_vote() -> None:
    assert option_for_emoji("👍") is None
    assert option_for_emoji("🇰") is None  # K: beyond the ten places


def test_an_option_the_poll_does_not_have_is_not_a_vote() -> None:
    two = poll([100, 200], places=1)
    assert two.key_for("2️⃣") == (TIME, 1)
    assert two.key_for("3️⃣") is None
    assert two.key_for("🇧") is None


def test_tally_counts_each_member_once_per_option() -> None:
    tally = Tally.of([((TIME, 0), 7), ((TIME, 0), 7), ((TIME, 0), 8), ((PLACE, 0), 7)])
    assert tally[(TIME, 0)] == 2
    assert tally[(PLACE, 0)] == 1
    assert tally[(TIME, 1)] == 0


def test_the_most_voted_time_and_place_win() -> None:
    chosen = pick_winner(
        poll([100, 200], places=2), Tally({(TIME, 1): 3, (TIME, 0): 2, (PLACE, 1): 2, (PLACE, 0): 1})
    )
    assert chosen is not None
    assert (chosen.time.position, chosen.place.position) == (1, 1)


def test_a_tie_goes_to_the_earlier_time_not_the_first_listed() -> None:
    listed_late_first = poll([500, 100, 300])
    chosen = pick_winner(listed_late_first, Tally({(TIME, 0): 2, (TIME, 1): 2, (TIME, 2): 2}))
    assert chosen is not None and chosen.time.starts_at == 100


def test_a_tie_between_places_goes_to_the_first_listed() -> None:
    chosen = pick_winner(poll([100], places=3), Tally({(TIME, 0): 1, (PLACE, 2): 2, (PLACE, 1): 2}))
    assert chosen is not None and chosen.place.position == 1


def test_places_nobody_voted_for_fall_back_to_the_first_listed() -> None:
    chosen = pick_winner(poll([100], places=2), Tally({(TIME, 0): 1}))
    assert chosen is not None and chosen.place.position == 0


def test_without_places_the_winner_has_none() -> None:
    chosen = pick_winner(poll([100]), Tally({(TIME, 0): 1}))
    assert chosen is not None and chosen.place is None


def test_no_time_votes_means_no_winner_even_with_place_votes() -> None:
    assert pick_winner(poll([100, 200], places=1), Tally({(PLACE, 0): 4})) is None
    assert pick_winner(poll([100]), Tally()) is None
