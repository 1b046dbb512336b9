"""Helpers for tests that talk to the Alexa API stand-in: outages, reminders held there."""

from __future__ import annotations

from typing import Any

import requests

REMINDERS = "/v1/alerts/reminders"
SETTINGS = "/v2/devices"
WRITES = ("PutItem", "UpdateItem", "TransactWriteItems", "BatchWriteItem", "DeleteItem")
MONTHLY = "remind us about the monthly check in on the first sunday of the month at seven pm"


def no_settings(api: Any) -> None:
    """The developer console's simulator: the Settings API never answers the skill."""
    api.fail_next("GET", SETTINGS, 503, times=1000)


def delete_at_alexa(api: Any, token: str) -> None:
    """Alexa no longer holds the reminder (deleted in the Alexa app, or cleared when done)."""
    gone = requests.delete(
        f"{api.endpoint}{REMINDERS}/{token}",
        headers={"Authorization": f"Bearer {api.token}"},
        verify=str(api.ca_path),
        timeout=5,
    )
    assert gone.ok and token not in api.reminders


def reminder_posts(api: Any) -> list[Any]:
    return [r for r in api.requests if r.path.startswith(REMINDERS) and r.method == "POST"]
