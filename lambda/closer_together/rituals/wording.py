"""Words said inside a line: a phrase from the catalogue, a clock time, a list of things.

Each is plain text from the locale's own templates, given to `speech.line(...)` as a
value (escaped when the line is rendered), so the wording stays data.
"""

from __future__ import annotations

from typing import Any

from closer_together.speech import Catalog


def phrase(catalog: Catalog, key: str, **values: Any) -> str:
    """A phrase of the catalogue, always its first wording: a value is said the same way."""
    return catalog.variants(key)[0].format(**values)


def clock(catalog: Catalog, hour: int, minute: int) -> str:
    """A time of day on a 12-hour clock with AM or PM ("8 PM", "7:30 AM")."""
    half = phrase(catalog, "reminder.am" if hour < 12 else "reminder.pm")
    key = "reminder.clock.hour" if minute == 0 else "reminder.clock"
    return phrase(catalog, key, hour=hour % 12 or 12, minute=f"{minute:02d}", half=half)


def items(catalog: Catalog, said: list[str]) -> str:
    """Things in a row, the last joined by "and" ("a, b and c")."""
    if len(said) <= 1:
        return "".join(said)
    return f"{', '.join(said[:-1])} {phrase(catalog, 'reminder.and')} {said[-1]}"
