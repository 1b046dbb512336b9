"""Appreciation, weekly planning, monthly check-in and what the launch suggests (issue 4),
end to end through Alexa request envelopes against DynamoDB on moto."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from conftest import meet, raw_items, says, stored_household

from closer_together.household import Household, Partner
from closer_together.rituals import due, guided
from closer_together.speech import catalog
from closer_together.storage import HouseholdStore

# Real Alexa is the reference: these flows hold on the honest NLU as well.
NLU_MODES = ("exact", "honest")

TODAY = "2026-11-26"  # the test clock's day in New York (a Thursday)
PROMPTS = catalog("en-US")


def saved(day: str = TODAY) -> list[tuple[str, int, str, str]]:
    entry = stored_household().journal[day]
    return [(m.kind, m.partner, m.text, m.ritual) for m in entry.moments]


# -- appreciation -------------------------------------------------------------------------


def test_appreciation_one_shot_nudges_a_general_one_then_accepts_it(sim: Any) -> None:
    meet(sim)
    opened = sim.say("ask closer together for an appreciation")
    assert says(opened.text, "appreciation.open")
    assert "Sam," in opened.text and "Alex" in opened.text
    assert opened.directives[0]["type"] == "Dialog.ElicitSlot"
    assert says(opened.reprompt or "", "appreciation.q.share.help")

    nudge = sim.say("you're great")
    assert says(nudge.text, "appreciation.nudge") and "Alex" in nudge.text
    accepted = sim.say("you're great")  # still general: accepted the second time
    assert "Alex," in accepted.text  # Alex's turn now

    done = sim.say("I appreciate how you listened & laughed <3 😀")
    assert done.ends_session
    assert says(done.text, "appreciation.close")
    assert saved() == [
        ("appreciation", 0, "you're great you're great", "appreciation"),
        ("appreciation", 1, "how you listened & laughed <3 😀", "appreciation"),
    ]
    household = stored_household()
    assert household.journal[TODAY].done == ["appreciation"]
    assert household.progress is None


def test_a_specific_appreciation_is_not_nudged(sim: Any) -> None:
    meet(sim)
    sim.say("ask closer together to share an appreciation")
    turn = sim.say("I appreciate how you made dinner when I was late")
    assert not says(turn.text, "appreciation.nudge")
    assert "Alex," in turn.text


def test_appreciation_help_pause_and_resume(sim: Any) -> None:
    meet(sim)
    sim.say("ask closer together for an appreciation")
    helped = sim.say("help")
    assert says(helped.text, "appreciation.help") and not helped.ends_session
    paused = sim.say("pause")
    assert paused.ends_session
    resumed = sim.say("ask closer together for the next question")
    assert says(resumed.text, "appreciation.resume") and "Sam," in resumed.text
    again = sim.say("ask closer together for an appreciation")  # asking again also resumes
    assert says(again.text, "appreciation.resume")


def test_rituals_ask_for_names_first(sim: Any) -> None:
    turn = sim.say("ask closer together for an appreciation")
    assert "first names" in turn.text
    assert stored_household().progress is None


# -- weekly planning ----------------------------------------------------------------------


def test_weekly_planning_one_event_then_each_partner_and_nothing_saved(sim: Any) -> None:
    meet(sim)
    event = sim.say("ask closer together to plan our week")
    assert says(event.text, "planning.open")
    assert "Sam" in event.text and "Alex" in event.text
    feel = sim.say("dinner with my family on Saturday")
    assert "Sam," in feel.text and says(feel.text, "planning.q.feel")
    comfort = sim.say("a bit nervous about it")
    assert says(comfort.text, "planning.q.comfort")
    talk = sim.say("leaving by nine & having a signal")
    assert "Alex" in talk.text and "next" in talk.text.lower()
    alex = sim.say("next")
    assert "Alex," in alex.text and says(alex.text, "planning.q.feel")
    sim.say("excited to see everyone")
    sim.say("sitting next to Sam")
    done = sim.say("next")
    assert done.ends_session and says(done.text, "planning.close")

    household = stored_household()
    entry = household.journal[TODAY]
    assert entry.done == ["planning"]
    assert entry.answered["planning"] == ["0:event", "0:feel", "0:comfort", "1:feel", "1:comfort"]
    assert entry.moments == []
    stored = raw_items()
    for words in ("dinner with my family", "nervous", "leaving by nine", "excited", "next to Sam"):
        assert words not in stored


# -- monthly check-in ---------------------------------------------------------------------


def test_monthly_checkin_saves_connecting_and_appreciation_never_growth(sim: Any) -> None:
    meet(sim)
    opened = sim.say("ask closer together for our monthly check in")
    assert says(opened.text, "monthly.open") and says(opened.text, "monthly.q.connecting")
    alex = sim.say("our Sunday walks & talks")
    assert "Alex," in alex.text and says(alex.text, "monthly.q.connecting")
    grow = sim.say("cooking together again")
    assert "Sam," in grow.text and says(grow.text, "monthly.q.grow")
    talk = sim.intent("AnswerIntent", answer="telling each other about worries sooner")
    assert "Alex" in talk.text and "next" in talk.text.lower()
    assert says(sim.say("next").text, "monthly.q.grow")
    sim.intent("AnswerIntent", answer="being less defensive when we argue")
    share = sim.say("next")
    assert says(share.text, "monthly.q.share")
    sim.say("I appreciate how you took care of my mom")
    done = sim.say("I appreciate you planning the trip")
    assert done.ends_session and says(done.text, "monthly.close")

    kinds = [(kind, partner) for kind, partner, _, ritual in saved() if ritual == "monthly"]
    assert kinds == [("connecting", 0), ("connecting", 1), ("appreciation", 0), ("appreciation", 1)]
    stored = raw_items()
    assert "worries sooner" not in stored and "less defensive" not in stored
    assert "our Sunday walks & talks" in stored
    assert stored_household().journal[TODAY].done == ["monthly"]


# -- what the launch suggests -------------------------------------------------------------


def test_launch_suggests_the_checkin_until_it_is_done(sim: Any) -> None:
    meet(sim)
    assert says(sim.launch().text, "due.checkin")
    sim.say("stop")
    household = stored_household()
    household.mark_done(date.fromisoformat(TODAY), "checkin")
    HouseholdStore().save(household)
    turn = sim.launch()
    for key in ("due.checkin", "due.review", "due.monthly"):
        assert not says(turn.text, key)


def test_launch_suggests_the_review_a_week_on_then_the_monthly_a_month_on(
    sim: Any, clock: Any
) -> None:
    meet(sim)  # created on Thursday 26 November
    clock.advance(days=3)  # Sunday, but too soon for a first review
    assert says(sim.launch().text, "due.checkin")
    sim.say("stop")
    clock.advance(days=4)  # Thursday: a week of use
    assert says(sim.launch().text, "due.review")
    sim.say("stop")
    sim.say("ask closer together for our weekly review")
    sim.say("stop")
    clock.advance(days=1)
    assert not says(sim.launch().text, "due.review")
    sim.say("stop")
    clock.advance(days=23)  # 27 December: a month since they started
    launched = sim.launch()
    assert says(launched.text, "due.review")  # the review comes first
    sim.say("stop")
    household = stored_household()
    household.mark_done(date(2026, 12, 27), "review")
    HouseholdStore().save(household)
    assert says(sim.launch().text, "due.monthly")


def household(created: str, **done: list[str]) -> Household:
    found = Household("h", partners=[Partner("Sam"), Partner("Alex")], created_on=created)
    for ritual, days in done.items():
        for day in days:
            found.mark_done(date.fromisoformat(day), ritual)
    return found


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2026-11-29", "due.review"),  # Sunday, last review five days ago
        ("2026-11-28", "due.checkin"),  # Saturday, four days ago: not the review day
        ("2026-12-01", "due.review"),  # a week since the last review, whatever the day
    ],
)
def test_review_is_due_on_the_review_day_or_after_a_week(today: str, expected: str) -> None:
    couple = household("2026-10-30", review=["2026-11-24"], monthly=["2026-11-01"])
    suggestion = due.suggest(couple, date.fromisoformat(today))
    assert suggestion is not None and suggestion.key == expected


def test_the_couples_own_review_day_is_honoured() -> None:
    couple = household("2026-10-30", review=["2026-11-22"], monthly=["2026-11-01"])
    couple.memory["review.day"] = 3  # Thursdays
    assert due.suggest(couple, date(2026, 11, 26)).key == "due.review"  # type: ignore[union-attr]
    assert due.suggest(couple, date(2026, 11, 27)).key == "due.checkin"  # type: ignore[union-attr]
    couple.memory.pop("review.day")
    couple.schedule["weekly_review"] = {"day": "FR", "time": "19:00", "status": "on"}
    assert due.suggest(couple, date(2026, 11, 27)).key == "due.review"  # type: ignore[union-attr]
    couple.schedule["weekly_review"]["status"] = "off"  # a cancelled reminder: Sunday again
    assert due.suggest(couple, date(2026, 11, 27)).key == "due.checkin"  # type: ignore[union-attr]
    couple.mark_done(date(2026, 11, 24), "review")
    assert due.suggest(couple, date(2026, 11, 28)).key == "due.checkin"  # type: ignore[union-attr]
    assert due.suggest(couple, date(2026, 11, 29)).key == "due.review"  # type: ignore[union-attr]


def test_monthly_is_due_a_calendar_month_on_and_nothing_once_all_is_done() -> None:
    couple = household("2026-01-31", review=["2026-02-27"])
    assert due.suggest(couple, date(2026, 2, 27)).key == "due.checkin"  # type: ignore[union-attr]
    assert due.suggest(couple, date(2026, 2, 28)).key == "due.monthly"  # type: ignore[union-attr]
    couple.mark_done(date(2026, 2, 28), "monthly")
    couple.mark_done(date(2026, 2, 28), "checkin")
    assert due.suggest(couple, date(2026, 2, 28)) is None
    assert due.month_after(date(2026, 12, 15)) == date(2027, 1, 15)


# -- content ------------------------------------------------------------------------------

ARTICLE = {
    "review.q.connecting": "one thing that felt connecting this week",
    "review.q.closeness": "one area where you'd like more emotional closeness",
    "review.q.care": "specific way {other} showed care",
    "planning.q.comfort": "What would help you feel most comfortable?",
    "planning.q.feel": "how do you feel about",
    "monthly.q.connecting": "what's feeling most connecting in your relationship right now?",
    "monthly.q.grow": "where would you both like to grow",
    "monthly.q.share": "what appreciation would you like to share",
    "appreciation.q.share": "one specific thing you appreciate",
}


@pytest.mark.parametrize(("key", "phrase"), ARTICLE.items())
def test_the_articles_questions_are_asked(key: str, phrase: str) -> None:
    assert any(phrase.lower() in v.lower() for v in PROMPTS.variants(key)), key


NEW_RITUALS = ("appreciation", "review", "planning", "monthly", "deeper")


@pytest.mark.parametrize("ritual", NEW_RITUALS)
def test_every_question_has_help_and_the_ritual_its_words(ritual: str) -> None:
    plan = guided.PLANS[ritual]
    keys = [f"{ritual}.help", f"{ritual}.resume", plan.closing, *plan.opening]
    for question in plan.questions:
        keys += [f"{ritual}.q.{question}", f"{ritual}.q.{question}.help"]
    for key in keys:
        assert PROMPTS.variants(key), key
    for question in plan.questions:
        asked = PROMPTS.variants(f"{ritual}.q.{question}")
        helps = PROMPTS.variants(f"{ritual}.q.{question}.help")
        assert not set(asked) & set(helps)  # the reprompt adds guidance, not the same words


def test_frequent_prompts_vary_and_each_is_one_breath() -> None:
    daily = [
        "appreciation.open",
        "appreciation.q.share",
        "appreciation.close",
        "deeper.open",
        "deeper.q.share",
        "deeper.close",
        "deeper.deeper",
        "deeper.lighter",
        "due.checkin",
    ]
    for key in daily:
        assert len(set(PROMPTS.variants(key))) >= 4, key
    rituals_file = PROMPTS.prompts
    for key in rituals_file:
        if key.split(".")[0] in (*NEW_RITUALS, "due"):
            for variant in PROMPTS.variants(key):
                words = re.sub(r"\{\w+\}", "X", variant).split()
                assert len(words) <= 40, (key, variant)
                assert len(re.findall(r"[.?!](?:\s|$)", variant)) <= 3, (key, variant)
