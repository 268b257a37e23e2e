"""The one error path: bugs get a trace id the member can quote, logged with the traceback."""

from __future__ import annotations

import logging
import re

import pytest
import simcord

from bot import MeetbridgeBot
from tests.conftest import BotFactory
from tests.world import World

pytestmark = pytest.mark.world("server")


@pytest.fixture
def simcord_bot(bot_factory: BotFactory) -> MeetbridgeBot:
    return bot_factory(extra_extensions=("tests.behaviour.probe",))


async def test_an_unexpected_error_shows_a_trace_id_that_is_in_the_log(
    world: World, env: simcord.Env, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        result = await world.alice.slash(world.general, "probe-crash")

    assert result.ephemeral
    trace = re.search(r"trace id `([0-9a-f]{8})`", result.response.content)
    assert trace, result.response.content
    assert "probe bug" not in result.response.content  # no internals shown to members
    logged = [r for r in caplog.records if trace.group(1) in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    assert any("probe bug" in str(e) for e in env.errors)  # acknowledged: this bug was on purpose


async def test_a_failed_modal_is_logged_with_field_ids_and_lengths_never_what_was_typed(
    world: World, env: simcord.Env, caplog: pytest.LogCaptureFixture
) -> None:
    await world.admin.slash(
        world.general, "config channel", purpose="introductions", channel=world.introductions
    )
    shown = await world.alice.slash(world.general, "intro")
    typed = {
        "about": "I am secretly Batman",
        "interests": "chess",
        "city": "Portland",
        "links": "batcave.example",
    }

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the geocoder fell over")

    world.bot.services.profiles.save_intro = broken  # type: ignore[method-assign]

    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        result = await world.alice.submit_modal(shown, typed)

    assert "trace id" in (result.followups[-1].content if result.followups else result.response.content)
    [record] = [r for r in caplog.records if "unexpected error" in r.getMessage()]
    logged = record.getMessage()
    for field, value in typed.items():
        assert f"{field}({len(value)} chars)" in logged
        assert value not in logged
    assert env.errors  # acknowledged: the injected bug was on purpose


@pytest.mark.parametrize(
    ("command", "options", "answer"),
    [
        ("match", {}, "run `/intro` first"),
        ("profile", {}, "`/intro`"),
        ("meetup info", {"id": 99}, "There is no meetup #99"),
        ("meetup plan", {"title": "Games", "times": "someday"}, "Try: "),
    ],
)
async def test_a_refusal_is_answered_and_not_recorded_as_an_error(
    world: World, env: simcord.Env, command: str, options: dict, answer: str
) -> None:
    await world.admin.slash(world.general, "config channel", purpose="meetups", channel=world.meetups)

    result = await world.alice.slash(world.general, command, **options)

    content = result.response.content if result.response else ""
    assert result.ephemeral and answer in content
    assert env.errors == []


async def test_a_refusal_from_a_button_is_answered_and_not_recorded_as_an_error(
    world: World, env: simcord.Env
) -> None:
    shown = await world.alice.slash(world.general, "probe-view")

    pressed = await world.alice.click(shown.response, label="Refuse")

    assert pressed.ephemeral and pressed.response.content == "Not now.\nTry: /probe-view"
    assert env.errors == []
