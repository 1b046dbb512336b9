"""What the developer console (and a device whose Settings API fails) trips on: the time
zone Alexa cannot tell. The locale's zone is used and the couple told once.

Full envelopes through the simulator; the Alexa APIs at the local stand-in; DynamoDB in moto.
"""

from __future__ import annotations

from typing import Any

import pytest
from alexa_apis import (
    WRITES,
    no_settings,
    reminder_posts,
)
from conftest import DEVICE, MODEL, USER, meet, says, stored_household

from alexa_local.simulator import Simulator

# -- 1. the time zone Alexa cannot tell --------------------------------------------------------


def test_without_the_settings_api_reminders_use_the_locales_zone_and_say_so_once(
    sim: Any, alexa_api: Any, dynamo_calls: Any
) -> None:
    no_settings(alexa_api)
    turns = [sim.launch(), sim.say("we are Sam and Alex")]
    turns.append(sim.say("remind us every evening at eight"))
    dynamo_calls.clear()
    turns.append(sim.say("yes"))
    [post] = reminder_posts(alexa_api)
    assert post.json["trigger"]["timeZoneId"] == "America/New_York"
    assert post.json["trigger"]["scheduledTime"] == "2026-11-27T20:00:00"  # 8 pm Eastern
    sim.say("stop")
    turns += [sim.launch(), sim.say("remind us about the weekly review every sunday at seven pm")]
    turns.append(sim.say("yes"))
    noticed = [t for t in turns if says(t.text, "zone.assumed")]
    assert len(noticed) == 1 and "Eastern time" in noticed[0].text
    household = stored_household()
    assert household.time_zone is None  # a guess is never stored as the device's zone
    assert household.memory["zone_notice"] is True
    assert household.schedule["weekly_review"]["zone"] == "America/New_York"


def test_the_notice_costs_no_write_of_its_own(sim: Any, alexa_api: Any, dynamo_calls: Any) -> None:
    no_settings(alexa_api)
    sim.launch()
    dynamo_calls.clear()
    turn = sim.say("we are Sam and Alex")  # the first turn that writes anyway
    assert dynamo_calls.count(*WRITES) <= 1
    dynamo_calls.clear()
    for said in ("help", "repeat", "stop"):
        sim.say(said)
    assert dynamo_calls.count(*WRITES) == 0
    # Said in the naming turn, whose one write carries the flag; not again after that.
    assert says(turn.text, "zone.assumed")
    assert stored_household().memory["zone_notice"] is True
    assert not says(sim.launch().text, "zone.assumed")


@pytest.mark.parametrize(
    ("locale", "zone", "said"),
    [
        ("en-GB", "Europe/London", "UK time"),
        ("en-CA", "America/Toronto", "Eastern time"),
        ("en-AU", "Australia/Sydney", "Sydney time"),
        ("en-IN", "Asia/Kolkata", "India Standard Time"),
    ],
)
def test_each_locale_has_its_own_assumed_zone(
    handler: Any, alexa_api: Any, clock: Any, locale: str, zone: str, said: str
) -> None:
    no_settings(alexa_api)
    sim = Simulator(
        handler,
        model_path=MODEL,
        user_id=USER,
        device_id=DEVICE,
        api_endpoint=alexa_api.endpoint,
        api_token=alexa_api.token,
        locale=locale,
        clock=clock,
    )
    meet(sim)
    sim.launch()
    sim.say("remind us every evening at eight")
    turn = sim.say("yes")
    [post] = reminder_posts(alexa_api)
    assert post.json["trigger"]["timeZoneId"] == zone
    assert said in turn.text or stored_household().memory.get("zone_notice")


def test_the_couples_day_follows_the_assumed_zone_not_utc(sim: Any, alexa_api: Any) -> None:
    no_settings(alexa_api)
    meet(sim)  # 01:00 UTC on the 27th is 8 pm on the 26th in New York
    sim.say("ask closer together to start our check-in")
    sim.say("the best part was our walk")
    assert stored_household().progress["date"] == "2026-11-26"


def test_once_alexa_tells_the_zone_it_is_kept_and_nothing_more_is_said(
    sim: Any, alexa_api: Any
) -> None:
    no_settings(alexa_api)
    meet(sim)
    assert stored_household().time_zone is None
    alexa_api._failures.clear()  # the device answers again
    alexa_api.set_time_zone(DEVICE, "America/Denver")
    sim.launch()
    turn = sim.say("remind us every evening at eight")
    turn = sim.say("yes")
    assert not says(turn.text, "zone.assumed")
    assert stored_household().time_zone == "America/Denver"
    assert reminder_posts(alexa_api)[-1].json["trigger"]["timeZoneId"] == "America/Denver"
