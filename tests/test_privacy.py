"""The couple's control of their data (issue 6): what is kept, forgetting everything,
stopping saving, a disabled skill, and logs that never carry what anyone said.

Deletions are verified by scanning the table in moto; events go through the real Lambda
entry point (`closer_together.skill.lambda_handler`), which reads the raw event.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import DEVICE, MODEL, USER, meet, says, stored_household

from alexa_local import envelopes
from alexa_local.simulator import Simulator
from closer_together.household import MOMENT_DAYS, household_id_for
from closer_together.storage import HouseholdStore
from closer_together.storage.models import HouseholdModel

ROOT = Path(__file__).resolve().parents[1]
OTHER_USER = "amzn1.ask.account.OTHERHOUSEHOLD"


def items() -> list[dict[str, Any]]:
    return [item.to_simple_dict() for item in HouseholdModel.scan()]


def keys() -> set[str]:
    """The households that hold anything: an erased one leaves only an empty marker."""
    return {item["pk"] for item in items() if not is_marker(item)}


MARKER_FIELDS = {"pk", "sk", "epoch", "erased", "version", "expires_at"}


def is_marker(item: dict[str, Any]) -> bool:
    """The empty marker of an erased household: nothing but its key, epoch and expiry."""
    filled = {key for key, value in item.items() if value not in (None, [], {}, True)}
    return bool(item.get("erased")) and filled <= MARKER_FIELDS


def checkin_with_answers(sim: Any) -> None:
    sim.say("ask closer together to start our check-in")
    sim.say("the best part was a picnic by the lake")
    sim.say("stop")


@pytest.fixture
def lambda_sim(table: str, alexa_api: Any, clock: Any) -> Iterator[Simulator]:
    """A simulator in front of the real Lambda entry point (a fresh container's skill)."""
    from closer_together import skill

    skill.get_skill.cache_clear()
    yield Simulator(
        skill.lambda_handler,
        model_path=MODEL,
        user_id=USER,
        device_id=DEVICE,
        api_endpoint=alexa_api.endpoint,
        api_token=alexa_api.token,
        clock=clock,
    )
    skill.get_skill.cache_clear()


# --- what is kept ------------------------------------------------------------------------------


def test_what_do_you_keep_answers_truthfully_with_the_real_retention(sim: Any) -> None:
    meet(sim)
    turn = sim.say("ask closer together what do you keep about us")
    assert turn.heard.intent_name == "WhatDoYouKeepIntent"
    text = turn.text
    assert "first names" in text and "rituals" in text and "reminder" in text
    assert f"about {round(MOMENT_DAYS / 7)} weeks" in text
    assert "never keep challenges, concerns" in text and "safety" in text
    assert "forget everything" in text.lower()
    card = turn.card["content"]
    assert "the day you last did each ritual" in card
    assert f"about {round(MOMENT_DAYS / 7)} weeks" in card
    assert "2 years" in card  # storage.INACTIVE_RETENTION
    assert not turn.ends_session


def test_what_do_you_keep_says_when_saving_is_off(sim: Any) -> None:
    meet(sim)
    sim.say("tell closer together to stop saving our answers")
    turn = sim.say("ask closer together what do you keep about us")
    assert "saving answers is off" in turn.text.lower()
    assert "start saving our answers" in turn.text


# --- forget everything -------------------------------------------------------------------------


def test_forget_everything_after_yes_deletes_every_item(sim: Any, make_sim: Any) -> None:
    other = make_sim(user_id=OTHER_USER)
    meet(other, "Robin", "Kim")
    meet(sim)
    checkin_with_answers(sim)
    assert household_id_for(USER) in keys()
    turn = sim.say("ask closer together to forget everything")
    assert turn.heard.intent_name == "ForgetEverythingIntent"
    assert "can't be undone" in turn.text and turn.text.endswith("?")
    assert household_id_for(USER) in keys()  # nothing happens before the yes
    turn = sim.say("yes")
    assert "deleted" in turn.text and turn.ends_session
    assert keys() == {household_id_for(OTHER_USER)}  # only the other couple is left
    (marker,) = [i for i in items() if i["pk"] == household_id_for(USER)]
    assert is_marker(marker) and "Sam" not in json.dumps(marker)
    assert "Sam" not in json.dumps(turn.raw)
    # The couple comes back as strangers.
    turn = sim.launch()
    assert "Welcome to Closer Together" in turn.text and "first names" in turn.text
    assert household_id_for(USER) not in keys()


def test_forget_everything_then_no_changes_nothing(sim: Any) -> None:
    meet(sim)
    checkin_with_answers(sim)
    before = items()
    sim.say("ask closer together to delete all our data")
    turn = sim.say("no")
    assert "haven't deleted" in turn.text or "stays as it was" in turn.text
    assert items() == before


def test_forget_everything_also_cancels_the_couples_reminders(sim: Any, alexa_api: Any) -> None:
    meet(sim)
    sim.say("tell closer together we need a timeout")
    sim.say("an hour")
    sim.say("yes")
    (token,) = alexa_api.reminders
    household = stored_household()
    household.schedule["checkin"] = {"alert_token": token, "time": "20:00"}
    HouseholdStore().save(household)
    sim.say("ask closer together to forget everything")
    turn = sim.say("yes")
    assert "deleted" in turn.text and "still on your Alexa" not in turn.text
    assert alexa_api.reminders == {}
    assert keys() == set()


def test_forget_everything_that_cannot_reach_the_table_says_so(sim: Any, dynamo_calls: Any) -> None:
    meet(sim)
    sim.say("ask closer together to forget everything")

    dynamo_calls.fail("Query", "PutItem")
    turn = sim.say("yes")
    assert "couldn't delete" in turn.text and "nothing has changed" in turn.text
    dynamo_calls.fail()
    assert stored_household().names == ["Sam", "Alex"]


# --- saving answers ----------------------------------------------------------------------------


def test_stop_saving_our_answers_keeps_rituals_but_no_words(sim: Any) -> None:
    meet(sim)
    turn = sim.say("tell closer together to stop saving our answers")
    assert turn.heard.intent_name == "StopSavingIntent"
    assert "stopped saving" in turn.text and turn.ends_session
    assert stored_household().save_answers is False
    checkin_with_answers(sim)
    assert "picnic" not in json.dumps(items())
    assert stored_household().progress is not None  # the ritual itself still runs


def test_stop_saving_offers_to_delete_what_was_saved_yes(sim: Any) -> None:
    meet(sim)
    checkin_with_answers(sim)
    assert "picnic" in json.dumps(items())
    turn = sim.say("tell closer together to stop saving our answers")
    assert "delete" in turn.text and turn.text.endswith("?")
    turn = sim.say("yes")
    assert says(turn.text, "saving.deleted")
    assert "picnic" not in json.dumps(items())
    household = stored_household()
    assert household.save_answers is False and household.names == ["Sam", "Alex"]


def test_stop_saving_offers_to_delete_what_was_saved_no(sim: Any) -> None:
    meet(sim)
    checkin_with_answers(sim)
    sim.say("tell closer together to stop saving our answers")
    turn = sim.say("no")
    assert f"about {round(MOMENT_DAYS / 7)} weeks" in turn.text
    assert "forget everything" in turn.text
    assert "picnic" in json.dumps(items())
    assert stored_household().save_answers is False


def test_start_saving_our_answers_again(sim: Any) -> None:
    meet(sim)
    sim.say("tell closer together to stop saving our answers")
    turn = sim.say("tell closer together to start saving our answers")
    assert turn.heard.intent_name == "StartSavingIntent"
    assert "save your best moments" in turn.text
    assert stored_household().save_answers is True
    checkin_with_answers(sim)
    assert "picnic" in json.dumps(items())
    again = sim.say("tell closer together to start saving our answers")
    assert "already" in again.text


# --- skill disabled ----------------------------------------------------------------------------


def disabled(sim: Simulator, clock: Any, *, persisted: bool) -> Any:
    event = envelopes.skill_event(sim.device, "SkillDisabled", clock.now, persisted=persisted)
    return sim.event(event)


def test_skill_disabled_not_persisted_deletes_the_household(
    lambda_sim: Simulator, make_sim: Any, clock: Any
) -> None:
    meet(make_sim(user_id=OTHER_USER), "Robin", "Kim")
    meet(lambda_sim)
    checkin_with_answers(lambda_sim)
    assert household_id_for(USER) in keys()
    turn = disabled(lambda_sim, clock, persisted=False)
    assert turn.raw["version"] == "1.0"
    assert keys() == {household_id_for(OTHER_USER)}


def test_skill_disabled_persisted_keeps_the_household(lambda_sim: Simulator, clock: Any) -> None:
    meet(lambda_sim)
    checkin_with_answers(lambda_sim)
    before = items()
    disabled(lambda_sim, clock, persisted=True)
    assert items() == before


def test_skill_disabled_without_a_status_deletes(lambda_sim: Simulator, clock: Any) -> None:
    meet(lambda_sim)
    event = envelopes.skill_event(lambda_sim.device, "SkillDisabled", clock.now)
    del event["request"]["body"]
    lambda_sim.event(event)
    assert keys() == set()


# --- logs --------------------------------------------------------------------------------------

SECRET_WORDS = (
    "Zephyrine",
    "Thaddeus",
    "marmalade",
    "trampoline",
    "gondola",
    "ending it all",
    "hopeless",
)


def test_logs_carry_no_names_answers_or_crisis_text(
    sim: Any, alexa_api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("closer_together", "ask_sdk_core", "ask_sdk_runtime", "ask_sdk_model"):
        caplog.set_level(logging.DEBUG, logger=name)
    # The storage transport stays at the Lambda's INFO: at DEBUG, pynamodb and botocore log
    # whole DynamoDB request bodies (the household item) by design.
    for name in ("pynamodb", "botocore", "urllib3"):
        caplog.set_level(logging.INFO, logger=name)
    alexa_api.fail_next("POST", "/v1/alerts/reminders", 500)
    script = [
        "open closer together",
        "we are Zephyrine and Thaddeus",
        "start our check-in",
        "the best part was the marmalade picnic",
        "next",
        "the hardest part was the broken trampoline",
        "next",
        "honestly it feels hopeless about the gondola",
        "the hardest part was that I keep thinking about ending it all",
        "ask closer together I had a terrible day",
        "reassurance",
        "tell closer together we need a timeout",
        "twenty minutes",
        "yes",
        "ask closer together what do you keep about us",
        "stop",
    ]
    for said in script:
        sim.say(said)
    assert caplog.records, "nothing was logged at all: the check would prove nothing"
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert "request IntentRequest AnswerIntent" in logged
    for word in SECRET_WORDS:
        assert word.lower() not in logged.lower(), f"{word!r} reached the logs"


def test_the_skill_description_says_it_is_not_therapy() -> None:
    manifest = json.loads((ROOT / "skill" / "skill.json").read_text(encoding="utf-8"))
    description = manifest["manifest"]["publishingInformation"]["locales"]["en-US"]["description"]
    assert "not therapy" in description
