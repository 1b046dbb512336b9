"""The household's plain form: what rides in the session and is written to the table."""

from __future__ import annotations

import json
from dataclasses import fields

from closer_together.household import DayEntry, Household, Moment, Partner, fingerprint_of


def full_household() -> Household:
    household = Household(
        household_id="h",
        partners=[Partner("Sam", "amzn1.ask.person.SAM"), Partner("Alex")],
        created_on="2026-11-01",
        time_zone="Europe/London",
        save_answers=True,
        progress={"ritual": "checkin", "answers": {"0:best": "a walk"}},
        memory={"deck": {"position": 3}, "declined": ["timer"]},
        schedule={"checkin": {"time": "20:00", "alert_token": "t"}},
        ledger={"checkin": {"last": "2026-11-30", "from": "2026-11-28", "to": "2026-11-30"}},
        kept_last="2026-11-30",
        epoch="e1",
        erased=False,
        stored_days={"2026-11-29": 123},
        version=7,
    )
    household.journal["2026-11-30"] = DayEntry(
        done=["checkin"],
        moments=[Moment("best", 0, "a walk", "checkin")],
        answered={"checkin": ["0:best"]},
        completed={"checkin": "20:31"},
    )
    household.journal["2026-11-29"] = DayEntry()
    return household


def test_the_plain_form_holds_every_field_and_comes_back_whole() -> None:
    household = full_household()
    plain = household.to_dict()
    assert set(plain) == {f.name for f in fields(Household)}
    assert json.loads(json.dumps(plain)) == plain  # plain JSON: it rides in the session
    assert plain["partners"][0] == {"name": "Sam", "person_id": "amzn1.ask.person.SAM"}
    assert plain["journal"]["2026-11-30"]["moments"] == [
        {"kind": "best", "partner": 0, "text": "a walk", "ritual": "checkin"}
    ]
    assert plain["journal"]["2026-11-29"] == {}  # only what is set
    assert Household.from_dict(plain) == household
    assert Household.from_dict(plain) != Household(household_id="h")


def test_the_plain_form_shares_nothing_with_the_household() -> None:
    household = full_household()
    plain = household.to_dict()
    plain["memory"]["deck"]["position"] = 99
    plain["schedule"]["checkin"]["time"] = "07:00"
    plain["progress"]["answers"].clear()
    plain["ledger"]["checkin"]["last"] = "2000-01-01"
    plain["journal"]["2026-11-30"]["moments"][0]["text"] = "changed"
    plain["journal"]["2026-11-30"]["done"].append("review")
    plain["partners"][0]["name"] = "Changed"
    plain["stored_days"].clear()
    assert household.to_dict() == full_household().to_dict()


def test_a_days_fingerprint_is_that_of_its_plain_form() -> None:
    entry = full_household().journal["2026-11-30"]
    assert entry.fingerprint() == fingerprint_of(entry.to_dict())
    assert DayEntry.from_dict(entry.to_dict()).fingerprint() == entry.fingerprint()
    assert DayEntry().fingerprint() != entry.fingerprint()
