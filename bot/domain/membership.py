"""Membership as a lifecycle: a member who leaves (or a server that removes the bot) is hidden at
once and forgotten after the server's retention period, unless they come back first.

Pure: the task kinds, the departures as stored, and the one rule about when the purge is due.
"""

from __future__ import annotations

from dataclasses import dataclass

MEMBER_PURGE = "member.purge"
"""Retention over for a member who left: forget them in that server (subject: the departure row)."""
GUILD_PURGE = "guild.purge"
"""Retention over for a server that removed the bot: delete everything stored for it."""


def purge_due(left_at: int, retention: int) -> int:
    """When the data of whoever left at ``left_at`` is deleted."""
    return left_at + retention


@dataclass(frozen=True, slots=True)
class MemberDeparture:
    id: int
    guild_id: int
    member_id: int
    left_at: int
    purge_at: int
    task_id: int | None  # the member.purge task, once planned


@dataclass(frozen=True, slots=True)
class GuildDeparture:
    guild_id: int
    left_at: int
    purge_at: int
    task_id: int | None  # the guild.purge task, once planned
