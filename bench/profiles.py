"""Profile queries other features call, on a server with 5,000 profiles (real SQLite file).

Prints the median per call of list_profiles_for_matching, known_tags (cold build and cached),
members_with_interest_and_helper, get_profile and save_intro (with 20 interests, no geocoder).
Run: python bench/profiles.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.places import Place
from bot.domain.profiles import IntroForm, Profile
from bot.services.profiles import ProfileService
from bot.storage.database import Database
from bot.storage.profiles import ProfileRepository

GUILD = 1


async def timings(call, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        out.append(time.perf_counter() - start)
    return out


def ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 3)


async def run(members: int, runs: int) -> dict[str, float]:
    rng = random.Random(7)
    vocabulary = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 12))) for _ in range(2000)]
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "bench.db")
        await db.migrate()
        repo = ProfileRepository(db)
        service = ProfileService(repo)
        async with db.transaction():
            for member in range(members):
                place = Place("City", "US", rng.uniform(-60, 60), rng.uniform(-180, 180))
                await repo.save(
                    Profile(
                        guild_id=GUILD,
                        member_id=member,
                        about="x" * 200,
                        interests=tuple(dict.fromkeys(rng.choices(vocabulary, k=rng.randint(3, 15)))),
                        city="City",
                        place=place,
                        created_at=1,
                        updated_at=1,
                        last_active=1,
                    )
                )
                if member % 5 == 0:
                    await repo.set_preference(GUILD, member, "helper", True, now=1)

        async def cold_tags() -> None:
            service.changed(GUILD, 0)
            await service.known_tags(GUILD)

        typed = ", ".join(rng.sample(vocabulary, 20))
        counter = iter(range(10**9))

        async def save() -> None:
            await service.save_intro(GUILD, members + next(counter), IntroForm("hi", typed), now=2)

        figures = {
            "members": members,
            "list_for_matching_ms": ms(
                await timings(lambda: service.list_profiles_for_matching(GUILD), runs)
            ),
            "known_tags_cold_ms": ms(await timings(cold_tags, runs)),
            "known_tags_cached_ms": ms(await timings(lambda: service.known_tags(GUILD), runs)),
            "helpers_ms": ms(
                await timings(lambda: service.members_with_interest_and_helper(GUILD, vocabulary[0]), runs)
            ),
            "get_profile_ms": ms(await timings(lambda: service.get_profile(GUILD, 42), runs)),
            "save_intro_ms": ms(await timings(save, runs)),
        }
        await db.close()
    return figures


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--members", type=int, default=5000)
    args = parser.parse_args(argv)
    figures = asyncio.run(run(args.members if not args.quick else 200, 3 if args.quick else 30))
    for name, value in figures.items():
        print(f"{name:24} {value}")
    return figures


if __name__ == "__main__":
    main()
