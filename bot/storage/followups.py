"""SQL for what happens around a meetup once it is announced: follow-ups scheduled, the
headcount question, the **Who came?** message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.followups import CHECKIN_WINDOW, REMINDER, WHOCAME, HeadcountDecision
from bot.domain.meetups import Meetup
from bot.storage.database import Database
from bot.storage.meetups import _SELECT as _SELECT_MEETUPS
from bot.storage.meetups import _meetup
from bot.storage.member_data import MemberTable, register

register(MemberTable("meetup_attendance", ("member_id",)))
register(MemberTable("meetup_nudges", ("member_id",)))

# Announced meetups still open for check-in whose planned follow-ups do not match them: no Who
# came? planned for their current end (never scheduled, or moved without rescheduling), or a
# pending reminder planned for another start. A meetup whose follow-ups were planned (in the
# transaction that wrote them, RemindersService.schedule) for its current start and end is in step
# by two column comparisons; only the others (moved since, or planned by a version that did not
# record the times: NULL) have their tasks looked at. Tasks planned before they recorded their times
# are judged by their due time. A payload that is exactly what RemindersService.schedule writes for
# the meetup's current time (ScheduledTask.encode_payload: sorted keys, no spaces) is decided by one
# string comparison; only the others are parsed as JSON (a million pending tasks: seconds saved).
_OUT_OF_STEP = (
    _SELECT_MEETUPS  # noqa: S608
    + """ WHERE state = 'scheduled' AND message_id IS NOT NULL AND ends_at + :window > :now
    AND NOT EXISTS (
        SELECT 1 FROM meetup_followups f
        WHERE f.meetup_id = meetups.id
        AND f.planned_starts_at = meetups.starts_at AND f.planned_ends_at = meetups.ends_at
    )
    AND (
        NOT EXISTS (
            SELECT 1 FROM scheduled_tasks t
            WHERE t.guild_id = meetups.guild_id AND t.kind = :whocame AND t.subject_id = meetups.id
            AND t.state IN ('pending', 'running', 'done', 'dropped')
            AND (
                t.payload = '{"ends_at":' || meetups.ends_at || '}'
                OR COALESCE(json_extract(t.payload, '$.ends_at'), t.due_at) = meetups.ends_at
            )
        )
        OR EXISTS (
            SELECT 1 FROM scheduled_tasks t
            WHERE t.guild_id = meetups.guild_id AND t.kind = :reminder AND t.subject_id = meetups.id
            AND t.state = 'pending'
            AND t.payload != '{"offset":' || (meetups.starts_at - t.due_at)
                || ',"starts_at":' || meetups.starts_at || '}'
            AND COALESCE(
                json_extract(t.payload, '$.starts_at'), t.due_at + json_extract(t.payload, '$.offset')
            ) != meetups.starts_at
        )
    )"""
)


@dataclass(frozen=True, slots=True)
class MeetupFollowup:
    meetup_id: int
    guild_id: int
    scheduled_at: int
    headcount_checked_at: int | None = None
    headcount_decision: HeadcountDecision | None = None
    whocame_channel_id: int | None = None
    whocame_message_id: int | None = None


class FollowupRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, meetup_id: int) -> MeetupFollowup | None:
        row = await self.db.fetchone(
            "SELECT meetup_id, guild_id, scheduled_at, headcount_checked_at, headcount_decision, "
            "whocame_channel_id, whocame_message_id FROM meetup_followups WHERE meetup_id = ?",
            (meetup_id,),
        )
        if row is None:
            return None
        values = dict(row)
        decision = values.pop("headcount_decision")
        return MeetupFollowup(**values, headcount_decision=HeadcountDecision(decision) if decision else None)

    async def mark_scheduled(self, meetup: Meetup, now: int) -> None:
        """The meetup's follow-ups were (re)planned now for its current start and end (in the same
        transaction as the tasks: start-up trusts these two columns instead of the tasks)."""
        await self.db.execute(
            "INSERT INTO meetup_followups (meetup_id, guild_id, scheduled_at, planned_starts_at, "
            "planned_ends_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (meetup_id) DO UPDATE SET "
            "scheduled_at = excluded.scheduled_at, planned_starts_at = excluded.planned_starts_at, "
            "planned_ends_at = excluded.planned_ends_at",
            (meetup.id, meetup.guild_id, now, meetup.starts_at, meetup.ends_at),
        )

    async def out_of_step(self, now: int) -> list[Meetup]:
        """Announced meetups whose follow-ups don't match their current time (a stop between two
        steps, or planned by an older version); one query however many meetups there are."""
        rows = await self.db.fetchall(
            _OUT_OF_STEP, {"window": CHECKIN_WINDOW, "now": now, "whocame": WHOCAME, "reminder": REMINDER}
        )
        return [_meetup(row) for row in rows]

    async def cancel_followups_of_cancelled(self, kinds: Sequence[str], now: int) -> int:
        """Pending follow-ups of meetups that were cancelled are cancelled too (before the
        scheduler starts, so no job holds them)."""
        marks = ", ".join("?" for _ in kinds)
        # Driven by the cancelled meetups (CROSS JOIN keeps them the outer loop), each task found by
        # the subject index: a scan of the meetups, not of a million pending tasks.
        return await self.db.execute(
            "UPDATE scheduled_tasks SET state = 'cancelled', finished_at = ? "  # noqa: S608
            "WHERE id IN (SELECT t.id FROM meetups m CROSS JOIN scheduled_tasks t "
            f"ON t.guild_id = m.guild_id AND t.kind IN ({marks}) AND t.subject_id = m.id "
            "WHERE m.state = 'cancelled' AND t.state = 'pending')",
            (now, *kinds),
        )

    async def claim_headcount_check(self, guild_id: int, meetup_id: int, now: int) -> bool:
        """True exactly once per meetup: the first reminder asks about the headcount."""
        changed = await self.db.execute(
            "INSERT INTO meetup_followups (meetup_id, guild_id, scheduled_at, headcount_checked_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (meetup_id) DO UPDATE SET "
            "headcount_checked_at = excluded.headcount_checked_at "
            "WHERE meetup_followups.headcount_checked_at IS NULL",
            (meetup_id, guild_id, now, now),
        )
        return changed == 1

    async def decide_headcount(self, meetup_id: int, decision: HeadcountDecision) -> bool:
        """Record keep or cancel; False if somebody decided first."""
        changed = await self.db.execute(
            "UPDATE meetup_followups SET headcount_decision = ? "
            "WHERE meetup_id = ? AND headcount_decision IS NULL",
            (decision, meetup_id),
        )
        return changed == 1

    async def claim_nudge(self, guild_id: int, meetup_id: int, member_id: int, now: int) -> bool:
        """True exactly once per member and meetup: nobody is nudged twice for the same meetup."""
        changed = await self.db.execute(
            "INSERT INTO meetup_nudges (guild_id, meetup_id, member_id, nudged_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (meetup_id, member_id) DO NOTHING",
            (guild_id, meetup_id, member_id, now),
        )
        return changed == 1

    async def set_whocame(
        self, guild_id: int, meetup_id: int, channel_id: int, message_id: int, now: int
    ) -> None:
        await self.db.execute(
            "INSERT INTO meetup_followups (meetup_id, guild_id, scheduled_at, whocame_channel_id, "
            "whocame_message_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT (meetup_id) DO UPDATE SET "
            "whocame_channel_id = excluded.whocame_channel_id, "
            "whocame_message_id = excluded.whocame_message_id",
            (meetup_id, guild_id, now, channel_id, message_id),
        )


class AttendanceRepository:
    """Who pressed **I was there**."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def check_in(self, guild_id: int, meetup_id: int, member_id: int, now: int) -> bool:
        """Record attendance; False if the member had already checked in."""
        changed = await self.db.execute(
            "INSERT INTO meetup_attendance (guild_id, meetup_id, member_id, checked_in_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (meetup_id, member_id) DO NOTHING",
            (guild_id, meetup_id, member_id, now),
        )
        return changed == 1

    async def attended(self, meetup_id: int, member_id: int) -> bool:
        return bool(
            await self.db.fetchval(
                "SELECT 1 FROM meetup_attendance WHERE meetup_id = ? AND member_id = ?",
                (meetup_id, member_id),
            )
        )

    async def attendees(self, meetup_id: int) -> list[int]:
        """In the order they checked in."""
        rows = await self.db.fetchall(
            "SELECT member_id FROM meetup_attendance WHERE meetup_id = ? ORDER BY checked_in_at, member_id",
            (meetup_id,),
        )
        return [int(row["member_id"]) for row in rows]

    async def count_for_member(self, guild_id: int, member_id: int) -> int:
        """Meetups (not cancelled) the member said they came to, in this server."""
        value = await self.db.fetchval(
            "SELECT COUNT(*) FROM meetup_attendance a JOIN meetups m ON m.id = a.meetup_id "
            "WHERE a.guild_id = ? AND a.member_id = ? AND m.state = 'scheduled'",
            (guild_id, member_id),
        )
        return int(value or 0)

    async def together_since(self, guild_id: int, a: int, b: int, since: int, now: int) -> bool:
        """Were both members at a meetup (not cancelled) that started after ``since``?

        "At" means checked in or said Going: not everyone presses I was there.
        """
        value = await self.db.fetchval(
            "SELECT 1 FROM meetups m WHERE m.guild_id = :guild AND m.state = 'scheduled' "
            "AND m.starts_at > :since AND m.starts_at <= :now "
            "AND (EXISTS (SELECT 1 FROM meetup_attendance x WHERE x.meetup_id = m.id AND x.member_id = :a) "
            "  OR EXISTS (SELECT 1 FROM meetup_rsvps r WHERE r.meetup_id = m.id AND r.member_id = :a "
            "             AND r.status = 'going')) "
            "AND (EXISTS (SELECT 1 FROM meetup_attendance x WHERE x.meetup_id = m.id AND x.member_id = :b) "
            "  OR EXISTS (SELECT 1 FROM meetup_rsvps r WHERE r.meetup_id = m.id AND r.member_id = :b "
            "             AND r.status = 'going')) "
            "LIMIT 1",
            {"guild": guild_id, "since": since, "now": now, "a": a, "b": b},
        )
        return bool(value)
