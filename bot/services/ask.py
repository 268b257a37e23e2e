"""/ask: whom to mention for a question, chosen and recorded one question at a time per server.

Who is mentioned is decided by :func:`bot.domain.ask.rank_helpers`; this service gathers what it
needs (helpers for the topic, the asker's meetings in person, shared-interest weights, recent
mentions), and records who was mentioned so nobody is asked more than the daily cap. The question
is posted by the Discord side (:mod:`bot.boards.ask`) from inside :meth:`AskService.ask`, so two
questions at once cannot both take a helper's last mention of the day.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.domain.ask import CAP_WINDOW, DAILY_CAP, HelperCandidate, rank_helpers, validate_question
from bot.domain.guild_settings import Purpose
from bot.domain.interests import normalise_one
from bot.domain.matching import Candidate
from bot.services.blocks import BlockService
from bot.services.config import ConfigService
from bot.services.locks import KeyedLocks
from bot.services.matching import MatchService, candidate
from bot.services.meetings import MeetingService
from bot.services.profiles import ProfileService
from bot.storage.ask import AskRepository

log = logging.getLogger(__name__)

Post = Callable[[Sequence[int]], Awaitable[int]]
"""Posts the question mentioning these helpers; returns the message's id."""


class AskService:
    def __init__(
        self,
        profiles: ProfileService,
        meetings: MeetingService,
        matching: MatchService,
        config: ConfigService,
        repo: AskRepository,
        blocks: BlockService,
    ) -> None:
        self.profiles = profiles
        self.blocks = blocks
        self.meetings = meetings
        self.matching = matching
        self.config = config
        self.repo = repo
        # One question at a time per server, so two questions at once cannot both take a helper's
        # last mention of the day.
        self._locks: KeyedLocks[int] = KeyedLocks()

    async def prepare(self, guild_id: int, topic: str, question: str) -> tuple[str, str, int]:
        """The question checked, its topic as a canonical tag, and the support channel's id."""
        question = validate_question(question)
        tag = normalise_one(topic, await self.profiles.known_tags(guild_id))
        channel_id = await self.config.channel_for(guild_id, Purpose.SUPPORT)
        return tag, question, channel_id

    async def choose_helpers(
        self,
        guild_id: int,
        asker_id: int,
        tag: str,
        now: int,
        present: Callable[[int], bool] | None = None,
    ) -> list[int]:
        """Up to five helpers for ``tag``, best first; ``present`` keeps only current members. Nobody
        kept apart from the asker by a block (either way) is ever chosen."""
        hidden = await self.blocks.hidden_from(guild_id, asker_id)
        ids = [
            member_id
            for member_id in await self.profiles.members_with_interest_and_helper(guild_id, tag)
            if member_id != asker_id and member_id not in hidden and (present is None or present(member_id))
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
        self,
        guild_id: int,
        asker_id: int,
        tag: str,
        now: int,
        post: Post,
        present: Callable[[int], bool] | None = None,
    ) -> list[int]:
        """Choose the helpers, have ``post`` post the question mentioning them, and record whom it
        mentioned; returns them. The asker counts as active."""
        async with self._locks.hold(guild_id):
            helpers = await self.choose_helpers(guild_id, asker_id, tag, now, present)
            message_id = await post(helpers)
            await self.repo.record(guild_id, helpers, now, message_id, forget_before=now - CAP_WINDOW)
        await self.matching.touch(guild_id, asker_id, now)
        return helpers
