"""Reflections that fit the question and the words (issue 13), through full envelopes.

A question about something good may be met gladly; a challenge, a worry or a deep question
never is. A flat answer gets a warm acknowledgement, not a guess at a feeling.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import meet, says, stored_household

from closer_together.rituals.validation import is_flat, reflection

NLU_MODES = ("exact", "honest")

PRAISE = ("validate.bright", "validate.warm", "validate.appreciation")
FEELING = ("validate.hard", "validate.heavy", *PRAISE)


def praised(text: str) -> bool:
    return any(says(text, key) for key in PRAISE)


def guessed_a_feeling(text: str) -> bool:
    return any(says(text, key) for key in FEELING)


def to_the_challenge(sim: Any, answer: str) -> Any:
    meet(sim)
    sim.say("ask closer together to start our check-in")
    sim.say("the best part was our walk by the river")
    sim.say("next")
    return sim.say(answer)


@pytest.mark.parametrize(
    "answer", ["the meeting went well in the end", "a big presentation that was great"]
)
def test_a_challenge_that_went_well_is_thanked_not_praised(sim: Any, answer: str) -> None:
    turn = to_the_challenge(sim, f"the hardest part was {answer}")
    assert says(turn.text, "validate.named"), turn.text
    assert not praised(turn.text)


def test_a_hard_challenge_is_met_as_hard(sim: Any) -> None:
    turn = to_the_challenge(sim, "the hardest part was a horrible fight with my brother")
    assert says(turn.text, "validate.hard") or says(turn.text, "validate.heavy"), turn.text


@pytest.mark.parametrize("flat", ["meh", "nothing much", "just getting through it"])
def test_a_flat_best_moment_is_acknowledged_without_a_guess(sim: Any, flat: str) -> None:
    meet(sim)
    sim.say("ask closer together to start our check-in")
    turn = sim.say(flat)
    assert says(turn.text, "validate.flat"), turn.text
    assert not guessed_a_feeling(turn.text)


@pytest.mark.parametrize("flat", ["meh", "nothing much really"])
def test_a_flat_challenge_is_acknowledged_without_a_guess(sim: Any, flat: str) -> None:
    turn = to_the_challenge(sim, flat)
    assert says(turn.text, "validate.flat"), turn.text
    assert not guessed_a_feeling(turn.text)


def test_a_plain_best_moment_is_still_a_good_moment(sim: Any) -> None:
    meet(sim)
    sim.say("ask closer together to start our check-in")
    turn = sim.say("the best part was dinner with my sister")
    assert says(turn.text, "validate.warm") or says(turn.text, "validate.bright"), turn.text


def test_a_small_worry_to_a_deep_question_is_never_praised(sim: Any) -> None:
    meet(sim)
    sim.say("ask closer together for a deeper question")
    turn = sim.say("my answer is a small worry about whether we save enough for the house")
    assert not praised(turn.text), turn.text


# --- the choice itself, over many wordings ------------------------------------------------

GOOD = ["we laughed so much at dinner", "the kids hugged me when I got home, it was lovely"]
HARD = ["my dad is in hospital and I'm scared", "we had a horrible fight"]
CALM = ["work deadlines", "the commute", "a meeting that went well"]
FLAT = ["meh", "nothing much", "not much really", "just getting through it", "same as always"]
FLAT += ["it was fine I guess", "I don't know", "just a normal day", "the usual"]


@pytest.mark.parametrize("text", GOOD + HARD + CALM + FLAT)
def test_only_a_question_about_something_good_is_ever_met_with_gladness(text: str) -> None:
    for hard in (False, True):
        assert reflection(text, praise=False, hard=hard) not in ("bright", "warm")


@pytest.mark.parametrize("text", FLAT)
def test_flat_answers_are_flat_to_every_question(text: str) -> None:
    assert is_flat(text)
    assert {reflection(text, praise=p, hard=h) for p in (False, True) for h in (False, True)} == {
        "flat"
    }


@pytest.mark.parametrize("text", GOOD + HARD + CALM)
def test_answers_with_something_in_them_are_not_flat(text: str) -> None:
    assert not is_flat(text)


def test_unsure_is_neutral_and_a_named_challenge_is_thanked() -> None:
    assert reflection("work deadlines", praise=False, hard=False) == "neutral"
    assert reflection("work deadlines", praise=False, hard=True) == "named"
    assert reflection("we had a horrible fight", praise=False, hard=True) in ("hard", "heavy")
    assert reflection("we laughed so much at dinner", praise=True, hard=False) in (
        "bright",
        "warm",
    )


# --- what is kept, and what is asked about ------------------------------------------------


@pytest.mark.parametrize("said", ["nothing much", "I'm worried about my mom's health"])
def test_a_flat_or_worried_best_moment_is_heard_but_never_read_back(sim: Any, said: str) -> None:
    meet(sim)
    sim.say("ask closer together to start our check-in")
    sim.say(said)
    moments = stored_household().journal.get("2026-11-26")
    assert not moments or not [m for m in moments.moments if m.kind == "best"]


def test_nothing_much_is_not_a_story_the_partner_is_asked_about(sim: Any) -> None:
    meet(sim)
    sim.say("ask closer together to start our check-in")
    turn = sim.say("nothing much")
    assert not says(turn.text, "curiosity.invite")
    assert says(turn.text, "checkin.q.challenge"), turn.text
