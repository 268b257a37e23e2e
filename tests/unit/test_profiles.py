"""Checks on what /intro collects: about, city text and links."""

from __future__ import annotations

import pytest

from bot.domain.errors import UserError
from bot.domain.places import Place
from bot.domain.profiles import (
    LINKS_EXAMPLE,
    MAX_ABOUT_LENGTH,
    Profile,
    parse_links,
    validate_about,
    validate_city,
)


def test_about_is_stripped() -> None:
    assert validate_about("  Hello there.\n") == "Hello there."


def test_empty_about_is_refused() -> None:
    with pytest.raises(UserError, match="about yourself"):
        validate_about("   ")


def test_about_over_the_limit_is_refused_with_its_length() -> None:
    with pytest.raises(UserError, match=f"1001 characters long; the limit is {MAX_ABOUT_LENGTH}"):
        validate_about("a" * 1001)


def test_city_spacing_is_folded_and_empty_means_none() -> None:
    assert validate_city("  Springfield,   MA ") == "Springfield, MA"
    assert validate_city("   ") is None


def test_city_too_long_is_refused() -> None:
    with pytest.raises(UserError, match="city and country"):
        validate_city("x" * 101)


def test_links_accept_urls_bare_domains_and_handles() -> None:
    links = parse_links(
        "https://github.com/octocat\nlinkedin.com/in/octo, Mastodon: @me@example.social\n@octo"
    )

    assert links == (
        "https://github.com/octocat",
        "https://linkedin.com/in/octo",
        "Mastodon: @me@example.social",
        "@octo",
    )


def test_links_keep_parentheses_in_urls() -> None:
    assert parse_links("https://en.wikipedia.org/wiki/Go_(game)") == (
        "https://en.wikipedia.org/wiki/Go_(game)",
    )


def test_empty_links_are_none() -> None:
    assert parse_links(" \n , ") == ()


def test_duplicate_links_are_merged() -> None:
    assert parse_links("https://a.example, https://a.example") == ("https://a.example",)


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "file:///etc/passwd",
        "vbscript:msgbox",
        "ftp://example.com/file",
    ],
)
def test_non_web_schemes_are_refused(link: str) -> None:
    with pytest.raises(UserError, match="not a web link") as caught:
        parse_links(link)
    assert caught.value.example == LINKS_EXAMPLE


@pytest.mark.parametrize("link", ["[click](https://evil.example)", "<https://x.example>", "a`b"])
def test_markup_that_could_disguise_a_link_is_refused(link: str) -> None:
    with pytest.raises(UserError):
        parse_links(link)


def test_more_than_five_links_are_refused() -> None:
    with pytest.raises(UserError, match="6 links; the limit is 5"):
        parse_links(", ".join(f"https://site{i}.example" for i in range(6)))


def test_a_link_over_200_characters_is_refused() -> None:
    with pytest.raises(UserError, match="at most 200"):
        parse_links("https://example.com/" + "a" * 190)


def test_city_display_prefers_the_geocoded_place() -> None:
    place = Place("Springfield", "US", 42.1, -72.59, admin="Massachusetts")
    typed = Profile(guild_id=1, member_id=2, about="x", city="springfield ma")

    assert typed.city_display == "springfield ma"
    assert Profile(guild_id=1, member_id=2, about="x", city="springfield ma", place=place).city_display == (
        "Springfield, Massachusetts, US"
    )


def test_interests_shown_in_the_prefilled_form_read_back_as_the_same_tags() -> None:
    from bot.domain.interests import canonical, default_synonyms, display_tag

    targets = sorted(default_synonyms().targets)

    assert [canonical(display_tag(tag)) for tag in targets] == targets
