"""Spoken ritual reminders: set, list, move and cancel by voice (issue 5).

Every test talks to the skill in full Alexa request envelopes; the SDK's real
ReminderManagementServiceClient talks to the local Alexa API stand-in, and the stored
schedule is read back from DynamoDB (moto).
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any

import pytest
import requests
from conftest import DEVICE, meet, says, stored_household

from alexa_local import envelopes
from alexa_local.envelopes import Session
from closer_together.gateways.reminders import ReminderGateway, ReminderOutcome

# Real Alexa is the reference: these flows hold on the honest NLU as well.
NLU_MODES = ("exact", "honest")

SCOPE = "alexa::alerts:reminders:skill:readwrite"
REMINDERS = "/v1/alerts/reminders"
DAILY_8PM = "FREQ=DAILY;BYHOUR=20;BYMINUTE=0;BYSECOND=0;INTERVAL=1"
LOCAL_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")  # no offset, no Z
CHECK_IN_TEXT = "Time for your daily check-in together."


def sent(api: Any, method: str | None = None) -> list[Any]:
    """Reminder API requests the skill made (settings reads left out)."""
    return [
        r
        for r in api.requests
        if r.path.startswith(REMINDERS) and (method is None or r.method == method)
    ]


def ready(sim: Any, api: Any) -> None:
    """A named couple, a fresh session, and no API traffic recorded yet."""
    meet(sim)
    sim.launch()
    api.clear()


def set_daily(sim: Any, api: Any) -> str:
    """A daily check-in reminder at 8 PM, confirmed; returns its alert token."""
    sim.say("remind us every evening at eight")
    sim.say("yes")
    return str(stored_household().schedule["checkin"]["alert_token"])


def raw(api: Any, method: str, path: str, body: Any = None) -> requests.Response:
    """Change the stand-in's reminders as the Alexa app would, behind the skill's back."""
    return requests.request(
        method,
        f"{api.endpoint}{path}",
        json=body,
        headers={"Authorization": f"Bearer {api.token}"},
        verify=str(api.ca_path),
        timeout=5,
    )


# -- setting a reminder -------------------------------------------------------------------


def test_every_evening_at_eight_is_restated_and_set_only_after_yes(
    sim: Any, alexa_api: Any
) -> None:
    ready(sim, alexa_api)
    # The device's own time zone is used, whatever the household was first seen in.
    alexa_api.set_time_zone(DEVICE, "America/Chicago")

    turn = sim.say("remind us every evening at eight")
    assert "every day at 8 PM" in turn.text and "daily check-in" in turn.text
    assert turn.text.endswith("?") and turn.reprompt and not turn.ends_session
    assert sent(alexa_api) == []

    turn = sim.say("yes")
    assert "every day at 8 PM" in turn.text and turn.ends_session
    [post] = sent(alexa_api)
    assert (post.method, post.path) == ("POST", REMINDERS)
    body = post.json
    # 7 PM in Chicago now: tonight's 8 PM is the first one.
    assert body["trigger"] == {
        "type": "SCHEDULED_ABSOLUTE",
        "scheduledTime": "2026-11-26T20:00:00",
        "timeZoneId": "America/Chicago",
        "recurrence": {"startDateTime": "2026-11-26T20:00:00", "recurrenceRules": [DAILY_8PM]},
    }
    assert LOCAL_TIME.fullmatch(body["trigger"]["scheduledTime"])
    assert LOCAL_TIME.fullmatch(body["requestTime"])
    assert body["alertInfo"] == {
        "spokenInfo": {
            "content": [
                {
                    "locale": "en-US",
                    "text": CHECK_IN_TEXT,
                    "ssml": f"<speak>{CHECK_IN_TEXT}</speak>",
                }
            ]
        }
    }
    assert body["pushNotification"] == {"status": "ENABLED"}
    # The zone came from the Settings API for this device, asked just before.
    settings = [r for r in alexa_api.requests if "System.timeZone" in r.path]
    assert settings and settings[-1].path == f"/v2/devices/{DEVICE}/settings/System.timeZone"

    [(token, reminder)] = alexa_api.reminders.items()
    entry = stored_household().schedule["checkin"]
    assert entry["alert_token"] == token and entry["status"] == "on"
    assert (entry["time"], entry["zone"], entry["rule"]) == ("20:00", "America/Chicago", DAILY_8PM)
    assert reminder["status"] == "ON"


def test_reminder_text_is_neutral(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    set_daily(sim, alexa_api)
    [post] = sent(alexa_api, "POST")
    spoken = post.json["alertInfo"]["spokenInfo"]["content"][0]
    for word in ("Sam", "Alex", "Closer Together"):
        assert word not in spoken["text"] and word not in spoken["ssml"]
    assert len(spoken["text"]) < 60


def test_weekly_review_on_sundays_at_seven_asks_morning_or_evening(
    sim: Any, alexa_api: Any
) -> None:
    ready(sim, alexa_api)
    turn = sim.say("remind us about the weekly review on sundays at seven")
    assert "7 in the morning" in turn.text and "evening" in turn.text
    [elicit] = turn.directives
    assert elicit["type"] == "Dialog.ElicitSlot" and elicit["slotToElicit"] == "time"
    assert elicit["updatedIntent"]["name"] == "SetReminderIntent"

    turn = sim.say("in the evening")
    assert "every Sunday at 7 PM" in turn.text and "weekly review" in turn.text
    assert sent(alexa_api) == []
    sim.say("yes")

    [post] = sent(alexa_api)
    trigger = post.json["trigger"]
    assert trigger["scheduledTime"] == "2026-11-29T19:00:00"
    assert trigger["timeZoneId"] == "America/New_York"
    assert trigger["recurrence"]["recurrenceRules"] == [
        "FREQ=WEEKLY;BYDAY=SU;BYHOUR=19;BYMINUTE=0;BYSECOND=0;INTERVAL=1"
    ]
    assert post.json["alertInfo"]["spokenInfo"]["content"][0]["text"] == (
        "Time for your weekly review together."
    )
    entry = stored_household().schedule["weekly_review"]
    assert (entry["time"], entry["day"], entry["status"]) == ("19:00", "SU", "on")


def test_monthly_check_in_on_the_first_sunday_asks_the_time(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    turn = sim.say("remind us about the monthly check in on the first sunday of the month")
    assert "time" in turn.text.lower()
    assert turn.directives[0]["slotToElicit"] == "time"
    turn = sim.say("seven pm")
    assert "on the first Sunday of every month at 7 PM" in turn.text
    sim.say("yes")

    [post] = sent(alexa_api)
    trigger = post.json["trigger"]
    assert trigger["scheduledTime"] == "2026-12-06T19:00:00"
    assert trigger["recurrence"]["recurrenceRules"] == [
        "FREQ=MONTHLY;BYDAY=1SU;BYHOUR=19;BYMINUTE=0;BYSECOND=0;INTERVAL=1"
    ]
    entry = stored_household().schedule["monthly_checkin"]
    assert (entry["day"], entry["week"], entry["once"]) == ("SU", 1, False)


def test_monthly_falls_back_to_a_one_off_renewed_at_the_next_session(
    sim: Any, alexa_api: Any, clock: Any
) -> None:
    ready(sim, alexa_api)
    alexa_api.fail_next(
        "POST",
        REMINDERS,
        400,
        {"code": "UNSUPPORTED_TRIGGER_RECURRENCE", "message": "FREQ=MONTHLY is not supported"},
    )
    sim.say("remind us about the monthly check in on the first sunday of the month at seven pm")
    turn = sim.say("yes")
    assert "can't repeat a reminder monthly" in turn.text
    assert "Sunday, December 6 at 7 PM" in turn.text

    refused, once = sent(alexa_api, "POST")
    assert "recurrence" in refused.json["trigger"]
    assert once.json["trigger"] == {
        "type": "SCHEDULED_ABSOLUTE",
        "scheduledTime": "2026-12-06T19:00:00",
        "timeZoneId": "America/New_York",
    }
    entry = stored_household().schedule["monthly_checkin"]
    assert entry["once"] is True and entry["next"] == "2026-12-06T19:00:00"
    assert "rule" not in entry
    token = entry["alert_token"]
    assert alexa_api.reminders[token]["status"] == "ON"

    turn = sim.say("ask closer together what reminders do we have")
    assert "monthly check-in reminder, next on Sunday, December 6 at 7 PM" in turn.text
    assert stored_household().schedule["monthly_checkin"] == entry  # checked, not changed

    # It goes off; the next session sets the one for January.
    clock.now = datetime(2026, 12, 8, 1, 0, tzinfo=clock.now.tzinfo)
    assert alexa_api.due(clock.now) == ["Time for your monthly check-in together."]
    alexa_api.clear()
    turn = sim.launch()
    assert "Sam and Alex" in turn.text  # the launch itself goes on as usual
    [put] = sent(alexa_api)
    assert (put.method, put.path) == ("PUT", f"{REMINDERS}/{token}")
    assert put.json["trigger"]["scheduledTime"] == "2027-01-03T19:00:00"
    assert "recurrence" not in put.json["trigger"]
    assert stored_household().schedule["monthly_checkin"]["next"] == "2027-01-03T19:00:00"

    # Nothing to renew: the next launch makes no reminder call at all.
    sim.say("stop")
    alexa_api.clear()
    sim.launch()
    assert sent(alexa_api) == []


def test_set_a_reminder_collects_ritual_day_and_time(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    turn = sim.say("set a reminder")
    assert "daily check-in" in turn.text and "weekly review" in turn.text
    assert turn.directives[0]["slotToElicit"] == "ritual"
    turn = sim.say("the weekly review")
    assert "day" in turn.text.lower() and turn.directives[0]["slotToElicit"] == "day"
    turn = sim.say("friday")
    assert turn.directives[0]["slotToElicit"] == "time"
    turn = sim.say("half past seven in the evening")
    assert "every Friday at 7:30 PM" in turn.text
    sim.say("yes")
    [post] = sent(alexa_api)
    assert post.json["trigger"]["recurrence"]["recurrenceRules"] == [
        "FREQ=WEEKLY;BYDAY=FR;BYHOUR=19;BYMINUTE=30;BYSECOND=0;INTERVAL=1"
    ]
    assert post.json["trigger"]["scheduledTime"] == "2026-11-27T19:30:00"


def test_every_evening_without_a_time_asks_what_time_in_the_evening(
    sim: Any, alexa_api: Any
) -> None:
    ready(sim, alexa_api)
    turn = sim.say("remind us every evening")
    assert "What time in the evening" in turn.text or "At what time in the evening" in turn.text
    turn = sim.say("nine")
    assert "every day at 9 PM" in turn.text


def test_a_no_sets_nothing(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    sim.say("remind us every evening at eight")
    turn = sim.say("no")
    assert says(turn.text, "reminder.declined") and turn.ends_session
    assert sent(alexa_api) == [] and alexa_api.reminders == {}
    assert stored_household().schedule == {}


def test_one_shot_from_outside_the_skill(sim: Any, alexa_api: Any) -> None:
    meet(sim)
    alexa_api.clear()
    turn = sim.say("Alexa, tell closer together to remind us every evening at eight")
    assert "every day at 8 PM" in turn.text
    sim.say("yes")
    assert len(sent(alexa_api, "POST")) == 1


def test_setting_again_updates_the_same_reminder(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    token = set_daily(sim, alexa_api)
    sim.launch()
    alexa_api.clear()

    turn = sim.say("remind us every evening at nine")
    assert "every day at 8 PM" in turn.text and "every day at 9 PM" in turn.text
    turn = sim.say("yes")
    assert "now every day at 9 PM" in turn.text
    [put] = sent(alexa_api)
    assert (put.method, put.path) == ("PUT", f"{REMINDERS}/{token}")
    assert put.json["trigger"]["recurrence"]["recurrenceRules"] == [
        "FREQ=DAILY;BYHOUR=21;BYMINUTE=0;BYSECOND=0;INTERVAL=1"
    ]
    assert list(alexa_api.reminders) == [token]
    entry = stored_household().schedule["checkin"]
    assert (entry["alert_token"], entry["time"]) == (token, "21:00")


def test_asking_for_the_same_reminder_again_changes_nothing(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    set_daily(sim, alexa_api)
    alexa_api.clear()
    turn = sim.say("ask closer together to remind us every evening at eight")
    assert "already every day at 8 PM" in turn.text and turn.ends_session
    assert sent(alexa_api) == []


def test_a_reminder_gone_from_alexa_is_created_anew(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    old = set_daily(sim, alexa_api)
    assert raw(alexa_api, "DELETE", f"{REMINDERS}/{old}").ok
    sim.launch()
    alexa_api.clear()

    sim.say("remind us every evening at nine")
    sim.say("yes")
    put, post = sent(alexa_api)
    assert (put.method, put.path) == ("PUT", f"{REMINDERS}/{old}")
    assert (post.method, post.path) == ("POST", REMINDERS)
    [new] = alexa_api.reminders
    assert new != old
    assert stored_household().schedule["checkin"]["alert_token"] == new


# -- permission ---------------------------------------------------------------------------


def test_without_permission_alexa_is_asked_by_voice_and_accepted_sets_it(
    sim: Any, alexa_api: Any
) -> None:
    ready(sim, alexa_api)
    alexa_api.revoke("reminders")
    sim.say("remind us every evening at eight")
    turn = sim.say("yes")

    assert "permission" in turn.text
    [ask] = turn.directives
    assert ask == {
        "type": "Connections.SendRequest",
        "name": "AskFor",
        "payload": {
            "@type": "AskForPermissionsConsentRequest",
            "@version": "2",
            "permissionScopes": [{"permissionScope": SCOPE, "consentLevel": "ACCOUNT"}],
        },
        "token": "reminders",
    }
    assert alexa_api.reminders == {}
    assert stored_household().schedule == {}
    # What was being set survives in the session and in the household.
    pending = stored_household().memory["reminders"]["reminder_pending"]
    assert pending["entries"][0]["ritual"] == "checkin"
    assert turn.session_attributes["reminder_pending"] == pending

    alexa_api.grant("reminders")
    alexa_api.clear()
    turn = sim.say("yes")  # Alexa's own consent question
    assert "every day at 8 PM" in turn.text
    [post] = sent(alexa_api)
    assert post.json["trigger"]["recurrence"]["recurrenceRules"] == [DAILY_8PM]
    household = stored_household()
    assert household.schedule["checkin"]["alert_token"] in alexa_api.reminders
    assert "reminder_pending" not in household.memory["reminders"]


def test_permission_answer_in_a_new_session_uses_what_the_household_kept(
    sim: Any, alexa_api: Any
) -> None:
    ready(sim, alexa_api)
    alexa_api.revoke("reminders")
    sim.say("remind us about the weekly review on sunday at seven pm")
    sim.say("yes")
    alexa_api.grant("reminders")
    alexa_api.clear()

    # Alexa sends the answer in a session of its own, without our attributes.
    answer = envelopes.connections_response(
        sim.device, Session(), sim.now(), status="ACCEPTED", scope=SCOPE, token="reminders"
    )
    turn = sim.event(answer)
    assert "every Sunday at 7 PM" in (turn.response["outputSpeech"]["ssml"])
    [post] = sent(alexa_api)
    assert "BYDAY=SU;BYHOUR=19" in post.json["trigger"]["recurrence"]["recurrenceRules"][0]
    assert stored_household().schedule["weekly_review"]["status"] == "on"


def test_denied_sends_the_card_and_no_voice_request_for_a_week(
    sim: Any, alexa_api: Any, clock: Any
) -> None:
    ready(sim, alexa_api)
    alexa_api.revoke("reminders")
    sim.say("remind us every evening at eight")
    sim.say("yes")
    turn = sim.say("no")  # to Alexa's consent question

    assert "Alexa app" in turn.text and turn.ends_session
    assert turn.card == {"type": "AskForPermissionsConsent", "permissions": [SCOPE]}
    household = stored_household()
    assert household.schedule == {}
    assert household.memory["reminders"]["quiet_until"] == "2026-12-03"
    assert "reminder_pending" not in household.memory["reminders"]

    # Asking again within the week: the way to the setting, not another voice request.
    clock.advance(days=6)
    sim.launch()
    sim.say("remind us every evening at eight")
    turn = sim.say("yes")
    assert not any(d["type"] == "Connections.SendRequest" for d in turn.directives)
    assert turn.card == {"type": "AskForPermissionsConsent", "permissions": [SCOPE]}
    assert "Alexa app" in turn.text and turn.ends_session

    clock.advance(days=1)
    sim.launch()
    sim.say("remind us every evening at eight")
    turn = sim.say("yes")
    assert [d["name"] for d in turn.directives] == ["AskFor"]


def test_accepted_with_nothing_waiting_says_how_to_set_one(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    answer = envelopes.connections_response(
        sim.device, Session(), sim.now(), status="ACCEPTED", scope=SCOPE, token="reminders"
    )
    turn = sim.event(answer)
    assert "remind us every evening at eight" in turn.response["outputSpeech"]["ssml"]
    assert sent(alexa_api) == []


def test_not_answered_sets_nothing_and_forgets_the_request(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    alexa_api.revoke("reminders")
    sim.say("remind us every evening at eight")
    sim.say("yes")
    alexa_api.grant("reminders")
    turn = sim.permission("NOT_ANSWERED")
    assert "no reminder is set" in turn.text and turn.ends_session
    assert alexa_api.reminders == {}
    household = stored_household()
    assert household.schedule == {}
    assert "reminder_pending" not in household.memory["reminders"]
    assert "quiet_until" not in household.memory["reminders"]


# -- failures -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "said"),
    [
        (400, "INVALID_ALERT_INFO", "didn't accept that reminder"),
        (400, "INVALID_TRIGGER_SCHEDULED_TIME_FORMAT", "didn't accept that reminder"),
        (403, "DEVICE_NOT_SUPPORTED", "This device can't set reminders"),
        (429, "TOO_MANY_REQUESTS", "busy right now"),
        (500, "INTERNAL_SERVER_ERROR", "having trouble"),
        (503, "SERVICE_UNAVAILABLE", "having trouble"),
    ],
)
def test_each_failure_gets_its_own_answer_and_nothing_is_claimed(
    sim: Any, alexa_api: Any, status: int, code: str, said: str
) -> None:
    ready(sim, alexa_api)
    alexa_api.fail_next("POST", REMINDERS, status, {"code": code, "message": "scripted"})
    sim.say("remind us every evening at eight")
    turn = sim.say("yes")
    assert said in turn.text and "nothing changed" in turn.text
    assert turn.ends_session
    assert alexa_api.reminders == {}
    assert stored_household().schedule == {}


def test_a_gateway_timeout_from_alexa_is_not_claimed_either_way(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    alexa_api.fail_next("POST", REMINDERS, 504, {"code": "GATEWAY_TIMEOUT", "message": "slow"})
    sim.say("remind us every evening at eight")
    turn = sim.say("yes")
    assert "can't be sure" in turn.text and turn.ends_session
    household = stored_household()
    assert household.schedule == {}
    # Kept aside, so a listing can adopt the reminder if Alexa made it after all.
    assert household.memory["reminders"]["unsure"]["checkin"]["rule"] == DAILY_8PM


def test_no_time_zone_from_alexa_now_uses_the_one_known_before(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    sim.say("remind us every evening at eight")
    alexa_api.fail_next("GET", f"/v2/devices/{DEVICE}/settings", 500)
    turn = sim.say("yes")
    [post] = sent(alexa_api, "POST")
    assert post.json["trigger"]["timeZoneId"] == "America/New_York"
    assert stored_household().schedule["checkin"]["status"] == "on"
    assert not says(turn.text, "zone.assumed")  # nothing was assumed


def test_a_timeout_is_said_honestly_and_the_next_listing_finds_the_reminder(
    sim: Any, alexa_api: Any
) -> None:
    ready(sim, alexa_api)
    # Alexa answers after the skill has stopped waiting (2 s read timeout), but makes it.
    alexa_api.fail_next("POST", REMINDERS, None, delay=3.0)
    sim.say("remind us every evening at eight")
    turn = sim.say("yes")
    assert "can't be sure" in turn.text
    assert stored_household().schedule == {}
    deadline = time.monotonic() + 60  # returns as soon as it is there; generous for a busy machine
    while not alexa_api.reminders and time.monotonic() < deadline:
        time.sleep(0.05)
    [token] = alexa_api.reminders

    turn = sim.say("ask closer together what reminders do we have")
    assert "daily check-in reminder every day at 8 PM" in turn.text
    entry = stored_household().schedule["checkin"]
    assert (entry["alert_token"], entry["status"]) == (token, "on")
    assert "checkin" not in stored_household().memory["reminders"].get("unsure", {})


# -- list, move, cancel ---------------------------------------------------------------------


def test_list_with_no_reminders(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    turn = sim.say("what reminders do we have")
    assert "don't have any" in turn.text or "no ritual reminders" in turn.text
    assert sent(alexa_api) == []  # nothing stored, nothing to check


def test_list_reads_back_the_schedule_checked_against_alexa(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    set_daily(sim, alexa_api)
    sim.say("ask closer together to remind us about the weekly review on sunday at seven pm")
    sim.say("yes")
    alexa_api.clear()
    turn = sim.say("ask closer together what reminders do we have")
    assert "daily check-in reminder every day at 8 PM" in turn.text
    assert "weekly review reminder every Sunday at 7 PM" in turn.text
    assert [(r.method, r.path) for r in sent(alexa_api)] == [("GET", REMINDERS)]


def test_list_notices_a_reminder_deleted_outside_the_skill(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    token = set_daily(sim, alexa_api)
    assert raw(alexa_api, "DELETE", f"{REMINDERS}/{token}").ok
    turn = sim.say("ask closer together what reminders do we have")
    assert "every day at 8 PM" not in turn.text
    entry = stored_household().schedule["checkin"]
    assert entry["status"] == "off" and "alert_token" not in entry


def test_list_still_answers_when_alexa_cannot(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    set_daily(sim, alexa_api)
    alexa_api.fail_next("GET", REMINDERS, 500)
    turn = sim.say("ask closer together what reminders do we have")
    assert "every day at 8 PM" in turn.text
    assert stored_household().schedule["checkin"]["status"] == "on"


def test_move_our_daily_reminder_to_nine(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    token = set_daily(sim, alexa_api)
    alexa_api.clear()
    turn = sim.say("ask closer together to move our daily reminder to nine")
    assert "now every day at 9 PM" in turn.text  # nine near eight in the evening
    [put] = sent(alexa_api)
    assert (put.method, put.path) == ("PUT", f"{REMINDERS}/{token}")
    assert put.json["trigger"]["recurrence"]["recurrenceRules"] == [
        "FREQ=DAILY;BYHOUR=21;BYMINUTE=0;BYSECOND=0;INTERVAL=1"
    ]
    assert put.json["trigger"]["scheduledTime"] == "2026-11-26T21:00:00"
    entry = stored_household().schedule["checkin"]
    assert (entry["time"], entry["alert_token"]) == ("21:00", token)


def test_move_the_weekly_reminder_to_another_day(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    sim.say("remind us about the weekly review on sunday at seven pm")
    sim.say("yes")
    alexa_api.clear()
    turn = sim.say("ask closer together to move our weekly reminder to saturday")
    assert "every Saturday at 7 PM" in turn.text
    [put] = sent(alexa_api, "PUT")
    assert "BYDAY=SA;BYHOUR=19" in put.json["trigger"]["recurrence"]["recurrenceRules"][0]
    assert stored_household().schedule["weekly_review"]["day"] == "SA"


def test_move_without_a_name_asks_which_when_there_are_two(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    daily = set_daily(sim, alexa_api)
    sim.say("ask closer together to remind us about the weekly review on sunday at seven pm")
    sim.say("yes")
    weekly = stored_household().schedule["weekly_review"]["alert_token"]
    sim.launch()
    alexa_api.clear()
    turn = sim.say("move our reminder to nine")
    assert "Which reminder should I move" in turn.text
    assert turn.directives[0]["updatedIntent"]["name"] == "MoveReminderIntent"
    assert turn.directives[0]["slotToElicit"] == "ritual"
    turn = sim.say("our weekly reminder")
    assert "weekly review reminder is now every Sunday at 9 PM" in turn.text
    [put] = sent(alexa_api, "PUT")
    assert put.path == f"{REMINDERS}/{weekly}"
    schedule = stored_household().schedule
    assert (schedule["weekly_review"]["time"], schedule["checkin"]["time"]) == ("21:00", "20:00")
    assert schedule["checkin"]["alert_token"] == daily


def test_a_failed_move_keeps_the_reminder_as_it_was(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    token = set_daily(sim, alexa_api)
    alexa_api.fail_next("PUT", REMINDERS, 429)
    turn = sim.say("ask closer together to move our daily reminder to nine")
    assert "busy" in turn.text and "still every day at 8 PM" in turn.text
    entry = stored_household().schedule["checkin"]
    assert (entry["time"], entry["alert_token"]) == ("20:00", token)
    assert alexa_api.reminders[token]["trigger"]["recurrence"]["recurrenceRules"] == [DAILY_8PM]


def test_move_without_a_reminder_offers_to_set_one(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    turn = sim.say("move our daily reminder to nine pm")
    assert "don't have a daily check-in reminder" in turn.text and "9 PM" in turn.text
    assert sent(alexa_api) == []
    sim.say("yes")
    [post] = sent(alexa_api)
    assert post.json["trigger"]["recurrence"]["recurrenceRules"][0].startswith(
        "FREQ=DAILY;BYHOUR=21;"
    )


def test_cancel_the_weekly_reminder(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    daily = set_daily(sim, alexa_api)
    sim.say("ask closer together to remind us about the weekly review on sunday at seven pm")
    sim.say("yes")
    weekly = stored_household().schedule["weekly_review"]["alert_token"]
    alexa_api.clear()

    turn = sim.say("ask closer together to cancel the weekly reminder")
    assert "weekly review reminder is cancelled" in turn.text or "cancelled your" in turn.text
    [delete] = sent(alexa_api)
    assert (delete.method, delete.path) == ("DELETE", f"{REMINDERS}/{weekly}")
    assert list(alexa_api.reminders) == [daily]
    schedule = stored_household().schedule
    assert schedule["weekly_review"]["status"] == "off"
    assert "alert_token" not in schedule["weekly_review"]
    assert schedule["checkin"]["status"] == "on"


def test_cancel_without_a_name_asks_which_when_there_are_two(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    daily = set_daily(sim, alexa_api)
    sim.say("ask closer together to remind us about the weekly review on sunday at seven pm")
    sim.say("yes")
    sim.launch()
    turn = sim.say("cancel the reminder")
    assert "daily check-in and weekly review" in turn.text
    assert turn.directives[0]["slotToElicit"] == "ritual"
    assert turn.directives[0]["updatedIntent"]["name"] == "CancelReminderIntent"
    sim.say("the weekly review")
    assert list(alexa_api.reminders) == [daily]


def test_cancel_what_does_not_exist(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    turn = sim.say("cancel the monthly reminder")
    assert "don't have a monthly check-in reminder" in turn.text
    assert sent(alexa_api) == []


def test_a_failed_cancel_keeps_the_reminder(sim: Any, alexa_api: Any) -> None:
    ready(sim, alexa_api)
    token = set_daily(sim, alexa_api)
    alexa_api.fail_next("DELETE", REMINDERS, 500)
    turn = sim.say("ask closer together to cancel the daily reminder")
    assert "having trouble" in turn.text and "still every day at 8 PM" in turn.text
    assert token in alexa_api.reminders
    assert stored_household().schedule["checkin"]["status"] == "on"


# -- the one-off reminder for other rituals ----------------------------------------------------


def _factory(api: Any) -> Any:
    from ask_sdk_core.api_client import DefaultApiClient
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model.services import ApiConfiguration, ServiceClientFactory

    return ServiceClientFactory(
        ApiConfiguration(
            serializer=DefaultSerializer(),
            api_client=DefaultApiClient(),
            authorization_value=api.token,
            api_endpoint=api.endpoint,
        )
    )


def test_remind_in_sets_a_relative_one_off_reminder(alexa_api: Any) -> None:
    gateway = ReminderGateway(_factory(alexa_api))
    result = gateway.remind_in(20 * 60, "Time to come back & talk.", "en-US")
    assert result.ok and result.alert_token in alexa_api.reminders
    [post] = alexa_api.requests
    assert post.json["trigger"] == {"type": "SCHEDULED_RELATIVE", "offsetInSeconds": 1200}
    assert post.json["alertInfo"]["spokenInfo"]["content"] == [
        {
            "locale": "en-US",
            "text": "Time to come back & talk.",
            "ssml": "<speak>Time to come back &amp; talk.</speak>",
        }
    ]
    assert post.json["pushNotification"] == {"status": "ENABLED"}
    alexa_api.revoke("reminders")
    assert gateway.remind_in(60, "Back together.", "en-US").outcome is (
        ReminderOutcome.NEEDS_PERMISSION
    )
    assert ReminderGateway(None).remind_in(60, "x", "en-US").outcome is ReminderOutcome.FAILED


def test_reminders_are_read_back_through_the_sdk_client(alexa_api: Any) -> None:
    gateway = ReminderGateway(_factory(alexa_api))
    made = gateway.remind_in(60, "Back together.", "en-US")
    listed = gateway.list()
    assert [a.alert_token for a in listed.alerts] == [made.alert_token]
    assert gateway.get(str(made.alert_token)).alerts[0].text == "Back together."
