"""The keep-in-touch DM, rendered when the outbox sends it: whom they met (as they are named now)
and a **Plan a catch-up** button; nothing when either has left the server since."""

from __future__ import annotations

from typing import Any

from bot.adapters.outbound import Outbound
from bot.boards.outbox import DmSender
from bot.domain.outbox import OutboxRow
from bot.services.nudges import NUDGE_DM
from bot.ui import followups as ui


class NudgeBoard:
    def __init__(self, outbound: Outbound, sender: DmSender) -> None:
        self.client = outbound.client
        sender.register(NUDGE_DM, self._render)

    async def _render(self, row: OutboxRow) -> dict[str, Any] | None:
        other_id = int(row.args.get("other", 0))
        guild = self.client.get_guild(row.guild_id)
        if not other_id or guild is None:
            return None  # forgotten, or the bot left the server
        other = guild.get_member(other_id)
        if other is None:
            return None  # they left: a catch-up poll would miss them
        return {
            "content": ui.nudge(other.display_name, other_id, guild.name),
            "view": ui.outbox_view(ui.catchup_spec(row.guild_id, other_id)),
        }
