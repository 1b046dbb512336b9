"""Ritual reminders through the Alexa Reminders API.

`ReminderGateway` wraps the SDK's ReminderManagementServiceClient
(`handler_input.service_client_factory.get_reminder_management_service()`). No call
raises: each returns a `ReminderResult` whose `outcome` says what happened in words a
handler can answer with (401 -> NEEDS_PERMISSION, 403 -> NOT_SUPPORTED, 404 ->
NOT_FOUND, 400 UNSUPPORTED_TRIGGER_RECURRENCE -> UNSUPPORTED_RECURRENCE, other 400s ->
REJECTED, 429 -> THROTTLED, 5xx -> UNAVAILABLE, no answer in time -> TIMED_OUT).

Operations
- `create(plan, text, locale)` / `update(alert_token, plan, text, locale)`: a
  SCHEDULED_ABSOLUTE reminder at `plan.scheduled` (local time, sent without offset or Z)
  with `timeZoneId`, repeating by `plan.rule` (`recurrenceRules`) unless the rule is None.
  Create and update work only inside a session.
- `delete(alert_token)`, `get(alert_token)`, `list()`: also out of session (skill events).
- `remind_in(seconds, text, locale)`: a one-off SCHEDULED_RELATIVE reminder `seconds`
  from now, for a ritual that asks to be called back (e.g. the end of a timeout):

      result = ReminderGateway(handler_input.service_client_factory).remind_in(
          20 * 60, "Time to come back together.", turn.locale)
      if result.outcome is ReminderOutcome.NEEDS_PERMISSION:
          return Reply([line("...")], ask_permission="reminders")

Reminder text is spoken to anyone in the room: keep it short and neutral (no names, no
answers, no skill name). It is sent as both text and SSML, as Alexa wants.
"""

from __future__ import annotations

import json
import logging
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from closer_together.speech import escape

if TYPE_CHECKING:
    from ask_sdk_model.services import ServiceClientFactory

log = logging.getLogger(__name__)

# ask-sdk-model 1.82.0 types AlertInfo.spokenInfo as a module it does not ship, so the SDK
# cannot read a reminder back without this name pointing at the real SpokenInfo.
_SPOKEN_INFO_ALIAS = "ask_sdk_model.services.reminder_management.alert_info_spoken_info"


@dataclass(frozen=True)
class ReminderPlan:
    """What a reminder asks Alexa for: local wall-clock times and the device's zone."""

    scheduled: datetime  # naive, local to `zone`: the next time the ritual comes round
    zone: str
    rule: str | None  # None: a one-off reminder
    requested: datetime  # naive, local: now


class ReminderOutcome(StrEnum):
    DONE = "done"
    NEEDS_PERMISSION = "needs_permission"
    NOT_SUPPORTED = "not_supported"
    NOT_FOUND = "not_found"
    UNSUPPORTED_RECURRENCE = "unsupported_recurrence"
    REJECTED = "rejected"
    THROTTLED = "throttled"
    UNAVAILABLE = "unavailable"
    TIMED_OUT = "timed_out"
    FAILED = "failed"


@dataclass(frozen=True)
class Alert:
    """A reminder as Alexa holds it, as far as keeping the schedule needs."""

    alert_token: str
    status: str  # ON or COMPLETED
    rule: str | None = None
    scheduled: str | None = None  # local "YYYY-MM-DDTHH:MM:SS"
    text: str | None = None


@dataclass(frozen=True)
class ReminderResult:
    outcome: ReminderOutcome
    alert_token: str | None = None
    code: str | None = None  # Alexa's error code, for logs
    alerts: tuple[Alert, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome is ReminderOutcome.DONE


class ReminderGateway:
    def __init__(self, factory: ServiceClientFactory | None) -> None:
        self._factory = factory

    # -- writing ----------------------------------------------------------------------------

    def create(self, plan: ReminderPlan, text: str, locale: str) -> ReminderResult:
        request = self._request(plan.requested, self._absolute(plan), text, locale)
        return self._call("create", lambda client: client.create_reminder(request))

    def update(
        self, alert_token: str, plan: ReminderPlan, text: str, locale: str
    ) -> ReminderResult:
        request = self._request(plan.requested, self._absolute(plan), text, locale)
        return self._call("update", lambda client: client.update_reminder(alert_token, request))

    def remind_in(self, seconds: int, text: str, locale: str) -> ReminderResult:
        """A one-off reminder `seconds` from now (SCHEDULED_RELATIVE)."""
        from ask_sdk_model.services.reminder_management import Trigger, TriggerType

        trigger = Trigger(
            object_type=TriggerType.SCHEDULED_RELATIVE, offset_in_seconds=max(1, int(seconds))
        )
        now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        request = self._request(now, trigger, text, locale)
        return self._call("remind_in", lambda client: client.create_reminder(request))

    def delete(self, alert_token: str) -> ReminderResult:
        return self._call("delete", lambda client: client.delete_reminder(alert_token))

    # -- reading ----------------------------------------------------------------------------

    def get(self, alert_token: str) -> ReminderResult:
        def read(client: Any) -> Any:
            with _readable_reminders():
                return client.get_reminder(alert_token)

        return self._call("get", read)

    def list(self) -> ReminderResult:
        def read(client: Any) -> Any:
            with _readable_reminders():
                return client.get_reminders()

        return self._call("list", read)

    # -- plumbing ---------------------------------------------------------------------------

    @staticmethod
    def _absolute(plan: ReminderPlan) -> Any:
        from ask_sdk_model.services.reminder_management import Recurrence, Trigger, TriggerType

        recurrence = None
        if plan.rule is not None:
            recurrence = Recurrence(start_date_time=plan.scheduled, recurrence_rules=[plan.rule])
        return Trigger(
            object_type=TriggerType.SCHEDULED_ABSOLUTE,
            scheduled_time=plan.scheduled,  # naive: serialised without offset or Z
            time_zone_id=plan.zone,
            recurrence=recurrence,
        )

    @staticmethod
    def _request(requested: datetime, trigger: Any, text: str, locale: str) -> Any:
        from ask_sdk_model.services.reminder_management import (
            AlertInfo,
            PushNotification,
            PushNotificationStatus,
            ReminderRequest,
            SpokenInfo,
            SpokenText,
        )

        return ReminderRequest(
            request_time=requested,
            trigger=trigger,
            alert_info=AlertInfo(
                spoken_info=SpokenInfo(
                    content=[
                        SpokenText(locale=locale, text=text, ssml=f"<speak>{escape(text)}</speak>")
                    ]
                )
            ),
            push_notification=PushNotification(status=PushNotificationStatus.ENABLED),
        )

    def _call(self, operation: str, call: Any) -> ReminderResult:
        if self._factory is None:
            return ReminderResult(ReminderOutcome.FAILED)
        from ask_sdk_model.services import ServiceException

        try:
            answer = call(self._factory.get_reminder_management_service())
        except ServiceException as error:
            result = _failure(error)
            log.warning(
                "reminder %s failed: status %s %s", operation, error.status_code, result.code or ""
            )
            return result
        except Exception as error:  # a failure must still get a spoken answer
            log.warning("reminder %s failed: %s", operation, type(error).__name__)
            return ReminderResult(ReminderOutcome.FAILED)
        return _success(answer)


def _success(answer: Any) -> ReminderResult:
    alerts = getattr(answer, "alerts", None)
    if alerts is not None:
        return ReminderResult(
            ReminderOutcome.DONE, alerts=tuple(a for a in map(_alert, alerts) if a)
        )
    token = getattr(answer, "alert_token", None)
    alert = _alert(answer) if token and getattr(answer, "trigger", None) else None
    return ReminderResult(ReminderOutcome.DONE, alert_token=token, alerts=(alert,) if alert else ())


def _alert(reminder: Any) -> Alert | None:
    token = getattr(reminder, "alert_token", None)
    if not token:
        return None
    status = getattr(reminder, "status", None)
    trigger = getattr(reminder, "trigger", None)
    recurrence = getattr(trigger, "recurrence", None)
    rules = getattr(recurrence, "recurrence_rules", None) or []
    scheduled = getattr(trigger, "scheduled_time", None)
    if isinstance(scheduled, datetime):
        scheduled = scheduled.replace(tzinfo=None).isoformat(timespec="seconds")
    text = None
    spoken = getattr(getattr(reminder, "alert_info", None), "spoken_info", None)
    content = getattr(spoken, "content", None) or []
    if content:
        text = getattr(content[0], "text", None)
    return Alert(
        alert_token=token,
        status=str(getattr(status, "value", status) or "ON"),
        rule=str(rules[0]) if rules else None,
        scheduled=scheduled if isinstance(scheduled, str) else None,
        text=text,
    )


def _failure(error: Any) -> ReminderResult:
    status = error.status_code
    code = _error_code(error.body)
    if error.body is None and str(error).startswith("Call to service failed"):
        # The SDK reports a network failure or a timeout as a 500 without a body.
        return ReminderResult(ReminderOutcome.TIMED_OUT, code="NO_ANSWER")
    if status == 401:
        outcome = ReminderOutcome.NEEDS_PERMISSION
    elif status == 403:
        outcome = ReminderOutcome.NOT_SUPPORTED
    elif status == 404:
        outcome = ReminderOutcome.NOT_FOUND
    elif status == 400 and code == "UNSUPPORTED_TRIGGER_RECURRENCE":
        outcome = ReminderOutcome.UNSUPPORTED_RECURRENCE
    elif status == 400:
        outcome = ReminderOutcome.REJECTED
    elif status == 429:
        outcome = ReminderOutcome.THROTTLED
    elif status == 504:
        outcome = ReminderOutcome.TIMED_OUT
    elif isinstance(status, int) and status >= 500:
        outcome = ReminderOutcome.UNAVAILABLE
    else:
        outcome = ReminderOutcome.FAILED
    return ReminderResult(outcome, code=code)


def _error_code(body: Any) -> str | None:
    """Alexa's error code: the SDK gives an Error object, or raw JSON text for statuses
    its client does not list (e.g. 401 on create)."""
    code = getattr(body, "code", None)
    if code is None and isinstance(body, str | bytes):
        try:
            data = json.loads(body)
        except ValueError:
            return None
        code = data.get("code") if isinstance(data, dict) else None
    code = getattr(code, "value", code)
    return str(code) if code else None


@contextmanager
def _readable_reminders() -> Iterator[None]:
    """Point the SDK's missing module name at SpokenInfo before reminders are read.

    Installed once per container and left in place: the name exists only so the SDK's
    own deserializer can find the class it forgot to ship under that module.
    """
    if _SPOKEN_INFO_ALIAS not in sys.modules:
        from ask_sdk_model.services.reminder_management import SpokenInfo

        alias = types.ModuleType(_SPOKEN_INFO_ALIAS)
        alias.SpokenInfo = SpokenInfo  # type: ignore[attr-defined]
        sys.modules.setdefault(_SPOKEN_INFO_ALIAS, alias)
    yield
