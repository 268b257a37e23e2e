"""How a mutual meeting is announced to the two people who met."""

from __future__ import annotations

import discord

from bot.domain.profiles import Profile
from bot.ui.profiles import COLOUR, intro_embed
from bot.ui.text import DISPLAY_NAME, GUILD_NAME, shown


def introduction_message(other: discord.abc.User, guild_name: str, where: str) -> str:
    return (
        f"🤝 You and **{shown(other.display_name, DISPLAY_NAME)}** both said you met {where} "
        f"in **{shown(guild_name, GUILD_NAME)}**. Here is their introduction, so you can keep "
        f"in touch: say hi to {other.mention}!"
    )


def introduction_embed(other: discord.abc.User, profile: Profile | None) -> discord.Embed:
    if profile is not None:
        return intro_embed(profile, other)
    embed = discord.Embed(
        description=f"{other.display_name} hasn't written an introduction yet.", colour=COLOUR
    )
    embed.set_author(name=other.display_name, icon_url=other.display_avatar.url)
    return embed


def pick_noted(other: discord.abc.User) -> str:
    return (
        f"Noted. If {other.mention} says they met you too, you'll both get an introduction by DM. "
        "They are not told about your pick unless it is mutual."
    )


def mutual_noted(other: discord.abc.User, by_dm: bool) -> str:
    text = f"🤝 You and {other.mention} both said you met in person. It's recorded on your profiles."
    if by_dm:
        text += " I'm sending you each an introduction by DM."
    else:
        text += " Your DMs are off (`/privacy dm`), so here is their introduction:"
    return text


def introduction_note(name: str, where: str) -> str:
    """For a member who got no introduction by DM (theirs are off or closed)."""
    return (
        f"🤝 You and **{shown(name, DISPLAY_NAME)}** both said you met {where}. I couldn't DM you "
        "their introduction, so look them up with `/profile`, and say hi!"
    )
