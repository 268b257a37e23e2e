"""SQL for /stats: the path's levels, the meetups held, the busiest interests and cities, a member's
own story, the milestones nothing else records, and the weekly digest's channel.

Portable SQL only (SQLite and PostgreSQL): ``?`` parameters, CTE-free correlated ``EXISTS``,
non-correlated ``IN``, ``LEFT JOIN`` with ``GROUP BY``, ``CASE``, ``COALESCE``, ``ON CONFLICT``; no
date functions (bucketing is done in Python).
"""

from __future__ import annotations

from bot.domain.stats import HeldMeetup
from bot.storage.database import Database
from bot.storage.member_data import MemberTable, register

register(MemberTable("member_milestones", ("member_id",)))

JOINED = "joined"
MATCHED = "matched"
CATCHUP = "catchup"

# The furthest step of the path each member of the cohort reached (see bot.domain.stats). CASE
# tries its branches in order and stops at the first that holds, so a member who never introduced
# costs one lookup, not six. Parameters: end (x10, in the order written), guild, start, end.
_LEVELS = """
SELECT reached, COUNT(*) AS members FROM (
    SELECT CASE
        WHEN NOT EXISTS (
            SELECT 1 FROM profiles p WHERE p.guild_id = c.guild_id AND p.member_id = c.member_id
            AND p.created_at < ?
        ) THEN 1
        WHEN NOT (
            EXISTS (
                SELECT 1 FROM member_milestones m WHERE m.guild_id = c.guild_id
                AND m.member_id = c.member_id AND m.kind = 'matched' AND m.first_at < ?
            )
            OR EXISTS (
                SELECT 1 FROM pairing_group_members gm
                JOIN pairing_groups g ON g.id = gm.group_id
                JOIN pairing_rounds r ON r.id = g.round_id
                WHERE gm.guild_id = c.guild_id AND gm.member_id = c.member_id AND r.started_at < ?
            )
        ) THEN 2
        WHEN NOT EXISTS (
            SELECT 1 FROM meetup_rsvps v WHERE v.guild_id = c.guild_id AND v.member_id = c.member_id
            AND v.status = 'going' AND v.updated_at < ?
        ) THEN 3
        WHEN NOT EXISTS (
            SELECT 1 FROM meetup_attendance a WHERE a.guild_id = c.guild_id AND a.member_id = c.member_id
            AND a.checked_in_at < ?
        ) THEN 4
        WHEN NOT (
            EXISTS (
                SELECT 1 FROM met_in_person t WHERE t.guild_id = c.guild_id AND t.member_id = c.member_id
                AND t.first_met_at < ?
            )
            OR EXISTS (
                SELECT 1 FROM met_in_person t WHERE t.guild_id = c.guild_id
                AND t.other_member_id = c.member_id AND t.first_met_at < ?
            )
        ) THEN 5
        WHEN NOT (
            EXISTS (
                SELECT 1 FROM met_in_person t WHERE t.guild_id = c.guild_id AND t.member_id = c.member_id
                AND t.times >= 2 AND t.last_met_at < ?
            )
            OR EXISTS (
                SELECT 1 FROM met_in_person t WHERE t.guild_id = c.guild_id
                AND t.other_member_id = c.member_id AND t.times >= 2 AND t.last_met_at < ?
            )
            OR EXISTS (
                SELECT 1 FROM member_milestones m WHERE m.guild_id = c.guild_id
                AND m.member_id = c.member_id AND m.kind = 'catchup' AND m.first_at < ?
            )
        ) THEN 6
        ELSE 7
    END AS reached
    FROM member_milestones c
    WHERE c.guild_id = ? AND c.kind = 'joined' AND c.first_at >= ? AND c.first_at < ?
) AS cohort
GROUP BY reached
"""

# The same levels for a big cohort (``all`` on a big server): each step's members listed once
# (a non-correlated IN is built once per query, from a covering index) and each cohort member
# looked up in those lists, instead of up to ten correlated lookups per member. Parameters: (guild,
# end) x10, guild, start, end; the same answers as _LEVELS (a test runs both); cheaper from a few
# tens of thousands of members.
_LEVELS_LISTED = """
SELECT reached, COUNT(*) AS members FROM (
    SELECT CASE
        WHEN c.member_id NOT IN (
            SELECT p.member_id FROM profiles p WHERE p.guild_id = ? AND p.created_at < ?
        ) THEN 1
        WHEN c.member_id NOT IN (
            SELECT m.member_id FROM member_milestones m WHERE m.guild_id = ?
            AND m.kind = 'matched' AND m.first_at < ?
        )
        AND c.member_id NOT IN (
            SELECT gm.member_id FROM pairing_group_members gm
            JOIN pairing_groups g ON g.id = gm.group_id
            JOIN pairing_rounds r ON r.id = g.round_id
            WHERE gm.guild_id = ? AND r.started_at < ?
        ) THEN 2
        WHEN c.member_id NOT IN (
            SELECT v.member_id FROM meetup_rsvps v WHERE v.guild_id = ?
            AND v.status = 'going' AND v.updated_at < ?
        ) THEN 3
        WHEN c.member_id NOT IN (
            SELECT a.member_id FROM meetup_attendance a WHERE a.guild_id = ? AND a.checked_in_at < ?
        ) THEN 4
        WHEN c.member_id NOT IN (
            SELECT t.member_id FROM met_in_person t WHERE t.guild_id = ? AND t.first_met_at < ?
        )
        AND c.member_id NOT IN (
            SELECT t.other_member_id FROM met_in_person t WHERE t.guild_id = ?
            AND t.first_met_at < ?
        ) THEN 5
        WHEN c.member_id NOT IN (
            SELECT t.member_id FROM met_in_person t WHERE t.guild_id = ?
            AND t.times >= 2 AND t.last_met_at < ?
        )
        AND c.member_id NOT IN (
            SELECT t.other_member_id FROM met_in_person t WHERE t.guild_id = ?
            AND t.times >= 2 AND t.last_met_at < ?
        )
        AND c.member_id NOT IN (
            SELECT m.member_id FROM member_milestones m WHERE m.guild_id = ?
            AND m.kind = 'catchup' AND m.first_at < ?
        ) THEN 6
        ELSE 7
    END AS reached
    FROM member_milestones c
    WHERE c.guild_id = ? AND c.kind = 'joined' AND c.first_at >= ? AND c.first_at < ?
) AS cohort
GROUP BY reached
"""

LISTED_FROM = 20_000
"""Cohorts this big are measured with _LEVELS_LISTED (see bench/stats.py)."""

# Meetups that took place in [start, end) and have ended by now: who said Going, who came, both.
# One pass over each meetup's Going answers (a covering index) joined to who came, grouped.
_HELD = """
SELECT m.id, m.starts_at, COUNT(v.member_id) AS going,
    (SELECT COUNT(*) FROM meetup_attendance c WHERE c.meetup_id = m.id) AS came,
    COUNT(a.member_id) AS came_going
FROM meetups m
LEFT JOIN meetup_rsvps v ON v.meetup_id = m.id AND v.status = 'going'
LEFT JOIN meetup_attendance a ON a.meetup_id = v.meetup_id AND a.member_id = v.member_id
WHERE m.guild_id = ? AND m.state = 'scheduled' AND m.starts_at >= ? AND m.starts_at < ? AND m.ends_at <= ?
GROUP BY m.id, m.starts_at
ORDER BY m.starts_at, m.id
"""


class StatsRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- what nothing else records -------------------------------------------------------------------

    async def milestone(self, guild_id: int, member_id: int, kind: str, at: int) -> bool:
        """Record the first time a member did ``kind``; later times change nothing. True if new."""
        return (
            await self.db.execute(
                "INSERT INTO member_milestones (guild_id, member_id, kind, first_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (guild_id, member_id, kind) DO NOTHING",
                (guild_id, member_id, kind, at),
            )
            > 0
        )

    async def milestones(self, guild_id: int, member_id: int) -> dict[str, int]:
        rows = await self.db.fetchall(
            "SELECT kind, first_at FROM member_milestones WHERE guild_id = ? AND member_id = ?",
            (guild_id, member_id),
        )
        return {row["kind"]: int(row["first_at"]) for row in rows}

    # -- the server's figures ------------------------------------------------------------------------

    async def levels(
        self, guild_id: int, start: int | None, end: int, *, listed: bool | None = None
    ) -> dict[int, int]:
        """How many members who joined in [start, end) reached each step of the path by ``end``.
        ``listed``: force one of the two equivalent queries (tests); by default the cohort's size
        picks the cheaper."""
        since = start if start is not None else -(2**62)
        if listed is None:
            cohort = await self.db.fetchval(
                "SELECT COUNT(*) FROM member_milestones "
                "WHERE guild_id = ? AND kind = 'joined' AND first_at >= ? AND first_at < ?",
                (guild_id, since, end),
            )
            listed = int(cohort) >= LISTED_FROM
        if listed:
            rows = await self.db.fetchall(_LEVELS_LISTED, (guild_id, end) * 10 + (guild_id, since, end))
        else:
            rows = await self.db.fetchall(_LEVELS, (end,) * 10 + (guild_id, since, end))
        return {int(row["reached"]): int(row["members"]) for row in rows}

    async def held(self, guild_id: int, start: int | None, end: int, now: int) -> list[HeldMeetup]:
        rows = await self.db.fetchall(_HELD, (guild_id, start if start is not None else -(2**62), end, now))
        return [
            HeldMeetup(
                meetup_id=int(row["id"]),
                starts_at=int(row["starts_at"]),
                going=int(row["going"]),
                came=int(row["came"]),
                came_going=int(row["came_going"]),
            )
            for row in rows
        ]

    async def no_time_polls(self, guild_id: int, start: int | None, end: int) -> int:
        """Polls that closed in the period without a time: no votes, or the winning time had passed."""
        return int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM polls WHERE guild_id = ? AND state = 'closed' "
                "AND outcome IN ('no votes', 'the winning time has passed') "
                "AND closed_at >= ? AND closed_at < ?",
                (guild_id, start if start is not None else -(2**62), end),
            )
        )

    async def top_interests(self, guild_id: int, limit: int) -> list[tuple[str, int]]:
        rows = await self.db.fetchall(
            "SELECT tag, COUNT(*) AS members FROM profile_interests WHERE guild_id = ? "
            "GROUP BY tag ORDER BY members DESC, tag LIMIT ?",
            (guild_id, limit),
        )
        return [(row["tag"], int(row["members"])) for row in rows]

    async def top_cities(self, guild_id: int, limit: int) -> list[tuple[str, int]]:
        rows = await self.db.fetchall(
            "SELECT place_name, place_country, COUNT(*) AS members FROM profiles "
            "WHERE guild_id = ? AND place_name IS NOT NULL "
            "GROUP BY place_name, place_country ORDER BY members DESC, place_name LIMIT ?",
            (guild_id, limit),
        )
        return [
            (f"{row['place_name']}, {row['place_country']}" if row["place_country"] else row["place_name"],
             int(row["members"]))
            for row in rows
        ]  # fmt: skip

    async def member_count(self, guild_id: int) -> int:
        """The bench's baseline: a bare count of the members who introduced themselves."""
        return int(await self.db.fetchval("SELECT COUNT(*) FROM profiles WHERE guild_id = ?", (guild_id,)))

    # -- a member's own story ------------------------------------------------------------------------

    async def organised(self, guild_id: int, member_id: int) -> int:
        return int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM meetups "
                "WHERE guild_id = ? AND organiser_id = ? AND state = 'scheduled'",
                (guild_id, member_id),
            )
        )

    async def attended(self, guild_id: int, member_id: int) -> int:
        return int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM meetup_attendance WHERE guild_id = ? AND member_id = ?",
                (guild_id, member_id),
            )
        )

    async def met(self, guild_id: int, member_id: int) -> list[int]:
        """Everyone the member met in person (always mutual), the most recent meeting first."""
        rows = await self.db.fetchall(
            "SELECT other, last_met_at FROM ("
            "SELECT other_member_id AS other, last_met_at FROM met_in_person "
            "WHERE guild_id = ? AND member_id = ? "
            "UNION ALL "
            "SELECT member_id AS other, last_met_at FROM met_in_person "
            "WHERE guild_id = ? AND other_member_id = ?"
            ") AS pairs ORDER BY last_met_at DESC, other",
            (guild_id, member_id, guild_id, member_id),
        )
        return [int(row["other"]) for row in rows]

    async def shared_with_met(self, guild_id: int, member_id: int, limit: int) -> list[tuple[str, int]]:
        """The member's interests that people they met also list: (tag, how many of them)."""
        rows = await self.db.fetchall(
            "SELECT mine.tag AS tag, COUNT(*) AS members FROM profile_interests mine "
            "JOIN profile_interests theirs ON theirs.guild_id = mine.guild_id AND theirs.tag = mine.tag "
            "WHERE mine.guild_id = ? AND mine.member_id = ? AND theirs.member_id IN ("
            "SELECT other_member_id FROM met_in_person WHERE guild_id = ? AND member_id = ? "
            "UNION SELECT member_id FROM met_in_person WHERE guild_id = ? AND other_member_id = ?"
            ") GROUP BY mine.tag ORDER BY members DESC, mine.tag LIMIT ?",
            (guild_id, member_id, guild_id, member_id, guild_id, member_id, limit),
        )
        return [(row["tag"], int(row["members"])) for row in rows]

    # -- the weekly digest ---------------------------------------------------------------------------

    async def digest_channel(self, guild_id: int) -> int | None:
        value = await self.db.fetchval("SELECT channel_id FROM stats_digests WHERE guild_id = ?", (guild_id,))
        return None if value is None else int(value)

    async def digest(self, guild_id: int) -> tuple[int, int | None] | None:
        """(channel, next posting's task) or None when the digest is off."""
        row = await self.db.fetchone(
            "SELECT channel_id, task_id FROM stats_digests WHERE guild_id = ?", (guild_id,)
        )
        if row is None:
            return None
        return int(row["channel_id"]), (None if row["task_id"] is None else int(row["task_id"]))

    async def set_digest(self, guild_id: int, channel_id: int, task_id: int | None, now: int) -> None:
        await self.db.execute(
            "INSERT INTO stats_digests (guild_id, channel_id, task_id, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id, "
            "task_id = excluded.task_id, updated_at = excluded.updated_at",
            (guild_id, channel_id, task_id, now),
        )

    async def set_digest_task(self, guild_id: int, task_id: int, now: int) -> None:
        await self.db.execute(
            "UPDATE stats_digests SET task_id = ?, updated_at = ? WHERE guild_id = ?",
            (task_id, now, guild_id),
        )

    async def clear_digest(self, guild_id: int) -> int | None:
        """Turn the digest off; the task that was planned, to cancel it."""
        current = await self.digest(guild_id)
        await self.db.execute("DELETE FROM stats_digests WHERE guild_id = ?", (guild_id,))
        return None if current is None else current[1]
