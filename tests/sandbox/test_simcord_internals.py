"""The SimCord internals the sandbox's page relies on (bot/sandbox/preview.py), pinned.

simcord is pinned ``<4`` in pyproject; these fail first when a release moves what the sandbox
uses, and the last one says whether the render step is still needed at all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from simcord.preview import Preview

from bot.sandbox import preview as page
from bot.sandbox.server import Sandbox
from tests.sandbox.page import raw_ids


def test_every_simcord_name_the_sandbox_uses_is_there_with_the_shape_it_expects() -> None:
    page.check_simcord()  # raises SimCordChanged naming what moved


def test_a_moved_name_is_reported_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Preview, "_replay_response", None)

    with pytest.raises(page.SimCordChanged, match=r"Preview\._replay_response is gone"):
        page.check_simcord()


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with Sandbox(tmp_path / "sandbox.db") as running:
        yield running


async def test_the_page_sees_rewritten_payloads_and_simcord_alone_still_leaves_raw_ids(
    sandbox: Sandbox,
) -> None:
    preview = sandbox.preview
    python_page = next(iter(preview._pages.values()))

    simcord_alone = Preview._page_payload(preview, python_page)  # what SimCord hands out by itself
    served = preview._page_payload(python_page)  # what the sandbox's page receives

    # If this first assertion fails, SimCord renders mentions in embeds itself now: the render
    # step (bot/sandbox/render.py) still does no harm, but may be simplified.
    assert raw_ids(simcord_alone), "SimCord now names members in embeds by itself"
    assert not raw_ids(served)
