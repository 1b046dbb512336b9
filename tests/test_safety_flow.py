"""Crisis, abuse and professional-help signals interrupt any ritual, and are never stored
(issue 6). Full Alexa request envelopes through the simulator; DynamoDB in moto."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import MODEL, USER, meet, raw_items, says, stored_household

CRISIS_ANSWER = "honestly I keep thinking about ending it all, Quillon"
ABUSE_ANSWER = "he hit me again last night when Quillon got home"
HOPELESS_ANSWER = "nothing really, it feels hopeless between us Quillon"
MARKER = "Quillon"  # a word nobody else uses: wherever it shows up, the answer leaked


def start_checkin(sim: Any) -> Any:
    meet(sim)
    turn = sim.say("ask closer together to start our check-in")
    assert turn.directives and turn.directives[0]["type"] == "Dialog.ElicitSlot"
    return turn


def assert_not_kept(*turns: Any) -> None:
    assert MARKER not in raw_items()
    for turn in turns:
        assert MARKER not in json.dumps(turn.raw)  # not echoed, not in session attributes


def test_crisis_inside_a_checkin_answer_interrupts_and_is_never_stored(sim: Any) -> None:
    start_checkin(sim)
    before = stored_household().progress
    turn = sim.say(CRISIS_ANSWER)
    assert turn.heard.intent_name == "AnswerIntent"  # Alexa was eliciting the answer
    assert "988" in turn.text
    assert "can't call emergency services" in turn.text
    assert "911" in turn.text
    assert turn.card and "988" in turn.card["content"]
    assert turn.ends_session
    assert_not_kept(turn)
    # The ritual waits where it was, for later.
    household = stored_household()
    assert household.progress == before
    assert not any(day.moments for day in household.journal.values())
    # The next session opens gently, then goes back to the ritual if they want to.
    resumed = sim.say("ask closer together for the next question")
    assert says(resumed.text, "gentle.open")
    assert says(sim.say("yes").text, "checkin.q.best")


def test_abuse_inside_a_checkin_answer_points_to_individual_support_not_couples_therapy(
    sim: Any,
) -> None:
    start_checkin(sim)
    turn = sim.say(ABUSE_ANSWER)
    assert "Domestic Violence Hotline" in turn.text
    assert "can't call emergency services" in turn.text
    lowered = turn.text.lower()
    assert "couples" not in lowered and "emotionally focused" not in lowered
    assert "therapy" not in lowered
    assert turn.card is None  # the Alexa app's history is not a safe place for this
    assert turn.ends_session
    assert_not_kept(turn)


def test_professional_help_inside_an_answer_gives_the_note_and_moves_on_unsaved(
    sim: Any,
) -> None:
    start_checkin(sim)
    turn = sim.say(HOPELESS_ANSWER)
    assert "Emotionally Focused Therapy" in turn.text
    assert "individual therapy" in turn.text and "relationship coaching" in turn.text
    # The ritual moved on to the next question, and is still listening for it.
    assert "challenging" in turn.text or "hardest" in turn.text or "weighed" in turn.text
    assert not turn.ends_session
    assert turn.directives[-1]["type"] == "Dialog.ElicitSlot"
    assert turn.card and "Emotionally Focused Therapy" in turn.card["content"]
    assert_not_kept(turn)
    household = stored_household()
    assert household.progress["step"] == 1
    assert household.progress.get("answered", []) == []


def test_a_signal_in_any_slot_of_any_intent_is_caught(sim: Any) -> None:
    meet(sim)
    sim.say("ask closer together I had a terrible day")
    turn = sim.say(f"I want to kill myself {MARKER}")
    assert turn.heard.intent_name == "LevelIntent"  # heard as the level Alexa asked for
    assert "988" in turn.text and turn.ends_session
    assert_not_kept(turn)
    sim.launch()
    turn = sim.intent("NamesIntent", firstName="Sam", secondName=f"my partner hits me {MARKER}")
    assert "Domestic Violence Hotline" in turn.text
    assert_not_kept(turn)
    assert stored_household().names == ["Sam", "Alex"]


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("I want to die", "988"),
        ("I'm thinking about suicide", "988"),
        ("my partner hits me", "Domestic Violence Hotline"),
        ("I'm afraid of my partner", "Domestic Violence Hotline"),
    ],
)
def test_said_on_its_own_the_signal_still_gets_the_message(
    sim: Any, said: str, expected: str
) -> None:
    turn = sim.say(f"tell closer together {said}")  # even before the couple gave names
    assert turn.heard.intent_name in ("CrisisIntent", "AbuseIntent")
    assert expected in turn.text
    assert "can't call emergency services" in turn.text
    assert turn.ends_session
    assert said.lower() not in raw_items().lower()


def test_the_message_follows_the_requests_locale(handler: Any, alexa_api: Any, clock: Any) -> None:
    from alexa_local.simulator import Simulator

    sim = Simulator(
        handler,
        model_path=MODEL,
        user_id=USER,
        device_id="amzn1.ask.device.UK",
        api_endpoint=alexa_api.endpoint,
        api_token=alexa_api.token,
        locale="en-GB",
        clock=clock,
    )
    meet(sim)
    sim.say("ask closer together to start our check-in")
    turn = sim.say(CRISIS_ANSWER)
    assert "Samaritans" in turn.text and "999" in turn.text.replace(" ", "")
    assert "988" not in turn.text
    assert_not_kept(turn)


def test_a_nudged_appreciation_that_turns_into_a_signal_keeps_nothing(sim: Any) -> None:
    start_checkin(sim)
    # Through both partners' first questions to the appreciation round.
    for said in ("a walk", "next", "a meeting", "next", "a call", "next", "traffic", "next"):
        sim.say(said)
    nudge = sim.say("you're great")
    assert "specific" in nudge.text.lower() or "what" in nudge.text.lower()
    turn = sim.say(f"she pushed me against the wall {MARKER}")
    assert "Domestic Violence Hotline" in turn.text
    assert_not_kept(turn)
