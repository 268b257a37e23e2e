"""Steps shared by the introduction and privacy behaviour tests."""

from __future__ import annotations

import discord
import simcord
from simcord.actors import MemberActor

from bot.domain.profiles import Profile
from tests.world import World

INTRO = {
    "about": "I moved here last year and I build web apps.",
    "interests": "Hiking, JS, board-games",
    "city": "Portland",
    "links": "github.com/alice\nMastodon: @alice@example.social",
}


async def configure(world: World) -> None:
    await world.admin.slash(
        world.general, "config channel", purpose="introductions", channel=world.introductions
    )


async def intro(world: World, member: MemberActor, **values: str) -> simcord.InteractionResult:
    shown = await member.slash(world.general, "intro")
    assert shown.modal is not None, shown
    return await member.submit_modal(shown, {**INTRO, **values})


async def stored(world: World, member: MemberActor) -> Profile | None:
    return await world.bot.services.profiles.get_profile(world.guild.id, member.id)


def moderator(world: World, env: simcord.Env) -> MemberActor:
    mods = world.guild.create_role("Mods", permissions=discord.Permissions(manage_messages=True))
    return world.guild.add_member(env.create_user("mod"), roles=[mods])


def intro_posts(world: World) -> list[discord.Message]:
    return [m for m in world.introductions.history() if m.embeds]
