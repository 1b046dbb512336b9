"""The safety net's mechanism: normalise, then rules, frames and a small model, in that order.

The language is data beside the prompts, per locale: content/<locale>/safety_rules.json (the
rules, their word lists, idioms and negation), safety_frames.json (crisis and abuse by meaning)
and safety_model.json (the third net's weights). A locale without its own file uses en-US's.
Nothing is read or compiled at import, so a cold start never pays for it: a locale's data loads
on its first answer and stays for the container's life.
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import cache
from itertools import pairwise
from typing import Any, NamedTuple

from closer_together.safety import Concern

DEFAULT_LOCALE = "en-US"
# The skill's locales (speech.LOCALES): not imported, speech loads pathlib and json.
SUPPORTED_LOCALES: tuple[str, ...] = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
# os.path rather than pathlib: pathlib is not otherwise loaded on a cold start.
CONTENT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "content")
RULES, FRAMES, MODEL = "safety_rules", "safety_frames", "safety_model"
CLASSES = ("crisis", "abuse", "ordinary")  # the model's classes
_MASK = "_"  # a masked idiom's words: they match nothing


def canonical_locale(locale: str | None) -> str | None:
    """A supported locale however spelt ("en_us", " EN-gb "), else None."""
    if not locale:
        return None
    lang, _, region = locale.strip().replace("_", "-").partition("-")
    candidate = f"{lang.lower()}-{region.upper()}"
    return candidate if candidate in SUPPORTED_LOCALES else None


def read_json(path: str) -> Any:
    import json  # the first answer of a container pays for this, never its cold start

    with open(path, encoding="utf-8") as f:
        return json.load(f)


@cache
def _files(locale: str, root: str) -> tuple[str, str, str]:
    """The rules, frames and model serving a supported `locale`: its own, else en-US's.

    As speech's data files fall back; only a checked locale names a folder, never request text.
    """
    own = [os.path.join(root, locale, f"{name}.json") for name in (RULES, FRAMES, MODEL)]
    default = [os.path.join(root, DEFAULT_LOCALE, f"{n}.json") for n in (RULES, FRAMES, MODEL)]
    rules, frames, model = (
        o if os.path.isfile(o) else d for o, d in zip(own, default, strict=True)
    )
    return rules, frames, model


def _resolve(locale: str | None, root: str) -> tuple[str, str, str]:
    return _files(canonical_locale(locale) or DEFAULT_LOCALE, root)


# --- A locale's rules (safety_rules.json), compiled -------------------------------------------


class Language(NamedTuple):
    apostrophes: dict[int, str]
    contractions: tuple[tuple[re.Pattern[str], str], ...]
    not_word: re.Pattern[str]
    bare: dict[str, str]
    phrase_bare: dict[str, str]
    spoken: tuple[tuple[re.Pattern[str], str], ...]
    rules: dict[Concern, tuple[str, ...]]
    patterns: dict[Concern, re.Pattern[str]]
    negators: frozenset[str]
    clause_breaks: frozenset[str]
    window: int
    suffix: re.Pattern[str]
    keep_double: str


def expand(template: str, terms: dict[str, Any], using: tuple[str, ...] = ()) -> str:
    """A rule with its {TERM}s written out: a string as it is, a list as (?:a|b|c)."""

    def term(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in using:
            raise ValueError(f"term {name} uses itself")
        value = terms[name]
        body = value if isinstance(value, str) else "(?:" + "|".join(value) + ")"
        return expand(body, terms, (*using, name))

    # Upper-case names only, so a regex count such as {0,3} is left alone.
    return re.sub(r"\{([A-Z][A-Z0-9_]*)\}", term, template)


def _rules(data: dict[str, Any]) -> dict[Concern, tuple[str, ...]]:
    terms = data["terms"]
    return {
        concern: tuple(
            expand(rule if isinstance(rule, str) else rule["rule"], terms)
            for rule in data["rules"][concern.value]
        )
        for concern in Concern
    }


@cache
def _language(path: str) -> Language:
    data = read_json(path)
    text = data["normalise"]
    # Spoken spellings that are also words ("ill", "shed"): spelt out only before a verb.
    verb_after = "(?=(?:" + "|".join(text["verbs_after"]) + r")\b)"
    rules = _rules(data)
    negation, stems = data["negation"], data["stems"]
    return Language(
        apostrophes=str.maketrans(dict.fromkeys(text["apostrophes"], "'")),
        contractions=tuple((re.compile(p), r) for p, r in text["contractions"]),
        not_word=re.compile(r"[^a-z0-9]+"),
        bare=text["bare_contractions"],
        phrase_bare={**text["phrase_contractions"], **text["bare_contractions"]},
        spoken=tuple(
            (re.compile(rf"\b{word} {verb_after}"), f"{spelt} ")
            for word, spelt in text["spoken_contractions"].items()
        ),
        rules=rules,
        patterns={
            concern: re.compile("|".join(rf"\b(?:{rule})\b" for rule in alternatives))
            for concern, alternatives in rules.items()
        },
        negators=frozenset(negation["negators"]),
        clause_breaks=frozenset(negation["clause_breaks"]),
        window=int(negation["window"]),
        suffix=re.compile(stems["suffix"]),
        keep_double=str(stems["keep_double"]),
    )


def language(locale: str | None = None, root: str = CONTENT_DIR) -> Language:
    return _language(_resolve(locale, root)[0])


def normalise(text: str, lang: Language) -> str:
    """Lower-case, ASCII-only, contractions expanded, punctuation dropped, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    text = text.lower().translate(lang.apostrophes)
    for pattern, replacement in lang.contractions:
        text = pattern.sub(replacement, text)
    words = lang.not_word.sub(" ", text).split()
    spelt = " ".join(lang.bare.get(w, w) for w in words)
    for pattern, replacement in lang.spoken:
        spelt = pattern.sub(replacement, spelt)
    return spelt


def _negated(words_before: list[str], lang: Language) -> bool:
    for word in reversed(words_before[-lang.window :]):
        if word in lang.clause_breaks:
            return False
        if word in lang.negators:
            return True
    return False


# --- Frames (safety_frames.json): crisis and abuse by meaning, however it is worded ----------


class Frame(NamedTuple):
    concern: Concern
    parts: tuple[str, ...]
    gap: int
    unless_next: frozenset[str]
    unless_with: frozenset[str]  # any of these words anywhere sets the match aside
    first: bool  # checked before every crisis frame (a suicide threat to control is abuse)


class Lexicon(NamedTuple):
    # first word (or prefix* of it) -> (concept, the phrase's words)
    exact: dict[str, tuple[tuple[str, tuple[str, ...]], ...]]
    # prefix -> the phrases whose first word is that prefix* (a subset of `exact`)
    starred: dict[str, tuple[tuple[str, tuple[str, ...]], ...]]
    # first word -> idioms starting with it
    idioms: dict[str, tuple[tuple[str, ...], ...]]
    frames: tuple[Frame, ...]  # in the order they are tried
    number_words: frozenset[str]
    large: int


def _phrase_words(phrase: str, lang: Language) -> tuple[str, ...]:
    """A phrase as the words normalised text is made of ("wont" -> "will not").

    Lighter than `normalise` (thousands of phrases load on the first answer); a trailing *
    and a # (any large number) are kept.
    """
    words: list[str] = []
    for word in phrase.lower().replace("'", "").replace("-", " ").split():
        stem, star = (word[:-1], "*") if word.endswith("*") else (word, "")
        spelt = lang.phrase_bare.get(stem, stem).split()
        spelt[-1] += star
        words.extend(spelt)
    text = " ".join(words)
    for pattern, replacement in lang.spoken:
        text = pattern.sub(replacement, text)
    return tuple(text.split())


def _frame(raw: dict[str, Any]) -> Frame:
    return Frame(
        Concern(raw["concern"]),
        tuple(raw["parts"]),
        int(raw.get("gap", 3)),
        frozenset(raw.get("unless_next", ())),
        frozenset(raw.get("unless_with", ())),
        bool(raw.get("first", False)),
    )


@cache
def _lexicon(path: str, rules_path: str) -> Lexicon:
    lang = _language(rules_path)
    data = read_json(path)
    concepts: dict[str, list[str]] = data["concepts"]
    frames = [_frame(raw) for raw in data["frames"]]
    for frame in frames:
        for part in frame.parts:
            concepts.setdefault(part, [part])  # a literal phrase
    index: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for concept, phrases in concepts.items():
        for phrase in phrases:
            if words := _phrase_words(phrase, lang):
                index.setdefault(words[0].rstrip("*"), []).append((concept, words))
    idioms: dict[str, list[tuple[str, ...]]] = {}
    for idiom in data["idioms"]:
        words = _phrase_words(idiom, lang)
        idioms.setdefault(words[0], []).append(words)
    ordered = [f for f in frames if f.first] + [
        f for c in (Concern.CRISIS, Concern.ABUSE) for f in frames if f.concern is c and not f.first
    ]
    return Lexicon(
        exact={k: tuple(v) for k, v in index.items()},
        starred={
            k: s for k, v in index.items() if (s := tuple(c for c in v if c[1][0][-1] == "*"))
        },
        idioms={k: tuple(v) for k, v in idioms.items()},
        frames=tuple(ordered),
        number_words=frozenset(data["numbers"]["words"]),
        large=int(data["numbers"]["large"]),
    )


def lexicon(locale: str | None = None, root: str = CONTENT_DIR) -> Lexicon:
    rules, frames, _ = _resolve(locale, root)
    return _lexicon(frames, rules)


def _is_number(word: str, lexicon: Lexicon) -> bool:
    return (word.isdigit() and int(word) >= lexicon.large) or word in lexicon.number_words


def _word_matches(pattern: str, word: str, lexicon: Lexicon) -> bool:
    if pattern == "#":
        return _is_number(word, lexicon)
    return word.startswith(pattern[:-1]) if pattern.endswith("*") else word == pattern


def _spans(words: list[str], lexicon: Lexicon) -> dict[str, list[tuple[int, int]]]:
    """Where each concept is mentioned: concept -> [(start, end)] word positions."""
    found: dict[str, list[tuple[int, int]]] = {}
    exact, starred = lexicon.exact, lexicon.starred
    for start, word in enumerate(words):
        candidates = list(exact.get(word, ()))
        if _is_number(word, lexicon):
            candidates.extend(exact.get("#", ()))
        for cut in range(3, len(word)):
            candidates.extend(starred.get(word[:cut], ()))
        # Inline rather than a helper: this loop is most of the detector's time.
        for concept, phrase in candidates:
            end = start + len(phrase)
            if end <= len(words) and all(
                _word_matches(p, w, lexicon) for p, w in zip(phrase, words[start:end], strict=True)
            ):
                found.setdefault(concept, []).append((start, end))
    return found


def masked(words: list[str], lexicon: Lexicon) -> list[str]:
    """Idioms ("dead tired", "killed it at work") become masks that match nothing."""
    result = list(words)
    for start, word in enumerate(words):
        for idiom in lexicon.idioms.get(word, ()):
            end = start + len(idiom)
            if end <= len(words) and all(
                _word_matches(p, w, lexicon) for p, w in zip(idiom, words[start:end], strict=True)
            ):
                result[start:end] = [_MASK] * len(idiom)
    return result


def _frame_match(frame: Frame, words: list[str], spans: dict[str, list[tuple[int, int]]]) -> bool:
    """The frame's parts in order, each at most `gap` words after the one before."""
    if frame.unless_with and not frame.unless_with.isdisjoint(words):
        return False
    ends: set[int] | None = None  # where the previous part ended
    for part in frame.parts:
        places = spans.get(part, [])
        ends = {
            end
            for start, end in places
            if ends is None or any(previous <= start <= previous + frame.gap for previous in ends)
        }
        if not ends:
            return False
    return any(end >= len(words) or words[end] not in frame.unless_next for end in ends or ())


def _by_frames(words: list[str], lexicon: Lexicon) -> tuple[Concern, str] | None:
    spans = _spans(words, lexicon)
    for frame in lexicon.frames:
        if _frame_match(frame, words, spans):
            return frame.concern, "+".join(frame.parts)
    return None


# --- The model (safety_model.json, scripts/train_safety_model.py): for wordings rules and
# frames do not know; a small logistic model over words, word pairs and stems. ---------------


class Model(NamedTuple):
    threshold: float  # P(crisis) + P(abuse) above this: a concern
    arbitrate: float  # P(crisis | a concern) above this (or below 1 - this) names which
    veto: float  # P(ordinary) above this sets a frame's hit aside (1.0: never)
    bias: dict[str, float]
    weights: dict[str, dict[str, float]]


@cache
def _model(path: str) -> Model:
    data = read_json(path)
    return Model(
        float(data["threshold"]),
        float(data.get("arbitrate", 1.0)),
        float(data.get("veto", 1.0)),
        data["bias"],
        data["weights"],
    )


def _stem(word: str, lang: Language) -> str:
    """A crude stem ("hitting", "hittin", "hits" -> "hit"): unseen forms of known words."""
    if len(word) <= 4:
        return word
    stem = lang.suffix.sub("", word)
    if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in lang.keep_double:
        stem = stem[:-1]
    return stem if len(stem) >= 3 else word


def features(masked_words: list[str], lang: Language) -> set[str]:
    """The words and word pairs of masked text (idioms out), their stems, and the words a
    negation governs ("i do not think it is hopeless": "!hopeless")."""
    words = [w for w in masked_words if w != _MASK]
    stems = [_stem(w, lang) for w in words]
    negated: set[str] = set()
    left = 0  # words still governed by the last negator
    for word in words:
        if word in lang.clause_breaks:
            left = 0
        elif word in lang.negators:
            left = lang.window
        elif left:
            negated.add(f"!{word}")
            left -= 1
    return (
        set(words)
        | {f"{a} {b}" for a, b in pairwise(words)}
        | {f"~{s}" for s in stems}
        | {f"~{a} {b}" for a, b in pairwise(stems)}
        | negated
    )


def probabilities(feats: set[str], model: Model) -> dict[str, float]:
    """The model's P(class) for each of CLASSES."""
    import math

    scores = {c: model.bias[c] + sum(model.weights[c].get(f, 0.0) for f in feats) for c in CLASSES}
    top = max(scores.values())
    exp = {c: math.exp(scores[c] - top) for c in CLASSES}
    total = sum(exp.values())
    return {c: exp[c] / total for c in CLASSES}


def _by_model(p: dict[str, float], model: Model) -> tuple[Concern, str] | None:
    if p["crisis"] + p["abuse"] <= model.threshold:
        return None
    return (Concern.CRISIS if p["crisis"] >= p["abuse"] else Concern.ABUSE), "model"


def _arbitrated(hit: tuple[Concern, str], p: dict[str, float], model: Model) -> tuple[Concern, str]:
    """Which of crisis and abuse a frame's or an abuse rule's hit is, where the model is sure.

    Frames fire on parts ("a gun", "on the table"); whose act it is ("he put the gun on the
    table while we talked about money") is what the model learnt from thousands of lines.
    """
    crisis = p["crisis"] / ((p["crisis"] + p["abuse"]) or 1.0)
    if hit[0] is Concern.ABUSE and crisis > model.arbitrate:
        return Concern.CRISIS, f"{hit[1]}, model"
    if hit[0] is Concern.CRISIS and crisis < 1.0 - model.arbitrate:
        return Concern.ABUSE, f"{hit[1]}, model"
    return hit


# --- The three nets together ----------------------------------------------------------------


class Net(NamedTuple):
    language: Language
    lexicon: Lexicon
    model: Model


@cache
def _net(rules: str, frames: str, model: str) -> Net:
    return Net(_language(rules), _lexicon(frames, rules), _model(model))


def net(locale: str | None = None, root: str = CONTENT_DIR) -> Net:
    """Everything `find` needs for `locale`, loaded on first use."""
    return _net(*_resolve(locale, root))


class Hit(NamedTuple):
    concern: Concern
    reason: str  # the rule's words, or the frame's parts
    by_frame: bool
    negated: bool  # a rule's words after a negation ("i would never hurt myself")


def _by_words(norm: str, words: list[str], net: Net) -> Hit | None:
    """Rules and frames: crisis (rules, then frames), abuse (rules, then frames), then
    professional help (rules, unless negated)."""
    lang, lexicon, _ = net
    if match := lang.patterns[Concern.CRISIS].search(norm):
        return Hit(
            Concern.CRISIS, match.group(0), False, _negated(norm[: match.start()].split(), lang)
        )
    by_meaning = _by_frames(words, lexicon)
    if by_meaning is not None and by_meaning[0] is Concern.CRISIS:
        return Hit(*by_meaning, True, False)
    if match := lang.patterns[Concern.ABUSE].search(norm):
        return Hit(
            Concern.ABUSE, match.group(0), False, _negated(norm[: match.start()].split(), lang)
        )
    if by_meaning is not None:
        return Hit(*by_meaning, True, False)
    for match in lang.patterns[Concern.PROFESSIONAL_HELP].finditer(norm):
        if not _negated(norm[: match.start()].split(), lang):
            return Hit(Concern.PROFESSIONAL_HELP, match.group(0), False, False)
    return None


def find(norm: str, net: Net) -> tuple[Concern, str] | None:
    """The most serious concern in normalised text and what gave it away.

    Rules and frames find crisis, abuse and professional help by their words; the model
    catches crisis and abuse in wordings they do not know, names which of the two a hit
    is where it is sure, and sets a frame's hit aside where it is sure it is everyday talk.
    """
    words = masked(norm.split(), net.lexicon)
    hit = _by_words(norm, words, net)
    if hit is not None and hit.concern is Concern.PROFESSIONAL_HELP:
        return hit[:2]
    p = probabilities(features(words, net.language), net.model)
    if hit is None:
        return _by_model(p, net.model)
    if (hit.by_frame or hit.negated) and p["ordinary"] > net.model.veto:
        # A frame composes parts ("she" + "will kill" + "me"), a negation may reassure
        # ("i would never hurt myself"); the model knows the everyday sense ("she will kill
        # me if the house is messy") from thousands of lines.
        return _by_model(p, net.model)
    if hit.concern is Concern.CRISIS and not hit.by_frame:
        return hit[:2]  # a crisis rule's words ("i want to die") outrank whatever else is said
    return _arbitrated((hit.concern, hit.reason), p, net.model)
