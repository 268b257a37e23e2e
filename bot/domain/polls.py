"""Meetup polls as data: options, the emoji members react with, the tally and the winner.

Pure: the service reads votes from the database and hands them here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.meetups import Meetup
from bot.domain.when import ReadTime

TIME_EMOJIS: tuple[str, ...] = ("1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟")
PLACE_EMOJIS: tuple[str, ...] = tuple(chr(0x1F1E6 + offset) for offset in range(10))  # 🇦 .. 🇯
MAX_REACTIONS = 20  # Discord's limit of distinct reactions on a message


class OptionKind(StrEnum):
    TIME = "time"
    PLACE = "place"


class PollState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class PollOutcome(StrEnum):
    """How a poll ended (stored by value in ``polls.outcome``)."""

    MEETUP = "meetup"
    NO_VOTES = "no votes"
    TIME_PASSED = "the winning time has passed"
    MESSAGE_DELETED = "its message was deleted"


OptionKey = tuple[OptionKind, int]


def normalise_emoji(emoji: str) -> str:
    """Clients send keycaps with or without the variation selector (1️⃣ vs 1⃣)."""
    return emoji.replace("\ufe0f", "")


_BY_EMOJI: dict[str, OptionKey] = {
    **{normalise_emoji(emoji): (OptionKind.TIME, position) for position, emoji in enumerate(TIME_EMOJIS)},
    **{normalise_emoji(emoji): (OptionKind.PLACE, position) for position, emoji in enumerate(PLACE_EMOJIS)},
}


def option_for_emoji(emoji: str) -> OptionKey | None:
    """Which option an emoji stands for on any poll, or None for any other emoji."""
    return _BY_EMOJI.get(normalise_emoji(emoji))


@dataclass(frozen=True, slots=True)
class PollDraft:
    """A meetup poll as ``/meetup plan`` (or a Plan a meetup / catch-up form) asks for it, in the
    words typed (read and checked when stored)."""

    guild_id: int
    organiser_id: int
    title: str
    times: str
    places: str | None = None
    closes: str | None = None
    capacity: int | None = None
    min_attendees: int | None = None


@dataclass(frozen=True, slots=True)
class PollForm:
    """What a member typed into a poll-drafting form (Plan a meetup, Plan a catch-up)."""

    title: str
    times: str
    places: str | None = None


@dataclass(frozen=True, slots=True)
class PollOption:
    kind: OptionKind
    position: int  # 0-based, in the order typed
    label: str  # the text typed: a time as written, or a place
    starts_at: int | None = None  # times only

    @property
    def key(self) -> OptionKey:
        return (self.kind, self.position)

    @property
    def emoji(self) -> str:
        return (TIME_EMOJIS if self.kind is OptionKind.TIME else PLACE_EMOJIS)[self.position]

    def read_time(self, tz: str) -> ReadTime:
        assert self.starts_at is not None, "only time options have a time"
        return ReadTime(text=self.label, epoch=self.starts_at, tz=tz)


@dataclass(frozen=True, slots=True)
class Poll:
    id: int
    guild_id: int
    number: int
    channel_id: int
    organiser_id: int
    title: str
    tz: str
    closes_at: int
    created_at: int
    options: tuple[PollOption, ...] = ()
    message_id: int | None = None
    closes_text: str = ""
    capacity: int | None = None
    min_attendees: int | None = None
    state: PollState = PollState.OPEN
    outcome: PollOutcome | None = None
    winner_time: int | None = None
    winner_place: int | None = None
    meetup_id: int | None = None
    closed_at: int | None = None

    @property
    def times(self) -> list[PollOption]:
        return [option for option in self.options if option.kind is OptionKind.TIME]

    @property
    def places(self) -> list[PollOption]:
        return [option for option in self.options if option.kind is OptionKind.PLACE]

    @property
    def emojis(self) -> list[str]:
        return [option.emoji for option in self.times + self.places]

    @property
    def is_open(self) -> bool:
        return self.state is PollState.OPEN

    @property
    def earliest(self) -> int:
        return min(option.starts_at or 0 for option in self.times)

    def option(self, key: OptionKey) -> PollOption | None:
        return next((option for option in self.options if option.key == key), None)

    def key_for(self, emoji: str) -> OptionKey | None:
        """The option an emoji votes for on this poll; None if it is not one of its options."""
        key = option_for_emoji(emoji)
        return key if key is not None and self.option(key) is not None else None

    @property
    def jump_url(self) -> str | None:
        if self.message_id is None:
            return None
        return f"https://discord.com/channels/{self.guild_id}/{self.channel_id}/{self.message_id}"


@dataclass(frozen=True, slots=True)
class Tally:
    """Distinct voters per option."""

    counts: Mapping[OptionKey, int] = field(default_factory=dict)

    def __getitem__(self, key: OptionKey) -> int:
        return self.counts.get(key, 0)

    @property
    def voters_total(self) -> int:
        return sum(self.counts.values())

    @classmethod
    def of(cls, votes: Iterable[tuple[OptionKey, int]]) -> Tally:
        """From ``(option, member_id)`` pairs; a member counts once per option."""
        voters: dict[OptionKey, set[int]] = {}
        for key, member in votes:
            voters.setdefault(key, set()).add(member)
        return cls({key: len(members) for key, members in voters.items()})


@dataclass(frozen=True, slots=True)
class Winner:
    time: PollOption
    place: PollOption | None  # None when the poll listed no places


def pick_winner(poll: Poll, tally: Tally) -> Winner | None:
    """The most-voted time (ties: the earlier time) and place (ties: the first listed).

    None when no time got a vote: a meetup nobody said they could make is not created.
    """
    times = poll.times
    if not times or max(tally[option.key] for option in times) == 0:
        return None
    time = min(times, key=lambda option: (-tally[option.key], option.starts_at or 0, option.position))
    places = poll.places
    place = min(places, key=lambda option: (-tally[option.key], option.position)) if places else None
    return Winner(time=time, place=place)


@dataclass(frozen=True, slots=True)
class PollClosed:
    """How a poll ended: the winner and the meetup it created, or why there is none."""

    poll: Poll
    tally: Tally
    winner: Winner | None
    meetup: Meetup | None
