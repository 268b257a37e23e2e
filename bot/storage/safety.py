"""SQL for safety: blocks, reports with what moderators did, the first-meetup note, and the shared
history a report shows (pairing groups and meetups two members had in common)."""

from __future__ import annotations

from collections.abc import Sequence

import aiosqlite

from bot.domain.safety import (
    Block,
    ContextKind,
    ModAction,
    Report,
    ReportAction,
    SharedContext,
    Together,
    decode_context,
    encode_context,
)
from bot.storage.database import Database
from bot.storage.member_data import MemberTable, register

# Whom someone blocked is theirs to see; that they were blocked is never shown to the one blocked.
register(MemberTable("member_blocks", ("member_id", "blocked_member_id"), hidden=("blocked_member_id",)))
# A report stays with the moderators when either side is forgotten, without their id; the member
# reported never sees it, not even in an export. Its actions likewise.
register(
    MemberTable(
        "reports",
        ("reporter_member_id", "reported_member_id"),
        strategy="anonymise",
        hidden=("reported_member_id",),
    )
)
register(
    MemberTable(
        "report_actions",
        ("member_id", "moderator_member_id", "undone_by_member_id"),
        strategy="anonymise",
        hidden=("member_id",),
    )
)
register(MemberTable("first_meetup_notes", ("member_id",)))

_REPORT = (
    "SELECT r.id, r.guild_id, r.number, r.reporter_member_id, r.reported_member_id, r.meetup_id, "
    "r.reason, r.context, r.channel_id, r.message_id, r.created_at, m.number AS meetup_number, "
    "m.title AS meetup_title FROM reports r LEFT JOIN meetups m ON m.id = r.meetup_id"
)
_ACTION = (
    "SELECT id, report_id, member_id, kind, moderator_member_id, taken_at, until, rejoin, undone_at, "
    "undone_by_member_id FROM report_actions"
)


def _action(row: aiosqlite.Row) -> ReportAction:
    return ReportAction(
        id=int(row["id"]),
        report_id=int(row["report_id"]),
        member_id=int(row["member_id"]),
        kind=ModAction(row["kind"]),
        moderator_member_id=int(row["moderator_member_id"]),
        taken_at=int(row["taken_at"]),
        until=row["until"],
        rejoin=bool(row["rejoin"]),
        undone_at=row["undone_at"],
        undone_by_member_id=row["undone_by_member_id"],
    )


class BlockRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, guild_id: int, member_id: int, blocked_id: int, now: int) -> bool:
        """False when the block was there already."""
        changed = await self.db.execute(
            "INSERT INTO member_blocks (guild_id, member_id, blocked_member_id, blocked_at) "
            "VALUES (?, ?, ?, ?) "
            "ON CONFLICT (guild_id, member_id, blocked_member_id) DO NOTHING",
            (guild_id, member_id, blocked_id, now),
        )
        return changed > 0

    async def remove(self, guild_id: int, member_id: int, blocked_id: int) -> bool:
        changed = await self.db.execute(
            "DELETE FROM member_blocks WHERE guild_id = ? AND member_id = ? AND blocked_member_id = ?",
            (guild_id, member_id, blocked_id),
        )
        return changed > 0

    async def count(self, guild_id: int, member_id: int) -> int:
        return int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM member_blocks WHERE guild_id = ? AND member_id = ?",
                (guild_id, member_id),
            )
        )

    async def made(self, guild_id: int, member_id: int, blocked_id: int) -> bool:
        found = await self.db.fetchval(
            "SELECT 1 FROM member_blocks WHERE guild_id = ? AND member_id = ? AND blocked_member_id = ?",
            (guild_id, member_id, blocked_id),
        )
        return bool(found)

    async def made_by(self, guild_id: int, member_id: int) -> list[Block]:
        """The member's own blocks, newest first."""
        rows = await self.db.fetchall(
            "SELECT guild_id, member_id, blocked_member_id, blocked_at FROM member_blocks "
            "WHERE guild_id = ? AND member_id = ? ORDER BY blocked_at DESC, blocked_member_id",
            (guild_id, member_id),
        )
        return [Block(int(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in rows]

    async def either_way(self, guild_id: int, member_id: int) -> set[int]:
        """Everyone the member blocked or was blocked by."""
        rows = await self.db.fetchall(
            "SELECT blocked_member_id FROM member_blocks WHERE guild_id = ? AND member_id = ? "
            "UNION SELECT member_id FROM member_blocks WHERE guild_id = ? AND blocked_member_id = ?",
            (guild_id, member_id, guild_id, member_id),
        )
        return {int(r[0]) for r in rows}

    async def between(self, guild_id: int, a: int, b: int) -> bool:
        found = await self.db.fetchval(
            "SELECT 1 FROM member_blocks WHERE guild_id = ? AND ((member_id = ? AND blocked_member_id = ?) "
            "OR (member_id = ? AND blocked_member_id = ?)) LIMIT 1",
            (guild_id, a, b, b, a),
        )
        return bool(found)

    async def pairs(self, guild_id: int) -> set[tuple[int, int]]:
        """Every blocked pair of the server, smaller id first."""
        rows = await self.db.fetchall(
            "SELECT member_id, blocked_member_id FROM member_blocks WHERE guild_id = ?", (guild_id,)
        )
        return {(min(int(a), int(b)), max(int(a), int(b))) for a, b in rows}


class ReportRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- reports ------------------------------------------------------------------------------

    async def add(
        self,
        *,
        guild_id: int,
        reporter_id: int,
        reported_id: int,
        meetup_id: int | None,
        reason: str,
        context: Sequence[SharedContext],
        now: int,
    ) -> Report:
        """A report numbered after the server's last one."""
        async with self.db.transaction():
            number = 1 + int(
                await self.db.fetchval(
                    "SELECT COALESCE(MAX(number), 0) FROM reports WHERE guild_id = ?", (guild_id,)
                )
            )
            report_id = await self.db.insert(
                "INSERT INTO reports (guild_id, number, reporter_member_id, reported_member_id, meetup_id, "
                "reason, context, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (guild_id, number, reporter_id, reported_id, meetup_id, reason, encode_context(context), now),
            )
            created = await self.get(report_id)
        assert created is not None
        return created

    async def get(self, report_id: int) -> Report | None:
        row = await self.db.fetchone(_REPORT + " WHERE r.id = ?", (report_id,))
        if row is None:
            return None
        actions = await self.db.fetchall(_ACTION + " WHERE report_id = ? ORDER BY id", (report_id,))
        return Report(
            id=int(row["id"]),
            guild_id=int(row["guild_id"]),
            number=int(row["number"]),
            reporter_member_id=int(row["reporter_member_id"]),
            reported_member_id=int(row["reported_member_id"]),
            reason=row["reason"],
            created_at=int(row["created_at"]),
            meetup_id=row["meetup_id"],
            meetup_number=row["meetup_number"],
            meetup_title=row["meetup_title"],
            context=decode_context(row["context"]),
            channel_id=row["channel_id"],
            message_id=row["message_id"],
            actions=tuple(_action(a) for a in actions),
        )

    async def set_message(self, report_id: int, channel_id: int, message_id: int) -> None:
        await self.db.execute(
            "UPDATE reports SET channel_id = ?, message_id = ? WHERE id = ?",
            (channel_id, message_id, report_id),
        )

    async def delete(self, report_id: int) -> None:
        await self.db.execute("DELETE FROM reports WHERE id = ?", (report_id,))

    # -- actions ------------------------------------------------------------------------------

    async def add_action(
        self,
        report: Report,
        kind: ModAction,
        moderator_id: int,
        now: int,
        *,
        until: int | None = None,
        rejoin: bool = False,
    ) -> int:
        return await self.db.insert(
            "INSERT INTO report_actions (guild_id, report_id, member_id, kind, moderator_member_id, "
            "taken_at, until, rejoin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                report.guild_id,
                report.id,
                report.reported_member_id,
                kind.value,
                moderator_id,
                now,
                until,
                int(rejoin),
            ),
        )

    async def undo_action(self, action_id: int, moderator_id: int, now: int) -> bool:
        """False when it was undone already (two moderators pressing at once)."""
        changed = await self.db.execute(
            "UPDATE report_actions SET undone_at = ?, undone_by_member_id = ? "
            "WHERE id = ? AND undone_at IS NULL",
            (now, moderator_id, action_id),
        )
        return changed > 0

    async def paused_until(self, guild_id: int, member_id: int, now: int) -> int | None:
        """When the member's pause from meetups ends (the latest of those in force), if paused."""
        until = await self.db.fetchval(
            "SELECT MAX(until) FROM report_actions WHERE guild_id = ? AND member_id = ? AND kind = 'pause' "
            "AND undone_at IS NULL AND until > ?",
            (guild_id, member_id, now),
        )
        return None if until is None else int(until)

    async def unpaired(self, guild_id: int, member_id: int) -> bool:
        found = await self.db.fetchval(
            "SELECT 1 FROM report_actions WHERE guild_id = ? AND member_id = ? AND kind = 'unpair' "
            "AND undone_at IS NULL LIMIT 1",
            (guild_id, member_id),
        )
        return bool(found)

    async def kept_from_pairing(self, guild_id: int, now: int) -> set[int]:
        """Members a moderator paused (still in force) or removed from pairing."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT member_id FROM report_actions WHERE guild_id = ? AND undone_at IS NULL "
            "AND member_id <> 0 AND ((kind = 'pause' AND until > ?) OR kind = 'unpair')",
            (guild_id, now),
        )
        return {int(r[0]) for r in rows}

    # -- what two members had in common -------------------------------------------------------

    async def shared_rounds(self, guild_id: int, a: int, b: int, since: int) -> list[SharedContext]:
        rows = await self.db.fetchall(
            "SELECT r.number, r.started_at FROM pairing_group_members x "
            "JOIN pairing_group_members y ON y.group_id = x.group_id AND y.member_id = ? "
            "JOIN pairing_groups g ON g.id = x.group_id JOIN pairing_rounds r ON r.id = g.round_id "
            "WHERE x.guild_id = ? AND x.member_id = ? AND r.ends_at >= ? ORDER BY r.number DESC",
            (b, guild_id, a, since),
        )
        return [SharedContext(ContextKind.PAIRING, int(r[0]), int(r[1]), Together.GROUP) for r in rows]

    async def shared_meetups(self, guild_id: int, a: int, b: int, since: int) -> list[SharedContext]:
        """Meetups since ``since`` (or still to come) that both checked in to or both answered."""
        rows = await self.db.fetchall(
            "SELECT m.number, m.title, m.starts_at, "
            "EXISTS (SELECT 1 FROM meetup_attendance x JOIN meetup_attendance y ON y.meetup_id = x.meetup_id "
            "        WHERE x.meetup_id = m.id AND x.member_id = ? AND y.member_id = ?) AS came, "
            "(SELECT status FROM meetup_rsvps WHERE meetup_id = m.id AND member_id = ?) AS mine, "
            "(SELECT status FROM meetup_rsvps WHERE meetup_id = m.id AND member_id = ?) AS theirs "
            "FROM meetups m WHERE m.guild_id = ? AND m.ends_at >= ? ORDER BY m.starts_at DESC",
            (a, b, a, b, guild_id, since),
        )
        found = []
        for row in rows:
            mine, theirs = row["mine"], row["theirs"]
            if row["came"]:
                together, answers = Together.CAME, ()
            elif mine not in (None, "no") and theirs not in (None, "no"):
                together, answers = Together.ANSWERED, tuple(sorted({mine, theirs}))
            else:
                continue
            found.append(
                SharedContext(
                    ContextKind.MEETUP,
                    int(row["number"]),
                    int(row["starts_at"]),
                    together,
                    row["title"],
                    answers,
                )
            )
        return found


class FirstMeetupNotes:
    """Who was given the first-meetup note in a server (so it is given once)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def noted(self, guild_id: int, member_id: int) -> bool:
        """Whether the member was given the note in this server already."""
        return (
            await self.db.fetchone(
                "SELECT 1 FROM first_meetup_notes WHERE guild_id = ? AND member_id = ?", (guild_id, member_id)
            )
            is not None
        )

    async def mark(self, guild_id: int, member_id: int, now: int) -> bool:
        """True the first time for this member in this server."""
        changed = await self.db.execute(
            "INSERT INTO first_meetup_notes (guild_id, member_id, noted_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id, member_id) DO NOTHING",
            (guild_id, member_id, now),
        )
        return changed > 0
