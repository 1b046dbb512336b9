"""Failures the skill answers in words of its own, shared by storage and the handlers."""

from __future__ import annotations


class StoreError(Exception):
    """The table could not be reached or refused the write."""
