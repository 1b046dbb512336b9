"""The skill: one object behind both front doors (Lambda and the web service)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import cache
from typing import Any, cast

from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder

from closer_together import request_util, storage
from closer_together.config import Settings
from closer_together.gateways.api_client import LazyApiClient
from closer_together.gateways.budget import ApiBudget
from closer_together.handlers import care, checkin, core, privacy, reminders, rituals
from closer_together.pipeline import LoadTurn, LogRequest, SaveTurn


def build_skill(
    settings: Settings | None = None, api_budget: Callable[[], ApiBudget] = ApiBudget
) -> CustomSkill:
    """The skill; `api_budget` makes each turn's time budget for Alexa API calls."""
    settings = settings or Settings.from_env()
    logging.getLogger("closer_together").setLevel(settings.log_level)
    # At DEBUG these log whole items and request bodies: names and answers stay out of logs.
    for chatty in ("pynamodb", "botocore", "urllib3"):
        logging.getLogger(chatty).setLevel(max(logging.INFO, logging.getLogger(chatty).level))
    storage.configure(settings)
    store = storage.HouseholdStore(budget_seconds=settings.store_budget_seconds)
    builder = CustomSkillBuilder(api_client=LazyApiClient())
    if settings.skill_id:
        builder.skill_id = settings.skill_id  # type: ignore[assignment]  # SDK types it as None
    builder.add_global_request_interceptor(LogRequest())
    builder.add_global_request_interceptor(LoadTurn(store, api_budget))
    builder.add_global_request_interceptor(reminders.RenewMonthlyReminders())
    builder.add_global_response_interceptor(SaveTurn(store))
    # First match wins: events, then safety, then what the session is waiting for,
    # then rituals, then the commands that work everywhere, then the fallback.
    for handler in [
        *privacy.EVENT_HANDLERS,
        *reminders.EVENT_HANDLERS,
        *care.SAFETY_HANDLERS,
        *checkin.RITUAL_HANDLERS,
        *reminders.HANDLERS,
        *care.HANDLERS,
        *privacy.HANDLERS,
        *rituals.HANDLERS,
        *checkin.HANDLERS,
        *core.HANDLERS,
        *core.LAST_HANDLERS,
    ]:
        builder.add_request_handler(handler)
    builder.add_exception_handler(core.ErrorHandler())
    return builder.create()


@cache
def get_skill() -> CustomSkill:
    """The process-wide skill, built on first use and kept for the container's life."""
    return build_skill()


def answer(skill: CustomSkill, event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One Alexa request, as a JSON-ready dict, to the skill's JSON-ready response."""
    try:
        envelope = skill.serializer.deserialize(
            payload=json.dumps(event), obj_type="ask_sdk_model.RequestEnvelope"
        )
    except Exception as error:  # a malformed event gets a spoken apology, not a stack trace
        logging.getLogger(__name__).warning("malformed request: %s", type(error).__name__)
        return MALFORMED_RESPONSE
    if envelope.request is None or envelope.context is None or envelope.context.system is None:
        logging.getLogger(__name__).warning("malformed request: missing request or context")
        return MALFORMED_RESPONSE
    application = envelope.context.system.application
    if application is None or not isinstance(application.application_id, str):
        # The SDK's skill-id check would raise on it: refuse cleanly instead.
        logging.getLogger(__name__).warning("malformed request: no application id")
        return MALFORMED_RESPONSE
    # ask-sdk-model drops SkillDisabled's body; its persistence status decides a deletion.
    request_util.keep_persistence_status(envelope, event)
    try:
        response = skill.invoke(request_envelope=envelope, context=context)
    except AskSdkException as error:  # another skill's id: refused, never a stack trace
        logging.getLogger(__name__).warning("request refused: %s", type(error).__name__)
        return MALFORMED_RESPONSE
    return cast(dict[str, Any], skill.serializer.serialize(response))


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return answer(get_skill(), event, context)


MALFORMED_RESPONSE: dict[str, Any] = {
    "version": "1.0",
    "response": {
        "outputSpeech": {
            "type": "SSML",
            "ssml": "<speak>Sorry, I couldn't understand that request.</speak>",
        },
        "shouldEndSession": True,
    },
}
