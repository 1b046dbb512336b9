"""Asking for an Alexa permission by voice (Connections.SendRequest AskFor)."""

from __future__ import annotations

from ask_sdk_model.interfaces.connections import SendRequestDirective

SCOPES = {
    "reminders": "alexa::alerts:reminders:skill:readwrite",
    "timers": "alexa::alerts:timers:skill:readwrite",
}


def ask_for(kind: str) -> SendRequestDirective:
    return SendRequestDirective(
        name="AskFor",
        payload={
            "@type": "AskForPermissionsConsentRequest",
            "@version": "2",
            "permissionScopes": [{"permissionScope": SCOPES[kind], "consentLevel": "ACCOUNT"}],
        },
        token=kind,
    )
