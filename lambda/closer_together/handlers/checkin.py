"""The daily check-in and whatever guided ritual is under way.

These handlers only translate: which ritual is active, what was heard, and the
reply. The conversation itself is `rituals.guided`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.utils import is_request_type

from closer_together.dialog import TEXT_INTENTS, Kind, Waiting
from closer_together.gateways.timers import TimerGateway, TimerResult
from closer_together.lazy import lazy
from closer_together.pipeline import (
    current,
    expected,
    intent_name,
    loaded,
    request_of,
    respond,
    slot_text,
)
from closer_together.pipeline import (
    heard as heard_as,
)
from closer_together.rituals import guided, welcome
from closer_together.rituals.people import who_is_speaking
from closer_together.speech import Line, Name, Reply, line, trusted
from closer_together.turn import Turn

if TYPE_CHECKING:
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_model import Response

    from closer_together import concerns
else:
    concerns = lazy("closer_together.concerns")  # the detector, loaded on need

NEXT_INTENTS = ("NextQuestionIntent", "AMAZON.NextIntent", "AMAZON.ResumeIntent", "SkipIntent")
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
TALK_MINUTES = 15


def _has_progress(handler_input: HandlerInput) -> bool:
    turn = loaded(handler_input)
    return turn is not None and bool(turn.household.progress)


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
        then = turn.expect
        turn.expect = None
        heard = slot_text(handler_input, "firstName") or turn.heard.text or ""
        household = turn.household
        intro = []
        for index, partner in enumerate(household.partners):
            if heard and partner.name.lower() in heard.lower() and turn.person_id:
                household.link_person(index, turn.person_id)
                turn.touch()
                name = welcome.partner_name(household, index, turn.person_id)
                intro = [line("who.linked", name=name)]
                break
        if then is Waiting.WHO_CHECKIN:
            return respond(handler_input, begin_checkin(turn, intro))
        reply, turn.expect = welcome.launch(household)
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
        household = turn.household
        progress = guided.active(household, turn.today)
        assert progress is not None  # the pipeline derived a ritual wait from it
        plan = guided.PLANS[progress["ritual"]]
        said = turn.heard
        intent = said.intent
        talking = turn.waiting is Waiting.RITUAL_TALK
        if intent == "AMAZON.HelpIntent":
            asked = guided.repeat_question(household, plan)
            if talking:
                asked = Reply([], [line("curiosity.reprompt")])
            return respond(
                handler_input,
                Reply(
                    [
                        line(f"{plan.ritual}.help"),
                        trusted(concerns.help_line(turn.locale)),
                        line("help.commands"),
                        *asked.speak,
                    ],
                    asked.reprompt,
                    elicit=asked.elicit,
                ),
            )
        if said.kind not in (Kind.ANSWER, Kind.MISSED) and intent in (
            "AMAZON.StopIntent",
            "AMAZON.CancelIntent",
            "AMAZON.PauseIntent",
        ):
            # The ritual stands as stored after the last answer: nothing to write.
            return respond(handler_input, guided.pause_ritual())
        turn.touch()
        if said.kind is Kind.ANSWER:
            reply = guided.answer(household, plan, turn.now, said.text or "", turn.speaker)
            return respond(handler_input, reply)
        if said.kind is Kind.MISSED:
            return respond(handler_input, guided.missed(household, plan, turn.now))
        if intent == "AMAZON.StartOverIntent":
            return respond(handler_input, guided.start_over(household, plan, turn.now))
        if talking:
            if intent in (*NEXT_INTENTS, "AMAZON.YesIntent"):
                return respond(handler_input, guided.advance(household, plan, turn.now))
            return respond(handler_input, Reply([line("ritual.give_time")], end_session=True))
        if intent == "AMAZON.ResumeIntent":
            # "Resume" to an open question asks it again; it skips nothing.
            return respond(handler_input, guided.resume(household, plan, turn.now))
        if intent in NEXT_INTENTS:
            return respond(handler_input, guided.skip(household, plan, turn.now))
        # "Yes", "no", "thanks", "okay": not an answer to an open question.
        return respond(handler_input, guided.not_an_answer(household, plan))


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
        return respond(handler_input, resumed or nothing_waiting(turn))


def resume_today(turn: Turn, intro: list[Line] | None = None) -> Reply | None:
    """Today's unfinished ritual, asked again where it was; an earlier day's is dropped."""
    household = turn.household
    progress = guided.active(household, turn.today)
    if progress is None or progress.get("ritual") not in guided.PLANS:
        if household.progress is not None:
            household.progress = None
            turn.touch()
        return None
    turn.touch()
    return guided.resume(household, guided.PLANS[progress["ritual"]], turn.now, intro)


def nothing_waiting(turn: Turn) -> Reply:
    return Reply([line("resume.none"), *welcome.menu(turn.household)], [line("menu.reprompt")])


class LaunchResumeHandler(AbstractRequestHandler):
    """Opening the skill mid-ritual picks it up where the couple left it today."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input) and _has_progress(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        intro = [line("welcome.back", **welcome.both(turn.household))]
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
    # After a permission prompt the request carries no slot: the length asked for is kept.
    minutes = int(turn.session.get("timer_minutes", TALK_MINUTES))
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
    ResumeHandler(),
]
# Right after safety: an answer to today's ritual question goes to the ritual, even when
# Alexa heard it as another intent that the question accepts.
RITUAL_HANDLERS: list[AbstractRequestHandler] = [RitualTurnHandler()]

__all__ = ["HANDLERS", "Name", "begin_checkin", "who_is_speaking"]
