"""Hard moments and the couple's control of their data.

- SAFETY_HANDLERS: crisis, abuse and professional-help signals in any slot value of any
  intent (a check-in answer included) interrupt whatever is under way with the fixed,
  reviewed message of `concerns`. What was said is never stored, echoed or logged.
- HANDLERS: the three-level helper, the timeout (with a one-off reminder to come back),
  "what do you keep about us", "forget everything", stop/start saving answers.
- EVENT_HANDLERS: a disabled skill whose user data Alexa does not keep deletes the household.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.utils import is_request_type
from ask_sdk_model.ui import SimpleCard

from closer_together import dialog
from closer_together.dialog import Kind, Waiting
from closer_together.errors import StoreError
from closer_together.handlers.checkin import resume_today
from closer_together.household import INACTIVE_RETENTION, Erasure, Household
from closer_together.lazy import lazy
from closer_together.pipeline import (
    LAST,
    current,
    erase_stored,
    expected,
    intent_name,
    loaded,
    request_is_new_session,
    respond,
    slot_id,
    slot_text,
)
from closer_together.rituals import guided, welcome
from closer_together.safety import Concern, SafetyMessage
from closer_together.speech import Reply, line, trusted
from closer_together.turn import Turn

if TYPE_CHECKING:
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_model import RequestEnvelope, Response

    from closer_together import concerns
    from closer_together.gateways import reminders
    from closer_together.rituals import care
else:
    # Loaded by the turns that use them: the detector on the first words to check.
    concerns = lazy("closer_together.concerns")
    reminders = lazy("closer_together.gateways.reminders")
    care = lazy("closer_together.rituals.care")

log = logging.getLogger(__name__)


# What the session waits for (turn.expect) in these flows.
EXPECT_LEVEL = Waiting.LEVEL
EXPECT_LENGTH = Waiting.TIMEOUT_LENGTH
EXPECT_REMIND = Waiting.TIMEOUT_REMIND
EXPECT_FORGET = Waiting.FORGET
EXPECT_FORGET_ANSWERS = Waiting.FORGET_ANSWERS
YES_NO = (EXPECT_REMIND, EXPECT_FORGET, EXPECT_FORGET_ANSWERS)
TRIES = "care.tries"
# In household memory: the day a crisis or abuse message was given (nothing of what was said).
GENTLE = "gentle_next"
# The professional-help note was given in this session: it is not repeated.
PRO_NOTED = "care.pro_noted"
TIMEOUT_SECONDS = "care.timeout.seconds"
# The AskFor token of the timeout's reminder: its answer comes back here, not to the
# ritual reminders' flow (token "reminders").
REMINDER_PERMISSION = "reminders:timeout"
# Deleting the couple's Alexa reminders shares the 8-second turn with the table delete.
REMINDER_DELETE_BUDGET_SECONDS = 3.0

# Intents that are themselves the signal (their samples are the concern).
_CONCERN_INTENTS = {
    "CrisisIntent": Concern.CRISIS,
    "AbuseIntent": Concern.ABUSE,
    "ProfessionalHelpIntent": Concern.PROFESSIONAL_HELP,
}
_SEVERITY = (Concern.CRISIS, Concern.ABUSE, Concern.PROFESSIONAL_HELP)

# Slots Alexa is asked to take the next utterance as (a bare "support", "an hour").
LEVEL_SLOT = "LevelIntent.level"
LENGTH_SLOT = "TimeoutIntent.duration"


def _slot_values(handler_input: HandlerInput) -> list[str]:
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    slots = (intent.slots or {}) if intent is not None else {}
    return [s.value for s in slots.values() if s is not None and isinstance(s.value, str)]


def concern_in(handler_input: HandlerInput) -> Concern | None:
    """The most serious concern in this request: its intent, or any of its slot values."""
    if not is_request_type("IntentRequest")(handler_input):
        return None
    found = {concerns.detect(value) for value in _slot_values(handler_input)}
    found.add(_CONCERN_INTENTS.get(intent_name(handler_input) or ""))
    return next((c for c in _SEVERITY if c in found), None)


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


# --- safety ------------------------------------------------------------------------------------


class SafetyHandler(AbstractRequestHandler):
    """Crisis, abuse or a call for professional help, wherever it was said.

    Crisis and abuse end the turn with the fixed message; a ritual's progress stays for
    later, untouched. Professional help inside a ritual answer gives the note and moves
    the ritual on without keeping the answer.
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return concern_in(handler_input) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        concern = concern_in(handler_input)
        assert concern is not None
        message = concerns.safety_message(concern, turn.locale)
        turn.expect = None
        turn.session.pop(TRIES, None)
        if concern is not Concern.PROFESSIONAL_HELP:
            # The next session opens gently. Only the day is kept: never what was said.
            turn.household.memory[GENTLE] = turn.today.isoformat()
            turn.touch()
            # The Alexa app keeps cards where a partner may read them: none about abuse.
            card = concern is not Concern.ABUSE
            return respond_with_message(
                handler_input, message, Reply([], end_session=True), card=card
            )
        noted = bool(turn.session.get(PRO_NOTED))
        after = self._after_note(handler_input, noted)
        if noted:
            return respond(handler_input, after)  # once a session is enough: never a loop
        turn.session[PRO_NOTED] = True
        return respond_with_message(handler_input, message, after)

    @staticmethod
    def _after_note(handler_input: HandlerInput, noted: bool) -> Reply:
        turn = current(handler_input)
        household = turn.household
        progress = guided.active(household, turn.today)
        plan = guided.PLANS.get(str((progress or {}).get("ritual")))
        if progress is None or plan is None or progress.get("phase") == guided.TALK:
            return Reply([line("pro.close")], end_session=True)
        outright = intent_name(handler_input) in _CONCERN_INTENTS
        if outright and turn.heard.kind is not Kind.ANSWER and not noted:
            # Asked outright, not an answer here: the question is still theirs to answer.
            asked = guided.repeat_question(household, plan)
            return Reply([line("pro.back"), *asked.speak], asked.reprompt, elicit=asked.elicit)
        # An answer that was the signal (or the signal again): not kept; the ritual moves on.
        progress.pop("first_answer", None)
        progress["missed"] = 0
        turn.touch()
        return guided.advance(household, plan, turn.now, [line("pro.next")])


class GentleOpeningHandler(AbstractRequestHandler):
    """The first request of the session after a crisis or abuse message: acknowledge, say the
    resources in one sentence, and ask whether to go on, rather than carry on as if nothing
    happened."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        turn = loaded(handler_input)
        return (
            turn is not None
            and request_is_new_session(handler_input)
            and GENTLE in turn.household.memory
            and intent_name(handler_input) not in ("AMAZON.StopIntent", "AMAZON.CancelIntent")
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        turn.household.memory.pop(GENTLE, None)
        turn.touch()
        turn.expect = Waiting.GENTLE
        return respond(
            handler_input,
            Reply(
                [
                    line("gentle.open"),
                    trusted(concerns.help_line(turn.locale)),
                    line("gentle.ask"),
                ],
                [line("gentle.ask")],
            ),
        )


class GentleAnswerHandler(AbstractRequestHandler):
    """Yes or no to "carry on with something together today?"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return expected(handler_input) is Waiting.GENTLE and intent_name(handler_input) in (
            "AMAZON.YesIntent",
            "AMAZON.NoIntent",
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        turn.expect = None
        if intent_name(handler_input) == "AMAZON.NoIntent":
            return respond(handler_input, Reply([line("gentle.close")], end_session=True))
        resumed = resume_today(turn)
        if resumed is not None:
            return respond(handler_input, resumed)
        return respond(handler_input, Reply(welcome.menu(turn.household), [line("menu.reprompt")]))


# --- three levels ------------------------------------------------------------------------------


class HardDayHandler(AbstractRequestHandler):
    """ "I had a terrible day": which level is needed most right now?"""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) == "HardDayIntent"

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        turn.expect = EXPECT_LEVEL
        turn.session[TRIES] = 0
        reply = care.hard_day(turn.household, turn.speaker)
        reply.elicit = LEVEL_SLOT
        return respond(handler_input, reply)


class LevelHandler(AbstractRequestHandler):
    """The level chosen: one concrete way for the listener to respond."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if intent_name(handler_input) == "LevelIntent":
            return True
        return expected(handler_input) == EXPECT_LEVEL and intent_name(handler_input) in (
            "AMAZON.FallbackIntent",
            "AnswerIntent",
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        said = dialog.normalise(slot_text(handler_input, "level") or "")
        level = slot_id(handler_input, "level") or dialog.understanding(turn.locale).levels.get(
            said
        )
        if turn.expect != EXPECT_LEVEL and level not in care.LEVELS:
            # A stray "i need ..." outside the helper: answer as the fallback would.
            turn.expect = None
            return respond(
                handler_input,
                Reply(
                    [line("fallback.general"), *welcome.menu(turn.household)],
                    [line("menu.reprompt")],
                ),
            )
        tries = int(turn.session.get(TRIES, 0))
        reply, asking = care.level_chosen(turn.household, level, turn.speaker, tries)
        if asking:
            turn.session[TRIES] = tries + 1
            reply.elicit = LEVEL_SLOT
        else:
            turn.expect = None
            turn.session.pop(TRIES, None)
        return respond(handler_input, reply)


# --- timeout -----------------------------------------------------------------------------------


class TimeoutHandler(AbstractRequestHandler):
    """ "We need a timeout": a break of at least twenty minutes, with a return agreed."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        intent = intent_name(handler_input)
        if intent == "TimeoutIntent":
            return True
        return expected(handler_input) == EXPECT_LENGTH and intent in (
            "TalkTimerIntent",
            "AMAZON.FallbackIntent",
            "AnswerIntent",
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        heard = self._heard(handler_input)
        if turn.expect != EXPECT_LENGTH and heard is None:
            # A fresh request: the ritual under way (if any) waits, its answer not taken.
            turn.expect = EXPECT_LENGTH
            turn.session[TRIES] = 0
            reply = care.timeout_open()
            reply.elicit = LENGTH_SLOT
            return respond(handler_input, reply)
        fresh = turn.expect != EXPECT_LENGTH
        tries = 0 if fresh else int(turn.session.get(TRIES, 0))
        again, agreed = care.timeout_length(heard, tries)
        if again is not None:
            turn.expect = EXPECT_LENGTH
            turn.session[TRIES] = tries + 1
            again.elicit = LENGTH_SLOT
            if fresh:
                again.speak.insert(0, line("timeout.open"))
            return respond(handler_input, again)
        assert agreed is not None
        turn.session.pop(TRIES, None)
        turn.session[TIMEOUT_SECONDS] = int(agreed.total_seconds())
        reply, offered = care.timeout_agreed(
            turn.household,
            _length(turn, agreed),
            turn.today,
            chosen=heard is None,
            long=agreed > care.LONG_TIMEOUT,
        )
        if fresh:
            reply.speak.insert(0, line("timeout.open"))
        turn.expect = EXPECT_REMIND if offered else None
        return respond(handler_input, reply)

    @staticmethod
    def _heard(handler_input: HandlerInput) -> timedelta | None:
        if intent_name(handler_input) == "TalkTimerIntent":
            minutes = slot_text(handler_input, "minutes")
            return timedelta(minutes=int(minutes)) if minutes and minutes.isdigit() else None
        return care.parse_duration(slot_text(handler_input, "duration"))


def _phrase(turn: Turn, key: str, **values: Any) -> str:
    """A plain-text phrase from the catalogue, used as a value inside a spoken line."""
    return turn.voice.catalog.variants(key)[0].format(**values)


def _length(turn: Turn, length: timedelta) -> str:
    """A length as words ("45 minutes"), from the locale's own templates."""
    key, values = care.length_words(length)
    return _phrase(turn, key, **values)


def _clock(turn: Turn, length: timedelta) -> str | None:
    """When a break of `length` from now ends, in the couple's time zone ("8:40"); None
    when the zone is unknown (the pipeline asked Alexa for it at the session's start)."""
    at = care.come_back_at(turn.now, length, turn.household.time_zone)
    if at is None:
        return None
    half = _phrase(turn, at.half) if at.half else ""
    said = _phrase(turn, at.key, hour=at.hour, minute=f"{at.minute:02d}", half=half)
    return _phrase(turn, "timeout.clock.tomorrow", time=said) if at.tomorrow else said


def set_timeout_reminder(handler_input: HandlerInput) -> Reply:
    """The one-off reminder to come back together, or what to do without one."""
    turn = current(handler_input)
    seconds = int(turn.session.get(TIMEOUT_SECONDS, care.MIN_TIMEOUT.total_seconds()))
    length = _length(turn, timedelta(seconds=seconds))
    text = turn.voice.catalog.variants("timeout.reminder_text")[0]
    result = reminders.ReminderGateway(handler_input.service_client_factory).remind_in(
        seconds, text, turn.locale
    )
    if result.outcome is reminders.ReminderOutcome.DONE:
        # Relative reminders count from when Alexa gets them: this request, give or take.
        at = _clock(turn, timedelta(seconds=seconds))
        done = (
            line("timeout.reminder_at", time=at)
            if at
            else line("timeout.reminder_set", length=length)
        )
        # What to do meanwhile was said with the length: once is guidance, twice is a lecture.
        return Reply([done, line("timeout.goodbye")], end_session=True)
    if result.outcome is reminders.ReminderOutcome.NEEDS_PERMISSION:
        return Reply([line("timeout.permission")], ask_permission=REMINDER_PERMISSION)
    return Reply([line("timeout.reminder_failed", length=length)], end_session=True)


class TimeoutPermissionHandler(AbstractRequestHandler):
    """The answer to our voice request for reminders permission, asked for the timeout."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        return (
            is_request_type("Connections.Response")(handler_input)
            and getattr(request, "token", None) == REMINDER_PERMISSION
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        turn.expect = None
        request = handler_input.request_envelope.request
        status = str((getattr(request, "payload", None) or {}).get("status", "")).upper()
        if status == "ACCEPTED":
            return respond(handler_input, set_timeout_reminder(handler_input))
        seconds = int(turn.session.get(TIMEOUT_SECONDS, care.MIN_TIMEOUT.total_seconds()))
        length = _length(turn, timedelta(seconds=seconds))
        return respond(
            handler_input,
            Reply([line("timeout.permission_denied", length=length)], end_session=True),
        )


# --- the couple's data -------------------------------------------------------------------------


class WhatDoYouKeepHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) == "WhatDoYouKeepIntent"

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        turn.expect = None
        years = max(1, round(INACTIVE_RETENTION.days / 365))
        return respond(handler_input, care.what_we_keep(turn.household, years))


class ForgetEverythingHandler(AbstractRequestHandler):
    """ "Forget everything": nothing happens before an explicit yes."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) == "ForgetEverythingIntent"

    def handle(self, handler_input: HandlerInput) -> Response:
        current(handler_input).expect = EXPECT_FORGET
        return respond(handler_input, care.forget_confirm())


class SavingHandler(AbstractRequestHandler):
    """ "Stop saving our answers" / "start saving our answers"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) in ("StopSavingIntent", "StartSavingIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        household = turn.household
        was = household.save_answers
        if intent_name(handler_input) == "StartSavingIntent":
            turn.expect = None
            reply = care.start_saving(household)
            if household.save_answers != was:
                turn.touch()
        else:
            reply, asking = care.stop_saving(household, turn.today)
            turn.expect = EXPECT_FORGET_ANSWERS if asking else None
            if household.save_answers != was:
                # Off on every device: a session that read before this can no longer write.
                turn.erase = Erasure.SAVING_OFF
        return respond(handler_input, reply)


class CareYesNoHandler(AbstractRequestHandler):
    """Yes or no to a question asked in these flows."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return expected(handler_input) in YES_NO and intent_name(handler_input) in (
            "AMAZON.YesIntent",
            "AMAZON.NoIntent",
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        yes = intent_name(handler_input) == "AMAZON.YesIntent"
        asked, turn.expect = turn.expect, None
        if asked == EXPECT_REMIND:
            if yes:
                return respond(handler_input, set_timeout_reminder(handler_input))
            seconds = int(turn.session.get(TIMEOUT_SECONDS, care.MIN_TIMEOUT.total_seconds()))
            length = _length(turn, timedelta(seconds=seconds))
            turn.touch()
            return respond(
                handler_input, care.reminder_declined(turn.household, length, turn.today)
            )
        if asked == EXPECT_FORGET_ANSWERS:
            if yes:
                turn.erase = Erasure.ANSWERS
            return respond(handler_input, care.saved_answers_decision(turn.household, yes))
        if not yes:
            return respond(
                handler_input,
                Reply(
                    [line("forget.kept"), *welcome.menu(turn.household)], [line("menu.reprompt")]
                ),
            )
        return respond(handler_input, forget_everything(handler_input, turn))


def forget_everything(handler_input: HandlerInput, turn: Turn) -> Reply:
    """Every item of the household goes at the end of this turn (the pipeline erases it,
    and says so if it could not); the reminders go now."""
    remaining = _delete_reminders(handler_input, turn.household)
    turn.erase = Erasure.EVERYTHING
    return care.forget_done(had_reminders=remaining > 0)


def _delete_reminders(handler_input: HandlerInput, household: Household) -> int:
    """Cancel the ritual reminders the skill set; returns how many could not be."""
    tokens = [
        entry.get("alert_token")
        for entry in household.schedule.values()
        if isinstance(entry, Mapping) and entry.get("alert_token")
    ]
    if not tokens:
        return 0
    gateway = reminders.ReminderGateway(handler_input.service_client_factory)
    deadline = time.monotonic() + REMINDER_DELETE_BUDGET_SECONDS
    remaining = len(tokens)
    for token in tokens:
        if time.monotonic() > deadline:
            break
        outcome = gateway.delete(str(token)).outcome
        if outcome in (reminders.ReminderOutcome.DONE, reminders.ReminderOutcome.NOT_FOUND):
            remaining -= 1
    return remaining


# --- skill events ------------------------------------------------------------------------------

# Where `keep_persistence_status` puts SkillDisabled's status on the deserialized request.
PERSISTENCE_STATUS = "user_information_persistence_status"


def keep_persistence_status(envelope: RequestEnvelope, event: Mapping[str, Any]) -> None:
    """Put SkillDisabled's body.userInformationPersistenceStatus back on the request.

    ask-sdk-model 1.82.0 has no `body` on SkillDisabledRequest and drops it when it
    deserializes, so each front door calls this with the raw event right after.
    """
    request = envelope.request
    if getattr(request, "object_type", None) != "AlexaSkillEvent.SkillDisabled":
        return
    raw = event.get("request") if isinstance(event, Mapping) else None
    body = raw.get("body") if isinstance(raw, Mapping) else None
    status = body.get("userInformationPersistenceStatus") if isinstance(body, Mapping) else None
    setattr(request, PERSISTENCE_STATUS, status if isinstance(status, str) else None)


class SkillDisabledHandler(AbstractRequestHandler):
    """Disabled, and Alexa will not keep the user id: the household's data goes too.

    PERSISTED means the same user id comes back if the skill is enabled again, so the
    data stays. A missing status (a front door that did not keep it) deletes: the
    product promises that disabling the skill deletes the couple's data.
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("AlexaSkillEvent.SkillDisabled")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
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
    TimeoutPermissionHandler(),
    CareYesNoHandler(),
    HardDayHandler(),
    LevelHandler(),
    TimeoutHandler(),
    WhatDoYouKeepHandler(),
    ForgetEverythingHandler(),
    SavingHandler(),
]
# Run before any ritual handler: text that signals a crisis interrupts whatever is under way.
SAFETY_HANDLERS: list[AbstractRequestHandler] = [
    SafetyHandler(),
    GentleOpeningHandler(),
    GentleAnswerHandler(),
]
# Requests without a session (skill events).
EVENT_HANDLERS: list[AbstractRequestHandler] = [SkillDisabledHandler()]
