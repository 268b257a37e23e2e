"""/pairing: join, leave or skip pairing rounds; admins start one now with /pairing run."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.replies import reply
from bot.app import MeetbridgeBot
from bot.clock import now_epoch, to_epoch
from bot.domain.cooldowns import Action
from bot.domain.guild_settings import Purpose
from bot.domain.pairing_rounds import Answer
from bot.domain.polls import PollDraft, PollForm
from bot.errors import is_admin, require_admin
from bot.ui import pairing as ui
from bot.ui.meetups import PollDraftModal, poll_posted
from bot.ui.safety import private_place_warning


class PairingCog(commands.Cog):
    pairing = app_commands.Group(
        name="pairing", description="Small groups that share interests, every few weeks", guild_only=True
    )

    def __init__(self, bot: MeetbridgeBot) -> None:
        self.bot = bot
        self.members = bot.services.pairing_members
        self.answers = bot.services.pairing_answers
        self.rounds = bot.boards.pairing
        self.config = bot.services.config
        self.poll_board = bot.boards.polls
        self.cooldowns = bot.services.cooldowns

    @pairing.command(name="join", description="Take part in pairing rounds (or come back after a skip)")
    async def join(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        membership = await self.members.join(interaction.guild_id, interaction.user.id, now_epoch())
        await reply(interaction, ui.joined(membership))

    @pairing.command(name="leave", description="Stop taking part in pairing rounds")
    async def leave(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        membership = await self.members.leave(interaction.guild_id, interaction.user.id)
        await reply(interaction, ui.left(membership))

    @pairing.command(name="skip", description="Sit out the next round only")
    async def skip(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        membership = await self.members.skip(interaction.guild_id, interaction.user.id)
        await reply(interaction, ui.skipped(membership))

    @pairing.command(name="run", description="Start a pairing round now (Manage Server)")
    async def run(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        require_admin(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        formed = await self.rounds.run_now(interaction.guild, now_epoch())
        channel_id = await self.config.channel_for(interaction.guild.id, Purpose.PAIRING)
        await reply(interaction, ui.round_started(formed, channel_id))

    # -- the group's buttons -------------------------------------------------------------------

    async def plan_pressed(self, interaction: discord.Interaction, group_id: int) -> None:
        """**Plan a meetup**: the poll form, for members of the group only."""
        assert interaction.guild_id is not None
        await self.answers.member_group(interaction.guild_id, group_id, interaction.user.id)
        self.cooldowns.check(  # before the member types into a form that would be refused
            interaction.guild_id, interaction.user.id, Action.MEETUP, exempt=is_admin(interaction)
        )

        async def submitted(interaction: discord.Interaction, form: PollForm) -> None:
            await self.plan_submitted(interaction, group_id, form)

        await interaction.response.send_modal(PollDraftModal(submitted))

    async def plan_submitted(self, interaction: discord.Interaction, group_id: int, form: PollForm) -> None:
        """The form sent: the poll goes in the group's thread."""
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        member_id = interaction.user.id
        # The same budget as /meetup plan and create: it posts a poll too.
        with self.cooldowns.use(interaction.guild_id, member_id, Action.MEETUP, exempt=is_admin(interaction)):
            thread_id = await self.answers.group_thread(interaction.guild_id, group_id, member_id)
            draft = PollDraft(interaction.guild_id, member_id, form.title, form.times, form.places)
            poll = await self.poll_board.plan_poll(
                draft, to_epoch(interaction.created_at), channel_id=thread_id, react=False
            )
        await reply(interaction, poll_posted(poll))
        if warning := private_place_warning([option.label for option in poll.places]):
            await reply(interaction, warning)
        await self.poll_board.add_poll_reactions(poll)

    async def answer_pressed(self, interaction: discord.Interaction, group_id: int, answer: Answer) -> None:
        """In person / Online / Not yet under **Did you meet?**"""
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.answers.answer(
            interaction.guild.id, group_id, interaction.user.id, answer, now_epoch()
        )
        await reply(interaction, ui.answered(outcome))


async def setup(bot: MeetbridgeBot) -> None:
    cog = PairingCog(bot)
    ui.PlanMeetupButton.handlers.register(bot, cog.plan_pressed)
    ui.AnswerButton.handlers.register(bot, cog.answer_pressed)
    await bot.add_cog(cog)
