"""What a device with a screen shows: datasources built from plain values.

The APL documents are data (content/apl/<name>.json); each binds one datasource, `payload`.
Rituals build a `speech.Screen` here with plain values; a `Line` in it is shown as the plain
text of its wording (`Voice.shown`), so the screen reads what Alexa says. No SDK here: the
pipeline turns a screen into a RenderDocument directive, only for a device that has one.
APL is not SSML: every value here is plain text, never a tag.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from functools import cache
from typing import Any

from closer_together.speech import CONTENT, Line, Screen, line

APL = CONTENT / "apl"
DOCUMENTS = ("question", "review", "reminders")
# The one datasource every document binds (its mainTemplate parameter).
PAYLOAD = "payload"
WEEK_DAYS = 7


@cache
def document(name: str) -> dict[str, Any]:
    """The APL document `name` (one of DOCUMENTS: named by the skill, never by a request)."""
    if name not in DOCUMENTS:
        raise ValueError(f"no APL document {name!r}")
    return dict(json.loads((APL / f"{name}.json").read_text("utf-8")))


def datasources(screen: Screen, shown: Callable[[Line], str]) -> dict[str, Any]:
    """The RenderDocument datasources of `screen`, every `Line` in it shown as plain text."""
    return {PAYLOAD: _resolve(screen.data, shown)}


def _resolve(value: Any, shown: Callable[[Line], str]) -> Any:
    if isinstance(value, Line):
        return shown(value)
    if isinstance(value, Mapping):
        return {str(k): _resolve(v, shown) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_resolve(v, shown) for v in value]
    return value


def question(ritual: str, name: str, step: int, steps: int, asked: Line) -> Screen:
    """A guided ritual's question: whose turn, how far along ("2 of 5"), the question."""
    return Screen("question", _question_data(ritual, name, step, steps, asked))


def _question_data(ritual: str, name: str, step: int, steps: int, asked: Line) -> dict[str, Any]:
    return {
        "title": line(f"screen.title.{ritual}"),
        "name": name,
        "turn": line("screen.turn", name=name),
        "step": step,
        "steps": steps,
        "progress": line("screen.progress", step=str(step), steps=str(steps)),
        "question": asked,
    }


_NOT_ASKED = {
    "title": "",
    "name": "",
    "turn": "",
    "step": 0,
    "steps": 1,
    "progress": "",
    "question": "",
}


def review(
    asked: Screen | None,
    today: date,
    checked: set[date],
    streak: int,
    cards: list[tuple[str, str, str]],
) -> Screen:
    """The weekly review: the week at a glance (the days checked in, the streak), the
    moments read back as short cards (kind, whose, text), and the reflection question of
    `asked` (a question screen) when the questions have begun."""
    days = [today - timedelta(days=back) for back in range(WEEK_DAYS - 1, -1, -1)]
    data: dict[str, Any] = {
        "title": line("screen.title.review"),
        "week": [
            {"day": line(f"screen.day.{day.weekday()}"), "done": day in checked} for day in days
        ],
        "checked": line("screen.week.checked", days=str(len(checked)), of=str(WEEK_DAYS)),
        "streak": line("screen.streak", days=str(streak)) if streak > 1 else "",
        "cards": [
            {"kind": line(f"screen.card.{kind}", name=who), "text": text}
            for kind, who, text in cards
        ],
        # Not asked yet: the same fields, empty, so every binding of the document resolves.
        "question": asked.data if asked is not None else _NOT_ASKED,
        "asking": asked is not None,
    }
    return Screen("review", data)


def reminders(items: list[str]) -> Screen:
    """The reminders that stand, one a row (already plain text)."""
    return Screen(
        "reminders",
        {
            "title": line("screen.title.reminders"),
            "items": [{"text": item} for item in items],
            "empty": line("screen.reminders.none") if not items else "",
        },
    )
