"""The couple's control of their data: handlers that only translate.

- HANDLERS: "what do you keep about us", "forget everything", stop/start saving answers,
  and the yes or no those ask for. Erasures are carried out by the pipeline at the end of
  the turn (`turn.forget`).
- EVENT_HANDLERS: a disabled skill whose user data Alexa does not keep deletes the household.

The conversations are `rituals.privacy`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.utils import is_request_type

from closer_together.dialog import Waiting
from closer_together.errors import StoreError
from closer_together.lazy import lazy
from closer_together.pipeline import erase_stored, respond
from closer_together.request_util import (
    PERSISTENCE_STATUS,
    current,
    expected,
    intent_name,
    request_of,
)
from closer_together.turn import Turn

if TYPE_CHECKING:
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_model import Response

    from closer_together.gateways import reminders
    from closer_together.rituals import privacy
else:
    # Loaded by the turns that use them.
    reminders = lazy("closer_together.gateways.reminders")
    privacy = lazy("closer_together.rituals.privacy")

log = logging.getLogger(__name__)

YES_NO = ("AMAZON.YesIntent", "AMAZON.NoIntent")


class WhatDoYouKeepHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) == "WhatDoYouKeepIntent"

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        turn.expect = None
        return respond(handler_input, privacy.what_we_keep(turn.household))


class ForgetEverythingHandler(AbstractRequestHandler):
    """ "Forget everything": nothing happens before an explicit yes."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) == "ForgetEverythingIntent"

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        reply, turn.expect = privacy.forget_confirm()
        return respond(handler_input, reply)


def _carry_out(handler_input: HandlerInput, turn: Turn, decided: privacy.Decided) -> Response:
    """What the couple decided about their data: the pipeline erases at the end of the turn."""
    turn.expect = decided.waiting
    if decided.erase is not None:
        turn.forget(decided.erase)
    if decided.changed:
        turn.touch()
    return respond(handler_input, decided.reply)


class SavingHandler(AbstractRequestHandler):
    """ "Stop saving our answers" / "start saving our answers"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) in ("StopSavingIntent", "StartSavingIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        on = intent_name(handler_input) == "StartSavingIntent"
        return _carry_out(handler_input, turn, privacy.saving(turn.household, on, turn.today))


class ConfirmHandler(AbstractRequestHandler):
    """Yes or no to "forget everything?" or to "delete what is saved?"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (
            expected(handler_input)
            in (
                Waiting.FORGET,
                Waiting.FORGET_ANSWERS,
            )
            and intent_name(handler_input) in YES_NO
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        yes = intent_name(handler_input) == "AMAZON.YesIntent"
        gateway = reminders.ReminderGateway(handler_input.service_client_factory)
        decided = privacy.confirmed(turn.expect, yes, turn.household, gateway)
        return _carry_out(handler_input, turn, decided)


# --- skill events ------------------------------------------------------------------------------


class SkillDisabledHandler(AbstractRequestHandler):
    """Disabled, and Alexa will not keep the user id: the household's data goes too.

    PERSISTED means the same user id comes back if the skill is enabled again, so the
    data stays. A missing status (a front door that did not keep it) deletes: the
    product promises that disabling the skill deletes the couple's data.
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("AlexaSkillEvent.SkillDisabled")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = request_of(handler_input)
        status = getattr(request, PERSISTENCE_STATUS, None)
        if status == "PERSISTED":
            return handler_input.response_builder.response
        if status is None:
            log.warning("skill disabled without a persistence status: deleting")
        try:
            erase_stored(handler_input)
        except StoreError as error:
            log.error("household not deleted on disable: %s", type(error).__name__)
        return handler_input.response_builder.response


HANDLERS: list[AbstractRequestHandler] = [
    ConfirmHandler(),
    WhatDoYouKeepHandler(),
    ForgetEverythingHandler(),
    SavingHandler(),
]
# Requests without a session (skill events).
EVENT_HANDLERS: list[AbstractRequestHandler] = [SkillDisabledHandler()]
