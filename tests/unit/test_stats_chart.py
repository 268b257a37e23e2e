"""The /stats chart: a valid PNG of a sensible size, drawn by a long-lived process of its own from
plain values (hidden counts already hidden), off the event loop so the bot keeps answering
meanwhile; the process is reused, restarted when it died, killed when it hangs or the bot closes."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import time
from typing import Any

import pytest
from PIL import Image

import bot.boards.stats as board
from bot.domain.stats import Figures, HealthReport, HeldMeetup, buckets, chart_spec, parse_period
from bot.ui.stats_chart import Drawer, draw

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


async def test_the_drawing_process_draws_the_same_png_and_is_reused() -> None:
    spec = chart_spec(report())
    drawer = Drawer()
    try:
        assert await drawer.draw(spec) == draw(spec)
        pid = drawer.pid
        assert pid is not None
        other = chart_spec(report(meetups=0))
        assert await drawer.draw(other) == draw(other)
        assert (drawer.pid, drawer.started) == (pid, 1)  # one process, reused
    finally:
        await drawer.close()
    assert drawer.pid is None and not alive(pid)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_a_drawing_process_that_died_is_restarted() -> None:
    drawer = Drawer()
    try:
        await drawer.draw(chart_spec(report()))
        first = drawer.pid
        assert first is not None
        os.kill(first, 9)
        await asyncio.sleep(0.2)
        check_png(await drawer.draw(chart_spec(report())))
        assert drawer.pid not in (None, first) and drawer.started == 2
    finally:
        await drawer.close()


async def test_an_idle_drawing_process_exits_and_the_next_chart_starts_another() -> None:
    drawer = Drawer(idle=0.5)
    try:
        await drawer.draw(chart_spec(report()))
        first = drawer.pid
        assert first is not None
        for _ in range(100):  # up to 10 s
            if drawer.pid is None:
                break
            await asyncio.sleep(0.1)
        assert drawer.pid is None and not alive(first)  # it left by itself
        check_png(await drawer.draw(chart_spec(report())))
        assert drawer.started == 2
    finally:
        await drawer.close()


async def test_a_hung_drawing_process_is_killed_and_the_figures_still_answer() -> None:
    # A process that reads the request and never answers.
    hung = Drawer(
        [sys.executable, "-c", "import sys, time; sys.stdin.buffer.read(4); time.sleep(60)"], timeout=0.5
    )
    started = time.monotonic()
    assert await board.chart(report(), hung) is None
    assert time.monotonic() - started < 5
    assert hung.pid is None  # killed; the next chart starts a fresh one
    await hung.close()


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


async def test_the_chart_is_drawn_off_the_event_loop() -> None:
    # A drawing process that takes a second: the loop still runs other work meanwhile.
    slow = Drawer([sys.executable, "-c", SLOW], timeout=10)
    try:
        drawing = asyncio.create_task(board.chart(report(), slow))
        answered = await asyncio.wait_for(asyncio.sleep(0.3, result="answered"), 1)
        assert answered == "answered" and not drawing.done()
        file = await drawing
        assert file is not None and file.filename == "stats.png"
    finally:
        await slow.close()


SLOW = (
    "import sys, time\n"
    "from bot.ui.stats_chart import draw, _read\n"
    "import json\n"
    "size = int.from_bytes(_read(0, 4), 'big'); spec = json.loads(_read(0, size)); time.sleep(1)\n"
    "png = draw(spec); sys.stdout.buffer.write(b'+' + len(png).to_bytes(4, 'big') + png)\n"
    "sys.stdout.buffer.flush(); sys.stdin.read()\n"
)


async def test_a_chart_that_cannot_be_drawn_leaves_the_figures() -> None:
    broken = Drawer([sys.executable, "-c", "import sys; sys.exit(3)"])
    assert await board.chart(report(), broken) is None
    failing = Drawer()
    try:  # the drawing process itself fails on a spec it cannot draw: it answers so, and is replaced
        with pytest.raises(RuntimeError, match="could not draw"):
            await failing.draw({"period": "x"})
        check_png(await failing.draw(chart_spec(report())))
    finally:
        await failing.close()
