"""Hard moments, as plain replies (no SDK).

- The safety net: crisis, abuse and professional-help signals interrupt whatever is under
  way with the fixed, reviewed message of `concerns`. What was said is never stored,
  echoed or logged; only the day of a crisis or abuse message is kept, so the next
  session opens gently.
- The three-level helper from the article: after "I had a terrible day", ask which level
  is needed now (content: the practical issue, process: the feelings, meaning: what it
  says about them or the relationship), then give the listener one way to respond.

The timeout is `rituals.timeout`; the couple's control of their data, `rituals.privacy`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from closer_together.dialog import Heard, Kind, Waiting, normalise, understanding
from closer_together.household import Household
from closer_together.lazy import lazy
from closer_together.rituals import guided
from closer_together.rituals.people import names
from closer_together.rituals.welcome import menu
from closer_together.safety import Concern, SafetyMessage
from closer_together.speech import Name, Reply, line, trusted

if TYPE_CHECKING:
    from closer_together import concerns
else:
    concerns = lazy("closer_together.concerns")  # the detector, on the first words to check

# --- the safety net ----------------------------------------------------------------------------

# In household memory: the day a crisis or abuse message was given (nothing of what was said).
GENTLE = "gentle_next"
# Intents that are themselves the signal (their samples are the concern).
CONCERN_INTENTS = {
    "CrisisIntent": Concern.CRISIS,
    "AbuseIntent": Concern.ABUSE,
    "ProfessionalHelpIntent": Concern.PROFESSIONAL_HELP,
}
_SEVERITY = (Concern.CRISIS, Concern.ABUSE, Concern.PROFESSIONAL_HELP)


def concern_in(intent: str | None, said: Iterable[str], locale: str) -> Concern | None:
    """The most serious concern in a request: its intent, or any of the words in its slots."""
    found = {concerns.detect(value, locale) for value in said}
    found.add(CONCERN_INTENTS.get(intent or ""))
    return next((c for c in _SEVERITY if c in found), None)


class Safety(NamedTuple):
    """The fixed message to say first (None: it was given already this session), whether
    the Alexa app gets its card, the reply after it, and whether the household changed."""

    message: SafetyMessage | None
    card: bool
    reply: Reply
    changed: bool


def safety(
    household: Household, concern: Concern, heard: Heard, now: datetime, locale: str, noted: bool
) -> Safety:
    """Crisis and abuse end the turn with the fixed message; a ritual's progress stays for
    later, untouched. Professional help inside a ritual answer gives the note (once a
    session: `noted`) and moves the ritual on without keeping the answer."""
    message = concerns.safety_message(concern, locale)
    if concern is not Concern.PROFESSIONAL_HELP:
        # The next session opens gently. Only the day is kept: never what was said.
        household.memory[GENTLE] = now.date().isoformat()
        # The Alexa app keeps cards where a partner may read them: none about abuse.
        card = concern is not Concern.ABUSE
        return Safety(message, card, Reply([], end_session=True), changed=True)
    # Asked outright, not an answer here: the question is still theirs to answer.
    outright = heard.intent in CONCERN_INTENTS and heard.kind is not Kind.ANSWER and not noted
    after, changed = _after_note(household, now, ask_again=outright)
    return Safety(None if noted else message, True, after, changed)


def _after_note(household: Household, now: datetime, *, ask_again: bool) -> tuple[Reply, bool]:
    progress = guided.active(household, now.date())
    plan = guided.PLANS.get(str((progress or {}).get("ritual")))
    if progress is None or plan is None or progress.get("phase") == guided.TALK:
        return Reply([line("pro.close")], end_session=True), False
    if ask_again:
        asked = guided.repeat_question(household, plan)
        return Reply([line("pro.back"), *asked.speak], asked.reprompt, elicit=asked.elicit), False
    # An answer that was the signal (or the signal again): not kept; the ritual moves on.
    progress.pop("first_answer", None)
    progress["missed"] = 0
    return guided.advance(household, plan, now, [line("pro.next")]), True


def gentle_due(household: Household) -> bool:
    """A crisis or abuse message was given since the couple last spoke with us."""
    return GENTLE in household.memory


def gentle_opening(household: Household, locale: str) -> tuple[Reply, Waiting]:
    """Acknowledge, say the resources in one sentence, and ask whether to go on, rather
    than carry on as if nothing happened."""
    household.memory.pop(GENTLE, None)
    ask = line("gentle.ask")
    return Reply(
        [line("gentle.open"), trusted(concerns.help_line(locale)), ask], [ask]
    ), Waiting.GENTLE


def gentle_answer(household: Household, now: datetime, yes: bool) -> tuple[Reply, bool]:
    """Yes or no to "carry on with something together today?"; (reply, whether the
    household changed: today's ritual resumed, or an earlier day's dropped)."""
    if not yes:
        return Reply([line("gentle.close")], end_session=True), False
    had_progress = household.progress is not None
    resumed = guided.resume_today(household, now)
    return resumed or Reply(menu(household), [line("menu.reprompt")]), had_progress


# --- three levels ------------------------------------------------------------------------------

CONTENT = "content"
PROCESS = "process"
MEANING = "meaning"
LEVELS = (CONTENT, PROCESS, MEANING)
# Alexa is asked to take the next utterance as the level (a bare "support").
LEVEL_SLOT = "LevelIntent.level"


def _speaking(household: Household, speaker: int | None) -> dict[str, Name] | None:
    """The partner who had the day and the one listening, when a voice told us who spoke."""
    if speaker is None or not household.named:
        return None
    return names(household, speaker)


def hard_day(household: Household, speaker: int | None) -> tuple[Reply, Waiting]:
    """Ask which level is needed most right now (at most three choices)."""
    pair = _speaking(household, speaker)
    opening = line("hardday.open.named", **pair) if pair else line("hardday.open")
    return Reply([opening], [line("level.reprompt")], elicit=LEVEL_SLOT), Waiting.LEVEL


def level_heard(
    household: Household,
    chosen: str | None,
    said: str | None,
    *,
    asked: bool,
    tries: int,
    speaker: int | None,
    locale: str,
) -> tuple[Reply, Waiting | None]:
    """The level Alexa resolved (`chosen`) or the words said, to "which level?" (`asked`,
    for the `tries`-th time) or outright ("I need support")."""
    level = chosen or understanding(locale).levels.get(normalise(said or ""))
    if not asked and level not in LEVELS:
        # A stray "i need ..." outside the helper: answer as the fallback would.
        return Reply([line("fallback.general"), *menu(household)], [line("menu.reprompt")]), None
    reply, asking = level_chosen(household, level, speaker, tries)
    if asking:
        reply.elicit = LEVEL_SLOT
        return reply, Waiting.LEVEL
    return reply, None


def level_chosen(
    household: Household, level: str | None, speaker: int | None, tries: int
) -> tuple[Reply, bool]:
    """One concrete way for the listener to respond at that level; (reply, still asking).

    An unclear answer is asked once more; after that, support for the feelings is the
    safe default (listening never hurts).
    """
    if level not in LEVELS:
        if tries < 1:
            return Reply([line("level.unclear")], [line("level.reprompt")]), True
        level = PROCESS
        lead = [line("level.default")]
    else:
        # Said apart from the guidance: a default already names the level ("Let's start with
        # support"), and must not be followed by "Support it is".
        lead = [line(f"level.{level}.chosen")]
    pair = _speaking(household, speaker)
    if pair:
        return Reply([*lead, line(f"level.{level}.named", **pair)], end_session=True), False
    return Reply([*lead, line(f"level.{level}")], end_session=True), False
