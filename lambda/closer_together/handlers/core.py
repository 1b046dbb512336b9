"""Launch, names, and the commands that work everywhere."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.utils import is_request_type

from closer_together.dialog import Kind, Waiting
from closer_together.errors import StoreError
from closer_together.handlers.checkin import resume_today, who_is_speaking
from closer_together.lazy import lazy
from closer_together.pipeline import LAST, elicit_directive, respond
from closer_together.request_util import (
    current,
    expected,
    heard,
    in_session,
    intent_name,
    request_is_new_session,
    request_of,
    slot_text,
)
from closer_together.rituals import due, people, welcome
from closer_together.speech import Line, Reply, line, trusted
from closer_together.turn import Turn

if TYPE_CHECKING:
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_model import Response

    from closer_together import concerns
else:
    concerns = lazy("closer_together.concerns")  # the detector, loaded on need

log = logging.getLogger(__name__)


class LaunchHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        ask = who_is_speaking(turn)
        if ask is not None:
            turn.expect = Waiting.WHO_LAUNCH
            return respond(handler_input, ask)
        reply, turn.expect = welcome.launch(turn.household, due.suggest(turn.household, turn.today))
        return respond(handler_input, reply)


class NamesHandler(AbstractRequestHandler):
    """The partners' first names, at first launch or whenever we are waiting for them."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        waiting = expected(handler_input)
        if intent_name(handler_input) == "NamesIntent":
            turn = current(handler_input)
            return waiting in (Waiting.NAMES, Waiting.NAMES_CONFIRM) or not turn.household.named
        # Words that are no name, while names are asked for: ask again.
        return waiting is Waiting.NAMES and heard(handler_input).kind in (
            Kind.MISSED,
            Kind.NOT_ANSWER,
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        reply, turn.expect = welcome.names_heard(
            turn.household,
            slot_text(handler_input, "firstName"),
            slot_text(handler_input, "secondName"),
            turn.today,
            turn.locale,
        )
        turn.touch()
        return respond(handler_input, reply)


class NamesConfirmHandler(AbstractRequestHandler):
    """Yes or no to "did I get your names right?"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return expected(handler_input) is Waiting.NAMES_CONFIRM and intent_name(handler_input) in (
            "AMAZON.YesIntent",
            "AMAZON.NoIntent",
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        yes = intent_name(handler_input) == "AMAZON.YesIntent"
        reply, turn.expect = welcome.names_confirmed(turn.household, yes)
        if not yes:
            turn.touch()
            return respond(handler_input, reply)
        return respond(handler_input, resume_today(turn, reply.speak[:1]) or reply)


class ChangeNamesHandler(AbstractRequestHandler):
    """ "Change our names", "my name is Jordan, not Alex"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) == "ChangeNamesIntent"

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        reply, turn.expect = welcome.rename(
            turn.household,
            slot_text(handler_input, "newName"),
            slot_text(handler_input, "oldName"),
            turn.speaker,
            turn.locale,
        )
        if turn.expect is None:
            turn.touch()
            # Renamed mid-ritual: the ritual goes on, not the menu.
            return respond(handler_input, resume_today(turn, reply.speak[:1]) or reply)
        return respond(handler_input, reply)


class HelpHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) == "AMAZON.HelpIntent"

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        if not turn.household.named:
            reply, turn.expect = welcome.ask_names([*help_about(turn), line("names.ask")])
            return respond(handler_input, reply)
        turn.expect = None
        return respond(
            handler_input,
            Reply(
                [*help_about(turn), line("help.commands"), *welcome.menu(turn.household)],
                [line("menu.reprompt")],
            ),
        )


def help_about(turn: Turn) -> list[Line]:
    """What the skill is, and one calm sentence with the locale's crisis line."""
    return [line("help.general"), trusted(concerns.help_line(turn.locale))]


class StopHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) in (
            "AMAZON.StopIntent",
            "AMAZON.CancelIntent",
            "AMAZON.NavigateHomeIntent",
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        current(handler_input).expect = None
        return respond(handler_input, Reply([line("goodbye")], end_session=True))


class RepeatHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) == "AMAZON.RepeatIntent"

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        last = turn.session.get(LAST)
        if not last:
            reply, turn.expect = welcome.launch(turn.household)
            return respond(handler_input, reply.then())
        builder = handler_input.response_builder.speak(last["speech"])
        if last.get("reprompt"):
            builder.ask(last["reprompt"])
            if last.get("elicit"):
                builder.add_directive(elicit_directive(last["elicit"]))
        builder.set_should_end_session(not last.get("reprompt"))
        # Repeating on purpose is not a repetition to avoid next turn.
        turn.voice.memory["last"] = []
        return builder.response


class SessionEndedHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = request_of(handler_input)
        error = getattr(request, "error", None)
        if error is not None:
            log.warning("session ended with error %s", getattr(error, "object_type", error))
        return handler_input.response_builder.response


class FallbackHandler(AbstractRequestHandler):
    """Last in line: anything no ritual claimed."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return in_session(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        if not turn.household.named:
            reply, turn.expect = welcome.ask_names(
                [line("fallback.general"), line("names.reprompt")]
            )
            return respond(handler_input, reply)
        turn.expect = None
        if request_is_new_session(handler_input):
            # Words we could not place, in a new session: today's ritual, where it was.
            intro = [line("welcome.back", **people.names(turn.household))]
            resumed = resume_today(turn, intro)
            if resumed is not None:
                return respond(handler_input, resumed)
        return respond(
            handler_input,
            Reply(
                [line("fallback.general"), *welcome.menu(turn.household)], [line("menu.reprompt")]
            ),
        )


class QuietEventHandler(AbstractRequestHandler):
    """Any other event without a session (e.g. SkillEnabled): nothing to do, nothing said."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return not in_session(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        log.info("event acknowledged: %s", request_of(handler_input).object_type)
        return handler_input.response_builder.response


class ErrorHandler(AbstractExceptionHandler):
    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        # The exception type only: messages could quote what someone said.
        log.error(
            "unhandled %s", type(exception).__name__, exc_info=log.isEnabledFor(logging.DEBUG)
        )
        key = "error.storage" if isinstance(exception, StoreError) else "error.general"
        from closer_together.speech import catalog

        # catalog() takes the request's locale as it came: it falls back to the default.
        prompts = catalog(getattr(request_of(handler_input), "locale", None))
        speech = prompts.variants(key)[0]
        builder = handler_input.response_builder.speak(speech)
        if in_session(handler_input) and key == "error.general":
            builder.ask(prompts.variants("error.reprompt")[0])
        else:
            builder.set_should_end_session(True)
        return builder.response


HANDLERS: list[AbstractRequestHandler] = [
    LaunchHandler(),
    NamesHandler(),
    NamesConfirmHandler(),
    ChangeNamesHandler(),
    HelpHandler(),
    StopHandler(),
    RepeatHandler(),
    SessionEndedHandler(),
]
LAST_HANDLERS: list[AbstractRequestHandler] = [FallbackHandler(), QuietEventHandler()]
