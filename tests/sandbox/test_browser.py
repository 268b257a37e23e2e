"""A person's path through the sandbox page, in headless Chromium: what only the page shows."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.sandbox.server import Sandbox
from tests.sandbox.chromium import Tab, chromium_tab, find_chromium

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
# What a member reads: the visible text, and where every link leads.
RAW_IDS_SHOWN = r"document.body.innerText.match(/<(@[!&]?|#)\d+>/g) || []"
LINKS_OUT_OF_THE_SANDBOX = (
    "[...document.querySelectorAll('a[href]')].map(a => a.href).filter(h => /discord(app)?\\.com/.test(h))"
)
CHANNEL = "document.getElementById('channel-name').textContent"
# Each answer to a command run in the page carries SimCord's "<member> used /<command>" header.
ANSWERS = "document.querySelectorAll('.message-interaction-header').length"


async def open_sandbox(tab: Tab, sandbox: Sandbox) -> None:
    await tab.send("Page.navigate", url=sandbox.url)
    assert await tab.wait_for(COMPOSER_READY), "the page never showed its message box"
    assert await tab.wait_for("document.body.innerText.includes('Board game night')")


async def view_as(tab: Tab, member_id: int) -> None:
    """Pick who you are under "Viewing as"."""
    await tab.evaluate(
        "(() => { const picker = document.getElementById('viewer-picker');"
        f" picker.value = '{member_id}'; picker.dispatchEvent(new Event('change')); }})()"
    )
    assert await tab.wait_for(
        f"document.getElementById('viewer-picker').value === '{member_id}'"
        f" && !!document.querySelector('[data-viewer-id=\"{member_id}\"], body')"
    )
    await asyncio.sleep(0.5)


async def run(tab: Tab, command: str, *typed: str, suggested: bool = False) -> None:
    """Type ``command``, pick it, type each option (``suggested``: take the first suggestion),
    and send it."""
    assert await tab.wait_for(PAGE_IDLE), "the page stayed busy"
    await tab.evaluate("document.getElementById('channel-composer-input').focus()")
    await tab.type(command)
    assert await tab.wait_for(f"document.body.innerText.includes({command[1:].split()[0]!r})")
    await tab.press_enter()  # picks the command from the list
    assert await tab.wait_for("!!document.querySelector('.command-chip')"), "the command was not picked"
    for text in typed:
        await tab.type(text)
        if suggested:
            assert await tab.wait_for("!!document.querySelector('[role=option]')"), f"nothing for {text}"
            await tab.press_enter()  # takes the first suggestion
    await tab.press_key("Escape")  # closes the list of suggestions, as a person would
    assert await tab.wait_for(PAGE_IDLE), "the page stayed busy"
    await tab.press_enter()  # runs it


async def test_running_meetup_list_in_the_page_shows_the_answer(tmp_path: Path) -> None:
    assert CHROMIUM is not None
    async with Sandbox(tmp_path / "sandbox.db") as sandbox, chromium_tab(CHROMIUM) as tab:
        await open_sandbox(tab, sandbox)

        await tab.evaluate("document.getElementById('channel-composer-input').focus()")
        await tab.type("/meetup list")
        assert await tab.wait_for("document.body.innerText.includes('Upcoming meetups and open polls')")
        await tab.press_enter()  # picks the command from the list
        assert await tab.wait_for("!!document.querySelector('.command-chip')"), "the command was not picked"
        await tab.press_key("Escape")  # closes any list still open, as a person would (as run() does)
        assert await tab.wait_for(PAGE_IDLE), "the page stayed busy"
        await tab.press_enter()  # runs it

        assert await tab.wait_for(ANSWERED), "the answer to /meetup list never showed in the page"
        assert "Sunday hike" in await tab.evaluate("document.body.innerText")


async def test_members_are_named_not_numbered_and_links_stay_in_the_sandbox(tmp_path: Path) -> None:
    assert CHROMIUM is not None
    async with Sandbox(tmp_path / "sandbox.db") as sandbox, chromium_tab(CHROMIUM) as tab:
        members = sandbox.server.members
        await open_sandbox(tab, sandbox)  # the meetups channel as first shown: a meetup and a poll

        text = await tab.evaluate("document.body.innerText")
        assert await tab.evaluate(RAW_IDS_SHOWN) == []
        assert "@ada" in text and "@ben" in text  # the meetup's and the poll's organisers
        assert await tab.evaluate(LINKS_OUT_OF_THE_SANDBOX) == []

        await view_as(tab, members["ben"].id)
        answers = await tab.evaluate(ANSWERS)
        await run(tab, "/match")
        assert await tab.wait_for(f"{ANSWERS} > {answers}"), "/match was not answered"
        await run(tab, "/meetup info", "1")
        assert await tab.wait_for(f"{ANSWERS} > {answers + 1}"), "/meetup info was not answered"
        assert await tab.evaluate(RAW_IDS_SHOWN) == []
        assert "@farid" in await tab.evaluate("document.body.innerText")
        assert await tab.evaluate(LINKS_OUT_OF_THE_SANDBOX) == []

        async with sandbox.turn():  # two members say they met: each gets the other's introduction
            await members["chiara"].slash(sandbox.server.general, "met", member=members["elif"])
            await members["elif"].slash(sandbox.server.general, "met", member=members["chiara"])
        await view_as(tab, members["chiara"].id)
        await run(tab, "/sandbox view", "dms", suggested=True)
        assert await tab.wait_for(f"{CHANNEL} === 'Meetbridge'"), "the page did not show the DMs"
        assert await tab.wait_for("document.querySelectorAll('.embed-thumbnail').length > 0")  # elif's
        assert await tab.evaluate(RAW_IDS_SHOWN) == []
        assert "@elif" in await tab.evaluate("document.body.innerText")


async def test_sandbox_view_switches_the_page_without_a_reload_and_every_avatar_shows(
    tmp_path: Path,
) -> None:
    assert CHROMIUM is not None
    async with Sandbox(tmp_path / "sandbox.db") as sandbox, chromium_tab(CHROMIUM) as tab:
        await open_sandbox(tab, sandbox)
        await tab.evaluate("window.sameDocument = true")  # gone if the page reloads

        await tab.evaluate("document.getElementById('channel-composer-input').focus()")
        await tab.type("/sandbox view")
        await tab.press_enter()
        await tab.type("intro")
        assert await tab.wait_for("!!document.querySelector('[role=option]')")
        await tab.press_enter()  # the suggestion "#introductions"
        option = await tab.evaluate("document.querySelector('input[data-option=where]').value")
        assert option == "#introductions"  # what you picked, not a channel id
        await tab.press_key("Escape")
        assert await tab.wait_for(PAGE_IDLE)
        await tab.press_enter()

        assert await tab.wait_for(f"{CHANNEL} === 'introductions'"), "the page did not switch"
        assert await tab.wait_for("document.querySelectorAll('.embed-thumbnail').length >= 6")
        assert await tab.evaluate("window.sameDocument === true")
        assert "Preview session is unavailable" not in await tab.evaluate("document.body.innerText")

        # Every introduction shows its member's avatar (drawn locally): no dashed boxes, no warnings.
        pictures = "[...document.querySelectorAll('img')].filter(i => i.closest('.message, [class*=embed]'))"
        shown = f"{pictures}.length >= 12 && {pictures}.every(i => i.complete && i.naturalWidth > 0)"
        assert await tab.wait_for(shown), "an avatar did not load"
        assert await tab.evaluate("document.querySelectorAll('[class*=unavailable]').length") == 0
        assert "unavailable" not in (await tab.evaluate("document.body.innerText")).lower()
        assert await tab.evaluate("document.getElementById('inspector-count').hidden")


async def test_a_refusal_is_an_answer_on_the_page_not_a_failure(tmp_path: Path) -> None:
    assert CHROMIUM is not None
    async with Sandbox(tmp_path / "sandbox.db") as sandbox, chromium_tab(CHROMIUM) as tab:
        await open_sandbox(tab, sandbox)  # as nina, who has just joined and not introduced herself

        await run(tab, "/profile")

        assert await tab.wait_for('document.body.innerText.includes("haven\'t introduced yourself")')
        await asyncio.sleep(0.5)
        shown = await tab.evaluate("document.body.innerText")
        assert "uncertain" not in shown and "failed" not in shown.lower()
        assert sandbox.env.errors == []
