"""The /stats chart: the path as horizontal bars, and meetups and attendance per week below it.

Drawn with matplotlib's Agg backend (no display) on a card of its own colour, so it reads the same
in Discord's dark and light themes: a dark slate card with a lighter border, light text, and
mid-tone bars that keep their contrast against the card. Counts of 1-2 members never show exactly:
their bar is hatched up to 3 and labelled "<3".

matplotlib is imported on the first drawing, not at start (it costs about 50 MB of memory), and
:func:`draw` is plain blocking code: callers run it off the event loop (``asyncio.to_thread``).
Only the bot's own words are drawn (no server, member or interest names), so member text never
reaches matplotlib's text parser.
"""

from __future__ import annotations

import io
from typing import Any

from bot.domain.stats import STEPS, HealthReport, hidden, local_day, shown_share

CARD = "#23272f"
BORDER = "#4e5058"
TEXT = "#f2f3f5"
MUTED = "#b5bac1"
GRID = "#3a3e47"
PATH = "#6d7cff"  # blurple, lightened to keep contrast on the card
CAME = "#3ba55c"
HELD = "#faa61a"
HIDDEN_AT = 3
LABELLED_BARS = 10

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 6.4, 110
"""880 x 704 pixels: sharp in Discord's preview (it scales images to about 550 px wide)."""


def _hidden_bar(value: int) -> tuple[float, str, bool]:
    """(the bar's length, its label, whether it is hatched) for a count of members."""
    if hidden(value):
        return HIDDEN_AT, "<3", True
    return value, f"{value:,}", False


def draw(report: HealthReport) -> bytes:
    """The chart as PNG bytes. Blocking (about 0.1-0.3 s): run it off the event loop."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, facecolor=CARD, edgecolor=BORDER, linewidth=2)
    grid = figure.add_gridspec(
        2, 1, height_ratios=(1.25, 1), hspace=0.32, left=0.2, right=0.95, top=0.9, bottom=0.07
    )
    figure.text(0.03, 0.955, "Community health", color=TEXT, fontsize=15, fontweight="bold", va="center")
    figure.text(0.97, 0.955, report.current.period.label, color=MUTED, fontsize=11, va="center", ha="right")
    _path(figure.add_subplot(grid[0]), report)
    _weeks(figure.add_subplot(grid[1]), report)
    out = io.BytesIO()
    figure.savefig(out, format="png", facecolor=CARD, edgecolor=BORDER, dpi=DPI)
    return out.getvalue()


def _style(axes: Any) -> None:
    axes.set_facecolor(CARD)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(GRID)
    axes.tick_params(colors=MUTED, labelsize=9)


def _path(axes: Any, report: HealthReport) -> None:
    _style(axes)
    counts = report.current.path
    bars = [_hidden_bar(value) for value in counts]
    lengths = [length for length, _, _ in bars]
    rows = list(range(len(STEPS)))[::-1]  # the first step at the top
    drawn = axes.barh(rows, lengths, color=PATH, height=0.7)
    for bar, (_, _, hatched) in zip(drawn, bars, strict=True):
        if hatched:
            bar.set_facecolor("none")
            bar.set_edgecolor(PATH)
            bar.set_hatch("///")
    axes.set_yticks(rows, [step for step in STEPS], color=TEXT, fontsize=10)
    axes.tick_params(axis="y", length=0, colors=TEXT)
    top = max([*lengths, HIDDEN_AT])
    axes.set_xlim(0, top * 1.3)
    for index, (row, (length, label, _)) in enumerate(zip(rows, bars, strict=True)):
        share = shown_share(counts[index], counts[index - 1]) if index else None
        text = f"{label}  ({share})" if share else label
        axes.text(length + top * 0.015, row, text, va="center", ha="left", color=TEXT, fontsize=10)
    axes.set_title("The path: members who joined in the period", color=MUTED, fontsize=10, loc="left")
    axes.xaxis.set_visible(False)
    axes.spines["bottom"].set_visible(False)


def _weeks(axes: Any, report: HealthReport) -> None:
    _style(axes)
    buckets = report.buckets
    per = buckets[0].weeks if buckets else 1
    axes.set_title("Each week" if per == 1 else f"Every {per} weeks", color=MUTED, fontsize=10, loc="left")
    if not buckets or not any(b.meetups for b in buckets):
        axes.text(0.5, 0.5, "No meetups held in this period", transform=axes.transAxes,
                  ha="center", va="center", color=MUTED, fontsize=11)  # fmt: skip
        axes.set_xticks([])
        axes.set_yticks([])
        return
    positions = list(range(len(buckets)))
    came = [_hidden_bar(b.attendance) for b in buckets]
    came_top = max([length for length, _, _ in came] + [1])
    held_top = max([b.meetups for b in buckets] + [1])
    # Two series on their own scales side by side. A few bars are labelled (no axis to read
    # across); many would crowd their labels, so they get an axis each, in their colour.
    labelled = len(buckets) <= LABELLED_BARS
    people = axes.bar([p - 0.2 for p in positions], [length for length, _, _ in came], color=CAME, width=0.38)
    held_axes = axes.twinx()
    meetups = held_axes.bar(
        [p + 0.2 for p in positions], [b.meetups for b in buckets], color=HELD, width=0.38
    )
    for bar, (length, label, hatched) in zip(people, came, strict=True):
        if hatched:
            bar.set_facecolor("none")
            bar.set_edgecolor(CAME)
            bar.set_hatch("///")
        if length and labelled:
            middle = bar.get_x() + bar.get_width() / 2
            axes.text(middle, length, label, ha="center", va="bottom", color=TEXT, fontsize=9)
    for bar, bucket in zip(meetups, buckets, strict=True):
        if bucket.meetups and labelled:
            middle = bar.get_x() + bar.get_width() / 2
            held_axes.text(
                middle, bucket.meetups, str(bucket.meetups), ha="center", va="bottom", color=TEXT, fontsize=9
            )
    axes.set_ylim(0, came_top * 1.3)
    held_axes.set_ylim(0, held_top * 1.3)
    for each, colour in ((axes, CAME), (held_axes, HELD)):
        for spine in ("top", "left", "right"):
            each.spines[spine].set_visible(False)
        each.spines["bottom"].set_color(GRID)
        if labelled:
            each.set_yticks([])
        else:
            each.yaxis.get_major_locator().set_params(integer=True, nbins=4)
            each.tick_params(axis="y", colors=colour, labelsize=9, length=0)
    step = max(1, len(buckets) // 8)
    axes.set_xticks(positions[::step], [local_day(b.start, report.tz) for b in buckets][::step], color=MUTED)
    axes.tick_params(axis="x", length=0)
    legend = axes.legend(
        [people, meetups],
        ["people who came", "meetups held"],
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncol=2,
        fontsize=9,
        frameon=False,
    )
    for text in legend.get_texts():
        text.set_color(TEXT)
