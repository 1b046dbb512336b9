"""Every Echo: screens. A device with a screen (APL in supportedInterfaces) sees each
ritual question, whose turn it is and how far along; a speaker gets no APL directive."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from conftest import meet, says
from test_checkin import full_checkin

from closer_together import screens

RENDER = "Alexa.Presentation.APL.RenderDocument"
_BINDING = re.compile(r"\$\{([^}]*)\}")
_PATH = re.compile(r"\bpayload(?:\.\w+)+")


def _strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return [node] if isinstance(node, str) else []


def payload_paths(document: dict[str, Any]) -> set[str]:
    """Every `payload.x.y` a data binding of the document reads."""
    return {
        path
        for text in _strings(document)
        for binding in _BINDING.findall(text)
        for path in _PATH.findall(binding)
    }


def resolves(datasources: dict[str, Any], path: str) -> bool:
    node: Any = datasources
    for part in path.split("."):
        if isinstance(node, list) and part == "length":
            return True
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def check_screen(directive: dict[str, Any]) -> dict[str, Any]:
    """A well-formed RenderDocument whose document binds only what its datasource holds."""
    assert directive["type"] == RENDER
    assert directive["token"]
    document = directive["document"]
    assert document["type"] == "APL" and document["mainTemplate"]["parameters"] == ["payload"]
    paths = payload_paths(document)
    assert paths
    missing = [p for p in paths if not resolves(directive["datasources"], p)]
    assert missing == []
    # Plain text on a screen: never an SSML tag or escape.
    for text in _strings(directive["datasources"]):
        assert "<" not in text and "&amp;" not in text and "&apos;" not in text
    return dict(directive["datasources"]["payload"])


@pytest.mark.parametrize("name", screens.DOCUMENTS)
def test_documents_are_apl(name: str) -> None:
    document = json.loads((screens.APL / f"{name}.json").read_text("utf-8"))
    assert document["type"] == "APL" and document["version"]
    assert document["mainTemplate"]["parameters"] == [screens.PAYLOAD]
    assert payload_paths(document)


def test_a_screen_shows_each_checkin_question(sim: Any) -> None:
    meet(sim)
    sim.set_screen(True)
    turns = full_checkin(sim)
    shown = [check_screen(d) for turn in turns for d in turn.screens]
    assert [(s["name"], s["progress"]) for s in shown] == [
        ("Sam", "1 of 6"),
        ("Sam", "2 of 6"),
        ("Alex", "3 of 6"),
        ("Alex", "4 of 6"),
        ("Sam", "5 of 6"),
        ("Alex", "6 of 6"),
    ]
    first = shown[0]
    assert first["turn"] == "Sam's turn" and first["title"] == "Daily check-in"
    # The question on screen is the question said, in the same words.
    assert first["question"] in turns[0].text
    assert says(first["question"], "checkin.q.best")
    assert not turns[1].screens  # the couple talks: nothing new to show
    assert not turns[-1].screens  # the close


def test_a_speaker_gets_no_apl(sim: Any) -> None:
    meet(sim)
    turns = full_checkin(sim)
    assert all(not turn.screens for turn in turns)
    assert all(
        not str(d.get("type", "")).startswith("Alexa.Presentation")
        for t in turns
        for d in t.directives
    )


def test_a_screen_shows_the_words_said_and_names_as_written() -> None:
    from closer_together.speech import Catalog, Name, Voice, line, pause, trusted

    prompts = {"ask": ["One, {name}? {text}", "Two, {name}? {text}"]}
    voice = Voice(Catalog("en-US", prompts), {}, seed=1)
    asked = line("ask", name=Name("Sam", "amzn1.ask.person.SAM"), text='Tom & "Jerry" <3')
    said = voice.speak([asked])
    assert "alexa:name" in said
    shown = voice.shown(asked)
    assert shown.split(",")[0] in said and shown.endswith('Sam? Tom & "Jerry" <3')
    assert voice.shown(trusted("<emphasis>Call 988</emphasis>")) == "Call 988"
    assert voice.shown(pause()) == ""


def test_a_screen_question_said_again_shows_in_full(sim: Any) -> None:
    meet(sim)
    sim.set_screen(True)
    sim.say("ask closer together to start our check-in")
    again = sim.say("repeat")
    assert again.screens == [] or check_screen(again.screens[0])["progress"] == "1 of 6"
