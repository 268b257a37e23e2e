"""The profile repository on a real SQLite file: profiles, tags, preferences, guild scoping."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.consent import DmMode
from bot.domain.places import Place
from bot.domain.profiles import DEFAULT_PREFERENCES, IntroMessage, Preferences, Profile
from bot.storage.database import Database
from bot.storage.member_data import export_member, forget_member
from bot.storage.profiles import ProfileRepository

GUILD, OTHER_GUILD = 1001, 2002
ALICE, BOB, CAROL = 11, 12, 13
PORTLAND = Place("Portland", "US", 45.523064, -122.676483, admin="Oregon", timezone="America/Los_Angeles")


@pytest.fixture
def repo(db: Database) -> ProfileRepository:
    return ProfileRepository(db)


def profile(member_id: int = ALICE, guild_id: int = GUILD, now: int = 1000, **fields) -> Profile:
    values = {
        "about": "I like hiking.",
        "interests": ("hiking", "python"),
        "city": "Portland",
        "place": PORTLAND,
        "links": ("https://github.com/alice", "Mastodon: @alice@example.social"),
        "created_at": now,
        "updated_at": now,
        "last_active": now,
    }
    values.update(fields)
    return Profile(guild_id=guild_id, member_id=member_id, **values)


async def test_a_saved_profile_reads_back_with_tags_in_order_and_city_level_place(
    repo: ProfileRepository,
) -> None:
    stored = await repo.save(profile(interests=("python", "hiking", "board game")))

    assert stored == await repo.get(GUILD, ALICE)
    assert stored.interests == ("python", "hiking", "board game")
    assert stored.place == PORTLAND
    assert (stored.place.latitude, stored.place.longitude) == (45.52, -122.68)
    assert stored.links == ("https://github.com/alice", "Mastodon: @alice@example.social")
    assert stored.intro is None


async def test_coordinates_are_stored_rounded_to_city_level(repo: ProfileRepository, db: Database) -> None:
    await repo.save(profile())

    row = await db.fetchone("SELECT latitude, longitude FROM profiles WHERE member_id = ?", (ALICE,))

    assert (row["latitude"], row["longitude"]) == (45.52, -122.68)


async def test_saving_again_replaces_fields_and_tags_but_keeps_creation_time_and_intro(
    repo: ProfileRepository,
) -> None:
    await repo.save(profile(now=1000))
    await repo.set_intro_message(GUILD, ALICE, IntroMessage(555, 777))

    again = await repo.save(
        profile(now=2000, about="New text", interests=("chess",), city=None, place=None, links=())
    )

    assert again.about == "New text"
    assert again.interests == ("chess",)
    assert again.city is None and again.place is None and again.links == ()
    assert again.created_at == 1000 and again.updated_at == 2000
    assert again.intro == IntroMessage(555, 777)
    assert await repo.known_tags(GUILD) == ["chess"]


async def test_a_profile_without_a_city_has_no_place(repo: ProfileRepository) -> None:
    stored = await repo.save(profile(city=None, place=None))

    assert stored.city is None and stored.place is None and stored.city_display is None


async def test_profiles_are_scoped_to_their_server(repo: ProfileRepository) -> None:
    await repo.save(profile(guild_id=GUILD, about="In the first server"))

    assert await repo.get(OTHER_GUILD, ALICE) is None
    assert await repo.known_tags(OTHER_GUILD) == []
    assert await repo.discoverable(OTHER_GUILD) == []
    await repo.save(profile(guild_id=OTHER_GUILD, about="In the second", interests=("chess",)))
    first = await repo.get(GUILD, ALICE)
    assert first is not None and first.about == "In the first server"
    assert sorted(await repo.known_tags(GUILD)) == ["hiking", "python"]


async def test_known_tags_are_the_distinct_tags_of_the_server(repo: ProfileRepository) -> None:
    await repo.save(profile(ALICE, interests=("hiking", "python")))
    await repo.save(profile(BOB, interests=("python", "chess")))

    assert sorted(await repo.known_tags(GUILD)) == ["chess", "hiking", "python"]


async def test_preferences_default_to_discoverable_with_reply_dms_only(repo: ProfileRepository) -> None:
    prefs = await repo.preferences(GUILD, ALICE)

    assert prefs == DEFAULT_PREFERENCES == Preferences(discoverable=True, dm=DmMode.REPLIES, helper=False)


async def test_setting_one_preference_keeps_the_others(repo: ProfileRepository) -> None:
    await repo.set_preference(GUILD, ALICE, "dm", DmMode.ON, now=10)
    prefs = await repo.set_preference(GUILD, ALICE, "discoverable", False, now=20)

    assert prefs == Preferences(discoverable=False, dm=DmMode.ON, helper=False)
    assert await repo.preferences(OTHER_GUILD, ALICE) == DEFAULT_PREFERENCES


async def test_an_unknown_preference_is_a_programming_error(repo: ProfileRepository) -> None:
    with pytest.raises(ValueError, match="unknown preference"):
        await repo.set_preference(GUILD, ALICE, "admin", True, now=10)  # type: ignore[arg-type]


async def test_discoverable_lists_profiles_unless_discovery_is_off(repo: ProfileRepository) -> None:
    await repo.save(profile(ALICE, interests=("hiking",)))
    await repo.save(profile(BOB, interests=("chess", "python"), city=None, place=None))
    await repo.save(profile(CAROL, interests=("hiking",)))
    await repo.set_preference(GUILD, CAROL, "discoverable", False, now=5)
    await repo.set_preference(GUILD, BOB, "dm", DmMode.ON, now=5)

    found = await repo.discoverable(GUILD)

    assert [(p.member_id, p.interests) for p in found] == [(ALICE, ("hiking",)), (BOB, ("chess", "python"))]
    assert found[0].place == PORTLAND and found[1].place is None


async def test_helpers_are_members_with_the_tag_who_offered_help(repo: ProfileRepository) -> None:
    await repo.save(profile(ALICE, interests=("python",)))
    await repo.save(profile(BOB, interests=("python",)))
    await repo.save(profile(CAROL, interests=("hiking",)))
    await repo.save(profile(ALICE, guild_id=OTHER_GUILD, interests=("python",)))
    for member in (ALICE, CAROL):
        await repo.set_preference(GUILD, member, "helper", True, now=5)
    await repo.set_preference(OTHER_GUILD, ALICE, "helper", True, now=5)
    await repo.set_preference(GUILD, ALICE, "discoverable", False, now=6)

    assert await repo.helpers_with_tag(GUILD, "python") == [ALICE]
    assert await repo.helpers_with_tag(GUILD, "chess") == []


async def test_touch_moves_last_active_forward_only_for_existing_profiles(repo: ProfileRepository) -> None:
    await repo.save(profile(now=1000))

    assert await repo.touch(GUILD, ALICE, 5000) is True
    assert await repo.touch(GUILD, ALICE, 3000) is True
    assert await repo.touch(GUILD, BOB, 5000) is False
    stored = await repo.get(GUILD, ALICE)
    assert stored is not None and stored.last_active == 5000
    assert await repo.get(GUILD, BOB) is None


async def test_export_and_forget_cover_profile_tags_and_preferences_in_one_server_only(
    repo: ProfileRepository, db: Database
) -> None:
    await repo.save(profile(ALICE))
    await repo.save(profile(ALICE, guild_id=OTHER_GUILD))
    await repo.save(profile(BOB))
    await repo.set_preference(GUILD, ALICE, "helper", True, now=5)

    exported = await export_member(db, GUILD, ALICE)
    assert [row["about"] for row in exported["profiles"]] == ["I like hiking."]
    assert {row["tag"] for row in exported["profile_interests"]} == {"hiking", "python"}
    assert exported["member_preferences"][0]["helper"] == 1

    await forget_member(db, GUILD, ALICE)

    after = await export_member(db, GUILD, ALICE)
    assert all(rows == [] for rows in after.values())
    assert await repo.get(OTHER_GUILD, ALICE) is not None
    assert await repo.get(GUILD, BOB) is not None
    assert sorted(await repo.known_tags(GUILD)) == ["hiking", "python"]


async def test_interests_cannot_outlive_their_profile(repo: ProfileRepository, db: Database) -> None:
    await repo.save(profile(ALICE))

    await db.execute("DELETE FROM profiles WHERE guild_id = ? AND member_id = ?", (GUILD, ALICE))

    assert await db.fetchval("SELECT count(*) FROM profile_interests") == 0


async def test_a_failed_save_leaves_the_previous_profile_whole(repo: ProfileRepository) -> None:
    await repo.save(profile(interests=("hiking",)))
    too_long = "x" * 41  # the table refuses it; the domain never produces one

    with pytest.raises(Exception, match=r"(?i)check"):
        await repo.save(replace(profile(about="changed"), interests=("chess", too_long)))

    stored = await repo.get(GUILD, ALICE)
    assert stored is not None and stored.about == "I like hiking." and stored.interests == ("hiking",)
