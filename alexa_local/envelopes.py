"""Request envelopes exactly as Alexa sends them to a skill's Lambda function.

Shapes follow ask-sdk-model's classes (RequestEnvelope, Context.System, the request types);
the tests deserialize every envelope built here with the SDK's own serializer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from alexa_local.nlu import DEFAULT_SKILL_ID

Envelope = dict[str, Any]

SKILL_EVENTS = frozenset(
    {"SkillEnabled", "SkillDisabled", "SkillPermissionAccepted", "SkillPermissionChanged"}
)
REMINDER_EVENTS = frozenset(
    {
        "ReminderCreated",
        "ReminderUpdated",
        "ReminderDeleted",
        "ReminderStatusChanged",
        "ReminderStarted",
    }
)

# What a device with a screen declares (the Alexa.Presentation.APL interface reference).
APL_INTERFACE = {"Alexa.Presentation.APL": {"runtime": {"maxVersion": "2024.3"}}}


@dataclass(frozen=True)
class Device:
    """The household's account and the Echo it talks to."""

    user_id: str
    device_id: str
    api_endpoint: str
    api_token: str
    locale: str = "en-US"
    skill_id: str = DEFAULT_SKILL_ID
    person_id: str | None = None  # a recognised voice profile, when one speaks
    screen: bool = False  # an Echo Show or a TV: supportedInterfaces names Alexa.Presentation.APL


@dataclass
class Session:
    session_id: str = field(default_factory=lambda: f"amzn1.echo-api.session.{uuid.uuid4()}")
    new: bool = True
    attributes: dict[str, Any] = field(default_factory=dict)


def timestamp(now: datetime) -> str:
    """Alexa's request timestamp: UTC, whole seconds, trailing Z."""
    if now.tzinfo is None:
        raise ValueError("the clock must give time-zone-aware datetimes")
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def launch(device: Device, session: Session, now: datetime) -> Envelope:
    return _envelope(device, session, _request("LaunchRequest", now, device.locale))


def intent(
    device: Device,
    session: Session,
    now: datetime,
    intent: dict[str, Any],
    dialog_state: str | None = None,
) -> Envelope:
    """An IntentRequest; `intent` is Alexa's intent JSON (name, confirmationStatus, slots)."""
    request = _request("IntentRequest", now, device.locale)
    if dialog_state is not None:
        request["dialogState"] = dialog_state
    request["intent"] = {"confirmationStatus": "NONE", **intent}
    return _envelope(device, session, request)


def session_ended(
    device: Device,
    session: Session,
    now: datetime,
    reason: str = "USER_INITIATED",
    error: dict[str, str] | None = None,
) -> Envelope:
    request = _request("SessionEndedRequest", now, device.locale)
    request["reason"] = reason
    if error is not None:
        request["error"] = error  # {"type": "INVALID_RESPONSE", "message": "..."}
    return _envelope(device, session, request)


def connections_response(
    device: Device,
    session: Session,
    now: datetime,
    *,
    status: str,
    scope: str,
    token: str = "",
) -> Envelope:
    """The answer to an AskFor permission request: status ACCEPTED, DENIED or NOT_ANSWERED."""
    request = _request("Connections.Response", now, device.locale)
    request.update(
        {
            "name": "AskFor",
            "status": {"code": "200", "message": "OK"},
            "payload": {"permissionScope": scope, "status": status},
            "token": token,
        }
    )
    return _envelope(device, session, request)


def skill_event(
    device: Device,
    kind: str,
    now: datetime,
    *,
    persisted: bool = False,
    scopes: tuple[str, ...] = (),
    person_scopes: tuple[str, ...] | None = None,
) -> Envelope:
    """AlexaSkillEvent.<kind>: SkillEnabled, SkillDisabled, SkillPermissionAccepted/Changed.

    A disabled skill says whether Alexa keeps the user's data (persisted) or not.
    """
    kind = kind.removeprefix("AlexaSkillEvent.")
    if kind not in SKILL_EVENTS:
        raise ValueError(f"unknown skill event {kind!r}")
    request = _request(f"AlexaSkillEvent.{kind}", now, None)
    stamp = request["timestamp"]
    request["eventCreationTime"] = stamp
    request["eventPublishingTime"] = stamp
    if kind == "SkillDisabled":
        status = "PERSISTED" if persisted else "NOT_PERSISTED"
        request["body"] = {"userInformationPersistenceStatus": status}
    elif kind in ("SkillPermissionAccepted", "SkillPermissionChanged"):
        body: dict[str, Any] = {"acceptedPermissions": [{"scope": s} for s in scopes]}
        if person_scopes is not None:
            body["acceptedPersonPermissions"] = [{"scope": s} for s in person_scopes]
        request["body"] = body
    return _envelope(device, None, request, on_device=False)


def reminders_event(
    device: Device,
    kind: str,
    now: datetime,
    *,
    alert_tokens: tuple[str, ...] = (),
    status: str | None = None,
) -> Envelope:
    """Reminders.<kind>; ReminderDeleted carries all tokens, the others one token."""
    kind = kind.removeprefix("Reminders.")
    if kind not in REMINDER_EVENTS:
        raise ValueError(f"unknown reminders event {kind!r}")
    request = _request(f"Reminders.{kind}", now, None)
    if kind == "ReminderDeleted":
        request["body"] = {"alertTokens": list(alert_tokens)}
    else:
        if len(alert_tokens) != 1:
            raise ValueError(f"{kind} carries exactly one alert token")
        body: dict[str, Any] = {"alertToken": alert_tokens[0]}
        if status is not None:
            body["status"] = status  # ON or COMPLETED
        request["body"] = body
    return _envelope(device, None, request, on_device=False)


def _request(kind: str, now: datetime, locale: str | None) -> dict[str, Any]:
    request: dict[str, Any] = {
        "type": kind,
        "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
        "timestamp": timestamp(now),
    }
    if locale is not None:
        request["locale"] = locale
    return request


def _envelope(
    device: Device, session: Session | None, request: dict[str, Any], *, on_device: bool = True
) -> Envelope:
    application = {"applicationId": device.skill_id}
    user = {"userId": device.user_id}
    system: dict[str, Any] = {"application": application, "user": dict(user)}
    if on_device:
        # events come from the cloud, not from an Echo: no device, no speaker
        system["device"] = {
            "deviceId": device.device_id,
            "supportedInterfaces": dict(APL_INTERFACE) if device.screen else {},
        }
        if device.person_id is not None:
            system["person"] = {
                "personId": device.person_id,
                "accessToken": f"person-token-{device.person_id}",
            }
    system["apiEndpoint"] = device.api_endpoint
    system["apiAccessToken"] = device.api_token
    envelope: Envelope = {"version": "1.0"}
    if session is not None:
        envelope["session"] = {
            "new": session.new,
            "sessionId": session.session_id,
            "application": dict(application),
            "user": dict(user),
        }
        if not session.new:
            envelope["session"]["attributes"] = session.attributes
    envelope["context"] = {"System": system}
    envelope["request"] = request
    return envelope
