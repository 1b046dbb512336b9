"""Reading a request, in one place: what Alexa sent, and what this turn made of it.

Handlers and interceptors read requests only through these functions (as ask-sdk's
`utils/request_util.py` does), so every field is read and checked the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from closer_together import dialog
from closer_together.dialog import Waiting
from closer_together.turn import Turn

if TYPE_CHECKING:
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_model import RequestEnvelope
    from ask_sdk_model.interfaces.system import SystemState

TURN = "turn"  # request attributes: this request's Turn, made by the pipeline


def current(handler_input: HandlerInput) -> Turn:
    return cast(Turn, handler_input.attributes_manager.request_attributes[TURN])


def loaded(handler_input: HandlerInput) -> Turn | None:
    """This request's turn, if the pipeline made one (requests in a session)."""
    return cast("Turn | None", handler_input.attributes_manager.request_attributes.get(TURN))


def request_of(handler_input: HandlerInput) -> Any:
    """The request, loosely typed: its fields (payload, token, intent) depend on its type."""
    return handler_input.request_envelope.request


def system_of(handler_input: HandlerInput) -> SystemState:
    """context.System: both front doors refuse an envelope without it."""
    context = handler_input.request_envelope.context
    return cast("SystemState", context.system if context is not None else None)


def has_screen(handler_input: HandlerInput) -> bool:
    """Whether the device shows APL: context.System.device.supportedInterfaces names
    Alexa.Presentation.APL (a speaker, or an event from the cloud, does not)."""
    device = getattr(system_of(handler_input), "device", None)
    interfaces = getattr(device, "supported_interfaces", None)
    return getattr(interfaces, "alexa_presentation_apl", None) is not None


def user_id_of(handler_input: HandlerInput) -> str:
    """The Alexa user id that keys the household; never guessed when it is missing."""
    user = system_of(handler_input).user
    if user is None or not user.user_id:
        raise ValueError("request without a user id")
    return str(user.user_id)


def locale_of(handler_input: HandlerInput) -> str:
    """The request's locale if the skill speaks it, else the default (never a path part)."""
    from closer_together.speech import supported_locale

    return supported_locale(getattr(request_of(handler_input), "locale", None))


def in_session(handler_input: HandlerInput) -> bool:
    return handler_input.request_envelope.session is not None


def request_is_new_session(handler_input: HandlerInput) -> bool:
    session = handler_input.request_envelope.session
    return bool(session is not None and session.new)


def request_time(handler_input: HandlerInput) -> datetime:
    stamp = getattr(handler_input.request_envelope.request, "timestamp", None)
    if not isinstance(stamp, datetime):
        return datetime.now(UTC)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def sent_intent(handler_input: HandlerInput) -> str | None:
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    return str(intent.name) if intent is not None and intent.name else None


def sent_slots(handler_input: HandlerInput) -> dict[str, str]:
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    slots = (intent.slots or {}) if intent is not None else {}
    return {
        name: slot.value.strip()
        for name, slot in slots.items()
        if slot is not None and isinstance(slot.value, str) and slot.value.strip()
    }


def intent_name(handler_input: HandlerInput) -> str | None:
    """The intent this request means (see `dialog.hear`), as the pipeline read it."""
    turn = loaded(handler_input)
    if turn is not None:
        return turn.heard.intent
    return sent_intent(handler_input)


def heard(handler_input: HandlerInput) -> dialog.Heard:
    turn = loaded(handler_input)
    return turn.heard if turn is not None else dialog.Heard(None, dialog.Kind.EVENT)


def session_of(handler_input: HandlerInput) -> dict[str, Any]:
    """The session attributes, or an empty dict for a request outside any session."""
    if not in_session(handler_input):
        return {}
    return cast(dict[str, Any], handler_input.attributes_manager.session_attributes)


def expected(handler_input: HandlerInput) -> Waiting | None:
    """What the session waited for when this request came (a pure look, for can_handle)."""
    turn = loaded(handler_input)
    return turn.waiting if turn is not None else None


def slot_text(handler_input: HandlerInput, name: str) -> str | None:
    turn = loaded(handler_input)
    if turn is not None:
        return turn.heard.slots.get(name)
    return sent_slots(handler_input).get(name)


def slot_id(handler_input: HandlerInput, name: str) -> str | None:
    """The resolved id of a custom-type slot value, when Alexa matched one."""
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    slot = intent.slots.get(name) if intent is not None and intent.slots else None
    resolutions = getattr(slot, "resolutions", None) if slot is not None else None
    for authority in getattr(resolutions, "resolutions_per_authority", None) or []:
        status = getattr(getattr(authority, "status", None), "code", None)
        if getattr(status, "value", status) == "ER_SUCCESS_MATCH" and authority.values:
            return authority.values[0].value.id
    return None


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
