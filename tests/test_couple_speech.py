"""The couple-speech corpus, driven through every ritual question, in both NLU modes.

Each line of tests/data/couple_speech.tsv is said, through full request envelopes, to an
open question of some ritual (the lines are spread over every question state). Whatever
it is: every turn ends in a valid response (the simulator parses all SSML), nothing that
is not an answer is stored or counted, and no ritual loses its place.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import stored_household

from closer_together.household import Household, Partner, household_id_for
from closer_together.rituals import guided
from closer_together.storage import HouseholdStore
from tests.corpus import load_couple_speech

NLU_MODES = ("exact", "honest")
TODAY = "2026-11-26"
NOW = datetime(2026, 11, 26, 20, 0, tzinfo=ZoneInfo("America/New_York"))
# Every question state of every guided ritual: (intent that starts it, questions to skip).
STATES: list[tuple[str, int]] = [
    ("StartCheckInIntent", 0),  # Sam: best part
    ("StartCheckInIntent", 1),  # Sam: most challenging
    ("StartCheckInIntent", 3),  # Alex: most challenging
    ("StartCheckInIntent", 4),  # Sam: appreciation
    ("AppreciationIntent", 0),
    ("WeeklyPlanningIntent", 0),  # the event
    ("WeeklyPlanningIntent", 1),  # how do you feel
    ("WeeklyPlanningIntent", 2),  # what would help
    ("MonthlyCheckInIntent", 0),
    ("MonthlyCheckInIntent", 1),
    ("MonthlyCheckInIntent", 2),
    ("DeeperQuestionIntent", 0),
]
CORPUS = load_couple_speech()
# Lines that must never change what is stored (answers may; everything else may not).
NOT_ANSWERS = [(c, u) for c, u in CORPUS if c != "answer"]
ANSWERS = [u for c, u in CORPUS if c == "answer"]


RITUAL_OF = {
    "StartCheckInIntent": "checkin",
    "AppreciationIntent": "appreciation",
    "WeeklyPlanningIntent": "planning",
    "MonthlyCheckInIntent": "monthly",
    "DeeperQuestionIntent": "deeper",
}


def at_question(make_sim: Any, user: str, start: str, skips: int) -> Any:
    """A household whose ritual waits at that question (one write), and a session in which
    the skill has just asked it ("ask Closer Together for the next question")."""
    household = Household(
        household_id=household_id_for(user),
        partners=[Partner("Sam"), Partner("Alex")],
        created_on="2026-11-01",
        time_zone="America/New_York",
    )
    plan = guided.PLANS[RITUAL_OF[start]]
    params = {"question": "What's a small worry you've been carrying?"}
    guided.start(household, plan, NOW, params=params if plan.ritual == "deeper" else None)
    assert household.progress is not None
    household.progress["step"] = skips
    HouseholdStore().save(household)
    sim = make_sim(user_id=user)
    turn = sim.intent("NextQuestionIntent")
    assert turn.reprompt and not turn.ends_session, turn.text
    return sim


def look(user: str) -> tuple[tuple[Any, ...], list[str], list[str]]:
    """Where the ritual stands, what was saved today, which rituals were done: one read."""
    household = stored_household(user)
    progress = household.progress or {}
    shelved = progress.get("shelved") or {}
    place = (
        progress.get("ritual"),
        progress.get("step"),
        shelved.get("ritual"),
        shelved.get("step"),
    )
    entry = household.journal.get(TODAY)
    saved = [m.text for m in entry.moments] if entry else []
    return place, saved, list(entry.done) if entry else []


def places(before: tuple[Any, ...], after: tuple[Any, ...]) -> bool:
    """The ritual under way is still there: as it was, moved on, or set aside for another."""
    ritual, step = before[:2]
    return ritual in (after[0], after[2]) or after == (None, None, None, None)


@pytest.mark.parametrize(
    "state", range(len(STATES)), ids=lambda i: f"{STATES[i][0]}+{STATES[i][1]}"
)
def test_nothing_that_is_not_an_answer_is_stored_and_no_ritual_loses_its_place(
    make_sim: Any, table: str, state: int, nlu_mode: str
) -> None:
    start, skips = STATES[state]
    # Each line once, in one mode or the other: both modes see every state.
    lines = NOT_ANSWERS[state :: len(STATES)][NLU_MODES.index(nlu_mode) :: len(NLU_MODES)]
    assert lines
    for n, (category, said) in enumerate(lines):
        user = f"amzn1.ask.account.CORPUS{state}x{n}"
        sim = at_question(make_sim, user, start, skips)
        before = (RITUAL_OF[start], skips, None, None)
        turn = sim.say(said)
        assert turn.raw.get("response") is not None, said
        after, saved, done = look(user)
        assert saved == [], (category, said, turn.text)
        assert done == [], (category, said, turn.text)
        assert places(before, after), (category, said, before, after, turn.text)
        if category in ("filler", "yesno") and after[:2] == before[:2]:
            assert not turn.ends_session, (said, turn.text)


@pytest.mark.parametrize("offset", range(4))
def test_answers_are_kept_whole_in_the_ritual_that_keeps_them(
    make_sim: Any, table: str, offset: int, nlu_mode: str
) -> None:
    """Answers to the best-part question: kept as said (never a carrier or another's words),
    or, when not kept, the check-in is still at that question or just past it."""
    # Every answer is said once: each NLU mode takes every other line of this share.
    lines = ANSWERS[offset::4][NLU_MODES.index(nlu_mode) :: len(NLU_MODES)]
    users = (f"amzn1.ask.account.ANSWER{offset}x{n}" for n in itertools.count())
    missing = []
    for said in lines:
        user = next(users)
        sim = at_question(make_sim, user, "StartCheckInIntent", 0)
        turn = sim.say(said)
        place, kept, _ = look(user)
        assert len(kept) <= 1, (said, kept)
        if kept:
            assert kept[0] in said, (said, kept)
        else:
            missing.append(said)
            # Not kept: a hard day is heard but not read back, or it was not an answer and
            # the question is still open.
            assert place[:2] in (("checkin", 0), ("checkin", 1)), (said, turn.text)
    # Some are clearly negative (a hard day is heard, not read back as a best moment); on
    # the honest NLU a few are heard as another intent, as on a device.
    assert len(missing) <= len(lines) // 5, missing
