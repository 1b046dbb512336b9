"""The safety net's mechanism and its per-locale data: loading, fallback, the rules file."""

from __future__ import annotations

import builtins
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from closer_together import concern_matcher as matcher
from closer_together import speech
from closer_together.concern_matcher import Concern

CONTENT = Path(matcher.CONTENT_DIR)
US = CONTENT / "en-US"
HOSTILE = ["../../etc", "xx-XX", "en-GB/../../..", "../en-US", "en-US/..", "", None, "x" * 5000]


def _rules() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((US / "safety_rules.json").read_text("utf-8"))
    return data


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A content root with en-US's data, and en-GB rules that know one more crisis phrase."""
    (tmp_path / "en-US").mkdir()
    for name in (matcher.RULES, matcher.FRAMES, matcher.MODEL):
        shutil.copy(US / f"{name}.json", tmp_path / "en-US" / f"{name}.json")
    british = _rules()
    british["rules"]["crisis"].append("plugh")
    (tmp_path / "en-GB").mkdir()
    (tmp_path / "en-GB" / "safety_rules.json").write_text(json.dumps(british), "utf-8")
    return tmp_path


def test_the_skill_and_the_detector_speak_the_same_locales() -> None:
    assert matcher.SUPPORTED_LOCALES == speech.LOCALES
    assert matcher.DEFAULT_LOCALE == speech.DEFAULT_LOCALE


def test_a_second_locale_s_rules_are_a_new_data_file(root: Path) -> None:
    us, gb = matcher.net("en-US", str(root)), matcher.net("en_gb", str(root))
    assert matcher.find(matcher.normalise("plugh", gb.language), gb) == (Concern.CRISIS, "plugh")
    assert matcher.find(matcher.normalise("plugh", us.language), us) is None
    # What en-GB has no file for (frames, model) is en-US's, loaded once for both.
    assert gb.language is not us.language and gb.model is us.model
    rules, frames, model = matcher._files("en-GB", str(root))
    assert rules == str(root / "en-GB" / "safety_rules.json")
    assert (frames, model) == matcher._files("en-US", str(root))[1:]


def test_a_locale_without_files_shares_en_us_data() -> None:
    assert matcher._files("en-AU", matcher.CONTENT_DIR) == matcher._files(
        "en-US", matcher.CONTENT_DIR
    )
    assert matcher.net("en-AU") is matcher.net("en-US") is matcher.net(None)


@pytest.mark.parametrize("locale", HOSTILE)
def test_unknown_and_hostile_locales_use_en_us_and_touch_nothing_outside_content(
    root: Path, locale: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    touched: list[str] = []
    real_isfile, real_open = os.path.isfile, builtins.open

    def isfile(path: Any) -> bool:
        touched.append(os.fspath(path))
        return real_isfile(path)

    def spy_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        touched.append(os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os.path, "isfile", isfile)
    monkeypatch.setattr(builtins, "open", spy_open)
    net = matcher.net(locale, str(root))
    assert matcher._resolve(locale, str(root)) == tuple(
        str(root / "en-US" / f"{n}.json") for n in (matcher.RULES, matcher.FRAMES, matcher.MODEL)
    )
    assert matcher.find(matcher.normalise("plugh", net.language), net) is None  # not en-GB's
    assert touched  # this root was loaded here, not taken from another test's cache
    for path in touched:
        assert Path(path).resolve().is_relative_to(root.resolve() / "en-US"), path


def test_rule_terms_are_all_defined_and_all_used() -> None:
    data = _rules()
    terms = {name for name in data["terms"] if not name.startswith("_")}
    texts = [
        v if isinstance(v, str) else " ".join(v) for k, v in data["terms"].items() if k in terms
    ]
    for concern in Concern:
        texts += [r if isinstance(r, str) else r["rule"] for r in data["rules"][concern.value]]
    used = {name for text in texts for name in re.findall(r"\{([A-Z][A-Z0-9_]*)\}", text)}
    assert used == terms
    assert set(data["terms"]["_about"]) <= terms


def test_a_term_that_uses_itself_is_an_error() -> None:
    with pytest.raises(ValueError, match="LOOP"):
        matcher.expand("a {LOOP}", {"LOOP": ["b", "{LOOP}"]})


def test_terms_expand_into_groups_and_leave_regex_counts_alone() -> None:
    terms = {"WHO": ["he", "my {PERSON}"], "PERSON": ["wife", "husband"], "GAP": "(?:\\w+ ){0,3}"}
    assert matcher.expand("{WHO} {GAP}hit", terms) == "(?:he|my (?:wife|husband)) (?:\\w+ ){0,3}hit"


def test_every_rule_compiles_on_its_own() -> None:
    for rules in matcher.language().rules.values():
        for rule in rules:
            re.compile(rule)


# --- how the model works with the rules and frames --------------------------------------------


def _with_model(weights: dict[str, dict[str, float]], **knobs: float) -> matcher.Net:
    """en-US's rules and frames with a hand-set model: every class's weights in `weights`."""
    net = matcher.net("en-US")
    model = matcher.Model(
        threshold=knobs.get("threshold", 0.9),
        arbitrate=knobs.get("arbitrate", 0.9),
        veto=knobs.get("veto", 0.999),
        bias={c: 0.0 for c in matcher.CLASSES},
        weights={c: weights.get(c, {}) for c in matcher.CLASSES},
    )
    return net._replace(model=model)


def _find(text: str, net: matcher.Net) -> tuple[Concern, str] | None:
    return matcher.find(matcher.normalise(text, net.language), net)


def _concern(text: str, net: matcher.Net) -> Concern | None:
    found = _find(text, net)
    return found[0] if found else None


def test_the_model_names_which_concern_a_rule_s_hit_is_only_where_it_is_sure() -> None:
    text = "he choked me and i thought i was going to die"
    neutral = _find(text, _with_model({}))
    assert neutral is not None and neutral[0] is Concern.CRISIS  # the crisis words come first
    sure = _with_model({"abuse": {"choked": 9.0}})
    assert _find(text, sure) == (Concern.ABUSE, f"{neutral[1]}, model")
    unsure = _with_model({"abuse": {"choked": 9.0}, "crisis": {"die": 8.0}})
    assert _find(text, unsure) == neutral


def test_a_crisis_rule_s_words_are_never_renamed() -> None:
    sure = _with_model({"abuse": {"hits": 12.0}})
    assert _concern("he hits me and i want to die", sure) is Concern.CRISIS


def test_the_model_sets_aside_a_frame_s_hit_it_is_sure_is_everyday_talk() -> None:
    text = "she will kill me if the house is messy"
    assert _concern(text, _with_model({})) is Concern.ABUSE  # by a frame
    everyday = _with_model({"ordinary": {"messy": 12.0}})
    assert _find(text, everyday) is None
    fairly = _with_model({"ordinary": {"messy": 4.0}})  # P(ordinary) about 0.96: kept
    assert _concern(text, fairly) is Concern.ABUSE


def test_a_plain_rule_is_never_set_aside_a_negated_one_may_be() -> None:
    everyday = _with_model({"ordinary": {"cry": 12.0}})
    assert _concern("i want to kill myself i just needed a cry", everyday) is Concern.CRISIS
    assert _find("i would never hurt myself i just needed a cry", everyday) is None
    assert _find("i would never hurt myself i just needed a cry", _with_model({})) is not None


def test_the_model_alone_speaks_above_its_threshold() -> None:
    # P(crisis) + P(abuse) = (e^w + 1) / (e^w + 2): 0.89 for w = 2, 0.95 for w = 3.
    assert _find("plugh", _with_model({"crisis": {"plugh": 2.0}})) is None
    assert _find("plugh", _with_model({"crisis": {"plugh": 3.0}})) == (Concern.CRISIS, "model")


def test_negation_governs_the_next_words_of_its_clause() -> None:
    lang = matcher.language("en-US")
    feats = matcher.features("i do not think it is hopeless but i am tired".split(), lang)
    assert {"!think", "!it", "!is", "!hopeless"} <= feats
    assert "!tired" not in feats and "hopeless" in feats


def test_a_frame_s_unless_with_word_anywhere_sets_it_aside() -> None:
    net = matcher.net("en-US")
    assert _concern("punched me in the face when the dinner was cold", net) is Concern.ABUSE
    assert _find("the baby punched me in the face while i changed her", net) is None
