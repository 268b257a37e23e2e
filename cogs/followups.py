"""Reminders and follow-ups have no commands: their buttons are persistent dynamic items."""

from __future__ import annotations

from bot.app import MeetbridgeBot
from bot.ui import followups as ui


async def setup(bot: MeetbridgeBot) -> None:
    bot.add_dynamic_items(
        ui.HeadcountButton, ui.CheckinButton, ui.PickSelect, ui.PickUserSelect, ui.CatchupButton
    )
