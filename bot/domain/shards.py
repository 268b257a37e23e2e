"""Which process serves which server: Discord's shard rule, and a process's share of the work.

Discord puts a server on shard ``(guild_id >> 22) % shard_count``. A Meetbridge process connects
some of the shards (``MEETBRIDGE_SHARD_IDS``) and *owns* the servers on them: it alone arms their
timed work, drains their DMs and keeps their in-memory indexes. Work that serves every server is
recorded under guild id 0, which the rule puts on shard 0, so it belongs to whoever runs shard 0.

Two processes may own the same shard for a while (a re-shard in progress, or a mistake); the
claims in the database (:mod:`bot.storage.tasks`) still let only one of them run each task.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DISCORD_GLOBAL_RATE = 50.0
"""Requests per second Discord allows one bot token, across all of its processes."""

_RANGE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")
_ONE = re.compile(r"^\s*(\d+)\s*$")
SHARD_IDS_EXAMPLE = "`0-3` (shards 0 to 3) or `4,5,6,7`"
MAX_SHARDS = 4096


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord puts a server on."""
    return (guild_id >> 22) % shard_count


def parse_shard_ids(text: str | None, shard_count: int) -> tuple[int, ...]:
    """``"0-3"``, ``"4,5,6,7"`` or a mix (``"0-1,6"``); empty or None means every shard.

    Raises ValueError with a message that says what is wrong and what to write instead.
    """
    if shard_count < 1:
        raise ValueError(f"the shard count must be 1 or more, not {shard_count}")
    if text is None or not text.strip():
        return tuple(range(shard_count))
    ids: list[int] = []
    for part in text.split(","):
        if match := _RANGE.match(part):
            first, last = int(match.group(1)), int(match.group(2))
            if first > last:
                raise ValueError(
                    f"shard range {part.strip()!r} runs backwards; write e.g. {SHARD_IDS_EXAMPLE}"
                )
            ids.extend(range(first, last + 1))
        elif match := _ONE.match(part):
            ids.append(int(match.group(1)))
        else:
            raise ValueError(
                f"cannot read shard ids {text!r} (at {part.strip()!r}); write e.g. {SHARD_IDS_EXAMPLE}"
            )
    out_of_range = sorted({shard for shard in ids if shard >= shard_count})
    if out_of_range:
        raise ValueError(
            f"shard id(s) {', '.join(map(str, out_of_range))} do not exist with {shard_count} shard(s) "
            f"(ids run from 0 to {shard_count - 1})"
        )
    duplicates = sorted({shard for shard in ids if ids.count(shard) > 1})
    if duplicates:
        raise ValueError(f"shard id(s) {', '.join(map(str, duplicates))} are listed twice in {text!r}")
    return tuple(sorted(ids))


@dataclass(frozen=True, slots=True)
class Shards:
    """The shards one process runs, out of ``count``."""

    count: int = 1
    ids: tuple[int, ...] = (0,)

    def __post_init__(self) -> None:
        if self.count < 1 or not self.ids or any(not 0 <= shard < self.count for shard in self.ids):
            raise ValueError(f"bad shards {self.ids} of {self.count}")

    @property
    def everything(self) -> bool:
        """This process owns every server (the single-process default): no filtering needed."""
        return len(set(self.ids)) == self.count

    @property
    def several_processes(self) -> bool:
        """Other processes may run these shards' work too (any sharded deployment): a process then
        looks for what they planned or left behind, instead of trusting its own memory."""
        return self.count > 1

    def owns(self, guild_id: int) -> bool:
        return self.everything or shard_of(guild_id, self.count) in self.ids

    def home(self, shard: int) -> int:
        """A guild id that falls on ``shard`` (0 for shard 0): the id under which a process files
        work that belongs to a shard rather than to one server (e.g. its DM drain)."""
        return shard << 22

    def describe(self) -> str:
        return f"shard(s) {','.join(map(str, self.ids))} of {self.count}"


def is_home(guild_id: int) -> bool:
    """An id from :meth:`Shards.home` (work filed under a shard, not a real server): its snowflake
    time would be within the first few seconds of 2015, before Discord had servers."""
    return guild_id & ((1 << 22) - 1) == 0 and (guild_id >> 22) < MAX_SHARDS


def default_rate_share(shards: Shards, global_rate: float = DISCORD_GLOBAL_RATE) -> float:
    """A process's share of Discord's global limit when none is configured: in proportion to the
    shards it runs (50 / number of processes when the shards are split evenly)."""
    return global_rate * len(shards.ids) / shards.count
