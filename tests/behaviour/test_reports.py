"""/report through the real bot: to the moderation channel with what the two shared, pinging only
the moderator role, never told to the member reported; and what moderators do from the report
(pause from meetups, remove from pairing, dismiss), each recorded and undoable, by moderators only."""

from __future__ import annotations

import json
from dataclasses import dataclass

import discord
import pytest
import simcord
from simcord.actors import MemberActor
from simcord.builders import ChannelHandle, RoleHandle

from bot.domain.errors import UserError
from bot.domain.meetups import RsvpStatus
from tests.behaviour.connect_world import build_connect_world, introduce
from tests.behaviour.followup_world import DAY, create_meetup
from tests.behaviour.meetup_world import MeetupWorld, build_meetup_world, rsvp_id
from tests.behaviour.pairing_steps import groups, joined_member, joiner, run_round

REASON = "He kept messaging me after I said no, and followed me to the tram."


@dataclass
class ModWorld:
    world: MeetupWorld
    moderation: ChannelHandle
    mods: RoleHandle
    moderator: MemberActor

    @property
    def bot(self):
        return self.world.bot


@pytest.fixture
async def mw(env: simcord.Env) -> ModWorld:
    world = await build_meetup_world(env)
    for purpose, channel in (("introductions", world.introductions), ("pairing", world.pairing)):
        await world.admin.slash(world.general, "config channel", purpose=purpose, channel=channel)
    moderation = world.guild.create_text_channel("moderation")
    mods = world.guild.create_role("Moderators", mentionable=True)
    moderator = world.guild.add_member(env.create_user("mod"), roles=[mods])
    await world.admin.slash(world.general, "config channel", purpose="moderation", channel=moderation)
    await world.admin.slash(world.general, "config moderators", role=mods)
    return ModWorld(world, moderation, mods, moderator)


def reports_posted(mw: ModWorld) -> list[discord.Message]:
    return [m for m in mw.moderation.history() if m.author.bot and m.content.startswith("🚩")]


def latest(mw: ModWorld, message: discord.Message) -> discord.Message:
    return next(m for m in mw.moderation.history() if m.id == message.id)


def field(message: discord.Message, name: str) -> str:
    return next(f.value for f in message.embeds[0].fields if f.name.startswith(name))


def labels(message: discord.Message) -> list[str]:
    return [child.label for row in message.components for child in row.children]


def bot_dms(member: MemberActor) -> list:
    channel = member.user.dm_channel
    return [] if channel is None else [m for m in channel.history() if m.author.bot]


async def report(mw: ModWorld, by: MemberActor | None = None, about: MemberActor | None = None, **options):
    w = mw.world
    return await (by or w.alice).slash(w.general, "report", member=about or w.bob, reason=REASON, **options)


async def stored_reports(mw: ModWorld) -> int:
    return await mw.bot.services.db.fetchval("SELECT COUNT(*) FROM reports")


# -- filing ---------------------------------------------------------------------------------------


async def test_a_report_reaches_the_moderators_with_what_the_two_shared_and_pings_only_their_role(
    mw: ModWorld, env: simcord.Env
) -> None:
    w = mw.world
    await joiner(w, w.alice, "chess")
    await joiner(w, w.bob, "chess")
    await run_round(w)
    meetup = await create_meetup(w)
    for member in (w.alice, w.bob):
        await member.click(
            next(m for m in w.meetups.history() if m.id == meetup.message_id),
            custom_id=rsvp_id(meetup, "going"),
        )

    result = await report(mw, meetup=1)

    assert result.ephemeral and "went to this server's moderators" in result.response.content
    assert "not told" in result.response.content
    [posted] = reports_posted(mw)
    stored = env.backend.messages[mw.moderation.id][posted.id]
    assert stored.ping_role_ids == [mw.mods.id] and stored.ping_user_ids == []
    assert posted.embeds[0].description == REASON
    assert w.bob.mention in field(posted, "Member reported") and w.alice.mention in field(
        posted, "Reported by"
    )
    assert field(posted, "Meetup") == "#1 “Board games”"
    shared = field(posted, "What they shared")
    assert "Pairing round 1" in shared and "the same group" in shared
    assert "Meetup #1 “Board games”" in shared and "both answered Going" in shared
    assert labels(posted) == ["Pause from meetups", "Remove from pairing", "Dismiss"]


async def test_the_member_reported_is_never_told(mw: ModWorld, env: simcord.Env) -> None:
    w = mw.world
    await introduce(w, w.bob, "chess")

    await report(mw)

    assert bot_dms(w.bob) == []
    bot_id = env.bot.user.id
    elsewhere = [
        m
        for channel_id, channel in env.backend.messages.items()
        if channel_id != mw.moderation.id
        for m in channel.values()
        if m.author_id == bot_id and not m.is_ephemeral and "Report" in (m.content or "")
    ]
    assert elsewhere == []
    exported = await w.bob.slash(w.general, "privacy export")
    data = json.loads(await exported.response.attachments[0].read())
    assert data["tables"]["reports"] == [] and "reports" not in data["named_in"]
    assert str(w.alice.id) not in json.dumps(data)


async def test_without_a_moderation_channel_the_reporter_is_told_and_admins_see_it(env: simcord.Env) -> None:
    world = await build_connect_world(env)

    result = await world.alice.slash(world.general, "report", member=world.bob, reason=REASON)

    assert result.ephemeral and "no moderation channel" in result.response.content
    assert "tell a moderator" in result.response.content
    assert await world.bot.services.db.fetchval("SELECT COUNT(*) FROM reports") == 0
    shown = await world.admin.slash(world.general, "config show")
    missing = next(f.value for f in shown.response.embeds[0].fields if f.name == "Still missing")
    assert "No moderation channel (/report has nowhere to go" in missing
    assert "/config channel purpose:moderation" in missing


async def test_a_report_that_cannot_be_posted_is_not_kept_and_the_reporter_is_told(
    mw: ModWorld, env: simcord.Env
) -> None:
    env.inject_error("POST", f"/channels/{mw.moderation.id}/messages", status=403, code=50013)

    result = await report(mw)

    assert "couldn't pass your report on" in result.response.content
    assert await stored_reports(mw) == 0


async def test_reports_are_rate_limited_per_member(mw: ModWorld) -> None:
    w = mw.world
    for _ in range(3):
        assert "went to" in (await report(mw)).response.content

    fourth = await report(mw)

    assert "sent 3 reports in the last hour" in fourth.response.content
    assert await stored_reports(mw) == 3
    by_admin = await report(mw, by=w.admin)  # admins are exempt
    assert "went to" in by_admin.response.content


@pytest.mark.parametrize(
    ("options", "refusal"),
    [
        ({"meetup": 9}, "There is no meetup #9"),
        ({"reason": "   "}, "Say briefly what happened"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_posted(mw: ModWorld, options: dict, refusal: str) -> None:
    w = mw.world
    values = {"member": w.bob, "reason": REASON, **options}

    result = await w.alice.slash(w.general, "report", **values)

    assert refusal in result.response.content
    assert reports_posted(mw) == [] and await stored_reports(mw) == 0


async def test_reporting_yourself_is_refused(mw: ModWorld) -> None:
    result = await report(mw, about=mw.world.alice)

    assert "can't report yourself" in result.response.content


# -- what moderators do ---------------------------------------------------------------------------


async def filed(mw: ModWorld) -> discord.Message:
    await report(mw)
    return reports_posted(mw)[-1]


async def pause(mw: ModWorld, who: MemberActor, message: discord.Message, period: str = "2 weeks"):
    shown = await who.click(message, label="Pause from meetups")
    assert shown.modal is not None, shown.response
    return await who.submit_modal(shown, {"period": period})


async def test_only_the_moderator_role_or_manage_server_may_act(mw: ModWorld) -> None:
    w = mw.world
    message = await filed(mw)

    by_member = await w.alice.click(message, label="Remove from pairing")
    assert by_member.ephemeral and "Only members with" in by_member.response.content
    form = await w.bob.click(message, label="Pause from meetups")
    assert form.modal is None and "Only members with" in form.response.content
    report_ = await mw.bot.services.reports.report(w.guild.id, 1)
    assert report_.actions == ()

    assert "is dismissed" in (await mw.moderator.click(message, label="Dismiss")).response.content
    assert "open again" in (await w.admin.click(latest(mw, message), label="Reopen")).response.content


async def test_a_pause_stops_going_and_maybe_until_it_ends_or_is_undone(
    mw: ModWorld, env: simcord.Env
) -> None:
    w = mw.world
    meetup = await create_meetup(w)
    announcement = next(m for m in w.meetups.history() if m.id == meetup.message_id)
    message = await filed(mw)

    done = await pause(mw, mw.moderator, message)

    assert "Paused (report #1) until" in done.response.content
    after = latest(mw, message)
    assert "Paused from meetups and pairing until" in field(after, "What moderators did")
    assert labels(after)[0] == "Undo pause"
    going = await w.bob.click(announcement, custom_id=rsvp_id(meetup, "going"))
    assert "paused you from meetups" in going.response.content
    assert "Can't go" in going.response.content
    maybe = await w.bob.click(announcement, custom_id=rsvp_id(meetup, "maybe"))
    assert "paused you from meetups" in maybe.response.content
    no = await w.bob.click(announcement, custom_id=rsvp_id(meetup, "no"))
    assert "can't go" in no.response.content.lower()
    assert bot_dms(w.bob) == []

    undone = await w.admin.click(after, label="Undo pause")
    assert "pause is lifted" in undone.response.content
    again = await w.bob.click(announcement, custom_id=rsvp_id(meetup, "going"))
    assert "You are going" in again.response.content
    statuses = {r.member_id: r.status for r in await mw.bot.services.meetups.repo.rsvps(meetup.id)}
    assert statuses[w.bob.id] is RsvpStatus.GOING


async def test_a_pause_ends_by_itself(mw: ModWorld, env: simcord.Env) -> None:
    w = mw.world
    meetup = await create_meetup(w, when="2026-02-20 19:00")
    announcement = next(m for m in w.meetups.history() if m.id == meetup.message_id)
    message = await filed(mw)
    await pause(mw, mw.moderator, message, period="1 day")

    await env.advance_time(DAY + 1)

    going = await w.bob.click(announcement, custom_id=rsvp_id(meetup, "going"))
    assert "You are going" in going.response.content
    late = await mw.moderator.click(latest(mw, message), label="Undo pause")  # the post still offers it
    assert "already ended" in late.response.content
    assert labels(latest(mw, message))[0] == "Pause from meetups"  # and now shows what is true


async def test_a_paused_member_sits_pairing_out_and_cannot_join(mw: ModWorld) -> None:
    w = mw.world
    await joiner(w, w.alice, "chess")
    await joiner(w, w.bob, "chess")
    carol = await joined_member(w, "carol", "chess")
    await pause(mw, mw.moderator, await filed(mw))

    await run_round(w)

    [group] = await groups(w)
    assert set(group.member_ids) == {w.alice.id, carol.id}
    announcement = w.pairing.history()[-1]
    assert w.bob.mention not in announcement.content  # not named as left out either
    joined = await w.bob.slash(w.general, "pairing join")
    assert "paused you" in joined.response.content


async def test_removing_from_pairing_takes_them_out_until_undone(mw: ModWorld) -> None:
    w = mw.world
    await joiner(w, w.bob, "chess")
    message = await filed(mw)

    done = await mw.moderator.click(message, label="Remove from pairing")

    assert "Removed from pairing rounds (report #1)" in done.response.content
    assert await mw.bot.services.pairing.repo.member(w.guild.id, w.bob.id) is None
    refused = await w.bob.slash(w.general, "pairing join")
    assert "removed you from pairing rounds" in refused.response.content
    after = latest(mw, message)
    assert "Removed from pairing rounds" in field(after, "What moderators did")
    assert labels(after)[1] == "Undo removal from pairing"

    await mw.moderator.click(after, label="Undo removal from pairing")

    assert await mw.bot.services.pairing.repo.member(w.guild.id, w.bob.id) is not None
    assert "~~" in field(latest(mw, message), "What moderators did")  # shown as undone, not erased
    assert labels(latest(mw, message))[1] == "Remove from pairing"


async def test_acting_twice_is_refused_and_the_post_shows_what_is_true(mw: ModWorld) -> None:
    """Two moderators pressing at once: the second finds it done (a stale button never undoes)."""
    w = mw.world
    message = await filed(mw)
    await mw.moderator.click(message, label="Remove from pairing")

    with pytest.raises(UserError, match="already removed from pairing"):
        await mw.bot.services.reports.unpair(w.guild.id, 1, w.admin.id, 0)

    assert len((await mw.bot.services.reports.report(w.guild.id, 1)).actions) == 1
    assert labels(latest(mw, message))[1] == "Undo removal from pairing"


async def test_dismiss_and_reopen_are_recorded_on_the_report(mw: ModWorld) -> None:
    message = await filed(mw)

    await mw.moderator.click(message, label="Dismiss")
    dismissed = latest(mw, message)
    await mw.world.admin.click(dismissed, label="Reopen")

    assert dismissed.embeds[0].title == "Report #1 (dismissed)"
    reopened = latest(mw, message)
    assert reopened.embeds[0].title == "Report #1"
    lines = field(reopened, "What moderators did")
    assert "Dismissed" in lines and "undone by" in lines and mw.world.admin.mention in lines


async def test_an_unreadable_pause_is_refused_and_changes_nothing(mw: ModWorld) -> None:
    done = await pause(mw, mw.moderator, await filed(mw), period="until he apologises")

    assert "not a duration" in done.response.content
    assert (await mw.bot.services.reports.report(mw.world.guild.id, 1)).actions == ()


# -- privacy --------------------------------------------------------------------------------------


async def test_the_reporter_finds_their_report_in_their_export(mw: ModWorld) -> None:
    w = mw.world
    await report(mw)

    exported = await w.alice.slash(w.general, "privacy export")
    data = json.loads(await exported.response.attachments[0].read())

    [row] = data["tables"]["reports"]
    assert row["reason"] == REASON and row["reported_member_id"] == w.bob.id


async def test_forgetting_the_member_reported_keeps_the_report_without_them_and_lifts_the_pause(
    mw: ModWorld,
) -> None:
    w = mw.world
    await pause(mw, mw.moderator, await filed(mw))

    prompt = await w.bob.slash(w.general, "privacy forget")
    await w.bob.click(prompt.response, label="Forget me")

    report_ = await mw.bot.services.reports.report(w.guild.id, 1)
    assert report_.reported_member_id == 0 and report_.reporter_member_id == w.alice.id
    assert [a.member_id for a in report_.actions] == [0]
    assert await mw.bot.services.restrictions.paused_until(w.guild.id, w.bob.id, 0) is None
    refused = await w.admin.click(latest(mw, reports_posted(mw)[0]), label="Remove from pairing")
    assert "asked Meetbridge to forget them" in refused.response.content
