"""The daily check-in, end to end through Alexa request envelopes (issue 3)."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from conftest import meet, raw_items, says, stored_household

# Real Alexa is the reference: these flows hold on the honest NLU as well.
NLU_MODES = ("exact", "honest")

TIMERS = "/v1/alerts/timers"


def sentences(text: str) -> set[str]:
    return {s.strip() for s in re.split(r"(?<=[.?!])\s+", text) if s.strip()}


def full_checkin(sim: Any, carrier: bool = True) -> list[Any]:
    """Both partners through every step; returns the turns."""
    best = "the best part was {}" if carrier else "{}"
    hard = "the hardest part was {}" if carrier else "{}"
    script = [
        "ask closer together to start our check-in",
        best.format("we went for a walk by the river and it was lovely"),
        "next",
        hard.format("a long meeting that went badly"),
        "next question",
        best.format("my sister called & said <hello> 😀"),
        "next",
        hard.format("worrying about money"),
        "next",
        "I appreciate how you made me coffee this morning",
        "I appreciate how patient you were with my mom",
    ]
    return [sim.say(line) for line in script]


def test_full_checkin_with_carrier_phrases(sim: Any) -> None:
    meet(sim)
    turns = full_checkin(sim)
    opening = turns[0]
    assert says(opening.text, "checkin.open")
    assert "Sam" in opening.text and says(opening.text, "checkin.q.best")
    assert opening.directives[0]["type"] == "Dialog.ElicitSlot"
    # Validation, never advice, and an invitation to the other partner's curiosity.
    assert re.search(r"That sounds|mattered|lovely|special|wonderful", turns[1].text)
    assert "Alex" in turns[1].text and "next" in turns[1].text.lower()
    assert re.search(r"difficult|frustrating|hard|overwhelming|makes sense", turns[3].text)
    assert "Alex" in turns[4].text  # Alex's turn after Sam's two questions
    assert turns[-1].ends_session
    assert "day" in turns[-1].text.lower()  # the streak


def test_answers_without_carrier_phrases_are_captured(sim: Any) -> None:
    meet(sim)
    full_checkin(sim, carrier=False)
    day = stored_household().journal["2026-11-26"]
    best = [m.text for m in day.moments if m.kind == "best"]
    assert "we went for a walk by the river and it was lovely" in best
    assert "my sister called & said <hello> 😀" in best


def test_stored_record_keeps_best_moments_and_appreciations_but_never_challenges(
    sim: Any,
) -> None:
    meet(sim)
    full_checkin(sim)
    household = stored_household()
    day = household.journal["2026-11-26"]
    assert day.done == ["checkin"]
    assert day.completed["checkin"].startswith("2026-11-26T20:")
    assert sorted(day.answered["checkin"]) == sorted(
        ["0:best", "0:challenge", "1:best", "1:challenge", "0:appreciation", "1:appreciation"]
    )
    kinds = sorted((m.kind, m.partner) for m in day.moments)
    assert kinds == [("appreciation", 0), ("appreciation", 1), ("best", 0), ("best", 1)]
    stored = raw_items()
    assert "a long meeting that went badly" not in stored
    assert "worrying about money" not in stored
    assert household.progress is None


def test_interrupted_checkin_resumes_in_a_new_session_naming_whose_turn(sim: Any) -> None:
    meet(sim)
    sim.say("ask closer together to start our check-in")
    sim.say("the best part was our walk")
    sim.end("EXCEEDED_MAX_REPROMPTS")
    turn = sim.say("ask closer together for the next question")
    assert "Sam" in turn.text
    assert says(turn.text, "checkin.q.challenge")
    turn = sim.say("the hardest part was the commute")
    assert "Alex" in turn.text
    # Opening the skill also resumes.
    sim.end("USER_INITIATED")
    turn = sim.say("open closer together")
    assert says(turn.text, "welcome.back")
    # No Dialog directive answers a LaunchRequest: a plain question and its reprompt.
    assert "Alex" in turn.text and turn.reprompt and not turn.ends_session
    assert not [d for d in turn.directives if d["type"].startswith("Dialog.")]
    # The answer still arrives, through the AnswerIntent's carrier phrases.
    turn = sim.say("the hardest part was the traffic")
    assert turn.request["request"]["intent"]["name"] == "AnswerIntent"
    assert not turn.ends_session and not says(turn.text, "answer.missed")


def test_yesterdays_unfinished_checkin_is_not_resumed(sim: Any, clock: Any) -> None:
    meet(sim)
    sim.say("ask closer together to start our check-in")
    sim.say("the best part was our walk")
    sim.say("stop")
    clock.advance(days=1)
    turn = sim.say("ask closer together for the next question")
    assert "no question waiting" in turn.text.lower()
    turn = sim.say("start our check in")
    assert says(turn.text, "checkin.q.best")
    assert stored_household().progress["date"] == "2026-11-27"


def test_order_alternates_from_day_to_day(sim: Any, clock: Any) -> None:
    meet(sim)
    first = sim.say("ask closer together to start our check-in")
    sim.say("stop")
    clock.advance(days=1)
    second = sim.say("ask closer together to start our check-in")
    assert first.text.split(",")[0] != second.text.split(",")[0] or (
        ("Sam," in first.text) != ("Sam," in second.text)
    )
    assert ("Sam," in first.text) == ("Alex," in second.text)


def test_skip_repeat_pause_start_over_and_help_work_at_every_step(sim: Any) -> None:
    meet(sim)
    asked = sim.say("ask closer together to start our check-in")
    assert sim.say("repeat").ssml == asked.ssml
    helped = sim.say("help")
    assert "say next" in helped.text.lower() and not helped.ends_session
    skipped = sim.say("skip")
    assert says(skipped.text, "ritual.skipped")
    assert "Sam" in skipped.text  # Sam's second question
    sim.say("the hardest part was traffic")
    restarted = sim.say("start over")
    assert says(restarted.text, "ritual.start_over")
    assert "Sam" in restarted.text
    paused = sim.say("pause")
    assert paused.ends_session and "next question" in paused.text
    resumed = sim.say("ask closer together for the next question")
    assert "Sam" in resumed.text


def test_general_appreciation_gets_one_nudge_then_is_accepted(sim: Any) -> None:
    meet(sim)
    sim.say("ask closer together to start our check-in")
    for _ in range(4):
        sim.say("skip")
    nudge = sim.say("you're great")
    assert "Alex" in nudge.text and "?" in nudge.text
    thanked = sim.say("you're great")
    assert "Alex," in thanked.text  # Alex's appreciation comes next: accepted either way
    saved = [m.text for m in stored_household().journal["2026-11-26"].moments]
    assert saved == ["you're great you're great"]


def test_uncaptured_answer_is_asked_again_then_moves_on_kindly(sim: Any) -> None:
    meet(sim)
    sim.say("ask closer together to start our check-in")
    again = sim.intent("AMAZON.FallbackIntent")
    assert says(again.text, "answer.missed")
    assert again.directives[0]["type"] == "Dialog.ElicitSlot"
    moved = sim.intent("AMAZON.FallbackIntent")
    assert says(moved.text, "answer.moving_on")
    assert "Sam" in moved.text


def test_talking_between_partners_is_not_captured(sim: Any) -> None:
    meet(sim)
    sim.say("ask closer together to start our check-in")
    sim.say("the best part was the concert")
    turn = sim.intent("AnswerIntent", answer="what song did they open with")
    assert turn.ends_session and "next question" in turn.text
    assert "what song" not in raw_items()


def test_no_sentence_is_said_twice_in_a_row(sim: Any) -> None:
    meet(sim)
    turns = full_checkin(sim)
    for before, after in pairwise(turns):
        assert not (sentences(before.text) & sentences(after.text)), (before.text, after.text)


def test_wording_varies_from_day_to_day(sim: Any, clock: Any) -> None:
    meet(sim)
    openings = set()
    for _ in range(4):
        openings.add(sim.say("ask closer together to start our check-in").text.split(".")[0])
        sim.say("stop")
        clock.advance(days=1)
    assert len(openings) >= 3


def test_streak_counts_consecutive_days(sim: Any, clock: Any) -> None:
    meet(sim)
    for day in range(3):
        last = full_checkin(sim)[-1]
        if day < 2:
            clock.advance(days=1)
    assert "3" in last.text


def skipped_checkin(sim: Any) -> Any:
    """Every question skipped, or met with nothing but "okay" and "thanks"."""
    sim.say("ask closer together to start our check-in")
    turn = sim.say("okay")
    for said in ("skip", "thanks", "skip", "skip", "skip", "skip", "skip", "skip"):
        if turn.ends_session:
            break
        turn = sim.say(said)
    return turn


def test_a_day_of_skips_and_non_answers_is_no_day_of_the_streak(sim: Any, clock: Any) -> None:
    meet(sim)
    full_checkin(sim)
    clock.advance(days=1)
    closed = skipped_checkin(sim)
    assert closed.ends_session and not says(closed.text, "streak.many")
    assert not says(closed.text, "streak.one")
    assert stored_household().journal["2026-11-27"].answered["checkin"] == []
    clock.advance(days=1)
    last = full_checkin(sim)[-1]
    # The skipped day broke the run: today is a first day again, not a third.
    assert says(last.text, "streak.one"), last.text


def test_voice_profiles_are_asked_once_then_recognised(make_sim: Any) -> None:
    plain = make_sim()
    meet(plain)
    sim = make_sim(person_id="amzn1.ask.person.ALEX")
    asked = sim.say("ask closer together to start our check-in")
    assert "Sam or Alex" in asked.text
    linked = sim.say("Alex")
    assert "Alex" in linked.text
    assert '<alexa:name type="first" personId="amzn1.ask.person.ALEX"/>' in linked.ssml
    # The recognised speaker goes first today.
    assert says(linked.text, "checkin.q.best")
    sim.say("stop")
    assert stored_household().partners[1].person_id == "amzn1.ask.person.ALEX"
    again = sim.say("ask closer together to start our check-in")
    assert "Sam or Alex" not in again.text


def test_recognised_voice_answering_out_of_turn_is_credited_to_them(make_sim: Any) -> None:
    plain = make_sim()
    meet(plain)
    plain.say("ask closer together to start our check-in")  # Sam's turn first
    plain.say("stop")
    household = stored_household()
    household.partners[1].person_id = "amzn1.ask.person.ALEX"
    from closer_together.storage import HouseholdStore

    HouseholdStore().save(household)
    alex = make_sim(person_id="amzn1.ask.person.ALEX")
    alex.say("ask closer together for the next question")
    alex.intent("AnswerIntent", answer="the best part was my run")
    moments = stored_household().journal["2026-11-26"].moments
    assert [(m.partner, m.text) for m in moments] == [(1, "my run")] or [
        (m.partner, m.text) for m in moments
    ] == [(1, "the best part was my run")]


def test_timer_for_talking_is_set_through_the_timers_api(sim: Any, alexa_api: Any) -> None:
    meet(sim)
    sim.say("ask closer together to start our check-in")
    sim.say("the best part was our walk")
    turn = sim.say("give us fifteen minutes")
    assert "15 minute" in turn.text
    assert turn.ends_session and "next question" in turn.text
    created = [r for r in alexa_api.requests if r.method == "POST" and r.path == TIMERS]
    assert len(created) == 1
    body = created[0].json
    assert body["duration"] == "PT15M"
    assert body["triggeringBehavior"]["operation"]["type"] == "ANNOUNCE"
    assert body["triggeringBehavior"]["operation"]["textToAnnounce"][0]["locale"] == "en-US"
    assert created[0].headers["authorization"] == f"Bearer {alexa_api.token}"


def test_timer_permission_is_asked_by_voice_then_honoured(sim: Any, alexa_api: Any) -> None:
    alexa_api.revoke("timers")
    meet(sim)
    turn = sim.say("ask closer together to give us fifteen minutes")
    send = turn.directives[0]
    assert send["type"] == "Connections.SendRequest" and send["name"] == "AskFor"
    assert send["payload"]["permissionScopes"][0]["permissionScope"] == (
        "alexa::alerts:timers:skill:readwrite"
    )
    assert send["payload"]["@version"] == "2"
    alexa_api.grant("timers")
    done = sim.permission("ACCEPTED")
    assert "15 minute" in done.text
    assert len([r for r in alexa_api.requests if r.method == "POST" and r.path == TIMERS]) == 2


def test_timer_permission_denied_or_unsupported_gets_a_spoken_alternative(
    sim: Any, alexa_api: Any
) -> None:
    alexa_api.revoke("timers")
    meet(sim)
    sim.say("ask closer together to give us fifteen minutes")
    denied = sim.permission("DENIED")
    assert "Alexa app" in denied.text and "kitchen timer" in denied.text
    alexa_api.grant("timers")
    alexa_api.fail_next("POST", TIMERS, 403)
    unsupported = sim.say("ask closer together to give us fifteen minutes")
    assert "can't set timers" in unsupported.text


def test_asking_for_the_timer_mid_question_sets_it(sim: Any, alexa_api: Any) -> None:
    meet(sim)
    sim.say("ask closer together to start our check-in")
    turn = sim.say("give us fifteen minutes")
    assert "15 minute" in turn.text
    assert [r.json["duration"] for r in alexa_api.requests if r.path == TIMERS] == ["PT15M"]


def test_repeat_asks_for_the_answer_again(sim: Any) -> None:
    meet(sim)
    asked = sim.say("ask closer together to start our check-in")
    again = sim.say("repeat")
    assert again.directives == asked.directives
    sim.say("we went for a walk")
    assert [m.text for m in stored_household().journal["2026-11-26"].moments] == [
        "we went for a walk"
    ]
