"""Choosing a validating response from what a partner said (never advice).

vaderSentiment is loaded on first use, once per container: it reads a lexicon
file, which cold starts that never reach an answer should not pay for.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

# Compound score thresholds from VADER's own guidance (±0.05), plus a strong band.
STRONG = 0.6
MILD = 0.05
# Clearly negative: a hard day given as the day's best part, not one moment of it.
CLEARLY_NEGATIVE = -0.4

_GENERAL = re.compile(
    r"^(?:(?:i think |just |well )?(?:you(?:'re| are)|he(?:'s| is)|she(?:'s| is)|they(?:'re| are))"
    r" (?:(?:so|just|really|very) )?(?:great|amazing|awesome|the best|wonderful|perfect|nice|"
    r"good|lovely|sweet|kind|fantastic|incredible|beautiful)|everything|all of it|"
    r"(?:for )?(?:just )?being (?:you|him|her|them)|i love (?:you|him|her|them)|"
    r"(?:that )?(?:he|she|they|you) exists?)\.?$"
)


@cache
def _analyzer() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def tone(text: str) -> str:
    """'bright', 'warm', 'neutral', 'hard' or 'heavy' for the validation prompt."""
    score = _analyzer().polarity_scores(text)["compound"]
    if score >= STRONG:
        return "bright"
    if score >= MILD:
        return "warm"
    if score <= -STRONG:
        return "heavy"
    if score <= -MILD:
        return "hard"
    return "neutral"


def clearly_negative(text: str) -> bool:
    return bool(_analyzer().polarity_scores(text)["compound"] <= CLEARLY_NEGATIVE)


def is_general(text: str) -> bool:
    """An appreciation with no action or quality in it ("you're great")."""
    words = text.lower().strip()
    return len(words.split()) <= 6 and bool(_GENERAL.match(words))
