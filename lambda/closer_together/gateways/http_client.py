"""The HTTP client behind every Alexa API call (loaded on the first call: it imports
`requests`). Its timeouts come from the turn's budget (gateways/budget.py)."""

from __future__ import annotations

import threading
from functools import partial
from typing import TYPE_CHECKING, Any

from ask_sdk_core.api_client import DefaultApiClient
from ask_sdk_core.exceptions import ApiClientException

from closer_together.gateways.budget import CONNECT_SECONDS, READ_SECONDS, Timeout

if TYPE_CHECKING:
    from ask_sdk_model.services.api_client_request import ApiClientRequest
    from ask_sdk_model.services.api_client_response import ApiClientResponse

METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"})


class BoundedApiClient(DefaultApiClient):
    """DefaultApiClient with timeouts and one pooled session per container.

    The SDK's client calls `requests` with no timeout at all, so one slow
    Alexa API could use up the whole turn.
    """

    def __init__(self, timeout: Timeout = (CONNECT_SECONDS, READ_SECONDS)) -> None:
        self._timeout = timeout
        self._session: Any = None
        # A call's own timeout (TurnApiClient), per thread: the web service serves in threads.
        self._local = threading.local()

    def invoke_within(self, request: ApiClientRequest, timeout: Timeout) -> ApiClientResponse:
        self._local.timeout = timeout
        try:
            return self.invoke(request)
        finally:
            self._local.timeout = None

    def _resolve_method(self, request: Any) -> Any:
        method = (request.method or "").upper()
        if method not in METHODS:
            raise ApiClientException(f"Invalid request method: {method}")
        if self._session is None:
            import requests

            self._session = requests.Session()
        timeout = getattr(self._local, "timeout", None) or self._timeout
        return partial(self._session.request, method, timeout=timeout)
