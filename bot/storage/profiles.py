"""SQL for member profiles, their interest tags and their privacy preferences.

Every query is scoped by ``guild_id``: a member's profile in one server is invisible in another.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from bot.domain.consent import DmMode
from bot.domain.places import Place
from bot.domain.profiles import DEFAULT_PREFERENCES, IntroMessage, PreferenceName, Preferences, Profile
from bot.storage.database import Database
from bot.storage.member_data import MemberTable, register

register(MemberTable("profiles", ("member_id",)))
register(MemberTable("profile_interests", ("member_id",)))
register(MemberTable("member_preferences", ("member_id",)))

_UPSERT_PREFERENCE = (
    "INSERT INTO member_preferences (guild_id, member_id, discoverable, dm_mode, helper, updated_at) "
    "VALUES (:guild, :member, :discoverable, :dm, :helper, :now) "
    "ON CONFLICT (guild_id, member_id) DO UPDATE SET "
)
# One statement per preference, written out: column names are never built from input.
_SET_PREFERENCE: dict[str, str] = {
    "discoverable": _UPSERT_PREFERENCE + "discoverable = :value, updated_at = :now",
    "dm": _UPSERT_PREFERENCE + "dm_mode = :value, updated_at = :now",
    "helper": _UPSERT_PREFERENCE + "helper = :value, updated_at = :now",
}

_PROFILE_COLUMNS = (
    "p.guild_id, p.member_id, p.about, p.city, p.place_name, p.place_admin, p.place_country, "
    "p.latitude, p.longitude, p.timezone, p.links, p.intro_channel_id, p.intro_message_id, "
    "p.created_at, p.updated_at, p.last_active"
)
_SEPARATOR = "\n"
# Who other members can find: discovery on, and still in the server (a member who left is hidden at
# once, whatever the member cache knows; their profile stays until it is forgotten or they return).
_MATCHABLE = (
    "coalesce(m.discoverable, 1) = 1 AND NOT EXISTS (SELECT 1 FROM member_departures d "
    "WHERE d.guild_id = p.guild_id AND d.member_id = p.member_id)"
)


def _profile(row: Sequence[Any], interests: tuple[str, ...]) -> Profile:
    """Build a profile from a row of ``_PROFILE_COLUMNS`` (unpacked by position: it is the hot
    path of list_profiles_for_matching, thousands of rows at a time)."""
    (
        guild_id, member_id, about, city, place_name, place_admin, place_country,
        latitude, longitude, timezone, links, intro_channel_id, intro_message_id,
        created_at, updated_at, last_active,
    ) = row  # fmt: skip
    place = None
    if place_name is not None and latitude is not None:
        place = Place(place_name, place_country or "", latitude, longitude, place_admin, timezone)
    intro = None
    if intro_channel_id is not None and intro_message_id is not None:
        intro = IntroMessage(intro_channel_id, intro_message_id)
    return Profile(
        guild_id,
        member_id,
        about,
        interests,
        city,
        place,
        tuple(links.split(_SEPARATOR)) if links else (),
        intro,
        created_at,
        updated_at,
        last_active,
    )


def _unpack_tags(packed: str | None) -> tuple[str, ...]:
    """Tags packed by ``group_concat(printf('%02d', position) || tag, char(30))``, in position order
    (SQLite before 3.44 cannot order inside group_concat; the zero-padded positions sort)."""
    if not packed:
        return ()
    return tuple(item[2:] for item in sorted(packed.split("\x1e")))


class ProfileRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- profiles --------------------------------------------------------------------------

    async def get(self, guild_id: int, member_id: int) -> Profile | None:
        """The member's profile with its tags, in one query (tags packed as :meth:`discoverable`'s)."""
        row = await self.db.fetchone(
            f"SELECT {_PROFILE_COLUMNS}, (SELECT group_concat(printf('%02d', i.position) || i.tag, char(30)) "  # noqa: S608
            "FROM profile_interests i WHERE i.guild_id = p.guild_id AND i.member_id = p.member_id) "
            "FROM profiles p WHERE p.guild_id = ? AND p.member_id = ?",
            (guild_id, member_id),
        )
        if row is None:
            return None
        *columns, packed = row
        return _profile(columns, _unpack_tags(packed))

    async def save(self, profile: Profile) -> Profile:
        """Insert or replace the member's profile and tags in one transaction.

        ``created_at`` and the intro message are kept from an existing row; the returned
        profile is what is stored now.
        """
        place = profile.place
        async with self.db.transaction():
            await self.db.execute(
                "INSERT INTO profiles (guild_id, member_id, about, city, place_name, place_admin, "
                "place_country, latitude, longitude, timezone, links, created_at, updated_at, last_active) "
                "VALUES (:guild, :member, :about, :city, :name, :admin, :country, :lat, :lon, :tz, :links, "
                ":now, :now, :active) "
                "ON CONFLICT (guild_id, member_id) DO UPDATE SET about = excluded.about, "
                "city = excluded.city, place_name = excluded.place_name, "
                "place_admin = excluded.place_admin, place_country = excluded.place_country, "
                "latitude = excluded.latitude, longitude = excluded.longitude, "
                "timezone = excluded.timezone, links = excluded.links, "
                "updated_at = excluded.updated_at, "
                "last_active = max(profiles.last_active, excluded.last_active)",
                {
                    "guild": profile.guild_id,
                    "member": profile.member_id,
                    "about": profile.about,
                    "city": profile.city,
                    "name": place.name if place else None,
                    "admin": place.admin if place else None,
                    "country": place.country if place else None,
                    "lat": place.latitude if place else None,
                    "lon": place.longitude if place else None,
                    "tz": place.timezone if place else None,
                    "links": _SEPARATOR.join(profile.links),
                    "now": profile.updated_at,
                    "active": profile.last_active,
                },
            )
            await self.db.execute(
                "DELETE FROM profile_interests WHERE guild_id = ? AND member_id = ?",
                (profile.guild_id, profile.member_id),
            )
            await self.db.executemany(
                "INSERT INTO profile_interests (guild_id, member_id, tag, position) VALUES (?, ?, ?, ?)",
                [
                    (profile.guild_id, profile.member_id, tag, position)
                    for position, tag in enumerate(profile.interests)
                ],
            )
            stored = await self.get(profile.guild_id, profile.member_id)
        assert stored is not None
        return stored

    async def set_intro_message(self, guild_id: int, member_id: int, intro: IntroMessage | None) -> None:
        await self.db.execute(
            "UPDATE profiles SET intro_channel_id = ?, intro_message_id = ? "
            "WHERE guild_id = ? AND member_id = ?",
            (
                intro.channel_id if intro else None,
                intro.message_id if intro else None,
                guild_id,
                member_id,
            ),
        )

    async def touch(self, guild_id: int, member_id: int, now: int) -> bool:
        """Record activity; returns False when the member has no profile (nothing stored)."""
        changed = await self.db.execute(
            "UPDATE profiles SET last_active = max(last_active, ?) WHERE guild_id = ? AND member_id = ?",
            (now, guild_id, member_id),
        )
        return changed > 0

    async def matchable(self, guild_id: int, member_id: int) -> bool:
        """Whether others can find this member (see ``discoverable``)."""
        return bool(
            await self.db.fetchval(
                "SELECT 1 FROM profiles p "  # noqa: S608 - constant clause
                "LEFT JOIN member_preferences m ON m.guild_id = p.guild_id AND m.member_id = p.member_id "
                f"WHERE p.guild_id = ? AND p.member_id = ? AND {_MATCHABLE}",
                (guild_id, member_id),
            )
        )

    async def discoverable(self, guild_id: int) -> list[Profile]:
        """Every profile in the server whose member has not turned discovery off nor left."""
        rows = await self.db.fetchall(
            f"SELECT {_PROFILE_COLUMNS} FROM profiles p "  # noqa: S608
            "LEFT JOIN member_preferences m ON m.guild_id = p.guild_id AND m.member_id = p.member_id "
            f"WHERE p.guild_id = ? AND {_MATCHABLE} ORDER BY p.member_id",
            (guild_id,),
        )
        # One row per member, not per tag: ten times fewer rows to cross into Python. SQLite
        # before 3.44 cannot order inside group_concat, so each tag carries its zero-padded
        # position (at most 20 tags) and a plain string sort restores the member's order.
        tags: dict[int, tuple[str, ...]] = {}
        for member_id, packed in await self.db.fetchall(
            "SELECT member_id, group_concat(printf('%02d', position) || tag, char(30)) "
            "FROM profile_interests WHERE guild_id = ? GROUP BY member_id",
            (guild_id,),
        ):
            tags[member_id] = _unpack_tags(packed)
        return [_profile(row, tags.get(row["member_id"], ())) for row in rows]

    async def known_tags(self, guild_id: int) -> list[str]:
        rows = await self.db.fetchall(
            "SELECT DISTINCT tag FROM profile_interests WHERE guild_id = ?", (guild_id,)
        )
        return [r["tag"] for r in rows]

    async def helpers_with_tag(self, guild_id: int, tag: str) -> list[int]:
        """Members who list ``tag``, offered help (``/privacy helper``) and are still in the server,
        by id; callers rank them."""
        rows = await self.db.fetchall(
            "SELECT i.member_id FROM profile_interests i "
            "JOIN member_preferences m ON m.guild_id = i.guild_id AND m.member_id = i.member_id "
            "WHERE i.guild_id = ? AND i.tag = ? AND m.helper = 1 AND NOT EXISTS (SELECT 1 FROM "
            "member_departures d WHERE d.guild_id = i.guild_id AND d.member_id = i.member_id) "
            "ORDER BY i.member_id",
            (guild_id, tag),
        )
        return [int(r["member_id"]) for r in rows]

    # -- preferences -----------------------------------------------------------------------

    async def preferences(self, guild_id: int, member_id: int) -> Preferences:
        row = await self.db.fetchone(
            "SELECT discoverable, dm_mode, helper FROM member_preferences "
            "WHERE guild_id = ? AND member_id = ?",
            (guild_id, member_id),
        )
        if row is None:
            return DEFAULT_PREFERENCES
        return Preferences(
            discoverable=bool(row["discoverable"]), dm=DmMode(row["dm_mode"]), helper=bool(row["helper"])
        )

    async def dm_modes(self, guild_id: int, member_ids: Iterable[int]) -> dict[int, DmMode]:
        """Each member's ``/privacy dm`` (the default for those who never chose), in one query."""
        ids = list(dict.fromkeys(member_ids))
        rows = await self.db.fetchall(
            "SELECT member_id, dm_mode FROM member_preferences WHERE guild_id = ? "
            "AND member_id IN (SELECT value FROM json_each(?))",
            (guild_id, json.dumps(ids)),
        )
        chosen = {int(row["member_id"]): DmMode(row["dm_mode"]) for row in rows}
        return {member_id: chosen.get(member_id, DEFAULT_PREFERENCES.dm) for member_id in ids}

    async def set_preference(
        self, guild_id: int, member_id: int, name: PreferenceName, value: bool | DmMode, now: int
    ) -> Preferences:
        if name not in _SET_PREFERENCE:
            raise ValueError(f"unknown preference {name!r}")
        if (name == "dm") != isinstance(value, DmMode):
            raise ValueError(f"{name} takes {'a DmMode' if name == 'dm' else 'on or off'}, not {value!r}")
        defaults = DEFAULT_PREFERENCES
        stored: int | str = value.value if isinstance(value, DmMode) else int(value)
        async with self.db.transaction():
            await self.db.execute(
                _SET_PREFERENCE[name],
                {
                    "guild": guild_id,
                    "member": member_id,
                    "discoverable": int(value if name == "discoverable" else defaults.discoverable),
                    "dm": stored if name == "dm" else defaults.dm.value,
                    "helper": int(value if name == "helper" else defaults.helper),
                    "value": stored,
                    "now": now,
                },
            )
            return await self.preferences(guild_id, member_id)
