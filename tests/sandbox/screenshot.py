"""README's picture of the sandbox: ``python -m tests.sandbox.screenshot [docs/sandbox.png]``.

Starts the sandbox as ``python -m bot sandbox`` does (the seeded demo server), opens its page in
headless Chromium on the meetups channel at the meetup's announcement, as the newcomer sees it,
and saves a 256-colour PNG (small enough to ship in the repository). Needs Chromium.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
from pathlib import Path

from PIL import Image

from bot.sandbox.server import Sandbox
from tests.sandbox.chromium import chromium_tab, find_chromium

DEFAULT = Path("docs/sandbox.png")
WIDTH, HEIGHT = 1280, 1200
READY = (
    "(() => { const images = [...document.querySelectorAll('img')];"
    " return document.body.innerText.includes('Board game night')"
    " && images.length > 0 && images.every(i => i.complete && i.naturalWidth > 0)"
    " && !!document.getElementById('send-message') && !document.getElementById('send-message').disabled; })()"
)


async def take() -> bytes:
    """The page as a PNG screenshot."""
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("needs Chromium (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="meetbridge-screenshot-") as folder:
        async with Sandbox(Path(folder) / "sandbox.db") as sandbox, chromium_tab(chromium) as tab:
            server = sandbox.server
            meetup = await server.bot.services.meetups.find(server.guild.id, 1)
            assert meetup is not None and meetup.message_id is not None
            address = sandbox.link(server.channel("meetups").id, meetup.message_id)
            assert address is not None
            await tab.screenshot(WIDTH, HEIGHT)  # sets the window size before the page lays out
            await tab.send("Page.navigate", url=address)
            if not await tab.wait_for(READY, seconds=20):
                raise SystemExit("the sandbox page did not finish loading")
            await asyncio.sleep(1.0)  # let the page settle its scroll position
            picture = await tab.screenshot(WIDTH, HEIGHT)
    return picture


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.sandbox.screenshot", description=__doc__)
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT, help=f"where to save it ({DEFAULT})")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    image = Image.open(io.BytesIO(asyncio.run(take()))).convert("RGB")
    small = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    small.save(args.out, format="PNG", optimize=True)
    print(f"{args.out}: {WIDTH}x{HEIGHT}, {args.out.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
