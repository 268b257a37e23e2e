"""A readable record of what members did and what the bot posted, in order, for the tour.

Messages are read back from the simulated Discord (what members would see), rendered as plain
text: mentions become names, Discord timestamps become times in the server's timezone, embeds
show their title, description and fields, and buttons their labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

import discord
import simcord
from simcord.actors import MemberActor
from simcord.builders import ChannelHandle

from bot.sandbox.demo import TIMEZONE, DemoServer

INDENT = "    "
_MENTION = re.compile(r"<(@!?|@&|#)(\d+)>")
_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")
_LINK = re.compile(r"\[([^\]]+)\]\((<?https?://[^)\s]+>?)\)")
_JUMP = re.compile(r"https://discord\.com/channels/\d+/(\d+)(?:/\d+)?")
_STYLES = {
    "t": "%H:%M",
    "T": "%H:%M:%S",
    "d": "%d/%m/%Y",
    "D": "%-d %b %Y",
    "f": "%-d %b %Y, %H:%M",
    "F": "%a %-d %b %Y, %H:%M",
}


def relative(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    ahead, seconds = seconds >= 0, abs(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            text = f"{count} {unit}{'s' if count != 1 else ''}"
            break
    else:
        text = "a few seconds"
    return f"in {text}" if ahead else f"{text} ago"


class Transcript:
    """Collects lines (and echoes them to ``out``); knows every message it has shown."""

    def __init__(self, server: DemoServer, out: TextIO | None = None) -> None:
        self.server = server
        self.out = out
        self.lines: list[str] = []
        self.tz = ZoneInfo(TIMEZONE)
        self._shown: dict[int, list[str]] = {}
        self._public: set[int] = set()  # shown messages that are in a channel's history

    # -- writing ----------------------------------------------------------------------------------

    def write(self, line: str = "") -> None:
        self.lines.append(line)
        if self.out is not None:
            print(line, file=self.out, flush=True)

    def heading(self, text: str) -> None:
        self.write()
        self.write(f"== {text} ==")

    def note(self, text: str) -> None:
        self.write(f"· {text}")

    def action(self, member: MemberActor, where: ChannelHandle | None, text: str) -> None:
        self.write(f"[{self.label(where) if where else 'server'}] {member.name} → {text}")

    # -- reading the simulated Discord ------------------------------------------------------------

    def channels(self) -> Iterator[ChannelHandle]:
        for channel in self.server.channels.values():
            yield channel
            yield from channel.threads
        for member in self.server.members.values():
            yield member.user.dm_channel

    def mark_all_shown(self) -> None:
        """Everything already posted counts as shown (the tour starts after the set-up)."""
        for channel in self.channels():
            for message in channel.history():
                if message.author.bot:
                    self._shown[message.id] = self.render(message, stable=True)
                    self._public.add(message.id)

    def catch_up(
        self, *results: simcord.InteractionResult | None, quiet: bool = False
    ) -> list[discord.Message]:
        """Show what the bot posted, edited or deleted since the last call, plus private replies.

        ``results`` are the interactions just performed; their ephemeral replies are in no
        channel's public history, so they are read from the results. ``quiet`` takes everything
        as seen without writing it. Returns the new messages.
        """
        fresh: dict[int, discord.Message] = {}
        for channel in self.channels():
            for message in channel.history():
                if message.author.bot:
                    fresh[message.id] = message
        public = set(fresh)
        for result in results:
            for reply in _replies(result):
                fresh[reply.id] = reply
        for gone in sorted(self._public - public):
            head = self._shown.pop(gone)[0]
            if not quiet:
                self.write(
                    f"{head.split(':', 1)[0]}: ✂ deleted its message ({head.split(':', 1)[1].strip()})"
                )
        self._public = public
        new: list[discord.Message] = []
        for message_id in sorted(fresh, key=lambda ident: (_happened_at(fresh[ident]), ident)):
            message = fresh[message_id]
            stable = self.render(message, stable=True)
            before = self._shown.get(message_id)
            self._shown[message_id] = stable
            if before is None:
                new.append(message)
            if quiet:
                continue
            lines = self.render(message)
            if before is None:
                self._write_block(lines)
            elif _without_reactions(stable) != _without_reactions(before):
                changed = [
                    line
                    for line, plain in zip(lines[1:], stable[1:], strict=True)
                    if plain not in before and not _is_reactions(line)
                ]
                head, content = _split_head(lines[0])
                if stable[0] != before[0]:
                    changed.insert(0, INDENT + content)
                self.write(f"{head}: ✎ edited {self._subject(message)}")
                for line in changed:
                    self.write(line)
        return new

    def _write_block(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    # -- rendering --------------------------------------------------------------------------------

    def label(self, channel: ChannelHandle | discord.abc.Messageable | None) -> str:
        if isinstance(channel, ChannelHandle):
            channel = self.server.bot.get_channel(channel.id) or channel  # type: ignore[assignment]
        if isinstance(channel, discord.Thread):
            parent = channel.parent.name if channel.parent else "?"
            return f"#{parent} › {channel.name}"
        if isinstance(channel, discord.DMChannel):
            return f"DM {channel.recipient.name if channel.recipient else '?'}"
        if isinstance(channel, ChannelHandle):
            if channel.guild is None:
                owner = next(
                    (m.name for m in self.server.members.values() if m.user.dm_channel.id == channel.id), "?"
                )
                return f"DM {owner}"
            return f"#{channel.name}"
        name = getattr(channel, "name", None)
        return f"#{name}" if name else "?"

    def render(self, message: discord.Message, *, stable: bool = False) -> list[str]:
        """The message as lines: a header with channel and author, then indented details.

        Relative times ("in 2 hours") read as they did when the message was posted or last edited;
        ``stable`` leaves them out, to tell real edits from the clock moving on.
        """
        at = None if stable else _happened_at(message)

        def plain(raw: str) -> str:
            return self.text(raw, at=at, relative_times=not stable)

        author = message.author.name
        ephemeral = message.flags.ephemeral
        if ephemeral and message.interaction_metadata is not None:
            author += f" (only {message.interaction_metadata.user.name} sees this)"
        head = f"[{self.label(message.channel)}] {author}:"
        body: list[str] = []
        content = plain(message.content)
        if content:
            first, *rest = content.splitlines() or [""]
            head += f" {first}"
            body.extend(INDENT + line for line in rest if line.strip())
        for embed in message.embeds:
            title = f'embed "{plain(embed.title or embed.author.name or "")}"'
            if not content and embed is message.embeds[0]:
                head += f" {title}"
            else:
                body.append(INDENT + title)
            if embed.description:
                body.extend(INDENT + "  " + line for line in plain(embed.description).splitlines() if line)
            for embed_field in embed.fields:
                value = " / ".join(line for line in plain(embed_field.value).splitlines() if line)
                body.append(f"{INDENT}  {plain(embed_field.name)}: {value}")
        for attachment in message.attachments:
            body.append(f"{INDENT}📎 {attachment.filename}")
        controls = list(_controls(message.components))
        if controls:
            body.append(f"{INDENT}buttons: {' | '.join(controls)}")
        if message.reactions:
            body.append(
                f"{INDENT}reactions: {' '.join(str(reaction.emoji) for reaction in message.reactions)}"
            )
        if not content and not message.embeds:
            head += " (no text)"
        return [head, *body]

    def _subject(self, message: discord.Message) -> str:
        if message.embeds and (message.embeds[0].title or message.embeds[0].author.name):
            return f'embed "{self.text(message.embeds[0].title or message.embeds[0].author.name or "")}"'
        return "message"

    def text(self, raw: str, *, at: datetime | None = None, relative_times: bool = True) -> str:
        """Discord markup as a person reads it (relative times as seen ``at``, default now)."""
        seen_at = at or self.server.env.now()

        def timestamp(match: re.Match[str]) -> str:
            moment = datetime.fromtimestamp(int(match.group(1)), tz=UTC)
            style = match.group(2) or "f"
            if style == "R":
                return relative(moment - seen_at) if relative_times else "(relative time)"
            return moment.astimezone(self.tz).strftime(_STYLES[style])

        text = _TIMESTAMP.sub(timestamp, raw)
        text = _MENTION.sub(self._mention, text)
        text = _LINK.sub(r"\1", text)
        text = _JUMP.sub(self._jump, text)
        return text.replace("**", "").replace("__", "")

    def _mention(self, match: re.Match[str]) -> str:
        kind, ident = match.group(1), int(match.group(2))
        bot = self.server.bot
        if kind == "#":
            channel = bot.get_channel(ident)
            return f"#{getattr(channel, 'name', ident)}"
        if kind == "@&":
            guild = bot.get_guild(self.server.guild.id)
            role = guild.get_role(ident) if guild else None
            return f"@{role.name if role else ident}"
        user = bot.get_user(ident)
        return f"@{user.name if user else ident}"

    def _jump(self, match: re.Match[str]) -> str:
        channel = self.server.bot.get_channel(int(match.group(1)))
        return f"(link to {self.label(channel) if channel else 'a message'})"


def _happened_at(message: discord.Message) -> datetime:
    return message.edited_at or message.created_at


def _replies(result: simcord.InteractionResult | None) -> Iterable[discord.Message]:
    if result is None:
        return []
    replies = [result.response] if result.response is not None else []
    replies += result.followups
    return [reply.message for reply in replies if reply.ephemeral]


def _controls(rows: Iterable[discord.Component]) -> Iterator[str]:
    for row in rows:
        children = getattr(row, "children", [row])
        for child in children:
            if isinstance(child, discord.Button):
                yield " ".join(part for part in (str(child.emoji or ""), child.label or "") if part)
            elif isinstance(child, discord.SelectMenu):
                yield f"[{child.placeholder or 'choose'}]"


def _is_reactions(line: str) -> bool:
    return line.startswith(f"{INDENT}reactions:")


def _without_reactions(lines: list[str]) -> list[str]:
    return [line for line in lines if not _is_reactions(line)]


def _split_head(line: str) -> tuple[str, str]:
    """``[#channel › Thread: name] author: text`` -> (``[…] author``, ``text``); labels may hold colons."""
    closing = line.index("] ") + 2 if line.startswith("[") and "] " in line else 0
    head, _, content = line[closing:].partition(":")
    return line[:closing] + head, content.strip()
