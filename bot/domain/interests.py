"""Interest tags: what members type, turned into tags that match across a server.

Matching and pairing only work if ``JS``, ``js`` and ``JavaScript`` are one tag, so every interest
goes through one pipeline:

1. :func:`normalise_text` folds case, Unicode width, spacing and punctuation (keeping the symbols
   that carry meaning: ``c++``, ``c#``, ``node.js``, ``d&d``).
2. The synonym list in use (the app installs the shipped ``data/interest_synonyms.toml`` with
   :func:`use_synonyms`) maps known variants to one canonical tag, e.g. ``dnd`` and ``d&d`` to
   ``dungeons and dragons``.
3. :func:`singularise` folds an English plural on the last word (``hikes`` -> ``hike``), with
   exceptions for words that only look plural (``chess``, ``physics``, ``news``, ``aws``).
4. Against the tags already used in the server (``known``) a tag may snap to an existing one when
   it differs only in spacing (``videogames`` -> ``video games``) or by one typo
   (``javascrpt`` -> ``javascript``). Fuzzy matching never invents a tag, and it is deliberately
   timid: a wrong snap silently changes what a member said, a missed one only leaves a typo.

Limits (20 tags, 40 characters each) are checked on the text after step 1, so stray spaces or
punctuation never count against a member and a synonym's expansion never pushes a tag over.
Every synonym target is checked by a test to be at most 40 characters.
"""

from __future__ import annotations

import logging
import re
import tomllib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.domain.errors import UserError

log = logging.getLogger(__name__)

MAX_INTERESTS = 20
MAX_TAG_LENGTH = 40
EXAMPLE = "hiking, board games, python"

# Fuzzy thresholds, by the length of the shorter of the two tags (see _allowed_edits).
FUZZY_MIN_LENGTH = 5
FUZZY_INDEL_LENGTH = 8
FUZZY_SUBSTITUTION_LENGTH = 10

_SEPARATORS = re.compile(r"[,;\n\r、]+")
_APOSTROPHES = str.maketrans("", "", "'’‘`´ʼ")

# --- plurals ----------------------------------------------------------------------------------

# Words that end in "s" but are not plurals, or whose plural is the usual name of the hobby.
_NOT_PLURAL = frozenset(
    {
        "news", "lens", "series", "species", "means", "mars", "pilates", "blues", "diabetes",
        "billiards", "darts", "bowls", "draughts", "checkers", "skittles", "charades", "dominoes",
        "canvas", "atlas", "texas", "vegas", "christmas", "tapas", "pajamas", "pyjamas", "alias",
        "chaos", "cosmos", "ethos", "kudos", "macos", "thanos", "olympics", "sims", "mumps",
        "measles", "rabies", "herpes",
    }
)  # fmt: skip
# Plurals the suffix rules below would get wrong.
_IRREGULAR = {
    "buses": "bus", "gases": "gas", "lenses": "lens", "bonuses": "bonus", "viruses": "virus",
    "campuses": "campus", "circuses": "circus", "choruses": "chorus", "octopuses": "octopus",
    "cactuses": "cactus", "canvases": "canvas", "atlases": "atlas", "quizzes": "quiz",
    "knives": "knife", "wolves": "wolf", "leaves": "leaf", "loaves": "loaf", "shelves": "shelf",
    "caches": "cache", "headaches": "headache", "moustaches": "moustache",
    "mustaches": "mustache", "niches": "niche", "quiches": "quiche", "cliches": "cliche",
    "avalanches": "avalanche", "psyches": "psyche", "gpus": "gpu", "cpus": "cpu", "apis": "api",
    "menus": "menu", "emus": "emu", "haikus": "haiku", "gurus": "guru", "sudokus": "sudoku",
    "tutus": "tutu", "kiwis": "kiwi", "taxis": "taxi", "emojis": "emoji", "wikis": "wiki",
    "bikinis": "bikini", "martinis": "martini", "skis": "ski", "yogis": "yogi", "sushis": "sushi",
    "safaris": "safari", "rabbis": "rabbi", "zucchinis": "zucchini", "alibis": "alibi",
    "minis": "mini", "chilis": "chili", "unis": "uni", "potatoes": "potato", "tomatoes": "tomato",
    "heroes": "hero", "echoes": "echo", "volcanoes": "volcano", "mangoes": "mango",
    "torpedoes": "torpedo", "mosquitoes": "mosquito", "vetoes": "veto",
}  # fmt: skip
# Singulars ending in "ie": "movies" is "movie", not "movy".
_IE_SINGULARS = frozenset(
    {
        "movie", "cookie", "zombie", "selfie", "smoothie", "indie", "rookie", "hippie", "foodie",
        "techie", "goalie", "newbie", "boogie", "pixie", "brownie", "genie", "junkie", "calorie",
        "prairie", "lingerie", "roadie", "groupie", "birdie", "aussie", "hoodie",
        "veggie", "yuppie", "bootie", "beanie", "cutie", "sweetie", "auntie", "collie", "pinkie",
        "walkie", "talkie", "stogie", "bogie", "eerie", "pie", "tie", "lie", "die",
    }
)  # fmt: skip
# Endings that look plural but mark a singular: "chess", "physics", "campus", "tennis", "crisis".
_SINGULAR_ENDINGS = ("ss", "us", "is", "ics")


def singularise(word: str) -> str:
    """Fold one English plural word to its singular, so ``hikes`` and ``hike`` are one tag.

    Careful rather than clever: words of three letters or fewer (``cs``, ``js``, ``aws``,
    ``bus``), non-ASCII or non-letter words, ``-ss``/``-us``/``-is``/``-ics`` endings and a list
    of exceptions are left alone. Idempotent: a result is never changed again.
    """
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if (
        len(word) <= 3
        or not (word.isascii() and word.isalpha())
        or not word.endswith("s")
        or word in _NOT_PLURAL
        or word.endswith(_SINGULAR_ENDINGS)
    ):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-1] if word[:-1] in _IE_SINGULARS else word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zzes")):
        return word[:-2]
    return word[:-1]


def _singularise_phrase(tag: str) -> str:
    """Singularise the last word only: ``board games`` -> ``board game``."""
    head, _, last = tag.rpartition(" ")
    single = singularise(last)
    return f"{head} {single}" if head else single


# --- text normalisation -----------------------------------------------------------------------


def _is_word_char(ch: str) -> bool:
    # Letters, digits and combining marks (Devanagari vowel signs are marks, not letters).
    return unicodedata.category(ch)[0] in "LNM"


def _clean_token(token: str) -> str:
    """Keep the symbols that carry meaning in a word, drop the rest."""
    out: list[str] = []
    for i, ch in enumerate(token):
        prev = out[-1] if out else ""
        nxt = token[i + 1] if i + 1 < len(token) else ""
        if _is_word_char(ch):
            out.append(ch)
        elif ch == "." and nxt and _is_word_char(nxt) and (not prev or _is_word_char(prev)):
            out.append(ch)  # node.js, .net
        elif ch == "&" and prev and _is_word_char(prev) and nxt and _is_word_char(nxt):
            out.append(ch)  # d&d, r&b
        elif ch == "+" and prev and (_is_word_char(prev) or prev == "+"):
            out.append(ch)  # c++, lgbtq+
        elif ch == "#" and prev and _is_word_char(prev):
            out.append(ch)  # c#, f# (a leading # is a hashtag and dropped)
    cleaned = "".join(out)
    return cleaned if any(_is_word_char(ch) for ch in cleaned) else ""


def normalise_text(text: str) -> str:
    """Fold case, width, spacing and punctuation: ``"  Board-Games!! "`` -> ``"board games"``.

    Hyphens, underscores and slashes separate words; apostrophes vanish (``women's`` ->
    ``womens``); a lone ``&`` reads as ``and``. The result is empty when nothing word-like is
    left. Idempotent.
    """
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    text = text.translate(_APOSTROPHES)
    spaced = "".join(ch if _is_word_char(ch) or ch in ".&+#" else " " for ch in text)
    words = []
    for token in spaced.split():
        word = "and" if token == "&" else _clean_token(token)
        if word:
            words.append(word)
    return " ".join(words)


def _squash(tag: str) -> str:
    return tag.replace(" ", "")


# --- synonyms ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Synonyms:
    """A synonym list, indexed for lookups by normalised text.

    Build it with :meth:`from_mapping` (tests) or :meth:`from_toml` (the data file's text, read by
    :mod:`bot.storage.shipped`); calls that name none use the one installed by :func:`use_synonyms`.
    """

    lookup: Mapping[str, str] = field(default_factory=dict)
    squashed: Mapping[str, str] = field(default_factory=dict)
    display: Mapping[str, str] = field(default_factory=dict)

    @property
    def targets(self) -> frozenset[str]:
        """Every canonical tag the list can produce."""
        return frozenset(self.lookup.values())

    @classmethod
    def from_mapping(
        cls, groups: Mapping[str, Iterable[str]], display: Mapping[str, str] | None = None
    ) -> Synonyms:
        """Index ``{canonical: [alias, ...]}``; raise ``ValueError`` on data a test should catch.

        Each target and alias is indexed by its normalised form and by its singular, so the
        data file needs no plural or punctuation variants. A target must already be normalised
        and at most 40 characters; two targets may not claim the same alias.
        """
        lookup: dict[str, str] = {}

        def claim(key: str, target: str, source: str) -> None:
            if not key:
                raise ValueError(f"synonym {source!r} of {target!r} is empty after normalising")
            if lookup.setdefault(key, target) != target:
                raise ValueError(f"{source!r} maps to both {lookup[key]!r} and {target!r}")

        for target, aliases in groups.items():
            if normalise_text(target) != target:
                raise ValueError(f"target {target!r} is not normalised: {normalise_text(target)!r}")
            if len(target) > MAX_TAG_LENGTH:
                raise ValueError(f"target {target!r} is longer than {MAX_TAG_LENGTH} characters")
            if isinstance(aliases, str):
                raise ValueError(f"aliases of {target!r} must be a list, not a string")
            for source in (target, *aliases):
                key = normalise_text(source)
                claim(key, target, source)
                single = _singularise_phrase(key)
                if single != key:
                    claim(single, target, source)

        squashed: dict[str, str | None] = {}
        for key, target in lookup.items():
            squash = _squash(key)
            squashed[squash] = target if squashed.get(squash, target) == target else None
        unambiguous = {key: target for key, target in squashed.items() if target is not None}

        display = dict(display or {})
        for tag in display:
            if tag not in groups:
                raise ValueError(f"display name given for {tag!r}, which is not a synonym target")
        return cls(lookup=lookup, squashed=unambiguous, display=display)

    @classmethod
    def from_toml(cls, text: str) -> Synonyms:
        """Parse the TOML data file's text (format described in its header)."""
        data = tomllib.loads(text)
        return cls.from_mapping(data.get("synonyms", {}), data.get("display", {}))


_in_use: Synonyms | None = None


def use_synonyms(synonyms: Synonyms) -> None:
    """Install the list that calls naming none use: the app installs the shipped one at start."""
    global _in_use
    _in_use = synonyms


def default_synonyms() -> Synonyms:
    """The installed list; refused before one is installed, so no call silently reads none."""
    if _in_use is None:
        raise RuntimeError(
            "no interest synonyms installed: use_synonyms(bot.storage.shipped.shipped_synonyms()) first"
        )
    return _in_use


# --- known tags and fuzzy matching ------------------------------------------------------------


class TagIndex:
    """The canonical tags already used in a server, indexed for snapping new tags onto them.

    Passing a plain iterable to the functions below builds one per call (about a millisecond
    for 5,000 tags); a service handling many calls for one server can build it once.
    """

    def __init__(self, tags: Iterable[str]) -> None:
        self.tags = frozenset(tags)
        self._squashed: dict[str, str] | None = None
        self._by_head: dict[str, list[str]] | None = None

    def __contains__(self, tag: object) -> bool:
        return tag in self.tags

    def by_squash(self, tag: str) -> str | None:
        """The one known tag spelled like ``tag`` but for spaces (``videogames``)."""
        key = _squash(tag)
        if key in self.tags:
            return key
        if self._squashed is None:  # built lazily, like _by_head: most calls never need it
            spaced = [known for known in self.tags if " " in known]
            squashed = {_squash(known): known for known in spaced}
            if len(squashed) != len(spaced):  # "a bc" and "ab c": neither may win
                counts = Counter(_squash(known) for known in spaced)
                squashed = {k: v for k, v in squashed.items() if counts[k] == 1}
            self._squashed = squashed
        return self._squashed.get(key)

    def near(self, tag: str) -> list[str]:
        """Known tags that start with the same character as ``tag``: typos rarely hit it."""
        if self._by_head is None:
            by_head: defaultdict[str, list[str]] = defaultdict(list)
            for known in self.tags:
                by_head[known[:1]].append(known)
            self._by_head = dict(by_head)
        return self._by_head.get(tag[:1], [])


def _edit_kind(a: str, b: str) -> str | None:
    """Name the single edit between two strings, if there is exactly one and it is on letters."""
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1 and a[diffs[0]].isalpha() and b[diffs[0]].isalpha():
            return "substitution"
        if (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
            and a[diffs[0]].isalpha()
            and a[diffs[1]].isalpha()
        ):
            return "transposition"
        return None
    if abs(len(a) - len(b)) != 1:
        return None
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    i = next((i for i, (x, y) in enumerate(zip(longer, shorter, strict=False)) if x != y), len(shorter))
    if longer[:i] + longer[i + 1 :] != shorter or not longer[i].isalpha():
        return None
    ch = longer[i]
    doubled = (i > 0 and longer[i - 1] == ch) or (i + 1 < len(longer) and longer[i + 1] == ch)
    return "doubled" if doubled else "indel"


def _allowed_edits(length: int) -> frozenset[str]:
    """Which single typos may snap, by the length of the shorter tag.

    Short real words sit one edit apart (``hiking``/``biking``, ``diving``/``driving``,
    ``printing``/``painting``), so short tags only forgive the typos people make most and that
    rarely form another word: two swapped letters or a doubled letter. Longer tags also forgive
    a missing or extra letter, and from ten letters a wrong one.
    """
    if length < FUZZY_MIN_LENGTH:
        return frozenset()
    if length < FUZZY_INDEL_LENGTH:
        return frozenset({"transposition", "doubled"})
    if length < FUZZY_SUBSTITUTION_LENGTH:
        return frozenset({"transposition", "doubled", "indel"})
    return frozenset({"transposition", "doubled", "indel", "substitution"})


def _fuzzy(tag: str, index: TagIndex) -> str | None:
    """The one known tag ``tag`` is a typo of, or None when there is none or several."""
    if len(tag) < FUZZY_MIN_LENGTH:
        return None
    candidates = index.near(tag)
    if not candidates:
        return None
    from rapidfuzz import process  # on first use: a process that never reads a typo never loads it
    from rapidfuzz.distance import OSA

    hits = process.extract(tag, candidates, scorer=OSA.distance, score_cutoff=1, limit=None)
    matches = [
        known
        for known, _distance, _ in hits
        if _edit_kind(tag, known) in _allowed_edits(min(len(tag), len(known)))
    ]
    return matches[0] if len(matches) == 1 else None


# --- public API -------------------------------------------------------------------------------


def canonical(tag: str, known: Iterable[str] | TagIndex = (), synonyms: Synonyms | None = None) -> str:
    """The canonical tag for one interest, or ``""`` when nothing word-like was typed.

    Synonyms win over server tags so every server agrees on shipped names; ``known`` (the
    canonical tags already used in this server) then catches spacing variants and typos.
    No length check: see :func:`normalise_one`.
    """
    syn = synonyms if synonyms is not None else default_synonyms()
    text = normalise_text(tag)
    if not text:
        return ""
    single = _singularise_phrase(text)
    for form in (text, single):
        if form in syn.lookup:
            return syn.lookup[form]
    index = known if isinstance(known, TagIndex) else TagIndex(known)
    for form in (text, single):
        if form in index:
            return form
    for form in (text, single):
        squashed = syn.squashed.get(_squash(form)) or index.by_squash(form)
        if squashed:
            return squashed
    return _fuzzy(single, index) or single


def _check_length(text: str) -> None:
    if len(text) > MAX_TAG_LENGTH:
        shown = text[:MAX_TAG_LENGTH] + "…"
        raise UserError(
            f"“{shown}” is {len(text)} characters long; an interest can be at most "
            f"{MAX_TAG_LENGTH}. Use a short name and separate interests with commas.",
            EXAMPLE,
        )


def normalise_one(text: str, known: Iterable[str] | TagIndex = (), synonyms: Synonyms | None = None) -> str:
    """One interest typed on its own (e.g. ``/ask topic``), validated like a list item."""
    if not normalise_text(text):
        raise UserError("Please name an interest.", EXAMPLE)
    _check_length(normalise_text(text))
    return canonical(text, known, synonyms)


def parse_interests(
    text: str, known: Iterable[str] | TagIndex = (), synonyms: Synonyms | None = None
) -> list[str]:
    """Turn the ``interests`` field into canonical tags, or refuse the whole field.

    Items are separated by commas, semicolons or new lines; empty items are skipped and
    duplicates (after normalisation) merged, first occurrence first. Too many tags or a tag
    too long raises :class:`UserError` and nothing is accepted.
    """
    index = known if isinstance(known, TagIndex) else TagIndex(known)
    tags: dict[str, None] = {}
    for item in _SEPARATORS.split(unicodedata.normalize("NFKC", text)):
        normalised = normalise_text(item)
        if not normalised:
            continue
        _check_length(normalised)
        tags.setdefault(canonical(normalised, index, synonyms), None)
    if len(tags) > MAX_INTERESTS:
        raise UserError(
            f"That is {len(tags)} interests; the limit is {MAX_INTERESTS}. "
            "Keep the ones you most want to be matched on.",
            EXAMPLE,
        )
    return list(tags)


def display_tag(tag: str, synonyms: Synonyms | None = None) -> str:
    """How a canonical tag is shown: its display name from the data file (``JavaScript``,
    ``D&D``-style casing), else the tag itself."""
    syn = synonyms if synonyms is not None else default_synonyms()
    return syn.display.get(tag, tag)
