"""IANA timezone names: validation and autocomplete over the names zoneinfo knows."""

from __future__ import annotations

import functools
import zoneinfo

from bot.domain.errors import UserError, quote

TIMEZONE_EXAMPLE = "/config timezone name:Europe/Berlin"
# Names that exist in the database but are not places a server can be in.
_EXCLUDED = {"Factory", "localtime", "posixrules"}


@functools.cache
def all_timezones() -> tuple[str, ...]:
    return tuple(sorted(name for name in zoneinfo.available_timezones() if name not in _EXCLUDED))


@functools.cache
def _by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in all_timezones()}


def validate_timezone(name: str) -> str:
    """Return the canonical spelling of an IANA name, or refuse with an example."""
    cleaned = name.strip().replace(" ", "_")
    canonical = _by_folded_name().get(cleaned.casefold())
    if canonical is None:
        suggestions = search_timezones(name, limit=3)
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
        raise UserError(f"`{quote(name)}` is not an IANA timezone name.{hint}", TIMEZONE_EXAMPLE)
    return canonical


def search_timezones(query: str, limit: int = 25) -> list[str]:
    """Autocomplete: prefix matches on any path part first, then substring matches."""
    needle = query.strip().replace(" ", "_").casefold()
    names = all_timezones()
    if not needle:
        preferred = ["UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles"]
        return preferred[:limit]
    prefix: list[str] = []
    substring: list[str] = []
    for name in names:
        folded = name.casefold()
        if folded.startswith(needle) or any(part.startswith(needle) for part in folded.split("/")):
            prefix.append(name)
        elif needle in folded:
            substring.append(name)
    return (prefix + substring)[:limit]
