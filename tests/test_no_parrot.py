"""A voice that never parrots (issue 13): many simulated days of a couple's evenings.

No sentence of six or more words is spoken twice in one session (a question repeated on
request is not spoken again, it is replayed), and an opener heard one evening is not the one
heard the next.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise
from typing import Any

from conftest import meet

from closer_together.speech import NOTICED_WORDS

DAYS = 8
BEST = [
    "the best part was {} cooking together",
    "the best part was {} a long walk with the dog",
    "my best moment was {} a phone call from my sister",
    "the best part was {} when the kids made us breakfast",
]
HARD = [
    "the hardest part was {} a long meeting",
    "the hardest part was {} worrying about money",
    "the hardest part was {} traffic on the way home",
    "the challenge was {} a tense call with my boss",
]
THANKS = [
    "I appreciate how you made me coffee {}",
    "I appreciate that you listened to me {}",
    "I appreciate how you picked up the kids {}",
    "I appreciate that you cooked dinner {}",
]


# After a comma a capital starts only a name or "I": never "Sam, How did work ...".
CAPITAL_AFTER_COMMA = re.compile(r", ([A-Z][\w']*)")
MAY_FOLLOW_A_COMMA = {"Sam", "Alex", "Alexa", "I", "I'm", "I'll", "I've", "I'd"}


def sentences(text: str) -> list[str]:
    found = (s.strip().lower() for s in re.split(r"(?<=[.?!])\s+", text))
    return [s for s in found if len(s.split()) >= NOTICED_WORDS]


def evening(sim: Any, day: int) -> list[list[Any]]:
    """One evening's sessions: a check-in, then on some days another ritual or a timeout."""
    when = f"on day {day}"
    sessions = [
        [
            sim.say("ask closer together to start our check-in"),
            sim.say(BEST[day % 4].format(when)),
            sim.say("next"),
            sim.say(HARD[day % 4].format(when)),
            sim.say("next"),
            sim.say("meh"),  # a flat answer, acknowledged
            sim.say("next"),
            sim.say(HARD[(day + 1) % 4].format(when)),
            sim.say("next"),
            sim.say(THANKS[day % 4].format(when)),
            sim.say(THANKS[(day + 2) % 4].format(when)),
        ]
    ]
    extra = day % 3
    if extra == 0:
        sessions.append(
            [
                sim.say("ask closer together for a deeper question"),
                sim.say(f"my answer is that I felt seen {when}"),
                sim.say("next"),
                sim.say("stop"),
            ]
        )
    elif extra == 1:
        sessions.append(
            [
                sim.say("ask closer together to do an appreciation"),
                sim.say(THANKS[(day + 1) % 4].format(when)),
                sim.say(THANKS[(day + 3) % 4].format(when)),
            ]
        )
    else:
        sessions.append(
            [
                sim.say("tell closer together we need a timeout"),
                sim.say("thirty minutes"),
                sim.say("no"),
            ]
        )
    if sim.in_session:
        sim.say("stop")
    return sessions


def test_over_many_evenings_no_long_sentence_is_said_twice_in_a_session(
    sim: Any, clock: Any
) -> None:
    meet(sim)
    repeated: list[tuple[int, str]] = []
    capitals: list[str] = []
    openers: list[dict[str, str]] = []
    for day in range(DAYS):
        clock.advance(days=1)
        sessions = evening(sim, day)
        for turns in sessions:
            said = Counter(s for turn in turns for s in sentences(turn.text))
            repeated += [(day, s) for s, n in said.items() if n > 1]
            for turn in turns:
                shown = " ".join(filter(None, (turn.text, turn.reprompt, str(turn.card or ""))))
                capitals += set(CAPITAL_AFTER_COMMA.findall(shown)) - MAY_FOLLOW_A_COMMA
        openers.append({turns[0].heard.intent_name: turns[0].text for turns in sessions})
    assert repeated == []
    assert capitals == []
    # The same ritual opened on consecutive evenings opens differently.
    for before, after in pairwise(openers):
        for intent in before.keys() & after.keys():
            assert first_sentence(after[intent]) != first_sentence(before[intent]), intent


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.?!])\s+", text)[0]


def test_openers_rotate_from_one_evening_to_the_next(sim: Any, clock: Any) -> None:
    meet(sim)
    heard: dict[str, list[str]] = {"timeout": [], "hard day": [], "review": []}
    for _ in range(4):
        clock.advance(days=1)
        for kind, said in (("timeout", "we need a timeout"), ("hard day", "I had a hard day")):
            heard[kind].append(first_sentence(sim.say(f"tell closer together {said}").text))
            sim.say("stop")
    for _ in range(3):  # a review a week
        clock.advance(days=7)
        heard["review"].append(
            first_sentence(sim.say("ask closer together for our weekly review").text)
        )
        sim.say("stop")
    for kind, openers in heard.items():
        assert all(a != b for a, b in pairwise(openers)), (kind, openers)
