"""Monthly one-off reminders (the fallback when Alexa refuses FREQ=MONTHLY) never lapse
silently: renewed at any session start, retried after a failure, recreated when gone.

Full envelopes through the simulator; the Alexa APIs at the local stand-in; DynamoDB in moto.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from alexa_apis import (
    MONTHLY,
    REMINDERS,
    delete_at_alexa,
    reminder_posts,
)
from conftest import meet, says, stored_household

from alexa_local import envelopes

# -- 2. monthly one-offs never lapse silently ------------------------------------------------------


def monthly_one_off(sim: Any, api: Any) -> str:
    """The monthly check-in reminded by a one-off (Alexa refused FREQ=MONTHLY)."""
    meet(sim)
    sim.launch()
    api.fail_next(
        "POST", REMINDERS, 400, {"code": "UNSUPPORTED_TRIGGER_RECURRENCE", "message": "no"}
    )
    sim.say(MONTHLY)
    sim.say("yes")
    sim.say("stop")
    entry = stored_household().schedule["monthly_checkin"]
    assert entry["once"] is True and entry["next"] == "2026-12-06T19:00:00"
    return str(entry["alert_token"])


def after_it_went_off(clock: Any) -> None:
    clock.now = datetime(2026, 12, 8, 1, 0, tzinfo=clock.now.tzinfo)


def test_a_one_shot_request_that_opens_a_session_renews_it(
    sim: Any, alexa_api: Any, clock: Any
) -> None:
    token = monthly_one_off(sim, alexa_api)
    after_it_went_off(clock)
    alexa_api.clear()
    turn = sim.say("ask closer together what reminders do we have")
    assert turn.request["session"]["new"] and turn.request["request"]["type"] == "IntentRequest"
    puts = [r for r in alexa_api.requests if r.method == "PUT"]
    assert [p.path for p in puts] == [f"{REMINDERS}/{token}"]
    assert stored_household().schedule["monthly_checkin"]["next"] == "2027-01-03T19:00:00"


def test_a_renewal_that_fails_is_tried_again_next_session(
    sim: Any, alexa_api: Any, clock: Any
) -> None:
    token = monthly_one_off(sim, alexa_api)
    after_it_went_off(clock)
    alexa_api.fail_next("PUT", REMINDERS, 503)
    sim.launch()
    entry = stored_household().schedule["monthly_checkin"]
    assert entry["status"] == "on" and entry["next"] == "2026-12-06T19:00:00"  # still due
    sim.say("stop")
    alexa_api.clear()
    sim.launch()
    [put] = [r for r in alexa_api.requests if r.method == "PUT"]
    assert put.path == f"{REMINDERS}/{token}"
    assert stored_household().schedule["monthly_checkin"]["next"] == "2027-01-03T19:00:00"


def test_a_one_off_alexa_no_longer_holds_is_created_anew(
    sim: Any, alexa_api: Any, clock: Any
) -> None:
    token = monthly_one_off(sim, alexa_api)
    delete_at_alexa(alexa_api, token)  # no event told the skill
    after_it_went_off(clock)
    alexa_api.clear()
    sim.launch()
    [post] = reminder_posts(alexa_api)
    assert post.json["trigger"]["scheduledTime"] == "2027-01-03T19:00:00"
    entry = stored_household().schedule["monthly_checkin"]
    assert entry["status"] == "on" and entry["alert_token"] != token
    assert entry["alert_token"] in alexa_api.reminders


def test_alexa_clearing_a_one_off_that_went_off_does_not_end_the_ritual(
    sim: Any, alexa_api: Any, clock: Any
) -> None:
    token = monthly_one_off(sim, alexa_api)
    after_it_went_off(clock)
    delete_at_alexa(alexa_api, token)
    sim.event(
        envelopes.reminders_event(sim.device, "ReminderDeleted", sim.now(), alert_tokens=(token,))
    )
    assert stored_household().schedule["monthly_checkin"]["status"] == "on"
    alexa_api.clear()
    sim.launch()
    assert len(reminder_posts(alexa_api)) == 1
    assert stored_household().schedule["monthly_checkin"]["next"] == "2027-01-03T19:00:00"


def test_a_one_off_deleted_before_it_went_off_is_the_couples_choice(
    sim: Any, alexa_api: Any
) -> None:
    token = monthly_one_off(sim, alexa_api)
    delete_at_alexa(alexa_api, token)
    sim.event(
        envelopes.reminders_event(sim.device, "ReminderDeleted", sim.now(), alert_tokens=(token,))
    )
    assert stored_household().schedule["monthly_checkin"]["status"] == "off"
    alexa_api.clear()
    sim.launch()
    assert reminder_posts(alexa_api) == []


def test_a_renewal_without_the_permission_is_offered_back(
    sim: Any, alexa_api: Any, clock: Any
) -> None:
    monthly_one_off(sim, alexa_api)
    after_it_went_off(clock)
    alexa_api.revoke("alexa::alerts:reminders:skill:readwrite")
    sim.launch()
    assert stored_household().schedule["monthly_checkin"]["status"] == "gone"
    sim.say("stop")
    turn = sim.launch()  # the couple is told, and asked whether to set it again
    assert says(turn.text, "reminder.gone.one") and turn.reprompt
    assert sim.attributes.get("expect") == "reminder:restore"
