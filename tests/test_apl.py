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
_SSML = re.compile(
    r"</?(?:speak|break|alexa:|amazon:|emphasis|prosody|say-as|audio|p|s)\b|&(?:amp|lt|gt|quot|apos);"
)


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
    # Plain text on a screen: never an SSML tag or escape (the couple's own "<3" stays).
    for text in _strings(directive["datasources"]):
        assert not _SSML.search(text), text
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


def test_the_weekly_review_shows_the_week_the_moments_and_the_question(sim: Any) -> None:
    from test_review import REVIEW, seed_week

    seed_week(sim)
    sim.set_screen(True)
    turn = sim.say(REVIEW)
    assert [d["token"] for d in turn.screens] == ["closer-together.review"]
    shown = check_screen(turn.screens[0])
    # Thursday 26 November 2026: the week from Friday; check-ins on Fri, Tue and Wed.
    assert [(d["day"], d["done"]) for d in shown["week"]] == [
        ("Fri", True),
        ("Sat", False),
        ("Sun", False),
        ("Mon", False),
        ("Tue", True),
        ("Wed", True),
        ("Thu", False),
    ]
    assert shown["checked"] == "3 of 7 days checked in"
    texts = [card["text"] for card in shown["cards"]]
    assert "a walk by the river" in texts and 'Tom & Jerry <3 "night"' in texts
    assert "too old to read" not in texts
    assert {card["kind"] for card in shown["cards"]} >= {"Sam's good moment", "Alex appreciated"}
    assert shown["asking"] is True
    assert shown["question"]["question"] in turn.text
    assert says(shown["question"]["question"], "review.q.connecting")
    assert shown["question"]["progress"].startswith("1 of ")


def test_a_long_review_shows_the_week_before_the_questions(sim: Any) -> None:
    from test_review import REVIEW, seed_busy_week

    seed_busy_week(sim)
    sim.set_screen(True)
    first = check_screen(sim.say(REVIEW).screens[0])
    assert first["asking"] is False and all(day["done"] for day in first["week"])
    assert len(first["cards"]) == 6
    second = check_screen(sim.say("yes").screens[0])
    assert second["asking"] is True


def test_the_reminders_list_shows_on_a_screen(sim: Any) -> None:
    meet(sim)
    sim.set_screen(True)
    empty = sim.say("ask closer together what reminders do we have")
    assert [d["token"] for d in empty.screens] == ["closer-together.reminders"]
    shown = check_screen(empty.screens[0])
    assert shown["items"] == [] and shown["empty"]


def test_a_reminder_set_shows_in_the_list(sim: Any, alexa_api: Any) -> None:
    from test_reminders import ready, set_daily

    ready(sim, alexa_api)
    set_daily(sim, alexa_api)
    sim.set_screen(True)
    turn = sim.say("ask closer together what reminders do we have")
    shown = check_screen(turn.screens[0])
    assert len(shown["items"]) == 1 and shown["items"][0]["text"] in turn.text
    assert shown["title"] == "Your reminders"


def test_the_console_prints_what_a_screen_shows(sim: Any) -> None:
    from alexa_local.console import parse_args, screen_text

    assert parse_args(["--screen"]).screen and not parse_args([]).screen
    meet(sim)
    sim.set_screen(True)
    turn = sim.say("ask closer together to start our check-in")
    text = screen_text(turn.screens[0])
    assert text.startswith("Daily check-in · Sam's turn · 1 of 6 · Sam")
