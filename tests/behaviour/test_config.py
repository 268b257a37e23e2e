"""/config through the real bot: admins set values, others are refused, bad values change nothing."""

from __future__ import annotations

import pytest
import simcord

from bot.domain.date_order import DateOrder
from bot.domain.guild_settings import Cadence, Purpose
from tests.behaviour.meetup_world import build_meetup_world, last_post
from tests.conftest import BotFactory, restart
from tests.world import World, build_world

pytestmark = pytest.mark.world("server")


async def stored(world: World):
    return await world.bot.services.config.settings(world.guild.id)


def field(embed, name: str) -> str:
    return next(f.value for f in embed.fields if f.name == name)


async def test_show_on_a_fresh_server_lists_everything_missing(world: World) -> None:
    result = await world.admin.slash(world.general, "config show")

    assert result.ephemeral
    embed = result.response.embeds[0]
    missing = field(embed, "Still missing")
    for purpose in Purpose:
        assert f"/config channel purpose:{purpose.value}" in missing
    assert "/config timezone" in missing
    assert field(embed, "Reminders before meetups") == "24h, 1h"
    assert field(embed, "Pairing rounds") == "off"


async def test_admin_sets_every_value_and_show_reflects_it(world: World) -> None:
    for purpose, channel in [
        ("introductions", world.introductions),
        ("meetups", world.meetups),
        ("pairing", world.pairing),
        ("support", world.support),
        ("moderation", world.general),
    ]:
        result = await world.admin.slash(world.general, "config channel", purpose=purpose, channel=channel)
        assert result.ephemeral
        assert channel.mention in result.response.content
    result = await world.admin.slash(world.general, "config timezone", name="europe/berlin")
    assert "Europe/Berlin" in result.response.content
    result = await world.admin.slash(world.general, "config reminders", offsets="2d, 3h, 30m")
    assert "2d, 3h, 30m" in result.response.content
    result = await world.admin.slash(world.general, "config pairing", cadence="biweekly", size=3)
    assert "biweekly" in result.response.content

    shown = (await world.admin.slash(world.general, "config show")).response.embeds[0]

    assert field(shown, "Ready") == "Every feature is configured."
    assert world.meetups.mention in field(shown, "Channels")
    assert field(shown, "Timezone") == "Europe/Berlin"
    assert field(shown, "Reminders before meetups") == "2d, 3h, 30m"
    assert field(shown, "Pairing rounds") == "biweekly, groups of 3"
    settings = await stored(world)
    assert settings.channels[Purpose.SUPPORT] == world.support.id
    assert settings.reminder_offsets == (172800, 10800, 1800)
    assert settings.pairing_cadence is Cadence.BIWEEKLY and settings.pairing_size == 3


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("config show", {}),
        ("config channel", {"purpose": "meetups", "channel": "meetups"}),
        ("config timezone", {"name": "Europe/Berlin"}),
        ("config reminders", {"offsets": "2h"}),
        ("config pairing", {"cadence": "weekly", "size": 2}),
        ("config dateformat", {"order": "month-day"}),
    ],
)
async def test_member_without_manage_server_is_refused_and_nothing_changes(
    world: World, env: simcord.Env, command: str, options: dict
) -> None:
    if options.get("channel") == "meetups":
        options = {**options, "channel": world.meetups}
    # Discord hides /config from members; this server lets alice see it, so the bot's own check decides.
    [config] = [c for c in await world.bot.tree.fetch_commands() if c.name == "config"]
    world.guild.set_command_permissions(config, {world.alice: True})
    before = await stored(world)

    result = await world.alice.slash(world.general, command, **options)

    assert result.ephemeral
    assert "Manage Server" in result.response.content
    assert not result.response.embeds
    assert await stored(world) == before
    assert env.errors == []  # a refusal is an answer, not an error


async def test_config_is_not_offered_to_members(world: World) -> None:
    assert "config" not in {name.split()[0] for name in world.alice.available_commands(world.general)}
    assert "config" in {name.split()[0] for name in world.admin.available_commands(world.general)}


@pytest.mark.parametrize(
    ("command", "options", "complaint", "example"),
    [
        ("config timezone", {"name": "Mars/Olympus"}, "not an IANA timezone", "/config timezone name:"),
        ("config timezone", {"name": "localtime"}, "not an IANA timezone", "Europe/Berlin"),
        ("config reminders", {"offsets": "0h"}, "between 5 minutes and 14 days", "24h, 1h"),
        ("config reminders", {"offsets": "1h, 2h, 3h, 4h, 5h, 6h"}, "at most 5", "24h, 1h"),
        ("config reminders", {"offsets": "banana"}, "not a duration", "24h, 1h"),
        ("config reminders", {"offsets": "15d"}, "between 5 minutes and 14 days", "24h, 1h"),
    ],
)
async def test_bad_value_is_explained_with_an_example_and_nothing_stored(
    world: World, command: str, options: dict, complaint: str, example: str
) -> None:
    before = await stored(world)

    result = await world.admin.slash(world.general, command, **options)

    assert result.ephemeral
    assert complaint in result.response.content
    assert "Try: " in result.response.content and example in result.response.content
    assert await stored(world) == before


async def test_timezone_autocomplete_offers_matching_iana_names(world: World) -> None:
    choices = await world.admin.autocomplete(world.general, "config timezone", "name", "berl")

    assert [choice["value"] for choice in choices] == ["Europe/Berlin"]


async def test_channel_the_bot_cannot_post_in_is_refused(world: World) -> None:
    import discord

    # The bot's managed role is an administrator by default; make it an ordinary one.
    bot_role = world.guild.roles["TestBot"]
    world.env.backend.edit_role(
        world.guild.id, bot_role.id, {"permissions": discord.Permissions.general().value & ~8}
    )
    hidden = world.guild.create_text_channel(
        "hidden", overwrites={bot_role: discord.PermissionOverwrite(view_channel=False)}
    )

    result = await world.admin.slash(world.general, "config channel", purpose="meetups", channel=hidden)

    assert result.ephemeral
    assert "can't see or post" in result.response.content
    assert Purpose.MEETUPS not in (await stored(world)).channels


async def test_settings_survive_a_restart_on_the_same_database(
    world: World, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await world.admin.slash(world.general, "config timezone", name="America/New_York")
    await world.admin.slash(world.general, "config channel", purpose="support", channel=world.support)

    await restart(env, bot_factory)

    shown = (await world.admin.slash(world.general, "config show")).response.embeds[0]
    assert field(shown, "Timezone") == "America/New_York"
    assert world.support.mention in field(shown, "Channels")


async def test_settings_are_per_server(world: World, env: simcord.Env) -> None:
    await world.admin.slash(world.general, "config timezone", name="Asia/Tokyo")
    other = build_world(env, name="Another Server")

    shown = (await other.admin.slash(other.general, "config show")).response.embeds[0]

    assert field(shown, "Timezone") == "not set (UTC)"


# -- numeric dates --------------------------------------------------------------------------------


async def test_numeric_dates_follow_the_timezone_until_an_admin_chooses(world: World) -> None:
    result = await world.admin.slash(world.general, "config timezone", name="America/New_York")
    assert "**month-day** (3/4 is March 4)" in result.response.content
    assert field(
        (await world.admin.slash(world.general, "config show")).response.embeds[0], "Numeric dates"
    ) == ("month-day (3/4 is March 4), from the timezone")

    result = await world.admin.slash(world.general, "config dateformat", order="day-month")

    assert result.ephemeral
    assert "Numeric dates are now read **day-month**: 3/4 is 3 April." in result.response.content
    shown = (await world.admin.slash(world.general, "config show")).response.embeds[0]
    assert field(shown, "Numeric dates") == "day-month (3/4 is 3 April), set with /config dateformat"
    assert (await stored(world)).date_order is DateOrder.DAY_MONTH


async def test_a_fresh_server_reads_numeric_dates_day_month(world: World) -> None:
    shown = (await world.admin.slash(world.general, "config show")).response.embeds[0]

    assert field(shown, "Numeric dates") == "day-month (3/4 is 3 April), from the timezone"


@pytest.mark.parametrize(
    ("order", "read_as", "date"),
    [
        ("day-month", "day/month", "Fri 3 Apr 2026, 19:00"),
        ("month-day", "month/day", "Wed 4 Mar 2026, 19:00"),
    ],
)
async def test_meetup_create_reads_3_4_in_the_servers_order_and_says_which(
    env: simcord.Env, order: str, read_as: str, date: str
) -> None:
    world = await build_meetup_world(env)  # Europe/Berlin
    await world.admin.slash(world.general, "config dateformat", order=order)

    result = await world.alice.slash(
        world.general, "meetup create", title="Board games", when="3/4 7pm", where="Café Central"
    )

    assert result.ephemeral
    assert f"{date} (Europe/Berlin; 3/4 read as {read_as})" in result.response.content
    when = next(f.value for f in last_post(world.meetups).embeds[0].fields if f.name == "When")
    assert f"3/4 read as {read_as}" in when
    meetup = await world.meetup(1)
    assert meetup.when_text == "3/4 7pm"


async def test_a_date_that_reads_one_way_ignores_the_setting(env: simcord.Env) -> None:
    world = await build_meetup_world(env)
    await world.admin.slash(world.general, "config dateformat", order="day-month")

    result = await world.alice.slash(
        world.general, "meetup create", title="Board games", when="08/21 at 19:30", where="Café Central"
    )

    assert "Fri 21 Aug 2026, 19:30 (Europe/Berlin)" in result.response.content
    assert "read as" not in result.response.content
