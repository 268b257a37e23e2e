"""The /stats chart: a valid PNG of a sensible size, drawn by its own process from plain values
(hidden counts already hidden), off the event loop so the bot keeps answering meanwhile."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
import threading
from typing import Any

import pytest
from PIL import Image

import bot.boards.stats as board
from bot.domain.stats import Figures, HealthReport, HeldMeetup, buckets, chart_spec, parse_period
from bot.ui.stats_chart import draw, draw_apart

NOW = 1767225600


def report(path: tuple[int, ...] = (40, 30, 20, 12, 9, 5, 2), meetups: int = 6) -> HealthReport:
    period = parse_period(None, NOW)
    assert period.start is not None
    held = tuple(HeldMeetup(n, period.start + n * 4 * 86400, 8, 6 - n % 4, 5 - n % 4) for n in range(meetups))
    return HealthReport(
        current=Figures(period, path, held, 1),
        previous=None,
        interests=(),
        cities=(),
        buckets=buckets(held, period.start, period.end),
        tz="Europe/Berlin",
    )


def check_png(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.verify()
    assert image.format == "PNG" and image.size == (880, 704)
    assert 10_000 < len(png) < 400_000
    return image


@pytest.mark.parametrize("meetups", [6, 0])
def test_the_chart_is_a_png_of_a_sensible_size(meetups: int) -> None:
    check_png(draw(chart_spec(report(meetups=meetups))))


def test_the_chart_process_draws_the_same_png() -> None:
    spec = chart_spec(report())
    assert draw_apart(spec) == draw(spec)


def test_the_chart_is_told_hidden_counts_only_as_fewer_than_three() -> None:
    spec: dict[str, Any] = chart_spec(report(path=(40, 30, 20, 12, 9, 5, 2)))
    last = spec["steps"][-1]
    assert (last["label"], last["length"], last["text"], last["hatched"]) == ("Met again", 3, "<3", True)
    assert spec["steps"][1]["text"] == "30  (75%)"
    assert [bar["day"] for bar in spec["bars"]][:2] == ["2 Dec", "9 Dec"]
    assert all(bar["came_text"] != "2" and bar["came_text"] != "1" for bar in spec["bars"])


def test_the_card_is_opaque_so_it_reads_the_same_in_both_themes() -> None:
    image = Image.open(io.BytesIO(draw(chart_spec(report())))).convert("RGBA")
    corners = [image.getpixel((x, y)) for x in (5, image.width - 6) for y in (5, image.height - 6)]
    assert all(pixel[3] == 255 for pixel in corners)


def test_the_bot_never_loads_matplotlib() -> None:
    code = "import bot.app, bot.boards.stats, bot.ui.stats_chart, sys; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


async def test_the_chart_is_drawn_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    started, release = threading.Event(), threading.Event()
    drawn_in: list[threading.Thread] = []

    def slow_draw(spec: dict[str, Any]) -> bytes:
        drawn_in.append(threading.current_thread())
        started.set()
        assert release.wait(10)
        return draw_apart(spec)

    monkeypatch.setattr(board, "draw_apart", slow_draw)
    drawing = asyncio.create_task(board.chart(report()))
    assert await asyncio.to_thread(started.wait, 10)
    # The drawing is stuck in its thread, and the loop still runs other work.
    answered = await asyncio.wait_for(asyncio.sleep(0, result="answered"), 1)
    assert answered == "answered" and not drawing.done()
    release.set()
    file = await drawing
    assert file is not None and file.filename == "stats.png"
    assert drawn_in and drawn_in[0] is not threading.main_thread()


async def test_a_chart_that_cannot_be_drawn_leaves_the_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(spec: dict[str, Any]) -> bytes:
        raise RuntimeError("no matplotlib")

    monkeypatch.setattr(board, "draw_apart", broken)
    assert await board.chart(report()) is None
