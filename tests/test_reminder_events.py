"""Reminders changed outside the skill: Alexa's reminder and permission events (issue 5).

Events arrive without a session; the skill changes the stored household directly. Each
test checks the stored schedule afterwards, and what the next session makes of it.
"""

from __future__ import annotations

from typing import Any

import requests
from conftest import meet, stored_household

from alexa_local import envelopes
from closer_together.storage import Deadline, HouseholdStore, WriteConflict

SCOPE = "alexa::alerts:reminders:skill:readwrite"
TIMERS = "alexa::alerts:timers:skill:readwrite"
REMINDERS = "/v1/alerts/reminders"


def with_daily_and_weekly(sim: Any, api: Any) -> tuple[str, str]:
    meet(sim)
    sim.say("ask closer together to remind us every evening at eight")
    sim.say("yes")
    sim.say("ask closer together to remind us about the weekly review on sunday at seven pm")
    sim.say("yes")
    schedule = stored_household().schedule
    api.clear()
    return schedule["checkin"]["alert_token"], schedule["weekly_review"]["alert_token"]


def reminders_event(sim: Any, kind: str, *tokens: str, status: str | None = None) -> Any:
    turn = sim.event(
        envelopes.reminders_event(sim.device, kind, sim.now(), alert_tokens=tokens, status=status)
    )
    assert "outputSpeech" not in turn.response  # nobody is listening to an event
    return turn


def permission_event(sim: Any, kind: str, *scopes: str) -> Any:
    turn = sim.event(envelopes.skill_event(sim.device, kind, sim.now(), scopes=scopes))
    assert "outputSpeech" not in turn.response
    return turn


def test_reminder_deleted_in_the_app_is_off_in_the_schedule(sim: Any, alexa_api: Any) -> None:
    daily, weekly = with_daily_and_weekly(sim, alexa_api)
    reminders_event(sim, "ReminderDeleted", weekly)
    schedule = stored_household().schedule
    assert schedule["weekly_review"]["status"] == "off"
    assert "alert_token" not in schedule["weekly_review"]
    assert schedule["weekly_review"]["day"] == "SU"  # what they had is still known
    assert schedule["checkin"] == {**schedule["checkin"], "status": "on", "alert_token": daily}
    assert alexa_api.requests == []  # nothing to ask Alexa

    turn = sim.say("ask closer together what reminders do we have")
    assert "every day at 8 PM" in turn.text and "Sunday" not in turn.text
    # A deletion the couple made is not offered back.
    turn = sim.launch()
    assert "switched off" not in turn.text


def test_an_event_about_someone_elses_reminder_writes_nothing(sim: Any, alexa_api: Any) -> None:
    with_daily_and_weekly(sim, alexa_api)
    version = stored_household().version
    reminders_event(sim, "ReminderDeleted", "amzn1.alert.reminder.unknown")
    reminders_event(sim, "ReminderCreated", "amzn1.alert.reminder.unknown")
    reminders_event(sim, "ReminderStarted", "amzn1.alert.reminder.unknown")
    assert stored_household().version == version


def test_an_event_for_a_household_never_stored_is_ignored(make_sim: Any, alexa_api: Any) -> None:
    stranger = make_sim(user_id="amzn1.ask.account.STRANGER")
    reminders_event(stranger, "ReminderDeleted", "amzn1.alert.reminder.x")
    permission_event(stranger, "SkillPermissionChanged")
    assert stored_household("amzn1.ask.account.STRANGER").version is None


def test_reminder_created_echo_of_our_own_changes_nothing(sim: Any, alexa_api: Any) -> None:
    daily, _ = with_daily_and_weekly(sim, alexa_api)
    before = stored_household()
    reminders_event(sim, "ReminderCreated", daily)
    after = stored_household()
    assert (after.version, after.schedule) == (before.version, before.schedule)


def test_a_completed_repeating_reminder_is_offered_back_at_launch(sim: Any, alexa_api: Any) -> None:
    daily, weekly = with_daily_and_weekly(sim, alexa_api)
    reminders_event(sim, "ReminderStatusChanged", daily, status="COMPLETED")
    assert stored_household().schedule["checkin"]["status"] == "gone"

    turn = sim.launch()
    assert "daily check-in reminder was switched off" in turn.text
    assert turn.reprompt and not turn.ends_session
    turn = sim.say("yes")
    assert "reminders are back: daily check-in" in turn.text
    # The old token still works at Alexa: updated, not duplicated.
    assert [(r.method, r.path) for r in alexa_api.requests if r.path.startswith(REMINDERS)] == [
        ("PUT", f"{REMINDERS}/{daily}")
    ]
    assert sorted(alexa_api.reminders) == sorted([daily, weekly])
    assert stored_household().schedule["checkin"]["status"] == "on"


def test_status_on_again_brings_an_entry_back(sim: Any, alexa_api: Any) -> None:
    daily, _ = with_daily_and_weekly(sim, alexa_api)
    reminders_event(sim, "ReminderStatusChanged", daily, status="COMPLETED")
    reminders_event(sim, "ReminderStatusChanged", daily, status="ON")
    assert stored_household().schedule["checkin"]["status"] == "on"


def test_a_reminder_changed_in_the_app_is_read_back(sim: Any, alexa_api: Any) -> None:
    daily, _ = with_daily_and_weekly(sim, alexa_api)
    reminder = alexa_api.reminders[daily]
    trigger = reminder["trigger"]
    rule = "FREQ=DAILY;BYHOUR=21;BYMINUTE=30;BYSECOND=0;INTERVAL=1"
    trigger["recurrence"]["recurrenceRules"] = [rule]
    body = {
        "requestTime": "2026-11-26T20:05:00",
        "trigger": trigger,
        "alertInfo": reminder["alertInfo"],
        "pushNotification": {"status": "ENABLED"},
    }
    changed = requests.put(
        f"{alexa_api.endpoint}{REMINDERS}/{daily}",
        json=body,
        headers={"Authorization": f"Bearer {alexa_api.token}"},
        verify=str(alexa_api.ca_path),
        timeout=5,
    )
    assert changed.ok
    alexa_api.clear()

    reminders_event(sim, "ReminderUpdated", daily)
    assert [(r.method, r.path) for r in alexa_api.requests] == [("GET", f"{REMINDERS}/{daily}")]
    entry = stored_household().schedule["checkin"]
    assert (entry["time"], entry["rule"], entry["alert_token"]) == ("21:30", rule, daily)

    # The echo of that change, read again, writes nothing new.
    version = stored_household().version
    reminders_event(sim, "ReminderUpdated", daily)
    assert stored_household().version == version


def test_a_reminder_update_that_cannot_be_read_keeps_the_schedule(sim: Any, alexa_api: Any) -> None:
    daily, _ = with_daily_and_weekly(sim, alexa_api)
    before = stored_household().schedule
    alexa_api.fail_next("GET", f"{REMINDERS}/{daily}", 500)
    reminders_event(sim, "ReminderUpdated", daily)
    assert stored_household().schedule == before


def test_permission_turned_off_keeps_the_schedule_and_launch_offers_it_back(
    sim: Any, alexa_api: Any
) -> None:
    daily, weekly = with_daily_and_weekly(sim, alexa_api)
    alexa_api.revoke("reminders")
    permission_event(sim, "SkillPermissionChanged", TIMERS)

    schedule = stored_household().schedule
    assert {r: e["status"] for r, e in schedule.items()} == {
        "checkin": "gone",
        "weekly_review": "gone",
    }
    assert (schedule["checkin"]["time"], schedule["weekly_review"]["day"]) == ("20:00", "SU")

    turn = sim.launch()
    assert "Sam and Alex" in turn.text
    assert "daily check-in and weekly review reminders were switched off" in turn.text
    turn = sim.say("yes")  # set them again: Alexa wants the permission back first
    assert [d["name"] for d in turn.directives] == ["AskFor"]

    alexa_api.grant("reminders")
    alexa_api.clear()
    turn = sim.say("yes")  # to Alexa's consent question
    assert "reminders are back: daily check-in and weekly review" in turn.text
    # One time-zone read for both, so the turn stays within Alexa's eight seconds.
    assert len([r for r in alexa_api.requests if "System.timeZone" in r.path]) == 1
    assert sorted(alexa_api.reminders) == sorted([daily, weekly])  # updated, no duplicates
    schedule = stored_household().schedule
    assert {e["status"] for e in schedule.values()} == {"on"}


def test_no_to_the_offer_means_quiet_for_a_week(sim: Any, alexa_api: Any, clock: Any) -> None:
    with_daily_and_weekly(sim, alexa_api)
    permission_event(sim, "SkillPermissionChanged")
    sim.launch()
    turn = sim.say("no")
    assert "leave them off" in turn.text and not turn.ends_session
    assert stored_household().memory["reminders"]["quiet_until"] == "2026-12-03"

    clock.advance(days=3)
    turn = sim.launch()
    assert "switched off" not in turn.text and "Sam and Alex" in turn.text
    clock.advance(days=4)
    turn = sim.launch()
    assert "switched off" in turn.text


def test_permission_granted_in_the_app_ends_the_quiet_week(
    sim: Any, alexa_api: Any, clock: Any
) -> None:
    meet(sim)
    alexa_api.revoke("reminders")
    sim.say("ask closer together to remind us every evening at eight")
    sim.say("yes")
    sim.say("no")  # denied
    assert stored_household().memory["reminders"]["quiet_until"]

    alexa_api.grant("reminders")
    permission_event(sim, "SkillPermissionAccepted", SCOPE)
    assert "quiet_until" not in stored_household().memory["reminders"]
    assert stored_household().schedule == {}  # granting alone sets nothing


def test_permission_event_with_reminders_still_granted_changes_nothing(
    sim: Any, alexa_api: Any
) -> None:
    with_daily_and_weekly(sim, alexa_api)
    version = stored_household().version
    permission_event(sim, "SkillPermissionChanged", SCOPE, TIMERS)
    assert stored_household().version == version


def test_an_event_that_meets_a_write_conflict_reloads_and_retries(
    sim: Any, alexa_api: Any, monkeypatch: Any
) -> None:
    daily, weekly = with_daily_and_weekly(sim, alexa_api)
    real_write = HouseholdStore._write
    calls: list[int] = []

    def write_after_another_device(self: Any, household: Any, now: Any, today: Any) -> None:
        if not calls:
            # Another device writes first: its change must survive the event's retry.
            other = self.load(household.household_id)
            other.memory["elsewhere"] = True
            real_write(self, other, now, today)
        calls.append(1)
        real_write(self, household, now, today)

    monkeypatch.setattr(HouseholdStore, "_write", write_after_another_device)
    reminders_event(sim, "ReminderDeleted", weekly)
    assert len(calls) == 2  # the first write conflicted; the reload was written
    household = stored_household()
    assert household.memory["elsewhere"] is True
    assert household.schedule["weekly_review"]["status"] == "off"
    assert household.schedule["checkin"]["alert_token"] == daily


def test_an_event_that_keeps_conflicting_gives_up_quietly(
    sim: Any, alexa_api: Any, monkeypatch: Any
) -> None:
    _, weekly = with_daily_and_weekly(sim, alexa_api)

    def always_conflicts(self: Any, household: Any, now: Any, today: Any) -> None:
        raise WriteConflict("household changed elsewhere")

    monkeypatch.setattr(HouseholdStore, "_write", always_conflicts)
    # The turn's budget is spent: the event stops retrying (no wall clock involved).
    monkeypatch.setattr(HouseholdStore, "deadline", lambda self: Deadline(0.0))
    reminders_event(sim, "ReminderDeleted", weekly)
    monkeypatch.undo()
    assert stored_household().schedule["weekly_review"]["status"] == "on"
