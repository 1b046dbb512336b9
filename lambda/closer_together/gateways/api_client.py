"""The Alexa API client the skill is built with: the HTTP machinery loads on first use.

The SDK's DefaultApiClient imports `requests` (and its charset, idna and cookie modules) at
import time, about a tenth of a cold start; most turns call no Alexa API at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ask_sdk_model.services.api_client import ApiClient

if TYPE_CHECKING:
    from ask_sdk_model.services.api_client_request import ApiClientRequest
    from ask_sdk_model.services.api_client_response import ApiClientResponse


class LazyApiClient(ApiClient):
    """One bounded client per container, made on the first Alexa API call."""

    def __init__(self) -> None:
        self._client: ApiClient | None = None

    def _bounded(self) -> Any:
        if self._client is None:
            from closer_together.gateways.http_client import BoundedApiClient

            self._client = BoundedApiClient()
        return self._client

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        return self._bounded().invoke(request)

    def invoke_within(
        self, request: ApiClientRequest, timeout: tuple[float, float]
    ) -> ApiClientResponse:
        """One call with its own timeouts (the turn's budget decides them)."""
        return self._bounded().invoke_within(request, timeout)
