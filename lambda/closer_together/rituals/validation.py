"""Choosing a validating response from the question and what a partner said (never advice).

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


# Flat or empty answers: acknowledged warmly, never read as a feeling ("meh" is not frustration).
_FLAT = re.compile(
    r"^(?:(?:um|uh|oh|well|honestly|i guess|just|so|eh) )*"
    r"(?:nothing(?: much| really| special| in particular| new| big| to report)?|not (?:much|a lot)"
    r"|meh|eh|blah|so so|same(?: old(?: same old)?| as (?:always|usual|ever))?|the usual"
    r"|(?:it was )?(?:fine|ok|okay|alright|all right|normal|average|boring|quiet)(?: i guess)?"
    r"|(?:just )?(?:a |another )?(?:normal|regular|ordinary|average|quiet|long) day"
    r"|(?:just )?(?:getting|got) (?:through it|through the day|by)|surviving|existing"
    r"|i (?:don'?t|do not) know|dunno|not sure|no idea|hard to say|can'?t think of (?:anything|one)"
    r"|nothing comes to mind|i (?:can'?t|cannot) remember|pass)"
    r"(?: (?:i guess|really|honestly|to be honest|today|this week))?\.?$"
)


def is_flat(text: str) -> bool:
    """Nothing much to go on: "meh", "nothing much", "just getting through it"."""
    return bool(_FLAT.match(" ".join(text.lower().replace("’", "'").split())))


def reflection(text: str, *, praise: bool, hard: bool) -> str:
    """The kind of validation an answer gets: 'bright', 'warm', 'neutral', 'flat', 'named',
    'hard' or 'heavy'.

    `praise`: the question asks for something good (a best moment), so a glad answer may be
    met gladly; nowhere else. `hard`: the question asks for a challenge or worry, so even a
    calm answer is thanked for being named, never praised. When unsure: neutral.
    """
    if is_flat(text):
        return "flat"
    mood = tone(text)
    if mood in ("hard", "heavy"):
        return mood
    if hard:
        return "named"
    if praise:
        # The question already says it was good: a plain answer is still a good moment.
        return "warm" if mood == "neutral" else mood
    return "neutral"


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


# A worry said first is the answer's point, however mild its words ("i'm worried about mom").
_WORRY_FIRST = re.compile(
    r"^(?:(?:um|well|honestly|just|so) )*(?:i'?m |i am |i was |i've been |im )?"
    r"(?:(?:really|so|a bit|kind of|pretty) )?(?:worried|worrying|anxious|scared|stressed|nervous"
    r"|afraid|upset|angry|frustrated)\b"
)


def clearly_negative(text: str) -> bool:
    words = " ".join(text.lower().replace("’", "'").split())
    if _WORRY_FIRST.match(words):
        return True
    return bool(_analyzer().polarity_scores(text)["compound"] <= CLEARLY_NEGATIVE)


def is_general(text: str) -> bool:
    """An appreciation with no action or quality in it ("you're great")."""
    words = text.lower().strip()
    return len(words.split()) <= 6 and bool(_GENERAL.match(words))
