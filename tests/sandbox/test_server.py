"""The interactive sandbox: the demo server in SimCord's page, served on 127.0.0.1, with a clock."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from simcord.backend.access import can_access_channel

from bot.domain.guild_settings import Purpose
from bot.domain.meetups import RsvpStatus
from bot.domain.polls import PollState
from bot.sandbox.demo import MEMBERS, NEWCOMER
from bot.sandbox.server import TICK, Sandbox
from tests.sandbox.page import PreviewPage, field_tokens, hrefs, mentions, raw_ids, shown

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with Sandbox(tmp_path / "sandbox.db") as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def eventually(check, seconds: float = 5.0):  # type: ignore[no-untyped-def]
    """Poll ``check`` (an async callable) until it returns something truthy."""
    deadline = time.perf_counter() + seconds
    while True:
        try:
            value = await check()
        except (aiohttp.ClientError, AssertionError):
            value = None
        if value or time.perf_counter() > deadline:
            return value
        await asyncio.sleep(0.1)


async def test_the_page_and_its_command_list_are_served_on_a_free_port_and_stop_with_it(
    tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    async with Sandbox(tmp_path / "sandbox.db", port=0) as sandbox:
        assert sandbox.url.startswith("http://127.0.0.1:") and sandbox.port > 0
        page = PreviewPage(http, sandbox.url)
        async with http.get(f"{page.base}/") as response:
            assert response.status == 200
            assert "<!doctype html>" in (await response.text()).lower()
        async with http.get(f"{page.base}/api/commands") as response:
            assert response.status == 401  # not without the key in the address

        state = await page.open()
        commands = {entry["invocation"] for entry in (await page.commands())["entries"]}

        assert state["channel"]["name"] == "meetups"
        assert [viewer["name"] for viewer in state["viewers"]][:1] == [NEWCOMER.name]
        assert {viewer["name"] for viewer in state["viewers"]} == {p.name for p in (*MEMBERS, NEWCOMER)}
        assert {"meetup list", "meetup plan", "intro", "profile", "met", "privacy show"} <= commands
        assert {"sandbox view", "sandbox skip"} <= commands
        bot = sandbox.server.bot

    assert bot.services.db.closed
    with pytest.raises(aiohttp.ClientConnectionError):
        await http.get(f"{page.base}/")


async def test_the_demo_server_is_seeded_through_the_real_commands(sandbox: Sandbox) -> None:
    server = sandbox.server
    services, guild_id = server.bot.services, server.guild.id

    settings = await services.config.settings(guild_id)
    assert settings.timezone == "Europe/Berlin"
    assert all(settings.channel(purpose) == server.channel(purpose.value).id for purpose in Purpose)
    for persona in MEMBERS:
        profile = await services.profiles.get_profile(guild_id, server.members[persona.name].id)
        assert profile is not None and profile.place is not None, persona.name
    assert await services.profiles.get_profile(guild_id, server.members[NEWCOMER.name].id) is None
    meetup = await services.meetups.find(guild_id, 1)
    assert meetup is not None and meetup.capacity == 4
    assert len(await services.meetups.members(meetup, RsvpStatus.GOING)) == 3
    assert len(await services.meetups.members(meetup, RsvpStatus.MAYBE)) == 1
    poll = await services.polls.find(guild_id, 2)
    assert poll is not None and poll.state is PollState.OPEN
    assert len(await services.polls.votes(poll)) == 9


async def test_a_command_run_in_the_page_is_answered_in_the_page(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    page = PreviewPage(http, sandbox.url)
    await page.open()

    receipt = await page.run("meetup list")

    assert (receipt["rejected"], receipt["settlement"]) == (False, "settled")
    await page.read()
    assert "Upcoming meetups in Meetbridge Demo" in page.texts()


async def test_sandbox_view_moves_the_open_page_without_a_reload(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    ben = sandbox.server.members["ben"]
    page = PreviewPage(http, sandbox.url)
    await page.open(viewer_id=ben.id)

    receipt = await page.run("sandbox view", where="introductions")  # no "#": as the suggestion reads

    assert receipt["rejected"] is False
    state = await page.read()  # the same page, not a new one: nothing to reload
    assert state["channel"]["name"] == "introductions"
    assert state["viewerId"] == str(ben.id)
    assert "Say hello to" in repr(state["messages"])

    await page.run("sandbox view", where="Your DMs with Meetbridge")

    state = await page.read()
    assert state["channel"]["type"] == 1 and [viewer["name"] for viewer in state["viewers"]] == ["ben"]
    in_dms = {entry["invocation"] for entry in (await page.commands())["entries"]}
    # Discord sets where a command group runs for all its subcommands: /privacy is offered in DMs
    # for forget (the others refuse there).
    assert in_dms - {f"privacy {name}" for name in ("show", "discoverable", "dm", "helper", "export")} == {
        "sandbox view",
        "sandbox skip",
        "privacy forget",
    }
    state = await PreviewPage(http, sandbox.url).open()  # a page opened now (a reload) agrees
    assert state["channel"]["type"] == 1


async def test_sandbox_view_suggests_places_by_name_and_takes_the_suggestion_as_it_reads(
    sandbox: Sandbox,
) -> None:
    ben, general = sandbox.server.members["ben"], sandbox.server.general

    async with sandbox.turn():
        choices = await ben.autocomplete(general, "sandbox view", "where", "meetups")
        shown = await ben.slash(general, "sandbox view", where=choices[0]["value"])

    assert [(choice["name"], choice["value"]) for choice in choices][:1] == [("#meetups", "#meetups")]
    assert shown.response is not None and "Showing **#meetups**" in shown.response.content
    assert sandbox.preview.channel.name == "meetups"


async def test_sandbox_view_refuses_a_place_that_does_not_exist_and_says_what_to_type(
    sandbox: Sandbox,
) -> None:
    ben, general = sandbox.server.members["ben"], sandbox.server.general

    async with sandbox.turn():
        shown = await ben.slash(general, "sandbox view", where="#nowhere")

    assert shown.response is not None and shown.response.ephemeral
    assert "`#nowhere`" in shown.response.content and "/sandbox view where:#meetups" in shown.response.content
    assert sandbox.preview.channel.name == "meetups"


async def test_sandbox_view_lists_every_channel_and_thread_a_member_can_read(sandbox: Sandbox) -> None:
    server = sandbox.server
    members, general = server.members, server.general
    async with sandbox.turn():
        for name in ("ada", "ben", "chiara", "elif"):
            await members[name].slash(general, "pairing join")
        await members["ada"].slash(general, "pairing run")
        await members["ben"].slash(general, "ask", topic="photography", question="Where to print photos?")
    backend = sandbox.env.backend
    threads = [channel for channel in backend.channels.values() if channel.is_thread]
    assert len(threads) >= 3  # two private pairing threads and the question's thread, at least

    for member in members.values():
        listed = {place.channel_id for place in sandbox.places(member.id)}
        readable = {
            channel.id
            for channel in backend.channels.values()
            if channel.guild_id is not None
            and can_access_channel(sandbox.env, channel.id, member, history=True)
        }
        assert listed == readable | {None}, member.name  # None: their DMs
    ben = sandbox.places(members["ben"].id)
    assert any(place.label.startswith("#pairing › ") for place in ben)
    assert any(place.label.startswith("#support › photography") for place in ben)


async def test_jump_links_lead_to_the_sandbox_page_which_moves_there(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    ben = sandbox.server.members["ben"]
    page = PreviewPage(http, sandbox.url)
    await page.open(viewer_id=ben.id)
    await page.run("sandbox view", where="general")
    await page.run("meetup info", id="1")
    dms = dict(sandbox.env.backend.dm_channels)

    state = await page.read()
    assert sandbox.link(1, None) is None  # no such channel: the link keeps only its words
    assert sandbox.env.backend.dm_channels == dms  # and looking for it opened no DM with anyone
    links = hrefs(state)
    assert links and not [link for link in links if "discord.com" in link]
    assert not [text for text in shown(state) if "discord.com" in text]
    meetup = await sandbox.server.bot.services.meetups.find(sandbox.server.guild.id, 1)
    assert meetup is not None
    jump = next(link for link in links if f"message={meetup.message_id}" in link)  # "Announcement: …"
    assert jump.startswith(f"{page.base}/?") and jump.endswith(f"#{page.capability}")
    assert "#meetups › message" in shown(state)

    async with http.get(jump.replace("key=", "key=wrong")) as response:
        assert response.status == 200
    assert (await page.read())["channel"]["name"] == "general"  # someone else's link does nothing

    async with http.get(jump) as response:  # what the browser opens
        assert response.status == 200
    state = await page.read()
    assert state["channel"]["name"] == "meetups"
    assert state["targetId"] == str(meetup.message_id)


async def test_no_raw_ids_reach_the_page_on_the_first_screen_or_in_dms(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    members, general = sandbox.server.members, sandbox.server.general
    page = PreviewPage(http, sandbox.url)
    state = await page.open()

    assert not raw_ids(state)
    fields = [
        field
        for message in state["messages"].values()
        for embed in message["embeds"]
        for field in embed.get("fields", [])
    ]
    named = [label for field in fields for label in mentions(field_tokens(field))]
    assert {"@ada", "@ben"} <= set(named)  # the meetup's and the poll's organisers, as pills

    async with sandbox.turn():
        await members["chiara"].slash(general, "met", member=members["elif"])
        await members["elif"].slash(general, "met", member=members["chiara"])
    await page.open(viewer_id=members["chiara"].id)
    await page.run("sandbox view", where="dms")
    state = await page.read()

    assert state["channel"]["type"] == 1 and state["messages"] and not raw_ids(state)
    assert "@elif" in mentions(state)  # whom chiara met, named in her DM


async def test_every_avatar_the_page_shows_is_drawn_locally(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    page = PreviewPage(http, sandbox.url)
    await page.open()
    await page.run("sandbox view", where="introductions")

    state = await page.read()

    embeds = [embed for message in state["messages"].values() for embed in message["embeds"]]
    profiles = [embed for embed in embeds if "thumbnail" in embed]
    assert len(profiles) == len(MEMBERS)
    assert all(embed["author"]["icon_available"] and embed["thumbnail"]["available"] for embed in profiles)
    assert all(message["author"]["avatar_available"] for message in state["messages"].values())
    assert all(asset["available"] for asset in state["assets"].values())
    assert not [item for item in state["diagnostics"] if item.get("severity") != "info"]


async def test_sandbox_skip_moves_the_clock_so_the_open_poll_closes(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    page = PreviewPage(http, sandbox.url)
    await page.open()
    started = sandbox.env.now()

    await page.run("sandbox skip", duration="4h")

    async def skipped() -> bool:
        return (sandbox.env.now() - started).total_seconds() >= 4 * 3600

    assert await eventually(skipped), "the clock did not move 4 hours ahead"
    poll = await sandbox.server.bot.services.polls.find(sandbox.server.guild.id, 2)
    assert poll is not None and poll.state is PollState.CLOSED

    async def announced() -> bool:
        await page.read()
        return "📅 Sunday hike" in page.texts()

    assert await eventually(announced), "the page did not show the new meetup without a reload"


async def test_virtual_time_runs_speed_times_faster_than_real_time(tmp_path: Path) -> None:
    async with Sandbox(tmp_path / "sandbox.db", speed=3600) as sandbox:
        started_real, started = time.perf_counter(), sandbox.env.now()
        await asyncio.sleep(1.0)
        real = time.perf_counter() - started_real
        virtual = (sandbox.env.now() - started).total_seconds()

    assert 0.5 * 3600 * real <= virtual <= 3600 * (real + TICK)


def test_ctrl_c_stops_it_cleanly_after_printing_one_line(tmp_path: Path) -> None:
    database = tmp_path / "sandbox.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "sandbox", "--database", str(database)],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "http://127.0.0.1:" in line and "#" in line
        time.sleep(0.5)

        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        process.kill()

    assert process.returncode == 0, err
    assert out == ""  # the address was the only line
    assert not Path(f"{database}-wal").exists()  # closed, not left mid-write
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT COUNT(*) FROM meetups").fetchone() == (1,)
