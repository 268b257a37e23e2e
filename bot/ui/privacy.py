"""How /privacy looks: the settings embed and the forget confirmation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord

from bot.adapters.replies import reply, update
from bot.domain.consent import DmMode
from bot.domain.profiles import Preferences
from bot.ui.base import BaseView

COLOUR = discord.Colour.from_rgb(254, 231, 92)
CONFIRM_TIMEOUT = 120

EXPLANATIONS = {
    "discoverable": "others can find you with /match and you can be paired",
    "helper": "you may be mentioned when someone asks about one of your interests",
}

DM_EXPLANATIONS = {
    DmMode.ON: (
        "I may DM you meetup reminders and keep-in-touch nudges, and answers to what you did "
        "(the introduction after you and someone picked each other, a place you waited for, "
        "questions about meetups you organise)"
    ),
    DmMode.REPLIES: (
        "I only DM you answers to what you did: the introduction after you and someone picked each "
        "other, a place you waited for, questions about meetups you organise. Reminders stay in the "
        "meetup's thread"
    ),
    DmMode.OFF: (
        "I never DM you. Reminders stay in the meetup's thread, and whatever I would have DMed you is "
        "said there or shown only to you after your next command"
    ),
}

TABLE_NAMES = {
    "profiles": "introduction",
    "profile_interests": "interests",
    "member_preferences": "privacy settings",
}


def _state(on: bool) -> str:
    return "**on**" if on else "**off**"


def privacy_embed(preferences: Preferences, stored: dict[str, int]) -> discord.Embed:
    embed = discord.Embed(title="Your privacy in this server", colour=COLOUR)
    lines = [f"`{name}` {_state(getattr(preferences, name))}: {text}" for name, text in EXPLANATIONS.items()]
    lines.append(f"`dm` **{preferences.dm.value}**: {DM_EXPLANATIONS[preferences.dm]}.")
    embed.add_field(
        name="Settings",
        value="\n".join(lines)
        + "\nChange one with `/privacy discoverable state:off`, `/privacy helper state:on` or "
        "`/privacy dm state:on` (`on`, `replies` or `off`).",
        inline=False,
    )
    if stored:
        what = "\n".join(f"• {TABLE_NAMES.get(table, table)}: {count}" for table, count in stored.items())
    else:
        what = "Nothing yet."
    embed.add_field(name="What Meetbridge stores about you here", value=what, inline=False)
    embed.add_field(
        name="Your data",
        value="`/privacy export` sends it all as a JSON file.\n"
        "`/privacy forget` deletes it all and removes your introduction.",
        inline=False,
    )
    embed.set_footer(text="Nothing about you here is visible in other servers.")
    return embed


def changed_message(name: str, value: bool | DmMode) -> str:
    if isinstance(value, DmMode):
        return f"`dm` is now **{value.value}**: {DM_EXPLANATIONS[value]}."
    text = EXPLANATIONS[name]
    if value:
        return f"`{name}` is now **on**: {text}."
    return f"`{name}` is now **off**: no longer {_negated(name)}."


def _negated(name: str) -> str:
    return {
        "discoverable": "shown in /match or pairing (your introduction post stays up)",
        "helper": "mentioning you for questions",
    }[name]


ForgetConfirmed = Callable[[discord.Interaction], Awaitable[None]]


class ForgetView(BaseView):
    """Confirm / Cancel for /privacy forget; only the member who asked can press them."""

    def __init__(self, member_id: int, on_confirm: ForgetConfirmed) -> None:
        super().__init__(timeout=CONFIRM_TIMEOUT)
        self.member_id = member_id
        self._on_confirm = on_confirm

    async def interaction_check(self, interaction: discord.Interaction) -> bool:  # type: ignore[override]
        if interaction.user.id != self.member_id:
            await reply(interaction, "Only the member who asked can confirm.")
            return False
        return True

    @discord.ui.button(label="Forget me", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button[ForgetView]) -> None:
        self.stop()
        await self._on_confirm(interaction)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button[ForgetView]) -> None:
        self.stop()
        await update(interaction, "Nothing was deleted.", clear_view=True)


FORGET_PROMPT = (
    "This deletes **everything** Meetbridge stores about you in this server (your introduction, "
    "interests, city, links and settings) and removes your introduction post. It cannot be undone.\n"
    "Other servers are not affected."
)
