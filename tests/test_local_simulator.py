"""The local stand-in for Alexa: request envelopes and session handling around a handler."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import IntentRequest, LaunchRequest, RequestEnvelope, SessionEndedRequest
from ask_sdk_model.events.skillevents import (
    PermissionAcceptedRequest,
    SkillDisabledRequest,
)
from ask_sdk_model.interfaces.connections import ConnectionsResponse
from ask_sdk_model.services.reminder_management import (
    ReminderDeletedEventRequest,
    ReminderStatusChangedEventRequest,
)
from ask_sdk_model.slu.entityresolution import StatusCode

from alexa_local import envelopes
from alexa_local.console import Console, SimulatedClock, parse_args
from alexa_local.dynamo import LocalDynamo
from alexa_local.envelopes import Device, Session
from alexa_local.nlu import InteractionModel, Nlu
from alexa_local.simulator import Simulator, parse_ssml, ssml_to_text

REPO_ROOT = Path(__file__).resolve().parent.parent
REAL_MODEL = REPO_ROOT / "interaction_models" / "en-US.json"
REMINDERS = "alexa::alerts:reminders:skill:readwrite"
NOW = datetime(2025, 3, 5, 20, 0, tzinfo=UTC)
DEVICE = Device(
    user_id="amzn1.ask.account.HOUSEHOLD",
    device_id="amzn1.ask.device.KITCHEN",
    api_endpoint="https://127.0.0.1:8443",
    api_token="token-123",
)


# -- envelopes, checked against the SDK's own model classes --------------------------------


def sdk_round_trip(envelope: dict[str, Any]) -> tuple[RequestEnvelope, dict[str, Any]]:
    """Deserialize as the SDK does, and serialize back to compare keys and values."""
    serializer = DefaultSerializer()
    parsed = serializer.deserialize(
        json.dumps(envelope), "ask_sdk_model.request_envelope.RequestEnvelope"
    )
    return parsed, serializer.serialize(parsed)


def as_the_sdk_sees_it(value: Any, dropped: frozenset[str] = frozenset()) -> Any:
    """What the SDK keeps of an envelope: timestamps as +00:00, `dropped` keys gone."""
    if isinstance(value, dict):
        return {k: as_the_sdk_sees_it(v, dropped) for k, v in value.items() if k not in dropped}
    if isinstance(value, list):
        return [as_the_sdk_sees_it(v, dropped) for v in value]
    if isinstance(value, str) and value.endswith("Z") and value[:4].isdigit():
        return value[:-1] + "+00:00"
    return value


def test_launch_envelope_is_what_the_sdk_expects() -> None:
    session = Session()
    envelope = envelopes.launch(DEVICE, session, NOW)
    parsed, back = sdk_round_trip(envelope)
    assert isinstance(parsed.request, LaunchRequest)
    assert back == as_the_sdk_sees_it(envelope)
    assert envelope["version"] == "1.0"
    assert envelope["request"]["timestamp"] == "2025-03-05T20:00:00Z"
    assert envelope["request"]["locale"] == "en-US"
    assert envelope["session"]["new"] is True
    assert "attributes" not in envelope["session"]
    system = envelope["context"]["System"]
    assert system["device"] == {"deviceId": DEVICE.device_id, "supportedInterfaces": {}}
    assert system["apiEndpoint"] == DEVICE.api_endpoint
    assert system["apiAccessToken"] == DEVICE.api_token
    assert parsed.session.session_id == session.session_id
    assert parsed.context.system.user.user_id == DEVICE.user_id


def test_intent_envelope_with_resolved_slot_is_what_the_sdk_expects() -> None:
    model = {
        "interactionModel": {
            "languageModel": {
                "invocationName": "closer together",
                "intents": [
                    {
                        "name": "StartRitualIntent",
                        "slots": [{"name": "ritual", "type": "RitualType"}],
                        "samples": ["start the {ritual}"],
                    }
                ],
                "types": [
                    {
                        "name": "RitualType",
                        "values": [{"id": "WEEKLY", "name": {"value": "weekly review"}}],
                    }
                ],
            }
        }
    }
    heard = Nlu(InteractionModel.from_json(model)).understand("start the weekly review")
    assert heard.intent is not None
    session = Session(new=False, attributes={"step": "asked"})
    envelope = envelopes.intent(DEVICE, session, NOW, heard.intent, "STARTED")
    parsed, back = sdk_round_trip(envelope)
    assert isinstance(parsed.request, IntentRequest)
    # "source" is sent by Alexa but not modelled by the SDK
    assert back == as_the_sdk_sees_it(envelope, dropped=frozenset({"source"}))
    slot = parsed.request.intent.slots["ritual"]
    authority = slot.resolutions.resolutions_per_authority[0]
    assert authority.status.code == StatusCode.ER_SUCCESS_MATCH
    assert authority.values[0].value.id == "WEEKLY"
    assert slot.slot_value.value == "weekly review"
    assert parsed.session.attributes == {"step": "asked"}


def test_person_appears_only_when_a_voice_is_recognised() -> None:
    recognised = Device(**{**DEVICE.__dict__, "person_id": "amzn1.ask.person.SAM"})
    parsed, back = sdk_round_trip(envelopes.launch(recognised, Session(), NOW))
    assert parsed.context.system.person.person_id == "amzn1.ask.person.SAM"
    assert back["context"]["System"]["person"]["accessToken"]
    assert "person" not in envelopes.launch(DEVICE, Session(), NOW)["context"]["System"]


def test_session_ended_envelope() -> None:
    error = {"type": "INVALID_RESPONSE", "message": "bad ssml"}
    envelope = envelopes.session_ended(DEVICE, Session(new=False), NOW, "ERROR", error)
    parsed, back = sdk_round_trip(envelope)
    assert isinstance(parsed.request, SessionEndedRequest)
    assert parsed.request.reason.value == "ERROR"
    assert parsed.request.error.message == "bad ssml"
    assert back == as_the_sdk_sees_it(envelope)


def test_connections_response_envelope() -> None:
    envelope = envelopes.connections_response(
        DEVICE, Session(new=False), NOW, status="DENIED", scope=REMINDERS, token="offer"
    )
    parsed, back = sdk_round_trip(envelope)
    assert isinstance(parsed.request, ConnectionsResponse)
    assert parsed.request.name == "AskFor"
    assert parsed.request.status.code == "200"
    assert parsed.request.payload == {"permissionScope": REMINDERS, "status": "DENIED"}
    assert parsed.request.token == "offer"
    assert back == as_the_sdk_sees_it(envelope)


def test_skill_events_have_no_session_and_no_device() -> None:
    disabled = envelopes.skill_event(DEVICE, "SkillDisabled", NOW)
    parsed, back = sdk_round_trip(disabled)
    assert isinstance(parsed.request, SkillDisabledRequest)
    assert parsed.session is None
    assert "device" not in disabled["context"]["System"]
    assert disabled["request"]["body"] == {"userInformationPersistenceStatus": "NOT_PERSISTED"}
    # ask-sdk-model drops this body: skills read it from the raw event
    assert back == as_the_sdk_sees_it(disabled, dropped=frozenset({"body"}))
    kept = envelopes.skill_event(DEVICE, "AlexaSkillEvent.SkillDisabled", NOW, persisted=True)
    assert kept["request"]["body"]["userInformationPersistenceStatus"] == "PERSISTED"

    accepted = envelopes.skill_event(DEVICE, "SkillPermissionAccepted", NOW, scopes=(REMINDERS,))
    parsed, back = sdk_round_trip(accepted)
    assert isinstance(parsed.request, PermissionAcceptedRequest)
    assert parsed.request.body.accepted_permissions[0].scope == REMINDERS
    assert back == as_the_sdk_sees_it(accepted)
    for kind in ("SkillEnabled", "SkillPermissionChanged"):
        envelope = envelopes.skill_event(DEVICE, kind, NOW)
        assert sdk_round_trip(envelope)[1] == as_the_sdk_sees_it(envelope)
    with pytest.raises(ValueError):
        envelopes.skill_event(DEVICE, "SkillExploded", NOW)


def test_reminders_events() -> None:
    deleted = envelopes.reminders_event(DEVICE, "ReminderDeleted", NOW, alert_tokens=("a", "b"))
    parsed, back = sdk_round_trip(deleted)
    assert isinstance(parsed.request, ReminderDeletedEventRequest)
    assert parsed.request.body.alert_tokens == ["a", "b"]
    assert back == as_the_sdk_sees_it(deleted)
    changed = envelopes.reminders_event(
        DEVICE, "Reminders.ReminderStatusChanged", NOW, alert_tokens=("a",), status="COMPLETED"
    )
    parsed, back = sdk_round_trip(changed)
    assert isinstance(parsed.request, ReminderStatusChangedEventRequest)
    assert parsed.request.body.alert_token == "a"
    assert parsed.request.body.status.value == "COMPLETED"
    assert back == as_the_sdk_sees_it(changed)
    for kind in ("ReminderCreated", "ReminderUpdated", "ReminderStarted"):
        envelope = envelopes.reminders_event(DEVICE, kind, NOW, alert_tokens=("a",))
        assert sdk_round_trip(envelope)[1] == as_the_sdk_sees_it(envelope)
    with pytest.raises(ValueError):
        envelopes.reminders_event(DEVICE, "ReminderCreated", NOW, alert_tokens=("a", "b"))


def test_clock_must_know_its_time_zone() -> None:
    with pytest.raises(ValueError):
        envelopes.launch(DEVICE, Session(), datetime(2025, 3, 5, 20, 0))


# -- the simulator around a tiny skill -----------------------------------------------------


def speech(ssml: str) -> dict[str, Any]:
    return {"type": "SSML", "ssml": ssml}


class TinySkill:
    """A handler in the shape of the skill's: counts turns in session attributes."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.help_ssml = "<speak>Say your names.</speak>"

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        assert context.get_remaining_time_in_millis() > 0
        self.events.append(event)
        request = event["request"]
        attributes = dict((event.get("session") or {}).get("attributes") or {})
        attributes["turns"] = attributes.get("turns", 0) + 1
        kind = request["type"]
        name = request.get("intent", {}).get("name")
        response: dict[str, Any]
        if kind == "LaunchRequest":
            response = {
                "outputSpeech": speech("<speak>Welcome &amp; hello.<break time='300ms'/></speak>"),
                "reprompt": {"outputSpeech": speech("<speak>What are your names?</speak>")},
                "shouldEndSession": False,
            }
        elif name == "NamesIntent":
            slots = request["intent"]["slots"]
            if "value" not in slots["secondName"]:
                response = {
                    "outputSpeech": speech("<speak>And your partner?</speak>"),
                    "reprompt": {"outputSpeech": speech("<speak>Your partner's name?</speak>")},
                    "directives": [
                        {
                            "type": "Dialog.ElicitSlot",
                            "slotToElicit": "secondName",
                            "updatedIntent": request["intent"],
                        }
                    ],
                    "shouldEndSession": False,
                }
            else:
                first, second = slots["firstName"]["value"], slots["secondName"]["value"]
                response = {
                    "outputSpeech": speech(f"<speak>Hi {first} and {second}.</speak>"),
                    "reprompt": {"outputSpeech": speech("<speak>Ready?</speak>")},
                    "shouldEndSession": False,
                }
        elif name == "AMAZON.YesIntent":
            response = {
                "directives": [
                    {
                        "type": "Connections.SendRequest",
                        "name": "AskFor",
                        "payload": {
                            "@type": "AskForPermissionsConsentRequest",
                            "@version": "2",
                            "permissionScopes": [
                                {"permissionScope": REMINDERS, "consentLevel": "ACCOUNT"}
                            ],
                        },
                        "token": "reminder-offer",
                    }
                ]
            }
        elif kind == "Connections.Response":
            status = request["payload"]["status"]
            response = {
                "outputSpeech": speech(f"<speak>Permission {status.lower()}.</speak>"),
                "reprompt": {"outputSpeech": speech("<speak>Anything else?</speak>")},
                "shouldEndSession": False,
            }
        elif name == "AMAZON.HelpIntent":
            response = {"outputSpeech": speech(self.help_ssml)}  # no reprompt: session over
        elif name == "AMAZON.StopIntent":
            response = {"outputSpeech": speech("<speak>Bye.</speak>"), "shouldEndSession": True}
        else:
            response = {}
        return {"version": "1.0", "sessionAttributes": attributes, "response": response}


class SteppingClock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def skill() -> TinySkill:
    return TinySkill()


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
def sim(skill: TinySkill, clock: SteppingClock) -> Simulator:
    return Simulator(
        skill,
        model_path=REAL_MODEL,
        user_id=DEVICE.user_id,
        device_id=DEVICE.device_id,
        api_endpoint=DEVICE.api_endpoint,
        api_token=DEVICE.api_token,
        clock=clock,
    )


def test_session_attributes_are_carried_between_turns(sim: Simulator, skill: TinySkill) -> None:
    first = sim.say("open closer together")
    assert first.request["request"]["type"] == "LaunchRequest"
    assert first.text == "Welcome & hello."
    assert first.reprompt == "What are your names?"
    assert not first.ends_session
    second = sim.say("my name is Sam")
    sent = skill.events[1]["session"]
    assert sent["new"] is False
    assert sent["attributes"] == {"turns": 1}
    assert sent["sessionId"] == skill.events[0]["session"]["sessionId"]
    assert second.session_attributes == {"turns": 2}
    assert sim.attributes == {"turns": 2}


def test_stop_ends_the_session_and_the_next_utterance_opens_a_new_one(
    sim: Simulator, skill: TinySkill
) -> None:
    sim.launch()
    bye = sim.say("stop")
    assert bye.ends_session
    assert bye.text == "Bye."
    assert not sim.in_session
    sim.say("we are Sam and Alex")
    again = skill.events[-1]
    assert again["session"]["new"] is True
    assert "attributes" not in again["session"]
    assert again["session"]["sessionId"] != skill.events[0]["session"]["sessionId"]
    assert again["request"]["intent"]["name"] == "NamesIntent"


def test_speech_without_reprompt_or_end_flag_closes_the_session(sim: Simulator) -> None:
    sim.launch()
    turn = sim.say("help")
    assert turn.ends_session
    assert not sim.in_session


def test_utterance_outside_a_session_opens_one_with_that_intent(
    sim: Simulator, skill: TinySkill
) -> None:
    turn = sim.say("we are Sam and Alex")
    assert turn.text == "Hi Sam and Alex."
    assert skill.events[0]["session"]["new"] is True
    assert skill.events[0]["request"]["type"] == "IntentRequest"


def test_open_in_the_middle_of_a_session_starts_a_new_one(sim: Simulator, skill: TinySkill) -> None:
    sim.launch()
    sim.say("open closer together")
    assert skill.events[1]["session"]["new"] is True
    assert skill.events[1]["session"]["sessionId"] != skill.events[0]["session"]["sessionId"]


def test_one_shot_ask_opens_a_new_session_with_the_intent(sim: Simulator, skill: TinySkill) -> None:
    sim.launch()
    sim.say("tell closer together we are Kim and Lee")
    sent = skill.events[1]
    assert sent["session"]["new"] is True
    assert sent["request"]["intent"]["slots"]["secondName"]["value"] == "Lee"


def test_an_elicited_slot_takes_the_next_answer(sim: Simulator, skill: TinySkill) -> None:
    sim.launch()
    asked = sim.say("I'm Sam")
    assert asked.directives[0]["type"] == "Dialog.ElicitSlot"
    done = sim.say("Alex")
    request = skill.events[-1]["request"]
    assert request["dialogState"] == "IN_PROGRESS"
    assert request["intent"]["slots"]["firstName"]["value"] == "Sam"
    assert request["intent"]["slots"]["secondName"]["value"] == "Alex"
    assert done.text == "Hi Sam and Alex."


def honest_sim(skill: TinySkill, clock: SteppingClock) -> Simulator:
    return Simulator(
        skill,
        model_path=REAL_MODEL,
        user_id=DEVICE.user_id,
        device_id=DEVICE.device_id,
        api_endpoint=DEVICE.api_endpoint,
        api_token=DEVICE.api_token,
        clock=clock,
        nlu_mode="honest",
    )


def test_the_nlu_mode_reaches_the_nlu(
    sim: Simulator, skill: TinySkill, clock: SteppingClock
) -> None:
    assert sim.nlu.mode == "exact"
    assert honest_sim(skill, clock).nlu.mode == "honest"


def test_honest_mode_sends_the_fallback_intent_without_words(
    skill: TinySkill, clock: SteppingClock
) -> None:
    sim = honest_sim(skill, clock)
    sim.launch()
    sim.say("we went for a walk by the river")
    request = skill.events[-1]["request"]
    assert request["intent"] == {"name": "AMAZON.FallbackIntent", "confirmationStatus": "NONE"}
    assert "dialogState" not in request


def test_honest_mode_elicited_name_takes_only_a_name(
    skill: TinySkill, clock: SteppingClock
) -> None:
    sim = honest_sim(skill, clock)
    sim.launch()
    asked = sim.say("I'm Sam")
    assert asked.directives[0]["type"] == "Dialog.ElicitSlot"
    sim.say("hi there")
    request = skill.events[-1]["request"]
    assert request["intent"] == {"name": "AMAZON.FallbackIntent", "confirmationStatus": "NONE"}
    sim.launch()
    sim.say("I'm Sam")
    done = sim.say("Alex")
    assert skill.events[-1]["request"]["dialogState"] == "IN_PROGRESS"
    assert done.text == "Hi Sam and Alex."


def test_the_console_speaks_to_an_honest_nlu_unless_told_otherwise() -> None:
    assert parse_args([]).nlu == "honest"
    assert parse_args(["--nlu", "exact"]).nlu == "exact"
    with pytest.raises(SystemExit):
        parse_args(["--nlu", "fuzzy"])


def test_permission_answer_carries_the_token_in_the_same_session(
    sim: Simulator, skill: TinySkill
) -> None:
    sim.launch()
    asking = sim.say("yes")
    assert not asking.ends_session
    assert sim.pending_permission is not None
    answer = sim.permission("ACCEPTED")
    request = skill.events[-1]["request"]
    assert request["type"] == "Connections.Response"
    assert request["token"] == "reminder-offer"
    assert request["payload"] == {"permissionScope": REMINDERS, "status": "ACCEPTED"}
    assert skill.events[-1]["session"]["sessionId"] == skill.events[0]["session"]["sessionId"]
    assert answer.text == "Permission accepted."
    assert sim.pending_permission is None
    with pytest.raises(RuntimeError):
        sim.permission("DENIED")


def test_yes_or_no_answers_a_pending_permission_request(sim: Simulator, skill: TinySkill) -> None:
    sim.launch()
    sim.say("yes")
    turn = sim.say("no thanks")
    assert skill.events[-1]["request"]["payload"]["status"] == "DENIED"
    assert turn.text == "Permission denied."


def test_end_sends_session_ended_and_closes(sim: Simulator, skill: TinySkill) -> None:
    with pytest.raises(RuntimeError):
        sim.end()
    sim.launch()
    turn = sim.end("EXCEEDED_MAX_REPROMPTS")
    assert skill.events[-1]["request"]["type"] == "SessionEndedRequest"
    assert skill.events[-1]["request"]["reason"] == "EXCEEDED_MAX_REPROMPTS"
    assert turn.ends_session
    assert not sim.in_session


def test_events_go_outside_the_session(sim: Simulator, skill: TinySkill) -> None:
    sim.launch()
    session_id = sim.session_id
    sim.event(envelopes.skill_event(sim.device, "SkillEnabled", sim.now()))
    assert "session" not in skill.events[-1]
    assert sim.session_id == session_id
    assert sim.attributes == {"turns": 1}


def test_person_and_clock_reach_the_request(
    sim: Simulator, skill: TinySkill, clock: SteppingClock
) -> None:
    sim.set_person("amzn1.ask.person.SAM")
    sim.launch()
    assert skill.events[-1]["context"]["System"]["person"]["personId"] == "amzn1.ask.person.SAM"
    clock.now = NOW + timedelta(days=1, minutes=5)
    sim.set_person(None)
    sim.say("help")
    assert "person" not in skill.events[-1]["context"]["System"]
    assert skill.events[-1]["request"]["timestamp"] == "2025-03-06T20:05:00Z"


def test_scripted_intent_sends_every_declared_slot(sim: Simulator, skill: TinySkill) -> None:
    sim.intent("NamesIntent", firstName="Sam")
    slots = skill.events[-1]["request"]["intent"]["slots"]
    assert slots["firstName"]["value"] == "Sam"
    assert slots["secondName"] == {"name": "secondName", "confirmationStatus": "NONE"}
    with pytest.raises(KeyError):
        sim.intent("NamesIntent", nickname="Sammy")


@pytest.mark.parametrize(
    "bad",
    [
        "<speak>Tom & Jerry</speak>",
        "<speak>Say <b>hi</speak>",
        "Hello there",
        "<speak>1 < 2</speak>",
    ],
)
def test_invalid_ssml_from_the_skill_raises(sim: Simulator, skill: TinySkill, bad: str) -> None:
    skill.help_ssml = bad
    with pytest.raises(AssertionError, match="SSML"):
        sim.say("help")


def test_alexa_tags_and_entities_read_as_plain_words() -> None:
    ssml = (
        '<speak><alexa:name type="first" personId="amzn1.ask.person.SAM"/>, '
        "you said &quot;dinner &amp; a movie&quot; &lt;3"
        '<break time="1s"/><amazon:emotion name="excited" intensity="low">Lovely!'
        '</amazon:emotion> <sub alias="okay">OK</sub></speak>'
    )
    parse_ssml(ssml)
    assert ssml_to_text(ssml) == '[name] , you said "dinner & a movie" <3 Lovely! okay'


# -- the console and the local table -------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.granted: list[str] = []
        self.saves = 0
        self.due: list[str] = []

    def grant(self, scope: str) -> None:
        self.granted.append(scope)

    def save(self) -> None:
        self.saves += 1

    def due_now(self, now: datetime) -> list[str]:
        due, self.due = self.due, []
        return due


def console_for(sim: Simulator, recorder: Recorder) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    clock = SimulatedClock(NOW, ZoneInfo("America/New_York"))
    console = Console(
        sim, clock, due=recorder.due_now, grant=recorder.grant, save=recorder.save, out=out
    )
    return console, out


def test_console_prints_the_dialog_and_saves_after_every_turn(sim: Simulator) -> None:
    recorder = Recorder()
    console, out = console_for(sim, recorder)
    recorder.due = ["It's time for your check-in."]
    assert console.handle("open closer together")
    assert console.handle("stop")
    assert out.getvalue().splitlines() == [
        "alexa> Welcome & hello.",
        "(reminder) It's time for your check-in.",
        "alexa> Bye.",
        "[session ended]",
    ]
    assert recorder.saves == 2
    assert not console.handle(":quit")


def test_console_yes_grants_the_pending_permission(sim: Simulator, skill: TinySkill) -> None:
    recorder = Recorder()
    console, out = console_for(sim, recorder)
    console.handle("open closer together")
    console.handle("yes")
    assert "(Alexa asks whether the skill may use reminders: yes / no)" in out.getvalue()
    console.handle("sure")
    assert recorder.granted == [REMINDERS]
    assert skill.events[-1]["request"]["payload"]["status"] == "ACCEPTED"


def test_console_moving_the_clock_ends_the_session(sim: Simulator, skill: TinySkill) -> None:
    console, out = console_for(sim, Recorder())
    before = console.clock()
    console.handle("open closer together")
    console.handle(":days 2")
    assert skill.events[-1]["request"]["reason"] == "EXCEEDED_MAX_REPROMPTS"
    assert not sim.in_session
    assert (console.clock() - before).days == 2
    console.handle(":time 07:30")
    local = console.clock()
    assert (local.hour, local.minute) == (7, 30)
    console.handle(":person amzn1.ask.person.ALEX")
    console.handle("help")
    assert skill.events[-1]["context"]["System"]["person"]["personId"] == "amzn1.ask.person.ALEX"
    assert "[session ended]" in out.getvalue()


def test_console_keeps_going_when_the_skill_fails(sim: Simulator, skill: TinySkill) -> None:
    console, out = console_for(sim, Recorder())
    skill.help_ssml = "<speak>Tom & Jerry</speak>"
    assert console.handle("help")
    assert console.failures == 1
    assert "(the skill failed on that turn)" in out.getvalue()


def test_local_table_items_survive_a_restart(tmp_path: Path) -> None:
    table = {
        "TableName": "Notes",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    item = {"pk": {"S": "household"}, "names": {"L": [{"S": "Sam"}, {"S": "Alex & Jo"}]}}
    with LocalDynamo(tmp_path) as first:
        first._client.create_table(**table)
        first._client.put_item(TableName="Notes", Item=item)
        assert first.snapshot() == 1
        # moto's state lives on in this process; a real restart starts empty
        first._client.delete_table(TableName="Notes")
    with LocalDynamo(tmp_path) as second:
        assert second.restore() == 0  # the table is not there yet
        second._client.create_table(**table)
        assert second.restore() == 1
        found = second._client.get_item(TableName="Notes", Key={"pk": {"S": "household"}})
        assert found["Item"] == item


def test_console_data_survives_a_restart(tmp_path: Path) -> None:
    """The real skill through the console: names given once are greeted after a restart."""

    def console(*utterances: str) -> str:
        says = [arg for text in utterances for arg in ("--say", text)]
        done = subprocess.run(
            [sys.executable, "-m", "alexa_local.console", "--data-dir", str(tmp_path), *says],
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    first = console("open closer together", "we are Sam and Alex", "stop")
    assert "you> we are Sam and Alex" in first
    second = console("open closer together")
    greeting = [line for line in second.splitlines() if line.startswith("alexa> ")]
    assert greeting, second
    assert "Sam" in greeting[0] and "Alex" in greeting[0]


def test_a_dialog_directive_answering_a_launch_is_refused_as_a_device_would() -> None:
    from alexa_local.simulator import check_directives

    elicit = [{"type": "Dialog.ElicitSlot", "slotToElicit": "names"}]
    check_directives("IntentRequest", elicit)
    check_directives("LaunchRequest", [{"type": "Connections.SendRequest"}])
    with pytest.raises(AssertionError):
        check_directives("LaunchRequest", elicit)
    with pytest.raises(AssertionError):
        check_directives("Connections.Response", elicit)


def test_the_first_launch_asks_for_names_without_a_dialog_directive(sim: Any) -> None:
    turn = sim.launch()
    assert turn.reprompt and not turn.ends_session
    assert not [d for d in turn.directives if d["type"].startswith("Dialog.")]
    turn = sim.say("we are Sam and Alex")
    assert "Sam" in turn.text and "Alex" in turn.text
