"""A server for /match, /ask and pairing: channels configured and members who introduced themselves."""

from __future__ import annotations

import discord
import simcord
from simcord.actors import MemberActor

from tests.behaviour.intro_steps import intro
from tests.world import World, build_world


async def build_connect_world(env: simcord.Env, name: str = "Meetbridge Test") -> World:
    world = build_world(env, name=name)
    for purpose, channel in (
        ("introductions", world.introductions),
        ("pairing", world.pairing),
        ("support", world.support),
        ("meetups", world.meetups),
    ):
        await world.admin.slash(world.general, "config channel", purpose=purpose, channel=channel)
    return world


def add_member(world: World, name: str) -> MemberActor:
    return world.guild.add_member(world.env.create_user(name))


async def introduce(world: World, member: MemberActor, interests: str, city: str = "") -> None:
    """A completed /intro with these interests and (optionally) a city."""
    result = await intro(world, member, about=f"{member.name} here.", interests=interests, city=city)
    assert result.followups or result.response, result


async def privacy(world: World, member: MemberActor, setting: str, state: str) -> None:
    await member.slash(world.general, f"privacy {setting}", state=state)


def embed_lines(result: simcord.InteractionResult) -> list[str]:
    embed: discord.Embed = result.response.embeds[0]
    return (embed.description or "").splitlines()


def mentioned_in_order(text: str, members: list[MemberActor]) -> list[MemberActor]:
    """The given members in the order their mentions appear in ``text``."""
    present = [m for m in members if f"<@{m.id}>" in text]
    return sorted(present, key=lambda m: text.index(f"<@{m.id}>"))
