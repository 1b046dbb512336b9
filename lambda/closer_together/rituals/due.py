"""What the launch menu suggests first: the ritual that is due today."""

from __future__ import annotations

from datetime import date

from closer_together.household import Household
from closer_together.speech import Line


def suggest(household: Household, today: date) -> Line | None:
    """A line suggesting today's due ritual, or None for the plain menu."""
    return None
