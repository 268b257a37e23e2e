"""Per-member cooldowns on what makes the bot post publicly, notify others or DM someone.

A member who plans ten polls in a minute, or asks the same helpers question after question, costs
everyone else their attention. Each such action has a :class:`Limit`: at most ``uses`` in any
``seconds`` long window. The window slides (every use counts for exactly ``seconds`` after it was
made), so there is no burst at a bucket's edge as with "3 per clock hour".

The numbers live in :data:`LIMITS` and nowhere else. Pure: ``now`` is passed in; who is exempt
(Manage Server) and which uses are remembered is the service's business.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from bot.domain.durations import HOUR, MINUTE
from bot.domain.errors import UserError


class Action(StrEnum):
    """One budget each. Different commands that post the same kind of thing share one."""

    MEETUP = "meetup"  # /meetup plan, /meetup create, Plan a meetup (pairing), Plan a catch-up
    ASK = "ask"  # /ask: a public question that mentions helpers
    MET = "met"  # /met: a mutual pick DMs both members an introduction
    INTRO = "intro"  # /intro after the first: edits (or re-posts) the public introduction
    REPORT = "report"  # /report: a post in the moderation channel that may ping the moderator role


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``uses`` in any ``seconds``; the texts say it to the member who hit it."""

    uses: int
    seconds: int
    done: str  # what they did, with ``{uses}``: "asked {uses} questions"
    again: str  # what they may do again: "ask another"
    meanwhile: str  # what they can do instead right now

    def __post_init__(self) -> None:
        if self.uses < 1 or self.seconds < 1:
            raise ValueError("a limit needs at least one use in a positive window")

    def recent(self, used: Sequence[int], now: int) -> list[int]:
        """The uses (epoch seconds) that still count at ``now``: made in the last ``seconds``."""
        return [at for at in used if now - self.seconds < at <= now]

    def next_allowed(self, used: Sequence[int], now: int) -> int | None:
        """``None`` when one more use fits now; otherwise the first second at which it will.

        That is when enough of the counted uses have left the window for one more to fit: with
        ``k`` counted, sorted, the one at index ``k - uses`` is the last that must expire.
        """
        counted = sorted(self.recent(used, now))
        if len(counted) < self.uses:
            return None
        return counted[len(counted) - self.uses] + self.seconds

    def refusal(self, retry_at: int) -> TooSoon:
        message = (
            f"You've {self.done.format(uses=self.uses)} in the last {span(self.seconds)}, the most one "
            f"member can. You can {self.again} <t:{retry_at}:R>."
        )
        return TooSoon(message, self.meanwhile, retry_at=retry_at)


class TooSoon(UserError):
    """A member used up a cooldown: when to try again, and what they can do meanwhile."""

    def __init__(self, message: str, meanwhile: str, *, retry_at: int) -> None:
        super().__init__(message, meanwhile)
        self.retry_at = retry_at

    def render(self) -> str:
        return f"{self.message}\nMeanwhile: {self.example}"


def span(seconds: int) -> str:
    """``3600`` -> ``hour``, ``600`` -> ``10 minutes``: read after "in the last"."""
    for unit, name in ((HOUR, "hour"), (MINUTE, "minute")):
        if seconds % unit == 0:
            count = seconds // unit
            return name if count == 1 else f"{count} {name}s"
    return f"{seconds} seconds"


LIMITS: Mapping[Action, Limit] = MappingProxyType(
    {
        # Three polls or meetups in ten minutes covers a burst of honest planning (a poll, a fix,
        # a second date) while a fourth would flood the meetups channel and its notifications.
        Action.MEETUP: Limit(
            3,
            10 * MINUTE,
            done="planned or created {uses} meetups",
            again="post another",
            meanwhile="`/meetup list` shows what's already up: vote on a poll or RSVP there.",
        ),
        # Each question mentions up to five helpers; three an hour keeps them willing to help.
        Action.ASK: Limit(
            3,
            HOUR,
            done="asked {uses} questions",
            again="ask another",
            meanwhile="answers come in each question's thread; `/match` finds members who share a topic.",
        ),
        # After one meetup a member may record everyone they talked to (a table of six to eight),
        # so ten an hour never hinders that; more is a script fishing for mutual picks, each of
        # which sends two DMs.
        Action.MET: Limit(
            10,
            HOUR,
            done="recorded {uses} meetings with `/met`",
            again="record another",
            meanwhile="`/profile` shows the people you've met in person.",
        ),
        # Fixing a typo or two after posting is normal; every edit re-renders a public post.
        # The first introduction is never limited (the service exempts it).
        Action.INTRO: Limit(
            5,
            HOUR,
            done="updated your introduction {uses} times",
            again="update it again",
            meanwhile="`/profile` shows your profile as it is now.",
        ),
        # Someone who had a bad evening may need to report two or three people at once; more in an
        # hour is a flood of the moderators (each report may ping their role).
        Action.REPORT: Limit(
            3,
            HOUR,
            done="sent {uses} reports",
            again="send another",
            meanwhile="message a moderator of this server directly; `/block` keeps you apart from someone "
            "at once. If you are in danger, contact the local emergency services.",
        ),
    }
)
