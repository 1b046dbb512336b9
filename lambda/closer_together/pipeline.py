"""Cross-cutting work of every turn: load the household once, render, save once.

A session's first request reads the household (one DynamoDB read); after that it
rides in session attributes. A turn that changed something is written once at
the end; a failed write stays pending in the session and is retried next turn, and
at the latest when the session ends. An erasure the couple asked for is carried out
instead of the write, and retried the same way.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ask_sdk_core.dispatch_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_model.intent import Intent
from ask_sdk_model.slot import Slot
from ask_sdk_model.ui import SimpleCard

from closer_together import dialog
from closer_together.dialog import Waiting
from closer_together.gateways.budget import ApiBudget, TurnApiClient
from closer_together.gateways.settings import SettingsGateway
from closer_together.household import Erasure, Household, household_id_for
from closer_together.lazy import lazy
from closer_together.request_util import (
    TURN,
    current,
    has_screen,
    in_session,
    loaded,
    locale_of,
    request_is_new_session,
    request_of,
    request_time,
    sent_intent,
    sent_slots,
    session_of,
    system_of,
    user_id_of,
)
from closer_together.rituals import guided
from closer_together.speech import (
    Line,
    Reply,
    Screen,
    Voice,
    assumed_zone,
    catalog,
    line,
    plain,
)
from closer_together.storage import HouseholdStore, StoreError
from closer_together.turn import Turn

if TYPE_CHECKING:
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_model import Response
    from ask_sdk_model import dialog as sdk_dialog
else:
    sdk_dialog = lazy("ask_sdk_model.dialog")  # for the turns that elicit a slot

log = logging.getLogger(__name__)

HOUSEHOLD = "household"
SLIM_DAYS = "slim_days"
UNSAVED = "pending"  # session: this session holds changes not yet written
PENDING_ERASE = "pending_erase"
STORE = "store"
# Alexa refuses responses over 24 KB; the household's share of session attributes.
SESSION_HOUSEHOLD_BUDGET = 12_000
LAST = "last"
ANSWER_INTENT = "AnswerIntent"


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def carry(turn: Turn) -> None:
    """Put the household in session attributes, slimmed when it is large."""
    data = turn.household.to_dict()
    dropped = list(turn.slim_days)
    if len(json.dumps(data, ensure_ascii=False).encode("utf-8")) > SESSION_HOUSEHOLD_BUDGET:
        data, slimmed = turn.household.slimmed(turn.today)
        dropped = sorted(set(dropped) | set(slimmed))
    turn.session[HOUSEHOLD] = data
    if dropped:
        turn.session[SLIM_DAYS] = dropped
    else:
        turn.session.pop(SLIM_DAYS, None)


API_BUDGET = "api_budget"


def keep_to_budget(handler_input: HandlerInput, budget: ApiBudget) -> None:
    """Every Alexa API call of this request goes through `budget` (its own timeouts, and
    none once the turn's time for them is up). The SDK builds the factory per request."""
    handler_input.attributes_manager.request_attributes[API_BUDGET] = budget
    config = getattr(handler_input.service_client_factory, "api_configuration", None)
    if config is not None and config.api_client is not None:
        config.api_client = TurnApiClient(config.api_client, budget)


class LoadTurn(AbstractRequestInterceptor):
    def __init__(
        self, store: HouseholdStore, api_budget: Callable[[], ApiBudget] = ApiBudget
    ) -> None:
        self.store = store
        self.api_budget = api_budget

    def process(self, handler_input: HandlerInput) -> None:
        handler_input.attributes_manager.request_attributes[STORE] = self.store
        keep_to_budget(handler_input, self.api_budget())
        if not in_session(handler_input):
            return  # skill events carry no session: see erase_stored and change_stored
        session = session_of(handler_input)
        system = system_of(handler_input)
        changed = False
        deadline = self.store.deadline()
        arrived = request_time(handler_input).date()
        # Already in the session, exactly as carried at the end of the last turn.
        carried = HOUSEHOLD in session
        if carried:
            household = Household.from_dict(session[HOUSEHOLD])
        else:
            household = self.store.load(household_id_for(user_id_of(handler_input)), arrived)
        device_id = system.device.device_id if system.device else None
        if (
            household.time_zone is None
            and system.api_access_token
            and not session.get("zone_asked")
        ):
            # Ask Alexa once per session; a failure leaves the day in UTC until next time.
            session["zone_asked"] = True
            zone = SettingsGateway(handler_input.service_client_factory).time_zone(device_id)
            if zone:
                household.time_zone = zone
                # Only a household with something in it is worth a write (not a marker).
                changed = household.version is not None and not household.erased
        locale = locale_of(handler_input)
        # Unknown (the console's simulator never serves it): the locale's usual zone, not
        # UTC, so "today" is the couple's day. Never stored: a later session asks again.
        zone = household.time_zone or assumed_zone(locale).zone
        now = request_time(handler_input).astimezone(_zone(zone))
        person = getattr(system, "person", None)
        turn = Turn(
            household=household,
            voice=Voice(catalog(locale), session.setdefault("voice", {}), now.date().toordinal()),
            now=now,
            locale=locale,
            session=session,
            person_id=person.person_id if person else None,
            device_id=device_id,
            changed=changed,
            slim_days=list(session.get(SLIM_DAYS, [])),
            reload=lambda: self.store.load(household.household_id, arrived),
            deadline=deadline,
            zone=zone,
            zone_assumed=household.time_zone is None,
        )
        new = request_is_new_session(handler_input)
        turn.waiting = waiting_in(session, household, now, new)
        accepts = guided.accepted(household) if turn.waiting is Waiting.RITUAL_ANSWER else None
        turn.heard = dialog.hear(
            turn.waiting,
            sent_intent(handler_input),
            sent_slots(handler_input),
            locale,
            accepts or frozenset(),
        )
        if turn.heard.kind is dialog.Kind.COMMAND and turn.heard.intent not in dialog.KEEP_WAITING:
            session.pop("expect", None)  # a command is done as itself: the question is over
        handler_input.attributes_manager.request_attributes[TURN] = turn
        if not carried or changed:
            # In the session from the start: a turn that fails still leaves the household there.
            carry(turn)


def waiting_in(
    session: dict[str, Any], household: Household, now: datetime, new: bool
) -> Waiting | None:
    """What the session waits for: the question it asked, or today's ritual's next step.

    A new session's first words are a request of their own ("Alexa, tell Closer Together
    ..."), never the answer to a question asked in an earlier session.
    """
    asked = dialog.waiting_from(session.get("expect"))
    if asked is not None or new:
        return asked
    progress = guided.active(household, now.date())
    if progress is None or progress.get("ritual") not in guided.PLANS:
        return None
    return Waiting.RITUAL_TALK if progress.get("phase") == guided.TALK else Waiting.RITUAL_ANSWER


class SaveTurn(AbstractResponseInterceptor):
    def __init__(self, store: HouseholdStore) -> None:
        self.store = store

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        turn = loaded(handler_input)
        if turn is None:
            return
        session = turn.session
        erasure = turn.erase or _pending_erasure(session)
        if erasure is not None:
            if not self._erase(turn, erasure, response):
                return
        elif turn.changed or session.get(UNSAVED):
            if self._save(turn):
                session.pop(UNSAVED, None)
            else:
                session[UNSAVED] = True
                if response is not None and response.should_end_session:
                    self._stay_open(turn, response)
        carry(turn)
        turn.voice.finish_turn()

    def _erase(self, turn: Turn, erasure: Erasure, response: Response) -> bool:
        """Carry out an erasure; False when the session is over (everything was forgotten)."""
        session = turn.session
        try:
            turn.household = self.store.erase(turn.household, erasure, turn.now, turn.deadline)
        except StoreError as error:
            log.warning("erasure not done: %s", type(error).__name__)
            if erasure is Erasure.EVERYTHING:
                _replace_speech(response, turn.voice.speak([line("forget.failed")]))
                response.should_end_session = True
                return True
            session[PENDING_ERASE] = erasure.value
            if response is not None and response.should_end_session:
                self._stay_open(turn, response)
            return True
        # Whatever this session had not written yet is overruled by the erasure.
        session.pop(UNSAVED, None)
        session.pop(PENDING_ERASE, None)
        if erasure is Erasure.EVERYTHING:
            # Names and earlier sentences ride in the session too: nothing of them stays.
            session.clear()
            return False
        return True

    def _save(self, turn: Turn) -> bool:
        try:
            # A slimmed session must not overwrite the moments it left in the table.
            turn.ensure_full()
            turn.household.prune(turn.today)
            turn.household, overruled = self.store.save(
                turn.household, turn.now, turn.today, turn.deadline
            )
        except StoreError as error:
            log.warning("household not saved, kept pending: %s", type(error).__name__)
            return False
        if overruled:
            # Erased on another device since this session read it: its copy goes too.
            turn.session.pop(SLIM_DAYS, None)
            turn.slim_days = []
        return True

    @staticmethod
    def _stay_open(turn: Turn, response: Response) -> None:
        """The couple's words are only in this session now: keep it open to retry."""
        note = turn.voice.speak([line("save.failed")])
        if response.output_speech is not None and hasattr(response.output_speech, "ssml"):
            ssml = response.output_speech.ssml
            response.output_speech.ssml = ssml.replace("</speak>", f" {note}</speak>")
        from ask_sdk_model.ui import Reprompt, SsmlOutputSpeech

        reprompt = turn.voice.render([line("save.failed.reprompt")])
        response.reprompt = Reprompt(
            output_speech=SsmlOutputSpeech(ssml=f"<speak>{reprompt}</speak>")
        )
        response.should_end_session = False


# -- events without a session (skill disabled, reminders changed in the Alexa app) -----------


def erase_stored(handler_input: HandlerInput) -> None:
    """Erase everything stored for the household (raises StoreError)."""
    store = cast(HouseholdStore, handler_input.attributes_manager.request_attributes[STORE])
    household = Household(household_id=household_id_for(user_id_of(handler_input)))
    store.erase(household, Erasure.EVERYTHING, request_time(handler_input), store.deadline())


def change_stored(
    handler_input: HandlerInput, change: Callable[[Household, datetime], bool]
) -> None:
    """Apply `change` to the stored household and write it if it says it changed anything;
    on a conflict, again to what is stored then. A failure is logged: Alexa expects no answer."""
    store = cast(HouseholdStore, handler_input.attributes_manager.request_attributes[STORE])
    now = request_time(handler_input)
    try:
        household_id = household_id_for(user_id_of(handler_input))
        store.apply(household_id, lambda household: change(household, now), now, store.deadline())
    except ValueError:
        log.warning("event without a user id: nothing changed")
    except StoreError as error:
        log.warning("event not applied: %s", type(error).__name__)


def _pending_erasure(session: dict[str, Any]) -> Erasure | None:
    try:
        return Erasure(session[PENDING_ERASE]) if PENDING_ERASE in session else None
    except ValueError:
        return None


def _replace_speech(response: Response, speech: str) -> None:
    from ask_sdk_model.ui import SsmlOutputSpeech

    response.output_speech = SsmlOutputSpeech(ssml=f"<speak>{speech}</speak>")
    response.reprompt = None


class LogRequest(AbstractRequestInterceptor):
    """Log what kind of request came in, never what anyone said."""

    def process(self, handler_input: HandlerInput) -> None:
        request = request_of(handler_input)
        intent = getattr(request, "intent", None)
        log.info(
            "request %s%s",
            request.object_type,
            f" {intent.name}" if intent is not None else "",
        )


def respond(handler_input: HandlerInput, reply: Reply) -> Response:
    """Turn a ritual's reply into the Alexa response, remembering it for 'repeat'."""
    turn = current(handler_input)
    builder = handler_input.response_builder
    speech = turn.voice.speak(_with_zone_notice(turn, reply))
    reprompt = turn.voice.render(reply.reprompt) if reply.reprompt else None
    builder.speak(speech)
    if reprompt:
        builder.ask(reprompt)
    if reply.card:
        title, body = reply.card
        builder.set_card(
            SimpleCard(
                title=plain(turn.voice.render([title])), content=plain(turn.voice.render([body]))
            )
        )
    if reply.screen is not None and has_screen(handler_input):
        builder.add_directive(render_directive(turn, reply.screen))
    if reply.elicit and reprompt and answers_intent(handler_input):
        builder.add_directive(elicit_directive(reply.elicit))
    if reply.ask_permission:
        from closer_together.permissions import ask_for

        builder.add_directive(ask_for(reply.ask_permission))
        builder.set_should_end_session(True)
    else:
        builder.set_should_end_session(reply.end_session or reprompt is None)
    turn.session[LAST] = {"speech": speech, "reprompt": reprompt, "elicit": reply.elicit}
    return builder.response


ZONE_NOTICE = "zone_notice"  # household memory: the couple was told the zone was assumed


def _with_zone_notice(turn: Turn, reply: Reply) -> list[Line]:
    """The reply's lines, and once per household the notice that the time zone is assumed.

    Said only in a turn that is written anyway (the flag rides in that write: no write of
    its own) and not in the middle of a question that waits for a slot.
    """
    memory = turn.household.memory
    if not turn.zone_assumed or not turn.changed or turn.erase or reply.elicit:
        return reply.speak
    if memory.get(ZONE_NOTICE):
        return reply.speak
    memory[ZONE_NOTICE] = True
    notice = line("zone.assumed", zone=assumed_zone(turn.locale).said)
    if reply.reprompt:  # a question goes last
        return [notice, *reply.speak]
    return [*reply.speak, notice]


def render_directive(turn: Turn, screen: Screen) -> Any:
    """An Alexa.Presentation.APL.RenderDocument of the screen's document and datasource.
    Loaded only for a device with a screen: a speaker never pays for APL's classes."""
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

    from closer_together import screens

    return RenderDocumentDirective(
        token=f"closer-together.{screen.document}",
        document=screens.document(screen.document),
        datasources=screens.datasources(screen, turn.voice.shown),
    )


def answers_intent(handler_input: HandlerInput) -> bool:
    """Whether a Dialog directive may go with this response.

    Alexa documents dialog directives (ElicitSlot here) as the answer to an IntentRequest in
    a dialog (developer.amazon.com/en-US/docs/alexa/custom-skills/dialog-interface-reference.html);
    a LaunchRequest or a Connections.Response gets a plain question and reprompt instead, and
    the answer still arrives as AnswerIntent through its carrier phrases.
    """
    return bool(getattr(request_of(handler_input), "object_type", None) == "IntentRequest")


def elicit_directive(target: str) -> sdk_dialog.ElicitSlotDirective:
    """Ask Alexa to take the next utterance as a slot: "Intent.slot", or a slot of AnswerIntent."""
    intent, _, slot = target.rpartition(".")
    return sdk_dialog.ElicitSlotDirective(
        updated_intent=Intent(name=intent or ANSWER_INTENT, slots={slot: Slot(name=slot)}),
        slot_to_elicit=slot,
    )
