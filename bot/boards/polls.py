"""The Discord side of meetup polls: the poll message, its reactions, its live tally, its result.

:class:`bot.services.polls.PollService` owns the rules and the votes; this posts a poll (undoing
it when the post is refused), adds the bot's reactions, re-renders the tally as votes arrive (at
most one edit every :data:`POLL_EDIT_INTERVAL` seconds, always ending on the final tally), posts
the closing-soon note, closes it at its time and shows the result (``poll.result``, retried until
it is shown), and at start rebuilds each open poll's votes from its message's reactions.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.adapters.outbound import Outbound, Undeliverable
from bot.boards.coalesce import Coalescer
from bot.boards.delivery import cannot_post, rate_limited, retry_later
from bot.domain.clock import Clock
from bot.domain.errors import UserError
from bot.domain.followups import ANNOUNCE
from bot.domain.polls import OptionKey, Poll, PollClosed, PollDraft, PollOutcome, normalise_emoji
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import Scheduler, TaskDropped
from bot.services.meetups import MeetupService
from bot.services.polls import CLOSE_TASK, REMIND_TASK, RESULT_TASK, PollService
from bot.ui import meetups as ui

log = logging.getLogger(__name__)

POLL_EDIT_INTERVAL = 2.0
"""Seconds between two edits of one poll's tally, however many reactions arrive."""
CHANNEL_EDIT_INTERVAL = 1.0
"""Seconds between two tally edits in one channel: Discord allows about 5 message edits per 5 s in a
channel, so ten busy polls in one channel share that (each is edited less often, still ending on its
final tally)."""
REMIND_LATENESS = 1800  # a "closes in an hour" nudge half an hour late is still worth it


class PollBoard:
    def __init__(
        self,
        outbound: Outbound,
        polls: PollService,
        meetups: MeetupService,
        scheduler: Scheduler,
        *,
        now: Clock,
        edit_interval: float = POLL_EDIT_INTERVAL,
        channel_interval: float = CHANNEL_EDIT_INTERVAL,
    ) -> None:
        self.outbound = outbound
        self.polls = polls
        self.meetups = meetups
        self.scheduler = scheduler
        self.now = now
        self.renders: Coalescer[int] = Coalescer(
            self._render,
            interval=edit_interval,
            name="poll",
            retry_after=rate_limited,
            group=polls.channel_of,
            group_interval=channel_interval,
        )
        polls.on_votes_changed = self.renders.request
        scheduler.register(CLOSE_TASK, self._close_task)
        scheduler.register(REMIND_TASK, self._remind_task, max_lateness=REMIND_LATENESS)
        scheduler.register(RESULT_TASK, self._result_task)

    async def start(self) -> None:
        """Before timed work resumes: count reactions made while we were away."""
        for poll in await self.polls.load_open():
            if not self.scheduler.owns(poll.guild_id):
                continue  # another shard process counts its own servers' votes
            try:
                await self.reconcile(poll)
            except Exception:
                log.exception("reconciling poll %d failed; its stored votes are kept", poll.id)

    def close(self) -> None:
        self.renders.close()

    # -- posting ---------------------------------------------------------------------------------

    async def plan_poll(
        self,
        draft: PollDraft,
        now: int,
        *,
        channel_id: int | None = None,
        react: bool = True,
        content: str | None = None,
        ping: Sequence[int] = (),
    ) -> Poll:
        """Post a poll in ``channel_id`` (default: the meetups channel) and add its reactions.

        ``react=False`` leaves the reactions to :meth:`add_poll_reactions`, so a command can answer
        first: Discord lets a bot add about four reactions a second. ``content`` is a line above the
        poll, pinging only ``ping`` (e.g. the two members a catch-up is for).
        """
        if channel_id is None:
            channel_id = await self.meetups.meetups_channel(draft.guild_id)
        poll = await self.polls.create_poll(draft, channel_id, now)
        try:
            posted = await self.outbound.post(
                channel_id,
                draft.guild_id,
                content=content,
                embed=ui.poll_embed(poll, await self.polls.tally(poll)),
                ping=ping,
            )
        except Undeliverable as error:
            await self.polls.discard(poll)
            raise cannot_post(channel_id, error) from error
        poll = await self.polls.attach_message(poll, posted.message_id)
        if react:
            await self.add_poll_reactions(poll)
        return poll

    async def add_poll_reactions(self, poll: Poll) -> None:
        """The bot's own reactions, one per option, so voting is one tap (they never count).

        After one refusal the rest are not tried: members can still vote with any of the
        emoji shown on the poll.
        """
        assert poll.message_id is not None
        for emoji in poll.emojis:
            try:
                await self.outbound.react(poll.channel_id, poll.guild_id, poll.message_id, emoji)
            except Undeliverable as error:
                log.info("poll %d: reaction %s not added (%s); not trying the rest", poll.id, emoji, error)
                return

    # -- closing ---------------------------------------------------------------------------------

    async def close_poll(
        self, *, guild_id: int, number: int, member_id: int, is_admin: bool, now: int
    ) -> PollClosed:
        """The organiser (or an admin) closes a poll early."""
        poll = await self.polls.check_may_close(guild_id, number, member_id, is_admin)
        closed = await self.polls.close(poll.id, now)
        if closed is None:
            raise UserError(f"Poll #{number} is already closed.", f"/meetup info id:{number}")
        return await self._after_close(closed)

    async def _close_task(self, task: ScheduledTask) -> None:
        assert task.subject_id is not None
        closed = await self.polls.close(task.subject_id, self.now())
        if closed is not None:
            await self._after_close(closed)

    async def _remind_task(self, task: ScheduledTask) -> None:
        """Closing soon: a reply to the poll so late voters notice (it pings nobody)."""
        assert task.subject_id is not None
        poll = await self.polls.by_id(task.subject_id)
        if poll is None or not poll.is_open or poll.message_id is None:
            raise TaskDropped("the poll is closed")
        await self.outbound.post(
            poll.channel_id,
            poll.guild_id,
            content=ui.poll_reminder(poll, await self.polls.tally(poll)),
            reply_to=poll.message_id,
        )

    async def _after_close(self, closed: PollClosed) -> PollClosed:
        """Announce the meetup and show the result now; the tasks the close stored retry if not."""
        meetup = closed.meetup
        if meetup is not None:
            await self.scheduler.run_now_for_subject(meetup.guild_id, ANNOUNCE, meetup.id)
            meetup = await self.meetups.by_id(meetup.id) or meetup
        await self.scheduler.run_now_for_subject(closed.poll.guild_id, RESULT_TASK, closed.poll.id)
        return PollClosed(poll=closed.poll, tally=closed.tally, winner=closed.winner, meetup=meetup)

    async def _result_task(self, task: ScheduledTask) -> None:
        """The closed poll's message shows the result (and the meetup's link once announced)."""
        assert task.subject_id is not None
        self.renders.discard(task.subject_id)
        try:
            await self._render(task.subject_id)
        except Undeliverable as error:
            if error.gone:
                raise TaskDropped("the poll's message is gone") from None
            raise retry_later(error) from error

    # -- the votes on the message ----------------------------------------------------------------

    async def reconcile(self, poll: Poll) -> None:
        """Rebuild a poll's votes from its message's reactions (and put back our own if removed)."""
        if poll.message_id is None:
            return
        try:
            message = await self.outbound.fetch(poll.channel_id, poll.guild_id, poll.message_id)
        except Undeliverable as error:
            if not error.gone:
                raise
            log.info("poll %d lost its message; closing it without a result", poll.id)
            await self.polls.cancel(poll, self.now(), PollOutcome.MESSAGE_DELETED)
            return

        async def read() -> list[tuple[OptionKey, int]]:
            votes: list[tuple[OptionKey, int]] = []
            for reaction in message.reactions:
                key = poll.key_for(str(reaction.emoji))
                if key is None:
                    continue
                async for user in reaction.users(limit=None):
                    if not user.bot:
                        votes.append((key, user.id))
            return votes

        await self.polls.reconcile(poll, read)
        present = {normalise_emoji(str(reaction.emoji)) for reaction in message.reactions if reaction.me}
        for emoji in poll.emojis:
            if normalise_emoji(emoji) not in present:
                try:
                    await self.outbound.react(poll.channel_id, poll.guild_id, poll.message_id, emoji)
                except Undeliverable:
                    log.warning("could not restore %s on poll %d; not trying the rest", emoji, poll.id)
                    return

    async def _render(self, poll_id: int) -> None:
        found = await self.polls.with_tally(poll_id)
        if found is None:
            return
        poll, tally = found
        if poll.message_id is None:
            return
        meetup = await self.meetups.by_id(poll.meetup_id) if poll.meetup_id else None
        embed = ui.poll_embed(poll, tally, meetup)
        try:
            await self.outbound.edit(poll.channel_id, poll.guild_id, poll.message_id, embed=embed)
        except Undeliverable as error:
            if not error.gone:
                raise
            log.info("poll %d's message is gone", poll.id)
        if not poll.is_open:
            self.renders.discard(poll.id)
