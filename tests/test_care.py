"""Hard moments: the three-level helper, the timeout and professional help (issue 6).

Everything goes through full Alexa request envelopes (the simulator) against DynamoDB in
moto and the local Alexa API stand-in.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import meet, raw_items, says, stored_household

from closer_together.rituals import timeout
from closer_together.speech import catalog
from closer_together.storage import HouseholdStore

# Real Alexa is the reference: these flows hold on the honest NLU as well.
NLU_MODES = ("exact", "honest")

REMINDERS = "/v1/alerts/reminders"
VALIDATIONS = {
    "content": "that sounds really frustrating",
    "process": "I can see why that would be overwhelming",
    "meaning": "it makes sense that you'd feel that way",
}


def elicited(turn: Any) -> tuple[str, str] | None:
    for directive in turn.directives:
        if directive["type"] == "Dialog.ElicitSlot":
            return directive["updatedIntent"]["name"], directive["slotToElicit"]
    return None


# --- three levels ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    ["I had a terrible day", "I had a rough day", "I've had an awful day", "bad day"],
)
def test_a_hard_day_asks_which_level_is_needed(sim: Any, said: str) -> None:
    meet(sim)
    turn = sim.say(f"tell closer together {said}")
    assert turn.heard.intent_name == "HardDayIntent"
    text = turn.text.lower()
    assert "practical" in text and "support" in text and "reassurance" in text
    # At most three choices, one question, and a reprompt that helps.
    assert turn.text.count("?") == 1
    assert turn.reprompt and not turn.ends_session
    assert elicited(turn) == ("LevelIntent", "level")


@pytest.mark.parametrize(
    ("answer", "level"),
    [
        ("practical help", "content"),
        ("help with the practical side", "content"),
        ("support", "process"),
        ("I need emotional support", "process"),
        ("reassurance", "meaning"),
        ("what it means", "meaning"),
    ],
)
def test_each_level_gives_the_listener_one_concrete_response(
    sim: Any, answer: str, level: str
) -> None:
    meet(sim)
    sim.say("ask closer together I had a terrible day")
    turn = sim.say(answer)
    assert turn.heard.intent_name == "LevelIntent"
    assert VALIDATIONS[level].lower() in turn.text.lower()
    others = [v for k, v in VALIDATIONS.items() if k != level]
    assert not any(v.lower() in turn.text.lower() for v in others)
    assert turn.ends_session


def test_a_recognised_speaker_hears_the_listener_named(make_sim: Any) -> None:
    sim = make_sim()
    meet(sim)
    household = stored_household()
    household.link_person(1, "amzn1.ask.person.ALEX")
    HouseholdStore().save(household)
    alex = make_sim(person_id="amzn1.ask.person.ALEX")
    turn = alex.say("ask closer together I had a rough day")
    assert "Alex" in turn.text
    turn = alex.say("support")
    # Alex had the day; Sam is the one listening.
    assert turn.text.startswith("Support") and "Sam, " in turn.text
    assert "Alex" in turn.text


def test_an_unclear_level_is_asked_once_more_then_support_is_offered(sim: Any) -> None:
    meet(sim)
    sim.say("ask closer together I had a bad day")
    again = sim.say("pizza")
    assert not again.ends_session and "?" in again.text
    assert elicited(again) == ("LevelIntent", "level")
    turn = sim.say("a bicycle")
    assert VALIDATIONS["process"].lower() in turn.text.lower()
    assert turn.ends_session


def test_the_hard_day_helper_stores_nothing(sim: Any) -> None:
    meet(sim)
    before = raw_items()
    sim.say("ask closer together I had a terrible day")
    sim.say("reassurance")
    assert raw_items() == before


# --- timeout -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said", ["we need a timeout", "we're getting heated", "things are getting heated"]
)
def test_a_timeout_asks_how_long_suggesting_twenty_to_thirty_minutes(sim: Any, said: str) -> None:
    meet(sim)
    turn = sim.say(f"tell closer together {said}")
    assert turn.heard.intent_name == "TimeoutIntent"
    assert "How long" in turn.text and "twenty to thirty minutes" in turn.text.lower()
    assert turn.reprompt and not turn.ends_session
    assert elicited(turn) == ("TimeoutIntent", "duration")


def test_timeout_with_a_reminder_to_come_back(sim: Any, alexa_api: Any, clock: Any) -> None:
    meet(sim)
    sim.say("tell closer together we need a timeout")
    turn = sim.say("forty five minutes")
    assert "45 minutes" in turn.text
    assert "separate" in turn.text or "apart" in turn.text
    assert "remind" in turn.text.lower() and turn.text.endswith("?")
    assert not turn.ends_session
    turn = sim.say("yes")
    # 8 pm in New York, plus forty-five minutes.
    assert says(turn.text, "timeout.reminder_at") and "8:45" in turn.text
    assert turn.ends_session
    (reminder,) = alexa_api.reminders.values()
    assert reminder["trigger"]["type"] == "SCHEDULED_RELATIVE"
    assert reminder["trigger"]["offsetInSeconds"] == 45 * 60
    assert "scheduledTime" not in reminder["trigger"]
    spoken = reminder["alertInfo"]["spokenInfo"]["content"][0]
    # Neutral: it plays to anyone in the room.
    assert spoken["text"] == "Time to come back together."
    assert "Sam" not in json.dumps(reminder) and "Alex" not in json.dumps(reminder)
    assert alexa_api.due(clock.now + timedelta(minutes=44)) == []
    assert alexa_api.due(clock.now + timedelta(minutes=46)) == ["Time to come back together."]


@pytest.mark.parametrize(
    ("first", "second", "expected", "seconds"),
    [
        ("ten minutes", "half an hour", "too_short", 30 * 60),
        ("ten minutes", "you choose", "too_short", 30 * 60),
        ("five minutes", "five minutes", "too_short", 20 * 60),
        ("two days", "three hours", "too_long", 3 * 3600),
        ("two days", "three days", "too_long", 23 * 3600),
    ],
)
def test_a_timeout_below_twenty_minutes_or_beyond_a_day_is_asked_again_then_clamped(
    sim: Any, alexa_api: Any, first: str, second: str, expected: str, seconds: int
) -> None:
    meet(sim)
    sim.say("tell closer together we need a timeout")
    again = sim.say(first)
    if expected == "too_short":
        assert "at least twenty minutes" in again.text.lower()
    else:
        assert "within a day" in again.text
    assert not again.ends_session and elicited(again) == ("TimeoutIntent", "duration")
    sim.say(second)
    sim.say("yes")
    (reminder,) = alexa_api.reminders.values()
    assert reminder["trigger"]["offsetInSeconds"] == seconds


def test_a_timeout_with_its_length_in_one_breath(sim: Any, alexa_api: Any) -> None:
    meet(sim)
    turn = sim.say("tell closer together we need a timeout for an hour")
    assert turn.heard.intent_name == "TimeoutIntent"
    assert "one hour" in turn.text and turn.text.endswith("?")
    sim.say("yes")
    (reminder,) = alexa_api.reminders.values()
    assert reminder["trigger"]["offsetInSeconds"] == 3600


def test_give_us_thirty_minutes_is_a_timeout_length_not_a_talk_timer(
    sim: Any, alexa_api: Any
) -> None:
    meet(sim)
    sim.say("tell closer together we need a timeout")
    turn = sim.say("give us thirty minutes")
    assert "30 minutes" in turn.text
    assert alexa_api.timers == {}


def test_no_reminder_is_respected_for_a_week(sim: Any, alexa_api: Any, clock: Any) -> None:
    meet(sim)
    sim.say("tell closer together we need a timeout")
    sim.say("twenty minutes")
    turn = sim.say("no")
    assert "20 minutes" in turn.text and turn.ends_session
    assert alexa_api.reminders == {}
    clock.advance(days=3)
    sim.say("tell closer together we need a timeout")
    turn = sim.say("twenty minutes")
    assert "remind" not in turn.text.lower() and turn.ends_session
    clock.advance(days=5)
    sim.say("tell closer together we need a timeout")
    turn = sim.say("twenty minutes")
    assert "remind" in turn.text.lower() and not turn.ends_session


def test_reminder_permission_is_asked_under_the_timeouts_own_token(
    sim: Any, alexa_api: Any
) -> None:
    meet(sim)
    alexa_api.revoke("reminders")
    sim.say("tell closer together we need a timeout")
    sim.say("an hour")
    turn = sim.say("yes")
    (ask,) = [d for d in turn.directives if d["type"] == "Connections.SendRequest"]
    assert ask["token"] == "reminders:timeout"
    scope = ask["payload"]["permissionScopes"][0]["permissionScope"]
    assert scope == "alexa::alerts:reminders:skill:readwrite"
    assert sim.pending_permission is not None
    alexa_api.grant("reminders")
    turn = sim.permission("ACCEPTED")
    assert "9 o'clock" in turn.text and "remind" in turn.text
    (reminder,) = alexa_api.reminders.values()
    assert reminder["trigger"]["offsetInSeconds"] == 3600


def test_reminder_permission_denied_still_ends_with_a_return_time(sim: Any, alexa_api: Any) -> None:
    meet(sim)
    alexa_api.revoke("reminders")
    sim.say("tell closer together we need a timeout")
    sim.say("twenty five minutes")
    sim.say("yes")
    turn = sim.permission("DENIED")
    assert "25 minutes" in turn.text and turn.ends_session
    assert alexa_api.reminders == {}


def test_a_failing_reminders_api_still_gets_a_calm_answer(sim: Any, alexa_api: Any) -> None:
    meet(sim)
    alexa_api.fail_next("POST", REMINDERS, 500)
    sim.say("tell closer together we need a timeout")
    sim.say("twenty minutes")
    turn = sim.say("yes")
    assert "couldn't set the reminder" in turn.text and "20 minutes" in turn.text
    assert turn.ends_session


def test_a_timeout_in_the_middle_of_a_checkin_keeps_the_ritual_for_later(sim: Any) -> None:
    meet(sim)
    sim.say("ask closer together to start our check-in")
    asked = stored_household().progress
    turn = sim.say("we're getting heated")
    assert "How long" in turn.text
    sim.say("twenty minutes")
    sim.say("no")
    household = stored_household()
    assert household.progress is not None
    assert household.progress["step"] == asked["step"]
    assert "heated" not in raw_items()
    turn = sim.say("ask closer together for the next question")
    assert says(turn.text, "checkin.q.best")


# Said where the length is asked. Real Alexa hands none of these over as words: the honest
# NLU sends AMAZON.FallbackIntent (AnswerIntent with "i think ..."), the kind one
# TimeoutIntent with the words as an unreadable duration. All of them mean "you choose".
LEFT_TO_US = ["you choose", "I don't know", "whatever", "the usual", "default", "i think the usual"]


@pytest.mark.parametrize("said", LEFT_TO_US)
def test_a_length_left_to_us_is_thirty_minutes(sim: Any, alexa_api: Any, said: str) -> None:
    meet(sim)
    sim.say("tell closer together we need a timeout")
    turn = sim.say(said)
    assert turn.heard.intent_name in ("AMAZON.FallbackIntent", "TimeoutIntent", "AnswerIntent")
    assert timeout.parse_duration(turn.heard.slot_values.get("duration")) is None
    assert says(turn.text, "timeout.default") and "30 minutes" in turn.text
    assert turn.text.endswith("?") and not turn.ends_session
    turn = sim.say("yes")
    assert "8:30" in turn.text
    (reminder,) = alexa_api.reminders.values()
    assert reminder["trigger"]["offsetInSeconds"] == 30 * 60


@pytest.mark.parametrize(
    ("said", "seconds", "gentle"),
    [
        ("forty five minutes", 45 * 60, False),
        ("two hours", 2 * 3600, False),
        ("three hours", 3 * 3600, True),
        ("twenty hours", 20 * 3600, True),
    ],
)
def test_a_long_timeout_is_taken_with_one_gentle_word(
    sim: Any, alexa_api: Any, said: str, seconds: int, gentle: bool
) -> None:
    meet(sim)
    sim.say("tell closer together we need a timeout")
    turn = sim.say(said)
    assert says(turn.text, "timeout.long") is gentle
    assert turn.text.lower().count("shorter") == int(gentle)
    # Accepted as said: not asked again, and the reminder is for that long.
    assert "How long" not in turn.text and turn.text.endswith("?")
    sim.say("yes")
    (reminder,) = alexa_api.reminders.values()
    assert reminder["trigger"]["offsetInSeconds"] == seconds


@pytest.mark.parametrize(
    ("zone", "utc", "said", "minutes", "spoken"),
    [
        ("America/New_York", (1, 0), "forty minutes", 40, "8:40"),
        ("America/New_York", (1, 0), "an hour", 60, "9 o'clock"),
        ("America/New_York", (1, 40), "thirty minutes", 30, "9:10"),  # across the hour
        ("America/New_York", (4, 50), "thirty minutes", 30, "12:20"),  # across midnight
        ("Asia/Kolkata", (1, 0), "forty five minutes", 45, "7:15"),  # 6:30 am, half-hour zone
        ("Asia/Kolkata", (18, 20), "forty minutes", 40, "12:30"),  # 11:50 pm, across midnight
        ("Australia/Adelaide", (1, 0), "thirty minutes", 30, "noon"),  # 11:30 am
        ("Europe/London", (23, 40), "twenty minutes", 20, "midnight"),
        ("America/Los_Angeles", (1, 0), "thirteen hours", 13 * 60, "6 AM tomorrow"),  # from 5 pm
    ],
)
def test_the_reminder_says_when_it_will_sound_on_the_couples_clock(
    make_sim: Any,
    alexa_api: Any,
    clock: Any,
    zone: str,
    utc: tuple[int, int],
    said: str,
    minutes: int,
    spoken: str,
) -> None:
    alexa_api.set_time_zone(None, zone)
    clock.now = clock.now.replace(hour=utc[0], minute=utc[1])
    sim = make_sim()
    meet(sim)
    sim.say("tell closer together we need a timeout")
    sim.say(said)
    turn = sim.say("yes")
    assert stored_household().time_zone == zone
    # One-off and relative: Alexa counts from now, so nothing depends on the device's clock.
    (reminder,) = alexa_api.reminders.values()
    assert reminder["trigger"]["type"] == "SCHEDULED_RELATIVE"
    assert reminder["trigger"]["offsetInSeconds"] == minutes * 60
    assert not reminder["trigger"].get("recurrence")
    assert says(turn.text, "timeout.reminder_at")
    assert f" {spoken} " in f" {turn.text.replace(',', ' ').replace('.', ' ')} "
    ends = (clock.now + timedelta(minutes=minutes)).astimezone(ZoneInfo(zone))
    if ":" in spoken:
        assert spoken == f"{ends.hour % 12 or 12}:{ends.minute:02d}"
    # The stand-in rings at that moment on the couple's clock, not a minute before.
    assert alexa_api.due(ends - timedelta(minutes=1)) == []
    assert alexa_api.due(ends) == ["Time to come back together."]


def test_without_a_known_time_zone_the_reminder_says_how_long_not_when(
    sim: Any, alexa_api: Any
) -> None:
    alexa_api.fail_next("GET", "/v2/devices", 503, times=10)
    meet(sim)
    sim.say("tell closer together we need a timeout")
    sim.say("thirty minutes")
    turn = sim.say("yes")
    assert stored_household().time_zone is None
    assert says(turn.text, "timeout.reminder_set") and "In 30 minutes" in turn.text
    assert not says(turn.text, "timeout.reminder_at")
    assert ":" not in turn.text and "o'clock" not in turn.text
    (reminder,) = alexa_api.reminders.values()
    assert reminder["trigger"]["offsetInSeconds"] == 30 * 60


def _sentences(text: str) -> list[str]:
    return [part for part in re.split(r"(?<=[.?!])\s+", text) if part]


def test_one_suggestion_then_a_reminder_reply_that_rotates_by_day(
    sim: Any, alexa_api: Any, clock: Any
) -> None:
    ideas = catalog("en-US").variants("timeout.idea")
    meet(sim)
    openers: list[str] = []
    for _day in range(4):
        sim.say("tell closer together we need a timeout")
        offered = sim.say("forty minutes")
        turn = sim.say("yes")
        before = [idea for idea in ideas if idea in offered.text]
        after = [idea for idea in ideas if idea in turn.text]
        # One suggestion, with the length; the reminder reply does not add a second.
        assert len(before) == 1 and after == []
        said = _sentences(turn.text)
        assert len(said) == len(set(said))
        openers.append(said[0])
        clock.advance(days=1)
    # The same words on consecutive days are said differently.
    assert all(a != b for a, b in pairwise(openers))


# Sentences of the timeout a couple may hear day after day; the clock and length formats
# (timeout.clock*, length.*) are forms, not sentences, and have one form each.
TIMEOUT_SENTENCES = [
    "timeout.ask",
    "timeout.ask.reprompt",
    "timeout.agreed",
    "timeout.default",
    "timeout.long",
    "timeout.apart",
    "timeout.idea",
    "timeout.reminder_at",
    "timeout.reminder_set",
    "timeout.goodbye",
]


@pytest.mark.parametrize("key", TIMEOUT_SENTENCES)
def test_timeout_sentences_have_variants(key: str) -> None:
    assert len(set(catalog("en-US").variants(key))) >= 2


# --- professional help -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "we keep fighting",
        "it's hopeless",
        "we've stopped trying",
        "should we see a therapist",
        "we need couples therapy",
    ],
)
def test_professional_help_names_eft_individual_therapy_and_coaching(sim: Any, said: str) -> None:
    meet(sim)
    turn = sim.say(f"tell closer together {said}")
    assert turn.heard.intent_name == "ProfessionalHelpIntent"
    assert "Emotionally Focused Therapy" in turn.text
    assert "individual therapy" in turn.text
    assert "relationship coaching" in turn.text
    assert "not therapy" in turn.text
    assert turn.card and "Emotionally Focused Therapy" in turn.card["content"]
    # No diagnosis: nothing says what is wrong with them.
    lowered = turn.text.lower()
    assert not any(w in lowered for w in ("diagnos", "disorder", "toxic", "you have"))


# --- the domain, without the SDK ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("iso", "expected"),
    [
        ("PT20M", timedelta(minutes=20)),
        ("PT1H30M", timedelta(hours=1, minutes=30)),
        ("P1D", timedelta(days=1)),
        ("P1W", timedelta(weeks=1)),
        ("PT90S", timedelta(seconds=90)),
        ("", None),
        ("P", None),
        ("twenty", None),
        (None, None),
    ],
)
def test_duration_values_are_read_as_alexa_sends_them(
    iso: str | None, expected: timedelta | None
) -> None:
    assert timeout.parse_duration(iso) == expected


@pytest.mark.parametrize(
    ("length", "key", "values"),
    [
        (timedelta(minutes=45), "length.minutes", {"n": "45"}),
        (timedelta(hours=1), "length.hour", {}),
        (timedelta(hours=1, minutes=15), "length.hour_minutes", {"m": "15"}),
        (timedelta(hours=3), "length.hours", {"n": "3"}),
        (timedelta(hours=2, minutes=30), "length.hours_minutes", {"n": "2", "m": "30"}),
    ],
)
def test_lengths_are_said_the_way_people_say_them(
    length: timedelta, key: str, values: dict[str, str]
) -> None:
    assert timeout.length_words(length) == (key, values)


def test_no_length_heard_is_thirty_minutes() -> None:
    assert timeout.timeout_length(None, 0) == (None, timedelta(minutes=30))
    assert timeout.timeout_length(None, 1) == (None, timedelta(minutes=30))


NY = "America/New_York"


@pytest.mark.parametrize(
    ("now", "length", "zone", "expected"),
    [
        # 8 pm in New York
        (
            "2026-11-27T01:00:00+00:00",
            timedelta(minutes=40),
            NY,
            ("timeout.clock", 8, 40, None, False),
        ),
        (
            "2026-11-27T01:00:00+00:00",
            timedelta(hours=3),
            NY,
            ("timeout.clock.hour", 11, 0, None, False),
        ),
        # the minute it sounds in: 8:40:59 is still 8:40
        (
            "2026-11-27T01:00:59+00:00",
            timedelta(minutes=40),
            NY,
            ("timeout.clock", 8, 40, None, False),
        ),
        # 1:40 am on the night clocks go back: thirty minutes later it is 1:10 again
        (
            "2026-11-01T05:40:00+00:00",
            timedelta(minutes=30),
            NY,
            ("timeout.clock", 1, 10, None, False),
        ),
        # twelve hours or more: AM or PM, and "tomorrow" on another day
        (
            "2026-11-27T01:00:00+00:00",
            timedelta(hours=12),
            NY,
            ("reminder.clock.hour", 8, 0, "reminder.am", True),
        ),
        (
            "2026-11-27T11:00:00+00:00",
            timedelta(hours=13, minutes=5),
            NY,
            ("reminder.clock", 7, 5, "reminder.pm", False),
        ),
        # noon and midnight by name; midnight is tonight's, never "tomorrow"
        (
            "2026-11-27T05:00:00+00:00",
            timedelta(hours=12),
            NY,
            ("timeout.clock.noon", 12, 0, None, False),
        ),
        (
            "2026-11-27T01:00:00+00:00",
            timedelta(hours=16),
            NY,
            ("timeout.clock.noon", 12, 0, None, True),
        ),
        (
            "2026-11-27T17:00:00+00:00",
            timedelta(hours=12),
            NY,
            ("timeout.clock.midnight", 12, 0, None, False),
        ),
        (
            "2026-11-27T04:30:00+00:00",
            timedelta(minutes=30),
            NY,
            ("timeout.clock.midnight", 12, 0, None, False),
        ),
    ],
)
def test_the_end_of_a_break_on_the_couples_clock(
    now: str, length: timedelta, zone: str, expected: tuple[str, int, int, str | None, bool]
) -> None:
    at = timeout.come_back_at(datetime.fromisoformat(now), length, zone)
    assert at is not None
    assert (at.key, at.hour, at.minute, at.half, at.tomorrow) == expected


@pytest.mark.parametrize("zone", [None, "", "Mars/Olympus_Mons"])
def test_no_clock_time_without_a_real_time_zone(zone: str | None) -> None:
    now = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    assert timeout.come_back_at(now, timedelta(minutes=30), zone) is None
