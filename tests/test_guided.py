"""A guided ritual as plain functions: households in, replies out (no Alexa, no table)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from closer_together.household import APPRECIATION, BEST_MOMENT, Household, Moment, Partner
from closer_together.rituals import guided
from closer_together.speech import Name, Reply

NOW = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
CHECKIN = guided.PLANS["checkin"]
SAM, ALEX = 0, 1


def couple() -> Household:
    return Household("h", partners=[Partner("Sam"), Partner("Alex")])


def keys(reply: Reply) -> list[str]:
    return [said.key for said in reply.speak]


def asked_of(reply: Reply) -> tuple[str, Name]:
    """The question asked last in a reply, and of whom."""
    question = reply.speak[-1]
    return question.key, question.params["name"]


def test_start_asks_the_speaker_first_and_remembers_who_began() -> None:
    household = couple()
    reply = guided.start(household, CHECKIN, NOW, speaker=ALEX)
    assert keys(reply)[0] == "checkin.open"
    assert asked_of(reply) == ("checkin.q.best", Name("Alex"))
    assert reply.elicit == "answer" and reply.reprompt and not reply.end_session
    progress = household.progress
    assert progress is not None
    assert progress["date"] == NOW.date().isoformat() and progress["phase"] == guided.ANSWER
    # Each round, each partner in turn; the appreciation round too.
    assert progress["steps"] == [
        [ALEX, "best"],
        [ALEX, "challenge"],
        [SAM, "best"],
        [SAM, "challenge"],
        [ALEX, "appreciation"],
        [SAM, "appreciation"],
    ]
    assert guided.active(household, NOW.date()) is progress
    assert guided.active(household, NOW.date() + timedelta(days=1)) is None


def test_who_goes_first_alternates_without_a_recognised_voice() -> None:
    household = couple()
    firsts = []
    for _ in range(3):
        reply = guided.start(household, CHECKIN, NOW)
        firsts.append(asked_of(reply)[1])
    assert firsts == [Name("Sam"), Name("Alex"), Name("Sam")]


def test_an_answer_is_kept_for_its_partner_and_the_other_is_invited_to_ask() -> None:
    household = couple()
    guided.start(household, CHECKIN, NOW, speaker=SAM)
    reply = guided.answer(household, CHECKIN, NOW, "our walk by the river after dinner")
    assert household.journal[NOW.date().isoformat()].moments == [
        Moment(BEST_MOMENT, SAM, "our walk by the river after dinner", "checkin")
    ]
    # A question that invites talk waits for the couple to say "next".
    assert household.progress is not None and household.progress["phase"] == guided.TALK
    assert keys(reply)[-1] == "curiosity.invite"
    assert reply.speak[-1].params == {"name": Name("Sam"), "other": Name("Alex")}
    moved = guided.advance(household, CHECKIN, NOW)
    assert asked_of(moved) == ("checkin.q.challenge", Name("Sam"))


def test_nothing_is_kept_while_saving_is_off() -> None:
    household = couple()
    household.save_answers = False
    guided.start(household, CHECKIN, NOW, speaker=SAM)
    guided.answer(household, CHECKIN, NOW, "our walk by the river after dinner")
    assert household.journal.get(NOW.date().isoformat()) is None or not (
        household.journal[NOW.date().isoformat()].moments
    )


def test_words_said_while_the_couple_talks_are_not_an_answer() -> None:
    household = couple()
    guided.start(household, CHECKIN, NOW, speaker=SAM)
    guided.answer(household, CHECKIN, NOW, "our walk by the river after dinner")
    reply = guided.answer(household, CHECKIN, NOW, "tell me more about it")
    assert keys(reply) == ["ritual.give_time"] and reply.end_session
    assert len(household.journal[NOW.date().isoformat()].moments) == 1


def test_a_general_appreciation_is_nudged_once_then_kept_with_its_detail() -> None:
    household = couple()
    guided.start(household, guided.PLANS["appreciation"], NOW, speaker=SAM)
    nudge = guided.answer(household, guided.PLANS["appreciation"], NOW, "you're great")
    assert keys(nudge) == ["appreciation.nudge"]
    assert nudge.speak[0].params == {"name": Name("Sam"), "other": Name("Alex")}
    guided.answer(household, guided.PLANS["appreciation"], NOW, "you made me soup when I was ill")
    kept = household.journal[NOW.date().isoformat()].moments
    assert kept == [
        Moment(APPRECIATION, SAM, "you're great you made me soup when I was ill", "appreciation")
    ]


def test_a_recognised_voice_out_of_turn_answers_for_itself() -> None:
    household = couple()
    guided.start(household, CHECKIN, NOW, speaker=SAM)
    guided.answer(household, CHECKIN, NOW, "a long lunch together", speaker=ALEX)
    assert household.journal[NOW.date().isoformat()].moments[0].partner == ALEX
    assert household.progress is not None
    assert household.progress["steps"][0] == [ALEX, "best"]
    # Alex's best moment is taken: asked again, it is Sam's turn, not a second answer.
    guided.advance(household, CHECKIN, NOW)
    guided.skip(household, CHECKIN, NOW)  # the challenge
    reply = guided.answer(household, CHECKIN, NOW, "another lunch", speaker=ALEX)
    assert keys(reply)[0] == "answer.other_turn"
    assert len(household.journal[NOW.date().isoformat()].moments) == 1


def test_next_skips_a_question_and_the_last_step_finishes_with_the_streak() -> None:
    household = couple()
    reply = guided.start(household, CHECKIN, NOW, speaker=SAM)
    guided.answer(household, CHECKIN, NOW, "breakfast in the garden")
    for _ in range(6):  # past the talk, then every other question
        reply = guided.skip(household, CHECKIN, NOW)
    assert reply.end_session
    assert keys(reply)[-2:] == ["checkin.close", "streak.one"]
    assert reply.speak[-2].params == {"a": Name("Sam"), "b": Name("Alex")}
    assert household.progress is None
    entry = household.journal[NOW.date().isoformat()]
    assert entry.done == ["checkin"] and entry.answered["checkin"] == ["0:best"]
    assert household.streak("checkin", NOW.date()) == 1


def test_a_missed_answer_is_asked_once_more_then_passed_kindly() -> None:
    household = couple()
    guided.start(household, CHECKIN, NOW, speaker=SAM)
    once = guided.missed(household, CHECKIN, NOW)
    assert keys(once) == ["answer.missed"] and once.elicit == "answer"
    twice = guided.missed(household, CHECKIN, NOW)
    assert keys(twice)[0] == "answer.moving_on"
    assert asked_of(twice) == ("checkin.q.challenge", Name("Sam"))


def test_resume_asks_the_open_question_again_or_moves_on_from_talk() -> None:
    household = couple()
    guided.start(household, CHECKIN, NOW, speaker=SAM)
    later = NOW + timedelta(hours=1)
    reply = guided.resume(household, CHECKIN, later)
    assert keys(reply)[0] == "checkin.resume"
    assert asked_of(reply) == ("checkin.q.best", Name("Sam"))
    guided.answer(household, CHECKIN, later, "our walk by the river after dinner")
    reply = guided.resume(household, CHECKIN, later)
    assert keys(reply)[0] == "checkin.resume"
    assert asked_of(reply) == ("checkin.q.challenge", Name("Sam"))


def test_resume_today_picks_up_today_and_drops_an_earlier_day() -> None:
    household = couple()
    assert guided.resume_today(household, NOW) is None
    guided.start(household, CHECKIN, NOW, speaker=SAM)
    reply = guided.resume_today(household, NOW)
    assert reply is not None and keys(reply)[0] == "checkin.resume"
    assert guided.resume_today(household, NOW + timedelta(days=1)) is None
    assert household.progress is None


def test_a_ritual_set_aside_comes_back_when_the_other_ends() -> None:
    household = couple()
    guided.start(household, CHECKIN, NOW, speaker=SAM)
    appreciation = guided.PLANS["appreciation"]
    guided.start(household, appreciation, NOW, speaker=SAM)
    assert household.progress is not None and household.progress["ritual"] == "appreciation"
    guided.skip(household, appreciation, NOW)
    reply = guided.skip(household, appreciation, NOW)
    assert "appreciation.close" in keys(reply) and "checkin.resume" in keys(reply)
    assert asked_of(reply) == ("checkin.q.best", Name("Sam"))
    assert household.progress is not None and household.progress["ritual"] == "checkin"
