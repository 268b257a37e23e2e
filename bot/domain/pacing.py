"""When each message may go out so that Discord's rate limits are never hit.

Discord allows about 5 messages per 5 seconds in one channel and 50 requests per second for the
whole bot. discord.py backs off when it gets a 429, but a bot that trips limits routinely gets
slower and, for global limits, temporarily banned. So the bot plans: every message it posts on
its own (reminders, not interaction replies) is given a send second that keeps both limits, and
that second becomes the due time of a scheduled task. Nothing sleeps; a burst larger than the
limits spreads over the next seconds, deterministically.

Pure and in memory: plans are forgotten once their window has passed, and a restart starts with
an empty plan (discord.py's own 429 handling remains the backstop).
"""

from __future__ import annotations

from collections import defaultdict

CHANNEL_LIMIT = 5
CHANNEL_WINDOW = 5
GLOBAL_PER_SECOND = 30
"""Of Discord's 50 requests a second, what planned posts may use: DMs, thread creation, edits and
interaction replies need the rest."""


class SendPlanner:
    def __init__(
        self,
        *,
        per_channel: int = CHANNEL_LIMIT,
        window: int = CHANNEL_WINDOW,
        per_second: int = GLOBAL_PER_SECOND,
    ) -> None:
        if per_channel < 1 or window < 1 or per_second < 1:
            raise ValueError("limits must be positive")
        self.per_channel = per_channel
        self.window = window
        self.per_second = per_second
        self._channels: dict[int, list[int]] = defaultdict(list)
        self._seconds: dict[int, int] = defaultdict(int)

    def plan(self, channel_id: int, count: int, now: int) -> list[int]:
        """Send seconds (epoch, ascending, the first at ``now`` when there is room) for ``count``
        messages in one channel; they are reserved at once."""
        self._forget(now)
        planned = self._channels[channel_id]
        times: list[int] = []
        second = now
        for _ in range(count):
            while not self._fits(planned, second):
                second += 1
            planned.append(second)
            self._seconds[second] += 1
            times.append(second)
        return times

    def _fits(self, planned: list[int], second: int) -> bool:
        if self._seconds[second] >= self.per_second:
            return False
        # Every window of ``window`` seconds that contains ``second`` must have room.
        for start in range(second - self.window + 1, second + 1):
            if sum(1 for s in planned if start <= s < start + self.window) >= self.per_channel:
                return False
        return True

    def _forget(self, now: int) -> None:
        horizon = now - self.window
        for second in [s for s in self._seconds if s < horizon]:
            del self._seconds[second]
        for channel_id in list(self._channels):
            kept = [s for s in self._channels[channel_id] if s >= horizon]
            if kept:
                self._channels[channel_id] = kept
            else:
                del self._channels[channel_id]

    @property
    def channels_tracked(self) -> int:
        return len(self._channels)
