"""The time reader against the corpus of typed times: every phrase, three zones, seven moments.

Each phrase is one test; it fails listing every zone and moment where the reading (or the
refusal, or the refusal's example) is not what tests/unit/when_corpus.py says it must be.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bench.when_corpus import main as score
from bot.domain.durations import parse_duration
from bot.domain.errors import UserError
from bot.domain.when import read_closes, read_time
from tests.unit import when_corpus as corpus

READER = corpus.Reader(
    read_time=lambda text, now, tz, order: read_time(text, now=now, tz=tz, order=order),
    read_closes=lambda text, now, tz, order: read_closes(text, now=now, tz=tz, latest=None, order=order),
    parse_duration=parse_duration,
    refusal=UserError,
)
CONTEXTS = corpus.contexts()


@pytest.mark.parametrize("phrase", corpus.CORPUS, ids=lambda phrase: phrase.id)
def test_phrase_reads_as_expected_in_every_zone_and_moment(phrase: corpus.Phrase) -> None:
    problems = [
        f"{ctx.tz}, {ctx.label} (now {ctx.wall:%a %d %b %Y %H:%M}): {problem}"
        for ctx in CONTEXTS
        if (problem := corpus.check(phrase, ctx, READER)) is not None
    ]
    assert not problems, f"“{phrase.text}”, expected {phrase.expect}:\n" + "\n".join(problems)


def test_the_corpus_covers_what_the_issue_asks() -> None:
    assert len(corpus.CORPUS) >= 150
    assert set(corpus.ZONES) >= {"Europe/Berlin", "America/New_York", "Asia/Tokyo"}
    assert len({ctx.label for ctx in CONTEXTS}) >= 5
    texts = {phrase.text for phrase in corpus.CORPUS}
    documented = {"in 5 hours", "8pm on Friday", "08/21 at 19:30", "tomorrow at 5pm"}
    durations = {"1 hour", "5 hours 30 minutes", "1h", "1h 30m", "2.5 hours"}
    assert documented | durations <= texts
    assert sum(isinstance(phrase.expect, corpus.Refused) for phrase in corpus.CORPUS) >= 20


def test_the_dst_moments_are_on_the_days_the_clocks_change() -> None:
    for days in (corpus.SPRING, corpus.AUTUMN):
        for tz, day in days.items():
            zone = ZoneInfo(tz)
            midnight = datetime.combine(day, time()).replace(tzinfo=zone)
            assert midnight.utcoffset() != (midnight + timedelta(days=1)).utcoffset(), (tz, day)


def test_the_scorer_reads_this_checkout_the_same_way() -> None:
    lines: list[str] = []

    shares = score(["--zone", "Asia/Tokyo"], out=lines.append)

    right, total = shares["Asia/Tokyo"]
    assert right == total == len(corpus.CORPUS) * len(corpus.contexts(("Asia/Tokyo",)))
