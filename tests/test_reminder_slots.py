"""The reminder being set, slot by slot: each validator alone, and the order slots are asked."""

from __future__ import annotations

from typing import Any

import pytest

from closer_together.rituals.schedule import (
    VALIDATORS,
    collect,
    fold,
    required_slots,
    validate_day,
    validate_part,
    validate_ritual,
    validate_time,
    validate_week,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("checkin", {"ritual": "checkin"}),
        ("weekly_review", {"ritual": "weekly_review"}),
        ("monthly_checkin", {"ritual": "monthly_checkin"}),
        ("yoga", {}),
        (None, {}),
    ],
)
def test_validate_ritual(value: Any, expected: dict[str, Any]) -> None:
    assert validate_ritual(value, {}) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sunday", {"day": "SU"}),
        ("fridays", {"day": "FR"}),
        ("SU", {"day": "SU"}),  # already a code (a draft folded again)
        ("someday", {}),
        ("", {}),
        (None, {}),
    ],
)
def test_validate_day(value: Any, expected: dict[str, Any]) -> None:
    assert validate_day(value, {}) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", {"week": 1}), ("-1", {"week": -1}), (2, {"week": 2}), ("first", {}), (None, {})],
)
def test_validate_week(value: Any, expected: dict[str, Any]) -> None:
    assert validate_week(value, {}) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [("EV", {"part": "EV"}), ("MO", {"part": "MO"}), ("noon", {})]
)
def test_validate_part(value: Any, expected: dict[str, Any]) -> None:
    assert validate_part(value, {}) == expected


@pytest.mark.parametrize(
    ("value", "draft", "expected"),
    [
        ("20:30", {}, {"time": "20:30", "pending": None}),
        ("08:00", {"part": "EV"}, {"time": "20:00", "pending": None}),
        ("03:00", {}, {"time": "15:00", "pending": None}),  # nobody checks in at 3 AM
        ("08:00", {}, {"pending": "08:00", "time": None}),  # morning or evening?
        ("08:00", {"asked": "ampm"}, {"time": "08:00", "pending": None}),  # asked once
        ("EV", {}, {"part": "EV", "time": None}),  # a part of the day alone
        ("soon", {}, {"time": None}),
    ],
)
def test_validate_time(value: str, draft: dict[str, Any], expected: dict[str, Any]) -> None:
    assert validate_time(value, draft) == expected


def test_validators_read_the_part_of_the_day_before_the_time() -> None:
    assert list(VALIDATORS) == ["ritual", "day", "week", "part", "time"]
    assert fold({}, {"time": "08:00", "part": "EV"})["time"] == "20:00"


def test_fold_places_a_pending_time_once_the_part_of_the_day_is_said() -> None:
    assert fold({"pending": "08:00", "asked": "ampm"}, {"part": "MO"}) == {
        "part": "MO",
        "time": "08:00",
        "asked": "ampm",
    }


def test_fold_keeps_the_draft_where_nothing_valid_was_heard() -> None:
    draft = {"ritual": "weekly_review", "day": "SU"}
    assert fold(draft, {"ritual": "yoga", "day": "someday", "time": ""}) == draft


@pytest.mark.parametrize(
    ("draft", "slots"),
    [
        ({}, ("ritual", "day", "time")),
        ({"ritual": "checkin"}, ("ritual", "time")),
        ({"ritual": "weekly_review"}, ("ritual", "day", "time")),
        ({"ritual": "monthly_checkin"}, ("ritual", "day", "time")),
    ],
)
def test_required_slots_in_the_order_they_are_asked(
    draft: dict[str, Any], slots: tuple[str, ...]
) -> None:
    assert required_slots(draft) == slots


@pytest.mark.parametrize(
    ("heard", "asked"),
    [
        ({}, "ritual"),
        ({"ritual": "weekly_review"}, "day"),
        ({"ritual": "weekly_review", "day": "Sunday"}, "time"),
        ({"ritual": "checkin", "time": "08:00"}, "ampm"),
        ({"ritual": "checkin", "part": "EV"}, "hour"),
        ({"ritual": "checkin", "time": "19:00"}, None),
    ],
)
def test_collect_asks_the_first_missing_slot(heard: dict[str, Any], asked: str | None) -> None:
    draft, missing = collect({}, heard)
    assert missing == asked == draft["asked"]


def test_collect_guesses_the_ritual_by_what_else_was_said() -> None:
    assert collect({}, {"week": "-1", "day": "Friday"})[0]["ritual"] == "monthly_checkin"
    assert collect({}, {"day": "Friday"})[0]["ritual"] == "weekly_review"
    assert collect({}, {"part": "EV"})[0]["ritual"] == "checkin"
    assert "ritual" not in collect({}, {})[0]
