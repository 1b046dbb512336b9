"""The deeper question: one question from a deck organised by depth.

After the article's progressive vulnerability: week 1 daily feelings, week 2 hopes or
concerns for the relationship, week 3 past experiences that shape current feelings, then
round again. "Go deeper" and "something lighter" move between levels. The deck is locale
content (`deck.json`); which questions a couple has had is kept in `household.memory` as
ids only, and the answers are never stored (they can be concerns).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from closer_together.household import Household
from closer_together.rituals import guided
from closer_together.speech import Line, Reply, line

RITUAL = "deeper"
HAD = "deck.had"
DEEPER = 1
LIGHTER = -1


@dataclass(frozen=True)
class DeckQuestion:
    id: str
    level: int
    level_id: str
    text: str


def _levels(deck: dict[str, Any]) -> list[list[DeckQuestion]]:
    return [
        [DeckQuestion(q["id"], index, level["id"], q["text"]) for q in level["questions"]]
        for index, level in enumerate(deck["levels"])
    ]


def week_level(household: Household, today: date, levels: int) -> int:
    """The depth for this week of use: one level deeper each week, then round again."""
    created = date.fromisoformat(household.created_on) if household.created_on else today
    weeks = max(0, (today - created).days) // 7
    return weeks % levels


def pick(household: Household, deck: dict[str, Any], level: int) -> DeckQuestion:
    """The first question of `level` the couple has not had; never a repeat until the whole
    deck is used. An exhausted level gives way to the nearest one (the lighter on a tie)."""
    levels = _levels(deck)
    level = max(0, min(level, len(levels) - 1))
    ids = {q.id for questions in levels for q in questions}
    # Ids no longer in the deck are dropped, so the memory never grows past the deck.
    had = [i for i in household.memory.get(HAD, []) if i in ids]
    if len(set(had)) >= len(ids):
        # A new round through the deck; the latest question still waits its turn.
        had = had[-1:]
    for candidate in sorted(range(len(levels)), key=lambda n: (abs(n - level), n)):
        for question in levels[candidate]:
            if question.id not in had:
                household.memory[HAD] = [*had, question.id]
                return question
    raise ValueError("the deck has no questions")


def _params(question: DeckQuestion, count: int) -> dict[str, str]:
    # At either end of the deck, help offers only the way that goes somewhere.
    edge = "deepest" if question.level == count - 1 else "lightest" if question.level == 0 else ""
    return {
        "question": question.text,
        "level": str(question.level),
        "qid": question.id,
        "edge": edge,
    }


def begin(
    household: Household,
    deck: dict[str, Any],
    now: datetime,
    speaker: int | None = None,
    by: int = 0,
) -> Reply:
    """This week's question (or one level off it, when asked for from outside the ritual)."""
    count = len(deck["levels"])
    level = week_level(household, now.date(), count) + by
    question = pick(household, deck, level)
    intro: list[Line] = [line("deeper.open")]
    if by > 0:
        intro = [line("deeper.deeper")]
    elif by < 0:
        intro = [line("deeper.lighter")]
    elif question.level == level:
        intro.append(line(f"deeper.level.{question.level_id}"))  # "this week is about ..."
    return guided.start(
        household, guided.PLANS[RITUAL], now, speaker, intro, params=_params(question, count)
    )


def shift(household: Household, deck: dict[str, Any], now: datetime, by: int) -> Reply:
    """Go deeper or lighter from the question under way: a new question, both answer again."""
    progress = household.progress or {}
    current = int(progress.get("params", {}).get("level", 0))
    count = len(deck["levels"])
    target = current + by
    if target >= count:
        lead, target = line("deeper.deepest"), count - 1
    elif target < 0:
        lead, target = line("deeper.lightest"), 0
    else:
        lead = line("deeper.deeper" if by > 0 else "deeper.lighter")
    first = int(progress["steps"][0][0]) if progress.get("steps") else None
    question = pick(household, deck, target)
    return guided.start(
        household, guided.PLANS[RITUAL], now, first, [lead], _params(question, count)
    )
