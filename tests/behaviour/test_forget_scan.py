"""Forget means forget: after a member has used every feature, and been named in what others do, a
forget leaves their id in no column of any table, in any form (an integer, inside text, ``<@id>``).

The server is filled through the real bot: an introduction, a poll and votes, a meetup with RSVPs
and a waitlist, reminders (posts mentioning the Going members, DMs), Who came? with picks, /met,
two pairing rounds (a group, then left out), keep-in-touch nudges (DMs to the other member whose
button names them), /ask, a block, a report about them with a moderator's pause, and finally leaving
the server. The member then asks, in a DM, to be
forgotten. A scan before the forget must find them in every table that stores member data, so the
scan after it can fail.
"""

from __future__ import annotations

import pytest
import simcord
from simcord.actors import MemberActor

from bot.domain.consent import DmMode
from bot.storage.database import Database
from bot.storage.member_data import registered
from tests.behaviour.connect_world import introduce, privacy
from tests.behaviour.followup_world import DAY, END, advance_to, answer, create_meetup, now
from tests.behaviour.meetup_world import ONE, MeetupWorld, plan, poll_message, stored_poll
from tests.behaviour.pairing_steps import WEEK

pytestmark = [pytest.mark.simcord(settle_timeout=3), pytest.mark.world("every channel")]


async def columns_naming(db: Database, member_id: int) -> dict[str, int]:
    """``table.column`` -> rows whose value holds the member id in any form, over the whole schema."""
    found: dict[str, int] = {}
    for table in await db.table_names():
        for column, _, _ in await db.table_columns(table):
            count = await db.fetchval(
                f"SELECT COUNT(*) FROM {table} WHERE CAST({column} AS TEXT) LIKE ?",
                (f"%{member_id}%",),
            )
            if count:
                found[f"{table}.{column}"] = count
    return found


def tables_of(found: dict[str, int]) -> set[str]:
    return {name.split(".")[0] for name in found}


async def check_in_and_pick(world: MeetupWorld, member: MemberActor, *picked: MemberActor) -> None:
    messages = [m for thread in world.meetups.threads for m in thread.history()]
    who_came = next(m for m in messages if m.content.startswith("👋 **Who came?**"))
    checked = await member.click(who_came, label="I was there")
    [row] = checked.response.components
    [menu] = row["components"]
    values = [str(p.id) for p in picked] if menu["type"] == 3 else list(picked)
    await member.select(checked.response, values)


async def test_after_forget_no_column_of_any_table_names_the_member(
    world: MeetupWorld, env: simcord.Env
) -> None:
    alice, bob, carol, dave = world.alice, world.bob, world.carol, world.dave
    db = world.bot.services.db
    await introduce(world, alice, "chess, python", city="Portland")
    await introduce(world, bob, "chess, python, pottery")
    await introduce(world, carol, "chess")
    await introduce(world, dave, "chess, pottery")
    await privacy(world, alice, "dm", "on")
    await privacy(world, alice, "helper", "on")
    await privacy(world, bob, "dm", "on")

    # A meetup she organises, with a waitlist whose freed place is offered to her and claimed;
    # then a poll she plans, voted on by reacting; then a weekly series she organises, whose first
    # meetup she answers Maybe (so she is nudged two days before).
    await world.admin.slash(world.general, "config waitlist", mode="offer")
    meetup = await create_meetup(world, capacity=2, description=f"Ask {alice.mention} for the key")
    for member in (bob, carol, alice):
        await answer(world, meetup, member)
    await answer(world, meetup, carol, "no")
    await env.advance_time(5)
    offer = next(m for m in alice.user.dm_channel.history() if "held for you" in m.content)
    assert "going" in (await alice.user.click(offer, label="Claim")).response.content
    await answer(world, meetup, carol)
    await plan(world, times="2026-03-06 19:00; 2026-03-07 14:00", places="Café Central")
    poll = await stored_poll(world, 2)
    await alice.react(poll_message(world, poll), ONE)
    await bob.react(poll_message(world, poll), ONE)
    made = await alice.slash(
        world.general,
        "meetup create",
        title="Chess",
        when="2026-01-10 19:00",
        where="Library",
        repeat="weekly",
    )
    assert "Series **S1**" in made.response.content, made.response.content
    await answer(world, await world.meetup(3), alice, "maybe")

    # Pairing: a trio this week, and next week she is left out (every partner is recent).
    for member in (alice, bob, carol):
        await member.slash(world.general, "pairing join")
    assert "started" in (await world.admin.slash(world.general, "pairing run")).response.content
    await env.advance_time(WEEK)
    await dave.slash(world.general, "pairing join")
    assert "started" in (await world.admin.slash(world.general, "pairing run")).response.content

    # The reminder a day before (posts mentioning her, a DM to her), then Who came? and picks.
    await advance_to(env, meetup.starts_at - DAY + 60)
    await advance_to(env, END + 60)
    await check_in_and_pick(world, alice, bob)
    await check_in_and_pick(world, bob, alice)
    # With her DMs off for a moment, carol's introduction becomes a note kept for her next command.
    await alice.slash(world.general, "met", member=carol)
    await privacy(world, alice, "dm", "off")
    await carol.slash(world.general, "met", member=alice)
    await world.bot.services.profiles.set_preference(world.guild.id, alice.id, "dm", DmMode.ON, now(env))

    # Three weeks on: nudges, one of them a DM to bob whose button names her.
    await advance_to(env, now(env) + 21 * DAY + 60)
    asked = await bob.slash(world.general, "ask", topic="python", question="Which CSV library?")
    assert asked.followups or asked.response

    # Safety: dave blocks her; bob reports her (naming her in his reason too); a moderator pauses her.
    # (She runs no command here: that would show her the note kept above.)
    await dave.slash(world.general, "block", member=alice)
    await world.admin.slash(world.general, "config channel", purpose="moderation", channel=world.general)
    filed = await bob.slash(world.general, "report", member=alice, reason=f"{alice.mention} kept calling me")
    assert "went to this server's moderators" in filed.response.content
    report = next(m for m in reversed(world.general.history()) if m.content.startswith("🚩"))
    form = await world.admin.click(report, label="Pause from meetups")
    await world.admin.submit_modal(form, {"period": "30 days"})

    before = await columns_naming(db, alice.id)
    expected = set(registered()) - {"member_departures"} | {"scheduled_tasks"}
    assert expected <= tables_of(before), f"not filled: {sorted(expected - tables_of(before))}"
    others_dms = await db.fetchval(
        "SELECT COUNT(*) FROM dm_outbox WHERE member_id <> ? AND payload LIKE ?", (alice.id, f"%{alice.id}%")
    )
    posts = await db.fetchval(
        "SELECT COUNT(*) FROM scheduled_tasks WHERE kind = 'meetup.reminder.post' AND payload LIKE ?",
        (f"%{alice.id}%",),
    )
    assert others_dms >= 1 and posts >= 1

    # She leaves (a departure is recorded), then asks in a DM to be forgotten everywhere.
    world.guild.remove_member(alice)
    await env.settle()
    assert "member_departures" in tables_of(await columns_naming(db, alice.id))
    prompt = await alice.user.slash("privacy forget")
    done = await alice.user.click(prompt.response, label="Forget me")
    assert "deleted everything" in done.response.content

    after = await columns_naming(db, alice.id)
    assert after == {}, f"columns still naming the forgotten member: {sorted(after)}"
    assert await columns_naming(db, bob.id), "only the forgotten member's data goes"
