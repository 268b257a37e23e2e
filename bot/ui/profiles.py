"""How introductions and profiles look: the welcome line, the /intro modal and the embeds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import discord

from bot.domain import limits
from bot.domain.interests import display_tag
from bot.domain.profiles import (
    MAX_ABOUT_LENGTH,
    MAX_CITY_LENGTH,
    IntroForm,
    MemberStats,
    Preferences,
    Profile,
    is_web_link,
)
from bot.domain.series import Streak
from bot.ui.base import MODAL_TIMEOUT, BaseModal
from bot.ui.text import GUILD_NAME, shown

COLOUR = discord.Colour.from_rgb(87, 242, 135)
NOTHING = "—"

IntroSubmit = Callable[[discord.Interaction, IntroForm], Awaitable[None]]


def welcome_message(member: discord.abc.User, guild_name: str) -> str:
    return (
        f"Welcome to **{shown(guild_name, GUILD_NAME)}**, {member.mention}! 👋\n"
        "Tell us a little about yourself with `/intro`: what you're into and roughly where you are, "
        "so people with the same interests can find you and meet up."
    )


class IntroModal(BaseModal):
    """The /intro form; custom ids are the public names ``about``, ``interests``, ``city``, ``links``."""

    def __init__(self, profile: Profile | None, on_submit: IntroSubmit) -> None:
        super().__init__(
            title="Edit your introduction" if profile else "Introduce yourself", timeout=MODAL_TIMEOUT
        )
        self._submit = on_submit
        self.about: discord.ui.TextInput[IntroModal] = discord.ui.TextInput(
            label="About you",
            custom_id="about",
            style=discord.TextStyle.paragraph,
            placeholder="What you do, what you love, what you'd like to find here.",
            default=profile.about if profile else None,
            max_length=MAX_ABOUT_LENGTH,
        )
        self.interests: discord.ui.TextInput[IntroModal] = discord.ui.TextInput(
            label="Interests (comma-separated)",
            custom_id="interests",
            placeholder="hiking, board games, python",
            default=", ".join(display_tag(tag) for tag in profile.interests) if profile else None,
            max_length=1000,
        )
        self.city: discord.ui.TextInput[IntroModal] = discord.ui.TextInput(
            label="City (optional, no street address)",
            custom_id="city",
            placeholder="Springfield, MA",
            default=profile.city if profile and profile.city else None,
            required=False,
            max_length=MAX_CITY_LENGTH,
        )
        self.links: discord.ui.TextInput[IntroModal] = discord.ui.TextInput(
            label="Links (optional: handles or URLs)",
            custom_id="links",
            style=discord.TextStyle.paragraph,
            placeholder="https://github.com/octocat, Mastodon: @me@example.social",
            default="\n".join(profile.links) if profile and profile.links else None,
            required=False,
            max_length=1100,
        )
        for item in (self.about, self.interests, self.city, self.links):
            if item.default and item.max_length and len(item.default) > item.max_length:
                # Data from before a limit was lowered: Discord refuses a form whose text is longer
                # than its field allows, so the member could never edit their introduction again.
                item.default = item.default[: item.max_length]
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        form = IntroForm(
            about=self.about.value or "",
            interests=self.interests.value or "",
            city=self.city.value or "",
            links=self.links.value or "",
        )
        await self._submit(interaction, form)


def _tags(profile: Profile) -> str:
    if not profile.interests:
        return NOTHING
    return " ".join(f"`{display_tag(tag).replace('`', '')}`" for tag in profile.interests)


def _links(profile: Profile, budget: int = limits.FIELD_VALUE) -> str:
    """One link per line; whole links only, as many as the field holds (five long ones, with the
    ``https://`` added to bare domains and handles escaped, may not all fit)."""
    if not profile.links:
        return NOTHING
    lines = [
        link if is_web_link(link) else discord.utils.escape_mentions(discord.utils.escape_markdown(link))
        for link in profile.links
    ]
    shown: list[str] = []
    for number, line in enumerate(lines):
        left = len(lines) - number - 1
        tail = f"\n…and {left} more" if left else ""
        if len("\n".join([*shown, line])) + len(tail) > budget:
            shown.append(f"…and {len(lines) - number} more")
            break
        shown.append(line)
    return "\n".join(shown)


def _city(profile: Profile) -> str:
    city = profile.city_display
    return f"📍 {discord.utils.escape_markdown(city)}" if city else NOTHING


def _base_embed(profile: Profile, member: discord.abc.User) -> discord.Embed:
    embed = discord.Embed(description=profile.about, colour=COLOUR)
    embed.set_author(name=member.display_name, icon_url=member.display_avatar.url)
    embed.set_thumbnail(url=member.display_avatar.url)
    embed.add_field(name="Interests", value=_tags(profile), inline=False)
    embed.add_field(name="City", value=_city(profile), inline=True)
    embed.add_field(name="Links", value=_links(profile), inline=True)
    return embed


def intro_content(member: discord.abc.User) -> str:
    return f"👋 Say hello to {member.mention}!"


def intro_embed(profile: Profile, member: discord.abc.User) -> discord.Embed:
    """The public introduction posted in the introductions channel."""
    embed = _base_embed(profile, member)
    embed.set_footer(text="Introduce yourself with /intro")
    return embed


def profile_embed(
    profile: Profile,
    member: discord.abc.User,
    stats: MemberStats,
    preferences: Preferences | None = None,
) -> discord.Embed:
    """/profile: the introduction plus what happened since; ``preferences`` only for oneself."""
    embed = _base_embed(profile, member)
    embed.add_field(name="Meetups attended", value=str(stats.meetups_attended), inline=True)
    embed.add_field(name="Met in person", value=str(stats.met_in_person), inline=True)
    if stats.streaks:
        embed.add_field(name="Series streaks", value=streaks_text(stats.streaks), inline=False)
    if preferences is not None:
        embed.set_footer(text=f"{preferences_line(preferences)} · change with /privacy")
    return embed


def streaks_text(streaks: Sequence[Streak], shown_at_most: int = 5) -> str:
    """``S1 Board games: 4 in a row`` per series, longest first."""
    lines = [
        f"**{streak.label}** {shown(streak.title, 60)}: {streak.count} in a row"
        for streak in streaks[:shown_at_most]
    ]
    if len(streaks) > shown_at_most:
        lines.append(f"…and {len(streaks) - shown_at_most} more")
    return "\n".join(lines)


def preferences_line(preferences: Preferences) -> str:
    def state(on: bool) -> str:
        return "on" if on else "off"

    return (
        f"Discoverable {state(preferences.discoverable)} · DMs {preferences.dm.value} · "
        f"Helper {state(preferences.helper)}"
    )


def saved_message(first: bool, where: str | None, hint: str | None, intro_url: str | None) -> str:
    lines = ["Your introduction is posted!" if first else "Your introduction is updated."]
    if intro_url:
        lines[0] += f" {intro_url}"
    if where:
        lines.append(f"📍 I placed you in **{discord.utils.escape_markdown(where)}** (city level only).")
    if hint:
        lines.append(f"ℹ️ {hint}")
    return "\n".join(lines)
