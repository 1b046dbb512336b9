"""Refresh the CrisisIntent and AbuseIntent samples of an interaction model from the
development half of the safety corpus (tests/data/safety_dev.tsv, safety_published.tsv).

AMAZON.FallbackIntent carries no words, so outside a question these samples are the only
net for a crisis or abuse said to the skill. The held-out corpora are never used here.

    python scripts/safety_samples.py interaction_models/en-US.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("safety_dev.tsv", "safety_published.tsv")
INTENTS = {"crisis": "CrisisIntent", "abuse": "AbuseIntent"}
CONTRACTIONS = {
    "im": "i'm",
    "ive": "i've",
    "id": "i'd",
    "dont": "don't",
    "cant": "can't",
    "wont": "won't",
    "didnt": "didn't",
    "doesnt": "doesn't",
    "isnt": "isn't",
    "wasnt": "wasn't",
    "hes": "he's",
    "shes": "she's",
    "theres": "there's",
    "thats": "that's",
    "youre": "you're",
    "theyre": "they're",
    "wouldnt": "wouldn't",
    "couldnt": "couldn't",
    "havent": "haven't",
    "its": "it's",
}
FILLERS = ("um ", "uh ", "like ", "so ", "honestly ", "i mean ", "you know ", "well ")
MAX_CHARS = 140


def spoken(text: str) -> str | None:
    """A corpus line as a sample utterance, or None when it cannot be one."""
    text = " ".join(text.lower().split())
    changed = True
    while changed:
        changed = False
        for filler in FILLERS:
            if text.startswith(filler):
                text, changed = text[len(filler) :], True
    words = [CONTRACTIONS.get(w, w) for w in text.split()]
    sample = " ".join(words)
    if not re.fullmatch(r"[a-z' ]+", sample) or len(sample) > MAX_CHARS or len(words) < 2:
        return None
    return sample


def main(model_path: str) -> int:
    path = Path(model_path)
    model = json.loads(path.read_text("utf-8"))
    intents = {i["name"]: i for i in model["interactionModel"]["languageModel"]["intents"]}
    taken = {s for name, i in intents.items() if name not in INTENTS.values() for s in i["samples"]}
    for source in SOURCES:
        for raw in (ROOT / "tests" / "data" / source).read_text("utf-8").splitlines():
            if not raw.strip() or raw.startswith("#"):
                continue
            category, text = raw.split("\t")[:2]
            sample = spoken(text) if category in INTENTS else None
            samples = intents[INTENTS[category]]["samples"] if category in INTENTS else []
            if sample and sample not in taken and sample not in samples:
                samples.append(sample)
    path.write_text(json.dumps(model, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print({name: len(intents[name]["samples"]) for name in INTENTS.values()})
    return 0


if __name__ == "__main__":
    sys.exit(
        main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "interaction_models/en-US.json"))
    )
