"""What the sandbox page shows for Discord's ids and links (bot.sandbox.render, pure)."""

from __future__ import annotations

from typing import Any

from bot.sandbox.render import Names, PageRenderer, plain_text, sandbox_link

ADA, BEN, GONE = 101, 102, 999
MEETUPS, THREAD, DM = 201, 202, 203
ADMINS = 301
NAMES = Names(
    users={ADA: "ada", BEN: "ben"},
    roles={ADMINS: "Admins"},
    channels={MEETUPS: "#meetups", THREAD: "#meetups › Board game night", DM: "Direct Messages"},
)
JUMP = f"https://discord.com/channels/1/{MEETUPS}/555"


def link(channel_id: int, message_id: int | None) -> str | None:
    if channel_id not in NAMES.channels:
        return None
    return f"http://127.0.0.1:8000/?view={channel_id}&message={message_id}#key"


def render(payload: Any) -> Any:
    return PageRenderer(NAMES, link)(payload)


def text(content: str) -> dict[str, str]:
    return {"type": "text", "content": content}


def test_mentions_in_plain_strings_read_as_names() -> None:
    assert plain_text(f"Going: <@{ADA}> <@!{BEN}>", NAMES) == "Going: @ada @ben"
    in_thread = plain_text(f"In <#{THREAD}>, ask <@&{ADMINS}>", NAMES)
    assert in_thread == "In #meetups › Board game night, ask @Admins"
    assert plain_text("Run </meetup list:123>", NAMES) == "Run /meetup list"


def test_unknown_ids_read_as_discord_writes_them() -> None:
    assert plain_text(f"<@{GONE}> <#{GONE}> <@&{GONE}>", NAMES) == "@unknown-user #unknown @deleted-role"


def test_mentions_in_token_text_become_mention_pills_between_the_words() -> None:
    tokens = [text(f"Organiser: <@{ADA}>, in <#{MEETUPS}>.")]

    assert render(tokens) == [
        text("Organiser: "),
        {"type": "mention", "kind": "user", "id": str(ADA), "label": "@ada"},
        text(", in "),
        {"type": "mention", "kind": "channel", "id": str(MEETUPS), "label": "#meetups"},
        text("."),
    ]


def test_embed_fields_titles_and_footers_lose_their_raw_ids() -> None:
    embed = {
        "type": "rich",
        "title": f"For <@{ADA}>",
        "fields": [
            {
                "name": "Going (2)",
                "value": f"<@{ADA}> <@{BEN}>",
                "value_tokens": [{"type": "inline", "children": [text(f"<@{ADA}> <@{BEN}>")]}],
            }
        ],
        "footer": {"text": f"Asked by <@{BEN}>"},
    }

    rendered = render(embed)

    assert rendered["title"] == "For @ada"
    assert rendered["fields"][0]["value"] == "@ada @ben"
    labels = [t.get("label") for t in rendered["fields"][0]["value_tokens"][0]["children"]]
    assert labels == ["@ada", None, "@ben"]
    assert rendered["footer"]["text"] == "Asked by @ben"


def test_what_a_member_may_edit_again_and_code_keep_their_text() -> None:
    message = {
        "type": 0,  # a message: its raw content is prefilled when its author edits it
        "content": f"hi <@{ADA}>",
        "content_tokens": [{"type": "code", "content": f"<@{ADA}>"}],
        "components": [{"type": 4, "custom_id": "about", "value": f"I met <@{BEN}>"}],
    }

    assert render(message) == {
        "type": 0,
        "content": f"hi <@{ADA}>",
        "content_tokens": [{"type": "code", "content": f"<@{ADA}>"}],
        "components": [{"type": 4, "custom_id": "about", "value": f"I met <@{BEN}>"}],
    }


def test_a_bare_jump_link_leads_into_the_sandbox_and_reads_as_its_channel() -> None:
    tokens = [text("Announcement: "), {"type": "link_open", "href": JUMP}, text(JUMP), {"type": "link_close"}]

    assert render(tokens) == [
        text("Announcement: "),
        {"type": "link_open", "href": f"http://127.0.0.1:8000/?view={MEETUPS}&message=555#key"},
        text("#meetups › message"),
        {"type": "link_close"},
    ]
    assert plain_text(f"RSVP: {JUMP}", NAMES) == "RSVP: #meetups › message"


def test_a_named_jump_link_keeps_its_words() -> None:
    tokens = [{"type": "link_open", "href": JUMP}, text("RSVP"), {"type": "link_close"}]

    assert render(tokens)[1] == text("RSVP")
    assert render(tokens)[0]["href"].startswith("http://127.0.0.1:8000/")


def test_discord_links_the_sandbox_cannot_show_keep_only_their_text() -> None:
    event = "https://discord.com/events/1/2"
    words = text("Add to your Discord events")
    tokens = [{"type": "link_open", "href": event}, words, {"type": "link_close"}]
    elsewhere = f"https://discord.com/channels/1/{GONE}/3"

    assert render(tokens) == [text("Add to your Discord events")]
    assert render({"type": "rich", "title": "Meetup", "url": event}) == {"type": "rich", "title": "Meetup"}
    assert sandbox_link(elsewhere, link) is None
    assert sandbox_link("https://discord.gg/invite", link) is None


def test_other_links_are_left_as_they_are() -> None:
    osm = "https://www.openstreetmap.org/search?query=Spielwiese"
    tokens = [{"type": "link_open", "href": osm}, text("Spielwiese, Berlin"), {"type": "link_close"}]

    assert render([dict(token) for token in tokens]) == tokens
    assert (
        sandbox_link("https://discordia.example/channels/1/2", link)
        == "https://discordia.example/channels/1/2"
    )


def test_markdown_links_in_plain_strings_follow_the_same_rules() -> None:
    field = {"name": "Event", "value": "[Add to your Discord events](https://discord.com/events/1/2)"}
    rsvp = {"name": "RSVP", "value": f"[RSVP]({JUMP}) · [map](https://www.openstreetmap.org/)"}

    assert render({"fields": [field, rsvp]}) == {
        "fields": [
            {"name": "Event", "value": "Add to your Discord events"},
            {
                "name": "RSVP",
                "value": f"[RSVP](http://127.0.0.1:8000/?view={MEETUPS}&message=555#key)"
                " · [map](https://www.openstreetmap.org/)",
            },
        ]
    }
