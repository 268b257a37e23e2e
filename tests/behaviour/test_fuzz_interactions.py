"""Every slash command, button, select and form, fuzzed through SimCord as a member and as an admin.

Always an answer, never an unexpected error: each interaction must be answered (a response, a
follow-up or a form), every answer ephemeral (or an update of the message pressed) and without a
trace id; no error may reach the bot's error handler that is not a refusal
(``bot.errors.is_expected``); Discord may refuse (400) nothing the bot sends meanwhile, in
channels, threads, DMs or events; the bot may log no exception; and no message of the bot may
ping a role, everyone or the victim named in the hostile strings.

What is covered (``test_the_fuzz_covers_every_command`` recomputes and prints the numbers):

- Slash commands: every command of ``bot.tree``, found by walking it, so a new command is fuzzed
  without a change here (42 today, 11 of them, /config's, hidden from members by their default
  permissions and run by the admin only, as Discord would offer them). Each string option (31) gets
  each of the 10 worst cases of :mod:`tests.hostile` (up to 6,000 characters) with the other options
  valid; each
  integer or number option without a range (12) gets 4 out-of-range values; each command runs once
  with valid values. All as a member (a fresh one per call, so cooldowns hide no path) and as an
  admin (the visible ones): 727 invocations. /report goes to a configured moderation channel.
- Autocomplete: the 5 autocomplete options (/ask topic, /config timezone name, /config digest
  channel, /match interest, /stats period) with the 10 strings, as a member (where offered) and the
  admin: 80 calls; every choice offered
  must be one Discord takes.
- Forms: /intro (4 fields), Plan a meetup (3), Plan a catch-up (3) and a report's Pause from
  meetups (1), each field with each of the 10 strings (clipped to the field's length) and the others
  valid, as a member (a moderator, for the pause) and an admin: 11 x 10 x 2 = 220 submissions.
- Buttons and selects: RSVP (Going, Maybe, Can't go), Keep / Cancel, I was there, Whom did you
  talk to? (names, and the member picker above 25), Plan a meetup, Did you meet? (In person,
  Online, Not yet), Plan a catch-up (about a member, about one who left), a report's Pause / Remove
  from pairing / Dismiss and their undos, Forget me / Cancel, each pressed by whom it is not for (a
  member, the admin, a moderator) and by whom it is for: 39 presses.

About 13 s on a 2-core machine.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import discord
import pytest
import simcord
from discord import AppCommandOptionType, app_commands
from simcord.actors import MemberActor

from bot.ui.followups import catchup_spec, outbox_view
from tests.behaviour.connect_world import introduce
from tests.behaviour.followup_world import (
    END,
    START,
    advance_to,
    answer,
    create_meetup,
    set_going,
    thread_messages,
)
from tests.behaviour.fuzz_steps import (
    HostileWorld,
    answers,
    build_hostile_world,
    check_choices,
    logged_failures,
    problem,
    refused_requests,
    stray_pings,
)
from tests.behaviour.intro_steps import INTRO
from tests.behaviour.meetup_world import FRIDAY_7PM, TIMES, plan, rsvp_id

# 3 s, not 1.5: /stats draws its chart in a process of its own, and the first chart starts it
# (importing matplotlib there takes 1-2.5 s on a loaded 2-core machine); SimCord settles until then.
# SQLite only, deliberately: this module is a quarter of the PostgreSQL half's time (128 s of 516 s
# in one loaded run) for what does not depend on the backend (every answer to hostile input);
# hostile text through the whole loop on PostgreSQL is test_hostile_pings.py's.
pytestmark = [pytest.mark.simcord(settle_timeout=3), pytest.mark.sqlite_only]

OUT_OF_RANGE = (0, -1, 2**53 - 1, -(2**53 - 1))
OUT_OF_RANGE_NUMBERS = (-1.0, 0.0, 1e-300, 2.0**53)


def leaf_commands(tree: app_commands.CommandTree) -> list[app_commands.Command[Any, ..., Any]]:
    def walk(items: list[Any]) -> Iterator[app_commands.Command[Any, ..., Any]]:
        for item in items:
            if isinstance(item, app_commands.Group):
                yield from walk(item.commands)
            else:
                yield item

    return sorted(walk(tree.get_commands()), key=lambda command: command.qualified_name)


def valid_value(world: HostileWorld, command: str, parameter: app_commands.Parameter) -> Any:
    """A value the command accepts, so a hostile value elsewhere reaches as deep as it can."""
    w = world.world
    if parameter.choices:
        return parameter.choices[0].value
    if parameter.type is AppCommandOptionType.user:
        return world.victim
    if parameter.type is AppCommandOptionType.channel:
        return w.meetups
    if parameter.type is AppCommandOptionType.integer:
        if parameter.min_value is not None:
            return int(parameter.min_value)
        return 1
    if parameter.type is AppCommandOptionType.number:
        return 50.0
    return {
        "title": "Board games",
        "times": TIMES,
        "when": FRIDAY_7PM,
        "where": "Café Central",
        "name": "Europe/Berlin",
        "offsets": "24h, 1h",
        "topic": "python",
        "question": "How do I start?",
        "id": "S1",
        "date": "2026-01-16",
        "ahead": "7d",
    }.get(parameter.name, "something")


@dataclass
class Invocation:
    command: str
    options: dict[str, Any]
    varied: str  # which option carries the hostile value ("" for the valid run)
    label: str


def invocations(world: HostileWorld, command: app_commands.Command[Any, ..., Any]) -> Iterator[Invocation]:
    name = command.qualified_name
    required = {p.name: valid_value(world, name, p) for p in command.parameters if p.required}
    yield Invocation(name, required, "", "valid")
    for parameter in command.parameters:
        if parameter.choices:
            continue  # Discord sends only the listed values
        if parameter.type is AppCommandOptionType.string:
            values: list[tuple[str, Any]] = [(f"worst case {n}", s) for n, s in enumerate(world.strings())]
        elif parameter.type is AppCommandOptionType.integer and parameter.min_value is None:
            values = [(f"{value}", value) for value in OUT_OF_RANGE]
        elif parameter.type is AppCommandOptionType.number and parameter.min_value is None:
            values = [(f"{value}", value) for value in OUT_OF_RANGE_NUMBERS]
        else:
            continue
        for label, value in values:
            yield Invocation(name, {**required, parameter.name: value}, parameter.name, label)


class Fresh:
    """A new member for each call, so per-member cooldowns never hide a path."""

    def __init__(self, world: HostileWorld) -> None:
        self.world = world
        self.count = itertools.count()

    def __call__(self) -> MemberActor:
        env = self.world.world.env
        return self.world.world.guild.add_member(env.create_user(f"member{next(self.count)}"))


@pytest.fixture
async def world(env: simcord.Env) -> HostileWorld:
    world = await build_hostile_world(env)
    w = world.world
    await create_meetup(w, min_attendees=3)  # meetup #1, by alice
    await plan(w)  # poll #2, by alice
    return world


async def test_every_slash_command_answers_hostile_input_as_member_and_admin(
    world: HostileWorld, env: simcord.Env, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    w = world.world
    fresh = Fresh(world)
    offered = set(fresh().available_commands(w.general))  # what Discord shows a member
    problems: list[str] = []
    count = 0
    with refused_requests(monkeypatch) as refused:
        for command in leaf_commands(env.bot.tree):
            for invocation in invocations(world, command):
                for who, actor in (("member", None), ("admin", w.admin)):
                    if actor is None and invocation.command not in offered:
                        continue  # hidden from members (default permissions), as Discord would
                    member = actor or fresh()
                    cursor = env.error_cursor
                    result = await member.slash(w.general, invocation.command, **invocation.options)
                    count += 1
                    if (found := problem(env, cursor, result)) is not None:
                        problems.append(
                            f"/{invocation.command} {invocation.varied}={invocation.label} as {who}: {found}"
                        )
    assert not problems, "\n".join(problems[:20])
    assert not refused.requests, "\n".join(refused.requests[:10])
    assert not logged_failures(caplog.records), "\n".join(logged_failures(caplog.records)[:10])
    assert not stray_pings(env, world.victim.id), "\n".join(stray_pings(env, world.victim.id)[:10])
    assert count == Plan.of(env, offered).invocations, count


async def test_every_autocomplete_answers_hostile_input(world: HostileWorld, env: simcord.Env) -> None:
    w = world.world
    offered = set(w.alice.available_commands(w.general))
    problems: list[str] = []
    count = 0
    for command in leaf_commands(env.bot.tree):
        for parameter in command.parameters:
            if not parameter.autocomplete:
                continue
            for text, actor in itertools.product(world.strings(), (w.alice, w.admin)):
                if actor is w.alice and command.qualified_name not in offered:
                    continue  # hidden from members, as Discord would
                cursor = env.error_cursor
                choices = await actor.autocomplete(w.general, command.qualified_name, parameter.name, text)
                count += 1
                found = problem(env, cursor, None) or check_choices(choices)
                if found:
                    problems.append(f"/{command.qualified_name} {parameter.name}: {found}")
    assert not problems, "\n".join(problems[:20])
    assert count == Plan.of(env, offered).autocomplete_calls, count


@dataclass
class Plan:
    """What the slash command fuzz does, worked out from the commands the bot registers."""

    commands: int
    strings: int  # string options without choices: 10 hostile strings each
    numbers: int  # integer and number options without a range: 4 values each
    autocompleted: int
    hidden: int  # commands members are not offered (default permissions)
    invocations: int  # as the admin, and as a member where offered
    autocomplete_calls: int

    @classmethod
    def of(cls, env: simcord.Env, offered: set[str]) -> Plan:
        commands = leaf_commands(env.bot.tree)

        def runs(command: app_commands.Command[Any, ..., Any]) -> int:
            return 1 + sum(
                10
                if p.type is AppCommandOptionType.string and not p.choices
                else 4
                if p.type in (AppCommandOptionType.integer, AppCommandOptionType.number)
                and p.min_value is None
                else 0
                for p in command.parameters
            )

        def actors(command: app_commands.Command[Any, ..., Any]) -> int:
            return 2 if command.qualified_name in offered else 1

        params = [(c, p) for c in commands for p in c.parameters]
        return cls(
            commands=len(commands),
            strings=sum(p.type is AppCommandOptionType.string and not p.choices for _, p in params),
            numbers=sum(
                p.type in (AppCommandOptionType.integer, AppCommandOptionType.number) and p.min_value is None
                for _, p in params
            ),
            autocompleted=sum(bool(p.autocomplete) for _, p in params),
            hidden=sum(c.qualified_name not in offered for c in commands),
            invocations=sum(runs(c) * actors(c) for c in commands),
            autocomplete_calls=sum(10 * actors(c) for c, p in params if p.autocomplete),
        )


async def test_the_fuzz_covers_every_command(env: simcord.Env) -> None:
    """The numbers in the module docstring, worked out from the commands the bot registers."""
    guild = env.create_guild("Counting")
    offered = set(
        guild.add_member(env.create_user("member")).available_commands(guild.create_text_channel("x"))
    )
    plan = Plan.of(env, offered)
    print(
        f"\nfuzzed: {plan.commands} commands ({plan.strings} string options x 10 strings, {plan.numbers} "
        f"number options x 4 values, 1 valid run each; {plan.hidden} hidden from members) as member and "
        f"admin = {plan.invocations} invocations; {plan.autocomplete_calls} autocomplete calls on "
        f"{plan.autocompleted} options; {FORM_SUBMISSIONS} form submissions; {BUTTON_PRESSES} presses"
    )
    # New commands are fuzzed without a change here; they change these numbers: update them here
    # and in the module docstring, so what the fuzz covers stays quotable.
    assert (plan.commands, plan.strings, plan.numbers, plan.autocompleted, plan.hidden) == (42, 31, 13, 5, 11)
    assert (plan.invocations, plan.autocomplete_calls) == (727, 80)


# -- forms ----------------------------------------------------------------------------------------


def field_lengths(shown: simcord.InteractionResult) -> dict[str, int]:
    """Each text field of a form shown to a member, with its max_length."""
    modal = shown.modal
    assert modal is not None, shown
    lengths = {}
    for row in modal["components"]:
        for item in row.get("components") or [row.get("component")]:
            if item and item.get("type") == 4:
                lengths[item["custom_id"]] = item.get("max_length", 4000)
    return lengths


class FormFuzz:
    """Submits a form with each hostile string in each field (clipped to the field's length)."""

    def __init__(self, world: HostileWorld, env: simcord.Env) -> None:
        self.world = world
        self.env = env
        self.problems: list[str] = []
        self.submitted = 0

    async def run(
        self, name: str, who: str, open_form: Any, valid: dict[str, str], after: Any = None
    ) -> None:
        """``open_form()`` returns the interaction that shows the form (pressed or typed anew each
        time); ``after(result)`` runs after each submission (e.g. to let a cooldown pass)."""
        for field_id in valid:
            for number, text in enumerate(self.world.strings()):
                cursor = self.env.error_cursor
                actor, shown = await open_form()
                if shown.modal is None:
                    found = problem(self.env, cursor, shown) or "no form"
                    self.problems.append(f"{name} as {who}, opening: {found}")
                    continue
                lengths = field_lengths(shown)
                values = {**valid, field_id: text[: lengths[field_id]]}
                result = await actor.submit_modal(shown, values)
                self.submitted += 1
                if (found := problem(self.env, cursor, result)) is not None:
                    self.problems.append(f"{name} {field_id}=worst case {number} as {who}: {found}")
                if after is not None:
                    await after(result)


async def test_every_form_answers_hostile_input_as_member_and_admin(
    world: HostileWorld, env: simcord.Env, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    w = world.world
    fresh = Fresh(world)
    fuzz = FormFuzz(world, env)

    async def cooldown_passes(result: simcord.InteractionResult) -> None:
        if any("is up" in message.content for message in answers(result)):
            await env.advance_time(601)  # three meetups per 10 minutes for members

    with refused_requests(monkeypatch) as refused:
        # /intro: a new member each time (a first introduction), and the admin editing theirs.
        async def intro_as_member() -> tuple[MemberActor, simcord.InteractionResult]:
            member = fresh()
            return member, await member.slash(w.general, "intro")

        async def intro_as_admin() -> tuple[MemberActor, simcord.InteractionResult]:
            return w.admin, await w.admin.slash(w.general, "intro")

        await fuzz.run("/intro", "member", intro_as_member, INTRO)
        await fuzz.run("/intro", "admin", intro_as_admin, INTRO)

        # Plan a meetup: the admin and alice are a pairing group.
        for member in (w.admin, w.alice):
            await introduce(w, member, "chess")
            await member.slash(w.general, "pairing join")
        await w.admin.slash(w.general, "pairing run")
        [thread] = w.pairing.threads
        greeting = next(m for m in thread.history() if m.author.bot and m.content.startswith("👋"))
        poll = {"title": "Coffee", "times": "2026-01-09 19:00; 2026-01-10 14:00", "places": "Café Central"}
        for who, member in (("member", w.alice), ("admin", w.admin)):

            async def press(member: MemberActor = member) -> tuple[MemberActor, simcord.InteractionResult]:
                return member, await member.click(greeting, label="Plan a meetup")

            await fuzz.run("Plan a meetup", who, press, poll, after=cooldown_passes)

        # Plan a catch-up: the button of a keep-in-touch DM (sent here as the nudge would send it).
        for who, member in (("member", w.bob), ("admin", w.admin)):
            await w.bot.boards.outbound.dm(
                member.id,
                content="👋 Catch up?",
                view=outbox_view(catchup_spec(w.guild.id, w.carol.id)),
            )
            nudge = [m for m in member.user.dm_channel.history() if m.author.bot][-1]

            async def press_dm(
                member: MemberActor = member, nudge: Any = nudge
            ) -> tuple[Any, simcord.InteractionResult]:
                return member.user, await member.user.click(nudge, label="Plan a catch-up")

            await fuzz.run("Plan a catch-up", who, press_dm, poll, after=cooldown_passes)

        # Pause from meetups: the form behind a report's button, for a member of the moderator role
        # and for the admin (members without either are refused before any form; see the presses).
        mods = w.guild.create_role("Mods")
        moderator = w.guild.add_member(env.create_user("mod"), roles=[mods])
        await w.admin.slash(w.general, "config moderators", role=mods)
        report = await file_report(world)
        for who, member in (("moderator", moderator), ("admin", w.admin)):

            async def press_pause(
                member: MemberActor = member,
            ) -> tuple[MemberActor, simcord.InteractionResult]:
                return member, await member.click(report, label="Pause from meetups")

            await fuzz.run("Pause from meetups", who, press_pause, {"period": "2 weeks"})

    assert not fuzz.problems, "\n".join(fuzz.problems[:20])
    assert not refused.requests, "\n".join(refused.requests[:10])
    assert not logged_failures(caplog.records), "\n".join(logged_failures(caplog.records)[:10])
    strays = stray_pings(env, world.victim.id, moderators=frozenset({mods.id}))
    assert not strays, "\n".join(strays[:10])
    assert fuzz.submitted == FORM_SUBMISSIONS, fuzz.submitted


FORM_SUBMISSIONS = 10 * 2 * (4 + 3 + 3 + 1)


async def file_report(world: HostileWorld) -> Any:
    """bob reports carol: the report in the moderation channel, with its buttons."""
    w = world.world
    result = await w.bob.slash(
        w.general, "report", member=w.carol, reason="Kept following me after the meetup."
    )
    assert "went to this server's moderators" in (result.response.content or ""), result.response
    return next(
        m for m in reversed(world.moderation.history()) if m.author.bot and m.content.startswith("🚩")
    )


# -- buttons and selects --------------------------------------------------------------------------


class Presses:
    def __init__(self, env: simcord.Env) -> None:
        self.env = env
        self.problems: list[str] = []
        self.count = 0

    async def press(self, what: str, who: str, action: Any, *, on: Any = None) -> simcord.InteractionResult:
        """``on``: the message pressed, which the answer may update in place."""
        cursor = self.env.error_cursor
        result = await action()
        self.count += 1
        if (found := problem(self.env, cursor, result, source=on.id if on else None)) is not None:
            self.problems.append(f"{what} by {who}: {found}")
        return result


async def test_every_button_and_select_answers_whoever_presses_it(
    world: HostileWorld, env: simcord.Env, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    w = world.world
    fresh = Fresh(world)
    presses = Presses(env)
    mods = w.guild.create_role("Mods", permissions=discord.Permissions(manage_threads=True))
    moderator = w.guild.add_member(env.create_user("mod"), roles=[mods])
    with refused_requests(monkeypatch) as refused:
        meetup = await w.meetup(1)  # Friday 19:00, at least 3 needed, by alice
        await w.alice.slash(w.general, "privacy dm", state="off")  # Keep / Cancel in the thread
        announcement = w.announcement(meetup)
        stranger = fresh()
        for status in ("going", "maybe", "no"):  # each ends on Can't go
            for who, member in (("a member", stranger), ("the admin", w.admin), ("the organiser", w.alice)):
                await presses.press(
                    f"RSVP {status}",
                    who,
                    lambda m=member, s=status: m.click(announcement, custom_id=rsvp_id(meetup, s)),
                )
        await answer(w, meetup, w.bob)
        await answer(w, meetup, w.carol)

        await advance_to(env, START - 24 * 3600)  # the first reminder: 2 of 3 going
        question = next(m for m in thread_messages(w) if "Keep it, or cancel it?" in m.content)
        await presses.press("Keep", "a member", lambda: fresh().click(question, label="Keep"))
        await presses.press("Cancel", "a member", lambda: w.bob.click(question, label="Cancel"))
        await presses.press("Keep", "the admin", lambda: w.admin.click(question, label="Keep"), on=question)

        await advance_to(env, END)  # Who came?
        who_came = next(m for m in thread_messages(w) if m.content.startswith("👋 **Who came?**"))
        for who, member in (("a member", fresh()), ("the admin", w.admin), ("a going member", w.bob)):
            await presses.press("I was there", who, lambda m=member: m.click(who_came, label="I was there"))
        checked = await presses.press(
            "I was there", "carol", lambda: w.carol.click(who_came, label="I was there")
        )
        picks = [str(w.bob.id)]
        await presses.press("Whom did you talk to?", "carol", lambda: w.carol.select(checked.response, picks))
        # More than 25 others: the member picker instead of a list of names.
        crowd = [fresh() for _ in range(30)]
        await set_going(w, meetup, [member.id for member in crowd])
        checked = await presses.press(
            "I was there", "dave", lambda: w.dave.click(who_came, label="I was there")
        )
        await presses.press(
            "Whom did you talk to? (member picker)",
            "dave",
            lambda: w.dave.select(checked.response, [w.bob, crowd[0]]),
        )

        # Pairing: Plan a meetup and Did you meet? for a group member and a moderator (who sees the
        # private thread; the admin, with Manage Server only, does not).
        for member in (w.alice, w.bob):
            await introduce(w, member, "chess")
            await member.slash(w.general, "pairing join")
        await w.admin.slash(w.general, "pairing run")
        [thread] = w.pairing.threads
        greeting = next(m for m in thread.history() if m.author.bot and m.content.startswith("👋"))
        for who, member in (("a moderator", moderator), ("a group member", w.alice)):
            await presses.press(
                "Plan a meetup", who, lambda m=member: m.click(greeting, label="Plan a meetup")
            )
        await env.advance_time(7 * 24 * 3600)
        asked = next(m for m in thread.history() if m.author.bot and m.content.startswith("🏁"))
        for label in ("In person", "Online", "Not yet"):
            for who, member in (("a moderator", moderator), ("a group member", w.bob)):
                await presses.press(
                    f"Did you meet? {label}", who, lambda m=member, x=label: m.click(asked, label=x)
                )

        # Plan a catch-up, from a DM, about someone who left and someone still here.
        for other, who in ((w.carol, "about a member"), (fresh(), "about a member who left")):
            await w.bot.boards.outbound.dm(
                w.bob.id, content="👋 Catch up?", view=outbox_view(catchup_spec(w.guild.id, other.id))
            )
            if who.endswith("left"):
                w.guild.remove_member(other)
            nudge = [m for m in w.bob.user.dm_channel.history() if m.author.bot][-1]
            await presses.press(
                "Plan a catch-up", who, lambda n=nudge: w.bob.user.click(n, label="Plan a catch-up")
            )

        # A report's buttons: refused to a member and to a moderator of another kind (the Mods role
        # here is not the server's moderator role), done and undone by the admin.
        report = await file_report(world)
        for label in ("Pause from meetups", "Remove from pairing"):
            await presses.press(label, "a member", lambda x=label: fresh().click(report, label=x))
        await presses.press("Dismiss", "a moderator", lambda: moderator.click(report, label="Dismiss"))
        await presses.press(
            "Pause from meetups", "the admin", lambda: w.admin.click(report, label="Pause from meetups")
        )
        for label in ("Remove from pairing", "Undo removal from pairing", "Dismiss", "Reopen"):
            await presses.press(
                label, "the admin", lambda x=label, r=report: w.admin.click(r, label=x), on=report
            )
            report = next(m for m in world.moderation.history() if m.id == report.id)

        # Forget me / Cancel (only the member who asked sees the prompt).
        for label in ("Cancel", "Forget me"):
            prompt = await w.dave.slash(w.general, "privacy forget")
            await presses.press(
                label, "the member who asked", lambda p=prompt, x=label: w.dave.click(p.response, label=x)
            )

    assert not presses.problems, "\n".join(presses.problems[:20])
    assert not refused.requests, "\n".join(refused.requests[:10])
    assert not logged_failures(caplog.records), "\n".join(logged_failures(caplog.records)[:10])
    assert not stray_pings(env, world.victim.id), "\n".join(stray_pings(env, world.victim.id)[:10])
    assert presses.count == BUTTON_PRESSES, presses.count


BUTTON_PRESSES = 9 + 3 + 4 + 1 + 2 + 2 + 6 + 2 + 8 + 2
