"""Embeds within Discord's limits: the quick check that lets an embed through unchanged agrees
with fitting it, whatever the parts hold."""

from __future__ import annotations

from typing import Any

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.outbound import fit_embed as fit_outgoing
from bot.domain import limits

# Lengths around every limit, empty and missing parts, and the odd non-text value.
texts = st.one_of(
    st.none(),
    st.just(""),
    st.integers(0, 7000).map(lambda n: "x" * n),
    st.sampled_from([0, 12, "0"]),
)
fields = st.lists(
    st.fixed_dictionaries({"name": texts, "value": texts}, optional={"inline": st.booleans()}),
    max_size=30,
)


@st.composite
def embeds(draw: st.DrawFn) -> dict[str, Any]:
    embed: dict[str, Any] = {"type": "rich"}
    for key in ("title", "description"):
        if draw(st.booleans()):
            embed[key] = draw(texts)
    if draw(st.booleans()):
        embed["url"] = "https://example.com/" + "p" * draw(st.integers(0, 600))
    if draw(st.booleans()):
        embed["fields"] = draw(fields)
    if draw(st.booleans()):
        embed["footer"] = {"text": draw(texts)}
    if draw(st.booleans()):
        embed["author"] = {"name": draw(texts)}
    return embed


@settings(max_examples=300, deadline=None)
@given(embeds())
def test_an_embed_that_passes_the_check_is_one_fitting_would_leave_alone(embed: dict[str, Any]) -> None:
    fitted = limits.fit_embed(dict(embed))

    if limits.embed_fits(embed):
        assert fitted == embed
    else:
        assert fitted != embed
    assert limits.embed_fits(fitted)


def test_an_outgoing_embed_within_limits_is_sent_as_it_is_and_one_over_them_is_fitted() -> None:
    small = discord.Embed(title="Board games", description="Friday at 7")
    small.add_field(name="Where", value="Café Central")
    assert fit_outgoing(small) is small

    large = discord.Embed(title="t" * 300, description="d" * 5000)
    large.add_field(name="", value="v" * 2000)
    fitted = fit_outgoing(large)
    assert fitted is not None and fitted is not large
    data = fitted.to_dict()
    assert len(data["title"]) == limits.EMBED_TITLE and data["title"].endswith("…")
    assert data["fields"][0]["name"] == limits.EMPTY_FIELD
    assert limits.embed_size(data) <= limits.EMBED_TOTAL
