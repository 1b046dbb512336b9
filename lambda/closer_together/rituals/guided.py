"""A guided ritual: partners take turns answering spoken questions.

The state is a plain dict (it rides in session attributes and is stored with the
household), and every function maps (household, what was heard) to a reply.
Rituals differ only in data: their questions, what is saved, how they open and
close (see `PLANS`).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from closer_together.household import APPRECIATION, BEST_MOMENT, CONNECTING, Household
from closer_together.lazy import lazy
from closer_together.rituals.people import names
from closer_together.speech import CONTENT, Line, Reply, Screen, line, pause

if TYPE_CHECKING:
    from closer_together import screens
    from closer_together.rituals import validation
else:
    validation = lazy("closer_together.rituals.validation")  # on the first answer heard
    screens = lazy("closer_together.screens")  # a question's screen is built when asked


class Question(NamedTuple):
    id: str
    # Kind of moment saved from the answer; None: never stored (challenges, concerns).
    keep: str | None = None
    # After the answer, invite the other partner's curiosity and wait for "next".
    talk: bool = False
    # Nudge a general answer once toward something specific.
    specific: bool = False
    # A question about something hard: a neutral answer still gets a gentle validation.
    hard: bool = False
    # One answer for the couple (e.g. naming an event both will talk about), by who goes first.
    together: bool = False
    # Other intents whose samples are natural answers here ("I had a terrible day" to
    # the challenge question): Alexa may switch to them mid-answer.
    accepts: frozenset[str] = frozenset()
    # One question for both (a deck's): the second partner hears "same question", not the
    # whole of it again a minute later; its help still says it in full.
    again: bool = False


class Plan(NamedTuple):
    ritual: str
    questions: dict[str, Question]
    # Each round: every partner answers these questions in turn.
    rounds: tuple[tuple[str, ...], ...]
    opening: tuple[str, ...] = ()
    closing: str = "ritual.close"
    # Close with the streak of days this ritual was done.
    streak: bool = False
    # One answer for the couple rather than one from each partner.
    together: bool = False


def _load_plans() -> dict[str, Plan]:
    data = json.loads((CONTENT / "rituals.json").read_text("utf-8"))
    return {
        name: Plan(
            ritual=name,
            questions={
                qid: Question(qid, **{**spec, "accepts": frozenset(spec.get("accepts", ()))})
                for qid, spec in plan["questions"].items()
            },
            rounds=tuple(tuple(r) for r in plan["rounds"]),
            opening=tuple(plan.get("opening", ())),
            closing=plan.get("closing", "ritual.close"),
            streak=bool(plan.get("streak", False)),
            together=bool(plan.get("together", False)),
        )
        for name, plan in data.items()
    }


# The rituals' shapes are data (content/rituals.json); their words are in the prompts.
PLANS: dict[str, Plan] = _load_plans()

ANSWER = "answer"
TALK = "talk"
NUDGE = "nudge"
# A ritual set aside today when another was asked for; it comes back when that one ends.
SHELVED = "shelved"


def active(household: Household, today: date) -> dict[str, Any] | None:
    """Today's unfinished ritual; one left from an earlier day is not resumed."""
    progress = household.progress
    if progress and progress.get("date") == today.isoformat():
        return progress
    return None


def _steps(plan: Plan, order: list[int]) -> list[list[Any]]:
    partners = order[:1] if plan.together else order
    return [
        [p, q]
        for round_ in plan.rounds
        for p in partners
        for q in round_
        if p == order[0] or not plan.questions[q].together
    ]


def first_partner(household: Household, ritual: str) -> int:
    """Who goes first alternates from one time to the next."""
    last = household.memory.get(f"{ritual}.first")
    return 0 if last is None else 1 - int(last)


def start(
    household: Household,
    plan: Plan,
    now: datetime,
    speaker: int | None = None,
    intro: list[Line] | None = None,
    params: dict[str, str] | None = None,
) -> Reply:
    """Begin a ritual; `params` fill its question prompts (e.g. a deck's question)."""
    first = speaker if speaker is not None else first_partner(household, plan.ritual)
    household.memory[f"{plan.ritual}.first"] = first
    shelved = _shelve(household, plan, now.date())
    household.progress = {
        "ritual": plan.ritual,
        "date": now.date().isoformat(),
        "steps": _steps(plan, [first, 1 - first]),
        "step": 0,
        "phase": ANSWER,
        "missed": 0,
        "params": dict(params or {}),
    }
    if shelved:
        household.progress[SHELVED] = shelved
    opening = [line(key) for key in plan.opening]
    return _ask(household, plan, [*(intro or []), *opening, pause(300)])


def _shelve(household: Household, plan: Plan, today: date) -> dict[str, Any] | None:
    """Another ritual under way today waits, exactly where it is, for this one to end."""
    progress = active(household, today)
    if progress is None:
        return None
    if progress.get("ritual") != plan.ritual:
        return progress
    return progress.get(SHELVED)  # the same ritual again: keep what it had set aside


def accepted(household: Household) -> frozenset[str]:
    """The other intents the open question takes as its answer."""
    progress = household.progress or {}
    plan = PLANS.get(str(progress.get("ritual")))
    if plan is None or progress.get("phase") not in (ANSWER, NUDGE):
        return frozenset()
    try:
        return _current(household, plan)[1].accepts
    except (KeyError, IndexError, TypeError, ValueError):
        return frozenset()


def resume(
    household: Household, plan: Plan, now: datetime, intro: list[Line] | None = None
) -> Reply:
    progress = household.progress or {}
    lead = [*(intro or []), line(f"{plan.ritual}.resume")]
    if progress.get("phase") == TALK:
        return advance(household, plan, now=now, lead=lead)
    progress["phase"] = ANSWER
    return _ask(household, plan, lead)


def resume_today(
    household: Household, now: datetime, intro: list[Line] | None = None
) -> Reply | None:
    """Today's unfinished ritual, asked again where it was; an earlier day's is dropped.

    Whenever there was progress the household changed (resumed, or dropped).
    """
    progress = active(household, now.date())
    if progress is None or progress.get("ritual") not in PLANS:
        household.progress = None
        return None
    return resume(household, PLANS[progress["ritual"]], now, intro)


def _current(household: Household, plan: Plan) -> tuple[int, Question]:
    progress = household.progress or {}
    partner, question = progress["steps"][progress["step"]]
    return int(partner), plan.questions[question]


def _question_lines(
    household: Household, plan: Plan, *, following: bool = False
) -> tuple[list[Line], list[Line]]:
    """The question for the partner whose turn it is, and its help. `following`: it comes
    straight after the other partner's turn."""
    partner, question = _current(household, plan)
    progress = household.progress or {}
    params = {**names(household, partner), **progress.get("params", {})}
    key = f"{plan.ritual}.q.{question.id}"
    earlier = [qid for _, qid in progress["steps"][: progress["step"]]]
    if following and question.again and question.id in earlier:
        edge = f".{params['edge']}" if params.get("edge") else ""
        return [line(f"{key}.again", **params)], [line(f"{key}.help{edge}", **params)]
    # A question may say where it stands ("edge": the deepest of the deck), and its help with it.
    edge = f".{params['edge']}" if params.get("edge") else ""
    return [line(key, **params)], [line(f"{key}.help{edge}", **params)]


def question_screen(household: Household, plan: Plan, asked: list[Line]) -> Screen:
    """What a screen shows with the question: whose turn, how far along, the question in
    full (a "same question" said aloud shows the question itself)."""
    partner, _ = _current(household, plan)
    progress = household.progress or {}
    shown = asked[-1]
    if shown.key.endswith(".again"):
        shown = line(shown.key.removesuffix(".again"), **shown.params)
    return screens.question(
        plan.ritual,
        household.partners[partner].name,
        int(progress["step"]) + 1,
        len(progress["steps"]),
        shown,
    )


def _asking(
    household: Household, plan: Plan, lead: list[Line], asked: list[Line], help_: list[Line]
) -> Reply:
    """The question (after `lead`), waiting for its answer, on a screen too."""
    screen = question_screen(household, plan, asked)
    return Reply([*lead, *asked], help_, elicit="answer", screen=screen)


def _ask(household: Household, plan: Plan, lead: list[Line], *, following: bool = False) -> Reply:
    asked, help_ = _question_lines(household, plan, following=following)
    (household.progress or {})["phase"] = ANSWER
    return _asking(household, plan, lead, asked, help_)


def repeat_question(household: Household, plan: Plan) -> Reply:
    asked, help_ = _question_lines(household, plan)
    return _asking(household, plan, [], asked, help_)


def answer(
    household: Household,
    plan: Plan,
    now: datetime,
    text: str,
    speaker: int | None = None,
) -> Reply:
    """A partner answered the current question (or a nudge, or spoke while talking)."""
    progress = household.progress or {}
    if progress.get("phase") == TALK:
        # The couple is talking to each other; none of it is captured.
        return Reply([line("ritual.give_time")], end_session=True)
    if speaker is not None and not _credit_speaker(progress, speaker):
        return _not_your_turn(household, plan, speaker)
    partner, question = _current(household, plan)
    if progress.get("phase") == NUDGE:
        text = f"{progress.pop('first_answer', '')} {text}".strip()
    elif question.specific and _general(household, text):
        progress["phase"] = NUDGE
        progress["first_answer"] = text
        theirs = names(household, partner)
        return Reply(
            [line("appreciation.nudge", **theirs)],
            [line("appreciation.nudge.help", **theirs)],
            elicit="answer",
        )
    progress.pop("first_answer", None)
    progress["missed"] = 0
    answered = progress.setdefault("answered", [])
    answered.append(f"{partner}:{question.id}")
    if question.keep and _worth_hearing_again(question, text):
        household.keep(now.date(), question.keep, partner, text, plan.ritual)
    return _after_answer(household, plan, now, partner, question, text)


def _general(household: Household, text: str) -> bool:
    """ "You're great", or only a name: no action or quality to hear again."""
    said = " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
    known = {p.name.lower() for p in household.partners} | {"you", "him", "her", "them"}
    return validation.is_general(text) or said in known


def _worth_hearing_again(question: Question, text: str) -> bool:
    """A hard day or "nothing much" given as the day's best part is heard, not read back in
    the weekly review as a good moment."""
    return question.keep == APPRECIATION or not (
        validation.clearly_negative(text) or validation.is_flat(text)
    )


def _credit_speaker(progress: dict[str, Any], speaker: int) -> bool:
    """A recognised voice answered out of turn: swap turns so the answer is theirs.

    False when they already answered this question: it is the other partner's turn.
    """
    steps, index = progress["steps"], progress["step"]
    partner, question = steps[index]
    if partner == speaker:
        return True
    for later in range(index + 1, len(steps)):
        if steps[later] == [speaker, question]:
            steps[index], steps[later] = steps[later], steps[index]
            return True
    return False


def _not_your_turn(household: Household, plan: Plan, speaker: int) -> Reply:
    """The speaker already answered: nothing is filed under their partner's name."""
    asked, help_ = _question_lines(household, plan)
    return _asking(
        household, plan, [line("answer.other_turn", **names(household, speaker))], asked, help_
    )


def not_an_answer(household: Household, plan: Plan) -> Reply:
    """'Thanks', 'okay', a yes or a no said to an open question: nothing is taken, and the
    question is asked again gently ("skip" moves on)."""
    asked, help_ = _question_lines(household, plan)
    return _asking(household, plan, [line("answer.not_yet")], asked, help_)


# Questions that ask for something good: only their answers may be met with gladness.
_PRAISED = frozenset({BEST_MOMENT, CONNECTING})


def _validation(question: Question, text: str) -> Line:
    if question.keep == APPRECIATION and not validation.is_flat(text):
        return line("validate.appreciation")
    kind = validation.reflection(text, praise=question.keep in _PRAISED, hard=question.hard)
    return line(f"validate.{kind}")


def _after_answer(
    household: Household, plan: Plan, now: datetime, partner: int, question: Question, text: str
) -> Reply:
    reflected = _validation(question, text)
    if question.talk and not validation.is_flat(text):  # "nothing much" is no story to ask about
        household.progress["phase"] = TALK  # type: ignore[index]
        return Reply(
            [reflected, line("curiosity.invite", **names(household, partner))],
            [line("curiosity.reprompt")],
        )
    return advance(household, plan, now=now, lead=[reflected])


def advance(
    household: Household,
    plan: Plan,
    now: datetime | None = None,
    lead: list[Line] | None = None,
) -> Reply:
    """On to the next question, or the close when every step is done."""
    progress = household.progress or {}
    progress["step"] = progress.get("step", 0) + 1
    if progress["step"] >= len(progress["steps"]):
        return finish(household, plan, now, lead or [])
    return _ask(household, plan, lead or [], following=True)


def skip(household: Household, plan: Plan, now: datetime) -> Reply:
    progress = household.progress or {}
    progress.pop("first_answer", None)
    lead = [] if progress.get("phase") == TALK else [line("ritual.skipped")]
    return advance(household, plan, now, lead)


def missed(household: Household, plan: Plan, now: datetime) -> Reply:
    """An answer could not be captured: ask once more, then move on kindly."""
    progress = household.progress or {}
    if progress.get("phase") == TALK:
        return Reply([line("ritual.give_time")], end_session=True)
    progress["missed"] = progress.get("missed", 0) + 1
    if progress["missed"] == 1:
        asked, help_ = _question_lines(household, plan)
        screen = question_screen(household, plan, asked)
        return Reply([line("answer.missed")], help_, elicit="answer", screen=screen)
    progress["missed"] = 0
    partner, _ = _current(household, plan)
    return advance(household, plan, now, [line("answer.moving_on", **names(household, partner))])


def start_over(household: Household, plan: Plan, now: datetime) -> Reply:
    """Begin this ritual again; what it saved today is taken back."""
    entry = household.journal.get(now.date().isoformat())
    if entry:
        entry.moments = [m for m in entry.moments if m.ritual != plan.ritual]
    progress = household.progress or {}
    order = [progress["steps"][0][0], 1 - progress["steps"][0][0]]
    progress.update(steps=_steps(plan, order), step=0, phase=ANSWER, missed=0, answered=[])
    return _ask(household, plan, [line("ritual.start_over")])


def pause_ritual() -> Reply:
    return Reply([line("ritual.paused")], end_session=True)


def finish(household: Household, plan: Plan, now: datetime | None, lead: list[Line]) -> Reply:
    progress = household.progress or {}
    if now is None:
        now = datetime.fromisoformat(progress["date"])
    answered = list(progress.get("answered", []))
    household.mark_done(now.date(), plan.ritual, answered, now)
    shelved = progress.get(SHELVED)
    same_day = shelved and shelved.get("date") == progress.get("date")
    household.progress = shelved if same_day else None
    closing = [line(plan.closing, **names(household))]
    if plan.streak and answered:  # a day of skips is no day of the streak
        days = household.streak(plan.ritual, now.date())
        closing.append(line("streak.one") if days == 1 else line("streak.many", days=str(days)))
    back = PLANS.get(str((household.progress or {}).get("ritual")))
    if back is not None:
        # The ritual set aside today comes back where it was, in the same breath.
        return resume(household, back, now, [*lead, pause(300), *closing])
    return Reply([*lead, pause(300), *closing], end_session=True)
