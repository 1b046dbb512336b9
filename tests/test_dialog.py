"""The dialog registry: what the skill waits for, and what words mean there (no SDK)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from closer_together import dialog
from closer_together.dialog import WAITS, Heard, Kind, Waiting, hear, number, waiting_from

ROOT = Path(__file__).resolve().parents[1]
MODEL = json.loads((ROOT / "interaction_models" / "en-US.json").read_text("utf-8"))
MODEL_INTENTS = {i["name"] for i in MODEL["interactionModel"]["languageModel"]["intents"]}
RITUALS = json.loads(
    (ROOT / "lambda" / "closer_together" / "content" / "rituals.json").read_text("utf-8")
)


def test_every_waiting_state_has_one_entry_in_the_registry() -> None:
    assert set(WAITS) == set(Waiting)


def test_every_intent_the_registry_names_is_in_the_interaction_model() -> None:
    named = {i for wait in WAITS.values() for i in wait.answers}
    named |= {
        i
        for plan in RITUALS.values()
        for q in plan["questions"].values()
        for i in q.get("accepts", [])
    }
    named |= set(dialog.understanding("en-US").commands.values())
    assert named - MODEL_INTENTS == set()


def test_elicited_slots_exist_in_the_dialog_model() -> None:
    dialog_slots = {
        f"{i['name']}.{s['name']}"
        for i in MODEL["interactionModel"]["dialog"]["intents"]
        for s in i.get("slots", [])
    }
    for wait in WAITS.values():
        if wait.elicits is not None and "." in wait.elicits:
            assert wait.elicits in dialog_slots


def test_stored_expectations_read_back_and_unknown_ones_wait_for_nothing() -> None:
    assert waiting_from("care:level") is Waiting.LEVEL
    assert waiting_from("who:checkin") is Waiting.WHO_CHECKIN
    assert waiting_from("something old") is None
    assert waiting_from(None) is None


def answer(text: str) -> dict[str, str]:
    return {"answer": text}


@pytest.mark.parametrize(
    "said",
    ["thanks", "Thank you!", "okay", "um", "hmm", "hi there", "I don't know", "let me think"],
)
def test_filler_said_to_an_open_question_is_no_answer(said: str) -> None:
    heard = hear(Waiting.RITUAL_ANSWER, "AnswerIntent", answer(said), "en-US")
    assert heard.kind is Kind.NOT_ANSWER
    assert heard.text is None


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("yes", "AMAZON.YesIntent"),
        ("Yeah.", "AMAZON.YesIntent"),
        ("no thanks", "AMAZON.NoIntent"),
        ("resume", "AMAZON.ResumeIntent"),
        ("weekly review", "WeeklyReviewIntent"),
        ("an appreciation", "AppreciationIntent"),
        ("skip this one", "SkipIntent"),
        ("go deeper", "GoDeeperIntent"),
        ("we need a time out", "TimeoutIntent"),
    ],
)
def test_a_command_heard_as_an_answer_is_the_command(said: str, intent: str) -> None:
    heard = hear(Waiting.RITUAL_ANSWER, "AnswerIntent", answer(said), "en-US")
    assert (heard.intent, heard.kind, heard.sent) == (intent, Kind.COMMAND, "AnswerIntent")


@pytest.mark.parametrize(
    ("said", "minutes"),
    [
        ("give us ten minutes", "10"),
        ("give us 25 minutes", "25"),
        ("set a timer for five minutes", "5"),
    ],
)
def test_any_number_of_minutes_is_a_timer(said: str, minutes: str) -> None:
    heard = hear(Waiting.RITUAL_ANSWER, "AnswerIntent", answer(said), "en-US")
    assert heard.intent == "TalkTimerIntent"
    assert heard.slots == {"minutes": minutes}


@pytest.mark.parametrize(
    "said",
    [
        "we went for a walk by the river",
        "thanks to you the kids ate their dinner",
        "okay so work was rough but dinner was lovely",
        "yes the movie we watched",
        "the next question on my mind is whether we can travel",
    ],
)
def test_real_answers_stay_answers(said: str) -> None:
    heard = hear(Waiting.RITUAL_ANSWER, "AnswerIntent", answer(said), "en-US")
    assert heard == Heard("AnswerIntent", Kind.ANSWER, answer(said), said, "AnswerIntent")


def test_a_sibling_intent_answers_the_question_that_accepts_it() -> None:
    accepts = frozenset({"HardDayIntent", "LevelIntent"})
    heard = hear(Waiting.RITUAL_ANSWER, "HardDayIntent", {}, "en-US", accepts)
    assert heard.kind is Kind.ANSWER
    heard = hear(Waiting.RITUAL_ANSWER, "LevelIntent", {"level": "support"}, "en-US", accepts)
    assert (heard.kind, heard.text) == (Kind.ANSWER, "support")
    # The same intent where the question does not accept it is a command.
    assert hear(Waiting.RITUAL_ANSWER, "HardDayIntent", {}, "en-US").kind is Kind.COMMAND


def test_fallback_is_a_missed_answer_and_carries_nothing() -> None:
    heard = hear(Waiting.RITUAL_ANSWER, "AMAZON.FallbackIntent", {}, "en-US")
    assert (heard.kind, heard.text) == (Kind.MISSED, None)


def test_words_where_a_yes_or_a_name_was_wanted_are_missed() -> None:
    for waiting in (Waiting.FORGET, Waiting.NAMES, Waiting.REVIEW_MORE):
        heard = hear(waiting, "AnswerIntent", answer("we went for a walk"), "en-US")
        assert heard.kind is Kind.MISSED


def test_yes_answers_a_yes_no_question_even_when_heard_as_words() -> None:
    heard = hear(Waiting.FORGET, "AnswerIntent", answer("yes please"), "en-US")
    assert (heard.intent, heard.kind) == ("AMAZON.YesIntent", Kind.ANSWER)


def test_outside_any_question_everything_is_a_command() -> None:
    assert hear(None, "WeeklyReviewIntent", {}, "en-US").kind is Kind.COMMAND
    assert hear(None, None, {}, "en-US").kind is Kind.EVENT


@pytest.mark.parametrize(
    ("words", "value"),
    [("15", 15), ("fifteen", 15), ("twenty five", 25), ("forty-five", 45), ("many", None)],
)
def test_numbers(words: str, value: int | None) -> None:
    assert number(words) == value


@pytest.mark.parametrize("said", ["hi there", "hello", "um", "okay", "thanks", "we went out"])
def test_greetings_and_sentences_are_not_names(said: str) -> None:
    assert not dialog.understanding("en-US").is_name(said)


@pytest.mark.parametrize("said", ["Sam", "Jordan Lee", "Mary-Kate"])
def test_names_are_names(said: str) -> None:
    assert dialog.understanding("en-US").is_name(said)
