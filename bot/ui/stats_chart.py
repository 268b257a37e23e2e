"""The /stats chart: the path as horizontal bars, and meetups and attendance per week below it.

Drawn with matplotlib's Agg backend (no display) on a card of its own colour, so it reads the same
in Discord's dark and light themes: a dark slate card with a lighter border, light text, and
mid-tone bars that keep their contrast against the card. Counts of 1-2 members never show exactly:
their bar is hatched up to 3 and labelled "<3".

The bot never loads matplotlib itself (with numpy it would hold about 50 MB more for the rest of
its life): :func:`chart_spec` turns the figures into plain values, and :func:`draw_apart` runs this
file as a script in a short-lived process that draws them (about 1 s, most of it importing
matplotlib) and exits. It is blocking, so callers run it off the event loop (``asyncio.to_thread``),
and the drawing never competes with the bot for its interpreter lock. Only the bot's own words are
drawn (no server, member or interest names), so member text never reaches matplotlib's parser.

As a script it imports nothing of the bot's (the spec arrives as JSON on stdin, the PNG leaves on
stdout), so starting it costs only Python and matplotlib.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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


DRAW_TIMEOUT = 60
SCRIPT = Path(__file__).resolve()


def draw(spec: dict[str, Any]) -> bytes:
    """The chart as PNG bytes, drawn in this process (the script's work; tests)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, facecolor=CARD, edgecolor=BORDER, linewidth=2)
    grid = figure.add_gridspec(
        2, 1, height_ratios=(1.25, 1), hspace=0.32, left=0.2, right=0.95, top=0.9, bottom=0.07
    )
    figure.text(0.03, 0.955, "Community health", color=TEXT, fontsize=15, fontweight="bold", va="center")
    figure.text(0.97, 0.955, spec["period"], color=MUTED, fontsize=11, va="center", ha="right")
    _path(figure.add_subplot(grid[0]), spec["steps"])
    _weeks(figure.add_subplot(grid[1]), spec)
    out = io.BytesIO()
    figure.savefig(out, format="png", facecolor=CARD, edgecolor=BORDER, dpi=DPI)
    return out.getvalue()


def draw_apart(spec: dict[str, Any]) -> bytes:
    """The chart as PNG bytes, drawn by this file run as a script in its own process. Blocking."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run(
        [sys.executable, str(SCRIPT)],
        input=json.dumps(spec).encode(),
        capture_output=True,
        timeout=DRAW_TIMEOUT,
        env=env,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG"):
        raise RuntimeError(f"the chart process failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return done.stdout


def _style(axes: Any) -> None:
    axes.set_facecolor(CARD)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(GRID)
    axes.tick_params(colors=MUTED, labelsize=9)


def _path(axes: Any, steps: list[dict[str, Any]]) -> None:
    _style(axes)
    lengths = [step["length"] for step in steps]
    rows = list(range(len(steps)))[::-1]  # the first step at the top
    drawn = axes.barh(rows, lengths, color=PATH, height=0.7)
    for bar, step in zip(drawn, steps, strict=True):
        if step["hatched"]:
            bar.set_facecolor("none")
            bar.set_edgecolor(PATH)
            bar.set_hatch("///")
    axes.set_yticks(rows, [step["label"] for step in steps], color=TEXT, fontsize=10)
    axes.tick_params(axis="y", length=0, colors=TEXT)
    top = max([*lengths, HIDDEN_AT])
    axes.set_xlim(0, top * 1.3)
    for row, step in zip(rows, steps, strict=True):
        axes.text(
            step["length"] + top * 0.015, row, step["text"], va="center", ha="left", color=TEXT, fontsize=10
        )
    axes.set_title("The path: members who joined in the period", color=MUTED, fontsize=10, loc="left")
    axes.xaxis.set_visible(False)
    axes.spines["bottom"].set_visible(False)


def _weeks(axes: Any, spec: dict[str, Any]) -> None:
    _style(axes)
    buckets = spec["bars"]
    axes.set_title(spec["bars_title"], color=MUTED, fontsize=10, loc="left")
    if not buckets or not any(b["meetups"] for b in buckets):
        axes.text(0.5, 0.5, "No meetups held in this period", transform=axes.transAxes,
                  ha="center", va="center", color=MUTED, fontsize=11)  # fmt: skip
        axes.set_xticks([])
        axes.set_yticks([])
        return
    positions = list(range(len(buckets)))
    came = [(b["came"], b["came_text"], b["came_hatched"]) for b in buckets]
    came_top = max([length for length, _, _ in came] + [1])
    held_top = max([b["meetups"] for b in buckets] + [1])
    # Two series on their own scales side by side. A few bars are labelled (no axis to read
    # across); many would crowd their labels, so they get an axis each, in their colour.
    labelled = len(buckets) <= LABELLED_BARS
    people = axes.bar([p - 0.2 for p in positions], [length for length, _, _ in came], color=CAME, width=0.38)
    held_axes = axes.twinx()
    meetups = held_axes.bar(
        [p + 0.2 for p in positions], [b["meetups"] for b in buckets], color=HELD, width=0.38
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
        if bucket["meetups"] and labelled:
            middle = bar.get_x() + bar.get_width() / 2
            held_axes.text(
                middle,
                bucket["meetups"],
                str(bucket["meetups"]),
                ha="center",
                va="bottom",
                color=TEXT,
                fontsize=9,
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
    axes.set_xticks(positions[::step], [b["day"] for b in buckets][::step], color=MUTED)
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


def main() -> None:
    """The script: a spec as JSON on stdin, the PNG on stdout."""
    spec = json.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(draw(spec))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
