"""Ritual reminders by voice: each request read into plain values for `rituals.reminders`.

The conversation (set, list, move, cancel, offer back) is `rituals.reminders`; Alexa's
side is `scheduling.ReminderKeeper`, built here once per turn. Events from Alexa (a
reminder deleted in the app, the permission turned off) arrive without a session:
`EVENT_HANDLERS` change the stored household directly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from ask_sdk_core.dispatch_components import AbstractRequestHandler, AbstractRequestInterceptor
from ask_sdk_core.utils import is_request_type

from closer_together.dialog import NO, YES, Waiting
from closer_together.gateways.settings import SettingsGateway
from closer_together.lazy import lazy
from closer_together.permissions import SCOPES
from closer_together.pipeline import change_stored, respond
from closer_together.request_util import (
    current,
    expected,
    intent_name,
    loaded,
    request_is_new_session,
    request_of,
    session_of,
    slot_id,
    slot_text,
)

if TYPE_CHECKING:
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_model import Response

    from closer_together import scheduling
    from closer_together.gateways import reminders as alexa_reminders
    from closer_together.rituals import reminders as ritual
else:
    # The reminders machinery loads on the first turn about reminders (or a household
    # that has some), never for a plain launch.
    scheduling = lazy("closer_together.scheduling")
    alexa_reminders = lazy("closer_together.gateways.reminders")
    ritual = lazy("closer_together.rituals.reminders")

log = logging.getLogger(__name__)

# Saying just "the weekly review" when asked which ritual matches that ritual's own intent
# (Alexa switches intents on a whole sample): heard as the answer while we are asking.
RITUAL_INTENTS = {
    "StartCheckInIntent": "checkin",
    "WeeklyReviewIntent": "weekly_review",
    "MonthlyCheckInIntent": "monthly_checkin",
}


def reminder_keeper(handler_input: HandlerInput) -> scheduling.ReminderKeeper:
    """The scheduling service for this turn, speaking to Alexa through the SDK's clients."""
    factory = handler_input.service_client_factory
    return scheduling.ReminderKeeper(
        current(handler_input), alexa_reminders.ReminderGateway(factory), SettingsGateway(factory)
    )


def _talk(handler_input: HandlerInput) -> ritual.Talk:
    """This request as the ritual reads it; a ritual's own intent names the ritual."""
    turn = current(handler_input)
    request = request_of(handler_input)
    intent = getattr(request, "intent", None)
    named = RITUAL_INTENTS.get(intent.name) if intent is not None else None
    answer = getattr(request, "payload", None) or {}  # the answer to a permission request
    heard = {
        "ritual": named or slot_id(handler_input, "ritual"),
        "part": slot_id(handler_input, "partOfDay"),
        "day": slot_text(handler_input, "day"),
        "week": slot_id(handler_input, "week"),
        "time": slot_text(handler_input, "time"),
        "permission": str(answer.get("status", "NOT_ANSWERED")).upper(),
    }
    return ritual.Talk(
        turn.household,
        turn.voice.catalog,
        turn.session,
        turn.today,
        intent=intent_name(handler_input),
        heard=heard,
        waiting=turn.expect,
    )


Wants = Callable[["HandlerInput"], bool]


class Answered(AbstractRequestHandler):
    """A request answered by one step of `rituals.reminders`: the turn carries it out."""

    def __init__(self, wants: Wants, step: Callable[[ritual.Talk, ritual.Keeper], ritual.Step]):
        self.wants = wants
        self.step = step

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return self.wants(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        step = self.step(_talk(handler_input), reminder_keeper(handler_input))
        turn = current(handler_input)
        turn.expect = step.waiting
        if step.changed:
            turn.touch()
        if step.consent_card:
            from ask_sdk_model.ui import AskForPermissionsConsentCard

            card = AskForPermissionsConsentCard(permissions=[SCOPES[ritual.TOKEN]])
            handler_input.response_builder.set_card(card)
        return respond(handler_input, step.reply)


def _intent(name: str) -> Wants:
    return lambda handler_input: intent_name(handler_input) == name


def _yes_or_no(question: Waiting) -> Wants:
    def wants(handler_input: HandlerInput) -> bool:
        said = intent_name(handler_input) in (YES, NO)
        return said and expected(handler_input) == question

    return wants


def _permission_answer(handler_input: HandlerInput) -> bool:
    """The answer to our voice request for the reminders permission."""
    if not is_request_type("Connections.Response")(handler_input):
        return False
    return getattr(request_of(handler_input), "token", None) == ritual.TOKEN


def _ritual_named(handler_input: HandlerInput) -> bool:
    """ "The weekly review" as the answer to "which ritual?" or "which reminder?"."""
    if intent_name(handler_input) not in RITUAL_INTENTS:
        return False
    waiting = expected(handler_input)
    if waiting == Waiting.REMINDER_SLOT:
        return ritual.asked(session_of(handler_input)) == "ritual"
    return waiting == Waiting.REMINDER_WHICH


def _gone_at_launch(handler_input: HandlerInput) -> bool:
    """A launch while reminders that went (permission revoked, completed) may be offered
    back; only the household the pipeline has already loaded is looked at."""
    if not is_request_type("LaunchRequest")(handler_input):
        return False
    turn = loaded(handler_input)
    if turn is None or not turn.household.schedule:
        return False
    return ritual.offers_back(turn.household, turn.today)


class RenewMonthlyReminders(AbstractRequestInterceptor):
    """At every session's start (a launch or a one-shot request), set the next one-off of
    a monthly ritual whose last one has passed.

    Runs after the household is loaded, whichever handler then answers; it calls Alexa
    only when a renewal is due. A renewal that fails leaves the entry due, so the next
    session tries again; one Alexa no longer holds is created anew (ReminderKeeper.save).
    """

    def process(self, handler_input: HandlerInput) -> None:
        if not request_is_new_session(handler_input):
            return
        turn = loaded(handler_input)
        if turn is None or not turn.household.schedule:
            return
        if ritual.renewal_due(turn.household, turn.now):
            reminder_keeper(handler_input).renew()


# -- events from Alexa (no session) -------------------------------------------------------------


class ReminderEventHandler(AbstractRequestHandler):
    """Reminders.ReminderDeleted / StatusChanged / Updated / Created / Started."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        kind = getattr(request_of(handler_input), "object_type", "") or ""
        return kind.startswith("Reminders.")

    def handle(self, handler_input: HandlerInput) -> Response:
        request = request_of(handler_input)
        kind = str(request.object_type).removeprefix("Reminders.")
        log.info("reminders event %s", kind)
        if kind not in ritual.CHANGING:
            return handler_input.response_builder.response
        body = getattr(request, "body", None)
        token = getattr(body, "alert_token", None)
        tokens = (*(getattr(body, "alert_tokens", None) or ()), *([token] if token else []))
        status = getattr(getattr(body, "status", None), "value", None)
        event = _read_back(handler_input, ritual.Event(kind, tokens, status))
        if event is not None:
            change_stored(handler_input, lambda household, now: ritual.seen(household, now, event))
        return handler_input.response_builder.response


def _read_back(handler_input: HandlerInput, event: ritual.Event) -> ritual.Event | None:
    """An update in the Alexa app, with what the reminder says now; None if it cannot be read."""
    if event.kind != "ReminderUpdated":
        return event
    gateway = alexa_reminders.ReminderGateway(handler_input.service_client_factory)
    found = gateway.get(event.tokens[0]) if event.tokens else None
    if found is None or not found.ok or not found.alerts:
        return None
    return event._replace(rule=found.alerts[0].rule, at=found.alerts[0].scheduled)


class PermissionEventHandler(AbstractRequestHandler):
    """AlexaSkillEvent.SkillPermissionChanged / SkillPermissionAccepted."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("AlexaSkillEvent.SkillPermissionChanged")(
            handler_input
        ) or is_request_type("AlexaSkillEvent.SkillPermissionAccepted")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        body = getattr(request_of(handler_input), "body", None)
        scopes = {p.scope for p in (getattr(body, "accepted_permissions", None) or [])}
        granted = SCOPES[ritual.TOKEN] in scopes
        change_stored(handler_input, lambda h, now: ritual.permission_changed(h, now, granted))
        return handler_input.response_builder.response


# Answers to the skill's own questions come before the requests they resemble. Each step
# is named in a lambda: the ritual module loads with the first request about reminders.
HANDLERS: list[AbstractRequestHandler] = [
    Answered(_permission_answer, lambda talk, keeper: ritual.permission_answered(talk, keeper)),
    # "I'll remind you every day at 8 PM. Shall I set it?"
    Answered(
        _yes_or_no(Waiting.REMINDER_CONFIRM), lambda talk, keeper: ritual.confirmed(talk, keeper)
    ),
    # "Your reminder was switched off. Shall I set it again?"
    Answered(
        _yes_or_no(Waiting.REMINDER_RESTORE),
        lambda talk, keeper: ritual.restore_answered(talk, keeper),
    ),
    Answered(_ritual_named, lambda talk, keeper: ritual.ritual_named(talk, keeper)),
    # "Remind us every evening at eight", and each answer while details are asked for.
    Answered(_intent("SetReminderIntent"), lambda talk, keeper: ritual.set_reminder(talk)),
    # "What reminders do we have?", "Move our daily reminder to nine", "Cancel the weekly one".
    Answered(
        _intent("ListRemindersIntent"), lambda talk, keeper: ritual.list_reminders(talk, keeper)
    ),
    Answered(_intent("MoveReminderIntent"), lambda talk, keeper: ritual.move(talk, keeper)),
    Answered(_intent("CancelReminderIntent"), lambda talk, keeper: ritual.cancel(talk, keeper)),
    Answered(_gone_at_launch, lambda talk, keeper: ritual.offer_back(talk)),
]
# Requests without a session (reminder and permission events).
EVENT_HANDLERS: list[AbstractRequestHandler] = [ReminderEventHandler(), PermissionEventHandler()]
