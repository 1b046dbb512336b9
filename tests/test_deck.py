"""The deeper question: a deck by depth, week by week, go deeper and lighter (issue 4)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from conftest import meet, raw_items, says, stored_household

from closer_together.household import Household, Partner
from closer_together.rituals import deck
from closer_together.speech import catalog

TODAY = "2026-11-26"
PROMPTS = catalog("en-US")
DECK = PROMPTS.data("deck")
TEXTS = {q["id"]: q["text"] for level in DECK["levels"] for q in level["questions"]}
ASK = "ask closer together for a deeper question"


def asked(sim: Any, turn: Any) -> str:
    """The id of the deck question just asked, checked against what was said."""
    qid = sim.attributes["household"]["progress"]["params"]["qid"]
    assert TEXTS[qid] in turn.text
    return str(qid)


def test_the_deck_deepens_week_by_week_then_rotates_without_repeats(sim: Any, clock: Any) -> None:
    meet(sim)
    seen = []
    for week, level in enumerate(["feelings", "hopes", "past", "feelings"]):
        turn = sim.say(ASK)
        assert says(turn.text, "deeper.open") and says(turn.text, f"deeper.level.{level}"), week
        assert turn.directives[0]["type"] == "Dialog.ElicitSlot"
        seen.append(asked(sim, turn))
        sim.say("stop")
        clock.advance(days=7)
    assert seen == ["f01", "h01", "p01", "f02"]


def test_both_partners_answer_and_no_answer_is_stored(sim: Any) -> None:
    meet(sim)
    first = sim.say(ASK)
    question = TEXTS[asked(sim, first)]
    assert "Sam," in first.text
    talk = sim.say("I worry about my dad's health & money <3")
    assert "Alex" in talk.text and "next" in talk.text.lower()
    alex = sim.say("next")
    # The same question a minute later: named, not read out again; the reprompt has it whole.
    assert says(alex.text, "deeper.q.share.again") and "Alex" in alex.text
    assert question not in alex.text and question in (alex.reprompt or "")
    sim.intent("AnswerIntent", answer="honestly I feel stretched thin at work")
    done = sim.say("next")
    assert done.ends_session and says(done.text, "deeper.close")

    household = stored_household()
    entry = household.journal[TODAY]
    assert entry.done == ["deeper"] and entry.moments == []
    assert entry.answered["deeper"] == ["0:share", "1:share"]
    assert household.memory["deck.had"] == ["f01"]
    stored = raw_items()
    assert "dad's health" not in stored and "stretched thin" not in stored


def test_go_deeper_and_something_lighter_move_between_levels(sim: Any) -> None:
    meet(sim)
    assert asked(sim, sim.say(ASK)) == "f01"
    deeper = sim.intent("GoDeeperIntent")
    assert says(deeper.text, "deeper.deeper") and asked(sim, deeper) == "h01"
    # Said while an answer is awaited, the words still move the question, not answer it.
    spoken = sim.say("go deeper")
    assert says(spoken.text, "deeper.deeper") and asked(sim, spoken) == "p01"
    deepest = sim.say("go deeper")
    assert says(deepest.text, "deeper.deepest") and asked(sim, deepest) == "p02"
    lighter = sim.say("something lighter")
    assert says(lighter.text, "deeper.lighter") and asked(sim, lighter) == "h02"
    assert asked(sim, sim.intent("LighterQuestionIntent")) == "f02"
    lightest = sim.intent("LighterQuestionIntent")
    assert says(lightest.text, "deeper.lightest") and asked(sim, lightest) == "f03"
    assert "Sam," in lightest.text  # the same partner still goes first
    # Heard as the awaited answer ("deeper" alone), it is still a request, not an answer.
    heard = sim.say("deeper")
    assert heard.heard.intent_name == "AnswerIntent"
    assert says(heard.text, "deeper.deeper") and asked(sim, heard) == "h03"
    as_answer = sim.intent("AnswerIntent", answer="Something lighter.")
    assert says(as_answer.text, "deeper.lighter") and asked(sim, as_answer) == "f04"
    household = stored_household()
    assert household.journal.get(TODAY) is None or not household.journal[TODAY].answered


def test_going_deeper_after_an_answer_asks_both_again(sim: Any) -> None:
    meet(sim)
    sim.say(ASK)
    sim.say("I felt proud of my presentation")
    turn = sim.say("go deeper")  # while they talk it over
    assert asked(sim, turn) == "h01" and "Sam," in turn.text
    progress = sim.attributes["household"]["progress"]
    assert progress["steps"] == [[0, "share"], [1, "share"]] and progress["step"] == 0


def test_go_deeper_from_outside_starts_a_level_deeper(sim: Any) -> None:
    meet(sim)
    turn = sim.say("ask closer together to go deeper")
    assert says(turn.text, "deeper.deeper") and asked(sim, turn) == "h01"
    sim.say("stop")
    # In a later session, "something lighter" moves from the question still waiting today.
    lighter = sim.say("ask closer together for something lighter")
    assert says(lighter.text, "deeper.lighter") and asked(sim, lighter) == "f01"


def test_no_question_repeats_until_the_whole_deck_is_used(sim: Any) -> None:
    meet(sim)
    seen = [asked(sim, sim.say(ASK))]
    for _ in range(len(TEXTS) - 1):
        seen.append(asked(sim, sim.intent("LighterQuestionIntent")))
    assert sorted(seen) == sorted(TEXTS)
    # A new round through the deck, but never the question just asked.
    again = asked(sim, sim.intent("LighterQuestionIntent"))
    assert again != seen[-1]
    assert stored_household().memory["deck.had"] == [seen[-1], again]


def test_help_pause_and_resume_keep_the_question(sim: Any) -> None:
    meet(sim)
    qid = asked(sim, sim.say(ASK))
    helped = sim.say("help")
    assert says(helped.text, "deeper.help") and TEXTS[qid] in helped.text
    assert sim.say("pause").ends_session
    resumed = sim.say("ask closer together for the next question")
    assert says(resumed.text, "deeper.resume") and TEXTS[qid] in resumed.text
    sim.say("stop")
    again = sim.say(ASK)  # the same question, not a new one
    assert TEXTS[qid] in again.text
    assert stored_household().memory["deck.had"] == [qid]


def couple(created: str) -> Household:
    return Household("h", partners=[Partner("Sam"), Partner("Alex")], created_on=created)


def test_an_exhausted_level_gives_way_to_the_nearest_and_stale_ids_are_dropped() -> None:
    household = couple("2026-11-01")
    household.memory["deck.had"] = ["gone", *(q["id"] for q in DECK["levels"][1]["questions"])]
    picked = deck.pick(household, DECK, 1)
    assert picked.level == 0 and picked.id == "f01"  # a tie: the lighter level
    assert "gone" not in household.memory["deck.had"]
    assert deck.week_level(household, date(2026, 11, 14), 3) == 1
    assert deck.week_level(couple("2026-11-26"), date(2026, 11, 26), 3) == 0


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("go deeper", "GoDeeperIntent"),
        ("Let's go deeper.", "GoDeeperIntent"),
        ("something lighter", "LighterQuestionIntent"),
        ("deeper feelings", "AnswerIntent"),
    ],
)
def test_only_a_bare_request_counts_as_a_change_of_depth(said: str, intent: str) -> None:
    from closer_together.dialog import Waiting, hear

    heard = hear(Waiting.RITUAL_ANSWER, "AnswerIntent", {"answer": said}, "en-US")
    assert heard.intent == intent


ARTICLE = [
    "How are you feeling about us right now?",
    "What do you need to feel close tonight?",
    "How are you feeling tonight, really?",
    "What's a small worry you've been carrying this week?",
    "What's one hope you have for the two of you this year?",
    "What's something you've been thinking about lately that you haven't said out loud?",
]


def test_the_deck_has_the_articles_questions_and_depth_to_last_a_month() -> None:
    texts = set(TEXTS.values())
    for question in ARTICLE:
        assert question in texts
    assert [level["id"] for level in DECK["levels"]] == ["feelings", "hopes", "past"]
    for level in DECK["levels"]:
        assert len(level["questions"]) >= 10
        assert PROMPTS.variants(f"deeper.level.{level['id']}")
    ids = [q["id"] for level in DECK["levels"] for q in level["questions"]]
    assert len(ids) == len(set(ids)) >= 30
    for text in texts:
        assert text.endswith("?") and "{" not in text and len(text.split()) <= 25
