"""The weekly relationship review, read back aloud then asked, end to end (issue 4)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import pytest
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
    """Sam and Alex, with a few days of check-ins and saved moments (one older than a week)."""
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


# A full week: 27 moments, one-word ones among them, appreciations said every which way.
SAM_BEST = [
    "the farmers market",
    "coffee",
    "a walk by the river",
    "brunch with friends 😀",
    "finishing my big project at work",
    "pancakes",
    "dancing in the kitchen",
]
ALEX_BEST = [
    "a long run",
    "our movie night",
    "sleeping in",
    "the new bakery",
    "rain",
    "a call with my sister",
    'Tom & Jerry <3 "night"',
]
SAM_THANKS = {
    2: "for making me laugh",
    3: "thanks",
    4: "he always makes time for me",
    5: "how you fixed the sink",
    6: "that alex made me coffee",
}
ALEX_THANKS = {
    1: "she planned our weekend",
    3: "i appreciate that she listened to me",
    5: "the way she cooked dinner for us",
    6: "for the flowers",
}


def seed_busy_week(sim: Any) -> None:
    """Sam and Alex checked in every day this week and saved something every time."""
    meet(sim)
    household = stored_household()
    today = date.fromisoformat(TODAY)
    household.keep(today - timedelta(days=8), "best", 0, "too old to read", "checkin")
    for back in range(7):
        day = today - timedelta(days=6 - back)
        household.mark_done(day, "checkin")
        household.keep(day, "best", 0, SAM_BEST[back], "checkin")
        household.keep(day, "best", 1, ALEX_BEST[back], "checkin")
        if back in SAM_THANKS:
            household.keep(day, "appreciation", 0, SAM_THANKS[back], "checkin")
        if back in ALEX_THANKS:
            household.keep(day, "appreciation", 1, ALEX_THANKS[back], "checkin")
    household.keep(today - timedelta(days=3), "connecting", 0, "our talk in the car", "monthly")
    household.keep(today - timedelta(days=2), "connecting", 1, "cooking on sunday", "monthly")
    HouseholdStore().save(household)


def test_a_few_moments_are_read_back_by_partner_in_one_turn(sim: Any) -> None:
    seed_week(sim)
    turn = sim.say(REVIEW)
    text = turn.text
    assert says(text, "review.open") and "Sam and Alex" in text
    assert says(text, "review.days.some") and "3" in text  # Friday, Tuesday, Wednesday
    # By partner, not by day: Sam's best moments (the most recent first), Alex's, then the
    # appreciations, each said to the partner it was for.
    assert says(text, "review.best.two") and says(text, "review.connecting.one")
    assert in_order(
        text,
        "Sam",
        "a walk by the river",
        "the farmers market",
        "Alex",
        "brunch with friends 😀",
        "our talk in the car",
        "you fixed the sink",
        'Tom & Jerry <3 "night"',
    )
    assert says(text, "review.appreciation.that") and says(text, "review.appreciation.said")
    assert "On Friday" not in text and "Yesterday" not in text
    assert "too old to read" not in text  # eight days ago
    # Everything fits: the questions begin in the same turn, with no "want to hear more?".
    assert not says(text, "review.more.ask") and not says(text, "review.rest.best")
    assert says(text, "review.questions") and says(text, "review.q.connecting")
    assert turn.directives[0]["type"] == "Dialog.ElicitSlot"
    assert "expect" not in sim.attributes
    # The couple's words are escaped in the SSML, never pasted in raw.
    ssml = turn.ssml or ""
    assert "Tom &amp; Jerry &lt;3 &quot;night&quot;" in ssml
    assert "brunch with friends 😀" in ssml
    assert ssml.count("<break") >= 3  # a breath between partners and kinds


def listening_turns(sim: Any) -> list[Any]:
    """The turns from asking for the review to its first question, answering yes to more."""
    turns = [sim.say(REVIEW)]
    while not says(turns[-1].text, "review.q.connecting") and len(turns) < 6:
        turns.append(sim.say("yes"))
    return turns


def test_a_full_week_takes_at_most_two_turns_of_listening(sim: Any) -> None:
    seed_busy_week(sim)
    turns = listening_turns(sim)
    assert len(turns) == 2
    first, second = (turn.text for turn in turns)
    assert says(first, "review.days.all")
    # The first turn: each partner's most specific recent moment of each kind, then an
    # appreciation each way; then "want to hear more?".
    assert in_order(
        first,
        "Sam",
        "dancing in the kitchen",
        "our talk in the car",
        "Alex",
        'Tom & Jerry <3 "night"',
        "cooking on sunday",
        "you made her coffee",
        "for the flowers",
    )
    assert says(first, "review.more.ask") and first.endswith("?")
    assert turns[0].reprompt and says(turns[0].reprompt, "review.more.reprompt")
    assert turns[0].directives == []  # a yes or no, not an answer
    # The second: one more of each, the others counted, then the questions.
    assert in_order(
        second,
        "finishing my big project at work",
        "5 other good moments",
        "a call with my sister",
        "5 other good moments",
        "you fixed the sink",
        "3 other appreciations",
        "you cooked dinner for the two of you",
        "2 other appreciations",
    )
    assert says(second, "review.more.done") and says(second, "review.questions")
    assert turns[1].directives[0]["type"] == "Dialog.ElicitSlot"
    heard = first + " " + second
    # One-word moments give way to specific ones; the oldest specific one is counted.
    for unsaid in ("pancakes", "rain", "the farmers market", "a long run", "too old to read"):
        assert unsaid not in heard
    assert "On Friday" not in heard and "Yesterday" not in heard
    # Appreciations are said to the listener, never "Sam told Alex, that alex made me coffee".
    assert "told" not in heard and "made me" not in heard and "alex made" not in heard
    assert "Tom &amp; Jerry &lt;3 &quot;night&quot;" in (turns[0].ssml or "")


def test_no_to_hearing_more_goes_straight_to_the_questions(sim: Any) -> None:
    seed_busy_week(sim)
    sim.say(REVIEW)
    turn = sim.say("no thanks")
    assert says(turn.text, "review.more.no") and says(turn.text, "review.q.connecting")
    assert "finishing my big project" not in turn.text and "other good moments" not in turn.text


def test_help_and_unclear_answers_while_asking_to_hear_more(sim: Any) -> None:
    seed_busy_week(sim)
    sim.say(REVIEW)
    helped = sim.say("help")
    assert says(helped.text, "review.more.help") and not helped.ends_session
    unclear = sim.intent("AMAZON.FallbackIntent")
    assert says(unclear.text, "review.more.reprompt")
    assert sim.attributes["expect"] == "review:more"
    more = sim.say("yes")
    assert "finishing my big project at work" in more.text
    assert says(more.text, "review.q.connecting")
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


# Priya's appreciations of Tom, as stored, and what Tom hears. Tom calls Priya "she".
TURNED = [
    ("that tom made me coffee", "review.appreciation.that", "you made her coffee"),
    ("tom made me coffee", "review.appreciation.that", "you made her coffee"),
    ("he made me coffee", "review.appreciation.that", "you made her coffee"),
    ("you made me coffee", "review.appreciation.that", "you made her coffee"),
    ("how you fixed the sink", "review.appreciation.that", "you fixed the sink"),
    ("i appreciate that he listened to me", "review.appreciation.that", "you listened to her"),
    ("the way he cooked dinner for us", "review.appreciation.that", "you cooked dinner"),
    ("for making me laugh", "review.appreciation.for", "making her laugh"),
    ("he is always there for me", "review.appreciation.that", "you are always there for her"),
    ("he helped my sister & her kids", "review.appreciation.said", "he helped my sister & her"),
]


@pytest.mark.parametrize(("said", "key", "heard"), TURNED)
def test_an_appreciation_is_read_back_to_the_partner_it_was_for(
    sim: Any, said: str, key: str, heard: str
) -> None:
    meet(sim, "Priya", "Tom")
    household = stored_household()
    yesterday = date.fromisoformat(TODAY) - timedelta(days=1)
    household.mark_done(yesterday, "checkin")
    household.keep(yesterday, "appreciation", 0, said, "checkin")
    household.keep(yesterday, "appreciation", 1, "that she listened to me", "checkin")
    HouseholdStore().save(household)
    text = sim.say(REVIEW).text
    assert says(text, key) and heard in text, text
    assert "Priya told Tom" not in text and "made me" not in text and "tom made" not in text
    # Tom's appreciation of Priya, read to her: Tom is "him" where Priya called him "he".
    assert "you listened to him" in text or "you listened to Tom" in text


def test_without_a_known_pronoun_the_speaker_is_named(sim: Any) -> None:
    meet(sim)
    household = stored_household()
    yesterday = date.fromisoformat(TODAY) - timedelta(days=1)
    household.keep(yesterday, "appreciation", 0, "that alex made me coffee", "checkin")
    household.keep(yesterday, "appreciation", 1, "how you fixed my bike", "checkin")
    HouseholdStore().save(household)
    text = sim.say(REVIEW).text
    assert "you made Sam coffee" in text and "you fixed Alex's bike" in text
    assert in_order(text, "Sam", "you made Sam coffee", "Alex", "you fixed Alex's bike")


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
    # Saturday's moments: Sam's best, Alex's, then each one's appreciation of the other.
    # (Who answers first alternates by day: on Saturday, Sam had lunch and Alex a run.)
    assert in_order(
        first.text,
        "Sam",
        "lunch number 3",
        "Alex",
        "my run number 3",
        "the coffee number 3",
        "the note number 3",
    )
    assert "number 2" not in first.text and "number 1" not in first.text
    assert says(first.text, "review.more.ask")
    second = sim.say("yes")  # Friday's; Thursday's only counted
    assert in_order(second.text, "Sam", "my run number 2", "Alex", "lunch number 2")
    assert "the coffee number 2" in second.text and "the note number 2" in second.text
    assert "number 1" not in second.text and says(second.text, "review.rest.best.one")
    assert says(second.text, "review.q.connecting")
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
    seed_busy_week(sim)
    turns = [sim.say(REVIEW), sim.intent("AMAZON.FallbackIntent"), sim.say("yes")]
    turns += [sim.say(said) for said in ("our walk", "the dinner", "more time", "next")]
    for before, after in pairwise(turns):
        said_before = {s for s in re.split(r"(?<=[.?!])\s+", before.text) if s}
        said_after = {s for s in re.split(r"(?<=[.?!])\s+", after.text) if s}
        assert not said_before & said_after, (before.text, after.text)
