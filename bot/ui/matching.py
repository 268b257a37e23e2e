"""How /match answers look: one line per member with what they share and roughly how far."""

from __future__ import annotations

from functools import lru_cache

import discord
from discord import app_commands

from bot.domain.interests import display_tag
from bot.domain.matching import Match, MatchAnswer
from bot.ui.profiles import COLOUR
from bot.ui.text import TAG, one_line

SHARED_SHOWN = 5


def _km(value: float) -> str:
    return f"{value:g}"


def match_line(position: int, match: Match) -> str:
    line = f"**{position}.** <@{match.member_id}> · {_shared_text(match.shared)}"
    far = match.approx_distance
    if far is not None:
        line += f" · {far} away"
    return line


@lru_cache(maxsize=4096)
def _shared_text(shared: tuple[str, ...]) -> str:
    """What a match shares, as shown (members in one server share the same few combinations)."""
    tags = [one_line(display_tag(tag), TAG) for tag in shared[:SHARED_SHOWN]]
    if len(shared) > SHARED_SHOWN:
        tags.append(f"+{len(shared) - SHARED_SHOWN} more")
    return discord.utils.escape_markdown(", ".join(tags))


def _what(answer: MatchAnswer) -> str:
    what = f"into **{display_tag(answer.interest)}**" if answer.interest else "who share your interests"
    if answer.within_km is not None:
        what += f" within {_km(answer.within_km)} km"
    return what


def match_embed(answer: MatchAnswer) -> discord.Embed:
    embed = discord.Embed(
        title="Members " + _what(answer).replace("**", ""),
        description="\n".join(match_line(n, m) for n, m in enumerate(answer.matches, start=1)),
        colour=COLOUR,
    )
    footer = "Rarer shared interests count more."
    if answer.asker_has_city:
        footer += " Distances are approximate, city to city."
    else:
        footer += " Add a city with /intro to see who is near you."
    embed.set_footer(text=footer)
    return embed


def no_matches(answer: MatchAnswer) -> str:
    if answer.interest is not None:
        text = f"Nobody here lists **{display_tag(answer.interest)}**"
    else:
        text = "Nobody here shares your interests"
    if answer.within_km is not None:
        text += f" within {_km(answer.within_km)} km yet. Try a larger `within_km`, or leave it out."
    elif answer.interest is None:
        text += " yet. Try `/match interest:<something you like>`, or add interests with `/intro`."
    else:
        text += " yet (among members who can be found)."
    return text


def interest_choices(tags: list[str]) -> list[app_commands.Choice[str]]:
    """Autocomplete for an interest option: the server's tags, shown as people write them.

    A choice's value is 1 to 100 characters; a tag that is not (never stored by /intro, which keeps
    1 to 40) is left out rather than making Discord refuse every suggestion."""
    return [
        app_commands.Choice(name=display_tag(tag)[:100], value=tag)
        for tag in tags
        if tag.strip() and len(tag) <= 100
    ]
