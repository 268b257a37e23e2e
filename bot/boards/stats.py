"""The Discord side of /stats: the chart drawn by the drawing process (off the event loop), and
the weekly digest's posting.

``stats.digest`` runs every Monday 09:00 server time for a server with ``/config digest`` on. It
plans the next posting first (idempotent: a retried run finds it planned), then posts the week's
figures and chart, pinging nobody. A posting more than a day late (the bot was down) is skipped
rather than posted on a Wednesday; the next Monday's still comes.
"""

from __future__ import annotations

import logging

import discord

from bot.adapters.outbound import Outbound, Undeliverable
from bot.domain import limits
from bot.domain.durations import DAY
from bot.domain.stats import HealthReport, chart_spec
from bot.domain.tasks import ScheduledTask
from bot.scheduling.scheduler import RetryLater, Scheduler, TaskDropped
from bot.services.stats import DIGEST, CommunityStats
from bot.ui import stats as ui
from bot.ui.stats_chart import Drawer

log = logging.getLogger(__name__)

DIGEST_PERIOD = "7d"
LATE = DAY


async def chart(report: HealthReport, drawer: Drawer) -> discord.File | None:
    """The chart as an attachment, drawn by the drawing process (awaited on pipes) so the bot keeps
    answering meanwhile and never loads matplotlib; None if it could not be drawn in time (the
    embed still carries every figure)."""
    try:
        png = await drawer.draw(chart_spec(report))
    except Exception:
        log.exception("the stats chart could not be drawn")
        return None
    if len(png) > limits.ATTACHMENT_BYTES:
        log.warning("the stats chart is %d bytes, over Discord's limit; sent without it", len(png))
        return None
    return ui.chart_file(png)


class StatsBoard:
    def __init__(self, outbound: Outbound, stats: CommunityStats, scheduler: Scheduler) -> None:
        self.outbound = outbound
        self.client = outbound.client
        self.stats = stats
        self.drawer = Drawer()
        scheduler.register(DIGEST, self._digest)

    async def warm(self) -> None:
        """Start the drawing process while the figures are read (a failure only logs: the chart
        is then tried, and may fail, when drawn)."""
        try:
            await self.drawer.warm()
        except Exception:
            log.exception("the stats drawing process could not start")

    async def close(self) -> None:
        """The bot closes: the drawing process ends with it."""
        await self.drawer.close()

    async def rendered(
        self, report: HealthReport, guild_name: str, *, with_chart: bool = True
    ) -> tuple[discord.Embed, discord.File | None]:
        file = await chart(report, self.drawer) if with_chart else None
        return ui.stats_embed(report, guild_name, chart=file is not None), file

    @staticmethod
    def _may_attach(guild: discord.Guild | None, channel_id: int) -> bool:
        """Whether the bot may attach files in the digest's channel (Discord refuses the whole post
        otherwise): without Attach Files the digest goes out without its chart, as /config says."""
        channel = guild.get_channel_or_thread(channel_id) if guild is not None else None
        if not isinstance(channel, discord.abc.GuildChannel):
            return True  # not cached: try, and a refusal is retried like any other
        return channel.permissions_for(channel.guild.me).attach_files

    async def _digest(self, task: ScheduledTask) -> None:
        guild_id, due = task.guild_id, task.due_at
        channel_id = await self.stats.digest_channel(guild_id)
        if channel_id is None:
            raise TaskDropped("the digest was turned off")
        await self.stats.plan_next_digest(guild_id, due)
        if self.stats.now() - due > LATE:
            raise TaskDropped("more than a day late (the bot was down); the next Monday's comes")
        guild = self.client.get_guild(guild_id)
        report = await self.stats.report(guild_id, DIGEST_PERIOD, due)
        embed, file = await self.rendered(
            report, guild.name if guild else "this server", with_chart=self._may_attach(guild, channel_id)
        )
        try:
            await self.outbound.post(
                channel_id, guild_id, content="📊 **This week in the community**", embed=embed, file=file
            )
        except Undeliverable as exc:
            if exc.permanent:
                raise TaskDropped(f"the digest channel refused it: {exc.missing}") from exc
            raise RetryLater("the digest could not be posted yet") from exc
