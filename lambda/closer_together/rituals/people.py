"""Knowing which partner is speaking, when Alexa recognises a voice profile."""

from __future__ import annotations

from closer_together.rituals import welcome
from closer_together.speech import Reply, line
from closer_together.turn import Turn

# Voice profiles remembered as already asked about.
MAX_ASKED = 8


def who_is_speaking(turn: Turn) -> Reply | None:
    """With an unknown voice profile, ask once which partner is speaking."""
    household = turn.household
    if not (turn.person_id and household.named) or turn.speaker is not None:
        return None
    asked = household.memory.setdefault("asked_people", [])
    if turn.person_id in asked:
        return None
    asked.append(turn.person_id)
    del asked[:-MAX_ASKED]  # the household item stays small whoever visits
    turn.touch()
    names = welcome.both(household)
    return Reply(
        [line("who.ask", **names)], [line("who.reprompt", **names)], elicit=welcome.NAMES_SLOT
    )
