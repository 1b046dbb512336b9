"""Thin ask-sdk handlers: translate a request into a ritual call and its reply into speech."""
