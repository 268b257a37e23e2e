"""How a question looks in the support channel, and what the asker is told."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.domain.interests import display_tag
from bot.ui.text import TAG, shown

QUESTION_COLOUR = discord.Colour.from_rgb(88, 101, 242)


def _topic(tag: str) -> str:
    return shown(display_tag(tag), TAG)


def question_content(asker: discord.abc.User, tag: str, helpers: Sequence[int]) -> str:
    text = f"❓ {asker.mention} asks about **{_topic(tag)}**."
    if helpers:
        text += " " + " ".join(f"<@{h}>" for h in helpers) + ": you offered to help with this, could you?"
    else:
        text += " Anyone who knows can answer in the thread."
    return text


def question_embed(asker: discord.abc.User, tag: str, question: str) -> discord.Embed:
    embed = discord.Embed(
        title=f"Question about {display_tag(tag)}"[:256], description=question, colour=QUESTION_COLOUR
    )
    embed.set_author(name=asker.display_name, icon_url=asker.display_avatar.url)
    embed.set_footer(text="Answer in the thread · /privacy helper state:on to be asked about your interests")
    return embed


def thread_name(tag: str, question: str) -> str:
    flat = " ".join(question.split())
    return f"{display_tag(tag)}: {flat}"[:100]


def asked_reply(jump_url: str, tag: str, helpers: Sequence[int]) -> str:
    if helpers:
        who = ", ".join(f"<@{h}>" for h in helpers)
        return (
            f"Your question is posted: {jump_url}\nI asked {who} (people you've met in person first). "
            "Answers will come in its thread."
        )
    return (
        f"Nobody who offered to help with **{_topic(tag)}** can be asked right now (no helper lists it yet, "
        f"or they have all been asked 3 times today). Your question is posted anyway: {jump_url}"
    )
