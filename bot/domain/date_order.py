"""Which way round a server writes numeric dates (``3/4``): day-month or month-day.

A server chooses with ``/config dateformat``; until it does, its timezone decides: month-day for
the US-style zones of the Americas (the United States with Puerto Rico and the US Virgin Islands,
and Canada, where English usage mostly writes month first), day-month everywhere else.
"""

from __future__ import annotations

from enum import StrEnum


class DateOrder(StrEnum):
    DAY_MONTH = "day-month"
    MONTH_DAY = "month-day"

    @property
    def parts(self) -> str:
        """``day/month`` or ``month/day``, as the read-back names it."""
        return self.value.replace("-", "/")

    def example(self) -> str:
        """What ``3/4`` means in this order."""
        return "3/4 is 3 April" if self is DateOrder.DAY_MONTH else "3/4 is March 4"


# From the tz database's zone.tab (US, CA, PR, VI) plus the older names that link to them.
_MONTH_FIRST_PREFIXES = (
    "US/",
    "Canada/",
    "America/Indiana/",
    "America/Kentucky/",
    "America/North_Dakota/",
)
_MONTH_FIRST_ZONES = frozenset(
    {
        # United States
        "America/New_York", "America/Detroit", "America/Chicago", "America/Menominee",
        "America/Denver", "America/Boise", "America/Phoenix", "America/Los_Angeles",
        "America/Anchorage", "America/Juneau", "America/Sitka", "America/Metlakatla",
        "America/Yakutat", "America/Nome", "America/Adak", "Pacific/Honolulu",
        "America/Fort_Wayne", "America/Indianapolis", "America/Knox_IN", "America/Louisville",
        "America/Atka", "America/Shiprock", "Navajo",
        "EST5EDT", "CST6CDT", "MST7MDT", "PST8PDT", "EST", "MST", "HST",
        # Puerto Rico and the US Virgin Islands
        "America/Puerto_Rico", "America/St_Thomas", "America/Virgin",
        # Canada
        "America/St_Johns", "America/Halifax", "America/Glace_Bay", "America/Moncton",
        "America/Goose_Bay", "America/Blanc-Sablon", "America/Toronto", "America/Iqaluit",
        "America/Atikokan", "America/Winnipeg", "America/Resolute", "America/Rankin_Inlet",
        "America/Regina", "America/Swift_Current", "America/Edmonton", "America/Cambridge_Bay",
        "America/Inuvik", "America/Creston", "America/Dawson_Creek", "America/Fort_Nelson",
        "America/Whitehorse", "America/Dawson", "America/Vancouver", "America/Montreal",
        "America/Nipigon", "America/Thunder_Bay", "America/Rainy_River", "America/Yellowknife",
        "America/Pangnirtung", "America/Coral_Harbour",
    }
)  # fmt: skip


def default_date_order(tz: str | None) -> DateOrder:
    """The order a server's timezone suggests, before any admin chooses one."""
    if tz is not None and (tz in _MONTH_FIRST_ZONES or tz.startswith(_MONTH_FIRST_PREFIXES)):
        return DateOrder.MONTH_DAY
    return DateOrder.DAY_MONTH
