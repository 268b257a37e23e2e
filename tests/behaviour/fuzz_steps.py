"""Shared by the hostile-input behaviour tests: a server with a victim and a mentionable role, a
watch on what Discord refused, and how to tell that an interaction got its answer."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import simcord
from simcord.actors import MemberActor
from simcord.backend.errors import BackendError
from simcord.builders import ChannelHandle, RoleHandle
from simcord.http import router

from bot.errors import is_expected
from tests.behaviour.meetup_world import MeetupWorld, build_meetup_world
from tests.hostile import worst_cases

TRACE = "Something went wrong on our side"


@dataclass
class HostileWorld:
    world: MeetupWorld
    victim: MemberActor  # never RSVPs, never asks for anything: must never be pinged
    role: RoleHandle  # mentionable, and the bot may mention every role: only allowed_mentions stops it
    moderation: ChannelHandle  # where reports go

    def strings(self, max_size: int = 6000) -> list[str]:
        """The ten worst cases, naming this server's victim, role and channel."""
        return worst_cases(
            victim=self.victim.id, role=self.role.id, channel=self.world.general.id, max_size=max_size
        )


async def build_hostile_world(env: simcord.Env) -> HostileWorld:
    """Every channel (a moderation channel too) and the timezone configured; the victim joined before
    any welcome was due."""
    world = await build_meetup_world(env)
    role = world.guild.create_role("Everyone who plays", mentionable=True)
    victim = world.guild.add_member(env.create_user("victim"), roles=[role])
    await env.settle()  # the join is handled before introductions have a channel: no welcome
    moderation = world.guild.create_text_channel("moderation")
    for purpose, channel in (
        ("introductions", world.introductions),
        ("pairing", world.pairing),
        ("support", world.support),
        ("moderation", moderation),
    ):
        await world.admin.slash(world.general, "config channel", purpose=purpose, channel=channel)
    return HostileWorld(world, victim, role, moderation)


@dataclass
class Refused:
    """Requests Discord answered 400 (an invalid payload: a bug, whatever members typed)."""

    requests: list[str] = field(default_factory=list)


@contextmanager
def refused_requests(monkeypatch: pytest.MonkeyPatch) -> Iterator[Refused]:
    refused = Refused()
    dispatch = router.dispatch

    def watched(backend: Any, method: str, path: str, **kwargs: Any) -> Any:
        try:
            return dispatch(backend, method, path, **kwargs)
        except BackendError as error:
            if error.status == 400:
                refused.requests.append(f"{method} {path}: {error.message}"[:300])
            raise

    monkeypatch.setattr(router, "dispatch", watched)
    yield refused


def answers(result: simcord.InteractionResult) -> list[Any]:
    """The messages that answered an interaction (its response and follow-ups)."""
    found = [result.response] if result.response is not None else []
    return found + list(result.followups)


def problem(
    env: simcord.Env, cursor: int, result: simcord.InteractionResult | None, *, source: int | None = None
) -> str | None:
    """What is wrong with how an interaction was answered, or None.

    Every answer is ephemeral, except an update of the message the button is on (``source``),
    e.g. Keep / Cancel saying who decided."""
    unexpected = [error for error in env.errors_since(cursor) if not is_expected(error)]
    if unexpected:
        return f"unexpected error {unexpected[0]!r}"
    if result is None:
        return None
    if result.modal is not None:
        return None
    messages = answers(result)
    if not messages:
        return "no answer"
    for message in messages:
        if TRACE in message.content:
            return f"answered with a trace id: {message.content[:200]!r}"
        if not message.ephemeral and message.id != source:
            return f"a public answer: {message.content[:200]!r}"
    return None


def check_choices(choices: list[dict[str, Any]]) -> str | None:
    for choice in choices or []:
        name, value = str(choice.get("name", "")), str(choice.get("value", ""))
        if not 1 <= len(name) <= 100 or not name.strip() or not 1 <= len(value) <= 100:
            return f"an autocomplete choice Discord refuses: {choice!r}"[:300]
    if len(choices or []) > 25:
        return "more than 25 autocomplete choices"
    return None


def logged_failures(records: list[logging.LogRecord]) -> list[str]:
    """What the bot logged as failing with an exception (a swallowed bug: a task retried, a
    listener that broke), or at ERROR level."""
    return [
        f"{record.name}: {record.getMessage()}"[:300]
        + (f" ({record.exc_info[1]!r})"[:300] if record.exc_info else "")
        for record in records
        if record.name.startswith(("bot", "cogs"))
        and (record.exc_info is not None or record.levelno >= logging.ERROR)
    ]


def stray_pings(env: simcord.Env, victim: int, moderators: frozenset[int] = frozenset()) -> list[str]:
    """Messages of the bot that pinged a role, everyone or the victim (who asked for nothing). The
    one role a message may ping is the moderator role (``moderators``) on a report."""
    bot_id = env.bot.user.id
    return [
        f"{message.content[:150]!r} pinged roles {message.ping_role_ids}, everyone "
        f"{message.mention_everyone}, users {message.ping_user_ids}"
        for channel in env.backend.messages.values()
        for message in channel.values()
        if message.author_id == bot_id
        and (
            (message.ping_role_ids and not _pings_moderators(message, moderators))
            or message.mention_everyone
            or victim in message.ping_user_ids
        )
    ]


def _pings_moderators(message: Any, moderators: frozenset[int]) -> bool:
    return message.content.startswith("🚩 **Report #") and set(message.ping_role_ids) <= moderators
