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
