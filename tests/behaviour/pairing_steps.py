"""Steps shared by the pairing behaviour tests."""

from __future__ import annotations

import discord
from simcord.actors import MemberActor
from simcord.builders import ChannelHandle

from bot.domain.pairing_rounds import PairingGroup, PairingRound
from tests.behaviour.connect_world import add_member, introduce
from tests.world import World

DAY = 86400
WEEK = 7 * DAY


async def joined_member(world: World, name: str, interests: str, city: str = "") -> MemberActor:
    member = add_member(world, name)
    await joiner(world, member, interests, city)
    return member


async def joiner(world: World, member: MemberActor, interests: str, city: str = "") -> None:
    await introduce(world, member, interests, city)
    result = await member.slash(world.general, "pairing join")
    assert "You're in" in result.response.content, result.response.content


async def run_round(world: World):
    result = await world.admin.slash(world.general, "pairing run")
    return result


async def rounds(world: World) -> list[PairingRound]:
    return await world.bot.services.pairing.repo.rounds(world.guild.id)


async def groups(world: World, number: int = -1) -> list[PairingGroup]:
    found = await rounds(world)
    return await world.bot.services.pairing.repo.groups(found[number].id)


def member_sets(found: list[PairingGroup]) -> set[frozenset[int]]:
    return {frozenset(group.member_ids) for group in found}


def thread_of(world: World, group: PairingGroup) -> ChannelHandle:
    return next(t for t in world.pairing.threads if t.id == group.thread_id)


def bot_messages(thread: ChannelHandle, starts: str = "") -> list[discord.Message]:
    return [m for m in thread.history() if m.author.bot and m.content.startswith(starts)]


def greeting(thread: ChannelHandle) -> discord.Message:
    return bot_messages(thread, "👋")[0]
