"""/meetup: polls members answer by reacting, meetups with RSVPs, a waitlist and native events."""

from __future__ import annotations

import io
import logging
from contextlib import AbstractContextManager

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.replies import reply
from bot.app import MeetbridgeBot
from bot.clock import now_epoch, to_epoch
from bot.domain.cooldowns import Action
from bot.domain.errors import UserError
from bot.domain.meetups import MeetupChange, MeetupDraft, RsvpStatus
from bot.domain.polls import PollDraft
from bot.domain.safety import FirstNote
from bot.domain.series import CREATE_EXAMPLE as SERIES_CREATE_EXAMPLE
from bot.domain.series import SeriesChange, SeriesDraft, read_series_number
from bot.domain.waitlist import OfferAnswer
from bot.errors import is_admin
from bot.ui import meetups as ui
from bot.ui import safety as safety_ui

log = logging.getLogger(__name__)


class MeetupsCog(commands.Cog):
    meetup = app_commands.Group(name="meetup", description="Plan and join meetups", guild_only=True)
    series_group = app_commands.Group(name="series", description="Meetups that repeat", parent=meetup)

    def __init__(self, bot: MeetbridgeBot) -> None:
        self.bot = bot
        self.board = bot.boards.meetups
        self.poll_board = bot.boards.polls
        self.meetups = bot.services.meetups
        self.polls = bot.services.polls
        self.cooldowns = bot.services.cooldowns
        self.first_meetup = bot.services.first_meetup
        self.series = bot.services.series
        self.series_board = bot.boards.series

    # -- polls -------------------------------------------------------------------------------

    @meetup.command(name="plan", description="Post a poll: members vote on times and places by reacting")
    @app_commands.describe(
        title="What the meetup is (at most 100 characters)",
        times="1 to 10 times separated by ; e.g. fri 7pm; sat 2pm; 2026-12-05 18:30",
        places="Up to 10 places separated by ; e.g. Café Central; City Library",
        closes="When voting ends: a time or a duration like 24h (default 48h, before the earliest time)",
        capacity="How many people can come (1 to 1,000)",
        min_attendees="The fewest people for it to go ahead",
    )
    async def plan(
        self,
        interaction: discord.Interaction,
        title: str,
        times: str,
        places: str | None = None,
        closes: str | None = None,
        capacity: int | None = None,
        min_attendees: int | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        draft = PollDraft(
            guild_id=interaction.guild_id,
            organiser_id=interaction.user.id,
            title=title,
            times=times,
            places=places,
            closes=closes,
            capacity=capacity,
            min_attendees=min_attendees,
        )
        with self._meetup_budget(interaction):
            poll = await self.poll_board.plan_poll(draft, to_epoch(interaction.created_at), react=False)
        await reply(interaction, ui.poll_posted(poll))
        if warning := safety_ui.private_place_warning([option.label for option in poll.places]):
            await reply(interaction, warning)
        await self.poll_board.add_poll_reactions(poll)

    @meetup.command(name="close-poll", description="Close a poll now and create the winning meetup")
    @app_commands.describe(id="The poll's number, shown on it")
    async def close_poll(self, interaction: discord.Interaction, id: int) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        closed = await self.poll_board.close_poll(
            guild_id=interaction.guild_id,
            number=id,
            member_id=interaction.user.id,
            is_admin=is_admin(interaction),
            now=now_epoch(),
        )
        await reply(interaction, ui.poll_result(closed.poll, closed.meetup))

    # -- meetups -----------------------------------------------------------------------------

    @meetup.command(name="create", description="Create a meetup directly, with RSVPs and a Discord event")
    @app_commands.describe(
        title="What the meetup is (at most 100 characters)",
        when="When it starts, e.g. fri 7pm or 2026-12-05 18:30",
        where="Where it is, e.g. Café Central, Main Street 5",
        capacity="How many people can come (1 to 1,000); more join a waitlist",
        min_attendees="The fewest people for it to go ahead",
        description="Anything people should know",
        repeat="Make it a series: weekly, every 2 weeks, monthly, monthly on the first friday",
        until="With repeat: the last date it may meet, e.g. 2026-12-31 (default: until ended)",
    )
    async def create(
        self,
        interaction: discord.Interaction,
        title: str,
        when: str,
        where: str,
        capacity: int | None = None,
        min_attendees: int | None = None,
        description: str | None = None,
        repeat: str | None = None,
        until: str | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        draft = MeetupDraft(
            guild_id=interaction.guild_id,
            organiser_id=interaction.user.id,
            title=title,
            when=when,
            where=where,
            capacity=capacity,
            min_attendees=min_attendees,
            description=description,
        )
        if repeat is None and until is not None:
            raise UserError("`until` is for a series: say how often it repeats too.", SERIES_CREATE_EXAMPLE)
        if repeat is not None:
            with self._meetup_budget(interaction):
                series, first = await self.series_board.create(
                    draft, SeriesDraft(repeat, until), to_epoch(interaction.created_at)
                )
            ahead = (await self.bot.services.config.settings(interaction.guild_id)).series_ahead
            await reply(interaction, ui.series_created(series, first, ahead))
            return
        with self._meetup_budget(interaction):
            meetup = await self.board.create_meetup(draft, to_epoch(interaction.created_at))
        await reply(
            interaction,
            f"Meetup #{meetup.number} is announced: {meetup.jump_url}\n"
            f"I read the time as {ui.read_as(meetup.when)}.",
        )
        if warning := safety_ui.private_place_warning([meetup.place], meetup.number):
            await reply(interaction, warning)

    @meetup.command(name="list", description="Upcoming meetups and open polls")
    async def list_(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        meetups = await self.meetups.upcoming(interaction.guild.id, now_epoch())
        polls = await self.polls.open_polls(interaction.guild.id)
        await reply(interaction, embed=ui.list_embed(meetups, polls, interaction.guild.name))

    @meetup.command(name="info", description="Everything about one meetup (or poll)")
    @app_commands.describe(id="The meetup's number, shown on it and in /meetup list")
    async def info(self, interaction: discord.Interaction, id: int) -> None:
        assert interaction.guild_id is not None
        meetup = await self.meetups.find(interaction.guild_id, id)
        if meetup is None:
            poll = await self.polls.find(interaction.guild_id, id)
            if poll is None:
                raise UserError(f"There is no meetup #{id} in this server.", "/meetup list")
            embed = ui.poll_embed(poll, await self.polls.tally(poll))
            await reply(interaction, embed=embed)
            return
        if meetup.message_id is None and not meetup.cancelled:
            # Its announcement was refused: the organiser asking is the sign it may be fixed.
            await interaction.response.defer(ephemeral=True, thinking=True)
            meetup = await self.board.retry_announcement(meetup, interaction.user.id, is_admin(interaction))
        over = not meetup.cancelled and meetup.ends_at <= now_epoch()
        turnout = await self.bot.services.checkins.turnout(meetup) if over else None
        embed, _counts = await self.bot.boards.announcements.card(meetup, turnout=turnout)
        content = f"Announcement: {meetup.jump_url}" if meetup.jump_url else None
        if meetup.jump_url is None and not meetup.cancelled:
            content = ui.not_announced_yet(meetup)
        await reply(interaction, content, embed=embed)

    @meetup.command(name="edit", description="Change a meetup's time, place or capacity (organiser or admin)")
    @app_commands.describe(
        id="The meetup's number",
        when="The new time, e.g. sat 7pm",
        where="The new place",
        capacity="The new capacity (not below the number already going)",
    )
    async def edit(
        self,
        interaction: discord.Interaction,
        id: int,
        when: str | None = None,
        where: str | None = None,
        capacity: int | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        change = MeetupChange(
            guild_id=interaction.guild_id,
            number=id,
            member_id=interaction.user.id,
            is_admin=is_admin(interaction),
            when=when,
            where=where,
            capacity=capacity,
        )
        edit = await self.board.edit_meetup(change, to_epoch(interaction.created_at))
        meetup = edit.after
        text = f"Meetup #{meetup.number} updated: {ui.timestamp(meetup.starts_at)} at {meetup.place}"
        if edit.tells_attendees:
            text += "\nGoing and Maybe members were told in the meetup thread."
        await reply(interaction, text)
        if where is not None and (warning := safety_ui.private_place_warning([meetup.place], meetup.number)):
            await reply(interaction, warning)

    @meetup.command(name="cancel", description="Cancel a meetup (organiser or admin); attendees are told")
    @app_commands.describe(id="The meetup's number", reason="Why, shown to the people who RSVP'd")
    async def cancel(self, interaction: discord.Interaction, id: int, reason: str | None = None) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        meetup = await self.board.cancel_meetup(
            guild_id=interaction.guild_id,
            number=id,
            member_id=interaction.user.id,
            is_admin=is_admin(interaction),
            reason=reason,
            now=now_epoch(),
        )
        await reply(interaction, f"Meetup #{meetup.number} is cancelled; Going and Maybe members were told.")

    @meetup.command(name="calendar", description="Your meetups and series (or one meetup) as an .ics file")
    @app_commands.describe(id="One meetup's number; without it, every meetup and series you go to")
    async def calendar(self, interaction: discord.Interaction, id: int | None = None) -> None:
        assert interaction.guild_id is not None
        if id is None:
            meetups, series, ics = await self.series.calendar(
                interaction.guild_id, interaction.user.id, now_epoch()
            )
            if not meetups and not series:
                await reply(interaction, ui.calendar_empty())
                return
            await reply(
                interaction,
                ui.calendar_ready(meetups, series),
                file=discord.File(io.BytesIO(ics), filename="meetbridge.ics"),
            )
            return
        meetup, ics = await self.meetups.calendar(interaction.guild_id, id)
        await reply(
            interaction,
            f"Meetup #{meetup.number} for your calendar:",
            file=discord.File(io.BytesIO(ics), filename=f"meetup-{meetup.number}.ics"),
        )

    # -- series ------------------------------------------------------------------------------

    @series_group.command(name="list", description="Series of meetups in this server, with their next dates")
    async def series_list(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        listings = await self.series.listing(interaction.guild.id, now_epoch())
        await reply(interaction, embed=ui.series_list_embed(listings, interaction.guild.name))

    @series_group.command(name="skip", description="Skip one meetup of a series (organiser or admin)")
    @app_commands.describe(id="The series, e.g. S1", date="The date of the meetup to skip, e.g. 2026-03-27")
    async def series_skip(self, interaction: discord.Interaction, id: str, date: str) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        skipped = await self.series_board.skip(
            interaction.guild_id,
            read_series_number(id),
            interaction.user.id,
            is_admin(interaction),
            date,
            now_epoch(),
        )
        epoch = skipped.meetup.starts_at if skipped.meetup else skipped.series.epoch(skipped.day)
        await reply(interaction, ui.series_skipped(skipped.series, epoch, skipped.meetup))

    @series_group.command(
        name="edit", description="Change the time, place or capacity of meetups of a series not yet posted"
    )
    @app_commands.describe(
        id="The series, e.g. S1",
        when="A new time (20:00 keeps the days) or day and time (thu 8pm: from then on)",
        where="The new place",
        capacity="The new capacity",
    )
    async def series_edit(
        self,
        interaction: discord.Interaction,
        id: str,
        when: str | None = None,
        where: str | None = None,
        capacity: int | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        change = SeriesChange(
            guild_id=interaction.guild_id,
            number=read_series_number(id),
            member_id=interaction.user.id,
            is_admin=is_admin(interaction),
            when=when,
            where=where,
            capacity=capacity,
        )
        series = await self.series_board.edit(change, now_epoch())
        coming = await self.series.next_epochs(series, now_epoch(), 3)
        await reply(interaction, ui.series_edited(series, coming))

    @series_group.command(name="end", description="End a series: no more meetups are posted")
    @app_commands.describe(id="The series, e.g. S1")
    async def series_end(self, interaction: discord.Interaction, id: str) -> None:
        assert interaction.guild_id is not None
        series = await self.series_board.end(
            interaction.guild_id,
            read_series_number(id),
            interaction.user.id,
            is_admin(interaction),
            now_epoch(),
        )
        await reply(interaction, ui.series_ended(series))

    def _meetup_budget(self, interaction: discord.Interaction) -> AbstractContextManager[None]:
        """Plan and create share one budget: both post in the meetups channel."""
        assert interaction.guild_id is not None
        return self.cooldowns.use(
            interaction.guild_id, interaction.user.id, Action.MEETUP, exempt=is_admin(interaction)
        )

    async def rsvp_pressed(
        self, interaction: discord.Interaction, meetup_id: int, status: RsvpStatus
    ) -> None:
        """Going / Maybe / Can't go on an announcement."""
        assert interaction.guild_id is not None
        now = now_epoch()
        outcome = await self.board.rsvp(interaction.guild_id, meetup_id, interaction.user.id, status, now)
        text = ui.rsvp_reply(outcome)
        if status is RsvpStatus.GOING and outcome.status in (RsvpStatus.GOING, RsvpStatus.WAITLIST):
            note = await self.first_meetup.answered_going(
                interaction.guild_id, interaction.user.id, meetup_id, now
            )
            if note is FirstNote.IN_REPLY:
                text += "\n\n" + safety_ui.first_meetup_note(outcome.meetup)
        await reply(interaction, text)

    async def offer_pressed(
        self, interaction: discord.Interaction, offer_id: int, answer: OfferAnswer
    ) -> None:
        """Claim / Pass on a place held from the waitlist (in a DM or the meetup thread)."""
        outcome = await self.bot.boards.waitlist.answer(offer_id, interaction.user.id, answer, now_epoch())
        await reply(interaction, ui.offer_reply(outcome))

    async def decide_pressed(
        self, interaction: discord.Interaction, meetup_id: int, status: RsvpStatus
    ) -> None:
        """Going / Can't go under the nudge to the undecided (in a DM or the meetup thread)."""
        meetup = await self.meetups.by_id(meetup_id)
        if meetup is None:
            raise UserError("This meetup no longer exists.", "/meetup list")
        outcome = await self.board.rsvp(meetup.guild_id, meetup_id, interaction.user.id, status, now_epoch())
        await reply(interaction, ui.rsvp_reply(outcome))

    # -- votes are reactions -----------------------------------------------------------------

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        if self._ignored(payload) or (payload.member is not None and payload.member.bot):
            return
        self.polls.record(payload.message_id, payload.user_id, str(payload.emoji), added=True)

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        if self._ignored(payload):
            return
        self.polls.record(payload.message_id, payload.user_id, str(payload.emoji), added=False)

    @commands.Cog.listener()
    async def on_raw_reaction_clear(self, payload: discord.RawReactionClearEvent) -> None:
        await self._reconcile(payload.message_id)

    @commands.Cog.listener()
    async def on_raw_reaction_clear_emoji(self, payload: discord.RawReactionClearEmojiEvent) -> None:
        await self._reconcile(payload.message_id)

    def _ignored(self, payload: discord.RawReactionActionEvent) -> bool:
        me = self.bot.user
        return payload.guild_id is None or (me is not None and payload.user_id == me.id)

    async def _reconcile(self, message_id: int) -> None:
        poll = self.polls.for_message(message_id)
        if poll is not None:
            await self.poll_board.reconcile(poll)


async def setup(bot: MeetbridgeBot) -> None:
    cog = MeetupsCog(bot)
    ui.RsvpButton.handlers.register(bot, cog.rsvp_pressed)
    ui.OfferButton.handlers.register(bot, cog.offer_pressed)
    ui.DecideButton.handlers.register(bot, cog.decide_pressed)
    await bot.add_cog(cog)
