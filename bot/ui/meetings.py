"""How a mutual meeting is announced to the two people who met."""

from __future__ import annotations

import discord

from bot.domain.profiles import Profile
from bot.ui.profiles import COLOUR, intro_embed


def introduction_message(other: discord.abc.User, guild_name: str, where: str) -> str:
    return (
        f"🤝 You and **{discord.utils.escape_markdown(other.display_name)}** both said you met {where} "
        f"in **{discord.utils.escape_markdown(guild_name)}**. Here is their introduction, so you can keep "
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


def mutual_noted(other: discord.abc.User, delivered_to_you: bool) -> str:
    text = f"🤝 You and {other.mention} both said you met in person. It's recorded on your profiles."
    if delivered_to_you:
        text += " I've sent you each an introduction by DM."
    else:
        text += " I couldn't DM you their introduction (your DMs are closed): see `/profile` instead."
    return text
