"""Profiles: /intro, /profile, and what other features ask about members.

Other features call this service, never the profile tables:

- :meth:`ProfileService.get_profile` – one member's profile in one server (or None).
- :meth:`ProfileService.list_profiles_for_matching` – discoverable profiles with tags and places
  (never a member who left the server; :meth:`ProfileService.matchable` asks about one member).
- :meth:`ProfileService.known_tags` – the server's tags as a cached :class:`TagIndex`.
- :meth:`ProfileService.preferences` – discoverable / dm / helper for a member.
- :meth:`ProfileService.dm_modes` – what each of a list allows by DM (the outbox asks).
- :meth:`ProfileService.members_with_interest_and_helper` – who to mention for ``/ask``.
- :meth:`ProfileService.touch_activity` – record that a member was active.
- :meth:`ProfileService.on_change` – be told when a member's profile or preferences change (a
  cache such as /match's index can then update one member instead of reloading the server).
- :meth:`ProfileService.use_stats` – the meetup features plug in the counts /profile shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from bot.domain.consent import DmMode
from bot.domain.errors import NotFound, UserError
from bot.domain.interests import EXAMPLE as INTERESTS_EXAMPLE
from bot.domain.interests import TagIndex, parse_interests
from bot.domain.places import Geocoder, Place
from bot.domain.profiles import (
    IntroForm,
    IntroMessage,
    MemberStats,
    PreferenceName,
    Preferences,
    Profile,
    parse_links,
    validate_about,
    validate_city,
)
from bot.storage.profiles import ProfileRepository

log = logging.getLogger(__name__)

ProfileListener = Callable[[int, int], None]


class MemberStatsProvider(Protocol):
    """Counts for /profile; the meetup and check-in features provide the real one."""

    async def stats(self, guild_id: int, member_id: int) -> MemberStats: ...


class NoStats:
    """Zero until the features that record attendance and meetings register their query."""

    async def stats(self, guild_id: int, member_id: int) -> MemberStats:
        return MemberStats()


@dataclass(frozen=True, slots=True)
class SavedIntro:
    profile: Profile
    first: bool  # the member had no profile before
    place_hint: str | None = None  # the city was ambiguous: which one was picked, how to be precise


@dataclass(frozen=True, slots=True)
class ProfileView:
    """What /profile shows: the profile, its counts, and one's own settings."""

    profile: Profile
    stats: MemberStats
    preferences: Preferences | None  # only when members look at themselves


class ProfileService:
    def __init__(
        self,
        repo: ProfileRepository,
        geocoder: Geocoder | None = None,
        stats: MemberStatsProvider | None = None,
    ) -> None:
        self.repo = repo
        self.geocoder = geocoder
        self._stats: MemberStatsProvider = stats or NoStats()
        self._tags: dict[int, TagIndex] = {}
        self._listeners: list[ProfileListener] = []

    # -- wiring ----------------------------------------------------------------------------

    def use_stats(self, provider: MemberStatsProvider) -> None:
        self._stats = provider

    def on_change(self, listener: ProfileListener) -> None:
        """Call ``listener(guild_id, member_id)`` after a profile or preference of theirs changes."""
        self._listeners.append(listener)

    def changed(self, guild_id: int, member_id: int) -> None:
        """Drop the server's cached tags and tell listeners; called after /privacy forget."""
        self._tags.pop(guild_id, None)
        self._notify(guild_id, member_id)

    def drop_guild(self, guild_id: int) -> None:
        """Drop what is cached for a server whose data was deleted."""
        self._tags.pop(guild_id, None)

    def _tags_saved(self, guild_id: int, before: tuple[str, ...], after: tuple[str, ...]) -> None:
        """Keep the cached index current: extend it when tags were only added (a first intro,
        the common case), rebuild it from the database when some were removed."""
        cached = self._tags.get(guild_id)
        if cached is None:
            return
        if set(before) - set(after):
            del self._tags[guild_id]
        elif not cached.tags.issuperset(after):
            self._tags[guild_id] = TagIndex(cached.tags.union(after))

    def _notify(self, guild_id: int, member_id: int) -> None:
        for listener in self._listeners:
            try:
                listener(guild_id, member_id)
            except Exception:
                log.exception("profile listener %r failed", listener)

    # -- reads -----------------------------------------------------------------------------

    async def get_profile(self, guild_id: int, member_id: int) -> Profile | None:
        return await self.repo.get(guild_id, member_id)

    async def require_profile(self, guild_id: int, member_id: int, *, own: bool) -> Profile:
        profile = await self.repo.get(guild_id, member_id)
        if profile is None:
            if own:
                raise NotFound("You haven't introduced yourself in this server yet: run `/intro`.", "/intro")
            raise NotFound("That member hasn't introduced themselves in this server yet.", "/profile")
        return profile

    async def profile_view(self, guild_id: int, member_id: int, *, own: bool) -> ProfileView:
        """A profile for /profile. Discovery off does not hide it: the introduction is public in
        the introductions channel anyway; discovery only governs /match and pairing."""
        profile = await self.require_profile(guild_id, member_id, own=own)
        return ProfileView(
            profile=profile,
            stats=await self._stats.stats(guild_id, member_id),
            preferences=await self.repo.preferences(guild_id, member_id) if own else None,
        )

    async def list_profiles_for_matching(self, guild_id: int) -> list[Profile]:
        """Every discoverable profile in the server, with tags, place and last activity."""
        return await self.repo.discoverable(guild_id)

    async def matchable(self, guild_id: int, member_id: int) -> bool:
        """Whether /match and pairing may show this member: a profile, discovery on, still here."""
        return await self.repo.matchable(guild_id, member_id)

    async def known_tags(self, guild_id: int) -> TagIndex:
        """The tags already used in the server, built once and kept until a profile changes."""
        index = self._tags.get(guild_id)
        if index is None:
            index = TagIndex(await self.repo.known_tags(guild_id))
            self._tags[guild_id] = index
        return index

    async def preferences(self, guild_id: int, member_id: int) -> Preferences:
        return await self.repo.preferences(guild_id, member_id)

    async def dm_modes(self, guild_id: int, member_ids: Iterable[int]) -> dict[int, DmMode]:
        """Each member's ``/privacy dm`` choice (``replies`` for those who never chose)."""
        return await self.repo.dm_modes(guild_id, member_ids)

    async def members_with_interest_and_helper(self, guild_id: int, tag: str) -> list[int]:
        """Members listing the canonical ``tag`` who turned ``/privacy helper`` on.

        Discovery does not matter here: offering help is its own, explicit consent.
        """
        return await self.repo.helpers_with_tag(guild_id, tag)

    async def stats(self, guild_id: int, member_id: int) -> MemberStats:
        return await self._stats.stats(guild_id, member_id)

    # -- writes ----------------------------------------------------------------------------

    async def save_intro(self, guild_id: int, member_id: int, form: IntroForm, now: int) -> SavedIntro:
        """Check every field, geocode the city, then store the profile in one transaction.

        Any refusal raises :class:`UserError` before anything is written.
        """
        about = validate_about(form.about)
        interests = parse_interests(form.interests, await self.known_tags(guild_id))
        if not interests:
            raise UserError("Please list at least one interest, separated by commas.", INTERESTS_EXAMPLE)
        links = parse_links(form.links)
        city = validate_city(form.city)
        existing = await self.repo.get(guild_id, member_id)
        city, place, hint = await self._locate(city, existing)

        profile = await self.repo.save(
            Profile(
                guild_id=guild_id,
                member_id=member_id,
                about=about,
                interests=tuple(interests),
                city=city,
                place=place,
                links=links,
                created_at=now,
                updated_at=now,
                last_active=now,
            )
        )
        self._tags_saved(guild_id, existing.interests if existing else (), profile.interests)
        self._notify(guild_id, member_id)
        return SavedIntro(profile=profile, first=existing is None, place_hint=hint)

    async def _locate(
        self, city: str | None, existing: Profile | None
    ) -> tuple[str | None, Place | None, str | None]:
        """(city text to store, place, hint). With a geocoder the stored text is its city-level
        query (a typed street address never reaches the database); without one, what was typed."""
        if city is None or self.geocoder is None:
            return city, None, None
        if existing is not None and existing.city == city and existing.place is not None:
            return city, existing.place, None  # unchanged: no second lookup (Nominatim is rate limited)
        result = await self.geocoder.geocode(city)
        return result.query or city, result.place, result.hint

    async def set_intro_message(self, guild_id: int, member_id: int, intro: IntroMessage | None) -> None:
        await self.repo.set_intro_message(guild_id, member_id, intro)

    async def set_preference(
        self, guild_id: int, member_id: int, name: PreferenceName, value: bool | DmMode, now: int
    ) -> Preferences:
        preferences = await self.repo.set_preference(guild_id, member_id, name, value, now)
        self._notify(guild_id, member_id)
        return preferences

    async def touch_activity(self, guild_id: int, member_id: int, now: int) -> bool:
        """Record that the member was active; False (and nothing stored) without a profile."""
        return await self.repo.touch(guild_id, member_id, now)
