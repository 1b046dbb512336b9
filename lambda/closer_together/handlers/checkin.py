"""The daily check-in and whatever guided ritual is under way.

These handlers only translate: which ritual is active, what was heard, and the
reply. The conversation itself is `rituals.checkin` and `rituals.guided`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.utils import is_request_type

from closer_together.dialog import TEXT_INTENTS, Kind, Waiting
from closer_together.pipeline import respond
from closer_together.request_util import (
    current,
    expected,
    intent_name,
    loaded,
    request_of,
    slot_text,
)
from closer_together.request_util import heard as heard_as
from closer_together.rituals import checkin, guided, people, welcome
from closer_together.rituals.checkin import NEXT_INTENTS
from closer_together.speech import Line, Reply, line
from closer_together.turn import Turn

if TYPE_CHECKING:
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_model import Response

# Commands the ritual under way answers itself; any other intent is done as itself and
# leaves the ritual where it is.
RITUAL_COMMANDS = (
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
    "AMAZON.PauseIntent",
    "AMAZON.StartOverIntent",
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
    *NEXT_INTENTS,
)
RITUAL_WAITS = (Waiting.RITUAL_ANSWER, Waiting.RITUAL_TALK)
# The talking timer's length, kept while Alexa asks for the timers permission.
TIMER_MINUTES = "timer_minutes"


def _has_progress(handler_input: HandlerInput) -> bool:
    turn = loaded(handler_input)
    return turn is not None and bool(turn.household.progress)


def begin_checkin(turn: Turn, intro: list[Line] | None = None) -> Reply:
    turn.touch()
    return checkin.begin(turn.household, turn.now, turn.speaker, turn.person_id, intro)


def who_is_speaking(turn: Turn) -> Reply | None:
    """Ask once which partner an unknown voice profile is (remembered in the household)."""
    ask = people.who_is_speaking(turn.household, turn.person_id)
    if ask is not None:
        turn.touch()
    return ask


class StartCheckInHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) == "StartCheckInIntent"

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        if not turn.household.named:
            reply, turn.expect = welcome.launch(turn.household)
            return respond(handler_input, reply)
        ask = who_is_speaking(turn)
        if ask is not None:
            turn.expect = Waiting.WHO_CHECKIN
            return respond(handler_input, ask)
        turn.expect = None
        return respond(handler_input, begin_checkin(turn))


class WhoIsSpeakingHandler(AbstractRequestHandler):
    """The answer to "Is this Sam or Alex?"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return expected(handler_input) in (Waiting.WHO_LAUNCH, Waiting.WHO_CHECKIN) and heard_as(
            handler_input
        ).kind in (Kind.ANSWER, Kind.MISSED, Kind.NOT_ANSWER)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        then, turn.expect = turn.expect, None
        heard = slot_text(handler_input, "firstName") or turn.heard.text or ""
        intro = people.recognise(turn.household, heard, turn.person_id)
        if intro:
            turn.touch()
        if then is Waiting.WHO_CHECKIN:
            return respond(handler_input, begin_checkin(turn, intro))
        reply, turn.expect = welcome.launch(turn.household)
        reply.speak[:0] = intro
        return respond(handler_input, reply)


class RitualTurnHandler(AbstractRequestHandler):
    """An answer, a non-answer, or a ritual command while a guided ritual waits today."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if expected(handler_input) not in RITUAL_WAITS:
            return False
        said = heard_as(handler_input)
        if said.kind in (Kind.ANSWER, Kind.NOT_ANSWER, Kind.MISSED):
            return True
        # Words said while the couple talks it through are theirs, not an answer.
        return said.intent in RITUAL_COMMANDS or (
            expected(handler_input) is Waiting.RITUAL_TALK and said.intent in TEXT_INTENTS
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        reply, changed = checkin.ritual_turn(
            turn.household,
            turn.now,
            turn.heard,
            talking=turn.waiting is Waiting.RITUAL_TALK,
            speaker=turn.speaker,
            locale=turn.locale,
        )
        if changed:
            turn.touch()
        return respond(handler_input, reply)


class ResumeHandler(AbstractRequestHandler):
    """ "Ask Closer Together for the next question": today's ritual where it was left."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) in NEXT_INTENTS

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        if not turn.household.named:
            reply, turn.expect = welcome.launch(turn.household)
            return respond(handler_input, reply)
        resumed = resume_today(turn)
        return respond(handler_input, resumed or checkin.nothing_waiting(turn.household))


def resume_today(turn: Turn, intro: list[Line] | None = None) -> Reply | None:
    """Today's unfinished ritual, asked again where it was; an earlier day's is dropped."""
    if turn.household.progress is not None:
        turn.touch()  # resumed, or dropped
    return guided.resume_today(turn.household, turn.now, intro)


class LaunchResumeHandler(AbstractRequestHandler):
    """Opening the skill mid-ritual picks it up where the couple left it today."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input) and _has_progress(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        intro = [line("welcome.back", **people.names(turn.household))]
        resumed = resume_today(turn, intro)
        if resumed is None:
            reply, turn.expect = welcome.launch(turn.household)
            return respond(handler_input, reply)
        return respond(handler_input, resumed)


class TalkTimerHandler(AbstractRequestHandler):
    """ "Give us fifteen minutes": a timer for talking freely."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) == "TalkTimerIntent"

    def handle(self, handler_input: HandlerInput) -> Response:
        return respond(handler_input, start_timer(handler_input))


def start_timer(handler_input: HandlerInput) -> Reply:
    turn = current(handler_input)
    kept = int(turn.session.get(TIMER_MINUTES, checkin.TALK_MINUTES))
    minutes = checkin.timer_minutes(kept, slot_text(handler_input, "minutes"))
    turn.session[TIMER_MINUTES] = minutes
    from closer_together.gateways.timers import TimerGateway  # the talking timer's turns only

    timers = TimerGateway(handler_input.service_client_factory)
    return checkin.start_timer(
        timers, minutes, turn.household, turn.today, turn.voice.catalog, turn.locale
    )


class TimerPermissionHandler(AbstractRequestHandler):
    """The answer to our voice request for timer permission."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = request_of(handler_input)
        return (
            is_request_type("Connections.Response")(handler_input)
            and getattr(request, "token", None) == "timers"
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        request = request_of(handler_input)
        status = str((request.payload or {}).get("status", "NOT_ANSWERED")).upper()
        if status == "ACCEPTED":
            return respond(handler_input, start_timer(handler_input))
        minutes = int(current(handler_input).session.get(TIMER_MINUTES, checkin.TALK_MINUTES))
        return respond(handler_input, checkin.timer_refused(status, minutes))


HANDLERS: list[AbstractRequestHandler] = [
    TimerPermissionHandler(),
    WhoIsSpeakingHandler(),
    LaunchResumeHandler(),
    StartCheckInHandler(),
    TalkTimerHandler(),
    ResumeHandler(),
]
# Right after safety: an answer to today's ritual question goes to the ritual, even when
# Alexa heard it as another intent that the question accepts.
RITUAL_HANDLERS: list[AbstractRequestHandler] = [RitualTurnHandler()]

__all__ = ["HANDLERS", "begin_checkin", "resume_today", "who_is_speaking"]
