"""What the skill remembers about one couple, as plain data.

Nothing here knows about Alexa or DynamoDB: the same object travels in session
attributes during a conversation and is stored as one item between sessions.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any, NamedTuple

# A day's entry (what was done, and the text the couple will hear again) is kept this long;
# after it, only the ledger remembers each ritual's last day and its current streak.
MOMENT_DAYS = 35
# A household that has not used the skill for this long is removed (DynamoDB's TTL).
INACTIVE_RETENTION = timedelta(days=730)
# Bounds that keep one day (always carried in the session) small.
MAX_MOMENTS_PER_DAY = 16
MAX_MOMENT_CHARS = 500

# Kinds of saved text. Challenges, concerns and areas for closeness are never saved.
BEST_MOMENT = "best"
APPRECIATION = "appreciation"
CONNECTING = "connecting"
SAVED_KINDS = frozenset({BEST_MOMENT, APPRECIATION, CONNECTING})


class Erasure(Enum):
    """What the couple asked to erase; each changes the household's epoch."""

    EVERYTHING = "everything"  # "forget everything", or the skill disabled
    ANSWERS = "answers"  # saving off, and the saved moments deleted
    SAVING_OFF = "saving_off"  # saving off; what is already saved stays


def household_id_for(user_id: str) -> str:
    """Key a household by its Alexa user id without storing the raw id."""
    return hashlib.sha256(user_id.encode("utf-8")).hexdigest()


def fingerprint_of(entry: dict[str, Any]) -> int:
    """A checksum of a day's entry in its plain form (`DayEntry.to_dict`)."""
    return zlib.crc32(json.dumps(entry, sort_keys=True).encode("utf-8"))


class Partner:
    """One of the two; a plain class (a dataclass costs the cold start to build)."""

    __slots__ = ("name", "person_id")
    __hash__ = None  # type: ignore[assignment]  # mutable: compared, never hashed

    def __init__(self, name: str, person_id: str | None = None) -> None:
        self.name = name
        self.person_id = person_id

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Partner):
            return NotImplemented
        return (self.name, self.person_id) == (other.name, other.person_id)

    def __repr__(self) -> str:
        return f"Partner(name={self.name!r}, person_id={self.person_id!r})"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "person_id": self.person_id}


class Moment(NamedTuple):
    kind: str
    partner: int
    text: str
    ritual: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "partner": self.partner,
            "text": self.text,
            "ritual": self.ritual,
        }


class DayEntry:
    """What one day holds; a plain class (a dataclass costs the cold start to build)."""

    __slots__ = ("answered", "completed", "done", "moments")
    __hash__ = None  # type: ignore[assignment]  # mutable: compared, never hashed

    def __init__(
        self,
        done: list[str] | None = None,
        moments: list[Moment] | None = None,
        # ritual -> who answered which question ("0:best"), and when it was completed.
        answered: dict[str, list[str]] | None = None,
        completed: dict[str, str] | None = None,
    ) -> None:
        self.done: list[str] = done if done is not None else []
        self.moments: list[Moment] = moments if moments is not None else []
        self.answered: dict[str, list[str]] = answered if answered is not None else {}
        self.completed: dict[str, str] = completed if completed is not None else {}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DayEntry):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"DayEntry({fields})"

    def to_dict(self) -> dict[str, Any]:
        """Only what is set: several days ride in session attributes."""
        data: dict[str, Any] = {}
        if self.done:
            data["done"] = list(self.done)
        if self.moments:
            data["moments"] = [moment.to_dict() for moment in self.moments]
        if self.answered:
            data["answered"] = {ritual: list(who) for ritual, who in self.answered.items()}
        if self.completed:
            data["completed"] = dict(self.completed)
        return data

    def fingerprint(self) -> int:
        """A checksum of the entry, to tell whether its stored copy is current."""
        return fingerprint_of(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DayEntry:
        return cls(
            done=list(data.get("done", [])),
            moments=[Moment(**m) for m in data.get("moments", [])],
            answered={k: list(v) for k, v in data.get("answered", {}).items()},
            completed=dict(data.get("completed", {})),
        )


@dataclass
class Household:
    household_id: str
    partners: list[Partner] = field(default_factory=list)
    created_on: str | None = None
    time_zone: str | None = None
    save_answers: bool = True
    journal: dict[str, DayEntry] = field(default_factory=dict)
    # Where an unfinished ritual stands, so "next question" resumes it in a later session.
    progress: dict[str, Any] | None = None
    # Small per-ritual memories: whose turn is first, deck position, declined offers.
    memory: dict[str, Any] = field(default_factory=dict)
    # Ritual reminders: ritual -> {time, day, rule, alert_token, status, ...}.
    schedule: dict[str, Any] = field(default_factory=dict)
    # ritual -> {"last": day last done, "from"/"to": the current run of days that count}:
    # what outlives the journal's days, so streaks and "a month has passed" stay right.
    ledger: dict[str, dict[str, str]] = field(default_factory=dict)
    # The last day a moment was kept (moments of days not loaded still count as saved).
    kept_last: str | None = None
    # Set by the store: a token that changes whenever data is erased ("forget everything",
    # "stop saving"), so a write from a session that read before the erasure is refused.
    epoch: str | None = None
    # The stored household was erased and nothing has been written over it since.
    erased: bool = False
    # Days whose own item in the table holds exactly this entry: day -> fingerprint.
    stored_days: dict[str, int] = field(default_factory=dict)
    version: int | None = None

    # -- partners ---------------------------------------------------------
    @property
    def named(self) -> bool:
        return len(self.partners) == 2

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.partners]

    def partner_for_person(self, person_id: str | None) -> int | None:
        if not person_id:
            return None
        for index, partner in enumerate(self.partners):
            if partner.person_id == person_id:
                return index
        return None

    def link_person(self, index: int, person_id: str) -> None:
        for partner in self.partners:
            if partner.person_id == person_id:
                partner.person_id = None
        self.partners[index].person_id = person_id

    # -- journal ----------------------------------------------------------
    def day(self, day: date) -> DayEntry:
        return self.journal.setdefault(day.isoformat(), DayEntry())

    def mark_done(
        self,
        day: date,
        ritual: str,
        answered: list[str] | None = None,
        at: datetime | None = None,
    ) -> None:
        entry = self.day(day)
        if ritual not in entry.done:
            entry.done.append(ritual)
        if answered is not None:
            entry.answered[ritual] = list(answered)
        if at is not None:
            entry.completed[ritual] = at.isoformat(timespec="seconds")
        record = self.ledger.setdefault(ritual, {})
        record["last"] = max(record.get("last", ""), day.isoformat())
        if self.counts(ritual, day):
            _extend_run(record, day)

    def keep(self, day: date, kind: str, partner: int, text: str, ritual: str) -> bool:
        """Save a moment the couple will hear again; returns whether it was kept."""
        if kind not in SAVED_KINDS or not self.save_answers or not text.strip():
            return False
        entry = self.day(day)
        moment = Moment(
            kind=kind, partner=partner, text=text.strip()[:MAX_MOMENT_CHARS], ritual=ritual
        )
        if moment not in entry.moments:
            entry.moments.append(moment)
            del entry.moments[:-MAX_MOMENTS_PER_DAY]
        self.kept_last = max(self.kept_last or "", day.isoformat())
        return True

    def has_saved_moments(self, today: date) -> bool:
        """Whether any moment is still kept, including days this session did not load."""
        if any(entry.moments for entry in self.journal.values()):
            return True
        last = self.kept_last
        return last is not None and (today - date.fromisoformat(last)).days <= MOMENT_DAYS

    def days_with(self, ritual: str, since: date, until: date) -> list[date]:
        return sorted(
            date.fromisoformat(day)
            for day, entry in self.journal.items()
            if ritual in entry.done and since <= date.fromisoformat(day) <= until
        )

    def last_done(self, ritual: str) -> date | None:
        days = [date.fromisoformat(d) for d, e in self.journal.items() if ritual in e.done]
        if "last" in self.ledger.get(ritual, {}):
            days.append(date.fromisoformat(self.ledger[ritual]["last"]))
        return max(days) if days else None

    def counts(self, ritual: str, day: date) -> bool:
        """Whether the ritual was really done that day: finished with at least one answer
        (a day of skips and "okay"s is not; a day recorded without answers is)."""
        entry = self.journal.get(day.isoformat())
        return entry is not None and ritual in entry.done and entry.answered.get(ritual) != []

    def streak(self, ritual: str, today: date) -> int:
        """Consecutive days ending today (or yesterday, if today does not count yet)."""
        record = self.ledger.get(ritual, {})
        if "to" not in record or date.fromisoformat(record["to"]) < today - timedelta(days=1):
            return 0
        return (date.fromisoformat(record["to"]) - date.fromisoformat(record["from"])).days + 1

    def moments_between(self, since: date, until: date) -> list[tuple[date, Moment]]:
        found: list[tuple[date, Moment]] = []
        for day in sorted(self.journal):
            when = date.fromisoformat(day)
            if since <= when <= until:
                found.extend((when, moment) for moment in self.journal[day].moments)
        return found

    def prune(self, today: date) -> None:
        """Days older than MOMENT_DAYS go; the ledger keeps what they counted for."""
        for day in list(self.journal):
            if (today - date.fromisoformat(day)).days > MOMENT_DAYS:
                del self.journal[day]
                self.stored_days.pop(day, None)

    def forget_answers(self) -> None:
        for entry in self.journal.values():
            entry.moments.clear()
        self.kept_last = None

    # -- serialisation ----------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A plain copy, sharing nothing with this household (it rides in the session)."""
        return {
            "household_id": self.household_id,
            "partners": [partner.to_dict() for partner in self.partners],
            "created_on": self.created_on,
            "time_zone": self.time_zone,
            "save_answers": self.save_answers,
            "journal": {day: entry.to_dict() for day, entry in self.journal.items()},
            "progress": deepcopy(self.progress),
            "memory": deepcopy(self.memory),
            "schedule": deepcopy(self.schedule),
            "ledger": {ritual: dict(marks) for ritual, marks in self.ledger.items()},
            "kept_last": self.kept_last,
            "epoch": self.epoch,
            "erased": self.erased,
            "stored_days": dict(self.stored_days),
            "version": self.version,
        }

    def stored_form(self) -> dict[str, Any]:
        """What may be written: with saving off, no words the couple said, anywhere."""
        data = self.to_dict()
        if not self.save_answers:
            for entry in data["journal"].values():
                entry.pop("moments", None)
            if isinstance(data.get("progress"), dict):
                data["progress"] = _without_words(data["progress"])
        return data

    def slimmed(self, keep_day: date) -> tuple[dict[str, Any], list[str]]:
        """This household without the saved moments of other days, and those days.

        For session attributes when the whole would crowd Alexa's response limit; the
        moments stay in DynamoDB and come back when a turn needs them.
        """
        data = self.to_dict()
        dropped = []
        for day, entry in data["journal"].items():
            if day != keep_day.isoformat() and entry.pop("moments", None):
                dropped.append(day)
        return data, dropped

    def restore_moments(self, stored: Household, days: list[str]) -> None:
        """Put back the moments a slimmed copy left out, from the stored household."""
        for day in days:
            if day in stored.journal:
                self.day(date.fromisoformat(day)).moments = list(stored.journal[day].moments)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Household:
        household = cls._from_dict(data)
        if not household.ledger and household.journal:
            household._ledger_from_journal()  # a household stored before the ledger existed
        return household

    def _ledger_from_journal(self) -> None:
        for day in sorted(self.journal):
            when = date.fromisoformat(day)
            for ritual in self.journal[day].done:
                record = self.ledger.setdefault(ritual, {})
                record["last"] = day
                if self.counts(ritual, when):
                    _extend_run(record, when)

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> Household:
        return cls(
            household_id=data["household_id"],
            partners=[Partner(**p) for p in data.get("partners", [])],
            created_on=data.get("created_on"),
            time_zone=data.get("time_zone"),
            save_answers=bool(data.get("save_answers", True)),
            journal={d: DayEntry.from_dict(e) for d, e in data.get("journal", {}).items()},
            progress=data.get("progress"),
            memory=dict(data.get("memory", {})),
            schedule=dict(data.get("schedule", {})),
            ledger={k: dict(v) for k, v in (data.get("ledger") or {}).items()},
            kept_last=data.get("kept_last"),
            epoch=data.get("epoch"),
            erased=bool(data.get("erased", False)),
            stored_days={k: int(v) for k, v in (data.get("stored_days") or {}).items()},
            version=data.get("version"),
        )

    def merged_with(self, stored: Household) -> Household:
        """This device's household laid over a newer stored one (another device wrote).

        Saved moments and completion marks from both survive; for everything else
        the device that is speaking now wins, except schedule entries it never touched.
        """
        merged = Household.from_dict(self.to_dict())
        merged.version = stored.version
        merged.epoch = stored.epoch
        merged.erased = False
        merged.stored_days = dict(stored.stored_days)
        for day, theirs in stored.journal.items():
            ours = merged.journal.setdefault(day, DayEntry())
            ours.done.extend(r for r in theirs.done if r not in ours.done)
            ours.moments.extend(m for m in theirs.moments if m not in ours.moments)
            del ours.moments[:-MAX_MOMENTS_PER_DAY]
            for ritual, who in theirs.answered.items():
                ours.answered.setdefault(ritual, who)
            for ritual, when in theirs.completed.items():
                ours.completed.setdefault(ritual, when)
        for ritual, theirs_record in stored.ledger.items():
            merged.ledger[ritual] = _merged_record(merged.ledger.get(ritual, {}), theirs_record)
        merged.kept_last = max(merged.kept_last or "", stored.kept_last or "") or None
        for ritual, entry in stored.schedule.items():
            mine = merged.schedule.get(ritual)
            if mine is None or entry.get("updated", "") > mine.get("updated", ""):
                merged.schedule[ritual] = entry
        if not merged.partners:
            merged.partners = stored.partners
        return merged


# Progress keys that hold the couple's own words (a general appreciation awaiting its detail).
WORDS_IN_PROGRESS = ("first_answer",)


def _without_words(progress: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in progress.items() if k not in WORDS_IN_PROGRESS}
    for key, value in kept.items():
        if isinstance(value, dict):
            kept[key] = _without_words(value)
    return kept


def _extend_run(record: dict[str, str], day: date) -> None:
    """Add a day that counts to the ritual's run of consecutive days."""
    iso = day.isoformat()
    if "to" not in record:
        record["from"] = record["to"] = iso
        return
    first, last = date.fromisoformat(record["from"]), date.fromisoformat(record["to"])
    if first <= day <= last:
        return
    if day == last + timedelta(days=1):
        record["to"] = iso
    elif day == first - timedelta(days=1):
        record["from"] = iso
    elif day > last:
        record["from"] = record["to"] = iso


def _merged_record(ours: dict[str, str], theirs: dict[str, str]) -> dict[str, str]:
    """Two devices' ledger records of one ritual: the later last day, the runs joined."""
    merged = dict(ours)
    if "last" in theirs:
        merged["last"] = max(ours.get("last", ""), theirs["last"])
    if "to" not in theirs:
        return merged
    if "to" not in ours:
        merged["from"], merged["to"] = theirs["from"], theirs["to"]
        return merged
    a_from, a_to = date.fromisoformat(ours["from"]), date.fromisoformat(ours["to"])
    b_from, b_to = date.fromisoformat(theirs["from"]), date.fromisoformat(theirs["to"])
    if a_from <= b_to + timedelta(days=1) and b_from <= a_to + timedelta(days=1):
        merged["from"] = min(ours["from"], theirs["from"])
        merged["to"] = max(ours["to"], theirs["to"])
    elif b_to > a_to:
        merged["from"], merged["to"] = theirs["from"], theirs["to"]
    return merged
