"""Hard moments: handlers that only translate.

- SAFETY_HANDLERS: crisis, abuse and professional-help signals in any slot value of any
  intent (a check-in answer included) interrupt whatever is under way with the fixed,
  reviewed message of `concerns`. What was said is never stored, echoed or logged.
- HANDLERS: the three-level helper, and the timeout (with a one-off reminder to come back).

The conversations are `rituals.care` and `rituals.timeout`; the couple's control of their
data is `handlers.privacy`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.utils import is_request_type
from ask_sdk_model.ui import SimpleCard

from closer_together.dialog import Waiting
from closer_together.lazy import lazy
from closer_together.pipeline import LAST, respond
from closer_together.request_util import (
    current,
    expected,
    intent_name,
    loaded,
    locale_of,
    request_is_new_session,
    request_of,
    sent_slots,
    slot_id,
    slot_text,
)
from closer_together.rituals import care
from closer_together.safety import Concern, SafetyMessage
from closer_together.speech import Reply
from closer_together.turn import Turn

if TYPE_CHECKING:
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_model import Response

    from closer_together.gateways import reminders
    from closer_together.rituals import timeout
else:
    # Loaded by the turns that use them.
    reminders = lazy("closer_together.gateways.reminders")
    timeout = lazy("closer_together.rituals.timeout")

YES_NO = ("AMAZON.YesIntent", "AMAZON.NoIntent")
# What Alexa may hear as an answer to "which level?" or "how long?".
ANSWERING = ("AMAZON.FallbackIntent", "AnswerIntent")
TRIES = "care.tries"
# The professional-help note was given in this session: it is not repeated.
PRO_NOTED = "care.pro_noted"
TIMEOUT_SECONDS = "care.timeout.seconds"


def concern_in(handler_input: HandlerInput) -> Concern | None:
    """The most serious concern in this request: its intent, or any of its slot values."""
    if not is_request_type("IntentRequest")(handler_input):
        return None
    said = sent_slots(handler_input).values()
    return care.concern_in(intent_name(handler_input), said, locale_of(handler_input))


def respond_with_message(
    handler_input: HandlerInput, message: SafetyMessage, reply: Reply, card: bool = True
) -> Response:
    """The fixed, reviewed message first (spoken as written), then the reply; a card too."""
    turn = current(handler_input)
    response = respond(handler_input, reply)
    speech = response.output_speech
    speech.ssml = speech.ssml.replace("<speak>", f"<speak>{message.ssml} ", 1)  # type: ignore[union-attr]
    last = turn.session.get(LAST) or {}
    last["speech"] = f"{message.ssml} {last.get('speech') or ''}".strip()
    turn.session[LAST] = last
    if card:
        response.card = SimpleCard(title=message.card_title, content=message.card_text)
    return response


def _tried(turn: Turn, tries: int) -> None:
    """Count one more time a question was asked again, or forget the count once answered."""
    if turn.expect in (Waiting.LEVEL, Waiting.TIMEOUT_LENGTH):
        turn.session[TRIES] = tries
    else:
        turn.session.pop(TRIES, None)


def _agreed_seconds(turn: Turn) -> int:
    return int(turn.session.get(TIMEOUT_SECONDS, timeout.MIN_TIMEOUT.total_seconds()))


# --- safety ------------------------------------------------------------------------------------


class SafetyHandler(AbstractRequestHandler):
    """Crisis, abuse or a call for professional help, wherever it was said."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return concern_in(handler_input) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        concern = concern_in(handler_input)
        assert concern is not None
        noted = bool(turn.session.get(PRO_NOTED))
        said = care.safety(turn.household, concern, turn.heard, turn.now, turn.locale, noted)
        turn.expect = None
        turn.session.pop(TRIES, None)
        if said.changed:
            turn.touch()
        if said.message is None:
            return respond(handler_input, said.reply)  # once a session is enough: never a loop
        if concern is Concern.PROFESSIONAL_HELP:
            turn.session[PRO_NOTED] = True
        return respond_with_message(handler_input, said.message, said.reply, card=said.card)


class GentleOpeningHandler(AbstractRequestHandler):
    """The first request of the session after a crisis or abuse message."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        turn = loaded(handler_input)
        return (
            turn is not None
            and request_is_new_session(handler_input)
            and care.gentle_due(turn.household)
            and intent_name(handler_input) not in ("AMAZON.StopIntent", "AMAZON.CancelIntent")
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        reply, turn.expect = care.gentle_opening(turn.household, turn.locale)
        turn.touch()
        return respond(handler_input, reply)


class GentleAnswerHandler(AbstractRequestHandler):
    """Yes or no to "carry on with something together today?"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return expected(handler_input) is Waiting.GENTLE and intent_name(handler_input) in YES_NO

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        turn.expect = None
        yes = intent_name(handler_input) == "AMAZON.YesIntent"
        reply, changed = care.gentle_answer(turn.household, turn.now, yes)
        if changed:
            turn.touch()
        return respond(handler_input, reply)


# --- three levels ------------------------------------------------------------------------------


class HardDayHandler(AbstractRequestHandler):
    """ "I had a terrible day": which level is needed most right now?"""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) == "HardDayIntent"

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        reply, turn.expect = care.hard_day(turn.household, turn.speaker)
        turn.session[TRIES] = 0
        return respond(handler_input, reply)


class LevelHandler(AbstractRequestHandler):
    """The level chosen: one concrete way for the listener to respond."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        intent = intent_name(handler_input)
        return intent == "LevelIntent" or (
            expected(handler_input) is Waiting.LEVEL and intent in ANSWERING
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        tries = int(turn.session.get(TRIES, 0))
        reply, turn.expect = care.level_heard(
            turn.household,
            slot_id(handler_input, "level"),
            slot_text(handler_input, "level"),
            asked=turn.expect is Waiting.LEVEL,
            tries=tries,
            speaker=turn.speaker,
            locale=turn.locale,
        )
        _tried(turn, tries + 1)
        return respond(handler_input, reply)


# --- timeout -----------------------------------------------------------------------------------


class TimeoutHandler(AbstractRequestHandler):
    """ "We need a timeout": a break of at least twenty minutes, with a return agreed."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        intent = intent_name(handler_input)
        return intent == "TimeoutIntent" or (
            expected(handler_input) is Waiting.TIMEOUT_LENGTH
            and intent in ("TalkTimerIntent", *ANSWERING)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        talk = intent_name(handler_input) == "TalkTimerIntent"
        heard = timeout.heard_length(
            slot_text(handler_input, "minutes") or "" if talk else None,
            slot_text(handler_input, "duration"),
        )
        asked = timeout.asked_for(
            turn.household,
            heard,
            asked=turn.expect is Waiting.TIMEOUT_LENGTH,
            tries=int(turn.session.get(TRIES, 0)),
            today=turn.today,
            prompts=turn.voice.catalog,
        )
        turn.expect = asked.waiting
        _tried(turn, asked.tries or 0)
        if asked.seconds is not None:
            turn.session[TIMEOUT_SECONDS] = asked.seconds
        return respond(handler_input, asked.reply)


def set_timeout_reminder(handler_input: HandlerInput) -> Reply:
    """The one-off reminder to come back together, or what to do without one."""
    turn = current(handler_input)
    gateway = reminders.ReminderGateway(handler_input.service_client_factory)
    return timeout.set_reminder(
        gateway, _agreed_seconds(turn), turn.household, turn.now, turn.voice.catalog, turn.locale
    )


class ReminderAnswerHandler(AbstractRequestHandler):
    """Yes or no to "shall I remind you when it's time to come back together?"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (
            expected(handler_input) is Waiting.TIMEOUT_REMIND
            and intent_name(handler_input) in YES_NO
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        turn.expect = None
        if intent_name(handler_input) == "AMAZON.YesIntent":
            return respond(handler_input, set_timeout_reminder(handler_input))
        turn.touch()
        declined = timeout.reminder_declined(
            turn.household, _agreed_seconds(turn), turn.today, turn.voice.catalog
        )
        return respond(handler_input, declined)


class TimeoutPermissionHandler(AbstractRequestHandler):
    """The answer to our voice request for reminders permission, asked for the timeout."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (
            is_request_type("Connections.Response")(handler_input)
            and getattr(request_of(handler_input), "token", None) == timeout.REMINDER_PERMISSION
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        turn.expect = None
        payload = getattr(request_of(handler_input), "payload", None) or {}
        if str(payload.get("status", "")).upper() == "ACCEPTED":
            return respond(handler_input, set_timeout_reminder(handler_input))
        refused = timeout.permission_refused(_agreed_seconds(turn), turn.voice.catalog)
        return respond(handler_input, refused)


HANDLERS: list[AbstractRequestHandler] = [
    TimeoutPermissionHandler(),
    ReminderAnswerHandler(),
    HardDayHandler(),
    LevelHandler(),
    TimeoutHandler(),
]
# Run before any ritual handler: text that signals a crisis interrupts whatever is under way.
SAFETY_HANDLERS: list[AbstractRequestHandler] = [
    SafetyHandler(),
    GentleOpeningHandler(),
    GentleAnswerHandler(),
]
