"""/ask: post a question in the support channel and mention the members best placed to help.

Who is mentioned is decided by :func:`bot.domain.ask.rank_helpers`; this service gathers what it
needs (helpers for the topic, the asker's meetings in person, shared-interest weights, recent
mentions) and turns the result into one message with a thread for answers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

import discord

from bot.domain.ask import CAP_WINDOW, DAILY_CAP, HelperCandidate, rank_helpers, validate_question
from bot.domain.errors import UserError
from bot.domain.guild_settings import Purpose
from bot.domain.interests import normalise_one
from bot.domain.matching import Candidate
from bot.services.config import ConfigService
from bot.services.matching import MatchService, candidate
from bot.services.meetings import MeetingService
from bot.services.profiles import ProfileService
from bot.storage.ask import AskRepository
from bot.ui import ask as ui

log = logging.getLogger(__name__)

THREAD_ARCHIVE_MINUTES = 10080


@dataclass(frozen=True, slots=True)
class Asked:
    topic: str  # the canonical tag
    helpers: list[int]  # who was mentioned, in rank order
    jump_url: str
    thread_id: int | None


class AskService:
    def __init__(
        self,
        profiles: ProfileService,
        meetings: MeetingService,
        matching: MatchService,
        config: ConfigService,
        repo: AskRepository,
    ) -> None:
        self.profiles = profiles
        self.meetings = meetings
        self.matching = matching
        self.config = config
        self.repo = repo
        # One question at a time per server, so two questions at once cannot both take a helper's
        # last mention of the day.
        self._locks: dict[int, asyncio.Lock] = {}

    async def choose_helpers(
        self,
        guild_id: int,
        asker_id: int,
        tag: str,
        now: int,
        present: Callable[[int], bool] | None = None,
    ) -> list[int]:
        """Up to five helpers for ``tag``, best first; ``present`` keeps only current members."""
        ids = [
            member_id
            for member_id in await self.profiles.members_with_interest_and_helper(guild_id, tag)
            if member_id != asker_id and (present is None or present(member_id))
        ]
        counts = await self.repo.mentions_since(guild_id, ids, now - CAP_WINDOW)
        ids = [member_id for member_id in ids if counts.get(member_id, 0) < DAILY_CAP]
        if not ids:
            return []
        met = await self.meetings.met_members(guild_id, asker_id)
        index = await self.matching.index(guild_id)
        asker = await self.profiles.get_profile(guild_id, asker_id)
        asker_tags = frozenset(asker.interests) if asker else frozenset()
        candidates = []
        for member_id in ids:
            helper: Candidate | None = index.get(member_id)
            if helper is None:  # a helper who is not discoverable is not in the index
                profile = await self.profiles.get_profile(guild_id, member_id)
                if profile is None:
                    continue
                helper = candidate(profile)
            shared = asker_tags & helper.interests
            candidates.append(
                HelperCandidate(
                    member_id=member_id,
                    met_in_person=member_id in met,
                    shared_weight=sum(index.weight(t) for t in sorted(shared)),
                    last_active=helper.last_active,
                )
            )
        return rank_helpers(candidates)

    async def ask(
        self, guild: discord.Guild, asker: discord.Member, topic: str, question: str, now: int
    ) -> Asked:
        """Post the question (always) and mention the helpers chosen (when there are any)."""
        question = validate_question(question)
        tag = normalise_one(topic, await self.profiles.known_tags(guild.id))
        channel_id = await self.config.channel_for(guild.id, Purpose.SUPPORT)
        channel = guild.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            raise UserError(
                "The support channel no longer exists. Someone with Manage Server can choose another:",
                "/config channel purpose:support channel:#support",
            )
        lock = self._locks.setdefault(guild.id, asyncio.Lock())
        async with lock:
            # Members who left are skipped once the member cache is complete (it fills after a start).
            present = (lambda member_id: guild.get_member(member_id) is not None) if guild.chunked else None
            helpers = await self.choose_helpers(guild.id, asker.id, tag, now, present)
            try:
                message = await channel.send(
                    ui.question_content(asker, tag, helpers),
                    embed=ui.question_embed(asker, tag, question),
                    allowed_mentions=discord.AllowedMentions(
                        users=[discord.Object(h) for h in helpers], roles=False, everyone=False
                    ),
                )
            except discord.HTTPException as error:
                raise UserError(
                    f"I couldn't post in {channel.mention} ({error.text or error.status}). Give me Send "
                    "Messages, Embed Links and Create Public Threads there, or choose another channel.",
                    "/config channel purpose:support channel:#support",
                ) from error
            await self.repo.record(guild.id, helpers, now, message.id, forget_before=now - CAP_WINDOW)
        await self.matching.touch(guild.id, asker.id, now)
        thread_id = None
        try:
            thread = await message.create_thread(
                name=ui.thread_name(tag, question), auto_archive_duration=THREAD_ARCHIVE_MINUTES
            )
            thread_id = thread.id
        except discord.HTTPException:
            log.warning("guild %s: could not open a thread for a question", guild.id, exc_info=True)
        log.info("guild %s: question asked, %d helper(s) mentioned", guild.id, len(helpers))
        return Asked(topic=tag, helpers=helpers, jump_url=message.jump_url, thread_id=thread_id)
