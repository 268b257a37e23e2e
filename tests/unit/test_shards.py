"""Discord's shard rule, reading MEETBRIDGE_SHARD_IDS, and a process's share of the global limit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.config import Settings
from bot.domain.shards import Shards, default_rate_share, is_home, parse_shard_ids, shard_of

# A snowflake made at a known millisecond: (ms since 2015 << 22) | worker/process/increment bits.
GUILD = (123_456_789 << 22) | 0x3FFFFF


def test_a_server_s_shard_is_its_timestamp_modulo_the_shard_count() -> None:
    assert shard_of(GUILD, 8) == 123_456_789 % 8
    assert shard_of(GUILD, 1) == 0


def test_work_for_every_server_is_filed_on_shard_zero() -> None:
    assert shard_of(0, 16) == 0
    assert Shards(16, (0, 1)).owns(0) and not Shards(16, (1, 2)).owns(0)


@given(st.integers(min_value=1, max_value=64), st.integers(min_value=0, max_value=2**63 - 1))
def test_each_server_belongs_to_exactly_one_of_a_split_of_the_shards(count: int, guild_id: int) -> None:
    halves = [Shards(count, tuple(range(count))[i::2]) for i in range(2) if tuple(range(count))[i::2]]
    assert sum(part.owns(guild_id) for part in halves) == 1


@given(st.integers(min_value=1, max_value=64), st.integers(min_value=0, max_value=63))
def test_a_shard_s_home_id_falls_on_that_shard(count: int, shard: int) -> None:
    shard %= count
    assert shard_of(Shards(count, (shard,)).home(shard), count) == shard


@pytest.mark.parametrize(
    ("text", "count", "ids"),
    [
        ("0-3", 8, (0, 1, 2, 3)),
        ("4,5,6,7", 8, (4, 5, 6, 7)),
        (" 6 , 0-1 ", 8, (0, 1, 6)),
        ("", 3, (0, 1, 2)),
        (None, 2, (0, 1)),
        ("5", 6, (5,)),
    ],
)
def test_shard_ids_are_read_as_ranges_and_lists(text: str | None, count: int, ids: tuple[int, ...]) -> None:
    assert parse_shard_ids(text, count) == ids


@pytest.mark.parametrize(
    ("text", "count", "says"),
    [
        ("0-9", 8, "8, 9 do not exist with 8 shard(s)"),
        ("3-1", 8, "runs backwards"),
        ("zero", 8, "cannot read shard ids 'zero'"),
        ("1,1", 8, "listed twice"),
        ("0-2,2", 8, "listed twice"),
        ("0;1", 8, "write e.g. `0-3`"),
    ],
)
def test_bad_shard_ids_are_refused_with_what_to_write(text: str, count: int, says: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_shard_ids(text, count)
    assert says in str(refused.value)


def test_settings_refuse_shard_ids_outside_the_count_naming_the_variable() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(shard_count=4, shard_ids="2-5")
    assert "MEETBRIDGE_SHARD_IDS" in str(refused.value) and "4, 5 do not exist" in str(refused.value)


def test_settings_read_shards_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEETBRIDGE_SHARD_COUNT", "8")
    monkeypatch.setenv("MEETBRIDGE_SHARD_IDS", "4-7")
    settings = Settings()
    assert settings.shards == Shards(8, (4, 5, 6, 7)) and settings.sharded
    assert settings.rate_share == 25.0  # half the shards: half of Discord's 50 requests a second


def test_one_process_owns_everything_by_default() -> None:
    settings = Settings()
    assert settings.shards.everything and not settings.sharded and settings.rate_share == 50.0


def test_the_rate_share_is_the_process_s_fraction_of_the_shards_unless_set() -> None:
    assert default_rate_share(Shards(10, (0, 1, 2, 3, 4))) == 25.0
    assert default_rate_share(Shards(4, (3,))) == 12.5
    assert Settings(shard_count=4, shard_ids="3", global_rate_share=20).rate_share == 20.0


def test_a_shard_s_home_id_is_told_apart_from_any_server() -> None:
    assert all(is_home(Shards(64, (s,)).home(s)) for s in range(64))
    assert not is_home(GUILD) and not is_home((1 << 22) * 5000)


def test_the_bot_refuses_to_start_with_bad_shard_ids_saying_what_to_write(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.__main__ import main

    monkeypatch.setenv("DISCORD_TOKEN", "not-used")
    monkeypatch.setenv("MEETBRIDGE_SHARD_COUNT", "4")
    monkeypatch.setenv("MEETBRIDGE_SHARD_IDS", "2-5")

    assert main([]) == 2
    assert capsys.readouterr().err.strip() == (
        "meetbridge: bad configuration: MEETBRIDGE_SHARD_IDS: shard id(s) 4, 5 do not exist with "
        "4 shard(s) (ids run from 0 to 3)"
    )
