"""What /sandbox asks of the running sandbox, kept apart from the cog.

discord.py loads an extension as a fresh module each time, so the request types live here, in a
module imported once, where the sandbox (host code) and the cog agree on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import discord

DMS = "dms"


@dataclass(frozen=True)
class ViewRequest:
    """Show ``target`` (a channel or thread id, or ``DMS``) to ``user_id``."""

    user_id: int
    target: str


@dataclass(frozen=True)
class SkipRequest:
    seconds: int


@dataclass
class SandboxControls:
    """Requests from /sandbox, taken by the sandbox's clock loop (host code, not bot code)."""

    pending: list[ViewRequest | SkipRequest] = field(default_factory=list)

    def take(self) -> list[ViewRequest | SkipRequest]:
        taken, self.pending = self.pending, []
        return taken


def places(client: discord.Client) -> list[tuple[str, str]]:
    """(label, value) for every text channel and thread of the sandbox's server, then the DMs."""
    found: list[tuple[str, str]] = []
    for guild in client.guilds:
        for channel in guild.text_channels:
            found.append((f"#{channel.name}", str(channel.id)))
            found.extend(
                (f"#{channel.name} › {thread.name}", str(thread.id))
                for thread in guild.threads
                if thread.parent_id == channel.id
            )
    found.append(("Your DMs with Meetbridge", DMS))
    return found
