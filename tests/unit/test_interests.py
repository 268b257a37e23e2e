"""Interest tags: normalisation, synonyms, plurals, fuzzy snapping and the per-member limits."""

from __future__ import annotations

import random
import string
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.errors import UserError
from bot.domain.interests import (
    EXAMPLE,
    MAX_INTERESTS,
    MAX_TAG_LENGTH,
    Synonyms,
    TagIndex,
    canonical,
    default_synonyms,
    display_tag,
    normalise_one,
    normalise_text,
    parse_interests,
    singularise,
)
from bot.storage.shipped import SYNONYMS_FILE, shipped_synonyms

NO_SYNONYMS = Synonyms()


# --- text normalisation ------------------------------------------------------------------------


def test_case_and_spacing_are_folded() -> None:
    assert normalise_text("  Board   GAMES\t") == "board games"


def test_hyphens_underscores_and_slashes_separate_words() -> None:
    assert normalise_text("board-games") == "board games"
    assert normalise_text("board_games/cards") == "board games cards"


@pytest.mark.parametrize("tag", ["c++", "c#", "f#", "node.js", ".net", "d&d", "r&b", "lgbtq+", "3d printing"])
def test_meaningful_symbols_are_kept(tag: str) -> None:
    assert normalise_text(tag.upper()) == tag


def test_trailing_punctuation_is_dropped() -> None:
    assert normalise_text("hiking!!! (a lot).") == "hiking a lot"


def test_lone_ampersand_reads_as_and() -> None:
    assert normalise_text("Arts & Crafts") == "arts and crafts"


def test_leading_hash_of_a_hashtag_is_dropped() -> None:
    assert normalise_text("#photography") == "photography"


def test_apostrophes_vanish_without_splitting_words() -> None:
    assert normalise_text("Women’s football") == "womens football"


def test_only_punctuation_normalises_to_empty() -> None:
    assert normalise_text(" -- !! ... #") == ""


def test_fullwidth_characters_fold_to_ascii() -> None:
    assert normalise_text("ＰＹＴＨＯＮ") == "python"


@pytest.mark.parametrize("tag", ["アニメ", "हिंदी", "фотография", "café"])
def test_non_latin_scripts_are_kept_intact(tag: str) -> None:
    assert normalise_text(tag) == tag


# --- plurals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plural", "single"),
    [
        ("hikes", "hike"),
        ("cats", "cat"),
        ("games", "game"),
        ("hobbies", "hobby"),
        ("movies", "movie"),
        ("boxes", "box"),
        ("classes", "class"),
        ("glasses", "glass"),
        ("matches", "match"),
        ("buses", "bus"),
        ("potatoes", "potato"),
        ("horses", "horse"),
        ("pies", "pie"),
        ("apis", "api"),
    ],
)
def test_plural_folds_to_singular(plural: str, single: str) -> None:
    assert singularise(plural) == single


@pytest.mark.parametrize(
    "word",
    ["chess", "bus", "glass", "physics", "cs", "aws", "news", "js", "gps", "tennis", "campus", "series",
     "lens", "analysis", "darts", "canvas", "chaos", "mathematics"],
)  # fmt: skip
def test_words_that_only_look_plural_are_kept(word: str) -> None:
    assert singularise(word) == word


@pytest.mark.parametrize("word", ["1990s", "mp3s", "películas"])
def test_words_with_digits_or_non_ascii_letters_are_not_singularised(word: str) -> None:
    assert singularise(word) == word


def test_only_the_last_word_is_singularised() -> None:
    assert canonical("cats and dogs", synonyms=NO_SYNONYMS) == "cats and dog"


def test_plural_and_singular_meet_as_one_tag() -> None:
    assert canonical("Birds", synonyms=NO_SYNONYMS) == canonical("bird", synonyms=NO_SYNONYMS)


# --- shipped synonyms --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "tag"),
    [
        ("JS", "javascript"),
        ("JavaScript", "javascript"),
        ("boardgames", "board games"),
        ("Board-Games", "board games"),
        ("board game", "board games"),
        ("D&D", "dungeons and dragons"),
        ("dnd", "dungeons and dragons"),
        ("Dungeons & Dragons", "dungeons and dragons"),
        ("ML", "machine learning"),
        ("k8s", "kubernetes"),
        ("py", "python"),
        ("hikes", "hiking"),
        ("Trekking", "hiking"),
        ("photo", "photography"),
        ("Photos", "photography"),
        ("Sci-Fi", "science fiction"),
        ("TTRPGs", "tabletop rpg"),
        ("Pokémon", "pokemon"),
        ("C Sharp", "c#"),
        ("cat", "cats"),
    ],
)
def test_shipped_synonym_maps_to_canonical_tag(typed: str, tag: str) -> None:
    assert canonical(typed) == tag


def test_ambiguous_word_go_is_not_a_synonym() -> None:
    assert canonical("go") == "go"


def test_mapping_registers_plural_and_spacing_variants_of_aliases() -> None:
    synonyms = Synonyms.from_mapping({"board games": ["boardgames"]})
    assert canonical("boardgame", synonyms=synonyms) == "board games"
    assert canonical("board game", synonyms=synonyms) == "board games"
    assert canonical("board-gaMes", synonyms=synonyms) == "board games"


def test_mapping_snaps_an_unlisted_spacing_variant() -> None:
    synonyms = Synonyms.from_mapping({"machine learning": ["ml"]})
    assert canonical("machinelearning", synonyms=synonyms) == "machine learning"


def test_alias_claimed_by_two_targets_is_rejected() -> None:
    with pytest.raises(ValueError, match="maps to both"):
        Synonyms.from_mapping({"javascript": ["js"], "json": ["js"]})


def test_target_that_is_not_normalised_is_rejected() -> None:
    with pytest.raises(ValueError, match="not normalised"):
        Synonyms.from_mapping({"Board Games": ["boardgames"]})


def test_target_longer_than_the_limit_is_rejected() -> None:
    with pytest.raises(ValueError, match="longer than"):
        Synonyms.from_mapping({"a" * (MAX_TAG_LENGTH + 1): []})


def test_aliases_given_as_a_string_are_rejected() -> None:
    with pytest.raises(ValueError, match="must be a list"):
        Synonyms.from_mapping({"javascript": "js"})


def test_display_name_for_an_unknown_tag_is_rejected() -> None:
    with pytest.raises(ValueError, match="display name"):
        Synonyms.from_mapping({"python": []}, display={"pyhton": "Python"})


# --- the data file -----------------------------------------------------------------------------


def _raw_data() -> dict:
    with SYNONYMS_FILE.open("rb") as fh:
        return tomllib.load(fh)


def test_data_file_lives_in_the_repository_data_folder() -> None:
    assert SYNONYMS_FILE.parent.name == "data"
    assert SYNONYMS_FILE.is_file()


def test_data_file_loads_between_150_and_300_canonical_tags() -> None:
    assert 150 <= len(default_synonyms().targets) <= 300


def test_data_file_is_read_once_per_process() -> None:
    assert shipped_synonyms() is shipped_synonyms()


def test_the_installed_list_is_the_shipped_one() -> None:
    assert default_synonyms() is shipped_synonyms()


def test_every_synonym_target_is_canonical() -> None:
    for target in _raw_data()["synonyms"]:
        assert normalise_text(target) == target
        assert canonical(target) == target
        assert len(target) <= MAX_TAG_LENGTH


def test_every_alias_maps_to_its_target() -> None:
    for target, aliases in _raw_data()["synonyms"].items():
        for alias in aliases:
            assert canonical(alias) == target, alias


def test_every_display_name_reads_back_as_its_tag() -> None:
    for tag, shown in _raw_data()["display"].items():
        assert canonical(shown) == tag, shown


# --- fuzzy snapping onto tags the server already uses ------------------------------------------


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        ("javascrpt", "javascript"),  # missing letter, long tag
        ("pyhton", "python"),  # swapped letters
        ("runing", "running"),  # single for double letter
        ("knittting", "knitting"),  # extra doubled letter
        ("astronmy", "astronomy"),  # missing letter, eight letters
        ("photograpjy", "photography"),  # wrong letter, ten letters or more
        ("machine lerning", "machine learning"),
    ],
)
def test_typo_snaps_to_a_known_tag(typed: str, known: str) -> None:
    assert canonical(typed, {known}, NO_SYNONYMS) == known


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        ("java", "javascript"),
        ("c", "c++"),
        ("cats", "chess"),
        ("go", "golf"),
        ("rust", "rugby"),
        ("hiking", "biking"),  # first letter differs
        ("blogging", "vlogging"),
        ("gardening", "hardening"),
        ("diving", "driving"),  # extra letter in a short word
        ("caving", "carving"),
        ("sewing", "swing"),
        ("printing", "painting"),  # wrong letter below ten letters
        ("handball", "hardball"),
        ("swimming", "skimming"),
        ("windows 10", "windows 11"),  # digits are never typos
    ],
)
def test_different_interest_does_not_snap(typed: str, known: str) -> None:
    assert canonical(typed, {known}, NO_SYNONYMS) != known


def test_fuzzy_never_invents_a_tag_without_known_tags() -> None:
    assert canonical("javascrpt") == "javascrpt"


def test_typo_close_to_two_known_tags_is_left_alone() -> None:
    assert canonical("photogrophy", {"photography", "photogruphy"}, NO_SYNONYMS) == "photogrophy"


def test_spacing_variant_snaps_to_a_known_tag() -> None:
    assert canonical("speedcubing", {"speed cubing"}, NO_SYNONYMS) == "speed cubing"


def test_known_tag_typed_exactly_is_kept() -> None:
    assert canonical("Golf", {"golf", "goalf"}, NO_SYNONYMS) == "golf"


def test_shipped_synonym_wins_over_a_known_tag() -> None:
    assert canonical("js", {"js"}) == "javascript"


def test_prebuilt_index_gives_the_same_answer_as_a_set() -> None:
    known = {"javascript", "speed cubing"}
    index = TagIndex(known)
    for typed in ("javascrpt", "speedcubing", "rugby"):
        assert canonical(typed, index) == canonical(typed, known)


# --- parsing the interests field ---------------------------------------------------------------


def test_commas_semicolons_and_new_lines_separate_interests() -> None:
    assert parse_interests("hiking, chess; pottery\nknitting") == ["hiking", "chess", "pottery", "knitting"]


def test_fullwidth_and_ideographic_commas_separate_interests() -> None:
    assert parse_interests("hiking，chess、pottery") == ["hiking", "chess", "pottery"]


def test_empty_items_are_ignored() -> None:
    assert parse_interests(" , hiking,, ;\n , !! ,") == ["hiking"]


def test_empty_field_gives_no_interests() -> None:
    assert parse_interests("   ") == []


def test_duplicates_after_normalisation_merge_in_first_order() -> None:
    assert parse_interests("JS, chess, javascript, Chess, js") == ["javascript", "chess"]


def test_known_tags_apply_to_every_item() -> None:
    assert parse_interests("javascrpt, chess", known={"javascript"}) == ["javascript", "chess"]


def _distinct(n: int) -> str:
    return ", ".join(f"topic {chr(ord('a') + i // 26)}{chr(ord('a') + i % 26)}" for i in range(n))


def test_twenty_interests_are_accepted() -> None:
    assert len(parse_interests(_distinct(MAX_INTERESTS))) == MAX_INTERESTS


def test_twenty_one_interests_are_refused_with_an_example() -> None:
    with pytest.raises(UserError) as caught:
        parse_interests(_distinct(MAX_INTERESTS + 1))
    assert "21" in caught.value.message and "20" in caught.value.message
    assert caught.value.example == EXAMPLE


def test_duplicates_do_not_count_towards_the_limit() -> None:
    text = _distinct(MAX_INTERESTS) + ", js, JS, javascript"
    with pytest.raises(UserError):
        parse_interests(text)
    assert len(parse_interests(_distinct(MAX_INTERESTS - 1) + ", js, JS, javascript")) == MAX_INTERESTS


def test_forty_characters_are_accepted() -> None:
    assert parse_interests("x" * MAX_TAG_LENGTH) == ["x" * MAX_TAG_LENGTH]


def test_forty_one_characters_are_refused_with_an_example() -> None:
    with pytest.raises(UserError) as caught:
        parse_interests("hiking, " + "x" * (MAX_TAG_LENGTH + 1))
    assert "41 characters" in caught.value.message
    assert caught.value.example == EXAMPLE


def test_length_is_measured_after_normalisation() -> None:
    typed = "  " + "  ".join(["board"] * 6) + " !!! "  # 45 typed characters, 35 once folded
    assert len(typed) > MAX_TAG_LENGTH
    assert parse_interests(typed) == [normalise_text(typed)]


def test_one_item_too_long_refuses_the_whole_field() -> None:
    with pytest.raises(UserError):
        parse_interests("hiking, chess, " + "y" * 50)


# --- one interest on its own -------------------------------------------------------------------


def test_single_interest_is_canonicalised() -> None:
    assert normalise_one("Board-Games") == "board games"


def test_single_empty_interest_is_refused() -> None:
    with pytest.raises(UserError) as caught:
        normalise_one(" ?! ")
    assert caught.value.example == EXAMPLE


def test_single_interest_too_long_is_refused() -> None:
    with pytest.raises(UserError):
        normalise_one("z" * (MAX_TAG_LENGTH + 1))


# --- display -----------------------------------------------------------------------------------


def test_display_uses_the_shipped_display_name() -> None:
    assert display_tag("dungeons and dragons") == "Dungeons & Dragons"


def test_display_falls_back_to_the_tag_itself() -> None:
    assert display_tag("pottery") == "pottery"


# --- properties --------------------------------------------------------------------------------

_interest_text = st.text(
    alphabet=st.one_of(st.sampled_from(list(string.ascii_letters + " -_&+#.,'s")), st.characters()),
    max_size=30,
)


@given(_interest_text)
def test_canonicalisation_is_idempotent(text: str) -> None:
    once = canonical(text)
    assert canonical(once) == once


@given(st.lists(_interest_text, max_size=8), _interest_text)
def test_canonicalisation_against_known_tags_is_idempotent(seen: list[str], text: str) -> None:
    known = {tag for tag in map(canonical, seen) if tag}
    once = canonical(text, known)
    assert canonical(once, known) == once


@given(_interest_text)
def test_text_normalisation_is_idempotent(text: str) -> None:
    assert normalise_text(normalise_text(text)) == normalise_text(text)


@given(st.from_regex(r"[a-z]{1,14}", fullmatch=True))
def test_singularisation_is_idempotent(word: str) -> None:
    assert singularise(singularise(word)) == singularise(word)


@settings(max_examples=50)
@given(st.lists(_interest_text, max_size=10))
def test_parsed_tags_parse_back_to_themselves(items: list[str]) -> None:
    tags = parse_interests(",".join(item[:MAX_TAG_LENGTH] for item in items))
    assert parse_interests(", ".join(tags)) == tags


# --- many known tags ---------------------------------------------------------------------------
# Speed is measured by bench/interests.py, never by a timed test.


def test_twenty_interests_against_5000_known_tags_snap_only_true_typos() -> None:
    rng = random.Random(7)
    known: set[str] = {"javascript", "python", "woodworking"}
    while len(known) < 5000:
        word = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 14)))
        known.add(word if rng.random() < 0.7 else f"{word[:3]} {word[3:]}")

    tags = parse_interests("javascrpt, Hiking, pyhton, board games, chess, woodworkng", known)

    assert tags == ["javascript", "hiking", "python", "board games", "chess", "woodworking"]


def test_the_interests_benchmark_runs() -> None:
    from bench.interests import main

    figures = main(["--quick"])

    assert figures["index_median_ms"] > 0
