"""How the boards read a refused request (:class:`Undeliverable`): retry later, or tell someone."""

from __future__ import annotations

from bot.adapters.outbound import Undeliverable
from bot.domain.errors import UserError
from bot.scheduling.scheduler import RetryLater


def retry_later(error: Undeliverable) -> RetryLater:
    """A failed post in a durable task: after a 429's retry-after, else the usual backoff."""
    if error.retry_after is not None:
        return RetryLater(str(error), delay=int(error.retry_after) + 1)
    return RetryLater(str(error))


def rate_limited(error: Exception) -> float | None:
    """A live edit answered (or held back by) a 429: seconds until it may go again."""
    return error.retry_after if isinstance(error, Undeliverable) else None


def cannot_post(channel_id: int, error: Undeliverable) -> UserError:
    """The refusal a member sees when their meetup or poll could not be posted (nothing was kept)."""
    if error.forbidden:
        why = f"I'm missing {error.missing} there"
    elif error.gone:
        why = "that channel no longer exists"
    else:
        why = "Discord did not take it; please try again in a minute"
    return UserError(
        f"I couldn't post in <#{channel_id}>: {why}. Give me View Channel, Send Messages, "
        "Embed Links and Add Reactions there, or choose another channel.",
        "/config channel purpose:meetups channel:#meetups",
    )
