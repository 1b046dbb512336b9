"""The couple-speech corpus itself: it parses, it is big enough, and it holds no crisis text."""

from __future__ import annotations

from collections import Counter

import pytest

from closer_together import concerns
from closer_together.concerns import Concern
from tests.corpus import (
    CATEGORIES,
    COUPLE_SPEECH,
    CorpusError,
    load_couple_speech,
    parse_couple_speech,
)

MINIMUMS = {
    "answer": 110,
    "filler": 30,
    "yesno": 15,
    "command": 25,
    "ritual": 20,
    "timer": 10,
    "timeout": 5,
    "sibling": 15,
}

CORPUS = load_couple_speech()


def test_every_line_parses_into_a_known_category() -> None:
    unknown = sorted({category for category, _ in CORPUS} - set(CATEGORIES))
    assert not unknown, f"unknown categories: {unknown}"
    assert set(MINIMUMS) == set(CATEGORIES)


def test_the_corpus_is_utf8_and_at_least_240_lines() -> None:
    text = COUPLE_SPEECH.read_bytes().decode("utf-8")
    assert len(text.splitlines()) >= 240
    assert text.startswith("#"), "the file starts with a header comment"


@pytest.mark.parametrize("category", CATEGORIES)
def test_each_category_meets_its_minimum(category: str) -> None:
    count = sum(1 for c, _ in CORPUS if c == category)
    assert count >= MINIMUMS[category], f"{category}: {count} < {MINIMUMS[category]}"


def test_no_duplicate_utterances() -> None:
    counts = Counter(" ".join(u.lower().split()) for _, u in CORPUS)
    assert not [u for u, n in counts.items() if n > 1]


def test_utterances_look_like_speech_recognition_output() -> None:
    shouting = [u for _, u in CORPUS if u != u.lower()]
    assert not shouting, f"not lower case: {shouting}"
    answers = [u for c, u in CORPUS if c == "answer"]
    long_answers = [u for u in answers if 20 <= len(u.split()) <= 40]
    assert len(long_answers) >= 10
    assert any(any(ch in u for ch in "&<>\"'") for u in answers)
    assert any(any(ord(ch) > 0x2000 for ch in u) for u in answers), "a few emoji"


def test_no_answer_is_taken_for_a_concern() -> None:
    flagged = [
        (u, str(concerns.detect(u))) for c, u in CORPUS if c == "answer" and concerns.detect(u)
    ]
    assert not flagged, f"rephrase these corpus lines: {flagged}"


def test_no_line_anywhere_is_crisis_or_abuse() -> None:
    serious = {Concern.CRISIS, Concern.ABUSE}
    flagged = [(c, u) for c, u in CORPUS if concerns.detect(u) in serious]
    assert not flagged, f"crisis and abuse belong in the safety corpus: {flagged}"


def test_the_loader_refuses_a_malformed_line() -> None:
    assert parse_couple_speech("# comment\n\nanswer\tthe walk\n") == [("answer", "the walk")]
    with pytest.raises(CorpusError, match=":2:"):
        parse_couple_speech("answer\tthe walk\nno tab here\n")
