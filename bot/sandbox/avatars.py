"""Avatars for the demo's members, drawn locally: the sandbox's page loads nothing from outside.

Every demo member (and the bot) gets an avatar hash in the simulated Discord, so the bot puts a
real avatar address in its embeds (``member.display_avatar.url``) exactly as in production, and
the page is handed the picture for that address: the member's initial on a colour of their own.
"""

from __future__ import annotations

import hashlib
import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont

SIZE = 128
# Discord-like, readable with white text.
BOT_COLOUR = "#5865F2"
COLOURS = ("#3BA55C", "#FAA61A", "#ED4245", "#EB459E", "#00A8FC", "#9B59B6", "#E67E22")


def avatar_hash(name: str) -> str:
    """A stable, Discord-shaped avatar hash for a demo member (32 hex digits)."""
    return hashlib.sha256(f"meetbridge-sandbox:{name}".encode()).hexdigest()[:32]


@cache
def avatar_png(name: str, size: int = SIZE, colour: str | None = None) -> bytes:
    """A square PNG (the page rounds it): the first letter of ``name`` on ``colour``, by default
    one picked from the name."""
    colour = colour or COLOURS[int(hashlib.sha256(name.encode()).hexdigest(), 16) % len(COLOURS)]
    image = Image.new("RGB", (size, size), colour)
    draw = ImageDraw.Draw(image)
    letter = (name.strip()[:1] or "?").upper()
    font = _font(size // 2)
    draw.text((size / 2, size / 2), letter, fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)  # Pillow's bundled scalable font (needs FreeType)
    except (TypeError, OSError):  # pragma: no cover - Pillow without FreeType
        return ImageFont.load_default()


__all__ = ["BOT_COLOUR", "avatar_hash", "avatar_png"]
