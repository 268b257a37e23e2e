"""/config digest: the week's /stats with its chart every Monday 09:00 server time, exactly once
across restarts; ``off`` stops it; /config show says where it goes."""

from __future__ import annotations

import discord
import pytest
import simcord

from bot.services.stats import DIGEST
from tests.behaviour.followup_world import advance_to
from tests.behaviour.meetup_world import MeetupWorld
from tests.behaviour.test_invalid_requests import deny
from tests.conftest import BotFactory, restart

pytestmark = [pytest.mark.simcord(settle_timeout=3), pytest.mark.world("meetups")]

MONDAY_9 = 1767600000  # Monday 2026-01-05 09:00 in Berlin (08:00 UTC)
WEEK = 7 * 86400


def digests(world: MeetupWorld) -> list[discord.Message]:
    return [m for m in world.general.history() if m.author.bot and m.content.startswith("📊")]


async def turn_on(world: MeetupWorld) -> simcord.InteractionResult:
    result = await world.admin.slash(world.general, "config digest", channel=str(world.general.id))
    assert result.ephemeral
    return result


async def test_the_digest_is_posted_monday_at_nine_with_its_chart_pinging_nobody(
    world: MeetupWorld, env: simcord.Env
) -> None:
    result = await turn_on(world)
    assert f"<#{world.general.id}>" in result.response.content
    assert f"<t:{MONDAY_9}:F>" in result.response.content

    await advance_to(env, MONDAY_9 - 60)
    assert digests(world) == []
    await advance_to(env, MONDAY_9 + 60)

    [posted] = digests(world)
    [embed] = posted.embeds
    assert embed.title == "Community health · last 7 days"
    assert embed.description.splitlines()[0].startswith("**Joined**: 5")  # the world's five members
    [attachment] = posted.attachments
    assert attachment.filename == "stats.png" and attachment.size > 10_000
    stored = env.backend.messages[world.general.id][posted.id]
    assert stored.ping_user_ids == [] and stored.ping_role_ids == [] and not stored.mention_everyone

    await advance_to(env, MONDAY_9 + WEEK + 60)
    assert len(digests(world)) == 2  # and the next Monday's


async def test_without_attach_files_the_digest_goes_out_without_its_chart(
    world: MeetupWorld, env: simcord.Env
) -> None:
    await turn_on(world)
    deny(env, world.general, attach_files=True)
    await advance_to(env, MONDAY_9 + 60)

    [posted] = digests(world)  # posted, as /config digest promised, not refused as a whole
    assert posted.attachments == []
    [embed] = posted.embeds
    assert embed.image.url is None  # no reference to a chart that is not there
    assert embed.description.splitlines()[0].startswith("**Joined**: 5")


async def test_the_digest_fires_once_across_a_restart(
    world: MeetupWorld, env: simcord.Env, bot_factory: BotFactory
) -> None:
    await turn_on(world)
    await advance_to(env, MONDAY_9 - 3600)
    await restart(env, bot_factory)
    await advance_to(env, MONDAY_9 + 60)
    await restart(env, bot_factory)
    await advance_to(env, MONDAY_9 + 3600)

    assert len(digests(world)) == 1
    tasks = await env.bot.services.db.fetchall(
        "SELECT state, due_at FROM scheduled_tasks WHERE kind = ? ORDER BY due_at", (DIGEST,)
    )
    assert [(row["state"], row["due_at"]) for row in tasks] == [
        ("done", MONDAY_9),
        ("pending", MONDAY_9 + WEEK),
    ]


async def test_off_stops_it_and_config_show_says_so(world: MeetupWorld, env: simcord.Env) -> None:
    await turn_on(world)
    shown = await world.admin.slash(world.general, "config show")
    digest = next(f.value for f in shown.response.embeds[0].fields if f.name == "Weekly stats digest")
    assert digest == f"<#{world.general.id}>, Mondays 09:00"

    off = await world.admin.slash(world.general, "config digest", channel="off")
    assert "off" in off.response.content
    await advance_to(env, MONDAY_9 + WEEK + 60)

    assert digests(world) == []
    shown = await world.admin.slash(world.general, "config show")
    digest = next(f.value for f in shown.response.embeds[0].fields if f.name == "Weekly stats digest")
    assert digest.startswith("off")
    pending = await env.bot.services.db.fetchval(
        "SELECT COUNT(*) FROM scheduled_tasks WHERE kind = ? AND state = 'pending'", (DIGEST,)
    )
    assert pending == 0


async def test_a_channel_that_is_not_one_is_refused_and_nothing_changes(world: MeetupWorld) -> None:
    result = await world.admin.slash(world.general, "config digest", channel="#nowhere")
    assert result.ephemeral
    assert "/config digest channel:" in result.response.content
    assert await world.bot.services.stats.digest_channel(world.guild.id) is None


async def test_members_cannot_turn_it_on(world: MeetupWorld) -> None:
    [config] = [c for c in await world.bot.tree.fetch_commands() if c.name == "config"]
    world.guild.set_command_permissions(config, {world.alice: True})
    result = await world.alice.slash(world.general, "config digest", channel=str(world.general.id))
    assert "Manage Server" in result.response.content
    assert await world.bot.services.stats.digest_channel(world.guild.id) is None
