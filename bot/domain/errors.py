"""Typed errors that carry what the member should read.

Anything raised as a :class:`UserError` is bad input or a refused action: the single error
handler shows ``message`` (and ``example`` when given) ephemerally and nothing has changed.
Everything else is a bug and is logged with a trace id.
"""

from __future__ import annotations

from bot.domain.limits import CONTENT, clip


class UserError(Exception):
    """Bad input or a refused action, explained to the member who caused it."""

    def __init__(self, message: str, example: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.example = example

    def render(self) -> str:
        """The message and its example, within one Discord message whatever the member typed."""
        if self.example and f"`{self.example}`" not in self.message and self.example != self.message:
            suffix = f"\nTry: {clip(self.example, EXAMPLE_SHOWN)}"
            return clip(self.message, CONTENT - len(suffix)) + suffix
        return clip(self.message, CONTENT)


QUOTED = 80
EXAMPLE_SHOWN = 300


def quote(typed: str, limit: int = QUOTED) -> str:
    """What a member typed, on one line and short enough to quote back in a refusal."""
    return clip(" ".join(typed.split()), limit)


class NotFound(UserError):
    """The thing the member named does not exist in this server."""


class Forbidden(UserError):
    """The member may not do this (not the organiser, no Manage Server, ...)."""


class NotConfigured(UserError):
    """A feature is used before an admin configured its channel."""
