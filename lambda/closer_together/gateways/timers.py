"""Talking-time timers through the Alexa Timers API."""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ask_sdk_model.services import ServiceClientFactory

log = logging.getLogger(__name__)


class TimerResult(StrEnum):
    SET = "set"
    NEEDS_PERMISSION = "needs_permission"
    NOT_SUPPORTED = "not_supported"
    FAILED = "failed"


class TimerGateway:
    def __init__(self, factory: ServiceClientFactory | None) -> None:
        self._factory = factory

    def start(self, duration: str, label: str, announcement: str, locale: str) -> TimerResult:
        if self._factory is None:
            return TimerResult.FAILED
        from ask_sdk_model.services import ServiceException
        from ask_sdk_model.services.timer_management import (
            AnnounceOperation,
            CreationBehavior,
            DisplayExperience,
            NotificationConfig,
            TextToAnnounce,
            TimerRequest,
            TriggeringBehavior,
            Visibility,
        )

        request = TimerRequest(
            duration=duration,
            timer_label=label,
            creation_behavior=CreationBehavior(
                display_experience=DisplayExperience(visibility=Visibility.VISIBLE)
            ),
            triggering_behavior=TriggeringBehavior(
                operation=AnnounceOperation(
                    text_to_announce=[TextToAnnounce(locale=locale, text=announcement)]
                ),
                notification_config=NotificationConfig(play_audible=True),
            ),
        )
        try:
            self._factory.get_timer_management_service().create_timer(request)
        except ServiceException as error:
            log.warning("timer not set: status %s", error.status_code)
            if error.status_code == 401:
                return TimerResult.NEEDS_PERMISSION
            if error.status_code == 403:
                return TimerResult.NOT_SUPPORTED
            return TimerResult.FAILED
        except Exception as error:  # a network failure must still get a spoken answer
            log.warning("timer not set: %s", type(error).__name__)
            return TimerResult.FAILED
        return TimerResult.SET
