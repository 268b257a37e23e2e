"""Reminders and follow-ups have no commands: what their persistent buttons and selects do.

Keep / Cancel under the headcount question, **I was there** and "Whom did you talk to?" under Who
came?, and **Plan a catch-up** in a keep-in-touch DM.
"""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.adapters.replies import reply, update
from bot.app import MeetbridgeBot
from bot.clock import now_epoch, to_epoch
from bot.domain.cooldowns import Action
from bot.domain.errors import UserError
from bot.domain.followups import HeadcountDecision
from bot.domain.polls import PollDraft, PollForm
from bot.errors import is_admin, manages_server
from bot.ui import followups as ui
from bot.ui.meetups import PollDraftModal, poll_posted


class FollowupsCog(commands.Cog):
    def __init__(self, bot: MeetbridgeBot) -> None:
        self.bot = bot
        self.headcount = bot.boards.headcount
        self.checkins = bot.services.checkins
        self.checkin_board = bot.boards.checkins
        self.poll_board = bot.boards.polls
        self.cooldowns = bot.services.cooldowns

    async def headcount_pressed(
        self, interaction: discord.Interaction, meetup_id: int, decision: HeadcountDecision
    ) -> None:
        """Keep or Cancel, by the organiser (or someone with Manage Server)."""
        admin = is_admin(interaction)
        await self.headcount.check(meetup_id, interaction.user.id, admin)
        await interaction.response.defer()  # cancelling edits the event and tells attendees
        meetup = await self.headcount.decide(meetup_id, interaction.user.id, admin, decision, now_epoch())
        await update(
            interaction, ui.headcount_decided(meetup, decision, interaction.user.id), clear_view=True
        )

    async def checkin_pressed(self, interaction: discord.Interaction, meetup_id: int) -> None:
        """**I was there**: attendance recorded, then whom they talked to, by name."""
        assert interaction.guild is not None
        checked = await self.checkins.check_in(
            interaction.guild.id, meetup_id, interaction.user.id, now_epoch()
        )
        names = {
            member_id: member.display_name
            for member_id in checked.others
            if (member := interaction.guild.get_member(member_id)) is not None
        }
        view = ui.pick_view(checked.meetup, checked.others, names)
        text = ui.checked_in(checked.meetup, checked.first, has_others=view is not None)
        if view is None:
            await reply(interaction, text)
        else:
            await reply(interaction, text, view=view)

    async def picks_chosen(self, interaction: discord.Interaction, meetup_id: int, picked: list[int]) -> None:
        """Whom they talked to: mutual picks are introduced by DM."""
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)  # introductions send DMs
        picks = await self.checkin_board.pick(
            interaction.guild.id, meetup_id, interaction.user.id, picked, now_epoch()
        )
        await reply(interaction, ui.picks_noted(picks.picked, picks.mutual))

    async def catchup_pressed(self, interaction: discord.Interaction, guild_id: int, other_id: int) -> None:
        """**Plan a catch-up** in a nudge DM: a poll draft for the two of them, title filled in."""
        guild = self.bot.get_guild(guild_id)
        me = guild.get_member(interaction.user.id) if guild is not None else None
        if guild is None or me is None:
            raise UserError("You're no longer in that server, so I can't plan a meetup there.")
        other = guild.get_member(other_id)
        if other is None:
            raise UserError("They're no longer in that server; a catch-up poll there would miss them.")
        exempt = me.guild_permissions.manage_guild
        self.cooldowns.check(guild_id, me.id, Action.MEETUP, exempt=exempt)  # before typing in vain

        async def submitted(interaction: discord.Interaction, form: PollForm) -> None:
            await self.catchup_submitted(interaction, guild_id, other_id, form)

        title = ui.catchup_title(me.display_name, other.display_name)
        await interaction.response.send_modal(
            PollDraftModal(submitted, heading="Plan a catch-up", title=title)
        )

    async def catchup_submitted(
        self, interaction: discord.Interaction, guild_id: int, other_id: int, form: PollForm
    ) -> None:
        """The catch-up poll goes in the meetups channel, pinging the two of them only."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        exempt = manages_server(interaction, guild_id)
        with self.cooldowns.use(guild_id, interaction.user.id, Action.MEETUP, exempt=exempt):
            poll = await self.poll_board.plan_poll(
                PollDraft(guild_id, interaction.user.id, form.title, form.times, form.places),
                to_epoch(interaction.created_at),
                react=False,
                content=f"🤝 <@{interaction.user.id}> and <@{other_id}>: a catch-up. React to vote!",
                ping=[interaction.user.id, other_id],
            )
        await self.bot.services.stats.caught_up(guild_id, (interaction.user.id, other_id), now_epoch())
        await reply(interaction, poll_posted(poll))
        await self.poll_board.add_poll_reactions(poll)


async def setup(bot: MeetbridgeBot) -> None:
    cog = FollowupsCog(bot)
    ui.HeadcountButton.handlers.register(bot, cog.headcount_pressed)
    ui.CheckinButton.handlers.register(bot, cog.checkin_pressed)
    ui.PickSelect.handlers.register(bot, cog.picks_chosen)
    ui.PickUserSelect.handlers.register(bot, cog.picks_chosen)
    ui.CatchupButton.handlers.register(bot, cog.catchup_pressed)
    await bot.add_cog(cog)
