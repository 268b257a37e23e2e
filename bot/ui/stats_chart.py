"""The /stats chart: the path as horizontal bars, and meetups and attendance per week below it.

Drawn with matplotlib's Agg backend (no display) on a card of its own colour, so it reads the same
in Discord's dark and light themes: a dark slate card with a lighter border, light text, and
mid-tone bars that keep their contrast against the card. Counts of 1-2 members never show exactly:
their bar is hatched up to 3 and labelled "<3".

The bot never loads matplotlib itself (with numpy it would hold about 50 MB more for the rest of
its life): :func:`chart_spec` turns the figures into plain values, and a :class:`Drawer` hands them
to this file run as a script, a drawing process of its own. That process is long-lived: started on
first use (or warmed while /stats reads its figures), it imports matplotlib once (most of the
~1 s a cold start costs) and then draws each chart in about 0.1-0.3 s; it exits by itself after
:data:`IDLE` seconds without a chart, when the bot closes it, or when its input closes (the bot
died), so it never outlives the bot. A drawing that takes longer than the timeout kills it (the
next chart starts a fresh one), and so does one that fails; a process that died is restarted.
The bot's side is asyncio pipes, so the drawing never blocks the event loop nor competes with the
bot for its interpreter lock. Only the bot's own words are drawn (no server, member or interest
names), so member text never reaches matplotlib's parser.

As a script it imports nothing of the bot's (each spec arrives as length-prefixed JSON on stdin,
each PNG leaves length-prefixed on stdout), so starting it costs only Python and matplotlib.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import os
import select
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

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


DRAW_TIMEOUT = 20.0
"""Seconds a chart may take, the process's start and matplotlib's import included."""
IDLE = 600.0
"""The drawing process exits after this many seconds without a chart (10 minutes)."""
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


class Drawer:
    """The bot's handle on the drawing process: :meth:`draw` one chart at a time, :meth:`warm` to
    start it ahead, :meth:`close` when the bot closes. Belongs to one event loop."""

    def __init__(
        self,
        command: Sequence[str] | None = None,
        *,
        timeout: float = DRAW_TIMEOUT,
        idle: float = IDLE,
    ) -> None:
        self.command = list(command) if command is not None else [sys.executable, str(SCRIPT), "--serve"]
        self.timeout = timeout
        self.idle = idle
        self.started = 0
        """How many processes were started (a reused one is not started again)."""
        self._process: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()

    @property
    def pid(self) -> int | None:
        alive = self._process is not None and self._process.returncode is None
        return self._process.pid if alive and self._process is not None else None

    async def warm(self) -> None:
        """Start the process if none runs (it imports matplotlib while the caller does its work)."""
        if self._process is None or self._process.returncode is not None:
            env = {**os.environ, "MPLBACKEND": "Agg", "STATS_CHART_IDLE": str(self.idle)}
            self._process = await asyncio.create_subprocess_exec(
                *self.command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
                env=env,
            )
            self.started += 1

    async def draw(self, spec: dict[str, Any]) -> bytes:
        """The chart as PNG bytes. Raises if it could not be drawn within the timeout (the process
        is then killed; the next chart starts another)."""
        async with self._lock:
            for attempt in (1, 2):
                reused = self._process is not None and self._process.returncode is None
                await self.warm()
                try:
                    return await asyncio.wait_for(self._exchange(spec), self.timeout)
                except (ConnectionError, asyncio.IncompleteReadError):
                    await self._stop()
                    # A reused process may have just left (idle): one fresh try.
                    if attempt == 2 or not reused:
                        raise
                except BaseException:
                    await self._stop()
                    raise
        raise AssertionError("unreachable")

    async def _exchange(self, spec: dict[str, Any]) -> bytes:
        process = self._process
        assert process is not None and process.stdin is not None and process.stdout is not None
        body = json.dumps(spec).encode()
        process.stdin.write(len(body).to_bytes(4, "big") + body)
        await process.stdin.drain()
        header = await process.stdout.readexactly(5)
        payload = await process.stdout.readexactly(int.from_bytes(header[1:], "big"))
        if header[:1] != b"+" or not payload.startswith(b"\x89PNG"):
            raise RuntimeError(f"the chart process could not draw: {payload[-300:].decode(errors='replace')}")
        return payload

    async def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 2)
        except (TimeoutError, asyncio.CancelledError):
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()

    async def close(self) -> None:
        """End the process (the bot closes): its input closes, and it is killed if it lingers."""
        async with self._lock:
            await self._stop()


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


def _read(fd: int, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return data
        data += chunk
    return data


def serve(idle: float) -> None:
    """The drawing process: matplotlib imported at once, then one chart per request (4-byte length
    and JSON in; ``+`` or ``-``, 4-byte length and the PNG or the error out) until its input closes
    or ``idle`` seconds pass without a request."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure  # noqa: F401  (the import is the slow part: done now)

    stdin, out = sys.stdin.fileno(), sys.stdout.buffer
    while True:
        ready, _, _ = select.select([stdin], [], [], idle)
        if not ready:
            return  # idle: the bot starts another when it needs one
        header = _read(stdin, 4)
        if len(header) < 4:
            return  # the bot closed (or died)
        body = _read(stdin, int.from_bytes(header, "big"))
        try:
            status, payload = b"+", draw(json.loads(body))
        except Exception as exc:  # the bot logs it and sends the figures without a chart
            status, payload = b"-", f"{type(exc).__name__}: {exc}".encode()
        out.write(status + len(payload).to_bytes(4, "big") + payload)
        out.flush()


def main() -> None:
    """The script: ``--serve`` runs the drawing process; otherwise one spec as JSON on stdin, its
    PNG on stdout."""
    if "--serve" in sys.argv[1:]:
        serve(float(os.environ.get("STATS_CHART_IDLE", IDLE)))
        return
    spec = json.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(draw(spec))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
