"""The daily check-in and whatever guided ritual is under way.

These handlers only translate: which ritual is active, what was heard, and the
reply. The conversation itself is `rituals.guided`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.utils import is_intent_name, is_request_type

from closer_together.gateways.timers import TimerGateway, TimerResult
from closer_together.pipeline import (
    current,
    intent_name,
    request_of,
    respond,
    session_of,
    slot_text,
)
from closer_together.rituals import guided, welcome
from closer_together.rituals.people import who_is_speaking
from closer_together.speech import Name, Reply, line
from closer_together.turn import Turn

if TYPE_CHECKING:
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_model import Response

NEXT_INTENTS = ("NextQuestionIntent", "AMAZON.NextIntent", "AMAZON.ResumeIntent", "SkipIntent")
RITUAL_INTENTS = (
    "AnswerIntent",
    "NamesIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
    "AMAZON.PauseIntent",
    "AMAZON.StartOverIntent",
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
    *NEXT_INTENTS,
)
TALK_MINUTES = 15


def _has_progress(handler_input: HandlerInput) -> bool:
    session = session_of(handler_input)
    return bool((session.get("household") or {}).get("progress"))


def begin_checkin(turn: Turn, intro: list | None = None) -> Reply:
    plan = guided.PLANS["checkin"]
    household = turn.household
    turn.touch()
    progress = guided.active(household, turn.today)
    if progress and progress["ritual"] == "checkin":
        return guided.resume(household, plan, turn.now, intro)
    greeting = []
    if turn.speaker is not None:
        greeting = [
            line(
                "greet.speaker", name=welcome.partner_name(household, turn.speaker, turn.person_id)
            )
        ]
    return guided.start(household, plan, turn.now, turn.speaker, [*(intro or []), *greeting])


class StartCheckInHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("StartCheckInIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        if not turn.household.named:
            reply, turn.expect = welcome.launch(turn.household)
            return respond(handler_input, reply)
        ask = who_is_speaking(turn)
        if ask is not None:
            turn.expect = "who:checkin"
            return respond(handler_input, ask)
        turn.expect = None
        return respond(handler_input, begin_checkin(turn))


class WhoIsSpeakingHandler(AbstractRequestHandler):
    """The answer to "Is this Sam or Alex?"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        session = session_of(handler_input)
        return str(session.get("expect", "")).startswith("who:") and intent_name(handler_input) in (
            "NamesIntent",
            "AnswerIntent",
            "AMAZON.FallbackIntent",
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        then = str(turn.expect).split(":", 1)[1]
        turn.expect = None
        heard = slot_text(handler_input, "firstName") or slot_text(handler_input, "answer") or ""
        household = turn.household
        intro = []
        for index, partner in enumerate(household.partners):
            if heard and partner.name.lower() in heard.lower() and turn.person_id:
                household.link_person(index, turn.person_id)
                turn.touch()
                name = welcome.partner_name(household, index, turn.person_id)
                intro = [line("who.linked", name=name)]
                break
        if then == "checkin":
            return respond(handler_input, begin_checkin(turn, intro))
        reply, turn.expect = welcome.launch(household)
        reply.speak[:0] = intro
        return respond(handler_input, reply)


class RitualTurnHandler(AbstractRequestHandler):
    """Every utterance while a guided ritual is under way today."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        session = session_of(handler_input)
        if session.get("expect"):
            return False  # the session waits for something else (a name, a yes or no)
        return _has_progress(handler_input) and intent_name(handler_input) in RITUAL_INTENTS

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        household = turn.household
        progress = guided.active(household, turn.today)
        intent = intent_name(handler_input)
        if progress is None or progress.get("ritual") not in guided.PLANS:
            household.progress = None  # an earlier day's ritual is not resumed
            turn.touch()
            if intent in NEXT_INTENTS:
                return respond(handler_input, nothing_waiting(turn))
            reply, turn.expect = welcome.launch(household)
            return respond(handler_input, reply)
        plan = guided.PLANS[progress["ritual"]]
        talking = progress.get("phase") == guided.TALK
        if intent in ("AMAZON.HelpIntent",):
            asked = guided.repeat_question(household, plan)
            if talking:
                asked = Reply([], [line("curiosity.reprompt")])
            return respond(
                handler_input,
                Reply(
                    [line(f"{plan.ritual}.help"), line("help.commands"), *asked.speak],
                    asked.reprompt,
                    elicit=asked.elicit,
                ),
            )
        turn.touch()
        if intent in ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.PauseIntent"):
            return respond(handler_input, guided.pause_ritual())
        if intent == "AMAZON.StartOverIntent":
            return respond(handler_input, guided.start_over(household, plan, turn.now))
        if intent in NEXT_INTENTS or (talking and intent == "AMAZON.YesIntent"):
            if request_is_new_session(handler_input):
                return respond(handler_input, guided.resume(household, plan, turn.now))
            if talking:
                return respond(handler_input, guided.advance(household, plan, turn.now))
            return respond(handler_input, guided.skip(household, plan, turn.now))
        if talking and intent == "AMAZON.NoIntent":
            return respond(handler_input, Reply([line("ritual.give_time")], end_session=True))
        text = slot_text(handler_input, "answer") or slot_text(handler_input, "firstName")
        if intent == "AMAZON.YesIntent":
            text = text or "yes"
        if not text:
            return respond(handler_input, guided.missed(household, plan, turn.now))
        return respond(handler_input, guided.answer(household, plan, turn.now, text, turn.speaker))


class ResumeHandler(AbstractRequestHandler):
    """ "Next question" with nothing under way today."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) in NEXT_INTENTS

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        if not turn.household.named:
            reply, turn.expect = welcome.launch(turn.household)
            return respond(handler_input, reply)
        return respond(handler_input, nothing_waiting(turn))


def request_is_new_session(handler_input: HandlerInput) -> bool:
    session = handler_input.request_envelope.session
    return bool(session is not None and session.new)


def nothing_waiting(turn: Turn) -> Reply:
    return Reply([line("resume.none"), *welcome.menu(turn.household)], [line("menu.reprompt")])


class LaunchResumeHandler(AbstractRequestHandler):
    """Opening the skill mid-ritual picks it up where the couple left it today."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input) and _has_progress(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        household = turn.household
        progress = guided.active(household, turn.today)
        if progress is None or progress.get("ritual") not in guided.PLANS:
            household.progress = None
            turn.touch()
            reply, turn.expect = welcome.launch(household)
            return respond(handler_input, reply)
        turn.touch()
        plan = guided.PLANS[progress["ritual"]]
        intro = [line("welcome.back", **welcome.both(household))]
        return respond(handler_input, guided.resume(household, plan, turn.now, intro))


class TalkTimerHandler(AbstractRequestHandler):
    """ "Give us fifteen minutes": a timer for talking freely."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("TalkTimerIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return respond(handler_input, start_timer(handler_input))


def start_timer(handler_input: HandlerInput) -> Reply:
    turn = current(handler_input)
    minutes = TALK_MINUTES
    raw = slot_text(handler_input, "minutes")
    if raw and raw.isdigit():
        minutes = max(1, min(60, int(raw)))
    turn.session["timer_minutes"] = minutes
    prompts = turn.voice.catalog
    result = TimerGateway(handler_input.service_client_factory).start(
        f"PT{minutes}M",
        prompts.variants("timer.label")[0],
        prompts.variants("timer.announce")[0],
        turn.locale,
    )
    after = _after_timer(turn)
    if result is TimerResult.SET:
        return Reply(
            [line("timer.set", minutes=str(minutes)), *after.speak],
            after.reprompt,
            end_session=after.end_session,
            elicit=after.elicit,
        )
    if result is TimerResult.NEEDS_PERMISSION:
        return Reply([line("timer.permission")], ask_permission="timers")
    key = "timer.unsupported" if result is TimerResult.NOT_SUPPORTED else "timer.failed"
    return Reply(
        [line(key, minutes=str(minutes)), *after.speak],
        after.reprompt,
        end_session=after.end_session,
        elicit=after.elicit,
    )


def _after_timer(turn: Turn) -> Reply:
    progress = guided.active(turn.household, turn.today)
    if progress and progress.get("phase") == guided.TALK:
        return Reply([line("timer.talk_then_next")], end_session=True)
    return Reply([line("timer.enjoy")], end_session=True)


class TimerPermissionHandler(AbstractRequestHandler):
    """The answer to our voice request for timer permission."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        return (
            is_request_type("Connections.Response")(handler_input)
            and getattr(request, "token", None) == "timers"
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        request = request_of(handler_input)
        status = str((request.payload or {}).get("status", "NOT_ANSWERED")).upper()
        if status == "ACCEPTED":
            return respond(handler_input, start_timer(handler_input))
        turn = current(handler_input)
        minutes = str(turn.session.get("timer_minutes", TALK_MINUTES))
        key = "timer.denied" if status == "DENIED" else "timer.not_answered"
        return respond(handler_input, Reply([line(key, minutes=minutes)], end_session=True))


HANDLERS: list[AbstractRequestHandler] = [
    TimerPermissionHandler(),
    WhoIsSpeakingHandler(),
    LaunchResumeHandler(),
    StartCheckInHandler(),
    TalkTimerHandler(),
    RitualTurnHandler(),
    ResumeHandler(),
]

__all__ = ["HANDLERS", "Name", "begin_checkin", "who_is_speaking"]
