"""What the skill remembers about one couple, as plain data.

Nothing here knows about Alexa or DynamoDB: the same object travels in session
attributes during a conversation and is stored as one item between sessions.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

# Text the couple will hear again is kept this long; completion marks a little longer,
# so streaks and "a month has passed" can be derived without unbounded growth.
MOMENT_DAYS = 35
JOURNAL_DAYS = 120
# Bounds that keep one day (always carried in the session) small.
MAX_MOMENTS_PER_DAY = 16
MAX_MOMENT_CHARS = 500

# Kinds of saved text. Challenges, concerns and areas for closeness are never saved.
BEST_MOMENT = "best"
APPRECIATION = "appreciation"
CONNECTING = "connecting"
SAVED_KINDS = frozenset({BEST_MOMENT, APPRECIATION, CONNECTING})


def household_id_for(user_id: str) -> str:
    """Key a household by its Alexa user id without storing the raw id."""
    return hashlib.sha256(user_id.encode("utf-8")).hexdigest()


@dataclass
class Partner:
    name: str
    person_id: str | None = None


@dataclass
class Moment:
    kind: str
    partner: int
    text: str
    ritual: str


@dataclass
class DayEntry:
    done: list[str] = field(default_factory=list)
    moments: list[Moment] = field(default_factory=list)
    # ritual -> who answered which question ("0:best"), and when the ritual was completed.
    answered: dict[str, list[str]] = field(default_factory=dict)
    completed: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Only what is set: hundreds of days ride in session attributes."""
        return {key: value for key, value in asdict(self).items() if value}

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
        return True

    def days_with(self, ritual: str, since: date, until: date) -> list[date]:
        return sorted(
            date.fromisoformat(day)
            for day, entry in self.journal.items()
            if ritual in entry.done and since <= date.fromisoformat(day) <= until
        )

    def last_done(self, ritual: str) -> date | None:
        days = [date.fromisoformat(d) for d, e in self.journal.items() if ritual in e.done]
        return max(days) if days else None

    def counts(self, ritual: str, day: date) -> bool:
        """Whether the ritual was really done that day: finished with at least one answer
        (a day of skips and "okay"s is not; a day recorded without answers is)."""
        entry = self.journal.get(day.isoformat())
        return entry is not None and ritual in entry.done and entry.answered.get(ritual) != []

    def streak(self, ritual: str, today: date) -> int:
        """Consecutive days ending today (or yesterday, if today does not count yet)."""
        day = today if self.counts(ritual, today) else today - timedelta(days=1)
        count = 0
        while self.counts(ritual, day):
            count += 1
            day -= timedelta(days=1)
        return count

    def moments_between(self, since: date, until: date) -> list[tuple[date, Moment]]:
        found: list[tuple[date, Moment]] = []
        for day in sorted(self.journal):
            when = date.fromisoformat(day)
            if since <= when <= until:
                found.extend((when, moment) for moment in self.journal[day].moments)
        return found

    def prune(self, today: date) -> None:
        for day in list(self.journal):
            age = (today - date.fromisoformat(day)).days
            if age > JOURNAL_DAYS:
                del self.journal[day]
            elif age > MOMENT_DAYS:
                entry = self.journal[day]
                entry.moments.clear()
                entry.answered.clear()
                entry.completed.clear()

    def forget_answers(self) -> None:
        for entry in self.journal.values():
            entry.moments.clear()

    # -- serialisation ----------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["journal"] = {day: entry.to_dict() for day, entry in self.journal.items()}
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
            version=data.get("version"),
        )

    def merged_with(self, stored: Household) -> Household:
        """This device's household laid over a newer stored one (another device wrote).

        Saved moments and completion marks from both survive; for everything else
        the device that is speaking now wins, except schedule entries it never touched.
        """
        merged = Household.from_dict(self.to_dict())
        merged.version = stored.version
        for day, theirs in stored.journal.items():
            ours = merged.journal.setdefault(day, DayEntry())
            ours.done.extend(r for r in theirs.done if r not in ours.done)
            ours.moments.extend(m for m in theirs.moments if m not in ours.moments)
            for ritual, who in theirs.answered.items():
                ours.answered.setdefault(ritual, who)
            for ritual, when in theirs.completed.items():
                ours.completed.setdefault(ritual, when)
        for ritual, entry in stored.schedule.items():
            mine = merged.schedule.get(ritual)
            if mine is None or entry.get("updated", "") > mine.get("updated", ""):
                merged.schedule[ritual] = entry
        if not merged.partners:
            merged.partners = stored.partners
        return merged
