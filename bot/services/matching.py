"""/match: who in this server shares the asker's interests, from an in-memory index per server.

The index (:class:`bot.domain.matching.InterestIndex`) is built from the discoverable profiles
the first time a server asks and then kept in sync one member at a time: the profile service
tells us who changed (``on_change``), we mark them stale, and the next query reloads just them.
Listeners are synchronous, so the reload waits for the next query rather than racing it.

An index is memory (about 20 MiB per 100,000 profiles): one not used for ``IDLE_DROP`` seconds
is dropped when another server's is used, and rebuilt from the database by the next query (about
a second per 100,000 profiles; ``bench/matching.py`` measures it).

Other features call :meth:`MatchService.weights` and :meth:`MatchService.weight` for the
server's interest rarities (pairing rounds maximise them; ``/ask`` ranks helpers by them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from bot.domain.clock import Clock
from bot.domain.errors import NotFound
from bot.domain.interests import normalise_one
from bot.domain.matching import Candidate, InterestIndex, MatchAnswer
from bot.domain.profiles import Profile
from bot.services.blocks import BlockService
from bot.services.locks import KeyedLocks
from bot.services.profiles import ProfileService

log = logging.getLogger(__name__)

MATCH_LIMIT = 10
LEFT_SLACK = 10  # extra results asked for, in case some of those members left the server
IDLE_DROP = 3600  # seconds without a query after which a server's index is dropped


def candidate(profile: Profile) -> Candidate:
    """A profile as the matcher sees it: tags, city-level coordinates, last activity."""
    place = profile.place
    return Candidate(
        member_id=profile.member_id,
        interests=frozenset(profile.interests),
        lat=place.latitude if place else None,
        lon=place.longitude if place else None,
        last_active=profile.last_active,
    )


class MatchService:
    def __init__(
        self,
        profiles: ProfileService,
        blocks: BlockService,
        *,
        now: Clock | None = None,
        owns: Callable[[int], bool] | None = None,
    ) -> None:
        """``owns`` says whether a server is on this process's shards: only those keep an index (a
        server another process serves changes there, so a kept index would go stale)."""
        self.profiles = profiles
        self.blocks = blocks
        self._now = now
        self._owns = owns or (lambda guild_id: True)
        self._indexes: dict[int, InterestIndex] = {}
        self._used: dict[int, int] = {}  # server -> when its index was last used
        self._stale: dict[int, set[int]] = {}
        self._building: KeyedLocks[int] = KeyedLocks()  # per server: one build or refresh at a time
        profiles.on_change(self._changed)

    # -- the index ---------------------------------------------------------------------------

    def _changed(self, guild_id: int, member_id: int) -> None:
        if guild_id in self._indexes or guild_id in self._building:
            self._stale.setdefault(guild_id, set()).add(member_id)

    async def index(self, guild_id: int) -> InterestIndex:
        """The server's index, built on first use and brought up to date with recent changes."""
        self._drop_idle(guild_id)
        async with self._building.hold(guild_id):
            index = self._indexes.get(guild_id)
            if index is None:
                # Changes that arrive while we read are kept in ``_stale`` and applied below.
                self._stale.pop(guild_id, None)
                profiles = await self.profiles.list_profiles_for_matching(guild_id)
                index = InterestIndex(candidate(p) for p in profiles)
                if not self._owns(guild_id):
                    return index  # answered once, not kept
                self._indexes[guild_id] = index
                log.info("built the match index of guild %s: %d profiles", guild_id, len(index))
            while stale := self._stale.pop(guild_id, None):
                for member_id in stale:
                    await self._reload(guild_id, index, member_id)
            return index

    def drop_guild(self, guild_id: int) -> None:
        """Forget the server's index (its data was deleted); the next query rebuilds it."""
        self._indexes.pop(guild_id, None)
        self._stale.pop(guild_id, None)
        self._used.pop(guild_id, None)

    def _drop_idle(self, using: int) -> None:
        """Note that ``using``'s index is in use; drop the indexes idle for ``IDLE_DROP`` seconds."""
        if self._now is None:
            return
        now = self._now()
        self._used[using] = now
        idle = [g for g, used in self._used.items() if now - used >= IDLE_DROP]
        for guild_id in idle:
            if guild_id not in self._building:  # a build or refresh in progress keeps it
                index = self._indexes.get(guild_id)
                self.drop_guild(guild_id)
                if index is not None:
                    log.info("dropped the idle match index of guild %s (%d profiles)", guild_id, len(index))

    def loaded(self) -> set[int]:
        """The servers whose index is in memory."""
        return set(self._indexes)

    async def _reload(self, guild_id: int, index: InterestIndex, member_id: int) -> None:
        profile = await self.profiles.get_profile(guild_id, member_id)
        if profile is None or not await self.profiles.matchable(guild_id, member_id):
            index.remove(member_id)
        else:
            index.upsert(candidate(profile))

    # -- use cases ---------------------------------------------------------------------------

    async def match(
        self,
        guild_id: int,
        member_id: int,
        *,
        interest: str | None = None,
        within_km: float | None = None,
        now: int,
        limit: int = MATCH_LIMIT,
        present: Callable[[int], bool] | None = None,
    ) -> MatchAnswer:
        """Up to ``limit`` members who share the asker's interests (or the named one).

        The asker is matched from their own profile, so a member who turned discovery off can
        still search (they just never appear in others' results). Members who left are never in the
        index (their departure is recorded at once); ``present`` also drops any the member cache
        misses. Members kept apart from the asker by a block (either way) are never listed: the
        index is asked for that many more, so the list is as long as it would be without them.
        """
        profile = await self.profiles.get_profile(guild_id, member_id)
        if profile is None:
            raise NotFound("You haven't introduced yourself yet: run `/intro` first, then search.", "/intro")
        tag = None
        if interest is not None:
            tag = normalise_one(interest, await self.profiles.known_tags(guild_id))
        index = await self.index(guild_id)
        await self.touch(guild_id, member_id, now)
        asker = candidate(profile)
        hidden = await self.blocks.hidden_from(guild_id, member_id)
        if present is None and not hidden:
            matches = index.match(asker, interest=tag, within_km=within_km, limit=limit)
        else:

            def keep(member: int) -> bool:
                return member not in hidden and (present is None or present(member))

            slack = len(hidden) + (LEFT_SLACK if present is not None else 0)
            matches = index.match(
                asker, interest=tag, within_km=within_km, limit=limit, keep=keep, slack=slack
            )
        return MatchAnswer(matches, tag, within_km, asker.location is not None)

    async def touch(self, guild_id: int, member_id: int, now: int) -> None:
        """The member was active: stored, and reflected in the index without a reload."""
        if await self.profiles.touch_activity(guild_id, member_id, now):
            index = self._indexes.get(guild_id)
            if index is not None:
                index.touch(member_id, now)

    async def suggest_interests(self, guild_id: int, typed: str, limit: int = 25) -> list[str]:
        """Tags used in this server that contain what the member typed, shortest first."""
        needle = " ".join(typed.lower().split())
        tags = (await self.profiles.known_tags(guild_id)).tags
        found = [tag for tag in tags if needle in tag] if needle else list(tags)
        found.sort(key=lambda tag: (not tag.startswith(needle), len(tag), tag))
        return found[:limit]

    async def weights(self, guild_id: int) -> Mapping[str, float]:
        """Every tag's inverse-document-frequency weight in this server right now."""
        return (await self.index(guild_id)).weights()

    async def weight(self, guild_id: int, tag: str) -> float:
        return (await self.index(guild_id)).weight(tag)
