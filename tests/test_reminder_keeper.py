"""ReminderKeeper against an in-memory Alexa: the schedule says only what Alexa holds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from closer_together.gateways.reminders import Alert, ReminderOutcome, ReminderResult
from closer_together.household import Household
from closer_together.rituals.schedule import GONE, OFF, ON, Entry, ReminderPlan, RitualSchedule
from closer_together.scheduling import ReminderKeeper
from closer_together.speech import Voice, catalog
from closer_together.turn import Turn

NOW = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)  # a Thursday
ZONE = "America/New_York"
DAILY_8PM = "FREQ=DAILY;BYHOUR=20;BYMINUTE=0;BYSECOND=0;INTERVAL=1"


class FakeReminders:
    """The part of ReminderGateway the keeper calls, holding reminders in a dict."""

    def __init__(self) -> None:
        self.held: dict[str, Alert] = {}
        self.calls: list[str] = []
        self.refuse: dict[str, ReminderOutcome] = {}  # operation -> outcome instead of DONE
        self._next = 0

    def _refused(self, operation: str) -> ReminderResult | None:
        self.calls.append(operation)
        outcome = self.refuse.get(operation)
        return ReminderResult(outcome) if outcome is not None else None

    def _hold(self, token: str, plan: ReminderPlan, text: str) -> ReminderResult:
        scheduled = plan.scheduled.isoformat()
        self.held[token] = Alert(token, "ON", rule=plan.rule, scheduled=scheduled, text=text)
        return ReminderResult(ReminderOutcome.DONE, alert_token=token)

    def create(self, plan: ReminderPlan, text: str, locale: str) -> ReminderResult:
        refused = self._refused("create")
        if refused is not None:
            return refused
        self._next += 1
        return self._hold(f"token-{self._next}", plan, text)

    def update(
        self, alert_token: str, plan: ReminderPlan, text: str, locale: str
    ) -> ReminderResult:
        refused = self._refused("update")
        if refused is not None:
            return refused
        if alert_token not in self.held:
            return ReminderResult(ReminderOutcome.NOT_FOUND)
        return self._hold(alert_token, plan, text)

    def delete(self, alert_token: str) -> ReminderResult:
        refused = self._refused("delete")
        if refused is not None:
            return refused
        if self.held.pop(alert_token, None) is None:
            return ReminderResult(ReminderOutcome.NOT_FOUND)
        return ReminderResult(ReminderOutcome.DONE)

    def list(self) -> ReminderResult:
        refused = self._refused("list")
        if refused is not None:
            return refused
        return ReminderResult(ReminderOutcome.DONE, alerts=tuple(self.held.values()))


class FakeSettings:
    def __init__(self, zone: str | None = ZONE) -> None:
        self.zone = zone
        self.asked = 0

    def time_zone(self, device_id: str | None) -> str | None:
        self.asked += 1
        return self.zone


def keeper_for(
    household: Household | None = None, zone: str | None = ZONE, now: datetime = NOW
) -> tuple[ReminderKeeper, FakeReminders, Turn]:
    turn = Turn(
        household or Household("h1"),
        Voice(catalog("en-US"), {}, 0),
        now,
        "en-US",
        {},
        device_id="device-1",
    )
    alexa = FakeReminders()
    keeper = ReminderKeeper(turn, alexa, FakeSettings(zone))  # type: ignore[arg-type]
    return keeper, alexa, turn


def stored(turn: Turn, ritual: str) -> Entry:
    entry = RitualSchedule(turn.household.schedule).get(ritual)
    assert entry is not None
    return entry


def test_save_creates_the_reminder_and_then_records_it() -> None:
    keeper, alexa, turn = keeper_for()
    saved = keeper.save(Entry("checkin", "20:00"))
    assert saved.ok and not saved.changed
    assert alexa.calls == ["create"]
    assert alexa.held["token-1"].rule == DAILY_8PM
    assert alexa.held["token-1"].text == "Time for your daily check-in together."
    entry = stored(turn, "checkin")
    assert (entry.alert_token, entry.status, entry.zone) == ("token-1", ON, ZONE)
    assert turn.changed


def test_without_a_time_zone_from_alexa_the_turns_assumed_zone_is_used() -> None:
    keeper, alexa, turn = keeper_for(zone=None)
    turn.zone, turn.zone_assumed = "Europe/London", True
    saved = keeper.save(Entry("checkin", "20:00"))
    assert saved.ok and stored(turn, "checkin").zone == "Europe/London"
    assert turn.household.time_zone is None  # a guess is never stored as the device's


def test_without_a_time_zone_from_alexa_the_one_known_before_is_used() -> None:
    keeper, _, turn = keeper_for(Household("h1", time_zone="Asia/Kolkata"), zone=None)
    assert keeper.save(Entry("checkin", "20:00")).ok
    assert stored(turn, "checkin").zone == "Asia/Kolkata"


def test_a_time_zone_alexa_tells_at_last_is_kept_with_the_reminder() -> None:
    keeper, _, turn = keeper_for(zone="America/Chicago")
    turn.zone_assumed = True
    assert keeper.save(Entry("checkin", "20:00")).ok
    assert turn.household.time_zone == "America/Chicago" and not turn.zone_assumed


def test_the_time_zone_is_asked_once_per_keeper() -> None:
    keeper, _, _ = keeper_for()
    keeper.save(Entry("checkin", "20:00"))
    keeper.save(Entry("weekly_review", "19:00", day="SU"))
    assert keeper.settings.asked == 1  # type: ignore[attr-defined]


def test_saving_a_ritual_again_updates_its_one_reminder() -> None:
    keeper, alexa, turn = keeper_for()
    keeper.save(Entry("checkin", "20:00"))
    saved = keeper.save(Entry("checkin", "21:00"))
    assert saved.ok and saved.changed
    assert alexa.calls == ["create", "update"] and list(alexa.held) == ["token-1"]
    assert stored(turn, "checkin").time == "21:00"


def test_a_reminder_gone_at_alexa_is_made_anew_on_update() -> None:
    keeper, alexa, turn = keeper_for()
    keeper.save(Entry("checkin", "20:00"))
    alexa.held.clear()  # deleted in the Alexa app
    saved = keeper.save(Entry("checkin", "21:00"))
    assert saved.ok and not saved.changed
    assert alexa.calls == ["create", "update", "create"]
    assert stored(turn, "checkin").alert_token == "token-2"


def test_a_monthly_rule_alexa_refuses_becomes_a_one_off() -> None:
    keeper, alexa, turn = keeper_for()
    calls = 0

    def create_once_refused(plan: ReminderPlan, text: str, locale: str) -> ReminderResult:
        nonlocal calls
        calls += 1
        if plan.rule is not None:
            return ReminderResult(ReminderOutcome.UNSUPPORTED_RECURRENCE)
        return alexa._hold("token-1", plan, text)

    alexa.create = create_once_refused  # type: ignore[method-assign]
    saved = keeper.save(Entry("monthly_checkin", "19:00", day="SU", week=1))
    assert saved.ok and calls == 2
    entry = stored(turn, "monthly_checkin")
    assert entry.once and entry.rule is None
    assert entry.next == "2026-12-06T19:00:00"  # the first Sunday of December, local


@pytest.mark.parametrize("outcome", [ReminderOutcome.NEEDS_PERMISSION, ReminderOutcome.THROTTLED])
def test_a_refused_save_leaves_the_schedule_alone(outcome: ReminderOutcome) -> None:
    keeper, alexa, turn = keeper_for()
    alexa.refuse["create"] = outcome
    saved = keeper.save(Entry("checkin", "20:00"))
    assert saved.outcome is outcome and not saved.ok
    assert turn.household.schedule == {}


def test_a_timed_out_save_is_kept_aside_and_adopted_when_alexa_has_it() -> None:
    keeper, alexa, turn = keeper_for()
    alexa.refuse["create"] = ReminderOutcome.TIMED_OUT
    keeper.save(Entry("checkin", "20:00"))
    assert turn.household.schedule == {}
    assert "checkin" in turn.household.memory["reminders"]["unsure"]
    # Alexa made it after all.
    del alexa.refuse["create"]
    alexa.create(Entry("checkin", "20:00").plan(ZONE, NOW), keeper._text("checkin"), "en-US")
    keeper.reconcile()
    assert stored(turn, "checkin").alert_token == "token-1"
    assert turn.household.memory["reminders"]["unsure"] == {}


def test_cancel_turns_the_entry_off_and_drops_alexas_token() -> None:
    keeper, alexa, turn = keeper_for()
    keeper.save(Entry("checkin", "20:00"))
    outcome = keeper.cancel(stored(turn, "checkin"))
    assert outcome is ReminderOutcome.DONE and alexa.held == {}
    entry = stored(turn, "checkin")
    assert (entry.status, entry.alert_token) == (OFF, None)


def test_a_failed_cancel_keeps_the_reminder() -> None:
    keeper, alexa, turn = keeper_for()
    keeper.save(Entry("checkin", "20:00"))
    alexa.refuse["delete"] = ReminderOutcome.UNAVAILABLE
    assert keeper.cancel(stored(turn, "checkin")) is ReminderOutcome.UNAVAILABLE
    assert stored(turn, "checkin").status == ON


def test_reconcile_follows_what_alexa_holds() -> None:
    keeper, alexa, turn = keeper_for()
    keeper.save(Entry("checkin", "20:00"))
    keeper.save(Entry("weekly_review", "19:00", day="SU"))
    del alexa.held["token-1"]  # deleted in the Alexa app
    moved = Entry("weekly_review", "18:30", day="SA")
    alexa._hold("token-2", moved.plan(ZONE, NOW), keeper._text("weekly_review"))  # changed there
    keeper.reconcile()
    assert stored(turn, "checkin").status == OFF
    review = stored(turn, "weekly_review")
    assert (review.time, review.day, review.status) == ("18:30", "SA", ON)


def test_reconcile_without_the_permission_marks_reminders_gone() -> None:
    keeper, alexa, turn = keeper_for()
    keeper.save(Entry("checkin", "20:00"))
    alexa.refuse["list"] = ReminderOutcome.NEEDS_PERMISSION
    keeper.reconcile()
    assert stored(turn, "checkin").status == GONE


def test_reconcile_asks_nothing_when_no_reminder_is_on() -> None:
    keeper, alexa, _ = keeper_for()
    keeper.reconcile()
    assert alexa.calls == []


def _passed_one_off() -> Household:
    household = Household("h1")
    entry = Entry("monthly_checkin", "19:00", day="SU", week=1, zone=ZONE, once=True)
    entry.alert_token, entry.next = "old", "2026-11-01T19:00:00"
    RitualSchedule(household.schedule).put(entry, NOW)
    return household


def test_renew_sets_the_next_one_off_after_the_last_has_passed() -> None:
    keeper, alexa, turn = keeper_for(_passed_one_off())
    keeper.renew()
    entry = stored(turn, "monthly_checkin")
    assert entry.once and entry.next == "2026-12-06T19:00:00"
    assert alexa.calls == ["update", "create"]  # the old one-off is gone at Alexa


def test_renew_without_the_permission_offers_the_reminder_back_later() -> None:
    keeper, alexa, turn = keeper_for(_passed_one_off())
    alexa.refuse["update"] = ReminderOutcome.NEEDS_PERMISSION
    keeper.renew()
    assert stored(turn, "monthly_checkin").status == GONE


def test_nothing_to_renew_asks_nothing() -> None:
    keeper, alexa, _ = keeper_for()
    keeper.renew()
    assert alexa.calls == []
