"""The small things a listener notices (issue 13), through full envelopes."""

from __future__ import annotations

from typing import Any

from conftest import meet, says

NLU_MODES = ("exact", "honest")
DEEPER = "ask closer together for a deeper question"


def test_a_default_level_is_named_once(sim: Any) -> None:
    """Not "Let's start with support ... Support it is"."""
    meet(sim)
    sim.say("tell closer together I had a hard day")
    sim.say("purple elephants")
    turn = sim.say("purple elephants")
    assert says(turn.text, "level.default"), turn.text
    assert not says(turn.text, "level.process.chosen"), turn.text
    assert says(turn.text, "level.process")


def test_a_chosen_level_is_acknowledged_then_guided(sim: Any) -> None:
    meet(sim)
    sim.say("tell closer together I had a hard day")
    turn = sim.say("reassurance")
    assert says(turn.text, "level.meaning.chosen") and says(turn.text, "level.meaning")
    assert not says(turn.text, "level.default")


def test_help_offers_only_the_way_the_deck_can_go(sim: Any) -> None:
    meet(sim)
    lightest = sim.say(DEEPER)  # the first week: the lightest level
    assert "lighter" not in (lightest.reprompt or "")
    sim.say("go deeper")
    deepest = sim.say("go deeper")
    assert "deeper" not in (deepest.reprompt or "").replace("a deeper question", "")
    beyond = sim.say("go deeper")
    assert says(beyond.text, "deeper.deepest")
    assert "go deeper" not in beyond.text + (beyond.reprompt or "")


def test_the_check_in_is_not_said_to_be_open_before_it_was_started(sim: Any, clock: Any) -> None:
    meet(sim)
    for _ in range(6):
        clock.advance(days=1)
        turn = sim.launch()
        assert "still open" not in turn.text
        sim.say("stop")


def test_a_due_check_in_is_not_offered_twice_in_one_breath(sim: Any) -> None:
    meet(sim)
    turn = sim.launch()
    assert says(turn.text, "due.checkin"), turn.text
    assert says(turn.text, "menu.choices.checkin_due") and not says(turn.text, "menu.choices")
