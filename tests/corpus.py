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
