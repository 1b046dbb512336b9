"""Load tests/data/couple_speech.tsv: how one partner of a couple really answers the skill.

Kept free of pytest and of the skill's code so scripts (scripts/replay_nlu.py) can read the
same file the same way.
"""

from __future__ import annotations

from pathlib import Path

COUPLE_SPEECH = Path(__file__).resolve().parent / "data" / "couple_speech.tsv"

CATEGORIES: tuple[str, ...] = (
    "answer",
    "filler",
    "yesno",
    "command",
    "ritual",
    "timer",
    "timeout",
    "sibling",
)


class CorpusError(ValueError):
    """A corpus line that is not `category<TAB>utterance`."""


def parse_couple_speech(text: str, source: str = "<corpus>") -> list[tuple[str, str]]:
    """(category, utterance) pairs in file order; `#` lines and blank lines are skipped."""
    pairs: list[tuple[str, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        category, tab, utterance = line.partition("\t")
        category, utterance = category.strip(), utterance.strip()
        if not tab or not category or not utterance or "\t" in utterance:
            raise CorpusError(f"{source}:{number}: expected category<TAB>utterance: {line!r}")
        pairs.append((category, utterance))
    return pairs


def load_couple_speech(path: Path | str = COUPLE_SPEECH) -> list[tuple[str, str]]:
    """Every (category, utterance) of the corpus, in file order."""
    path = Path(path)
    return parse_couple_speech(path.read_text(encoding="utf-8"), source=str(path))


# --- The safety net's corpora (tests/test_safety_net.py, scripts/train_safety_model.py) ------

DATA = COUPLE_SPEECH.parent
# The rules and frames were first developed on these two only.
SAFETY_DEVELOPMENT: tuple[str, ...] = ("safety_dev.tsv", "safety_published.tsv")
# Written apart by writers who never saw the detector, each measured unseen first (figures in
# the file's header or the README), then learnt from: the model's data, the frames' too.
SAFETY_LEARNT: tuple[str, ...] = (
    "safety_heldout.tsv",
    "safety_final.tsv",
    "safety_test.tsv",
    "safety_more.tsv",
    "safety_test2.tsv",
    *(f"safety_writer{n}.tsv" for n in (7, 8, 9, 10, 11, 14, 15, 16, 17)),
    *(f"ordinary_writer_{x}.tsv" for x in "abdefg"),
    "safety_unseen_a.tsv",  # measured 2026-12-02: crisis 93.5%
    "safety_unseen_b.tsv",  # measured 2026-12-02: abuse 94.3%
    "ordinary_unseen.tsv",
    "safety_sealed_a.tsv",  # measured 2026-12-03: crisis 86.3%, abuse 84.0%
    "ordinary_sealed.tsv",  # measured 2026-12-03: 12 false alarms in 300
    *(f"safety_writer{n}.tsv" for n in range(18, 27)),  # measured 2026-12-03, in each header
    *(f"ordinary_writer_{x}.tsv" for x in "hij"),
    "safety_sealed_b.tsv",  # measured 2026-12-03: crisis 97.6%, abuse 95.9%, 5 false alarms in 136
    *(f"safety_writer{n}.tsv" for n in range(27, 30)),  # measured 2026-12-03, in each header
    "safety_sealed_c.tsv",  # measured 2026-12-03: crisis 95.1%, abuse 96.0%, 1 false alarm in 134
    *(f"safety_writer{n}.tsv" for n in range(30, 33)),  # measured 2026-12-03, in each header
)


def labelled(name: str, sep: str = "\t") -> list[tuple[str, str]]:
    """(label, text) of a safety corpus in tests/data; `#` lines and blank lines skipped."""
    found = []
    for line in (DATA / name).read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text = line.split(sep)[:2]
            found.append((label, text))
    return found
