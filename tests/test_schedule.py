"""The ritual schedule as plain Python: times heard, rules, next occurrences (issue 5)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from closer_together.rituals.schedule import (
    GONE,
    OFF,
    ON,
    Entry,
    RitualSchedule,
    collect,
    day_code,
    entry_from_alert,
    keep_quiet,
    may_offer,
    nth_weekday,
    quiet,
    read_time,
)


@pytest.mark.parametrize(
    ("value", "part", "near", "expected"),
    [
        ("08:00", "EV", None, "20:00"),  # "every evening at eight"
        ("08:00", "MO", None, "08:00"),
        ("03:00", "AF", None, "15:00"),
        ("10:00", "NI", None, "22:00"),
        ("12:00", "NI", None, "00:00"),
        ("01:00", "NI", None, "01:00"),
        ("12:00", "MO", None, "00:00"),
        ("20:30", None, None, "20:30"),
        ("00:15", None, None, "00:15"),
        ("12:00", None, None, "12:00"),
        ("03:00", None, None, "15:00"),  # nobody checks in at 3 AM
        ("09:00", None, "20:00", "21:00"),  # "move our daily reminder to nine"
        ("09:00", None, "07:30", "09:00"),
        ("20:00:00", None, None, "20:00"),
    ],
)
def test_read_time_resolves_the_half_of_the_day(
    value: str, part: str | None, near: str | None, expected: str
) -> None:
    heard = read_time(value, part, near)
    assert heard is not None and not heard.ambiguous
    assert heard.clock == expected


def test_read_time_marks_eight_alone_as_ambiguous() -> None:
    heard = read_time("08:00")
    assert heard is not None and heard.ambiguous and heard.clock == "08:00"


@pytest.mark.parametrize("value", ["EV", "ev", "MO", "AF", "NI"])
def test_read_time_gives_a_part_of_the_day_alone(value: str) -> None:
    heard = read_time(value)
    assert heard is not None and heard.hour is None and heard.part == value.upper()


@pytest.mark.parametrize("value", [None, "", "XX", "25:00", "08:75", "eight"])
def test_read_time_refuses_what_is_not_a_time(value: str | None) -> None:
    assert read_time(value) is None


@pytest.mark.parametrize(
    ("said", "code"),
    [("Sunday", "SU"), ("sundays", "SU"), ("monday", "MO"), ("Thursdays", "TH"), ("sat", "SA")],
)
def test_day_code(said: str, code: str) -> None:
    assert day_code(said) == code


@pytest.mark.parametrize("said", [None, "", "funday", "the weekend"])
def test_day_code_refuses_other_words(said: str | None) -> None:
    assert day_code(said) is None


def test_collect_every_evening_at_eight_is_complete_for_the_daily_check_in() -> None:
    draft, missing = collect({}, {"part": "EV", "time": "08:00"})
    assert missing is None
    assert (draft["ritual"], draft["time"]) == ("checkin", "20:00")


def test_collect_asks_morning_or_evening_then_takes_the_answer() -> None:
    draft, missing = collect({}, {"time": "08:00"})
    assert missing == "ampm" and "time" not in draft
    draft, missing = collect(draft, {"time": "EV"})
    assert missing is None and draft["time"] == "20:00"


def test_collect_takes_a_second_bare_eight_as_heard() -> None:
    draft, _ = collect({}, {"time": "08:00"})
    draft, missing = collect(draft, {"time": "08:00"})
    assert missing is None and draft["time"] == "08:00"


def test_collect_asks_ritual_then_day_then_time_in_turn() -> None:
    draft, missing = collect({}, {})
    assert missing == "ritual"
    draft, missing = collect(draft, {"ritual": "weekly_review"})
    assert missing == "day"
    draft, missing = collect(draft, {"day": "SU"})
    assert missing == "time"
    draft, missing = collect(draft, {"time": "19:30"})
    assert missing is None
    assert Entry.from_draft(draft) == Entry("weekly_review", "19:30", day="SU")


def test_collect_a_part_of_the_day_alone_asks_the_hour() -> None:
    draft, missing = collect({}, {"time": "EV"})
    assert missing == "hour" and draft["ritual"] == "checkin"
    draft, missing = collect(draft, {"time": "08:00"})
    assert missing is None and draft["time"] == "20:00"


def test_collect_infers_the_ritual_from_day_and_week() -> None:
    draft, missing = collect({}, {"week": 1, "day": "SU", "time": "19:00"})
    assert missing is None and draft["ritual"] == "monthly_checkin"
    draft, missing = collect({}, {"day": "FR", "time": "19:00"})
    assert missing is None and draft["ritual"] == "weekly_review"


def test_collect_monthly_defaults_to_the_first_week() -> None:
    draft, missing = collect({}, {"ritual": "monthly_checkin", "day": "SU", "time": "19:00"})
    assert missing is None
    assert Entry.from_draft(draft).recurrence_rule().startswith("FREQ=MONTHLY;BYDAY=1SU;")


@pytest.mark.parametrize(
    ("entry", "rule"),
    [
        (Entry("checkin", "20:00"), "FREQ=DAILY;BYHOUR=20;BYMINUTE=0;BYSECOND=0;INTERVAL=1"),
        (
            Entry("weekly_review", "19:30", day="SU"),
            "FREQ=WEEKLY;BYDAY=SU;BYHOUR=19;BYMINUTE=30;BYSECOND=0;INTERVAL=1",
        ),
        (
            Entry("monthly_checkin", "19:00", day="SU", week=1),
            "FREQ=MONTHLY;BYDAY=1SU;BYHOUR=19;BYMINUTE=0;BYSECOND=0;INTERVAL=1",
        ),
        (
            Entry("monthly_checkin", "18:00", day="FR", week=-1),
            "FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=18;BYMINUTE=0;BYSECOND=0;INTERVAL=1",
        ),
    ],
)
def test_recurrence_rules(entry: Entry, rule: str) -> None:
    assert entry.recurrence_rule() == rule


@pytest.mark.parametrize(
    ("entry", "now", "expected"),
    [
        (Entry("checkin", "20:00"), datetime(2026, 11, 26, 19, 0), datetime(2026, 11, 26, 20, 0)),
        (Entry("checkin", "20:00"), datetime(2026, 11, 26, 20, 0), datetime(2026, 11, 27, 20, 0)),
        (  # Thursday -> Sunday
            Entry("weekly_review", "19:00", day="SU"),
            datetime(2026, 11, 26, 20, 0),
            datetime(2026, 11, 29, 19, 0),
        ),
        (  # Sunday after the time -> next Sunday
            Entry("weekly_review", "19:00", day="SU"),
            datetime(2026, 11, 29, 19, 30),
            datetime(2026, 12, 6, 19, 0),
        ),
        (
            Entry("monthly_checkin", "19:00", day="SU", week=1),
            datetime(2026, 11, 26, 20, 0),
            datetime(2026, 12, 6, 19, 0),
        ),
        (  # across the year
            Entry("monthly_checkin", "19:00", day="SU", week=1),
            datetime(2026, 12, 6, 19, 0),
            datetime(2027, 1, 3, 19, 0),
        ),
        (
            Entry("monthly_checkin", "18:00", day="FR", week=-1),
            datetime(2026, 11, 26, 20, 0),
            datetime(2026, 11, 27, 18, 0),
        ),
    ],
)
def test_next_occurrence(entry: Entry, now: datetime, expected: datetime) -> None:
    assert entry.next_after(now) == expected


@pytest.mark.parametrize(
    ("year", "month", "weekday", "week", "expected"),
    [
        (2026, 12, 6, 1, date(2026, 12, 6)),
        (2027, 1, 6, 1, date(2027, 1, 3)),
        (2026, 11, 4, -1, date(2026, 11, 27)),
        (2026, 12, 3, 4, date(2026, 12, 24)),
        (2026, 2, 6, -1, date(2026, 2, 22)),
    ],
)
def test_nth_weekday(year: int, month: int, weekday: int, week: int, expected: date) -> None:
    assert nth_weekday(year, month, weekday, week) == expected


def test_plan_is_local_wall_clock_time_in_the_given_zone() -> None:
    now = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # 8 PM in New York, 7 PM in Chicago
    plan = Entry("checkin", "20:00").plan("America/Chicago", now)
    assert plan.scheduled == datetime(2026, 11, 26, 20, 0) and plan.scheduled.tzinfo is None
    assert plan.requested == datetime(2026, 11, 26, 19, 0)
    assert plan.zone == "America/Chicago"
    assert plan.rule == "FREQ=DAILY;BYHOUR=20;BYMINUTE=0;BYSECOND=0;INTERVAL=1"
    once = Entry("monthly_checkin", "19:00", day="SU", week=1).plan(
        "America/Chicago", now, once=True
    )
    assert once.rule is None and once.scheduled == datetime(2026, 12, 6, 19, 0)


@pytest.mark.parametrize(
    ("rule", "scheduled", "expected"),
    [
        ("FREQ=DAILY;BYHOUR=21;BYMINUTE=15;BYSECOND=0;INTERVAL=1", None, ("21:15", None, None)),
        ("FREQ=WEEKLY;BYDAY=SA;BYHOUR=9;BYMINUTE=0", None, ("09:00", "SA", None)),
        ("FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=18;BYMINUTE=0", None, ("18:00", "FR", -1)),
        (None, "2026-12-06T19:00:00", ("19:00", None, None)),
    ],
)
def test_entry_from_alert_reads_a_reminder_back(
    rule: str | None, scheduled: str | None, expected: tuple[Any, ...]
) -> None:
    seen = entry_from_alert("checkin", rule, scheduled)
    assert seen is not None and (seen.time, seen.day, seen.week) == expected


@pytest.mark.parametrize(
    ("rule", "scheduled"),
    [("FREQ=YEARLY;BYHOUR=9", None), ("FREQ=DAILY", None), (None, "soon"), (None, None)],
)
def test_entry_from_alert_ignores_what_it_cannot_read(
    rule: str | None, scheduled: str | None
) -> None:
    assert entry_from_alert("checkin", rule, scheduled) is None


def test_schedule_round_trip_and_lookups() -> None:
    data: dict[str, Any] = {}
    schedule = RitualSchedule(data)
    now = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    schedule.put(Entry("checkin", "20:00", alert_token="a1", zone="America/New_York"), now)
    schedule.put(Entry("weekly_review", "19:00", day="SU", status=GONE, alert_token="a2"), now)
    assert data["checkin"] == {
        "time": "20:00",
        "zone": "America/New_York",
        "alert_token": "a1",
        "status": ON,
        "once": False,
        "updated": "2026-11-27T01:00:00+00:00",
    }
    assert schedule.by_token("a2") == schedule.get("weekly_review")
    assert [e.ritual for e in schedule.with_status(GONE)] == ["weekly_review"]
    assert schedule.get("monthly_checkin") is None
    assert schedule.by_token("nope") is None


def test_a_one_off_is_due_for_renewal_once_its_time_has_passed() -> None:
    entry = Entry(
        "monthly_checkin",
        "19:00",
        day="SU",
        week=1,
        zone="America/New_York",
        once=True,
        next="2026-12-06T19:00:00",
    )
    schedule = RitualSchedule({"monthly_checkin": entry.to_dict()})
    before = datetime(2026, 12, 6, 23, 59, tzinfo=UTC)  # 6:59 PM in New York
    after = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    assert schedule.renewals_due(before) == []
    assert [e.ritual for e in schedule.renewals_due(after)] == ["monthly_checkin"]
    entry.status = OFF
    assert not entry.renewal_due(after)


def test_a_week_of_quiet_after_a_no() -> None:
    memory: dict[str, Any] = {}
    today = date(2026, 11, 26)
    assert may_offer(memory, today)
    keep_quiet(memory, today)
    assert quiet(memory, date(2026, 12, 2)) and not may_offer(memory, date(2026, 12, 2))
    assert not quiet(memory, date(2026, 12, 3))
