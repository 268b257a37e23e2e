"""A small server to act in: an admin, two members and one channel per feature."""

from __future__ import annotations

from dataclasses import dataclass

import discord
import simcord
from simcord.actors import MemberActor
from simcord.builders import ChannelHandle, GuildHandle


@dataclass
class World:
    env: simcord.Env
    guild: GuildHandle
    admin: MemberActor
    alice: MemberActor
    bob: MemberActor
    general: ChannelHandle
    introductions: ChannelHandle
    meetups: ChannelHandle
    pairing: ChannelHandle
    support: ChannelHandle

    @property
    def bot(self) -> discord.Client:
        return self.env.bot


def build_world(env: simcord.Env, name: str = "Meetbridge Test") -> World:
    guild = env.create_guild(name)
    admins = guild.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
    admin = guild.add_member(env.create_user("ada"), roles=[admins])
    alice = guild.add_member(env.create_user("alice"))
    bob = guild.add_member(env.create_user("bob"))
    return World(
        env=env,
        guild=guild,
        admin=admin,
        alice=alice,
        bob=bob,
        general=guild.create_text_channel("general"),
        introductions=guild.create_text_channel("introductions"),
        meetups=guild.create_text_channel("meetups"),
        pairing=guild.create_text_channel("pairing"),
        support=guild.create_text_channel("support"),
    )
