"""One turn's time budget for Alexa API calls, and the client that keeps to it.

Time budget of a turn (template.yaml gives the function 7 s; Alexa waits 8 s):
the household read, then Alexa API calls until API_BUDGET_SECONDS after the turn began,
each with at most CONNECT_SECONDS + READ_SECONDS, then the one write (storage's own
deadline, STORE_BUDGET_SECONDS = 6 s from the start, with 2 s per call). With every API
call hanging, the calls still end by 3.5 s and the write's first try by about 5.5 s.
Nothing here imports `requests`: the pipeline sets a budget on every turn.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ask_sdk_core.exceptions import ApiClientException
from ask_sdk_model.services.api_client import ApiClient

if TYPE_CHECKING:
    from ask_sdk_model.services.api_client_request import ApiClientRequest
    from ask_sdk_model.services.api_client_response import ApiClientResponse

# Alexa waits 8 s for the whole turn; an API call gets a small, fixed share of it.
CONNECT_SECONDS = 0.5
READ_SECONDS = 2.0
# All of a turn's Alexa API calls together, counted from the turn's start.
API_BUDGET_SECONDS = 3.5
# A call is not started with less time than this left to read its answer.
MIN_READ_SECONDS = 0.25

Timeout = tuple[float, float]


class ApiBudget:
    """One turn's time for Alexa API calls, on an injectable monotonic clock.

    Each call gets (connect, read) timeouts no longer than the time left; once too little
    is left, no further call is made (the gateways then answer as for a timeout).
    """

    def __init__(
        self,
        seconds: float = API_BUDGET_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        connect: float = CONNECT_SECONDS,
        read: float = READ_SECONDS,
        min_read: float = MIN_READ_SECONDS,
    ) -> None:
        self._clock = clock
        self._end = clock() + seconds
        self._connect, self._read, self._min_read = connect, read, min_read
        self.given: list[Timeout] = []  # the timeouts of the calls made (logs and tests)
        self.refused = 0  # calls not made for lack of time

    def next_call(self) -> Timeout | None:
        left = self._end - self._clock()
        if left < self._connect + self._min_read:
            self.refused += 1
            return None
        timeout = (self._connect, min(self._read, left - self._connect))
        self.given.append(timeout)
        return timeout


class TurnApiClient(ApiClient):
    """The container's client, used within one turn's ApiBudget."""

    def __init__(self, client: ApiClient, budget: ApiBudget) -> None:
        self.client = client
        self.budget = budget

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        timeout = self.budget.next_call()
        if timeout is None:
            # The SDK reports this as "Call to service failed", as it does a timeout.
            raise ApiClientException("no time left in this turn for another Alexa API call")
        within = getattr(self.client, "invoke_within", None)
        if within is None:
            return self.client.invoke(request)
        return within(request, timeout)
