"""Offline checks of every interaction model in interaction_models/ and of skill/skill.json.

Structure is validated against the SMAPI swagger spec shipped by the npm package ask-smapi-model
(pinned in package.json; `npm ci` installs it). The spec does not check what the Alexa build
checks about content, so each such build or certification rule is a function below that returns
its findings; every rule is run on the real models and on a small broken model it must catch.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

ROOT = Path(__file__).resolve().parents[1]
MODEL_DIR = ROOT / "interaction_models"
MODEL_FILES = sorted(MODEL_DIR.glob("*.json"))
SKILL_JSON = ROOT / "skill" / "skill.json"
SPEC_PATH = ROOT / "node_modules" / "ask-smapi-model" / "spec.json"
# Every locale the skill publishes (speech.LOCALES; skill/locales.json generates the rest).
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")

MODEL_DEF = "v1.skill.interactionModel.InteractionModelData"
MANIFEST_DEF = "v1.skill.Manifest.SkillManifestEnvelope"

Model = dict[str, Any]
Rule = Callable[[Model], list[str]]


# --- the SMAPI spec ------------------------------------------------------------------------


@cache
def _spec_definitions() -> dict[str, Any]:
    if not SPEC_PATH.is_file():
        pytest.fail(
            f"{SPEC_PATH.relative_to(ROOT)} is missing: run `npm ci` in {ROOT} "
            "(it installs ask-smapi-model, whose spec.json these tests validate against)",
            pytrace=False,
        )
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return spec["definitions"]


def _reachable(definitions: dict[str, Any], root: str) -> set[str]:
    seen: set[str] = set()
    todo = [root]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(re.findall(r'"#/definitions/([^"]+)"', json.dumps(definitions[name])))
    return seen


@cache
def _validator(root: str) -> Draft4Validator:
    """A Draft 4 validator for one swagger definition, with objects closed.

    The spec never sets additionalProperties, so a misspelt key ("sample", "synonym") would
    pass and silently drop data; closing the objects reachable from `root` turns that into an
    error. Definitions with a swagger discriminator stay open: their subtypes add properties
    that Draft 4 cannot see.
    """
    definitions = copy.deepcopy(_spec_definitions())
    for name in _reachable(definitions, root):
        schema = definitions[name]
        if (
            schema.get("type") == "object"
            and "properties" in schema
            and "discriminator" not in schema
            and "additionalProperties" not in schema
        ):
            schema["additionalProperties"] = False
    schema = {"definitions": definitions, "$ref": f"#/definitions/{root}"}
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def _schema_findings(document: Any, root: str) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in _validator(root).iter_errors(document)
    ]


def test_missing_spec_fails_with_npm_ci_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without node_modules the suite must fail loudly, not skip the structural checks.
    monkeypatch.setattr(sys.modules[__name__], "SPEC_PATH", ROOT / "node_modules" / "absent.json")
    _spec_definitions.cache_clear()
    try:
        with pytest.raises(pytest.fail.Exception, match="run `npm ci`"):
            _spec_definitions()
    finally:
        _spec_definitions.cache_clear()


def schema_problems(model: Model) -> list[str]:
    return _schema_findings(model, MODEL_DEF)


# --- walking a model -------------------------------------------------------------------------

SLOT_REF = re.compile(r"\{([^{}]*)\}")


def _language_model(model: Model) -> dict[str, Any]:
    return model.get("interactionModel", {}).get("languageModel", {})


def _intents(model: Model) -> list[dict[str, Any]]:
    return _language_model(model).get("intents", [])


def _dialog(model: Model) -> dict[str, Any]:
    return model.get("interactionModel", {}).get("dialog", {})


def _prompts(model: Model) -> list[dict[str, Any]]:
    return model.get("interactionModel", {}).get("prompts", [])


def _utterances(model: Model) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(where, intent, text) for every intent sample and every slot sample."""
    for intent in _intents(model):
        for sample in intent.get("samples", []):
            yield f"intent {intent.get('name')}", intent, sample
        for slot in intent.get("slots", []):
            for sample in slot.get("samples", []):
                yield f"slot {intent.get('name')}.{slot.get('name')}", intent, sample


def _normalise(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").lower().split())


def _slot_names(intent: dict[str, Any]) -> set[str]:
    return {slot.get("name", "") for slot in intent.get("slots", [])}


def _dialog_prompt_ids(dialog_intent: dict[str, Any]) -> Iterator[str]:
    yield from dialog_intent.get("prompts", {}).values()
    for slot in dialog_intent.get("slots", []):
        yield from slot.get("prompts", {}).values()
        for validation in slot.get("validations", []):
            if "prompt" in validation:
                yield validation["prompt"]


# --- the rules ---------------------------------------------------------------------------------


def slot_problems(model: Model) -> list[str]:
    """Every {slot} in a sample or prompt is a slot of its intent; every slot type exists."""
    problems: list[str] = []
    custom_types = {t.get("name") for t in _language_model(model).get("types", [])}
    for intent in _intents(model):
        for slot in intent.get("slots", []):
            slot_type = slot.get("type")
            if not slot_type:
                problems.append(f"slot {intent.get('name')}.{slot.get('name')} has no type")
            elif not slot_type.startswith("AMAZON.") and slot_type not in custom_types:
                problems.append(
                    f"slot {intent.get('name')}.{slot.get('name')}: type {slot_type!r} is "
                    "neither built-in (AMAZON.*) nor defined in types"
                )
    for where, intent, text in _utterances(model):
        for name in SLOT_REF.findall(text):
            if name not in _slot_names(intent):
                problems.append(f"{where}: {text!r} uses undefined slot {{{name}}}")
    # A prompt speaks the slots of every dialog intent that uses it.
    intents_by_name = {i.get("name"): i for i in _intents(model)}
    users: dict[str, list[str]] = {}
    for dialog_intent in _dialog(model).get("intents", []):
        for prompt_id in _dialog_prompt_ids(dialog_intent):
            users.setdefault(prompt_id, []).append(dialog_intent.get("name", ""))
    for prompt in _prompts(model):
        for variation in prompt.get("variations", []):
            for name in SLOT_REF.findall(variation.get("value", "")):
                for intent_name in users.get(prompt.get("id", ""), []):
                    intent = intents_by_name.get(intent_name, {})
                    if name not in _slot_names(intent):
                        problems.append(
                            f"prompt {prompt.get('id')}: {{{name}}} is not a slot of "
                            f"intent {intent_name}"
                        )
    return problems


def duplicate_sample_problems(model: Model) -> list[str]:
    """No sample twice in one list, and no intent sample in two intents (case/space-folded)."""
    problems: list[str] = []
    owner: dict[str, str] = {}
    lists: list[tuple[str, list[str]]] = []
    for intent in _intents(model):
        lists.append((f"intent {intent.get('name')}", intent.get("samples", [])))
        lists.extend(
            (f"slot {intent.get('name')}.{slot.get('name')}", slot.get("samples", []))
            for slot in intent.get("slots", [])
        )
    for where, samples in lists:
        seen: set[str] = set()
        for sample in samples:
            key = _normalise(sample)
            if key in seen:
                problems.append(f"{where}: sample {sample!r} appears twice")
            seen.add(key)
    for intent in _intents(model):
        name = intent.get("name", "")
        for key in {_normalise(s) for s in intent.get("samples", [])}:
            if key in owner and owner[key] != name:
                problems.append(f"sample {key!r} is in both {owner[key]} and {name}")
            owner.setdefault(key, name)
    return problems


# Launch and wake words that Alexa does not accept inside an invocation name.
FORBIDDEN_INVOCATION_WORDS = frozenset(
    "ask tell open launch begin load play resume run start use alexa amazon echo computer "
    "skill app".split()
)
INVOCATION_WORD = re.compile(r"[a-z]+(?:'s|')?")


def invocation_name_problems(model: Model) -> list[str]:
    name = _language_model(model).get("invocationName", "")
    problems: list[str] = []
    if re.search(r"\d", name):
        problems.append(f"invocation name {name!r} has digits: spell numbers out")
    words = name.split(" ")
    if not all(INVOCATION_WORD.fullmatch(word) for word in words):
        problems.append(
            f"invocation name {name!r}: only lower-case letters, single spaces and "
            "possessive apostrophes are allowed"
        )
    if len(words) < 2:
        problems.append(f"invocation name {name!r} needs two or more words")
    bare = {word.split("'")[0] for word in words}
    for word in sorted(bare & FORBIDDEN_INVOCATION_WORDS):
        problems.append(f"invocation name {name!r} contains the launch/wake word {word!r}")
    if re.search(r"\btalk to\b", name):
        problems.append(f"invocation name {name!r} contains the launch phrase 'talk to'")
    return problems


# A word: letters, joined by inner apostrophes or hyphens, maybe a closing possessive
# apostrophe. Alexa's build also accepts hyphens ("check-in") besides the documented
# apostrophes and abbreviation periods.
SAMPLE_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*['\u2019]?")
# Abbreviation periods: spelled letters ("t.v.", "a.") or a common title ("mr.").
ABBREVIATION = re.compile(r"(?:[^\W\d_]\.)+|(?:mr|mrs|ms|dr|st|jr|sr)\.", re.IGNORECASE)
SLOT_TOKEN = re.compile(r"\{[A-Za-z][A-Za-z0-9_]*\}")


def sample_text_problems(model: Model) -> list[str]:
    """Sample wording: no punctuation but abbreviation periods, apostrophes (and hyphens);
    numbers spelled out; no intent sample made only of slots when one is AMAZON.SearchQuery."""
    problems: list[str] = []
    for where, _, text in _utterances(model):
        if not text.strip():
            problems.append(f"{where}: empty sample")
            continue
        for token in text.split():
            # A slot may carry a possessive ("{name}'s"), so strip slots inside the token.
            word = SLOT_TOKEN.sub("x", token)
            if re.search(r"\d", word):
                problems.append(f"{where}: {text!r} has digits: spell numbers out")
            elif not (SAMPLE_WORD.fullmatch(word) or ABBREVIATION.fullmatch(word)):
                problems.append(f"{where}: {text!r} has punctuation in {token!r}")
    slot_types = {
        (i.get("name"), s.get("name")): s.get("type")
        for i in _intents(model)
        for s in i.get("slots", [])
    }
    for intent in _intents(model):
        for sample in intent.get("samples", []):
            names = SLOT_REF.findall(sample)
            only_slots = not SLOT_REF.sub("", sample).strip()
            if only_slots and any(
                slot_types.get((intent.get("name"), n)) == "AMAZON.SearchQuery" for n in names
            ):
                problems.append(
                    f"intent {intent.get('name')}: {sample!r} is only slots with an "
                    "AMAZON.SearchQuery slot (the build needs a carrier phrase)"
                )
    return problems


REQUIRED_BUILT_INS = frozenset(
    f"AMAZON.{name}Intent"
    for name in (
        "Cancel Help Stop NavigateHome Fallback Yes No Repeat StartOver Pause Resume Next".split()
    )
)


def built_in_problems(model: Model) -> list[str]:
    present = {intent.get("name") for intent in _intents(model)}
    return [f"missing built-in intent {name}" for name in sorted(REQUIRED_BUILT_INS - present)]


def dialog_problems(model: Model) -> list[str]:
    """Dialog intents and slots exist in the language model; referenced prompts exist."""
    problems: list[str] = []
    intents_by_name = {i.get("name"): i for i in _intents(model)}
    prompt_ids = {p.get("id") for p in _prompts(model)}
    for dialog_intent in _dialog(model).get("intents", []):
        name = dialog_intent.get("name")
        intent = intents_by_name.get(name)
        if intent is None:
            problems.append(f"dialog intent {name} is not in the language model")
            intent = {}
        slot_types = {s.get("name"): s.get("type") for s in intent.get("slots", [])}
        for slot in dialog_intent.get("slots", []):
            slot_name = slot.get("name")
            if slot_name not in slot_types:
                problems.append(f"dialog slot {name}.{slot_name} is not a slot of intent {name}")
            elif slot.get("type") != slot_types[slot_name]:
                problems.append(
                    f"dialog slot {name}.{slot_name} has type {slot.get('type')}, the "
                    f"language model says {slot_types[slot_name]}"
                )
        for prompt_id in _dialog_prompt_ids(dialog_intent):
            if prompt_id not in prompt_ids:
                problems.append(f"dialog intent {name} refers to missing prompt {prompt_id!r}")
    return problems


RULES: dict[str, Rule] = {
    "schema": schema_problems,
    "slots": slot_problems,
    "duplicates": duplicate_sample_problems,
    "invocation": invocation_name_problems,
    "sample_text": sample_text_problems,
    "built_ins": built_in_problems,
    "dialog": dialog_problems,
}


# --- the real models -------------------------------------------------------------------------


def _load(path: Path) -> Model:
    return json.loads(path.read_text(encoding="utf-8"))


def test_model_files_exist() -> None:
    assert [MODEL_DIR / f"{locale}.json" for locale in sorted(LOCALES)] == MODEL_FILES


@pytest.mark.parametrize("rule", RULES.values(), ids=RULES.keys())
@pytest.mark.parametrize("path", MODEL_FILES, ids=[p.name for p in MODEL_FILES])
def test_real_model_passes_rule(path: Path, rule: Rule) -> None:
    problems = rule(_load(path))
    assert not problems, "\n".join(problems)


# --- each rule bites ---------------------------------------------------------------------------


def _small_model() -> Model:
    """A tiny model that passes every rule; the negative tests break one thing at a time."""
    built_ins = [{"name": name, "samples": []} for name in sorted(REQUIRED_BUILT_INS)]
    return {
        "interactionModel": {
            "languageModel": {
                "invocationName": "closer together",
                "intents": [
                    *built_ins,
                    {
                        "name": "RitualIntent",
                        "slots": [
                            {"name": "ritual", "type": "RitualType", "samples": ["the {ritual}"]},
                            {"name": "topic", "type": "AMAZON.SearchQuery"},
                        ],
                        "samples": [
                            "start our {ritual}",
                            "let's do the {ritual} about {topic}",
                            "start our check-in",
                            "watch the t.v. with {ritual}",
                        ],
                    },
                    {"name": "TimeoutIntent", "samples": ["take a timeout"]},
                ],
                "types": [
                    {
                        "name": "RitualType",
                        "values": [
                            {"name": {"value": "check in", "synonyms": ["check-in"]}},
                            {"name": {"value": "weekly review", "synonyms": ["review"]}},
                        ],
                    }
                ],
            },
            "dialog": {
                "intents": [
                    {
                        "name": "RitualIntent",
                        "slots": [
                            {
                                "name": "ritual",
                                "type": "RitualType",
                                "elicitationRequired": True,
                                "prompts": {"elicitation": "Elicit.Ritual"},
                            }
                        ],
                    }
                ]
            },
            "prompts": [
                {
                    "id": "Elicit.Ritual",
                    "variations": [{"type": "PlainText", "value": "Which ritual, {ritual}?"}],
                }
            ],
        }
    }


def _intent(model: Model, name: str) -> dict[str, Any]:
    return next(i for i in _intents(model) if i["name"] == name)


def test_small_model_passes_every_rule() -> None:
    model = _small_model()
    assert {name: rule(model) for name, rule in RULES.items()} == {name: [] for name in RULES}


def _break_schema_intent_without_name(m: Model) -> None:
    del _intent(m, "TimeoutIntent")["name"]


def _break_schema_value_without_synonyms(m: Model) -> None:
    del _language_model(m)["types"][0]["values"][0]["name"]["synonyms"]


def _break_schema_misspelt_key(m: Model) -> None:
    intent = _intent(m, "TimeoutIntent")
    intent["sample"] = intent.pop("samples")


def _break_schema_no_invocation(m: Model) -> None:
    del _language_model(m)["invocationName"]


def _break_schema_bad_prompt_type(m: Model) -> None:
    _prompts(m)[0]["variations"][0]["type"] = "Text"


def _break_slots_undefined_in_sample(m: Model) -> None:
    _intent(m, "TimeoutIntent")["samples"].append("take a {minutes} timeout")


def _break_slots_undefined_in_slot_sample(m: Model) -> None:
    _intent(m, "RitualIntent")["slots"][0]["samples"].append("the {rituals}")


def _break_slots_undefined_in_prompt(m: Model) -> None:
    _prompts(m)[0]["variations"].append({"type": "PlainText", "value": "For {partner}?"})


def _break_slots_unknown_type(m: Model) -> None:
    _intent(m, "RitualIntent")["slots"][0]["type"] = "RitualKind"


def _break_duplicates_across_intents(m: Model) -> None:
    _intent(m, "TimeoutIntent")["samples"].append("Start  our check-in")


def _break_duplicates_within_intent(m: Model) -> None:
    _intent(m, "TimeoutIntent")["samples"].append("Take a  Timeout")


def _invocation(name: str) -> Callable[[Model], None]:
    def breaker(m: Model) -> None:
        _language_model(m)["invocationName"] = name

    breaker.__name__ = f"invocation {name!r}"
    return breaker


def _sample(text: str, intent: str = "TimeoutIntent") -> Callable[[Model], None]:
    def breaker(m: Model) -> None:
        _intent(m, intent)["samples"].append(text)

    breaker.__name__ = f"sample {text!r}"
    return breaker


def _break_built_ins_no_next(m: Model) -> None:
    _language_model(m)["intents"] = [i for i in _intents(m) if i["name"] != "AMAZON.NextIntent"]


def _break_dialog_unknown_intent(m: Model) -> None:
    _dialog(m)["intents"][0]["name"] = "RitualsIntent"


def _break_dialog_unknown_slot(m: Model) -> None:
    _dialog(m)["intents"][0]["slots"][0]["name"] = "rituals"


def _break_dialog_slot_type_differs(m: Model) -> None:
    _dialog(m)["intents"][0]["slots"][0]["type"] = "AMAZON.SearchQuery"


def _break_dialog_missing_prompt(m: Model) -> None:
    _prompts(m)[0]["id"] = "Elicit.Ritual.Other"


BREAKAGES: list[tuple[str, Callable[[Model], None]]] = [
    ("schema", _break_schema_intent_without_name),
    ("schema", _break_schema_value_without_synonyms),
    ("schema", _break_schema_misspelt_key),
    ("schema", _break_schema_no_invocation),
    ("schema", _break_schema_bad_prompt_type),
    ("slots", _break_slots_undefined_in_sample),
    ("slots", _break_slots_undefined_in_slot_sample),
    ("slots", _break_slots_undefined_in_prompt),
    ("slots", _break_slots_unknown_type),
    ("duplicates", _break_duplicates_across_intents),
    ("duplicates", _break_duplicates_within_intent),
    ("invocation", _invocation("closer")),
    ("invocation", _invocation("Closer Together")),
    ("invocation", _invocation("closer together 2")),
    ("invocation", _invocation("closer  together")),
    ("invocation", _invocation("closer-together app")),
    ("invocation", _invocation("ask closer together")),
    ("invocation", _invocation("closer together skill")),
    ("invocation", _invocation("talk to us together")),
    ("invocation", _invocation("alexa's together")),
    ("sample_text", _sample("we need a timeout!")),
    ("sample_text", _sample("we need a timeout, please")),
    ("sample_text", _sample("timeout for 20 minutes")),
    ("sample_text", _sample("we need a timeout.")),
    ("sample_text", _sample("a timeout {topic")),
    ("sample_text", _sample("{topic}", intent="RitualIntent")),
    ("sample_text", _sample("{ritual} {topic}", intent="RitualIntent")),
    ("built_ins", _break_built_ins_no_next),
    ("dialog", _break_dialog_unknown_intent),
    ("dialog", _break_dialog_unknown_slot),
    ("dialog", _break_dialog_slot_type_differs),
    ("dialog", _break_dialog_missing_prompt),
]


@pytest.mark.parametrize(
    ("rule_name", "breaker"),
    BREAKAGES,
    ids=[f"{rule}-{breaker.__name__.removeprefix('_break_')}" for rule, breaker in BREAKAGES],
)
def test_rule_catches_broken_model(rule_name: str, breaker: Callable[[Model], None]) -> None:
    model = _small_model()
    breaker(model)
    assert RULES[rule_name](model), f"{rule_name} rule missed: {breaker.__name__}"


def test_every_rule_has_a_negative_test() -> None:
    assert {rule for rule, _ in BREAKAGES} == set(RULES)


def test_sample_text_accepts_spoken_forms() -> None:
    # Forms the rules must not reject: possessives, contractions, abbreviations, slot possessive.
    model = _small_model()
    _intent(model, "TimeoutIntent")["samples"].extend(
        ["it's our partners' turn", "ask mr. smith", "we're done with a. b. c."]
    )
    _intent(model, "RitualIntent")["samples"].append("it's {ritual}'s time")
    assert sample_text_problems(model) == []


# --- skill/skill.json ----------------------------------------------------------------------------

# The manifest's category is a free string in the spec; these are the values the SMAPI
# manifest reference lists.
SKILL_CATEGORIES = frozenset(
    """ALARMS_AND_CLOCKS ASTROLOGY BUSINESS_AND_FINANCE CALCULATORS CALENDARS_AND_REMINDERS
    CHILDRENS_EDUCATION_AND_REFERENCE CHILDRENS_GAMES CHILDRENS_MUSIC_AND_AUDIO
    CHILDRENS_NOVELTY_AND_HUMOR COMMUNICATION CONNECTED_CAR COOKING_AND_RECIPE
    CURRENCY_GUIDES_AND_CONVERTERS DATING DELIVERY_AND_TAKEOUT DEVICE_TRACKING
    EDUCATION_AND_REFERENCE EVENT_FINDERS EXERCISE_AND_WORKOUT FASHION_AND_STYLE FLIGHT_FINDERS
    FRIENDS_AND_FAMILY GAME_INFO_AND_ACCESSORY GAMES HEALTH_AND_FITNESS HOTEL_FINDERS
    KNOWLEDGE_AND_TRIVIA MOVIE_AND_TV_KNOWLEDGE_AND_TRIVIA MOVIE_INFO_AND_REVIEWS MOVIE_SHOWTIMES
    MUSIC_AND_AUDIO_ACCESSORIES MUSIC_AND_AUDIO_KNOWLEDGE_AND_TRIVIA
    MUSIC_INFO_REVIEWS_AND_RECOGNITION_SERVICE NAVIGATION_AND_TRIP_PLANNER NEWS NOVELTY
    ORGANIZERS_AND_ASSISTANTS PETS_AND_ANIMAL PODCAST PUBLIC_TRANSPORTATION
    RELIGION_AND_SPIRITUALITY RESTAURANT_BOOKING_INFO_AND_REVIEW SCHOOLS SCORE_KEEPING
    SELF_IMPROVEMENT SHOPPING SMART_HOME SOCIAL_NETWORKING SPORTS_GAMES SPORTS_NEWS
    STREAMING_SERVICE TAXI_AND_RIDESHARING TO_DO_LISTS_AND_NOTES TRANSLATORS TV_GUIDES
    UNIT_CONVERTERS WEATHER WINE_AND_BEVERAGE ZIP_CODE_LOOKUP""".split()
)
PERMISSIONS = {
    "alexa::alerts:reminders:skill:readwrite",
    "alexa::alerts:timers:skill:readwrite",
    "alexa::person_id:read",
}
EVENTS = {
    "SKILL_ENABLED",
    "SKILL_DISABLED",
    "SKILL_PERMISSION_ACCEPTED",
    "SKILL_PERMISSION_CHANGED",
    "REMINDER_CREATED",
    "REMINDER_UPDATED",
    "REMINDER_DELETED",
    "REMINDER_STATUS_CHANGED",
    "REMINDER_STARTED",
}


def _manifest() -> dict[str, Any]:
    return _load(SKILL_JSON)["manifest"]


def test_skill_json_matches_smapi_manifest_schema() -> None:
    assert _schema_findings(_load(SKILL_JSON), MANIFEST_DEF) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("permissions", 0, "name"), "alexa::alerts:reminders:readwrite"),
        (("events", "subscriptions", 0, "eventName"), "SKILL_ENABLE"),
        (("apis", "custom", "endpoint", "uri"), "lambda:replace-at-deploy"),
        (("manifestVersion",), "2.0"),
        (("publishingInformation", "locales", "en-US", "summary"), "x" * 161),
        (("publishingInformation", "distributionCountries", 0), "USA"),
        (("privacyAndCompliance", "usesPersonalInfo"), "yes"),
        (("publishingInformation", "locales", "en-US", "examplephrases"), []),
    ],
    ids=lambda v: "/".join(map(str, v)) if isinstance(v, tuple) else None,
)
def test_manifest_schema_rejects_broken_copy(path: tuple[str | int, ...], value: Any) -> None:
    document = _load(SKILL_JSON)
    node: Any = document["manifest"]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert _schema_findings(document, MANIFEST_DEF)


def test_manifest_publishing_information() -> None:
    info = _manifest()["publishingInformation"]
    assert info["category"] in SKILL_CATEGORIES
    assert info["isAvailableWorldwide"] is False
    assert info["distributionCountries"] == ["US", "GB", "CA", "AU", "IN"]
    assert info["testingInstructions"].strip()
    assert set(info["locales"]) == set(LOCALES)
    for locale in info["locales"].values():
        assert locale["name"] == "Closer Together"
        assert locale["summary"].strip() and locale["keywords"]
        # The store listing must say plainly that this is not therapy (PRODUCT.md).
        assert re.search(r"\bnot\b[^.]*\btherapy\b", locale["description"], re.IGNORECASE)


def test_every_published_locale_has_an_interaction_model() -> None:
    published = set(_manifest()["publishingInformation"]["locales"])
    assert published == {path.stem for path in MODEL_FILES}


def test_manifest_privacy_permissions_and_events() -> None:
    manifest = _manifest()
    assert manifest["manifestVersion"] == "1.0"
    privacy = manifest["privacyAndCompliance"]
    assert privacy["allowsPurchases"] is False
    assert privacy["usesPersonalInfo"] is True  # first names and saved answers
    assert privacy["isChildDirected"] is False
    assert privacy["isExportCompliant"] is True
    assert privacy["containsAds"] is False
    assert set(privacy["locales"]) == set(LOCALES)
    for urls in privacy["locales"].values():
        for url in urls.values():
            assert url.startswith("https://")
    assert {p["name"] for p in manifest["permissions"]} == PERMISSIONS
    assert {e["eventName"] for e in manifest["events"]["subscriptions"]} == EVENTS
    custom = manifest["apis"]["custom"]
    # Screens: Echo Show 5 to 15, Echo Spot, TVs (APL documents in content/apl/).
    (apl,) = custom["interfaces"]
    assert apl["type"] == "ALEXA_PRESENTATION_APL"
    assert {(v["mode"], v["shape"]) for v in apl["supportedViewports"]} == {
        ("HUB", "ROUND"),
        ("HUB", "RECTANGLE"),
        ("TV", "RECTANGLE"),
    }
    # Skill events go to the same function as requests.
    assert manifest["events"]["endpoint"]["uri"] == custom["endpoint"]["uri"]


def _sample_patterns(model: Model) -> list[re.Pattern[str]]:
    """A regex per intent sample that has at least one literal word. A custom-typed {slot}
    matches one of its type's values or synonyms; a built-in-typed one matches any words."""
    values: dict[str, list[str]] = {}
    for slot_type in _language_model(model).get("types", []):
        names = [v.get("name", {}) for v in slot_type.get("values", [])]
        values[slot_type.get("name", "")] = [
            _normalise(text) for n in names for text in [n.get("value", ""), *n.get("synonyms", [])]
        ]
    patterns: list[re.Pattern[str]] = []
    for intent in _intents(model):
        slot_types = {s.get("name"): s.get("type", "") for s in intent.get("slots", [])}
        for sample in intent.get("samples", []):
            words = _normalise(sample).split()
            if all(SLOT_REF.fullmatch(word) for word in words):
                continue  # a bare slot would "match" any phrase
            parts: list[str] = []
            for word in words:
                ref = SLOT_REF.fullmatch(word)
                if ref is None:
                    parts.append(re.escape(word))
                    continue
                slot_type = next(
                    (t for n, t in slot_types.items() if n and n.lower() == ref.group(1)), ""
                )
                if slot_type in values:
                    parts.append("(?:" + "|".join(map(re.escape, values[slot_type])) + ")")
                else:
                    parts.append(r"\S+(?: \S+)*")
            patterns.append(re.compile(" ".join(parts)))
    return patterns


def example_phrase_problems(phrases: list[str], model: Model) -> list[str]:
    """Certification rules for examplePhrases: three of them; the first opens the skill; the
    others are "Alexa, ask|tell <invocation> to <utterance>" where the utterance is one of the
    model's samples with its slots filled in."""
    invocation = _language_model(model)["invocationName"]
    problems: list[str] = []
    if len(phrases) != 3:
        problems.append(f"expected exactly three example phrases, got {len(phrases)}")
    if not phrases or phrases[0] != f"Alexa, open {invocation}":
        problems.append(f"the first example phrase must be 'Alexa, open {invocation}'")
    patterns = _sample_patterns(model)
    ask = re.compile(rf"Alexa, (?:ask|tell) {re.escape(invocation)} to (.+)")
    for phrase in phrases[1:]:
        match = ask.fullmatch(phrase)
        if match is None:
            problems.append(f"{phrase!r} is not 'Alexa, ask|tell {invocation} to ...'")
        elif not any(p.fullmatch(_normalise(match.group(1))) for p in patterns):
            problems.append(f"{phrase!r}: {match.group(1)!r} is not a sample utterance")
    return problems


@pytest.mark.parametrize("locale", LOCALES)
def test_example_phrases_come_from_the_samples(locale: str) -> None:
    """Each locale's example phrases, against that locale's own model."""
    phrases = _manifest()["publishingInformation"]["locales"][locale]["examplePhrases"]
    problems = example_phrase_problems(phrases, _load(MODEL_DIR / f"{locale}.json"))
    assert not problems, "\n".join(problems)


GOOD_PHRASES = [
    "Alexa, open closer together",
    "Alexa, ask closer together to start our check-in",
    "Alexa, tell closer together to start our weekly review",  # via "start our {ritual}"
]


def test_example_phrase_rule_accepts_good_phrases() -> None:
    assert example_phrase_problems(GOOD_PHRASES, _small_model()) == []


@pytest.mark.parametrize(
    "phrases",
    [
        GOOD_PHRASES[:2],
        [*GOOD_PHRASES, "Alexa, tell closer together to take a timeout"],
        [GOOD_PHRASES[1], GOOD_PHRASES[0], GOOD_PHRASES[2]],
        [*GOOD_PHRASES[:2], "Alexa, ask closer together to begin the weekly review"],
        [*GOOD_PHRASES[:2], "Alexa, ask closer together take a timeout"],
        [*GOOD_PHRASES[:2], "Alexa, tell closer together to take a timeout please"],
        [*GOOD_PHRASES[:2], "Alexa, tell closer together to start our monthly review"],
        [*GOOD_PHRASES[:2], "Alexa, tell together to take a timeout"],
    ],
    ids=[
        "two",
        "four",
        "open-not-first",
        "not-a-sample",
        "no-connector",
        "extra-word",
        "not-a-slot-value",
        "name",
    ],
)
def test_example_phrase_rule_catches(phrases: list[str]) -> None:
    assert example_phrase_problems(phrases, _small_model())
