"""The safety net generalises (issue 12): crisis and abuse heard in words no one wrote down.

The rules and frames (and the safety intents' samples) were first developed on two corpora:
safety_dev.tsv (composed from categories) and safety_published.tsv (from published wording).
The corpora in LEARNT (tests/corpus.py), each by a writer who never saw the detector, were
measured unseen, then learnt from: by the model (scripts/train_safety_model.py) and, for the
kinds of wording they showed missing, by the frames. The corpus in HELD_OUT, by a further such
writer, is used for nothing but the figures printed and bounded here.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import MODEL, meet, raw_items, says, stored_household
from corpus import DATA, SAFETY_DEVELOPMENT, SAFETY_LEARNT, labelled

from alexa_local.nlu import Nlu
from closer_together.concerns import Concern, detect

DEVELOPMENT = SAFETY_DEVELOPMENT
LEARNT = SAFETY_LEARNT
# Written on 2026-12-03 by two writers who saw neither the detector nor any corpus, kept sealed
# outside the repository (not read by whoever changed the detector) until this measurement;
# used for nothing else. Their ordinary lines measure false alarms. (Sealed corpora b and c,
# measured the same way earlier that day, are learnt from now: see the README.)
HELD_OUT = ("safety_sealed_d.tsv", "safety_sealed_e.tsv")
# Measured once on the sealed corpora (see the README): floors so that the net never loosens.
HELD_OUT_FLOOR = {"crisis": 0.97, "abuse": 0.97}  # measured 97.3% of 476, 97.4% of 465
ORDINARY_UNSEEN_FALSE_ALARMS = 0.012  # measured 3 in 265


def rows(name: str) -> list[tuple[str, str]]:
    return labelled(name)


def ordinary_answers() -> list[str]:
    """Ordinary check-in answers, many with idioms ("dead tired", "killed it at work")."""
    lines = (DATA / "ordinary_answers.txt").read_text("utf-8").splitlines()
    texts = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    for name in DEVELOPMENT:
        texts += [text for category, text in rows(name) if category == "ordinary"]
    return texts


def figures(lines: list[tuple[str, str]]) -> tuple[dict[str, float], int, int]:
    """Recall per concern, and false alarms (crisis or abuse) on ordinary lines."""
    total: Counter[str] = Counter()
    found: Counter[str] = Counter()
    alarms = 0
    for category, text in lines:
        got = detect(text)
        total[category] += 1
        if category in ("crisis", "abuse") and got == Concern(category):
            found[category] += 1
        if category == "ordinary" and got in (Concern.CRISIS, Concern.ABUSE):
            alarms += 1
    recall = {c: found[c] / total[c] for c in ("crisis", "abuse")}
    return recall, alarms, total["ordinary"]


def test_every_development_line_is_heard() -> None:
    lines = [row for name in DEVELOPMENT for row in rows(name)]
    recall, alarms, ordinary = figures(lines)
    print(f"development: {recall}, {alarms} false alarms in {ordinary}")
    assert recall == {"crisis": 1.0, "abuse": 1.0}
    assert alarms == 0


def test_ordinary_answers_with_idioms_raise_no_alarm() -> None:
    answers = ordinary_answers()
    assert len(answers) >= 150
    alarms = [a for a in answers if detect(a) in (Concern.CRISIS, Concern.ABUSE)]
    print(f"{len(alarms)} false alarms in {len(answers)} ordinary answers")
    assert alarms == []


def held_out(name: str) -> list[tuple[str, str]]:
    """A corpus written apart, less any line that also happens to be in one used earlier."""
    earlier = DEVELOPMENT + (LEARNT if name in HELD_OUT else ())
    developed_on = {text for dev in earlier for _, text in rows(dev)}
    return [(c, t) for c, t in rows(name) if t not in developed_on]


def test_recall_on_words_no_one_developed_it_on() -> None:
    lines = [row for name in HELD_OUT for row in held_out(name)]
    assert sum(1 for c, _ in lines if c == "crisis") >= 150
    assert sum(1 for c, _ in lines if c == "abuse") >= 150
    recall, alarms, ordinary = figures(lines)
    print(
        f"unseen: crisis recall {recall['crisis']:.1%}, abuse recall {recall['abuse']:.1%},"
        f" {alarms} false alarms in {ordinary} ordinary lines"
    )
    for concern, floor in HELD_OUT_FLOOR.items():
        assert recall[concern] >= floor, (concern, recall[concern])


def test_false_alarms_on_ordinary_answers_no_one_developed_it_on() -> None:
    answers = [text for name in HELD_OUT for c, text in held_out(name) if c == "ordinary"]
    assert len(answers) >= 120
    alarms = [a for a in answers if detect(a) in (Concern.CRISIS, Concern.ABUSE)]
    print(f"unseen ordinary: {len(alarms)} false alarms in {len(answers)}: {alarms}")
    assert len(alarms) / len(answers) <= ORDINARY_UNSEEN_FALSE_ALARMS


def test_the_corpora_written_apart_never_became_frames_or_samples() -> None:
    from closer_together import concerns

    content = Path(concerns.__file__).parent / "content" / "en-US" / "safety_frames.json"
    frames, model = content.read_text("utf-8"), MODEL.read_text("utf-8")
    for name in (*LEARNT, *HELD_OUT):
        longest = sorted((text for _, text in held_out(name)), key=len)[-40:]
        assert not any(text in frames or text in model for text in longest), name


# --- when Alexa gives no words -------------------------------------------------------------


@pytest.fixture(scope="module")
def honest() -> Nlu:
    return Nlu.from_file(MODEL, mode="honest")


def heard_as_concern(nlu: Nlu, said: str) -> Concern | None:
    heard = nlu.understand(said)
    by_intent = {"CrisisIntent": Concern.CRISIS, "AbuseIntent": Concern.ABUSE}
    if heard.intent_name in by_intent:
        return by_intent[heard.intent_name]
    values = [detect(v) for v in heard.slot_values.values()]
    return next((v for v in values if v in (Concern.CRISIS, Concern.ABUSE)), None)


def test_said_outside_a_question_it_still_reaches_a_safety_intent(honest: Nlu) -> None:
    """FallbackIntent carries no words: the safety intents' samples are the net there,
    for what is said in a session and in one-shot form."""
    missed = []
    for name in DEVELOPMENT:
        for category, text in rows(name):
            # Samples spell numbers out; Alexa gives digits only in slot values.
            if category not in ("crisis", "abuse") or any(ch.isdigit() for ch in text):
                continue
            for said in (text, f"tell closer together {text}"):
                if heard_as_concern(honest, said) != Concern(category):
                    missed.append(said)
    assert missed == []


def test_ordinary_answers_do_not_reach_a_safety_intent(honest: Nlu) -> None:
    alarms = [a for a in ordinary_answers() if heard_as_concern(honest, a) is not None]
    assert alarms == []


# --- help, and the session after a hard moment ---------------------------------------------


@pytest.mark.parametrize("said", ["help", "I need help"])
def test_help_keeps_product_help_and_adds_the_crisis_line(sim: Any, said: str) -> None:
    meet(sim)
    sim.launch()
    turn = sim.say(said)
    assert says(turn.text, "help.general")
    assert "988" in turn.ssml and "Suicide and Crisis Lifeline" in turn.text
    assert not turn.ends_session


def test_help_inside_a_ritual_adds_the_crisis_line_too(sim: Any) -> None:
    meet(sim)
    sim.say("start our check in")
    turn = sim.say("help")
    assert "988" in turn.ssml and says(turn.text, "checkin.q.best")


def test_after_a_crisis_message_the_next_session_opens_gently(sim: Any) -> None:
    meet(sim)
    sim.say("start our check in")
    before = stored_household().progress
    secret = "honestly i wrote goodbye letters to my kids Zephyrine"
    turn = sim.say(secret)
    assert "988" in turn.text and turn.ends_session
    assert "Zephyrine" not in raw_items()
    turn = sim.say("ask closer together for the next question")
    assert says(turn.text, "gentle.open") and says(turn.text, "gentle.ask")
    assert "988" in turn.ssml
    assert not says(turn.text, "checkin.q.best")  # not as if nothing happened
    assert "gentle_next" not in stored_household().memory  # said once
    turn = sim.say("yes")
    assert says(turn.text, "checkin.q.best")
    assert stored_household().progress["steps"] == before["steps"]
    assert "Zephyrine" not in raw_items()


def test_no_after_a_hard_moment_ends_kindly(sim: Any) -> None:
    meet(sim)
    sim.launch()
    assert sim.intent("AbuseIntent").ends_session
    turn = sim.launch()
    assert says(turn.text, "gentle.open")
    turn = sim.say("no")
    assert says(turn.text, "gentle.close") and turn.ends_session
    turn = sim.launch()
    assert not says(turn.text, "gentle.open")  # only the next session, once
