"""The couple's ritual schedule: which ritual is reminded when, as plain data.

`RitualSchedule` reads and changes `household.schedule` (ritual id -> entry dict) in
place. It knows each ritual's recurrence rule (RFC 5545, as Alexa's `recurrenceRules`
want it) and when the ritual next comes round; `scheduling.ReminderKeeper` turns that into
Alexa reminders. It also holds the reminder being set, asked for slot by slot (`collect`).
Nothing here knows about Alexa.

An entry as stored:

    {"time": "20:00", "day": "SU", "week": 1, "zone": "America/New_York",
     "rule": "FREQ=MONTHLY;BYDAY=1SU;...", "alert_token": "...", "status": "on",
     "once": false, "next": "2026-12-06T19:00:00", "updated": "2026-11-27T01:00:00+00:00"}

`status` says whether Alexa holds a reminder for it: "on" yes; "gone" it was removed
outside the skill but the couple did not ask for that (permission turned off), so the
skill offers it back; "off" cancelled by voice or deleted in the Alexa app (kept as a
tombstone so a merge of two devices' writes cannot bring it back). `once` marks the
monthly fallback: a one-off reminder for `next`, renewed at the next session after it.
`updated` is UTC, so entries from different devices compare as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from closer_together.gateways.reminders import ReminderPlan
from closer_together.rituals import offers

DAILY = "daily"
WEEKLY = "weekly"
MONTHLY = "monthly"

ON = "on"
GONE = "gone"
OFF = "off"

# The rituals a reminder can be for, and how often each comes round.
RITUALS: dict[str, str] = {
    "checkin": DAILY,
    "weekly_review": WEEKLY,
    "monthly_checkin": MONTHLY,
}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Parts of the day, as AMAZON.TIME gives them ("in the evening" -> "EV").
PARTS = ("MO", "AF", "EV", "NI")

_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::\d{2})?")
_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# -- what was heard ---------------------------------------------------------------------


@dataclass(frozen=True)
class HeardTime:
    """A time as heard: exact, ambiguous (8 could be AM or PM), or only a part of the day."""

    hour: int | None
    minute: int = 0
    part: str | None = None
    ambiguous: bool = False

    @property
    def clock(self) -> str | None:
        return None if self.hour is None else f"{self.hour:02d}:{self.minute:02d}"


def read_time(
    value: str | None, part: str | None = None, near: str | None = None
) -> HeardTime | None:
    """An AMAZON.TIME value ("08:00", "20:30", "EV") read with what else was said.

    Alexa hears "eight" as "08:00"; "every evening at eight" says which half of the
    day with `part`. Without a part, `near` (a time already set) picks the nearer half;
    1 to 5 without either means the afternoon (nobody checks in at 3 AM); 6 to 11 is
    asked about.
    """
    if not value:
        return HeardTime(None, part=part) if part in PARTS else None
    value = value.strip().upper()
    if value in PARTS:
        return HeardTime(None, part=value)
    match = _CLOCK.fullmatch(value)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    if part in PARTS:
        return HeardTime(_in_part(hour, part), minute)
    if hour == 0 or hour >= 12:
        return HeardTime(hour, minute)
    if near is not None and _CLOCK.fullmatch(near):
        near_hour = int(near.split(":")[0])
        morning, evening = hour, hour + 12
        return HeardTime(
            morning if abs(near_hour - morning) < abs(near_hour - evening) else evening, minute
        )
    if hour <= 5:
        return HeardTime(hour + 12, minute)
    return HeardTime(hour, minute, ambiguous=True)


def _in_part(hour: int, part: str) -> int:
    if part == "MO":
        return 0 if hour == 12 else hour
    if part == "NI":
        if hour == 12:
            return 0
        return hour if hour <= 4 or hour >= 13 else hour + 12
    return hour + 12 if hour < 12 else hour  # afternoon, evening


def day_code(value: str | None) -> str | None:
    """AMAZON.DayOfWeek as said ("Sunday", "sundays") -> "SU"."""
    if not value:
        return None
    word = value.strip().lower()[:3]
    return WEEKDAYS[_DAY_NAMES.index(word)] if word in _DAY_NAMES else None


# -- the reminder being set, one value at a time ------------------------------------------
#
# As a form asks for its required slots: each value heard goes through its slot's own
# validator, which answers with the draft's values to set (None: no longer known), and
# the first required slot still empty is asked for. The draft rides in session
# attributes between questions; besides the slots it keeps `part` (a part of the day),
# `pending` (a clock time still to be placed in the morning or evening) and `asked`
# (the question it is waiting on).

Draft = dict[str, Any]
Validator = Callable[[Any, Mapping[str, Any]], Draft]


def validate_ritual(value: Any, draft: Mapping[str, Any]) -> Draft:
    return {"ritual": value} if value in RITUALS else {}


def validate_day(value: Any, draft: Mapping[str, Any]) -> Draft:
    """A day as a code ("SU"), or as said ("Sunday", "sundays")."""
    if not isinstance(value, str):
        return {}
    code = value.strip().upper() if value.strip().upper() in WEEKDAYS else day_code(value)
    return {"day": code} if code else {}


def validate_week(value: Any, draft: Mapping[str, Any]) -> Draft:
    """Which week of the month: 1 to 4, or -1 for the last (as an id "1" or a number)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return {}
    text = str(value).strip()
    return {"week": int(text)} if text.lstrip("-").isdigit() else {}


def validate_part(value: Any, draft: Mapping[str, Any]) -> Draft:
    return {"part": value} if value in PARTS else {}


def validate_time(value: Any, draft: Mapping[str, Any]) -> Draft:
    """An AMAZON.TIME value read with the part of the day already known."""
    reading = read_time(value, draft.get("part")) if isinstance(value, str) else None
    if reading is None:
        return {"time": None}
    if reading.hour is None:
        return {"part": reading.part, "time": None}
    if reading.ambiguous and draft.get("asked") != "ampm":
        return {"pending": reading.clock, "time": None}
    # A second bare "eight" after "morning or evening?" is taken as Alexa heard it.
    return {"time": reading.clock, "pending": None}


# In the order they are read: the time is read with the part of the day said with it.
VALIDATORS: dict[str, Validator] = {
    "ritual": validate_ritual,
    "day": validate_day,
    "week": validate_week,
    "part": validate_part,
    "time": validate_time,
}


def required_slots(draft: Mapping[str, Any]) -> tuple[str, ...]:
    """What a reminder needs, in the order it is asked: a daily one has no day."""
    if RITUALS.get(str(draft.get("ritual"))) == DAILY:
        return ("ritual", "time")
    return ("ritual", "day", "time")


def _guess_ritual(draft: Mapping[str, Any]) -> str | None:
    """The ritual a reminder without one is for, by what else was said."""
    if "week" in draft:
        return "monthly_checkin"
    if "day" in draft:
        return "weekly_review"
    if draft.keys() & {"time", "pending", "part"}:
        return "checkin"
    return None


def _question(slot: str, draft: Mapping[str, Any]) -> str:
    """What to ask for a missing slot: the time may be half known."""
    if slot != "time":
        return slot
    return "ampm" if draft.get("pending") else "hour" if draft.get("part") else "time"


def fold(draft: Mapping[str, Any], heard: Mapping[str, Any]) -> Draft:
    """What was just heard, each value through its slot's validator, over the draft."""
    folded = {k: v for k, v in draft.items() if v is not None}
    for slot, validate in VALIDATORS.items():
        value = heard.get(slot)
        if value is None or value == "":
            continue
        for key, cleaned in validate(value, folded).items():
            if cleaned is None:
                folded.pop(key, None)
            else:
                folded[key] = cleaned
    if folded.get("pending") and folded.get("part"):
        # "Morning or evening?" answered: the time said before is placed.
        resolved = read_time(folded.pop("pending"), folded["part"])
        if resolved is not None:
            folded["time"] = resolved.clock
    return folded


def collect(draft: Mapping[str, Any], heard: Mapping[str, Any]) -> tuple[Draft, str | None]:
    """Fold what was just heard into the reminder being set; return it and what to ask.

    `heard` holds ritual, day, week, part and time (the AMAZON.TIME value). What to ask is
    one of "ritual", "day", "time", "ampm" (8 in the morning or evening?), "hour" (a part
    of the day without a time), or None when the reminder is complete.
    """
    folded = fold(draft, heard)
    if "ritual" not in folded and (guess := _guess_ritual(folded)):
        folded["ritual"] = guess
    if folded.get("ritual") not in RITUALS:
        folded.pop("ritual", None)
    missing = next((slot for slot in required_slots(folded) if slot not in folded), None)
    if missing is None and RITUALS[folded["ritual"]] == MONTHLY:
        folded.setdefault("week", 1)
    folded["asked"] = None if missing is None else _question(missing, folded)
    return folded, folded["asked"]


# -- the schedule -------------------------------------------------------------------------


@dataclass
class Entry:
    ritual: str
    time: str  # "HH:MM", 24-hour, local
    day: str | None = None  # "MO".."SU": weekly and monthly rituals
    week: int | None = None  # 1..4 or -1 (last): monthly rituals
    zone: str | None = None
    rule: str | None = None
    alert_token: str | None = None
    status: str = ON
    once: bool = False
    next: str | None = None
    updated: str = ""

    @property
    def hour(self) -> int:
        return int(self.time.split(":")[0])

    @property
    def minute(self) -> int:
        return int(self.time.split(":")[1])

    @property
    def cadence(self) -> str:
        if self.week is not None and self.day:
            return MONTHLY
        return WEEKLY if self.day else DAILY

    def recurrence_rule(self) -> str:
        clock = f"BYHOUR={self.hour};BYMINUTE={self.minute};BYSECOND=0;INTERVAL=1"
        if self.cadence == MONTHLY:
            return f"FREQ=MONTHLY;BYDAY={self.week}{self.day};{clock}"
        if self.cadence == WEEKLY:
            return f"FREQ=WEEKLY;BYDAY={self.day};{clock}"
        return f"FREQ=DAILY;{clock}"

    def next_after(self, now: datetime) -> datetime:
        """The first local time strictly after `now` (naive, local) when the ritual is due."""
        at = now.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        if self.cadence == DAILY:
            return at if at > now else at + timedelta(days=1)
        if self.cadence == WEEKLY:
            ahead = (WEEKDAYS.index(str(self.day)) - now.weekday()) % 7
            at += timedelta(days=ahead)
            return at if at > now else at + timedelta(days=7)
        year, month = now.year, now.month
        while True:
            day = nth_weekday(year, month, WEEKDAYS.index(str(self.day)), int(self.week or 1))
            candidate = datetime.combine(day, at.time())
            if candidate > now:
                return candidate
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def plan(self, zone: str, now: datetime, *, once: bool = False) -> ReminderPlan:
        local = now.astimezone(ZoneInfo(zone)).replace(tzinfo=None, microsecond=0)
        return ReminderPlan(
            scheduled=self.next_after(local),
            zone=zone,
            rule=None if once else self.recurrence_rule(),
            requested=local,
        )

    def renewal_due(self, now: datetime) -> bool:
        """A one-off (monthly fallback) whose time has passed: the next one is needed."""
        if not (self.once and self.status == ON and self.next and self.zone):
            return False
        local = now.astimezone(ZoneInfo(self.zone)).replace(tzinfo=None)
        return datetime.fromisoformat(self.next) <= local

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "time": self.time,
            "day": self.day,
            "week": self.week,
            "zone": self.zone,
            "rule": self.rule,
            "alert_token": self.alert_token,
            "status": self.status,
            "once": self.once,
            "next": self.next,
            "updated": self.updated,
        }
        # DynamoDB maps hold no empty values worth storing.
        return {k: v for k, v in data.items() if v is not None}

    @classmethod
    def from_dict(cls, ritual: str, data: dict[str, Any]) -> Entry:
        week = data.get("week")
        return cls(
            ritual=ritual,
            time=str(data.get("time", "20:00")),
            day=data.get("day"),
            week=int(week) if week is not None else None,
            zone=data.get("zone"),
            rule=data.get("rule"),
            alert_token=data.get("alert_token"),
            status=str(data.get("status", ON)),
            once=bool(data.get("once", False)),
            next=data.get("next"),
            updated=str(data.get("updated", "")),
        )

    @classmethod
    def from_draft(cls, draft: dict[str, Any]) -> Entry:
        ritual = str(draft["ritual"])
        cadence = RITUALS[ritual]
        return cls(
            ritual=ritual,
            time=str(draft["time"]),
            day=draft.get("day") if cadence != DAILY else None,
            week=int(draft.get("week") or 1) if cadence == MONTHLY else None,
        )


def nth_weekday(year: int, month: int, weekday: int, week: int) -> date:
    """The first..fourth (1..4) or last (-1) `weekday` (0 = Monday) of a month."""
    if week > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    last = following - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def stamp(now: datetime) -> str:
    return now.astimezone(UTC).isoformat(timespec="seconds")


_RULE_PARTS = re.compile(r"([A-Z]+)=([^;]*)")


def entry_from_alert(ritual: str, rule: str | None, scheduled: str | None) -> Entry | None:
    """What a reminder changed in the Alexa app now says, read back as a schedule entry."""
    if rule:
        parts = dict(_RULE_PARTS.findall(rule.upper()))
        try:
            time = f"{int(parts['BYHOUR']):02d}:{int(parts.get('BYMINUTE', '0')):02d}"
        except (KeyError, ValueError):
            return None
        by_day = parts.get("BYDAY", "")
        match = re.fullmatch(r"([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)", by_day)
        if parts.get("FREQ") == "DAILY":
            return Entry(ritual, time)
        if parts.get("FREQ") == "WEEKLY" and match and not match.group(1):
            return Entry(ritual, time, day=match.group(2))
        if parts.get("FREQ") == "MONTHLY" and match and match.group(1):
            return Entry(ritual, time, day=match.group(2), week=int(match.group(1)))
        return None
    if scheduled:
        try:
            when = datetime.fromisoformat(scheduled)
        except ValueError:
            return None
        return Entry(ritual, f"{when.hour:02d}:{when.minute:02d}", once=True, next=scheduled)
    return None


def differs(entry: Entry, seen: Entry) -> bool:
    """Whether what Alexa holds (`seen`) says something else than the schedule."""
    if seen.once:
        # A one-off says only when it goes off; the ritual's day stays as the couple chose.
        return entry.once and (entry.time, entry.next) != (seen.time, seen.next)
    return (entry.time, entry.day, entry.week) != (seen.time, seen.day, seen.week)


def adopt(entry: Entry, seen: Entry) -> None:
    """Make the schedule say what Alexa holds (changed in the Alexa app)."""
    if seen.once:
        entry.time, entry.next = seen.time, seen.next
        return
    entry.time, entry.day, entry.week = seen.time, seen.day, seen.week
    entry.once, entry.next = False, None
    entry.rule = entry.recurrence_rule()


class RitualSchedule:
    """The household's schedule dict, read and changed through entries."""

    def __init__(self, schedule: dict[str, Any]) -> None:
        self._data = schedule

    def get(self, ritual: str) -> Entry | None:
        data = self._data.get(ritual)
        return Entry.from_dict(ritual, data) if isinstance(data, dict) else None

    def entries(self) -> list[Entry]:
        return [e for e in (self.get(r) for r in RITUALS) if e is not None]

    def with_status(self, status: str) -> list[Entry]:
        return [e for e in self.entries() if e.status == status]

    def by_token(self, alert_token: str) -> Entry | None:
        return next((e for e in self.entries() if e.alert_token == alert_token), None)

    def put(self, entry: Entry, now: datetime) -> None:
        entry.updated = stamp(now)
        self._data[entry.ritual] = entry.to_dict()

    def renewals_due(self, now: datetime) -> list[Entry]:
        return [e for e in self.entries() if e.renewal_due(now)]


# -- not offering too often ---------------------------------------------------------------


def reminder_memory(memory: dict[str, Any]) -> dict[str, Any]:
    return memory.setdefault("reminders", {})


def quiet(memory: dict[str, Any], today: date) -> bool:
    """Whether the couple said no to reminders (or their permission) in the last week."""
    return offers.quiet(memory.get("reminders"), today)


def keep_quiet(memory: dict[str, Any], today: date) -> None:
    offers.keep_quiet(reminder_memory(memory), today)


def end_quiet(memory: dict[str, Any]) -> bool:
    """The permission was given after all: offers may come again. Whether that changed."""
    return offers.end_quiet(memory.get("reminders"))


def may_offer(memory: dict[str, Any], today: date) -> bool:
    """For other rituals: may the skill offer a reminder today? (Not within a week of a no.)"""
    return not quiet(memory, today)
