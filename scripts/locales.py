#!/usr/bin/env python3
"""Write every English locale's interaction model and store listing from one source.

    python3 scripts/locales.py            write interaction_models/<locale>.json and skill.json
    python3 scripts/locales.py --check    exit 1 (naming the files) if writing would change any

The source is interaction_models/en-US.json and the en-US entries of skill/skill.json; the
per-locale differences live in skill/locales.json (spelling and words people say, the
country, and the listing's crisis sentence). A change to an intent is made in en-US.json
only, then this script carries it to every locale; tests/test_locales.py fails while a
generated file is out of date.

Samples: a sample holding an en-US word is kept and gains a copy with the local word
("my favorite part was {answer}" and "my favourite part was {answer}"), since both are
said; slot values gain the local word as a synonym. The listing (name, summary,
description, example phrases, keywords) takes the local words, and its crisis sentence
is the locale's own.
"""

from __future__ import annotations

import argparse
import copy
import functools
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MODEL_DIR = ROOT / "interaction_models"
SKILL_JSON = ROOT / "skill" / "skill.json"
LOCALES_JSON = ROOT / "skill" / "locales.json"
CRISIS_SENTENCE = re.compile(r"If you are in crisis\b.*\Z", re.DOTALL)

Words = list[tuple[str, str]]


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def dump(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _match_case(found: str, local: str) -> str:
    if found.isupper() and len(found) > 1:
        return local.upper()
    if found[:1].isupper():
        return local[:1].upper() + local[1:]
    return local


def localise(text: str, words: Words) -> str:
    """`text` with every en-US word of `words` (whole words, any case) in its local form."""
    for us, local in words:
        pattern = re.compile(rf"\b{re.escape(us)}\b", re.IGNORECASE)
        text = pattern.sub(functools.partial(_replace, local), text)
    return text


def _replace(local: str, match: re.Match[str]) -> str:
    return _match_case(match.group(0), local)


def _with_local(samples: list[str], words: Words) -> list[str]:
    """Each sample, followed by its local form where that differs and is not there yet."""
    out: list[str] = []
    seen: set[str] = set()
    for sample in samples:
        for candidate in (sample, localise(sample, words)):
            key = candidate.lower()
            if key not in seen:
                seen.add(key)
                out.append(candidate)
    return out


def model_for(source: dict[str, Any], words: Words) -> dict[str, Any]:
    model = copy.deepcopy(source)
    language = model["interactionModel"]["languageModel"]
    for intent in language.get("intents", []):
        if "samples" in intent:
            intent["samples"] = _with_local(intent["samples"], words)
        for slot in intent.get("slots", []):
            if "samples" in slot:
                slot["samples"] = _with_local(slot["samples"], words)
    for slot_type in language.get("types", []):
        for value in slot_type.get("values", []):
            name = value.get("name", {})
            said = [name.get("value", ""), *name.get("synonyms", [])]
            extra = [s for s in _with_local(said, words) if s.lower() not in map(str.lower, said)]
            if extra:
                name["synonyms"] = [*name.get("synonyms", []), *extra]
    return model


def listing_for(source: dict[str, Any], words: Words, crisis: str | None) -> dict[str, Any]:
    listing: dict[str, Any] = {}
    for key, value in source.items():
        if isinstance(value, str):
            listing[key] = localise(value, words)
        elif isinstance(value, list):
            listing[key] = [localise(v, words) if isinstance(v, str) else v for v in value]
        else:
            listing[key] = copy.deepcopy(value)
    if crisis is not None:
        description, found = CRISIS_SENTENCE.subn(crisis, listing["description"])
        if found != 1:
            raise ValueError(
                "the en-US description has no sentence starting 'If you are in crisis'"
            )
        listing["description"] = description
    return listing


def generate() -> dict[Path, str]:
    """Every file this script owns, as it should read."""
    config = load(LOCALES_JSON)
    source_locale = config["source"]
    source_model = load(MODEL_DIR / f"{source_locale}.json")
    skill = load(SKILL_JSON)
    manifest = skill["manifest"]
    publishing = manifest["publishingInformation"]
    privacy = manifest["privacyAndCompliance"]
    source_listing = publishing["locales"][source_locale]
    source_privacy = privacy["locales"][source_locale]

    files: dict[Path, str] = {}
    listings: dict[str, Any] = {}
    privacy_locales: dict[str, Any] = {}
    countries: list[str] = []
    for locale, spec in config["locales"].items():
        words: Words = [(us, local) for us, local in spec.get("words", [])]
        countries.append(spec["country"])
        privacy_locales[locale] = copy.deepcopy(source_privacy)
        if locale == source_locale:
            listings[locale] = source_listing
            continue
        files[MODEL_DIR / f"{locale}.json"] = dump(model_for(source_model, words))
        listings[locale] = listing_for(source_listing, words, spec.get("crisis_listing"))
    publishing["locales"] = listings
    publishing["distributionCountries"] = countries
    privacy["locales"] = privacy_locales
    files[SKILL_JSON] = dump(skill)
    return files


def stale() -> list[Path]:
    """The generated files that differ from what `generate` would write."""
    return [
        path
        for path, text in generate().items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report out-of-date files")
    args = parser.parse_args(argv)
    if args.check:
        out_of_date = stale()
        for path in out_of_date:
            print(f"out of date: {path.relative_to(ROOT)} (run scripts/locales.py)")
        return 1 if out_of_date else 0
    for path, text in generate().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
