"""The scheduling service: the couple's ritual schedule and Alexa's reminders in agreement.

`ReminderKeeper` changes reminders at Alexa (through `ReminderGateway`) and, only when
Alexa agreed, in `household.schedule`; the schedule never claims a reminder Alexa does
not hold. It knows nothing of request handling: handlers build one per turn.
"""

from __future__ import annotations

from typing import Any

from closer_together.gateways.reminders import ReminderGateway, ReminderOutcome, ReminderResult
from closer_together.gateways.settings import SettingsGateway
from closer_together.rituals.reminders import Saved
from closer_together.rituals.schedule import (
    GONE,
    MONTHLY,
    OFF,
    ON,
    Entry,
    RitualSchedule,
    adopt,
    differs,
    entry_from_alert,
    reminder_memory,
)
from closer_together.turn import Turn


class ReminderKeeper:
    """Changes reminders at Alexa and, only when Alexa agreed, in the household schedule."""

    def __init__(self, turn: Turn, reminders: ReminderGateway, settings: SettingsGateway) -> None:
        self.turn = turn
        self.reminders = reminders
        self.settings = settings
        self.schedule = RitualSchedule(turn.household.schedule)
        self._zone: str | None = None

    def zone(self) -> str | None:
        """The device's time zone, asked once per keeper (every call shares the 8 s); while
        Alexa cannot say, the one known from before, else the locale's (turn.zone_assumed)."""
        if self._zone is None:
            turn = self.turn
            asked = self.settings.time_zone(turn.device_id)
            if asked and turn.household.time_zone is None:
                # Known at last: kept with this turn's write (saving a reminder writes anyway).
                turn.household.time_zone, turn.zone_assumed = asked, False
            self._zone = asked or turn.household.time_zone or turn.zone
        return self._zone

    def _text(self, ritual: str) -> str:
        return self.turn.voice.catalog.variants(f"reminder.text.{ritual}")[0]

    def save(self, entry: Entry, *, once: bool = False) -> Saved:
        """Create the ritual's reminder, or update the one it has (one per ritual)."""
        turn = self.turn
        zone = self.zone()
        if not zone:
            return Saved(None, entry)
        old = self.schedule.get(entry.ritual)
        token = old.alert_token if old is not None and old.status != OFF else None
        plan = entry.plan(zone, turn.now, once=once)
        result, updated = self._write(token, entry, plan)
        if result.outcome is ReminderOutcome.UNSUPPORTED_RECURRENCE and entry.cadence == MONTHLY:
            # FREQ=MONTHLY is not known to be accepted: remind once, renew each session.
            plan = entry.plan(zone, turn.now, once=True)
            result, updated = self._write(token, entry, plan)
        if result.outcome is ReminderOutcome.TIMED_OUT and not updated:
            # Alexa may have made it anyway; the next listing looks for it.
            maybe = Entry.from_dict(entry.ritual, entry.to_dict())
            maybe.rule, maybe.zone, maybe.once = plan.rule, zone, plan.rule is None
            maybe.next = plan.scheduled.isoformat() if maybe.once else None
            unsure = reminder_memory(turn.household.memory).setdefault("unsure", {})
            unsure[entry.ritual] = maybe.to_dict()
            turn.touch()
        if not result.ok:
            return Saved(result.outcome, entry, updated)
        entry.alert_token = result.alert_token or token
        entry.status = ON
        entry.zone = zone
        entry.rule = plan.rule
        entry.once = plan.rule is None
        entry.next = plan.scheduled.isoformat() if entry.once else None
        self.schedule.put(entry, turn.now)
        reminder_memory(turn.household.memory).get("unsure", {}).pop(entry.ritual, None)
        turn.touch()
        return Saved(result.outcome, entry, updated)

    def _write(self, token: str | None, entry: Entry, plan: Any) -> tuple[ReminderResult, bool]:
        text, locale = self._text(entry.ritual), self.turn.locale
        if token:
            result = self.reminders.update(token, plan, text, locale)
            if result.outcome is not ReminderOutcome.NOT_FOUND:
                return result, True
        # No reminder yet, or Alexa no longer has it: a new one.
        return self.reminders.create(plan, text, locale), False

    def cancel(self, entry: Entry) -> ReminderOutcome:
        outcome = ReminderOutcome.DONE
        if entry.alert_token:
            outcome = self.reminders.delete(entry.alert_token).outcome
        if outcome in (
            ReminderOutcome.DONE,
            ReminderOutcome.NOT_FOUND,
            ReminderOutcome.NEEDS_PERMISSION,
        ):
            entry.status, entry.alert_token = OFF, None
            self.schedule.put(entry, self.turn.now)
            self.turn.touch()
        return outcome

    def renew(self) -> None:
        """Set the next one-off reminder of a monthly ritual whose last one has passed."""
        for entry in self.schedule.renewals_due(self.turn.now):
            saved = self.save(entry, once=True)
            if saved.outcome is ReminderOutcome.NEEDS_PERMISSION:
                entry.status = GONE
                self.schedule.put(entry, self.turn.now)
                self.turn.touch()

    def reconcile(self) -> None:
        """Read Alexa's reminders back and make the schedule say what Alexa holds."""
        memory = reminder_memory(self.turn.household.memory)
        entries = self.schedule.with_status(ON)
        if not entries and not memory.get("unsure"):
            return
        result = self.reminders.list()
        if result.outcome is ReminderOutcome.NEEDS_PERMISSION:
            for entry in entries:
                entry.status = GONE
                self.schedule.put(entry, self.turn.now)
            self.turn.touch()
            return
        if not result.ok:
            return  # say what is stored; nothing better is known
        alerts = {alert.alert_token: alert for alert in result.alerts}
        for entry in entries:
            alert = alerts.get(entry.alert_token or "")
            if alert is None:
                entry.status, entry.alert_token = OFF, None  # deleted outside the skill
                self.schedule.put(entry, self.turn.now)
                self.turn.touch()
                continue
            seen = entry_from_alert(entry.ritual, alert.rule, alert.scheduled)
            if seen is not None and differs(entry, seen):
                adopt(entry, seen)
                self.schedule.put(entry, self.turn.now)
                self.turn.touch()
        known = {e.alert_token for e in self.schedule.entries() if e.alert_token}
        for ritual, data in dict(memory.get("unsure") or {}).items():
            wanted = Entry.from_dict(ritual, data)
            found = next(
                (
                    a
                    for a in result.alerts
                    if a.alert_token not in known
                    and a.status == "ON"
                    and a.text == self._text(ritual)
                    and (a.rule == wanted.rule if wanted.rule else not a.rule)
                ),
                None,
            )
            if found is not None:
                wanted.alert_token, wanted.status = found.alert_token, ON
                if wanted.once:
                    wanted.next = found.scheduled
                self.schedule.put(wanted, self.turn.now)
            memory["unsure"].pop(ritual, None)
            self.turn.touch()
