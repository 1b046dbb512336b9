"""What the launch menu suggests first: the ritual that is due today.

The weekly review on the couple's review day (Sunday unless they chose another) or once a
week has gone by without one; the monthly check-in a month after the last (or after they
started); otherwise today's check-in if it is not done yet.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from closer_together.household import Household
from closer_together.speech import Line, line

REVIEW_DAY = "review.day"
# The schedule's key for the review reminder (rituals/schedule.py).
REVIEW_REMINDER = "weekly_review"
SUNDAY = 6
WEEK = 7
# A review a few days before the review day (moved for a busy weekend) still counts.
MIN_REVIEW_GAP = 4
_DAY_NAMES = ("mo", "tu", "we", "th", "fr", "sa", "su")


def suggest(household: Household, today: date) -> Line | None:
    """A line suggesting today's due ritual, or None for the plain menu."""
    if review_due(household, today):
        return line("due.review")
    if monthly_due(household, today):
        return line("due.monthly")
    entry = household.journal.get(today.isoformat())
    if entry is None or "checkin" not in entry.done:
        return line("due.checkin")
    return None


def review_day(household: Household) -> int:
    """The weekday of the couple's review (0 Monday ... 6 Sunday): the day they chose, else
    the day of their review reminder ("SU"), else Sunday."""
    chosen = household.memory.get(REVIEW_DAY)
    reminder = household.schedule.get(REVIEW_REMINDER) or {}
    if chosen is None and reminder.get("status") != "off":
        chosen = reminder.get("day")
    return _weekday(chosen)


def _weekday(value: Any) -> int:
    if isinstance(value, int) and 0 <= value < WEEK:
        return value
    if isinstance(value, str):
        start = value.strip().lower()[:2]
        if start in _DAY_NAMES:
            return _DAY_NAMES.index(start)
    return SUNDAY


def _started(household: Household) -> date | None:
    return date.fromisoformat(household.created_on) if household.created_on else None


def review_due(household: Household, today: date) -> bool:
    since = household.last_done("review") or _started(household)
    if since is None:
        return False
    gap = (today - since).days
    if gap >= WEEK:
        return True
    return today.weekday() == review_day(household) and gap >= MIN_REVIEW_GAP


def monthly_due(household: Household, today: date) -> bool:
    since = household.last_done("monthly") or _started(household)
    return since is not None and today >= month_after(since)


def month_after(day: date) -> date:
    """The same day next month, or that month's last day when it is shorter."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
