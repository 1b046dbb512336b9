"""The request's locale never names a file: hostile or unknown locales get en-US content.

Full envelopes through the simulator (the skill answers as usual, in en-US), and the
loaders themselves, watched so no path outside content/ is ever touched.
"""

from __future__ import annotations

import builtins
import pathlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import DEVICE, MODEL, USER, says

from alexa_local.simulator import Simulator
from closer_together import speech

HOSTILE = ["../../etc", "en-US/../../", "xx-XX", None, 42, "", "en-US\x00", "../en-US", "x" * 5000]
CONTENT = speech.CONTENT.resolve()


@pytest.fixture
def touched(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """Every path the content loaders open, list or test while the test runs."""
    seen: list[Path] = []
    for name in ("read_text", "is_dir", "exists", "glob"):
        original = getattr(pathlib.Path, name)

        def watched(self: Path, *args: Any, _original: Any = original, **kw: Any) -> Any:
            seen.append(self)
            return _original(self, *args, **kw)

        monkeypatch.setattr(pathlib.Path, name, watched)
    real_open = builtins.open

    def watched_open(file: Any, *args: Any, **kw: Any) -> Any:
        if isinstance(file, str | Path):
            seen.append(Path(file))
        return real_open(file, *args, **kw)

    monkeypatch.setattr(builtins, "open", watched_open)
    speech._catalog.cache_clear()
    speech._load_data.cache_clear()
    yield seen
    speech._catalog.cache_clear()
    speech._load_data.cache_clear()


def _inside_content(paths: list[Path]) -> bool:
    return all(path.resolve().is_relative_to(CONTENT) for path in paths)


@pytest.mark.parametrize("locale", HOSTILE, ids=repr)
def test_the_catalog_of_a_hostile_locale_is_the_default_one(
    locale: Any, touched: list[Path]
) -> None:
    found = speech.catalog(locale)
    assert found.locale == speech.DEFAULT_LOCALE
    assert found.variants("help.general")
    assert found.data("deck")
    assert _inside_content([p for p in touched if "content" in str(p) or ".." in str(p)])
    assert all(".." not in p.parts for p in touched if "content" in p.parts)


@pytest.mark.parametrize("locale", HOSTILE, ids=repr)
def test_data_of_a_hostile_locale_is_the_default_locales(locale: Any, touched: list[Path]) -> None:
    assert speech._load_data(locale, "deck") == speech._load_data("en-US", "deck")
    assert all(".." not in p.parts for p in touched if "content" in p.parts)


@pytest.mark.parametrize("name", ["../rituals", "../../../etc/passwd", "deck/../deck", "", "Deck"])
def test_a_data_name_is_never_a_path(name: str) -> None:
    with pytest.raises(ValueError):
        speech._load_data("en-US", name)


def test_a_supported_locale_keeps_its_own_catalog() -> None:
    assert speech.catalog("en-GB").locale == "en-GB"
    assert speech.catalog("en_gb").locale == "en-GB"


def _sim(handler: Any, alexa_api: Any, clock: Any, locale: Any) -> Simulator:
    return Simulator(
        handler,
        model_path=MODEL,
        user_id=USER,
        device_id=DEVICE,
        api_endpoint=alexa_api.endpoint,
        api_token=alexa_api.token,
        locale=locale,
        clock=clock,
    )


@pytest.mark.parametrize("locale", [p for p in HOSTILE if p != "en-US\x00"], ids=repr)
def test_a_conversation_in_a_hostile_locale_is_answered_in_en_us(
    handler: Any, alexa_api: Any, clock: Any, locale: Any, touched: list[Path]
) -> None:
    sim = _sim(handler, alexa_api, clock, locale)
    turn = sim.launch()
    assert says(turn.text, "welcome.first") or "names" in turn.text.lower()
    turn = sim.say("we are Sam and Alex")
    assert "Sam" in turn.text and "Alex" in turn.text
    turn = sim.say("help")
    assert says(turn.text, "help.general")
    assert all(".." not in p.parts for p in touched if "content" in p.parts)
    assert not [p for p in touched if "etc" in p.parts]
