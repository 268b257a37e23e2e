"""Safe to meet: blocks between members, reports to moderators and what they did, a first meetup.

Blocks. A member blocks another in one server; the block works both ways and is never shown to
the other side: the two are never grouped in a pairing round, shown to each other by ``/match``,
mentioned for each other's ``/ask`` or introduced to each other (a mutual pick or ``/met`` between
them records nothing), and ``/profile`` shows each only the other's public introduction. The
member who blocked sees their list; the one blocked is told nothing, anywhere (not even in their
``/privacy export``).

Reports. A report names a member, optionally a meetup, and a reason; it goes to the server's
moderation channel with the shared history the bot knows (the pairing groups and meetups the two
had in common lately). The member reported is never told. Moderators act from the report:
:class:`ModAction` ``pause`` (no RSVP to meetups and no pairing until a time), ``unpair`` (out of
pairing rounds until undone), ``dismiss``; each is recorded on the report and undoable.

Places. A meetup at what looks like a private address (a house number with no venue name, "my
place") gets a gentle warning for its organiser (:func:`looks_private`), never a refusal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.durations import DAY, HOUR, parse_duration
from bot.domain.errors import UserError, quote

MAX_BLOCKS = 500
"""Blocks one member may hold in one server (far above any honest need; bounds every query)."""
REASON_MAX = 1000
CONTEXT_WINDOW = 90 * DAY
"""How far back a report looks for shared pairing groups and meetups."""
CONTEXT_SHOWN = 5
PAUSE_DEFAULT = "30 days"
PAUSE_MIN = HOUR
PAUSE_MAX = 365 * DAY

BLOCK_EXAMPLE = "/block member:@alice"
UNBLOCK_EXAMPLE = "/unblock member:@alice"
REPORT_EXAMPLE = "/report member:@alice reason:They kept messaging me after I said no"


@dataclass(frozen=True, slots=True)
class Block:
    guild_id: int
    member_id: int  # who blocked
    blocked_member_id: int
    blocked_at: int


@dataclass(frozen=True, slots=True)
class Blocked:
    """What ``/block`` did: ``changed`` is False when the member was blocked already."""

    changed: bool
    count: int  # blocks the member holds now


def check_block(member_id: int, other_id: int, *, other_is_bot: bool, example: str = BLOCK_EXAMPLE) -> None:
    if member_id == other_id:
        raise UserError("You can't block yourself.", example)
    if other_is_bot:
        raise UserError("Bots aren't paired, matched or introduced, so there is nothing to block.", example)


def check_report(reporter_id: int, reported_id: int, *, reported_is_bot: bool) -> None:
    if reporter_id == reported_id:
        raise UserError("You can't report yourself.", REPORT_EXAMPLE)
    if reported_is_bot:
        raise UserError(
            "Bots can't be reported with /report; tell a moderator of this server directly.", REPORT_EXAMPLE
        )


def validate_reason(text: str) -> str:
    """The reason, on its own lines as typed but without runs of blank space; 1..REASON_MAX."""
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    cleaned = "\n".join(line for line in lines if line)
    if not cleaned:
        raise UserError("Say briefly what happened, so moderators know what to look at.", REPORT_EXAMPLE)
    if len(cleaned) > REASON_MAX:
        raise UserError(
            f"Please keep the reason under {REASON_MAX} characters (this one has {len(cleaned)}); "
            "moderators can ask you for more.",
            REPORT_EXAMPLE,
        )
    return cleaned


def parse_pause(text: str) -> int:
    """How long a pause from meetups lasts: one duration, 1 hour to 365 days."""
    example = PAUSE_DEFAULT
    try:
        seconds = parse_duration(text)
    except UserError as error:
        raise UserError(error.message, example) from error
    if not PAUSE_MIN <= seconds <= PAUSE_MAX:
        raise UserError(f"`{quote(text)}` is out of range: pause for 1 hour to 365 days.", example)
    return seconds


# -- reports --------------------------------------------------------------------------------------


class ModAction(StrEnum):
    """What a moderator can do from a report; each one can be undone."""

    PAUSE = "pause"  # no RSVP (Going, Maybe) and no pairing until ``until``
    UNPAIR = "unpair"  # out of pairing rounds (and /pairing join refused) until undone
    DISMISS = "dismiss"  # nothing to do


class ContextKind(StrEnum):
    PAIRING = "pairing"
    MEETUP = "meetup"


class Together(StrEnum):
    """How two members shared a round or a meetup."""

    GROUP = "group"  # the same pairing group
    CAME = "came"  # both checked in (I was there)
    ANSWERED = "answered"  # both answered Going, Maybe or joined the waitlist


@dataclass(frozen=True, slots=True)
class SharedContext:
    """Something two members had in common that the bot knows: no member ids, only what it was."""

    kind: ContextKind
    number: int  # the round's or the meetup's number
    at: int  # when it started
    together: Together
    title: str = ""  # the meetup's title
    answers: tuple[str, ...] = ()  # the RSVP statuses the two gave (ANSWERED), e.g. ("going", "maybe")

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "number": self.number,
            "at": self.at,
            "together": self.together.value,
            "title": self.title,
            "answers": list(self.answers),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> SharedContext:
        answers = data.get("answers") or []
        return cls(
            kind=ContextKind(str(data["kind"])),
            number=int(str(data["number"])),
            at=int(str(data["at"])),
            together=Together(str(data["together"])),
            title=str(data.get("title") or ""),
            answers=tuple(str(a) for a in answers) if isinstance(answers, list) else (),
        )


def encode_context(items: Sequence[SharedContext]) -> str:
    return json.dumps([item.to_dict() for item in items], ensure_ascii=False, separators=(",", ":"))


def decode_context(text: str) -> tuple[SharedContext, ...]:
    try:
        data = json.loads(text or "[]")
    except ValueError:
        return ()
    if not isinstance(data, list):
        return ()
    found = []
    for item in data:
        try:
            found.append(SharedContext.from_dict(item))
        except (KeyError, ValueError, TypeError):
            continue
    return tuple(found)


def recent_first(items: Sequence[SharedContext], limit: int = CONTEXT_SHOWN) -> tuple[SharedContext, ...]:
    """The most recent shared moments first, at most ``limit``; one line per round or meetup."""
    seen: dict[tuple[ContextKind, int], SharedContext] = {}
    for item in sorted(items, key=lambda c: (-c.at, c.kind.value, c.number)):
        seen.setdefault((item.kind, item.number), item)
    return tuple(seen.values())[:limit]


@dataclass(frozen=True, slots=True)
class ReportAction:
    id: int
    report_id: int
    member_id: int  # whom it acts on (0 once they were forgotten)
    kind: ModAction
    moderator_member_id: int
    taken_at: int
    until: int | None = None
    rejoin: bool = False
    undone_at: int | None = None
    undone_by_member_id: int | None = None

    @property
    def undone(self) -> bool:
        return self.undone_at is not None

    def in_force(self, now: int) -> bool:
        return not self.undone and (self.until is None or now < self.until)


@dataclass(frozen=True, slots=True)
class Report:
    id: int
    guild_id: int
    number: int
    reporter_member_id: int  # 0 once they were forgotten
    reported_member_id: int  # 0 once they were forgotten
    reason: str
    created_at: int
    meetup_id: int | None = None
    meetup_number: int | None = None  # the meetup the reporter named, while it exists
    meetup_title: str | None = None
    context: tuple[SharedContext, ...] = ()
    channel_id: int | None = None
    message_id: int | None = None
    actions: tuple[ReportAction, ...] = field(default_factory=tuple)

    def current(self, kind: ModAction) -> ReportAction | None:
        """The latest action of this kind that was not undone (a pause may have run out)."""
        live = [a for a in self.actions if a.kind is kind and not a.undone]
        return live[-1] if live else None


@dataclass(frozen=True, slots=True)
class Acted:
    """What a moderator's press did, for the ephemeral answer."""

    report: Report
    kind: ModAction
    undone: bool  # True: an earlier action was undone
    until: int | None = None


# -- places ---------------------------------------------------------------------------------------

_PRIVATE_PHRASES = re.compile(
    r"\b(?:my|our)\s+(?:place|house|home|flat|apartment|apt|room|dorm|garden|backyard|yard|porch|"
    r"living\s+room|basement|garage|address|parents'?\s+(?:place|house))\b"
    r"|\bat\s+(?:mine|ours)\b|\bchez\s+(?:moi|nous)\b|\bbei\s+(?:mir|uns)\b",
    re.IGNORECASE,
)
_UNIT = re.compile(
    r"\b(?:apt|apartment|flat|unit)\.?\s*#?\s*\d+[a-z]?\b|\b(?:buzzer|doorbell)\b", re.IGNORECASE
)
_HOUSE_NUMBER = re.compile(r"(?<![\w/])\d{1,5}[a-z]?(?:[-/]\d{1,4}[a-z]?)?(?![\w/])", re.IGNORECASE)
_STREET_WORDS = (
    "street|st|road|rd|avenue|ave|av|lane|ln|drive|dr|way|court|ct|boulevard|blvd|terrace|close|"
    "crescent|cres|grove|row|mews|parkway|pkwy|highway|hwy|circle|cir|trail|place|pl|"
    "rue|chemin|impasse|allée|allee|calle|avenida|carrera|paseo|via|viale|corso|piazza|"
    "straße|strasse|str|weg|gasse|ring|damm|ufer|chaussee|straat|laan|gracht|plein|gata|gatan|vej|ulica|ul"
)
_STREET = re.compile(rf"\b(?:{_STREET_WORDS})\b\.?", re.IGNORECASE)
# German, Dutch and Scandinavian streets are one word: Hauptstraße, Lindenweg, Kalverstraat.
_STREET_SUFFIX = re.compile(
    r"\w{3,}(?:straße|strasse|str\.|weg|gasse|allee|damm|ufer|chaussee|straat|laan|gracht|gatan|gade|vej)\b",
    re.IGNORECASE,
)
_VENUE = re.compile(
    r"\b(?:caf[eé]s?|coffee|kaffee|espresso|tea\s*house|pub|bar|biergarten|beer\s*garden|brewery|taproom|"
    r"tavern|inn|restaurant|bistro|brasserie|trattoria|pizzeria|diner|canteen|kneipe|library|bibliothek|"
    r"biblioth[eè]que|park|museum|gallery|hall|cent(?:re|er)|club|hotel|hostel|station|bakery|"
    r"cinema|theat(?:re|er)|church|community|school|university|campus|college|mall|market|shop|store|"
    r"gym|studio|arena|stadium|beach|gardens|zoo|plaza|square|platz|piazza|makerspace|hackerspace|"
    r"coworking|co-working|bowling|arcade|lounge|venue)\b",
    re.IGNORECASE,
)


def _address_like(part: str) -> bool:
    """A house number beside a street: ``12 High St``, ``Main Street 5``, ``Hauptstraße 5``."""
    if not _HOUSE_NUMBER.search(part):
        return False
    return bool(_STREET.search(part) or _STREET_SUFFIX.search(part))


def looks_private(place: str) -> bool:
    """Whether a meetup's place reads like someone's home rather than a public venue.

    True for "my place" and the like, a flat or unit number, or a place that *starts* with a
    street address (house number and street) and names no venue anywhere ("12 High St, London",
    "Hauptstraße 5"). "Café Central, Main Street 5" names the venue first: public. A heuristic for a
    gentle hint, never a refusal.
    """
    text = " ".join(place.split())
    if not text:
        return False
    if _PRIVATE_PHRASES.search(text) or _UNIT.search(text):
        return True
    first = re.split(r"[,;(|]| [-–—] ", text, maxsplit=1)[0]
    return _address_like(first) and not _VENUE.search(text)


class FirstNote(StrEnum):
    """How a member gets the first-meetup note the first time they answer Going."""

    BY_DM = "by_dm"  # queued in the outbox (their /privacy dm allows replies)
    IN_REPLY = "in_reply"  # their DMs are off: shown in the answer to their click
