"""Asking for an Alexa permission by voice (Connections.SendRequest AskFor)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from closer_together.lazy import lazy

if TYPE_CHECKING:
    from ask_sdk_model.interfaces import connections
else:
    connections = lazy("ask_sdk_model.interfaces.connections")  # only when asking

SCOPES = {
    "reminders": "alexa::alerts:reminders:skill:readwrite",
    "timers": "alexa::alerts:timers:skill:readwrite",
}


def ask_for(kind: str, token: str | None = None) -> connections.SendRequestDirective:
    """Ask for the scope of `kind` ("reminders", "timers").

    `kind` may name the flow that asks ("reminders:timeout"): the scope comes from the part
    before the colon, and the token (the whole `kind` unless given) brings the answer, a
    Connections.Response, back to that flow.
    """
    scope = SCOPES[kind.partition(":")[0]]
    return connections.SendRequestDirective(
        name="AskFor",
        payload={
            "@type": "AskForPermissionsConsentRequest",
            "@version": "2",
            "permissionScopes": [{"permissionScope": scope, "consentLevel": "ACCOUNT"}],
        },
        token=token or kind,
    )
