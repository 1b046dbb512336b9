"""Tests for the concern detector and the fixed safety messages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from closer_together import concern_matcher, concerns
from closer_together.concerns import SUPPORTED_LOCALES, Concern, detect, normalise, safety_message

DATA = Path(__file__).parent / "data"
CONTENT = Path(concerns.__file__).parent / "content"
LAMBDA_DIR = Path(concerns.__file__).parents[1]


def _lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _labelled(name: str) -> list[tuple[Concern, str]]:
    pairs = []
    for line in _lines(name):
        label, _, text = line.partition("|")
        pairs.append((Concern(label), text))
    return pairs


CRISIS_AND_ABUSE = _labelled("crisis_phrasings.txt")
ORDINARY = _lines("ordinary_answers.txt")

PROFESSIONAL_HELP = [
    "we keep fighting",
    "We keep fighting about the same things",
    "me and my husband are always arguing",
    "it's hopeless",
    "honestly it feels hopeless with us",
    "I feel hopeless about our relationship",
    "we've stopped trying",
    "I think we've both given up on us",
    "nothing ever changes",
    "nothing ever changes no matter what we do",
    "he will never change",
    "we fight every day",
    "we argue all the time now",
    "we've been fighting a lot lately",
    "we keep having the same argument",
    "I've been thinking about divorce",
    "we talked about breaking up",
    "maybe we should split up",
    "I want a divorce",
    "I think we need therapy",
    "should we see a counselor",
    "maybe we should try couples counselling",
    "I've been looking for a couples therapist",
    "we could use some professional help",
    "I think we should get help",
    "should we see someone",
    "our arguments keep getting worse",
    "every conversation turns into a fight",
    "we had another screaming match last night",
    "things keep escalating between us",
    "I feel like we're just roommates now",
    "we don't talk anymore",
    "I don't know if we can fix this",
    "we can't go on like this",
    "I'm not sure I love her anymore",
    "I think I'm falling out of love",
    "there's no point even trying",
    "what's the point of us",
    "our marriage is falling apart",
    "I don't think this is working anymore",
    "I feel so alone in this marriage",
    "I'm not sure this relationship can be saved",
    "we need help with our relationship",
    "it's the same fight over and over",
    "there's no hope for us",
    "there's no point talking about it",
    "it feels like we are falling apart",
    "our relationship is just not working",
    "we are not working anymore",
    "this is not working anymore",
    "we need help as a couple",
    "would emotionally focused therapy help us",
    "we really need help",
    "how do we save our marriage",
    "maybe we should talk to someone together",
    "I don't love you anymore",
    "we can't fix this",
    "I'm unhappy in our relationship",
]


# --- detection: recall ----------------------------------------------------------------------


def test_crisis_and_abuse_data_is_large_and_varied() -> None:
    labels = [label for label, _ in CRISIS_AND_ABUSE]
    assert len(CRISIS_AND_ABUSE) >= 40
    assert labels.count(Concern.CRISIS) >= 20
    assert labels.count(Concern.ABUSE) >= 20
    assert len({text.lower() for _, text in CRISIS_AND_ABUSE}) == len(CRISIS_AND_ABUSE)


def test_every_crisis_and_abuse_phrasing_is_detected_with_its_category() -> None:
    wrong = [(label, text, detect(text)) for label, text in CRISIS_AND_ABUSE]
    wrong = [w for w in wrong if w[0] != w[2]]
    for label, text, got in wrong:
        print(f"expected {label}, got {got}: {text!r}")
    assert wrong == []


def test_every_professional_help_phrasing_is_detected() -> None:
    assert len(PROFESSIONAL_HELP) >= 20
    wrong = [(text, detect(text)) for text in PROFESSIONAL_HELP]
    wrong = [w for w in wrong if w[1] != Concern.PROFESSIONAL_HELP]
    for text, got in wrong:
        print(f"expected professional_help, got {got}: {text!r}")
    assert wrong == []


def test_every_rule_is_exercised_by_the_test_phrasings() -> None:
    # A rule no phrasing reaches is either dead or broken (a stray space, say).
    examples = {concern: [] for concern in Concern}
    for label, text in CRISIS_AND_ABUSE:
        examples[label].append(normalise(text))
    examples[Concern.PROFESSIONAL_HELP] = [normalise(t) for t in PROFESSIONAL_HELP]
    unused = [
        (concern.value, rule)
        for concern, rules in concern_matcher.language().rules.items()
        for rule in rules
        if not any(re.search(rf"\b(?:{rule})\b", text) for text in examples[concern])
    ]
    assert unused == []


# --- detection: false positives -------------------------------------------------------------


def test_ordinary_answers_rarely_trigger_anything() -> None:
    assert len(ORDINARY) >= 100
    net = concern_matcher.net()
    fired = [(text, concern_matcher.find(normalise(text), net)) for text in ORDINARY]
    fired = [(text, found) for text, found in fired if found is not None]
    for text, (concern, fragment) in fired:
        print(f"false positive {concern.value} on {fragment!r}: {text!r}")
    print(f"{len(fired)} of {len(ORDINARY)} ordinary answers fired")
    assert len(fired) / len(ORDINARY) < 0.02


@pytest.mark.parametrize(
    "text",
    [
        "this deadline is killing me",
        "I could kill for a coffee",
        "I died laughing",
        "the traffic was murder",
        "my feet are killing me",
        "we hit the gym",
        "the kids were fighting",
        "the heat hurt",
        "I'm dying to see that movie",
        "she threw a surprise party",
        "he hit a home run",
        "I'm scared of spiders",
        "I was afraid I'd miss the train",
        "she pushed me to apply for the job",
        "he beat me at chess",
        "it finally hit me how lucky I am",
        "I hurt myself at the gym",
        "I cut myself chopping onions",
        "I'm hopeless at cooking",
        "I stopped trying to fix the printer",
    ],
)
def test_everyday_idioms_are_not_concerns(text: str) -> None:
    assert detect(text) is None


# --- detection: priority, negation, input handling ------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("we keep fighting and he hits me", Concern.ABUSE),
        ("he hits me and I want to die", Concern.CRISIS),
        ("we need therapy, I don't want to be here anymore", Concern.CRISIS),
        ("I'm scared of him and we keep fighting", Concern.ABUSE),
    ],
)
def test_crisis_outranks_abuse_outranks_professional_help(text: str, expected: Concern) -> None:
    assert detect(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "we don't need therapy, we just need sleep",
        "it's not hopeless, we just need time",
        "I don't think it's hopeless",
        "we haven't stopped trying",
        "we never fight every day like my parents did",
        "we're not fighting as much as we used to",
    ],
)
def test_negation_sets_aside_professional_help(text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # When unsure, crisis and abuse are detected: a needless message costs little. Negation
        # alone sets nothing aside; only the model, all but certain it is everyday talk, can.
        ("I'm not suicidal, just tired", Concern.CRISIS),
        ("I would never hurt myself", Concern.CRISIS),
        ("he says he'll never hit me again", Concern.ABUSE),
        ("he didn't hit me this time", Concern.ABUSE),
        ("she said she'd kill me if I ate her leftovers", Concern.ABUSE),
    ],
)
def test_negation_alone_never_hides_crisis_or_abuse(text: str, expected: Concern) -> None:
    assert detect(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the week went okay apart from the fact i nearly hung myself on wednesday",
        "she hanged herself in the garage and my brother found her",
        "i been thinkin bout suey side a lot",
        "been shelf harming again sorry",
    ],
)
def test_past_tenses_and_mis_hearings_of_crisis_are_heard(text: str) -> None:
    assert detect(text) is Concern.CRISIS


def test_unsure_whether_to_get_therapy_still_counts() -> None:
    # "if" ends the look-back, so the doubt does not read as a negation.
    assert detect("I'm not sure if we should see a therapist") == Concern.PROFESSIONAL_HELP


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("I’m", "i am"),
        ("im", "i am"),
        ("don’t", "do not"),
        ("dont", "do not"),
        ("CAN'T", "can not"),
        ("cannot", "can not"),
        ("won't", "will not"),
        ("she's", "she is"),
        ("my partner's", "my partners"),
        ("I'd", "i would"),
        ("self-harm", "self harm"),
        ("Fiancé & me!! 😢", "fiance and me"),
        ("  lots\t of\nspace ", "lots of space"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize("text", ["", "   ", "😊", "<speak>&amp;</speak>", "1234", "'''", "\u200b"])
def test_empty_and_odd_input_is_not_a_concern(text: str) -> None:
    assert detect(text) is None


def test_long_input_is_still_detected() -> None:
    # Its speed is the benchmark's business (bench/), not a wall clock a busy machine trips.
    long_answer = "we went for a long walk and talked about the garden " * 400
    assert detect(long_answer) is None
    assert detect(long_answer + "and I want to end it all") == Concern.CRISIS


def test_import_is_cheap_and_patterns_compile_on_first_use() -> None:
    script = (
        "import sys\n"
        "from closer_together import concerns, concern_matcher as m\n"
        "loaded = (m._files, m._language, m._lexicon, m._model, m._net)\n"
        "assert all(f.cache_info().currsize == 0 for f in loaded)\n"
        "assert 'ask_sdk_core' not in sys.modules and 'json' not in sys.modules\n"
        "assert 'dataclasses' not in sys.modules and 'closer_together.speech' not in sys.modules\n"
        "assert concerns.detect('he hits me') == concerns.Concern.ABUSE\n"
        "assert all(f.cache_info().currsize == 1 for f in loaded)\n"
        "assert concerns.detect('we went for a walk', 'en-GB') is None\n"
        "assert m._language.cache_info().currsize == 1  # en-GB has no rules of its own\n"
    )
    env = {**os.environ, "PYTHONPATH": str(LAMBDA_DIR)}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


# --- safety messages --------------------------------------------------------------------------


def _all_messages() -> list[tuple[str, Concern]]:
    return [(locale, concern) for locale in SUPPORTED_LOCALES for concern in Concern]


def _spoken(message: concerns.SafetyMessage) -> str:
    return f"{message.text}\n{message.ssml}"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_each_locale_file_is_valid_json_with_all_three_messages(locale: str) -> None:
    path = CONTENT / locale / "safety.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["locale"] == locale
    assert set(data["messages"]) == {c.value for c in Concern}
    for entry in data["messages"].values():
        assert set(entry) == {"text", "ssml", "card_title", "card_text"}
        assert all(isinstance(v, str) and v.strip() for v in entry.values())


def test_no_other_locale_folders_have_a_safety_file_we_do_not_serve() -> None:
    served = {p.parent.name for p in CONTENT.glob("*/safety.json")}
    assert served == set(SUPPORTED_LOCALES)


@pytest.mark.parametrize(("locale", "concern"), _all_messages())
def test_ssml_is_valid_and_uses_only_say_as(locale: str, concern: Concern) -> None:
    message = safety_message(concern, locale)
    root = ET.fromstring(f"<speak>{message.ssml}</speak>")
    for element in root.iter():
        if element is root:
            continue
        assert element.tag == "say-as"
        assert element.get("interpret-as") in {"digits", "telephone"}
        assert re.fullmatch(r"[0-9 -]+", element.text or "")


@pytest.mark.parametrize(("locale", "concern"), _all_messages())
def test_plain_text_is_speakable(locale: str, concern: Concern) -> None:
    text = safety_message(concern, locale).text
    # Valid inside <speak> as it is, and no run of digits Alexa would read as one big number.
    ET.fromstring(f"<speak>{text}</speak>")
    assert not re.search(r"[<>&]", text)
    assert not re.search(r"\d{2,}", text)


@pytest.mark.parametrize("locale", [*SUPPORTED_LOCALES, "de-DE"])
@pytest.mark.parametrize("concern", [Concern.CRISIS, Concern.ABUSE])
def test_urgent_messages_say_alexa_cannot_call(locale: str, concern: Concern) -> None:
    message = safety_message(concern, locale)
    for field in (message.text, message.ssml, message.card_text):
        assert re.search(r"can(?:'|no)t call emergency services", field), field


@pytest.mark.parametrize("locale", [*SUPPORTED_LOCALES, "xx-XX"])
def test_abuse_messages_never_suggest_couples_therapy(locale: str) -> None:
    message = safety_message(Concern.ABUSE, locale)
    everything = " ".join((message.text, message.ssml, message.card_title, message.card_text))
    assert not re.search(r"couple|counsel|therap", everything, re.IGNORECASE)


@pytest.mark.parametrize("locale", [*SUPPORTED_LOCALES, "fr-FR"])
def test_professional_help_names_the_three_kinds_of_support(locale: str) -> None:
    message = safety_message(Concern.PROFESSIONAL_HELP, locale)
    for field in (message.text, message.card_text):
        assert "Emotionally Focused Therapy" in field
        assert "ndividual therapy" in field
        assert "elationship coaching" in field
        assert "This skill is not therapy" in field


def test_us_crisis_message() -> None:
    message = safety_message(Concern.CRISIS, "en-US")
    assert "988" in message.card_text and "911" in message.card_text
    assert "9 8 8" in message.text and "9 1 1" in message.text
    assert '<say-as interpret-as="digits">988</say-as>' in message.ssml
    assert '<say-as interpret-as="digits">911</say-as>' in message.ssml
    assert "call or text" in _spoken(message)


def test_us_abuse_message() -> None:
    message = safety_message(Concern.ABUSE, "en-US")
    assert "1-800-799-7233" in message.card_text and "88788" in message.card_text
    assert "1 8 0 0, 7 9 9, 7 2 3 3" in message.text
    assert "START to 8 8 7 8 8" in message.text
    assert '<say-as interpret-as="telephone">1-800-799-7233</say-as>' in message.ssml
    assert '<say-as interpret-as="digits">88788</say-as>' in message.ssml
    assert "911" in message.card_text and "9 1 1" in message.text


@pytest.mark.parametrize(
    ("locale", "concern", "card_numbers", "spoken"),
    [
        ("en-GB", Concern.CRISIS, ["116 123", "999"], ["1 1 6, 1 2 3", "9 9 9"]),
        ("en-GB", Concern.ABUSE, ["0808 2000 247", "999"], ["0 8 0 8, 2 0 0 0, 2 4 7"]),
        ("en-CA", Concern.CRISIS, ["988", "911"], ["call or text 9 8 8", "9 1 1"]),
        ("en-CA", Concern.ABUSE, ["911", "findahelpline.com"], ["find a helpline dot com"]),
        ("en-AU", Concern.CRISIS, ["13 11 14", "000"], ["thirteen eleven fourteen", "triple zero"]),
        ("en-AU", Concern.ABUSE, ["1800 737 732", "000"], ["7 3 7, 7 3 2", "triple zero"]),
        ("en-IN", Concern.CRISIS, ["14416", "112"], ["1 4 4 1 6", "1 1 2"]),
        ("en-IN", Concern.ABUSE, ["112", "findahelpline.com"], ["1 1 2"]),
    ],
)
def test_local_numbers(
    locale: str, concern: Concern, card_numbers: list[str], spoken: list[str]
) -> None:
    message = safety_message(concern, locale)
    for number in card_numbers:
        assert number in message.card_text
    for words in spoken:
        assert words in message.text


@pytest.mark.parametrize("locale", ["de-DE", "en-NZ", "fr-CA", "", None, "english"])
@pytest.mark.parametrize("concern", [Concern.CRISIS, Concern.ABUSE])
def test_unknown_locales_fall_back_to_findahelpline(locale: str | None, concern: Concern) -> None:
    message = safety_message(concern, locale)
    assert "findahelpline.com" in message.card_text
    assert "find a helpline dot com" in message.text
    assert "local emergency number" in message.text
    # Never a guessed number where no local one was reviewed.
    assert not re.search(r"\d", message.text + message.card_text + message.ssml)


@pytest.mark.parametrize("spelling", ["en_US", "EN-us", " en-us "])
def test_locale_spellings_are_recognised(spelling: str) -> None:
    assert safety_message(Concern.CRISIS, spelling) == safety_message(Concern.CRISIS, "en-US")
