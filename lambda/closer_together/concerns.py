"""Spot crisis, abuse and professional-help signals in what a partner says, and answer them.

`detect` runs on every piece of free text before anything is stored or echoed. The mechanism
is `concern_matcher`; the language (rules, frames, model) and the reviewed messages are data in
content/<locale>/. Plain Python on purpose: no SDK imports, and nothing is read or compiled
at import, so importing this module costs next to nothing on a cold start.

The rules are tuned for recall on crisis and abuse: a needless safety message is a small cost,
a missed one is not. Negation only ever suppresses a professional-help match.
"""

from __future__ import annotations

import os
from functools import cache

from closer_together import concern_matcher as matcher
from closer_together.concern_matcher import CLASSES, SUPPORTED_LOCALES
from closer_together.safety import Concern, SafetyMessage

__all__ = [
    "CLASSES",
    "SUPPORTED_LOCALES",
    "Concern",
    "SafetyMessage",
    "detect",
    "features",
    "help_line",
    "normalise",
    "safety_message",
]


def normalise(text: str, locale: str | None = None) -> str:
    """Lower-case, ASCII-only, contractions expanded, punctuation dropped, single spaces."""
    return matcher.normalise(text, matcher.language(locale))


def features(norm: str, locale: str | None = None) -> set[str]:
    """The safety model's features of normalised text (scripts/train_safety_model.py)."""
    words = matcher.masked(norm.split(), matcher.lexicon(locale))
    return matcher.features(words, matcher.language(locale))


def detect(text: str, locale: str | None = None) -> Concern | None:
    """The most serious concern in `text` (crisis, then abuse, then professional help),
    by `locale`'s rules (en-US's where it has none of its own)."""
    if not text or not text.strip():
        return None
    net = matcher.net(locale)
    found = matcher.find(matcher.normalise(text, net.language), net)
    return found[0] if found else None


# ---------------------------------------------------------------------------------------------
# Messages: reviewed JSON per locale, loaded on first use and kept for the container's life.
# A locale without reviewed local numbers gets content/safety_fallback.json: never a guess.
# ---------------------------------------------------------------------------------------------

_FIELDS = ("text", "ssml", "card_title", "card_text")


@cache
def _messages(locale: str | None) -> tuple[dict[Concern, SafetyMessage], str]:
    """A supported locale's reviewed messages and help line (None: the fallback's)."""
    path = os.path.join(matcher.CONTENT_DIR, "safety_fallback.json")
    if locale is not None and os.path.isfile(
        own := os.path.join(matcher.CONTENT_DIR, locale, "safety.json")
    ):
        path = own
    data = matcher.read_json(path)
    loaded: dict[Concern, SafetyMessage] = {}
    for concern in Concern:
        entry = data["messages"][concern.value]
        missing = [f for f in _FIELDS if not isinstance(entry.get(f), str) or not entry[f]]
        if missing:
            raise ValueError(f"{path}: {concern.value} lacks {missing}")
        loaded[concern] = SafetyMessage(**{f: entry[f] for f in _FIELDS})
    return loaded, str(data["help_line"]["ssml"])


def help_line(locale: str | None) -> str:
    """One calm sentence with the locale's crisis line, said with product help (SSML)."""
    return _messages(matcher.canonical_locale(locale))[1]


def safety_message(concern: Concern, locale: str | None) -> SafetyMessage:
    """The fixed message for `concern` in `locale`; unknown locales get findahelpline.com."""
    return _messages(matcher.canonical_locale(locale))[0][concern]
