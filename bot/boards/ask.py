"""The Discord side of /ask: the question posted in the support channel, mentioning the helpers
chosen, with a thread for answers."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import discord

from bot.adapters.outbound import Outbound, Posted, Undeliverable
from bot.domain.ask import Asked
from bot.domain.errors import UserError
from bot.services.ask import AskService
from bot.ui import ask as ui

log = logging.getLogger(__name__)

THREAD_ARCHIVE_MINUTES = 10080


class AskBoard:
    def __init__(self, ask: AskService, outbound: Outbound) -> None:
        self.ask_service = ask
        self.outbound = outbound

    async def ask(
        self, guild: discord.Guild, asker: discord.Member, topic: str, question: str, now: int
    ) -> Asked:
        """Post the question (always) and mention the helpers chosen (when there are any)."""
        tag, question, channel_id = await self.ask_service.prepare(guild.id, topic, question)
        channel = guild.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            raise UserError(
                "The support channel no longer exists. Someone with Manage Server can choose another:",
                "/config channel purpose:support channel:#support",
            )
        posted: list[Posted] = []

        async def post(helpers: Sequence[int]) -> int:
            try:
                sent = await self.outbound.post(
                    channel.id,
                    guild.id,
                    content=ui.question_content(asker, tag, helpers),
                    embed=ui.question_embed(asker, tag, question),
                    ping=helpers,
                )
            except Undeliverable as error:
                why = f"I'm missing {error.missing} there" if error.forbidden else "Discord did not take it"
                raise UserError(
                    f"I couldn't post in {channel.mention}: {why}. Give me Send Messages, Embed Links and "
                    "Create Public Threads there, or choose another channel.",
                    "/config channel purpose:support channel:#support",
                ) from error
            posted.append(sent)
            return sent.message_id

        # Members who left are skipped once the member cache is complete (it fills after a start).
        present = (lambda member_id: guild.get_member(member_id) is not None) if guild.chunked else None
        helpers = await self.ask_service.ask(guild.id, asker.id, tag, now, post, present)
        message = posted[0]
        thread_id = None
        try:
            thread_id = await self.outbound.thread_from_message(
                channel.id,
                guild.id,
                message.message_id,
                name=ui.thread_name(tag, question),
                archive_minutes=THREAD_ARCHIVE_MINUTES,
            )
        except Undeliverable as error:
            log.warning("guild %s: could not open a thread for a question (%s)", guild.id, error)
        log.info(
            "guild %s: question (%d characters), %d helper(s) mentioned",
            guild.id,
            len(question),
            len(helpers),
        )
        return Asked(topic=tag, helpers=helpers, jump_url=message.jump_url, thread_id=thread_id)
