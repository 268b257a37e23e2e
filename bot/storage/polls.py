"""SQL for meetup polls, their options and the members' votes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.polls import OptionKey, OptionKind, Poll, PollOption, PollOutcome, PollState, Tally
from bot.domain.when import ReadTime
from bot.storage.database import Database
from bot.storage.meetups import next_number
from bot.storage.member_data import MemberTable, register

# A poll others voted on stays; the organiser's id is blanked. A member's votes are theirs alone.
register(MemberTable("polls", ("organiser_id",), strategy="anonymise"))
register(MemberTable("poll_votes", ("member_id",)))

_COLUMNS = (
    "id, guild_id, number, channel_id, message_id, organiser_id, title, tz, closes_at, closes_text, "
    "capacity, min_attendees, state, outcome, winner_time, winner_place, meetup_id, created_at, closed_at"
)

_NAMES = tuple(name.strip() for name in _COLUMNS.split(","))


def _as_poll(values: dict[str, Any], options: Sequence[Sequence[Any]]) -> Poll:
    """A poll from its ``_COLUMNS`` by name and its options' (kind, position, label, starts_at)."""
    values["state"] = PollState(values["state"])
    values["outcome"] = PollOutcome(values["outcome"]) if values["outcome"] else None
    values["options"] = tuple(
        PollOption(OptionKind(kind), int(position), label, starts_at)
        for kind, position, label, starts_at in options
    )
    return Poll(**values)


def _with_options_sql(where: str) -> str:
    """The polls ``where`` selects (on ``p``), oldest first, a row per option (one of NULLs for
    a poll without options)."""
    columns = ", ".join(f"p.{name}" for name in _NAMES)
    return (
        f"SELECT {columns}, o.kind, o.position, o.label, o.starts_at FROM polls p "  # noqa: S608
        f"LEFT JOIN poll_options o ON o.poll_id = p.id WHERE {where} "
        "ORDER BY p.id, o.kind = 'place', o.position"
    )


def _polls_of(rows: Iterable[Sequence[Any]]) -> list[Poll]:
    """The polls in the rows of :func:`_with_options_sql`, each with its options."""
    polls: list[Poll] = []
    values: dict[str, Any] | None = None
    options: list[tuple[Any, ...]] = []
    width = len(_NAMES)
    for row in rows:
        fields = tuple(row)
        if values is None or values["id"] != fields[0]:
            if values is not None:
                polls.append(_as_poll(values, options))
            values, options = dict(zip(_NAMES, fields[:width], strict=True)), []
        if fields[width] is not None:  # a poll without options has one row of NULLs for them
            options.append(fields[width:])
    if values is not None:
        polls.append(_as_poll(values, options))
    return polls


_TALLY = "SELECT kind, position, COUNT(*) AS n FROM poll_votes WHERE poll_id = ? GROUP BY kind, position"


def _tally_of(rows: Iterable[Sequence[Any]]) -> Tally:
    return Tally({(OptionKind(kind), int(position)): int(n) for kind, position, n in rows})


@dataclass(frozen=True, slots=True)
class VoteChange:
    """One reaction as a vote: ``added`` False withdraws it."""

    guild_id: int
    poll_id: int
    key: OptionKey
    member_id: int
    added: bool


class PollRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def _with_options(self, where: str, params: Sequence[object]) -> list[Poll]:
        """The polls ``where`` selects (on ``p``, the polls table), oldest first, each with its
        options: one query for all."""
        return _polls_of(await self.db.fetchall(_with_options_sql(where), params))

    async def _one(self, where: str, params: Sequence[object]) -> Poll | None:
        polls = await self._with_options(where, params)
        return polls[0] if polls else None

    async def add(
        self,
        *,
        guild_id: int,
        channel_id: int,
        organiser_id: int,
        title: str,
        tz: str,
        closes_at: int,
        closes_text: str,
        times: Sequence[ReadTime],
        places: Sequence[str],
        now: int,
        capacity: int | None = None,
        min_attendees: int | None = None,
    ) -> Poll:
        async with self.db.transaction():
            number = await next_number(self.db, guild_id, for_poll=True)
            poll_id = await self.db.insert(
                "INSERT INTO polls (guild_id, number, channel_id, organiser_id, title, tz, closes_at, "
                "closes_text, capacity, min_attendees, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    number,
                    channel_id,
                    organiser_id,
                    title,
                    tz,
                    closes_at,
                    closes_text,
                    capacity,
                    min_attendees,
                    now,
                ),
            )
            rows = [
                (guild_id, poll_id, OptionKind.TIME.value, position, time.text, time.epoch)
                for position, time in enumerate(times)
            ] + [
                (guild_id, poll_id, OptionKind.PLACE.value, position, place, None)
                for position, place in enumerate(places)
            ]
            await self.db.executemany(
                "INSERT INTO poll_options (guild_id, poll_id, kind, position, label, starts_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
        poll = await self.get(poll_id)
        assert poll is not None
        return poll

    async def get(self, poll_id: int) -> Poll | None:
        return await self._one("p.id = ?", (poll_id,))

    async def get_with_tally(self, poll_id: int) -> tuple[Poll, Tally] | None:
        """A poll and its tally in one round trip (what re-rendering it needs)."""
        rows, counts = await self.db.fetchall_many(
            [(_with_options_sql("p.id = ?"), (poll_id,)), (_TALLY, (poll_id,))]
        )
        polls = _polls_of(rows)
        return (polls[0], _tally_of(counts)) if polls else None

    async def by_number(self, guild_id: int, number: int) -> Poll | None:
        return await self._one("p.guild_id = ? AND p.number = ?", (guild_id, number))

    async def open_polls(self, guild_id: int | None = None) -> list[Poll]:
        """Open polls (of one server, or all of them at start), oldest first."""
        if guild_id is None:
            return await self._with_options("p.state = 'open'", ())
        return await self._with_options("p.state = 'open' AND p.guild_id = ?", (guild_id,))

    async def set_message(self, poll_id: int, message_id: int) -> None:
        await self.db.execute("UPDATE polls SET message_id = ? WHERE id = ?", (message_id, poll_id))

    async def delete(self, poll_id: int) -> None:
        """Undo a poll whose message could not be posted."""
        await self.db.execute("DELETE FROM polls WHERE id = ?", (poll_id,))

    # -- votes -------------------------------------------------------------------------------

    async def apply(self, changes: Iterable[VoteChange]) -> None:
        """Store a batch of votes and withdrawals in one transaction.

        The last change per member and option wins, as on Discord. Adding a vote that exists or
        withdrawing one that does not changes nothing, so replaying events is harmless.
        """
        final: dict[tuple[int, int, str, int, int], bool] = {}
        for change in changes:
            key = (change.guild_id, change.poll_id, change.key[0].value, change.key[1], change.member_id)
            final.pop(key, None)  # keep insertion order = order of the last change
            final[key] = change.added
        if not final:
            return
        await self.db.executemany_batch(
            [
                (
                    "INSERT INTO poll_votes (guild_id, poll_id, kind, position, member_id) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [key for key, added in final.items() if added],
                ),
                (
                    "DELETE FROM poll_votes WHERE guild_id = ? AND poll_id = ? AND kind = ? "
                    "AND position = ? AND member_id = ?",
                    [key for key, added in final.items() if not added],
                ),
            ]
        )

    async def replace_votes(
        self, guild_id: int, poll_id: int, votes: Iterable[tuple[OptionKey, int]]
    ) -> None:
        """Make the stored votes exactly ``votes`` (call inside a transaction)."""
        await self.db.execute("DELETE FROM poll_votes WHERE poll_id = ?", (poll_id,))
        await self.db.executemany(
            "INSERT INTO poll_votes (guild_id, poll_id, kind, position, member_id) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            [(guild_id, poll_id, key[0].value, key[1], member) for key, member in votes],
        )

    async def votes(self, poll_id: int) -> list[tuple[OptionKey, int]]:
        rows = await self.db.fetchall(
            "SELECT kind, position, member_id FROM poll_votes WHERE poll_id = ? "
            "ORDER BY kind, position, member_id",
            (poll_id,),
        )
        return [((OptionKind(r["kind"]), int(r["position"])), int(r["member_id"])) for r in rows]

    async def tally(self, poll_id: int) -> Tally:
        return _tally_of(await self.db.fetchall(_TALLY, (poll_id,)))

    # -- closing -----------------------------------------------------------------------------

    async def close(
        self,
        poll_id: int,
        *,
        state: PollState,
        outcome: PollOutcome,
        now: int,
        winner_time: int | None = None,
        winner_place: int | None = None,
    ) -> bool:
        """Move an open poll to closed (or cancelled); False if it was not open any more.

        This conditional UPDATE is what makes a poll close exactly once.
        """
        changed = await self.db.execute(
            "UPDATE polls SET state = ?, outcome = ?, winner_time = ?, winner_place = ?, closed_at = ? "
            "WHERE id = ? AND state = 'open'",
            (state.value, outcome, winner_time, winner_place, now, poll_id),
        )
        return changed == 1

    async def set_meetup(self, poll_id: int, meetup_id: int) -> None:
        await self.db.execute("UPDATE polls SET meetup_id = ? WHERE id = ?", (meetup_id, poll_id))
