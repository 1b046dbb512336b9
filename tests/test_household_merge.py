"""Household.merged_with: two devices wrote the same household; nothing said is lost."""

from __future__ import annotations

from datetime import date

from closer_together.household import (
    APPRECIATION,
    BEST_MOMENT,
    MAX_MOMENTS_PER_DAY,
    DayEntry,
    Household,
    Moment,
    Partner,
)

DAY = "2026-12-01"
EARLIER = "2026-11-30"


def device(*moments: Moment, day: str = DAY, version: int = 3) -> Household:
    household = Household("h", partners=[Partner("Sam"), Partner("Alex")], version=version)
    household.journal[day] = DayEntry(done=["checkin"], moments=list(moments))
    return household


def test_moments_from_both_devices_survive_once() -> None:
    kitchen = device(
        Moment(BEST_MOMENT, 0, "our walk", "checkin"),
        Moment(APPRECIATION, 1, "the soup", "checkin"),
    )
    bedroom = device(
        Moment(BEST_MOMENT, 0, "our walk", "checkin"),
        Moment(BEST_MOMENT, 1, "the film", "checkin"),
        version=4,
    )
    bedroom.journal[EARLIER] = DayEntry(moments=[Moment(BEST_MOMENT, 0, "lunch", "checkin")])
    merged = kitchen.merged_with(bedroom)
    assert merged.journal[DAY].moments == [
        Moment(BEST_MOMENT, 0, "our walk", "checkin"),
        Moment(APPRECIATION, 1, "the soup", "checkin"),
        Moment(BEST_MOMENT, 1, "the film", "checkin"),
    ]
    assert merged.journal[EARLIER].moments == [Moment(BEST_MOMENT, 0, "lunch", "checkin")]
    assert merged.journal[DAY].done == ["checkin"]


def test_a_merged_day_keeps_its_bound_newest_last() -> None:
    ours = device(*(Moment(BEST_MOMENT, 0, f"ours {n}", "checkin") for n in range(10)))
    theirs = device(*(Moment(BEST_MOMENT, 1, f"theirs {n}", "checkin") for n in range(10)))
    moments = ours.merged_with(theirs).journal[DAY].moments
    assert len(moments) == MAX_MOMENTS_PER_DAY
    assert moments[-1].text == "theirs 9"


def test_completion_marks_and_streaks_from_both_are_joined() -> None:
    ours = device()
    ours.journal[DAY].answered["checkin"] = ["0:best"]
    ours.ledger["checkin"] = {"last": DAY, "from": DAY, "to": DAY}
    theirs = device()
    theirs.journal[DAY].done = ["review"]
    theirs.journal[DAY].completed["review"] = "2026-12-01T21:00:00"
    theirs.ledger["checkin"] = {"last": EARLIER, "from": "2026-11-28", "to": EARLIER}
    merged = ours.merged_with(theirs)
    assert merged.journal[DAY].done == ["checkin", "review"]
    assert merged.journal[DAY].answered == {"checkin": ["0:best"]}
    assert merged.journal[DAY].completed == {"review": "2026-12-01T21:00:00"}
    assert merged.ledger["checkin"] == {"last": DAY, "from": "2026-11-28", "to": DAY}
    assert merged.streak("checkin", date.fromisoformat(DAY)) == 4


def test_the_speaking_device_wins_except_for_reminders_it_never_touched() -> None:
    ours = device()
    ours.memory["checkin.first"] = 1
    ours.schedule["checkin"] = {"time": "20:00", "updated": "2026-12-01T10:00:00"}
    theirs = device()
    theirs.memory["checkin.first"] = 0
    theirs.schedule["checkin"] = {"time": "21:00", "updated": "2026-12-01T11:00:00"}
    theirs.schedule["review"] = {"time": "18:00", "updated": "2026-12-01T09:00:00"}
    merged = ours.merged_with(theirs)
    assert merged.memory["checkin.first"] == 1
    assert merged.schedule["checkin"]["time"] == "21:00"  # changed later on the other device
    assert merged.schedule["review"]["time"] == "18:00"


def test_the_stored_version_and_erasure_marker_are_taken_from_the_table() -> None:
    ours = device(version=3)
    ours.epoch = "before"
    ours.stored_days = {EARLIER: 1}
    stored = device(version=9)
    stored.epoch = "after"
    stored.erased = True
    stored.stored_days = {DAY: 2}
    merged = ours.merged_with(stored)
    # The write goes over what is stored now: its version and epoch, no longer an erased marker.
    assert (merged.version, merged.epoch, merged.erased) == (9, "after", False)
    assert merged.stored_days == {DAY: 2}
    # Neither side is changed by the merge.
    assert (ours.version, ours.epoch, stored.erased) == (3, "before", True)


def test_names_come_from_the_table_when_this_device_has_none() -> None:
    ours = Household("h")
    merged = ours.merged_with(device())
    assert merged.names == ["Sam", "Alex"]
    renamed = device()
    renamed.partners[1].name = "Jordan"
    assert renamed.merged_with(device()).names == ["Sam", "Jordan"]


def test_saved_moments_of_days_not_loaded_still_count() -> None:
    ours = device()
    ours.kept_last = EARLIER
    theirs = device()
    theirs.kept_last = DAY
    assert ours.merged_with(theirs).kept_last == DAY
    assert device().merged_with(device()).kept_last is None
