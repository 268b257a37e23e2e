"""/stats and /stats me as embeds: every figure the chart draws is here as text too (screen readers,
members who turned images off)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import discord

from bot.domain.interests import display_tag
from bot.domain.stats import (
    FOOTNOTE,
    LAST_MEETUPS,
    STEPS,
    Figures,
    HealthReport,
    MemberStory,
    shown_count,
    shown_median,
    shown_ratio,
    shown_share,
)
from bot.ui.profiles import streaks_text
from bot.ui.text import DISPLAY_NAME, GUILD_NAME, TAG, shown

COLOUR = discord.Colour.from_rgb(88, 101, 242)
CHART = "stats.png"
"""The chart's file name: the embed shows it as ``attachment://stats.png``."""
CITY = 80
MET_SHOWN = 20


def _path_lines(figures: Figures, previous: Figures | None) -> list[str]:
    lines = []
    for index, step in enumerate(STEPS):
        count = figures.path[index]
        line = f"**{step}**: {shown_count(count)}"
        if index and (share := shown_share(count, figures.path[index - 1])):
            line += f" ({share} of the step before)"
        if previous is not None:
            line += f" · before: {shown_count(previous.path[index])}"
        lines.append(line)
    return lines


def meetup_lines(figures: Figures) -> list[str]:
    median = shown_median(figures.median_attendance)
    overall = shown_ratio(figures.turnout, figures.going_total)
    recent = shown_ratio(figures.recent_turnout, figures.recent_going)
    lines = [f"Meetups held: **{figures.held:,}**"]
    if median is not None:
        lines.append(f"Median attendance: **{median}**")
    if overall is not None:
        turnout = f"Turnout (came ÷ said Going): **{overall}**"
        if recent is not None and figures.held > LAST_MEETUPS:
            turnout += f", last {LAST_MEETUPS} meetups **{recent}**"
        lines.append(turnout)
    lines.append(f"Polls that found no time: **{figures.no_time_polls:,}**")
    return lines


def _ranked(items: Sequence[tuple[str, int]], name: Callable[[str], str]) -> str:
    return "\n".join(f"{name(item)}: {shown_count(count)}" for item, count in items) or "none yet"


def stats_embed(report: HealthReport, guild_name: str, *, chart: bool = True) -> discord.Embed:
    current, previous = report.current, report.previous
    embed = discord.Embed(
        title=f"Community health · {current.period.label}",
        description="\n".join(_path_lines(current, previous)),
        colour=COLOUR,
    )
    embed.set_author(name=shown(guild_name, GUILD_NAME))
    embed.add_field(name="Meetups", value="\n".join(meetup_lines(current)), inline=False)
    if previous is not None:
        embed.add_field(
            name=f"Meetups, {previous.period.label}", value="\n".join(meetup_lines(previous)), inline=False
        )
    embed.add_field(
        name="Busiest interests",
        value=_ranked(report.interests, lambda t: shown(display_tag(t), TAG)),
        inline=True,
    )
    embed.add_field(
        name="Busiest cities", value=_ranked(report.cities, lambda c: shown(c, CITY)), inline=True
    )
    embed.set_footer(text=FOOTNOTE)
    if chart:
        embed.set_image(url=f"attachment://{CHART}")
    return embed


def chart_file(png: bytes) -> discord.File:
    return discord.File(io.BytesIO(png), filename=CHART, description="Community health chart")


def story_embed(story: MemberStory, names: Callable[[int], str | None], guild_name: str) -> discord.Embed:
    """A member's own story; ``names`` gives the current name of someone they met (None: gone)."""
    embed = discord.Embed(title="Your story here", colour=COLOUR)
    embed.set_author(name=shown(guild_name, GUILD_NAME))
    embed.add_field(name="Meetups you came to", value=f"{story.attended:,}", inline=True)
    embed.add_field(name="Meetups you organised", value=f"{story.organised:,}", inline=True)
    met = [name for member_id in story.met if (name := names(member_id))]
    if met:
        listed = ", ".join(shown(name, DISPLAY_NAME) for name in met[:MET_SHOWN])
        if len(met) > MET_SHOWN:
            listed += f" and {len(met) - MET_SHOWN} more"
        value = f"{len(met):,}: {listed}"
    else:
        value = "nobody yet: after a meetup, pick whom you talked to (or `/met member:@them`)"
    embed.add_field(name="People you met in person", value=value, inline=False)
    if story.streaks:
        embed.add_field(name="Series streaks", value=streaks_text(story.streaks), inline=False)
    if story.shared:
        embed.add_field(
            name="What you share with people you met",
            value="\n".join(
                f"{shown(display_tag(tag), TAG)}: {count} of them" for tag, count in story.shared
            ),
            inline=False,
        )
    embed.set_footer(text="Only you see this.")
    return embed


def digest_set(channel_id: int | None, due: int | None) -> str:
    if channel_id is None or due is None:
        return "The weekly stats digest is **off**."
    return (
        f"The week's stats will be posted in <#{channel_id}> every Monday at 09:00 server time; "
        f"the first on {discord.utils.format_dt(datetime.fromtimestamp(due, UTC), 'F')}. It pings nobody."
    )
