"""The README's table of what a couple can say holds on the honest NLU (real Alexa's ways)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from alexa_local.nlu import FALLBACK, Nlu

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "interaction_models" / "en-US.json"


def readme_phrases() -> list[tuple[str, str]]:
    """(ritual, phrase) for every quoted phrase of the table, as a couple would say it."""
    text = (ROOT / "README.md").read_text("utf-8")
    table = text.split("## What a couple can say", 1)[1].split("\n\n", 2)[1]
    found = []
    for row in table.splitlines()[2:]:
        ritual, said = row.strip("|").split("|", 1)
        for phrase in re.findall(r'"([^"]+)"', said):
            phrase = phrase.strip().rstrip(".?!")
            phrase = re.sub(r"^\.\.\.\s*", "ask closer together ", phrase)
            phrase = re.sub(r"^Alexa,\s*", "", phrase)
            found.append((ritual.strip(), phrase))
    return found


PHRASES = readme_phrases()


def test_the_table_has_phrases_for_every_ritual() -> None:
    assert len(PHRASES) >= 20
    assert len({ritual for ritual, _ in PHRASES}) >= 7


@pytest.mark.parametrize(("ritual", "phrase"), PHRASES, ids=[p for _, p in PHRASES])
def test_every_phrase_of_the_readme_reaches_an_intent(ritual: str, phrase: str) -> None:
    heard = Nlu.from_file(MODEL, mode="honest").understand(phrase)
    assert heard.request_type == "LaunchRequest" or heard.intent_name != FALLBACK, (ritual, phrase)
