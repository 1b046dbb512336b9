"""Offers the couple said no to are not made again for a week.

One mechanism for every offer (ritual reminders, a time-out's reminder): `place` is the
dict of the household's memory that belongs to the offer; it keeps the day the pause ends.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

QUIET_DAYS = 7
_UNTIL = "quiet_until"


def quiet(place: dict[str, Any] | None, today: date) -> bool:
    """Whether the couple said no to this offer in the last week."""
    until = (place or {}).get(_UNTIL)
    try:
        return isinstance(until, str) and today < date.fromisoformat(until)
    except ValueError:
        return False


def keep_quiet(place: dict[str, Any], today: date) -> None:
    place[_UNTIL] = (today + timedelta(days=QUIET_DAYS)).isoformat()


def end_quiet(place: dict[str, Any] | None) -> bool:
    """The couple asked after all: the offer may come again. Whether that changed."""
    return place is not None and place.pop(_UNTIL, None) is not None
