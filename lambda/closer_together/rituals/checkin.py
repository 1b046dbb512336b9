"""The daily check-in's start, one turn of whichever guided ritual is under way, and the
timer for talking freely.

Plain values in (the household, the time, what was heard), a reply out; whether the
household changed comes back with it where a turn may leave it as it was.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from closer_together.dialog import Heard, Kind
from closer_together.lazy import lazy
from closer_together.rituals import guided
from closer_together.rituals.people import partner_name
from closer_together.rituals.welcome import menu
from closer_together.speech import Catalog, Line, Reply, line, trusted

if TYPE_CHECKING:
    from closer_together import concerns
    from closer_together.gateways.timers import TimerGateway
    from closer_together.household import Household
else:
    concerns = lazy("closer_together.concerns")  # the detector, loaded on need

CHECKIN = "checkin"
NEXT_INTENTS = ("NextQuestionIntent", "AMAZON.NextIntent", "AMAZON.ResumeIntent", "SkipIntent")
# Commands that set the ritual aside as it stands.
PAUSE_INTENTS = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.PauseIntent")
TALK_MINUTES = 15
MAX_TALK_MINUTES = 60


def begin(
    household: Household,
    now: datetime,
    speaker: int | None,
    person_id: str | None,
    intro: list[Line] | None = None,
) -> Reply:
    """Today's check-in where it was, or a new one, the recognised speaker greeted first."""
    plan = guided.PLANS[CHECKIN]
    progress = guided.active(household, now.date())
    if progress and progress["ritual"] == CHECKIN:
        return guided.resume(household, plan, now, intro)
    greeting = []
    if speaker is not None:
        greeting = [line("greet.speaker", name=partner_name(household, speaker, person_id))]
    return guided.start(household, plan, now, speaker, [*(intro or []), *greeting])


def nothing_waiting(household: Household) -> Reply:
    return Reply([line("resume.none"), *menu(household)], [line("menu.reprompt")])


def ritual_turn(
    household: Household,
    now: datetime,
    heard: Heard,
    *,
    talking: bool,
    speaker: int | None,
    locale: str,
) -> tuple[Reply, bool]:
    """An answer, a non-answer or a ritual command while today's ritual waits; (reply,
    whether the household changed). `talking`: the couple is talking it through."""
    progress = guided.active(household, now.date())
    assert progress is not None  # a ritual wait is derived from today's progress
    plan = guided.PLANS[progress["ritual"]]
    if heard.intent == "AMAZON.HelpIntent":
        return _help(household, plan, talking=talking, locale=locale), False
    if heard.kind not in (Kind.ANSWER, Kind.MISSED) and heard.intent in PAUSE_INTENTS:
        # The ritual stands as stored after the last answer: nothing to write.
        return guided.pause_ritual(), False
    return _step(household, plan, now, heard, talking=talking, speaker=speaker), True


def _help(household: Household, plan: guided.Plan, *, talking: bool, locale: str) -> Reply:
    asked = guided.repeat_question(household, plan)
    if talking:
        asked = Reply([], [line("curiosity.reprompt")])
    return Reply(
        [
            line(f"{plan.ritual}.help"),
            trusted(concerns.help_line(locale)),
            line("help.commands"),
            *asked.speak,
        ],
        asked.reprompt,
        elicit=asked.elicit,
    )


def _step(
    household: Household,
    plan: guided.Plan,
    now: datetime,
    heard: Heard,
    *,
    talking: bool,
    speaker: int | None,
) -> Reply:
    intent = heard.intent
    if heard.kind is Kind.ANSWER:
        return guided.answer(household, plan, now, heard.text or "", speaker)
    if heard.kind is Kind.MISSED:
        return guided.missed(household, plan, now)
    if intent == "AMAZON.StartOverIntent":
        return guided.start_over(household, plan, now)
    if talking:
        if intent in (*NEXT_INTENTS, "AMAZON.YesIntent"):
            return guided.advance(household, plan, now)
        return Reply([line("ritual.give_time")], end_session=True)
    if intent == "AMAZON.ResumeIntent":
        # "Resume" to an open question asks it again; it skips nothing.
        return guided.resume(household, plan, now)
    if intent in NEXT_INTENTS:
        return guided.skip(household, plan, now)
    # "Yes", "no", "thanks", "okay": not an answer to an open question.
    return guided.not_an_answer(household, plan)


# --- talking time ------------------------------------------------------------------------------


def timer_minutes(kept: int, said: str | None) -> int:
    """The minutes asked for, within an hour; after a permission prompt the request carries
    no slot, so the length asked for before (`kept`) stands."""
    if said and said.isdigit():
        return max(1, min(MAX_TALK_MINUTES, int(said)))
    return kept


def start_timer(
    timers: TimerGateway,
    minutes: int,
    household: Household,
    today: date,
    prompts: Catalog,
    locale: str,
) -> Reply:
    """A timer for talking freely, then what to do while it runs."""
    from closer_together.gateways.timers import TimerResult  # this turn only, not at launch

    result = timers.start(
        f"PT{minutes}M",
        prompts.variants("timer.label")[0],
        prompts.variants("timer.announce")[0],
        locale,
    )
    if result is TimerResult.NEEDS_PERMISSION:
        return Reply([line("timer.permission")], ask_permission="timers")
    if result is TimerResult.SET:
        key = "timer.set"
    else:
        key = "timer.unsupported" if result is TimerResult.NOT_SUPPORTED else "timer.failed"
    progress = guided.active(household, today)
    after = "timer.talk_then_next" if progress and progress.get("phase") == guided.TALK else ""
    return Reply([line(key, minutes=str(minutes)), line(after or "timer.enjoy")], end_session=True)


def timer_refused(status: str, minutes: int) -> Reply:
    """No permission for timers: the length to keep an eye on, all the same."""
    key = "timer.denied" if status == "DENIED" else "timer.not_answered"
    return Reply([line(key, minutes=str(minutes))], end_session=True)
