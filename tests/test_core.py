"""Launch, names, and the commands that work everywhere (issue 2)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import USER, stored_household

from closer_together.storage.models import HouseholdModel


def test_first_launch_asks_for_names_and_saves_both(sim: Any) -> None:
    turn = sim.launch()
    assert "Welcome to Closer Together" in turn.text
    assert "first names" in turn.text
    assert turn.reprompt and not turn.ends_session

    turn = sim.say("we are Sam and Alex")
    assert "Sam and Alex" in turn.text
    assert "right?" in turn.text  # confirmed once
    assert [p.name for p in stored_household().partners] == ["Sam", "Alex"]
    turn = sim.say("yes")
    assert "check-in" in turn.text
    assert "Sam and Alex" not in turn.text  # not said twice


def test_names_one_at_a_time(sim: Any) -> None:
    sim.launch()
    turn = sim.say("my name is Sam")
    assert "Sam" in turn.text and "partner" in turn.text
    turn = sim.say("Alex")
    assert "Sam and Alex" in turn.text
    assert stored_household().names == ["Sam", "Alex"]


def test_returning_launch_greets_both_by_name_with_at_most_three_choices(sim: Any) -> None:
    sim.launch()
    sim.say("we are Sam and Alex")
    assert sim.say("stop").ends_session
    turn = sim.launch()
    assert "Sam and Alex" in turn.text
    assert "Welcome to" not in turn.text
    menu = turn.text.split(".")[-2] if turn.text.endswith("?") else turn.text
    assert menu.count(",") + menu.count(" or ") <= 3


def test_one_read_per_session_and_no_write_for_help_repeat_or_stop(
    sim: Any, dynamo_calls: Any
) -> None:
    sim.launch()
    sim.say("we are Sam and Alex")
    sim.say("stop")
    dynamo_calls.clear()
    sim.launch()
    sim.say("help")
    repeated = sim.say("repeat")
    assert repeated.text
    sim.say("stop")
    assert dynamo_calls.ops == ["Query"]


def test_help_says_it_is_not_therapy(sim: Any) -> None:
    sim.launch()
    sim.say("we are Sam and Alex")
    turn = sim.say("help")
    assert "not therapy" in turn.text
    assert not turn.ends_session


def test_repeat_says_the_last_prompt_again(sim: Any) -> None:
    first = sim.launch()
    again = sim.say("say that again")
    assert again.ssml == first.ssml


def test_fallback_is_answered_and_keeps_the_session(sim: Any) -> None:
    sim.launch()
    sim.say("we are Sam and Alex")
    turn = sim.intent("AMAZON.FallbackIntent")
    assert turn.reprompt and not turn.ends_session


def test_cancel_and_navigate_home_end_the_session(sim: Any) -> None:
    sim.launch()
    assert sim.intent("AMAZON.CancelIntent").ends_session
    sim.launch()
    assert sim.intent("AMAZON.NavigateHomeIntent").ends_session


def test_session_ended_request_is_accepted(sim: Any) -> None:
    sim.launch()
    turn = sim.end("EXCEEDED_MAX_REPROMPTS")
    assert turn.raw["version"] == "1.0"


def test_names_with_markup_are_escaped(sim: Any) -> None:
    sim.launch()
    turn = sim.intent("NamesIntent", firstName='Jo & "Kai"', secondName="Zoë <3")
    assert "&amp;" in turn.ssml and "&quot;" in turn.ssml and "&lt;3" in turn.ssml
    assert 'Jo & "Kai" and Zoë <3' in turn.text


def test_failed_write_is_kept_and_written_on_a_later_turn(sim: Any, monkeypatch: Any) -> None:
    from pynamodb.exceptions import PutError

    sim.launch()
    real_save = HouseholdModel.save

    def failing_save(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise PutError("table unavailable")

    monkeypatch.setattr(HouseholdModel, "save", failing_save)
    turn = sim.say("we are Sam and Alex")
    assert "Sam and Alex" in turn.text
    assert stored_household().names == []
    assert sim.attributes.get("pending") is True

    monkeypatch.setattr(HouseholdModel, "save", real_save)
    sim.say("help")
    assert stored_household().names == ["Sam", "Alex"]
    assert "pending" not in sim.attributes


def test_failed_write_on_the_last_turn_keeps_the_session_open(sim: Any, monkeypatch: Any) -> None:
    from pynamodb.exceptions import PutError

    sim.launch()
    sim.say("we are Sam and Alex")
    household = stored_household()
    assert household.version == 1

    def failing_save(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise PutError("table unavailable")

    monkeypatch.setattr(HouseholdModel, "save", failing_save)
    sim.intent("StartCheckInIntent")  # its write fails: kept in the session, pending
    # A stop changes nothing itself, but the pending write is tried again and fails again.
    turn = sim.say("stop")
    assert not turn.ends_session
    assert "couldn't save" in turn.text


def test_two_devices_writing_at_once_keep_both_changes(make_sim: Any, clock: Any) -> None:
    kitchen, bedroom = make_sim(device_id="kitchen"), make_sim(device_id="bedroom")
    kitchen.launch()
    kitchen.say("we are Sam and Alex")
    kitchen.say("stop")
    # Both devices open a session on the same stored version.
    kitchen.intent("StartCheckInIntent")
    bedroom.intent("StartCheckInIntent")
    kitchen.intent("AnswerIntent", answer="a walk by the river")
    bedroom.intent("AnswerIntent", answer="the dinner we cooked")
    moments = [
        m.text
        for _, m in stored_household().moments_between(
            clock.now.date().replace(day=1), clock.now.date().replace(day=28)
        )
    ]
    assert "a walk by the river" in moments
    assert "the dinner we cooked" in moments


def test_household_key_is_not_the_raw_user_id(sim: Any) -> None:
    sim.launch()
    sim.say("we are Sam and Alex")
    keys = [item.pk for item in HouseholdModel.scan()]
    assert keys and USER not in keys


def test_lambda_entry_point_answers_a_launch_and_a_malformed_event(table: str) -> None:
    import lambda_function

    from alexa_local import envelopes

    device = envelopes.Device(
        user_id=USER, device_id="d", api_endpoint="https://127.0.0.1:9", api_token=""
    )
    from datetime import UTC, datetime

    event = envelopes.launch(device, envelopes.Session(), datetime(2026, 11, 27, tzinfo=UTC))
    answer = lambda_function.lambda_handler(event, None)
    assert "Welcome to Closer Together" in answer["response"]["outputSpeech"]["ssml"]
    for bad in ({}, {"version": "1.0"}, {"request": {"type": "LaunchRequest"}}):
        spoken = lambda_function.lambda_handler(bad, None)
        assert spoken["response"]["outputSpeech"]["ssml"].startswith("<speak>Sorry")
        assert spoken["response"]["shouldEndSession"] is True


def test_skill_id_is_verified_when_configured(table: str, monkeypatch: Any) -> None:
    from datetime import UTC, datetime

    import pytest
    from ask_sdk_core.exceptions import AskSdkException

    from alexa_local import envelopes
    from closer_together.config import Settings
    from closer_together.skill import build_skill

    monkeypatch.setenv("SKILL_ID", "amzn1.ask.skill.ours")
    skill = build_skill(Settings.from_env())
    device = envelopes.Device(
        user_id=USER,
        device_id="d",
        api_endpoint="https://127.0.0.1:9",
        api_token="",
        skill_id="amzn1.ask.skill.someone-else",
    )
    event = envelopes.launch(device, envelopes.Session(), datetime(2026, 11, 27, tzinfo=UTC))
    envelope = skill.serializer.deserialize(
        payload=__import__("json").dumps(event), obj_type="ask_sdk_model.RequestEnvelope"
    )
    with pytest.raises(AskSdkException):
        skill.invoke(request_envelope=envelope, context=None)
    assert list(HouseholdModel.scan()) == []


def test_pending_write_is_flushed_when_the_session_ends(sim: Any, monkeypatch: Any) -> None:
    from pynamodb.exceptions import PutError

    sim.launch()
    real_save = HouseholdModel.save

    def failing_save(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise PutError("table unavailable")

    monkeypatch.setattr(HouseholdModel, "save", failing_save)
    sim.say("we are Sam and Alex")
    monkeypatch.setattr(HouseholdModel, "save", real_save)
    sim.end("EXCEEDED_MAX_REPROMPTS")
    assert stored_household().names == ["Sam", "Alex"]


def test_cold_import_loads_no_heavy_or_unneeded_library() -> None:
    import subprocess
    import sys

    from conftest import ROOT

    probe = (
        "import sys, lambda_function; "
        "print(sorted(m for m in ('boto3', 'vaderSentiment', 'flask', 'moto', 'alexa_local', "
        "'requests') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT / "lambda",
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"


# What a launch for a known household must not load: each arrives with the turn that uses it.
_NOT_AT_LAUNCH = (
    "requests",
    "closer_together.rituals.review",
    "closer_together.rituals.deck",
    "closer_together.rituals.schedule",
    "closer_together.rituals.validation",
    "closer_together.scheduling",
    "closer_together.gateways.reminders",
    "closer_together.gateways.timers",
    "closer_together.concerns",
    "ask_sdk_model.dialog",
    "ask_sdk_model.interfaces.connections",
    "pynamodb.transactions",
)


def test_a_launch_for_a_known_household_loads_only_what_it_uses(sim: Any) -> None:
    import json
    import os
    import subprocess
    import sys

    from conftest import ROOT, meet

    from alexa_local import envelopes

    meet(sim)
    event = envelopes.launch(sim.device, envelopes.Session(), sim.now())
    probe = (
        "import json, sys, lambda_function\n"
        f"names = {_NOT_AT_LAUNCH!r}\n"
        "at_import = [m for m in names if m in sys.modules]\n"
        "answer = lambda_function.lambda_handler(json.load(sys.stdin), None)\n"
        "print(json.dumps({'import': at_import, 'launch': [m for m in names if m in sys.modules],"
        " 'ssml': answer['response']['outputSpeech']['ssml']}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT / "lambda",
        input=json.dumps(event),
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ),
    )
    seen = json.loads(out.stdout)
    assert "Sam" in seen["ssml"]  # the household was read: this was a real launch
    assert seen["import"] == []
    assert seen["launch"] == []


def test_events_nobody_needs_are_acknowledged_quietly(sim: Any, caplog: Any) -> None:
    import logging
    from datetime import UTC, datetime

    from alexa_local import envelopes

    caplog.set_level(logging.INFO)
    when = datetime(2026, 11, 27, tzinfo=UTC)
    for turn in (
        sim.event(envelopes.skill_event(sim.device, "SkillEnabled", when)),
        sim.event(
            envelopes.reminders_event(sim.device, "ReminderStarted", when, alert_tokens=["token"])
        ),
        sim.event(
            envelopes.reminders_event(sim.device, "ReminderCreated", when, alert_tokens=["token"])
        ),
    ):
        assert turn.raw["response"] == {}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_request_without_a_user_id_is_answered_and_touches_no_household(sim: Any) -> None:
    from alexa_local import envelopes

    event = envelopes.launch(sim.device, envelopes.Session(), sim.now())
    event["context"]["System"]["user"] = {}
    event["session"]["user"] = {}
    answer = sim.event(event)
    assert answer.ssml.startswith("<speak>Sorry")
    assert list(HouseholdModel.scan()) == []


def _launch_event() -> dict[str, Any]:
    from datetime import UTC, datetime

    from alexa_local import envelopes

    device = envelopes.Device(
        user_id=USER, device_id="d", api_endpoint="https://127.0.0.1:9", api_token=""
    )
    return envelopes.launch(device, envelopes.Session(), datetime(2026, 11, 27, tzinfo=UTC))


def _broken(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A launch event with the value at `path` replaced (or removed, for ...)."""
    import copy

    event = copy.deepcopy(_launch_event())
    at = event
    for key in path[:-1]:
        at = at[key]
    if value is ...:
        at.pop(path[-1], None)
    else:
        at[path[-1]] = value
    return event


APPLICATION = ("context", "System", "application")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (APPLICATION, ...),
        (APPLICATION, None),
        (APPLICATION, "amzn1.ask.skill.x"),
        (APPLICATION, []),
        (APPLICATION, {}),
        ((*APPLICATION, "applicationId"), ...),
        ((*APPLICATION, "applicationId"), None),
        ((*APPLICATION, "applicationId"), 42),
        ((*APPLICATION, "applicationId"), {"id": "x"}),
        (("context", "System"), ...),
        (("context", "System"), None),
        (("context",), ...),
        (("request", "locale"), "x" * 5000),
        (("request", "locale"), "../../etc/passwd"),
        (("request", "locale"), "de-DE"),
        (("request", "locale"), None),
        (("request", "type"), "NoSuchRequest"),
        (("session",), "not a session"),
    ],
)
def test_a_malformed_envelope_gets_a_clean_answer_never_an_exception(
    table: str, monkeypatch: Any, path: tuple[str, ...], value: Any
) -> None:
    import lambda_function

    from closer_together import skill

    monkeypatch.setenv("SKILL_ID", "amzn1.ask.skill.ours")
    skill.get_skill.cache_clear()
    try:
        answer = lambda_function.lambda_handler(_broken(path, value), None)
    finally:
        skill.get_skill.cache_clear()
    ssml = answer["response"]["outputSpeech"]["ssml"]
    assert ssml.startswith("<speak>") and ssml.endswith("</speak>")
