"""Modules a turn may not need, imported on the first use of one of their names.

A cold start pays for what its turn uses: a launch never loads the reminders machinery or
the weekly review. Callers keep a real import under `TYPE_CHECKING` so types stay exact:

    if TYPE_CHECKING:
        from closer_together.rituals import review
    else:
        review = lazy("closer_together.rituals.review")
"""

from __future__ import annotations

import importlib
from typing import Any


class _Lazy:
    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        # import_module is thread-safe (the web service answers on several threads) and,
        # once loaded, a dictionary lookup.
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<lazy {self._name}>"


def lazy(name: str) -> Any:
    """`name`, imported when one of its attributes is first read."""
    return _Lazy(name)
