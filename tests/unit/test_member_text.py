"""Member text gives way first: what the hostile-input fuzz found in the renderers, one test each.

Each test names the payload, the member text that broke it, and the structural part that must
survive (the time, the meetup number, the mentions a message is for, a map link).
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import discord

from bot.adapters.outbound import fit_message, fit_view
from bot.domain import limits
from bot.domain.meetups import DESCRIPTION_MAX, PLACE_MAX, Change, Meetup, map_url
from bot.domain.polls import OptionKind, Poll, PollOption, Tally
from bot.domain.profiles import MAX_ABOUT_LENGTH, Profile
from bot.domain.when import read_times
from bot.ui import followups, matching, meetups, profiles
from bot.ui.text import shown

START = 1767981600  # Friday 9 January 2026, 19:00 in Berlin
TZ = "Europe/Berlin"


def meetup(**changes: object) -> Meetup:
    values: dict[str, object] = {
        "id": 1,
        "guild_id": 10,
        "number": 7,
        "title": "Board games",
        "starts_at": START,
        "ends_at": START + 7200,
        "tz": TZ,
        "when_text": "fri 7pm",
        "place": "Café Central",
        "organiser_id": 5,
        "created_at": 0,
        "updated_at": 0,
        "channel_id": 20,
        "message_id": 30,
    }
    values.update(changes)
    return Meetup(**values)  # type: ignore[arg-type]


def test_a_full_description_leaves_the_meetup_number_and_link_in_the_event() -> None:
    description = "x" * DESCRIPTION_MAX  # as long as /meetup create allows
    text = meetups.event_description(meetup(description=description))
    assert len(text) <= limits.EVENT_DESCRIPTION
    assert text.endswith(
        "Meetup #7, organised on Discord with Meetbridge.\n\nRSVP: https://discord.com/channels/10/20/30"
    )
    assert text.startswith("xxx") and "…" in text


def test_a_poll_of_ten_long_times_and_places_keeps_every_time_and_place() -> None:
    # /meetup plan reads "fri<spaces>7pm" as Friday 19:00, so each typed time may be hundreds of
    # characters; places have up to 100 characters each, every one escaped.
    now = datetime(2026, 1, 1, tzinfo=UTC)
    typed = "; ".join(f"2026-01-{day:02d}" + " " * 500 + "19:00" for day in range(5, 15))
    times = read_times(typed, now=now, tz=TZ)
    places = [f"{n}" + "*" * (PLACE_MAX - 1) for n in range(10)]
    options = tuple(
        PollOption(OptionKind.TIME, n, time.text, time.epoch) for n, time in enumerate(times)
    ) + tuple(PollOption(OptionKind.PLACE, n, place) for n, place in enumerate(places))
    poll = Poll(1, 10, 3, 20, 5, "Board games", TZ, START - 86400, 0, options, message_id=40)

    embed = meetups.poll_embed(poll, Tally())

    description = embed.description or ""
    assert len(description) <= limits.EMBED_DESCRIPTION
    assert fit_message(embed=embed)["embed"].description == description  # nothing left to clip
    for option in poll.options:
        assert option.emoji in description
    for time in times:
        assert f"<t:{time.epoch}:F>" in description
    assert " " * 3 not in description  # whitespace runs shown as one space


def test_a_typed_time_is_quoted_back_on_one_line_and_clipped() -> None:
    from bot.domain.when import ReadTime

    shown_back = meetups.read_as(ReadTime("2026-01-09" + "\n" * 3000 + "19:00", START, TZ))
    assert "\n" not in shown_back
    assert shown_back.startswith("“2026-01-09 19:00” → ")


def test_a_long_title_never_pushes_the_time_out_of_a_notice() -> None:
    long = meetup(title="T" * 6000)  # beyond validation (100): older or foreign data
    for text in (
        meetups.change_notice(long, [Change.TIME]),
        followups.headcount_prompt(long, 1, mention=True),
        followups.reminder_part(long, 0, [5], 1),
        meetups.promotion_dm(long),
    ):
        content = fit_message(text)["content"]
        assert f"<t:{START}:F>" in content


def test_a_reminder_with_a_long_title_still_mentions_everyone_it_is_for() -> None:
    going = list(range(1000, 1050))
    long = meetup(title="**" * 3000)
    for part, (_text, members) in enumerate(followups.reminder_parts(long, going)):
        content = fit_message(followups.reminder_part(long, part, members, len(going)))["content"]
        assert all(f"<@{member}>" in content for member in members)


def test_member_text_in_a_sentence_is_escaped_on_one_line_and_clipped_to_its_limit() -> None:
    assert shown("**hi**\n\n  there", 100) == "\\*\\*hi\\*\\* there"
    assert shown("x" * 500, 100) == "x" * 99 + "…"


def test_a_map_link_is_made_of_at_most_the_validated_length_of_the_place() -> None:
    assert map_url("会" * 6000) == map_url("会" * PLACE_MAX)
    assert len(map_url("会" * 6000) or "") < 1000


def test_interest_suggestions_leave_out_tags_discord_would_refuse_as_values() -> None:
    choices = matching.interest_choices(["hiking", "x" * 101, "  ", "python"])
    assert [choice.value for choice in choices] == ["hiking", "python"]


def test_the_intro_form_opens_even_when_a_stored_text_is_longer_than_its_field() -> None:
    async def submitted(interaction: discord.Interaction, form: object) -> None:
        return None

    profile = Profile(guild_id=10, member_id=5, about="a" * (MAX_ABOUT_LENGTH + 50))
    modal = profiles.IntroModal(profile, submitted)
    assert modal.about.default == "a" * MAX_ABOUT_LENGTH


def test_a_welcome_in_a_server_with_a_long_name_still_mentions_the_newcomer() -> None:
    member = SimpleNamespace(mention="<@5>")
    content = fit_message(profiles.welcome_message(member, "S" * 6000))["content"]  # type: ignore[arg-type]
    assert "<@5>" in content


def test_fitting_reaches_the_select_a_dynamic_item_wraps() -> None:
    view = discord.ui.View(timeout=None)
    names = [discord.SelectOption(label="N" * 150, value=str(n)) for n in range(30)]
    view.add_item(followups.PickSelect(1, names))
    [select] = [row["components"][0] for row in fit_view(view).to_components()]  # type: ignore[union-attr]
    assert len(select["options"]) == limits.SELECT_OPTIONS and select["max_values"] == limits.SELECT_OPTIONS
    assert all(len(option["label"]) <= limits.SELECT_OPTION_TEXT for option in select["options"])


def test_a_thread_name_holds_no_mention_that_could_ping() -> None:
    # Discord announces a thread with a system message whose text is the name: allowed_mentions
    # does not reach it, so a title like this one used to ping the role, everyone and the member.
    name = limits.fit_thread_name("Meetup #2: Games <@123> <@!123> <@&456> @everyone @here")
    assert name == "Meetup #2: Games <@\u200b123> <@\u200b!123> <@\u200b&456> @\u200beveryone @\u200bhere"


def test_the_poll_reply_keeps_its_closing_time_whatever_the_times_quoted() -> None:
    quoted = "_" * 100  # each quoted time escapes to twice its length
    options = tuple(PollOption(OptionKind.TIME, n, quoted, START + n * 3600) for n in range(10))
    poll = Poll(1, 10, 3, 20, 5, "Board games", TZ, START - 86400, 0, options, message_id=40)
    content = fit_message(meetups.poll_posted(poll))["content"]
    assert f"It closes <t:{START - 86400}:F>" in content
