"""Meetup poll use cases on the database: create, count reactions as votes, close, reconcile.

Votes arrive as raw reaction events, possibly thousands a minute on a busy poll. Each event is
checked against an in-memory index of open poll messages (any other reaction costs a dict
lookup), then appended to a pending list; one writer task stores everything pending in a single
transaction and goes again while more arrived meanwhile (group commit, no timers). Votes are
rows keyed by member and option, so replays and duplicates are harmless, and the stored
state is exactly the set of reactions.

A crash can lose at most the events of the batch in flight; :meth:`PollService.reconcile`
rebuilds a poll's votes from the message's actual reactions at every start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

from bot.domain.clock import from_epoch
from bot.domain.errors import Forbidden, NotFound, UserError
from bot.domain.followups import ANNOUNCE
from bot.domain.guild_settings import Purpose
from bot.domain.meetups import (
    PLAN_EXAMPLE,
    Meetup,
    may_manage,
    read_places,
    validate_capacity,
    validate_min_attendees,
    validate_title,
)
from bot.domain.polls import (
    OptionKey,
    OptionKind,
    Poll,
    PollClosed,
    PollDraft,
    PollOutcome,
    PollState,
    Tally,
    normalise_emoji,
    pick_winner,
)
from bot.domain.when import read_closes, read_times
from bot.scheduling.scheduler import Scheduler
from bot.services.config import ConfigService
from bot.services.meetups import MeetupService
from bot.storage.database import Database
from bot.storage.polls import PollRepository, VoteChange

log = logging.getLogger(__name__)

CLOSE_TASK = "poll.close"
REMIND_TASK = "poll.remind"
REMIND_BEFORE = 3600
"""A poll open for more than twice this long gets a "closing soon" nudge this long before it closes."""
TASKS = (CLOSE_TASK, REMIND_TASK)
RESULT_TASK = "poll.result"
"""After a poll closed: its message shows the result (retried until it does)."""


class PollService:
    def __init__(
        self,
        db: Database,
        repo: PollRepository,
        meetups: MeetupService,
        config: ConfigService,
        scheduler: Scheduler,
    ) -> None:
        self.db = db
        self.repo = repo
        self.meetups = meetups
        self.config = config
        self.scheduler = scheduler
        # message id -> (open poll, its emoji -> option): a reaction elsewhere costs one lookup.
        self._by_message: dict[int, tuple[Poll, dict[str, OptionKey]]] = {}
        self._open: dict[int, Poll] = {}  # poll id -> the same open polls, for re-rendering
        self._pending: list[VoteChange] = []
        self._held: set[int] = set()  # polls being reconciled: their events wait
        self._writer: asyncio.Task[None] | None = None
        # Called with a poll id after its stored votes changed (the board re-renders the tally).
        self.on_votes_changed: Callable[[int], None] = lambda poll_id: None
        self.votes_written = 0

    # -- creating ----------------------------------------------------------------------------

    async def create_poll(self, draft: PollDraft, channel_id: int, now: int) -> Poll:
        """Validate everything, then store the poll and its closing task in one transaction.

        The poll has no message yet: the caller posts it (anywhere: the meetups channel, a
        pairing thread) and calls :meth:`attach_message`, or :meth:`discard` if posting failed.
        """
        guild_id = draft.guild_id
        title = validate_title(draft.title, PLAN_EXAMPLE)
        settings = await self.config.settings(guild_id)
        tz = settings.tz
        moment = from_epoch(now)
        times = read_times(draft.times, now=moment, tz=tz, order=settings.dates)
        places = read_places(draft.places)
        capacity = validate_capacity(draft.capacity, PLAN_EXAMPLE)
        min_attendees = validate_min_attendees(draft.min_attendees, capacity, PLAN_EXAMPLE)
        closes = read_closes(
            draft.closes, now=moment, tz=tz, latest=min(time.epoch for time in times), order=settings.dates
        )
        async with self.db.transaction():
            poll = await self.repo.add(
                guild_id=guild_id,
                channel_id=channel_id,
                organiser_id=draft.organiser_id,
                title=title,
                tz=tz,
                closes_at=closes.epoch,
                closes_text=closes.text,
                times=times,
                places=places,
                now=now,
                capacity=capacity,
                min_attendees=min_attendees,
            )
            await self.scheduler.schedule(guild_id, CLOSE_TASK, poll.closes_at, subject_id=poll.id)
            if poll.closes_at - poll.created_at > 2 * REMIND_BEFORE:
                await self.scheduler.schedule(
                    guild_id, REMIND_TASK, poll.closes_at - REMIND_BEFORE, subject_id=poll.id
                )
        return poll

    async def attach_message(self, poll: Poll, message_id: int) -> Poll:
        """Record where the poll was posted; from now on reactions there are votes."""
        await self.repo.set_message(poll.id, message_id)
        fresh = await self.repo.get(poll.id)
        assert fresh is not None
        self._index(fresh)
        return fresh

    async def discard(self, poll: Poll) -> None:
        """Undo a poll that could not be posted: its row and its closing task go."""
        self._unindex(poll)
        await self.scheduler.cancel_for_subject(poll.guild_id, TASKS, poll.id)
        await self.repo.delete(poll.id)

    async def load_open(self) -> list[Poll]:
        """Index every open poll's message (at start)."""
        polls = await self.repo.open_polls()
        self._by_message = {}
        self._open = {}
        for poll in polls:
            self._index(poll)
        return polls

    # -- reading -----------------------------------------------------------------------------

    def _index(self, poll: Poll) -> None:
        if poll.message_id is not None and poll.is_open:
            keys = {normalise_emoji(option.emoji): option.key for option in poll.options}
            self._by_message[poll.message_id] = (poll, keys)
            self._open[poll.id] = poll

    def _unindex(self, poll: Poll) -> None:
        """Reactions on its message are not votes from now on."""
        if poll.message_id is not None:
            self._by_message.pop(poll.message_id, None)
        self._open.pop(poll.id, None)

    def channel_of(self, poll_id: int) -> int | None:
        """Where an open, posted poll is (no query); None for any other poll.

        Only for where: render from :meth:`by_id`, since the row can change while the poll is
        open (a forgotten organiser is blanked)."""
        poll = self._open.get(poll_id)
        return None if poll is None else poll.channel_id

    def for_message(self, message_id: int) -> Poll | None:
        entry = self._by_message.get(message_id)
        return None if entry is None else entry[0]

    async def get(self, guild_id: int, number: int) -> Poll:
        poll = await self.repo.by_number(guild_id, number)
        if poll is None:
            raise NotFound(f"There is no poll #{number} in this server.", "/meetup list")
        return poll

    async def find(self, guild_id: int, number: int) -> Poll | None:
        return await self.repo.by_number(guild_id, number)

    async def by_id(self, poll_id: int) -> Poll | None:
        return await self.repo.get(poll_id)

    async def label(self, poll_id: int) -> str | None:
        """What members know this poll as (for exports)."""
        poll = await self.repo.get(poll_id)
        return None if poll is None else f"poll #{poll.number} “{poll.title}”"

    async def open_polls(self, guild_id: int | None = None) -> list[Poll]:
        return await self.repo.open_polls(guild_id)

    async def tally(self, poll: Poll) -> Tally:
        return await self.repo.tally(poll.id)

    async def with_tally(self, poll_id: int) -> tuple[Poll, Tally] | None:
        """A poll as stored now and its tally, read together (one round trip)."""
        return await self.repo.get_with_tally(poll_id)

    async def votes(self, poll: Poll) -> list[tuple[OptionKey, int]]:
        return await self.repo.votes(poll.id)

    async def winning_voters(self, meetup: Meetup) -> list[int]:
        """Who voted for the time a poll chose: told once, on the announcement, to RSVP (nobody is
        marked Going on their behalf)."""
        poll = await self.repo.get(meetup.poll_id) if meetup.poll_id else None
        if poll is None or poll.winner_time is None:
            return []
        winning = (OptionKind.TIME, poll.winner_time)
        return list(dict.fromkeys(member for key, member in await self.repo.votes(poll.id) if key == winning))

    async def voters_for_winner(self, meetup: Meetup) -> list[int]:
        """Who voted for both the time and the place a poll chose (the time alone when it had no places)."""
        poll = await self.repo.get(meetup.poll_id) if meetup.poll_id else None
        if poll is None or poll.winner_time is None:
            return []
        votes = await self.repo.votes(poll.id)
        chose = [(OptionKind.TIME, poll.winner_time)]
        if poll.winner_place is not None:
            chose.append((OptionKind.PLACE, poll.winner_place))
        by_member: dict[int, set[object]] = {}
        for key, member in votes:
            by_member.setdefault(member, set()).add(key)
        return [member for member, keys in by_member.items() if all(key in keys for key in chose)]

    async def announce_channel(self, meetup: Meetup) -> int:
        """Where a meetup is announced: where it is, else beside the poll that chose it, else the
        meetups channel."""
        if meetup.channel_id is not None:
            return meetup.channel_id
        poll = await self.repo.get(meetup.poll_id) if meetup.poll_id else None
        if poll is not None:
            return poll.channel_id
        return await self.config.channel_for(meetup.guild_id, Purpose.MEETUPS)

    async def show_result_link(self, meetup: Meetup) -> None:
        """A meetup a poll chose was announced late (on a retry): the poll's result gets its link."""
        if meetup.poll_id is not None and not await self.scheduler.pending_for_subject(
            meetup.guild_id, [RESULT_TASK], meetup.poll_id
        ):
            now = self.scheduler.now_epoch()
            await self.scheduler.schedule(meetup.guild_id, RESULT_TASK, now, subject_id=meetup.poll_id)

    # -- votes -------------------------------------------------------------------------------

    def record(self, message_id: int, member_id: int, emoji: str, *, added: bool) -> bool:
        """Count one reaction event; False (and nothing stored) unless it is a vote on an open poll."""
        entry = self._by_message.get(message_id)
        if entry is None:
            return False
        poll, keys = entry
        key = keys.get(normalise_emoji(emoji))
        if key is None:
            return False
        self._pending.append(VoteChange(poll.guild_id, poll.id, key, member_id, added))
        self._kick()
        return True

    def _kick(self) -> None:
        if (self._writer is None or self._writer.done()) and any(
            change.poll_id not in self._held for change in self._pending
        ):
            self._writer = asyncio.create_task(self._write(), name="poll-votes-writer")

    async def _write(self) -> None:
        """Store everything pending in one transaction; repeat while more arrived meanwhile."""
        while True:
            batch = [change for change in self._pending if change.poll_id not in self._held]
            if not batch:
                return
            self._pending = [change for change in self._pending if change.poll_id in self._held]
            try:
                await self.repo.apply(batch)
            except Exception:
                # The reactions are still on the message: the next start's reconcile restores them.
                log.exception("storing %d vote change(s) failed", len(batch))
                continue
            self.votes_written += len(batch)
            for poll_id in dict.fromkeys(change.poll_id for change in batch):
                self.on_votes_changed(poll_id)

    async def flush(self) -> None:
        """Wait until every vote received so far (outside polls being reconciled) is stored."""
        while True:
            writer = self._writer
            if writer is not None and not writer.done():
                await writer
                continue
            if any(change.poll_id not in self._held for change in self._pending):
                self._kick()
                continue
            return

    async def reconcile(
        self, poll: Poll, read_reactions: Callable[[], Awaitable[Iterable[tuple[OptionKey, int]]]]
    ) -> None:
        """Make the stored votes exactly the message's reactions, as read by ``read_reactions``.

        Events arriving while the reactions are read are held, then applied on top of the
        snapshot in order: each one restates the final state of its vote, so none is lost or
        counted twice however the read and the events interleave.
        """
        self._held.add(poll.id)
        try:
            await self.flush()
            votes = list(await read_reactions())
            async with self.db.transaction():
                await self.repo.replace_votes(poll.guild_id, poll.id, votes)
                held = [change for change in self._pending if change.poll_id == poll.id]
                self._pending = [change for change in self._pending if change.poll_id != poll.id]
                await self.repo.apply(held)
        finally:
            self._held.discard(poll.id)
            self._kick()
        self.on_votes_changed(poll.id)

    # -- closing -----------------------------------------------------------------------------

    async def check_may_close(self, guild_id: int, number: int, member_id: int, is_admin: bool) -> Poll:
        poll = await self.get(guild_id, number)
        if not may_manage(poll.organiser_id, member_id, is_admin):
            raise Forbidden(
                f"Only the organiser of poll #{number} or someone with Manage Server can close it.",
                f"/meetup info id:{number}",
            )
        if not poll.is_open:
            raise UserError(f"Poll #{number} is already closed.", f"/meetup info id:{number}")
        return poll

    async def close(self, poll_id: int, now: int) -> PollClosed | None:
        """Close the poll exactly once: count, pick the winner, create its meetup.

        Returns None if somebody else closed it first. The state change and the meetup are one
        transaction, so a crash leaves either an open poll (the task runs again) or both.
        """
        poll = await self.repo.get(poll_id)
        if poll is None or not poll.is_open:
            return None
        self._unindex(poll)  # reactions from now on are not votes
        try:
            await self.flush()
            tally = await self.repo.tally(poll.id)
            winner = pick_winner(poll, tally)
            meetup = None
            async with self.db.transaction():
                if winner is None:
                    outcome = PollOutcome.NO_VOTES
                elif (winner.time.starts_at or 0) <= now:
                    outcome = PollOutcome.TIME_PASSED
                else:
                    outcome = PollOutcome.MEETUP
                closed = await self.repo.close(
                    poll.id,
                    state=PollState.CLOSED,
                    outcome=outcome,
                    now=now,
                    winner_time=winner.time.position if winner else None,
                    winner_place=winner.place.position if winner and winner.place else None,
                )
                if not closed:
                    return None
                await self.scheduler.schedule(poll.guild_id, RESULT_TASK, now, subject_id=poll.id)
                if winner is not None and outcome is PollOutcome.MEETUP:
                    meetup = await self.meetups.create_from_poll(poll, winner, now)
                    await self.repo.set_meetup(poll.id, meetup.id)
                    # Announced by a durable task, so a refused post is retried while the bot runs.
                    await self.scheduler.schedule(poll.guild_id, ANNOUNCE, now, subject_id=meetup.id)
        except BaseException:
            fresh = await asyncio.shield(self.repo.get(poll.id))
            if fresh is not None:
                self._index(fresh)
            raise
        await self.scheduler.cancel_for_subject(poll.guild_id, TASKS, poll.id)
        final = await self.repo.get(poll.id)
        assert final is not None
        return PollClosed(poll=final, tally=tally, winner=winner, meetup=meetup)

    async def cancel(self, poll: Poll, now: int, reason: PollOutcome) -> bool:
        """A poll whose message is gone closes without a result."""
        self._unindex(poll)
        done = await self.repo.close(poll.id, state=PollState.CANCELLED, outcome=reason, now=now)
        await self.scheduler.cancel_for_subject(poll.guild_id, TASKS, poll.id)
        return done
