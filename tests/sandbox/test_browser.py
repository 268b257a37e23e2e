"""A person's path through the sandbox page, in headless Chromium: run /meetup list, see the answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sandbox.server import Sandbox
from tests.sandbox.chromium import chromium_tab, find_chromium

CHROMIUM = find_chromium()

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (Debian: apt-get install chromium)"
)

COMPOSER_READY = (
    "(() => { const form = document.getElementById('channel-composer');"
    " return !!form && !form.hidden && !!document.getElementById('channel-composer-input'); })()"
)


# The page takes one action at a time and greys out Send meanwhile (e.g. while it reports its
# viewport size just after loading); a person waits for it too.
PAGE_IDLE = (
    "(() => { const send = document.getElementById('send-message'); return !!send && !send.disabled; })()"
)
ANSWERED = "document.body.innerText.includes('Upcoming meetups in Meetbridge Demo')"


async def test_running_meetup_list_in_the_page_shows_the_answer(tmp_path: Path) -> None:
    assert CHROMIUM is not None
    async with Sandbox(tmp_path / "sandbox.db") as sandbox, chromium_tab(CHROMIUM) as tab:
        await tab.send("Page.navigate", url=sandbox.url)
        assert await tab.wait_for(COMPOSER_READY), "the page never showed its message box"
        assert await tab.wait_for("document.body.innerText.includes('Board game night')")

        await tab.evaluate("document.getElementById('channel-composer-input').focus()")
        await tab.type("/meetup list")
        assert await tab.wait_for("document.body.innerText.includes('Upcoming meetups and open polls')")
        await tab.press_enter()  # picks the command from the list
        assert await tab.wait_for("!!document.querySelector('.command-chip')"), "the command was not picked"
        assert await tab.wait_for(PAGE_IDLE), "the page stayed busy"
        await tab.press_enter()  # runs it

        assert await tab.wait_for(ANSWERED), "the answer to /meetup list never showed in the page"
        assert "Sunday hike" in await tab.evaluate("document.body.innerText")
