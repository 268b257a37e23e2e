"""SQL for pairing rounds: members who joined, rounds, groups, answers and who was left out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import aiosqlite

from bot.domain.pairing import Group, UnmatchedReason
from bot.domain.pairing_rounds import (
    Answer,
    PairingGroup,
    PairingMember,
    PairingRound,
    RoundState,
)
from bot.storage.database import Database
from bot.storage.member_data import MemberTable, register

register(MemberTable("pairing_members", ("member_id",)))
register(MemberTable("pairing_group_members", ("member_id",)))
register(MemberTable("pairing_left_out", ("member_id",)))

_ROUND = (
    "SELECT id, guild_id, number, started_at, halfway_at, ends_at, state, size, task_id, announcement_id "
    "FROM pairing_rounds"
)
_GROUP = (
    "SELECT id, guild_id, round_id, shared, thread_id, greeting_id, checkin_id, ask_id FROM pairing_groups"
)
_SEPARATOR = "\n"


def _round(row: aiosqlite.Row) -> PairingRound:
    return PairingRound(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        number=int(row["number"]),
        started_at=int(row["started_at"]),
        halfway_at=int(row["halfway_at"]),
        ends_at=int(row["ends_at"]),
        state=RoundState(row["state"]),
        size=int(row["size"]),
        task_id=row["task_id"],
        announcement_id=row["announcement_id"],
    )


class PairingRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- members who joined -------------------------------------------------------------------

    async def member(self, guild_id: int, member_id: int) -> PairingMember | None:
        row = await self.db.fetchone(
            "SELECT guild_id, member_id, joined_at, skip_next FROM pairing_members "
            "WHERE guild_id = ? AND member_id = ?",
            (guild_id, member_id),
        )
        if row is None:
            return None
        return PairingMember(int(row[0]), int(row[1]), int(row[2]), bool(row[3]))

    async def members(self, guild_id: int) -> list[PairingMember]:
        rows = await self.db.fetchall(
            "SELECT guild_id, member_id, joined_at, skip_next FROM pairing_members WHERE guild_id = ? "
            "ORDER BY member_id",
            (guild_id,),
        )
        return [PairingMember(int(r[0]), int(r[1]), int(r[2]), bool(r[3])) for r in rows]

    async def join(self, guild_id: int, member_id: int, now: int) -> None:
        """Join (or come back after a skip): the member is in the next round."""
        await self.db.execute(
            "INSERT INTO pairing_members (guild_id, member_id, joined_at, skip_next) VALUES (?, ?, ?, 0) "
            "ON CONFLICT (guild_id, member_id) DO UPDATE SET skip_next = 0",
            (guild_id, member_id, now),
        )

    async def leave(self, guild_id: int, member_id: int) -> bool:
        changed = await self.db.execute(
            "DELETE FROM pairing_members WHERE guild_id = ? AND member_id = ?", (guild_id, member_id)
        )
        return changed > 0

    async def set_skip(self, guild_id: int, member_id: int, skip: bool) -> bool:
        """False when the member has not joined (nothing stored)."""
        changed = await self.db.execute(
            "UPDATE pairing_members SET skip_next = ? WHERE guild_id = ? AND member_id = ?",
            (int(skip), guild_id, member_id),
        )
        return changed > 0

    async def clear_skips(self, guild_id: int, member_ids: Sequence[int]) -> None:
        await self.db.executemany(
            "UPDATE pairing_members SET skip_next = 0 WHERE guild_id = ? AND member_id = ?",
            [(guild_id, member_id) for member_id in member_ids],
        )

    # -- rounds -------------------------------------------------------------------------------

    async def round(self, round_id: int) -> PairingRound | None:
        row = await self.db.fetchone(_ROUND + " WHERE id = ?", (round_id,))
        return None if row is None else _round(row)

    async def round_for_task(self, task_id: int) -> PairingRound | None:
        row = await self.db.fetchone(_ROUND + " WHERE task_id = ?", (task_id,))
        return None if row is None else _round(row)

    async def open_round(self, guild_id: int) -> PairingRound | None:
        row = await self.db.fetchone(
            _ROUND + " WHERE guild_id = ? AND state = 'open' ORDER BY number DESC LIMIT 1", (guild_id,)
        )
        return None if row is None else _round(row)

    async def rounds(self, guild_id: int) -> list[PairingRound]:
        rows = await self.db.fetchall(_ROUND + " WHERE guild_id = ? ORDER BY number", (guild_id,))
        return [_round(row) for row in rows]

    async def forbidden_pairs(self, guild_id: int, last_rounds: int) -> set[tuple[int, int]]:
        """Pairs grouped together in the server's last ``last_rounds`` rounds (smaller id first)."""
        rows = await self.db.fetchall(
            "SELECT a.member_id, b.member_id FROM pairing_group_members a "
            "JOIN pairing_group_members b ON b.group_id = a.group_id AND a.member_id < b.member_id "
            "JOIN pairing_groups g ON g.id = a.group_id "
            "WHERE g.round_id IN "
            "(SELECT id FROM pairing_rounds WHERE guild_id = ? ORDER BY number DESC LIMIT ?)",
            (guild_id, last_rounds),
        )
        return {(int(a), int(b)) for a, b in rows}

    async def create_round(
        self,
        *,
        guild_id: int,
        size: int,
        started_at: int,
        halfway_at: int,
        ends_at: int,
        task_id: int | None,
        groups: Sequence[Group],
        left_out: dict[int, UnmatchedReason],
    ) -> PairingRound:
        """A round with its groups and members, numbered after the server's last one."""
        async with self.db.transaction():
            number = 1 + int(
                await self.db.fetchval(
                    "SELECT COALESCE(MAX(number), 0) FROM pairing_rounds WHERE guild_id = ?", (guild_id,)
                )
            )
            round_id = await self.db.insert(
                "INSERT INTO pairing_rounds (guild_id, number, size, started_at, halfway_at, ends_at, "
                "task_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (guild_id, number, size, started_at, halfway_at, ends_at, task_id),
            )
            for group in groups:
                group_id = await self.db.insert(
                    "INSERT INTO pairing_groups (guild_id, round_id, shared) VALUES (?, ?, ?)",
                    (guild_id, round_id, _SEPARATOR.join(group.shared)),
                )
                await self.db.executemany(
                    "INSERT INTO pairing_group_members (guild_id, group_id, member_id) VALUES (?, ?, ?)",
                    [(guild_id, group_id, member_id) for member_id in group.member_ids],
                )
            await self.db.executemany(
                "INSERT INTO pairing_left_out (guild_id, round_id, member_id, reason) VALUES (?, ?, ?, ?)",
                [(guild_id, round_id, member_id, reason.value) for member_id, reason in left_out.items()],
            )
            created = await self.round(round_id)
        assert created is not None
        return created

    async def end_round(self, round_id: int) -> bool:
        """Open -> ended; False when it had already ended."""
        changed = await self.db.execute(
            "UPDATE pairing_rounds SET state = 'ended' WHERE id = ? AND state = 'open'", (round_id,)
        )
        return changed > 0

    async def set_announcement(self, round_id: int, message_id: int) -> None:
        await self.db.execute(
            "UPDATE pairing_rounds SET announcement_id = ? WHERE id = ?", (message_id, round_id)
        )

    async def left_out(self, round_id: int) -> dict[int, UnmatchedReason]:
        rows = await self.db.fetchall(
            "SELECT member_id, reason FROM pairing_left_out WHERE round_id = ? ORDER BY member_id",
            (round_id,),
        )
        return {int(r["member_id"]): UnmatchedReason(r["reason"]) for r in rows}

    # -- groups -------------------------------------------------------------------------------

    async def _with_members(self, rows: Iterable[aiosqlite.Row]) -> list[PairingGroup]:
        groups = []
        for row in rows:
            members = await self.db.fetchall(
                "SELECT member_id FROM pairing_group_members WHERE group_id = ? ORDER BY member_id",
                (row["id"],),
            )
            groups.append(
                PairingGroup(
                    id=int(row["id"]),
                    guild_id=int(row["guild_id"]),
                    round_id=int(row["round_id"]),
                    member_ids=tuple(int(m["member_id"]) for m in members),
                    shared=tuple(row["shared"].split(_SEPARATOR)) if row["shared"] else (),
                    thread_id=row["thread_id"],
                    greeting_id=row["greeting_id"],
                    checkin_id=row["checkin_id"],
                    ask_id=row["ask_id"],
                )
            )
        return groups

    async def groups(self, round_id: int) -> list[PairingGroup]:
        rows = await self.db.fetchall(_GROUP + " WHERE round_id = ? ORDER BY id", (round_id,))
        return await self._with_members(rows)

    async def group(self, group_id: int) -> PairingGroup | None:
        rows = await self.db.fetchall(_GROUP + " WHERE id = ?", (group_id,))
        found = await self._with_members(rows)
        return found[0] if found else None

    async def set_thread(self, group_id: int, thread_id: int) -> None:
        await self.db.execute("UPDATE pairing_groups SET thread_id = ? WHERE id = ?", (thread_id, group_id))

    async def set_greeting(self, group_id: int, message_id: int) -> None:
        await self.db.execute(
            "UPDATE pairing_groups SET greeting_id = ? WHERE id = ?", (message_id, group_id)
        )

    async def set_checkin(self, group_id: int, message_id: int) -> None:
        await self.db.execute("UPDATE pairing_groups SET checkin_id = ? WHERE id = ?", (message_id, group_id))

    async def set_ask(self, group_id: int, message_id: int) -> None:
        await self.db.execute("UPDATE pairing_groups SET ask_id = ? WHERE id = ?", (message_id, group_id))

    # -- answers ------------------------------------------------------------------------------

    async def set_answer(self, group_id: int, member_id: int, answer: Answer, now: int) -> bool:
        changed = await self.db.execute(
            "UPDATE pairing_group_members SET answer = ?, answered_at = ? "
            "WHERE group_id = ? AND member_id = ?",
            (answer.value, now, group_id, member_id),
        )
        return changed > 0

    async def answers(self, group_id: int) -> dict[int, Answer | None]:
        rows = await self.db.fetchall(
            "SELECT member_id, answer FROM pairing_group_members WHERE group_id = ? ORDER BY member_id",
            (group_id,),
        )
        return {int(r["member_id"]): Answer(r["answer"]) if r["answer"] else None for r in rows}
