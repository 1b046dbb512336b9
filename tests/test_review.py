"""The weekly relationship review, read back aloud then asked, end to end (issue 4)."""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise
from typing import Any

from conftest import meet, raw_items, says, stored_household

from closer_together.speech import catalog
from closer_together.storage import HouseholdStore

TODAY = "2026-11-26"  # Thursday, in New York
PROMPTS = catalog("en-US")
REVIEW = "ask closer together for our weekly review"


def in_order(text: str, *parts: str) -> bool:
    at = -1
    for part in parts:
        found = text.find(part, at + 1)
        if found <= at:
            return False
        at = found
    return True


def seed_week(sim: Any) -> None:
    """Sam and Alex, with a week of check-ins and saved moments (and one older than a week)."""
    meet(sim)
    household = stored_household()
    household.created_on = "2026-11-01"
    days = {day: date.fromisoformat(day) for day in ("2026-11-19", "2026-11-20", "2026-11-22")}
    days.update({day: date.fromisoformat(day) for day in ("2026-11-24", "2026-11-25")})
    for day in ("2026-11-19", "2026-11-20", "2026-11-24", "2026-11-25"):
        household.mark_done(days[day], "checkin")
    household.keep(days["2026-11-19"], "best", 0, "too old to read", "checkin")
    household.keep(days["2026-11-20"], "best", 0, "the farmers market", "checkin")
    household.keep(days["2026-11-20"], "appreciation", 1, 'Tom & Jerry <3 "night"', "checkin")
    household.keep(days["2026-11-22"], "best", 1, "brunch with friends 😀", "checkin")
    household.keep(days["2026-11-24"], "best", 0, "a walk by the river", "checkin")
    household.keep(days["2026-11-24"], "connecting", 1, "our talk in the car", "monthly")
    household.keep(days["2026-11-25"], "appreciation", 0, "how you fixed the sink", "checkin")
    HouseholdStore().save(household)


def test_the_week_is_read_back_a_few_moments_at_a_time_in_order(sim: Any) -> None:
    seed_week(sim)
    first = sim.say(REVIEW)
    text = first.text
    assert says(text, "review.open") and "Sam and Alex" in text
    assert says(text, "review.days.some") and "3" in text  # Friday, Tuesday, Wednesday
    assert in_order(
        text,
        "On Friday,",
        "Sam",
        "the farmers market",
        "Alex",
        'Tom & Jerry <3 "night"',
        "On Sunday,",
        "Alex",
        "brunch with friends 😀",
    )
    assert "too old to read" not in text  # eight days ago
    assert "a walk by the river" not in text  # the next page
    assert says(text, "review.more.ask") and text.endswith("?")
    assert first.reprompt and not first.ends_session
    assert first.directives == []  # a yes or no, not an answer
    # The couple's words are escaped in the SSML, never pasted in raw.
    assert "Tom &amp; Jerry &lt;3 &quot;night&quot;" in (first.ssml or "")
    assert "brunch with friends 😀" in (first.ssml or "")
    assert (first.ssml or "").count("<break") >= 3  # a breath between moments

    rest = sim.say("yes")
    assert in_order(
        rest.text,
        "On Tuesday,",
        "Sam",
        "a walk by the river",
        "Alex",
        "our talk in the car",
        "Yesterday,",
        "Sam",
        "how you fixed the sink",
    )
    assert says(rest.text, "review.more.done")
    assert says(rest.text, "review.questions") and says(rest.text, "review.q.connecting")
    assert rest.directives[0]["type"] == "Dialog.ElicitSlot"
    assert "expect" not in sim.attributes


def test_no_to_hearing_more_goes_straight_to_the_questions(sim: Any) -> None:
    seed_week(sim)
    sim.say(REVIEW)
    turn = sim.say("no thanks")
    assert says(turn.text, "review.more.no") and says(turn.text, "review.q.connecting")
    assert "a walk by the river" not in turn.text


def test_help_and_unclear_answers_while_asking_to_hear_more(sim: Any) -> None:
    seed_week(sim)
    sim.say(REVIEW)
    helped = sim.say("help")
    assert says(helped.text, "review.more.help") and not helped.ends_session
    unclear = sim.intent("AMAZON.FallbackIntent")
    assert says(unclear.text, "review.more.reprompt")
    assert sim.attributes["expect"] == "review:more"
    more = sim.say("yes")
    assert "a walk by the river" in more.text
    stopped = sim.say("stop")
    assert stopped.ends_session


def test_a_week_with_nothing_saved_says_so_once_and_introduces_the_review_once(
    sim: Any,
) -> None:
    meet(sim)
    turn = sim.say(REVIEW)
    assert says(turn.text, "review.days.none") and says(turn.text, "review.moments.none")
    assert says(turn.text, "review.q.connecting") and "Sam," in turn.text
    # "Let's start with this review. Now for your review." was two introductions in a row.
    assert len(re.findall(r"\breview\b", turn.text, re.IGNORECASE)) == 1, turn.text
    assert turn.directives[0]["type"] == "Dialog.ElicitSlot"
    assert "expect" not in sim.attributes


def test_saying_there_is_nothing_to_read_never_introduces_the_review() -> None:
    for variant in PROMPTS.variants("review.moments.none"):
        assert "review" not in variant.lower() and "let's" not in variant.lower(), variant
    for variant in PROMPTS.variants("review.days.none"):
        assert "review" not in variant.lower(), variant


def test_review_saves_connecting_and_care_but_never_the_area_for_closeness(sim: Any) -> None:
    meet(sim)
    sim.say(REVIEW)
    alex = sim.say("we cooked pasta & danced 💃")
    assert "Alex," in alex.text
    closeness = sim.say("the movie night")
    assert "Sam," in closeness.text and says(closeness.text, "review.q.closeness")
    talk = sim.intent("AnswerIntent", answer="I wish we talked more about money worries")
    assert "Alex" in talk.text and "next" in talk.text.lower()
    assert says(sim.say("next").text, "review.q.closeness")
    sim.intent("AnswerIntent", answer="more evenings without phones")
    care = sim.say("next")
    assert says(care.text, "review.q.care") and "Sam," in care.text
    nudge = sim.say("you're amazing")
    assert says(nudge.text, "appreciation.nudge")
    sim.say("you picked me up from the station in the rain")
    done = sim.say("I appreciate you listening to me vent")
    assert done.ends_session and says(done.text, "review.close")

    entry = stored_household().journal[TODAY]
    assert entry.done == ["review"]
    assert [(m.kind, m.partner, m.text) for m in entry.moments] == [
        ("connecting", 0, "we cooked pasta & danced 💃"),
        ("connecting", 1, "the movie night"),
        ("appreciation", 0, "you're amazing you picked me up from the station in the rain"),
        ("appreciation", 1, "you listening to me vent"),
    ]
    assert sorted(entry.answered["review"]) == sorted(
        ["0:connecting", "1:connecting", "0:closeness", "1:closeness", "0:care", "1:care"]
    )
    stored = raw_items()
    assert "money worries" not in stored and "without phones" not in stored
    assert stored_household().progress is None


def full_checkin(sim: Any, day: int) -> None:
    for said in [
        "ask closer together to start our check-in",
        f"the best part was lunch number {day}",
        "next",
        "the hardest part was traffic",
        "next",
        f"the best part was my run number {day}",
        "next",
        "the hardest part was email",
        "next",
        f"I appreciate the coffee number {day}",
        f"I appreciate the note number {day}",
    ]:
        sim.say(said)


def test_a_week_of_real_checkins_is_read_back_and_resumes_without_rereading(
    sim: Any, clock: Any
) -> None:
    meet(sim)
    for day in (1, 2, 3):
        full_checkin(sim, day)
        clock.advance(days=1)
    clock.advance(days=1)  # Monday 30 November: Thursday, Friday, Saturday had check-ins
    first = sim.say(REVIEW)
    assert says(first.text, "review.days.some") and "3" in first.text
    # Thursday: Sam went first, so Sam's best moment, Alex's, then Sam's appreciation.
    assert in_order(
        first.text,
        "On Thursday,",
        "Sam",
        "lunch number 1",
        "Alex",
        "my run number 1",
        "Sam",
        "the coffee number 1",
    )
    assert "number 2" not in first.text
    second = sim.say("yes")
    assert in_order(second.text, "Alex", "the note number 1", "On Friday,", "number 2")
    questions = sim.say("no")
    assert says(questions.text, "review.q.connecting")
    sim.say("the best part was lunch together")
    sim.end("EXCEEDED_MAX_REPROMPTS")
    resumed = sim.say("ask closer together for the next question")
    assert says(resumed.text, "review.resume") and says(resumed.text, "review.q.connecting")
    assert not says(resumed.text, "review.open") and "number 1" not in resumed.text
    again = sim.say("stop")
    assert again.ends_session
    asked = sim.say(REVIEW)  # asking for the review again today picks up the questions too
    assert says(asked.text, "review.resume") and not says(asked.text, "review.open")


def test_no_sentence_is_said_twice_in_a_row_through_the_review(sim: Any) -> None:
    seed_week(sim)
    turns = [sim.say(REVIEW), sim.intent("AMAZON.FallbackIntent"), sim.say("yes")]
    turns += [sim.say(said) for said in ("our walk", "the dinner", "more time", "next")]
    for before, after in pairwise(turns):
        said_before = {s for s in re.split(r"(?<=[.?!])\s+", before.text) if s}
        said_after = {s for s in re.split(r"(?<=[.?!])\s+", after.text) if s}
        assert not said_before & said_after, (before.text, after.text)
