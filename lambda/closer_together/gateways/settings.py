"""The device's time zone, from the Alexa Settings API."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ask_sdk_model.services import ServiceClientFactory

log = logging.getLogger(__name__)


class SettingsGateway:
    def __init__(self, factory: ServiceClientFactory | None) -> None:
        self._factory = factory

    def time_zone(self, device_id: str | None) -> str | None:
        """The device's IANA time zone, or None when Alexa cannot tell us now."""
        if self._factory is None or not device_id:
            return None
        from ask_sdk_model.services import ServiceException

        try:
            zone = self._factory.get_ups_service().get_system_time_zone(device_id)
        except ServiceException as error:
            log.warning("time zone unavailable: status %s", error.status_code)
            return None
        except Exception as error:  # network trouble must not end the conversation
            log.warning("time zone unavailable: %s", type(error).__name__)
            return None
        return zone if isinstance(zone, str) and zone else None
