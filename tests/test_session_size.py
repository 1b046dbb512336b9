"""Alexa refuses a response over 24 KB: a long-used household must still fit (issue 2)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from conftest import meet, stored_household

from closer_together.household import MAX_MOMENTS_PER_DAY, MOMENT_DAYS
from closer_together.storage import HouseholdStore

ALEXA_RESPONSE_LIMIT = 24 * 1024
TODAY = date(2026, 11, 26)  # the fixtures' clock, in New York


def size(turn: Any) -> int:
    return len(json.dumps(turn.raw, ensure_ascii=False).encode("utf-8"))


def heavy_household() -> int:
    """Months of daily rituals, each day's moments long and full of markup; returns the count."""
    household = stored_household()
    for back in range(1, 120):
        day = TODAY - timedelta(days=back)
        household.mark_done(day, "checkin", ["0:best", "1:best"])
        if back <= MOMENT_DAYS:
            for n in range(MAX_MOMENTS_PER_DAY):
                text = f"day {back} moment {n}: we laughed & cooked <pasta> 😀 " + "so good " * 40
                household.keep(day, "best", n % 2, text, "checkin")
    HouseholdStore().save(household)
    return sum(len(e.moments) for e in stored_household().journal.values())


def test_every_response_fits_alexas_limit_for_a_long_used_household(sim: Any) -> None:
    meet(sim)
    saved = heavy_household()
    assert saved == MOMENT_DAYS * MAX_MOMENTS_PER_DAY
    turns = [sim.launch()]
    turns += [sim.say(u) for u in ("start our check in", "the best part was our walk", "next")]
    assert all(size(t) < ALEXA_RESPONSE_LIMIT for t in turns), [size(t) for t in turns]
    assert sim.attributes.get("slim_days")
    # Writing from the slimmed session kept every moment it had left in the table.
    after = stored_household()
    assert sum(len(e.moments) for e in after.journal.values()) == saved + 1
    assert "our walk" in [m.text for m in after.journal[TODAY.isoformat()].moments]


def test_weekly_review_later_in_a_slim_session_still_reads_the_week_back(sim: Any) -> None:
    meet(sim)
    heavy_household()
    sim.launch()
    turn = sim.say("our weekly review")
    # Yesterday's moments were left out of the slim session, and the other 92 of the week
    # are counted: the whole week was read back from DynamoDB.
    assert "day 1 moment 14" in turn.text and "day 1 moment 15" in turn.text
    assert turn.text.count("46 other good moments") == 2
    assert "&amp;" in turn.ssml and "&lt;pasta&gt;" in turn.ssml
    assert size(turn) < ALEXA_RESPONSE_LIMIT


def test_deleting_saved_answers_from_a_slim_session_deletes_them_all(sim: Any) -> None:
    meet(sim)
    heavy_household()
    sim.launch()
    sim.say("stop saving our answers")
    sim.say("yes")
    assert sum(len(e.moments) for e in stored_household().journal.values()) == 0
