"""What the safety net can find, and the reviewed message it answers with.

Light on purpose: handlers name these on every turn, while the detector in `concerns`
(its rules, frames and model) loads only when there are words to check.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Concern(StrEnum):
    CRISIS = "crisis"  # self-harm, suicide, wanting to die
    ABUSE = "abuse"  # violence, threats, fear of a partner, coercion and control
    PROFESSIONAL_HELP = "professional_help"  # hopelessness, escalating conflict, asking for help


class SafetyMessage(NamedTuple):
    """Fixed, reviewed wording. `ssml` has no <speak> wrapper (the SDK adds it)."""

    text: str
    ssml: str
    card_title: str
    card_text: str
