"""The HTTP client behind every Alexa API call."""

from __future__ import annotations

from functools import partial
from typing import Any

from ask_sdk_core.api_client import DefaultApiClient
from ask_sdk_core.exceptions import ApiClientException

# Alexa waits 8 s for the whole turn; an API call gets a small, fixed share of it.
CONNECT_SECONDS = 1.0
READ_SECONDS = 2.5
METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"})


class BoundedApiClient(DefaultApiClient):
    """DefaultApiClient with timeouts and one pooled session per container.

    The SDK's client calls `requests` with no timeout at all, so one slow
    Alexa API could use up the whole turn.
    """

    def __init__(self, timeout: tuple[float, float] = (CONNECT_SECONDS, READ_SECONDS)) -> None:
        self._timeout = timeout
        self._session: Any = None

    def _resolve_method(self, request: Any) -> Any:
        method = (request.method or "").upper()
        if method not in METHODS:
            raise ApiClientException(f"Invalid request method: {method}")
        if self._session is None:
            import requests

            self._session = requests.Session()
        return partial(self._session.request, method, timeout=self._timeout)
