"""Hostile text: what a member can type into any box the bot reads, for property and fuzz tests.

Discord lets a member send up to 6,000 characters in one string option (4,000 in a form field),
and anything Unicode can spell: mentions of people, roles and everyone; markdown that hides,
links or quotes; zero-width and right-to-left characters; CJK (nine characters each once
percent-encoded into a map link); emoji and ZWJ sequences; combining marks; runs of whitespace.

- :func:`hostile_text` is the hypothesis strategy (broad search, for pure renderer tests).
- :func:`worst_cases` is a fixed list that every plain run covers (hypothesis ``@example``s and
  the SimCord fuzz, which needs a small reproducible set rather than a search).

Mentions name :data:`VICTIM_ID` (a member who never asked for anything), :data:`ROLE_ID` and
:data:`CHANNEL_ID` unless real ids are given, so a test can assert that nobody in member text
was ever pinged.
"""

from __future__ import annotations

from hypothesis import strategies as st

OPTION_MAX = 6000
"""Discord's maximum length of a string option (and of all of a message's embeds)."""

VICTIM_ID = 1234567890123456789
ROLE_ID = 1111111111111111111
CHANNEL_ID = 2222222222222222222

ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\ufeff")
RIGHT_TO_LEFT = ("\u202e", "\u2067", "\u2069", "\u200f", "\u202b")
COMBINING = "".join(chr(c) for c in range(0x300, 0x36F))
CJK = "会议東京서울咖啡館図書館"
EMOJI = ("👨\u200d👩\u200d👧\u200d👦", "🏳️\u200d🌈", "👍🏽", "🇺🇦", "1️⃣", "🇦", "🧑🏿\u200d💻")
WHITESPACE = (" ", "  ", "\t", "\n", "\n\n", "\r\n", "\u3000", "\u00a0", "\u2028", " " * 50)


def _mentions(victim: int, role: int, channel: int) -> list[str]:
    return [
        f"<@{victim}>",
        f"<@!{victim}>",
        f"<@&{role}>",
        "@everyone",
        "@here",
        f"<#{channel}>",
        "</meetup create:1>",
        "<t:99999999999:R>",
        "<t:9",  # half a timestamp (the bot's own start with 1, so a cut one can be told apart)
        f"<@{victim}",  # half a mention
    ]


MARKDOWN = (
    "**",
    "__",
    "*",
    "_",
    "~~",
    "||",
    "`",
    "```",
    "\\",
    "> ",
    ">>> ",
    "# ",
    "-# ",
    "- ",
    "[x](http://evil.example/)",
    "[click](<https://discord.com/channels/1/2/3>)",
    "](",
    "<https://evil.example/>",
    "http://evil.example/?q=a b",
    ";",
    ":",
    ",",
    "https://discord.gg/invite",
)


def atoms(victim: int = VICTIM_ID, role: int = ROLE_ID, channel: int = CHANNEL_ID) -> st.SearchStrategy[str]:
    """One hostile piece: a mention, markdown, an invisible or right-to-left character, CJK, ..."""
    return st.one_of(
        st.sampled_from(_mentions(victim, role, channel)),
        st.sampled_from(MARKDOWN),
        st.sampled_from(ZERO_WIDTH + RIGHT_TO_LEFT),
        st.sampled_from(WHITESPACE),
        st.sampled_from(EMOJI),
        st.text(alphabet=CJK, min_size=1, max_size=8),
        st.text(alphabet=COMBINING, min_size=1, max_size=12).map(lambda marks: "Z" + marks),
        st.text(alphabet="abcdefghij ABC0123456789", min_size=1, max_size=12),
        # Anything else Unicode spells, but not control characters or lone surrogates, which no
        # Discord client can send.
        st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=6),
    )


def hostile_text(
    *,
    min_size: int = 0,
    max_size: int = OPTION_MAX,
    victim: int = VICTIM_ID,
    role: int = ROLE_ID,
    channel: int = CHANNEL_ID,
) -> st.SearchStrategy[str]:
    """Hostile text from ``min_size`` to ``max_size`` characters.

    Short texts are pieces joined; long ones repeat such a text up to a drawn length, so texts of
    thousands of characters are as likely as short ones without making hypothesis draw them char
    by char.
    """
    assert 0 <= min_size <= max_size
    pieces = st.lists(atoms(victim, role, channel), min_size=1, max_size=12).map("".join)
    short = pieces.map(lambda text: _repeat(text, max(min_size, min(len(text), max_size))))
    long = st.tuples(pieces, st.integers(min_value=max(min_size, 1), max_value=max(max_size, 1))).map(
        lambda drawn: _repeat(drawn[0], drawn[1])
    )
    choices = [short, long]
    if min_size == 0:
        choices.append(st.just(""))
    return st.one_of(*choices)


def _repeat(text: str, length: int) -> str:
    """``text`` repeated or cut to exactly ``length`` characters (cuts may split a ZWJ sequence:
    hostile all the same)."""
    return (text * (length // len(text) + 1))[:length]


def worst_cases(
    *, victim: int = VICTIM_ID, role: int = ROLE_ID, channel: int = CHANNEL_ID, max_size: int = OPTION_MAX
) -> list[str]:
    """A fixed list of the worst texts, each at most ``max_size`` characters (10 of them)."""
    ping = f"<@{victim}> <@!{victim}> <@&{role}> @everyone @here <#{channel}> "
    cases = [
        # Every way to ping, and then some, at the maximum length.
        _repeat(ping, max_size),
        # A short one (under 100 characters), so it passes length checks and is posted.
        f"<@{victim}> <@&{role}> @everyone @here **b** ||s||",
        # Markdown that would swallow what follows if it were not escaped (and doubles when it is).
        _repeat("**__~~||`" * 3 + "```\n> quote\n# Heading\n[link](http://evil.example/) \\", max_size),
        # Invisible only: looks empty, is not.
        "\u200b\u200c\u200d\ufeff" * 4,
        # Right-to-left override turning the rest backwards.
        "\u202eRTL override \u2067isolate\u2069 " + f"<@{victim}>",
        # CJK at the maximum length: a map link of it is nine times as long.
        _repeat(CJK, max_size),
        # Emoji, ZWJ families, flags and skin tones.
        _repeat("".join(EMOJI), 300),
        # Combining marks stacked on a few letters (zalgo).
        ("Z" + COMBINING[:60]) * 5,
        # Whitespace runs and new lines around a word.
        " " * 100 + "\n" * 50 + "word" + "\t" * 20 + "\u3000" * 20 + "\n" * 50,
        # Looks like bot structure: timestamps, commands, separators, half tokens.
        f"<t:99999999999:R>; </meetup create:1>; ; ;, ,: <t:9 <@{victim} `",
    ]
    return [text[:max_size] for text in cases]
