"""Handlers for this area; filled in by its issue."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler

HANDLERS: list[AbstractRequestHandler] = []
# Run before any ritual handler: text that signals a crisis interrupts whatever is under way.
SAFETY_HANDLERS: list[AbstractRequestHandler] = []
# Requests without a session (skill events).
EVENT_HANDLERS: list[AbstractRequestHandler] = []
