"""Appreciations turned to the listener's point of view (rituals/perspective.py), unit by unit.

Priya said these about Tom; Tom hears them. Where Tom has called Priya "she" in his own
appreciations, she is "she"; otherwise she is named.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from closer_together.rituals.perspective import (
    FOR,
    SAID,
    THAT,
    THING,
    listener_view,
    pronoun_in,
    told_later,
)

ORDINARY = Path(__file__).parent / "data" / "ordinary_answers.txt"

# (as stored, Priya's pronoun, the form, as Tom hears it)
CASES = [
    # The examples.
    ("that tom made me coffee", "she", THAT, "you made her coffee"),
    ("tom made me coffee", "she", THAT, "you made her coffee"),
    ("he made me coffee", "she", THAT, "you made her coffee"),
    ("you made me coffee", "she", THAT, "you made her coffee"),
    ("how you fixed the sink", "she", THAT, "you fixed the sink"),
    ("i appreciate that she listened to me", "she", THAT, "you listened to her"),
    ("the way he cooked dinner for us", "she", THAT, "you cooked dinner for the two of you"),
    ("for making me laugh", "she", FOR, "making her laugh"),
    # Without a known pronoun, the speaker's name; "my" is "Priya's".
    ("that tom made me coffee", None, THAT, "you made Priya coffee"),
    ("the way he held my hand", None, THAT, "you held Priya's hand"),
    ("how he listens when I feel down", None, THAT, "you listen when Priya feels down"),
    # Verbs agree with their new subject.
    ("I appreciate that he makes me breakfast", "she", THAT, "you make her breakfast"),
    ("she was so patient with me", "he", THAT, "you were so patient with him"),
    ("he is always there for me", "she", THAT, "you are always there for her"),
    ("he has been amazing this week", "she", THAT, "you have been amazing this week"),
    ("he does the dishes without asking", "she", THAT, "you do the dishes without asking"),
    ("that he always tries", "she", THAT, "you always try"),
    ("she fixes my bike and washes the car", "he", THAT, "you fix his bike and washes the car"),
    ("that he cooks and cleans", "she", THAT, "you cook and clean"),
    ("he's been so kind", "she", THAT, "you've been so kind"),
    ("he's so kind", "she", THAT, "you're so kind"),
    ("I appreciated it when he told me I looked nice", "she", THAT, "you told her she looked nice"),
    ("tom and i finally talked", "she", THAT, "you and she finally talked"),
    ("i'm grateful that i can count on him", "she", THAT, "she can count on you"),
    (
        "i appreciate that he made me feel like i matter",
        "she",
        THAT,
        "you made her feel like she matters",
    ),  # fmt: skip
    # Things and deeds.
    ("Tom's cooking", "she", THING, "your cooking"),
    ("his patience with me", "she", THING, "your patience with her"),
    ("i love her smile", "he", THING, "your smile"),
    ("I appreciate you listening to me vent", "she", THING, "you listening to her vent"),
    ("i appreciate how much he cares", "she", THING, "how much you care"),
    ("the coffee number 1", "she", THING, "the coffee number 1"),
    ("thank you for the flowers!", "she", FOR, "the flowers"),
    ("thanks so much for always being there", None, FOR, "always being there"),
    ("i'm so grateful to him for the trip", "she", FOR, "the trip"),
    ("i appreciate him for cooking", "she", FOR, "cooking"),
    # Quoted as said: someone else is in it, it is a fragment, or it cannot be turned safely.
    ("he helped my sister with her move", "she", SAID, "he helped my sister with her move"),
    ("i'm grateful he picked up my mom", "she", SAID, "he picked up my mom"),
    ("Sarah and he cooked", "she", SAID, "Sarah and he cooked"),
    ("he made her laugh", "she", SAID, "he made her laugh"),
    ("his patience with the kids", "she", SAID, "his patience with the kids"),
    ("you made her day", "she", SAID, "you made her day"),
    ("he took the kids so they slept in", "she", SAID, "he took the kids so they slept in"),
    ("coffee", "she", SAID, "coffee"),
    ("made me laugh", "she", SAID, "made me laugh"),
    ("i love you so much", "she", SAID, "i love you so much"),
    ('Tom & Jerry <3 "night"', "she", SAID, 'Tom & Jerry <3 "night"'),
    ("he made me proud of myself", None, SAID, "he made me proud of myself"),
    ("i'd be lost without him", None, SAID, "i'd be lost without him"),
]


@pytest.mark.parametrize(("said", "pronoun", "form", "heard"), CASES)
def test_an_appreciation_is_turned_to_the_listener(
    said: str, pronoun: str | None, form: str, heard: str
) -> None:
    turned = listener_view(said, "Priya", "Tom", pronoun)
    assert (turned.form, turned.text) == (form, heard)


def test_the_listener_is_found_by_name_whatever_its_case() -> None:
    assert listener_view("TOM made me tea", "Priya", "Tom", "she").text == "you made her tea"
    assert listener_view("that Tom's here", "Priya", "Tom", None).text == "that you're here"
    assert listener_view("tom's so kind to me", "Priya", "Tom", None).text == (
        "you're so kind to Priya"
    )
    assert listener_view("tom's laugh", "Priya", "Tom", None).text == "your laugh"


def test_a_name_that_is_also_a_word_needs_its_capital() -> None:
    assert listener_view("he will always be there", "Priya", "Will", "she").text == (
        "you will always be there"
    )
    assert listener_view("how Will makes me laugh", "Priya", "Will", "she").text == (
        "you make her laugh"
    )


def test_the_speakers_pronoun_is_how_the_partner_starts_their_appreciations() -> None:
    assert pronoun_in(["that she made me coffee", "her smile", "how he ..."]) == "she"
    assert pronoun_in(["I appreciate that he listened", "thanks for the tea"]) == "he"
    assert pronoun_in(["you made me coffee", "tom made dinner"]) is None
    assert pronoun_in(["she cooked", "he cleaned"]) is None  # no telling
    assert pronoun_in([]) is None


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+", text.lower().replace("’", "'"))


# What the turning may put in: words for the two of them, and verbs agreeing with them.
TURNING = {
    "you", "your", "yours", "yourself", "yourselves", "you're", "you've", "you'd", "you'll",
    "she", "her", "hers", "herself", "she's", "she'll", "she'd", "priya", "priya's", "the",
    "two", "of", "are", "were", "have", "do", "don't", "aren't", "weren't", "haven't",
    "is", "has", "does", "doesn't", "hasn't", "will",
}  # fmt: skip


def _forms(word: str) -> set[str]:
    """A word and the forms a verb of it takes with another subject ("make", "makes")."""
    forms = {word, word + "s", word + "es", word.removesuffix("s"), word.removesuffix("es")}
    if word.endswith("y"):
        forms.add(word[:-1] + "ies")
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    return forms


@pytest.mark.parametrize("pronoun", ["she", None])
def test_no_other_word_is_ever_changed(pronoun: str | None) -> None:
    """Over ordinary answers: never an error, nothing empty, and no word made up."""
    lines = [
        line.strip()
        for line in ORDINARY.read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for said in lines:
        turned = listener_view(said, "Priya", "Tom", pronoun)
        assert turned.text, said
        if turned.form == SAID:
            # As said, less at most its lead-in ("I appreciate that ...").
            assert said.rstrip(".!?,;: ").endswith(turned.text), said
            continue
        original = set(_words(said))
        for word in _words(turned.text):
            assert word in TURNING or _forms(word) & original, (said, turned.text, word)


@pytest.mark.parametrize(
    ("said", "later"),
    [
        ("you took care of everything today", "you took care of everything that day"),
        ("cooking together tonight", "cooking together that night"),
        ("the walk this morning", "the walk that morning"),
        ("Today was the best", "that day was the best"),
        ("helping with yesterday's mess", "helping with the previous day's mess"),
        ("the call yesterday", "the call the day before"),
        ("a todaybook word stays", "a todaybook word stays"),
    ],
)
def test_a_moment_told_on_a_later_day_says_that_day(said: str, later: str) -> None:
    assert told_later(said) == later
