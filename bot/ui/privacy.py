"""How /privacy looks: the settings embed and the forget confirmations (in a server, and in a DM for
every server)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord

from bot.adapters.replies import reply, update
from bot.domain.consent import DmMode
from bot.domain.profiles import Preferences
from bot.ui.base import BaseView

COLOUR = discord.Colour.from_rgb(254, 231, 92)
CONFIRM_TIMEOUT = 120

# What each on/off setting means in each state, said as it is (never "may mention you" when off).
EXPLANATIONS: dict[str, dict[bool, str]] = {
    "discoverable": {
        True: "others can find you with /match and you can be paired",
        False: "you don't appear in /match or pairing (your introduction post stays up)",
    },
    "helper": {
        True: "you may be mentioned when someone asks about one of your interests",
        False: "nobody can mention you for questions; turn it on to help with your interests",
    },
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

# What members read instead of table names: every table that stores something about a member.
TABLE_NAMES = {
    "profiles": "introduction",
    "profile_interests": "interests",
    "member_preferences": "privacy settings",
    "meetup_rsvps": "answers to meetups",
    "poll_votes": "poll votes",
    "meetup_attendance": "meetups you checked in at",
    "meeting_picks": "people you said you met",
    "met_in_person": "people you met in person",
    "pairing_members": "pairing rounds membership",
    "pairing_group_members": "pairing groups",
    "pairing_left_out": "pairing rounds you were left out of",
    "ask_mentions": "times you were asked to help",
    "dm_outbox": "direct messages",
    "member_notices": "notes waiting for your next command",
    "meetups": "meetups you organise",
    "polls": "polls you organise",
    "member_departures": "departure (deletion planned)",
}


def table_name(table: str) -> str:
    return TABLE_NAMES.get(table, table.replace("_", " "))


def _state(on: bool) -> str:
    return "**on**" if on else "**off**"


def privacy_embed(preferences: Preferences, stored: dict[str, int]) -> discord.Embed:
    embed = discord.Embed(title="Your privacy in this server", colour=COLOUR)
    lines = []
    for name, meanings in EXPLANATIONS.items():
        on = bool(getattr(preferences, name))
        lines.append(f"`{name}` {_state(on)}: {meanings[on]}")
    lines.append(f"`dm` **{preferences.dm.value}**: {DM_EXPLANATIONS[preferences.dm]}.")
    embed.add_field(
        name="Settings",
        value="\n".join(lines)
        + "\nChange one with `/privacy discoverable state:off`, `/privacy helper state:on` or "
        "`/privacy dm state:on` (`on`, `replies` or `off`).",
        inline=False,
    )
    if stored:
        what = "\n".join(f"• {table_name(table)}: {count}" for table, count in stored.items())
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
    return f"`{name}` is now {_state(value)}: {EXPLANATIONS[name][value]}."


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

FORGET_NOTHING = "I don't store anything about you in any server. There is nothing to forget."


def server_label(name: str | None, guild_id: int) -> str:
    """A server by name when the bot can still see it, else by id (it removed the bot, or you left)."""
    return f"**{discord.utils.escape_markdown(name)}**" if name else f"server `{guild_id}`"


def forget_everywhere_prompt(labels: list[str]) -> str:
    where = "\n".join(f"• {label}" for label in labels)
    return (
        f"I store something about you in {len(labels)} server{'s' if len(labels) != 1 else ''}:\n{where}\n"
        "**Forget me** deletes **everything** Meetbridge stores about you in all of them (introductions, "
        "interests, city, links, settings, answers and meetings) and removes your introduction posts. "
        "It cannot be undone."
    )


def forgotten_everywhere(servers: int, rows: int) -> str:
    return (
        f"Done: I deleted everything I stored about you in {servers} server{'s' if servers != 1 else ''} "
        f"({rows} rows)."
    )


def intro_posts_left(labels: list[str]) -> str:
    return (
        f"I could not remove your introduction post in {', '.join(labels)}; please delete it yourself or "
        "ask a moderator there."
    )


def guild_only(command: str) -> str:
    return (
        f"`/privacy {command}` works inside a server, for that server. Here in our DM, `/privacy forget` "
        "deletes what I store about you in every server."
    )
