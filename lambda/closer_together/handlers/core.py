"""Launch, names, and the commands that work everywhere."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.utils import is_intent_name, is_request_type

from closer_together.pipeline import (
    LAST,
    current,
    elicit_directive,
    in_session,
    request_of,
    respond,
    session_of,
    slot_text,
)
from closer_together.rituals import due, welcome
from closer_together.rituals.people import who_is_speaking
from closer_together.speech import Reply, line
from closer_together.storage import StoreError

if TYPE_CHECKING:
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_model import Response

log = logging.getLogger(__name__)


class LaunchHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        ask = who_is_speaking(turn)
        if ask is not None:
            turn.expect = "who:launch"
            return respond(handler_input, ask)
        reply, turn.expect = welcome.launch(turn.household, due.suggest(turn.household, turn.today))
        return respond(handler_input, reply)


class NamesHandler(AbstractRequestHandler):
    """The partners' first names, at first launch or whenever we are waiting for them."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if not is_intent_name("NamesIntent")(handler_input):
            return False
        session = session_of(handler_input)
        household = session.get("household") or {}
        return session.get("expect") == "names" or len(household.get("partners", [])) < 2

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        reply, expect = welcome.names_heard(
            turn.household,
            slot_text(handler_input, "firstName"),
            slot_text(handler_input, "secondName"),
            turn.today,
        )
        turn.expect = expect
        turn.touch()
        return respond(handler_input, reply)


class HelpHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        if not turn.household.named:
            return respond(
                handler_input,
                Reply([line("help.general"), line("names.ask")], [line("names.reprompt")]),
            )
        turn.expect = None
        return respond(
            handler_input,
            Reply(
                [line("help.general"), line("help.commands"), *welcome.menu(turn.household)],
                [line("menu.reprompt")],
            ),
        )


class StopHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(
            is_intent_name(name)(handler_input)
            for name in ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent")
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        current(handler_input).expect = None
        return respond(handler_input, Reply([line("goodbye")], end_session=True))


class RepeatHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.RepeatIntent")(handler_input)

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
        request = handler_input.request_envelope.request
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
            turn.expect = "names"
            return respond(
                handler_input,
                Reply([line("fallback.general"), line("names.reprompt")], [line("names.reprompt")]),
            )
        turn.expect = None
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
        from closer_together.speech import DEFAULT_LOCALE, catalog

        locale = getattr(handler_input.request_envelope.request, "locale", None) or DEFAULT_LOCALE
        prompts = catalog(locale)
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
    HelpHandler(),
    StopHandler(),
    RepeatHandler(),
    SessionEndedHandler(),
]
LAST_HANDLERS: list[AbstractRequestHandler] = [FallbackHandler(), QuietEventHandler()]
