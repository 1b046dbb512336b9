"""What the skill is waiting for, and what the couple's words mean there.

`Waiting` lists every question the skill can leave open; `WAITS` says, for each, which
intents answer it. Any other intent is a command and is handled as itself. The pipeline
reads each request once into a `Heard` (see `hear`), and handlers decide from that:

- Alexa may send a reply to an open question as the answer's text even when it is not
  an answer ("thanks", "yes", "weekly review", "give us ten minutes"): such words are
  turned into the intent they mean, or marked as no answer at all.
- Alexa may switch intent when an answer sounds like another intent's sample ("I had a
  terrible day" to "what felt most challenging?"): where the question accepts that
  intent (`Question.accepts`), it is taken as the answer.
- AMAZON.FallbackIntent carries no words: the question missed its answer.
- A command ends the wait (it is done as itself); help and repeat leave the question open.

Plain Python, no SDK: the rules are data (`content/<locale>/understanding.json`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any, NamedTuple

from closer_together.speech import catalog


class Waiting(StrEnum):
    """Every question the skill can leave open; stored as the session's `expect`."""

    NAMES = "names"
    NAMES_CONFIRM = "names:confirm"
    WHO_LAUNCH = "who:launch"  # "Is this Sam or Alex?", then the menu
    WHO_CHECKIN = "who:checkin"  # "Is this Sam or Alex?", then the check-in
    WHO_APPRECIATION = "who:appreciation"  # whose one-shot appreciation that was
    RITUAL_ANSWER = "ritual:answer"  # a guided ritual's question (derived from progress)
    RITUAL_TALK = "ritual:talk"  # the couple talks it through; "next" when ready
    REVIEW_MORE = "review:more"
    LEVEL = "care:level"
    TIMEOUT_LENGTH = "care:timeout:length"
    TIMEOUT_REMIND = "care:timeout:remind"
    GENTLE = "care:gentle"  # "carry on with something together today?" after a hard moment
    FORGET = "care:forget"
    FORGET_ANSWERS = "care:forget_answers"
    REMINDER_SLOT = "reminder:ask"  # a missing part of the reminder being set
    REMINDER_WHICH = "reminder:which"  # which reminder to move or cancel
    REMINDER_CONFIRM = "reminder:confirm"
    REMINDER_RESTORE = "reminder:restore"


YES = "AMAZON.YesIntent"
NO = "AMAZON.NoIntent"
FALLBACK = "AMAZON.FallbackIntent"
ANSWER = "AnswerIntent"
APPRECIATE = "ShareAppreciationIntent"
NAMES_INTENT = "NamesIntent"
# Intents, and their slots, that carry what someone said in their own words.
TEXT_INTENTS = ("AnswerIntent", "ShareAppreciationIntent")
TEXT_SLOTS = ("answer", "appreciation")
_YES_NO = frozenset({YES, NO})


class Wait(NamedTuple):
    """The intents that answer one open question; every other intent is a command."""

    answers: frozenset[str]
    # The slot Alexa is asked to fill with the next utterance, if any.
    elicits: str | None = None


# Commands that leave the question open: the wait survives them.
KEEP_WAITING = frozenset({"AMAZON.RepeatIntent", "AMAZON.HelpIntent"})
# Rituals named as the answer to "which one?" while a reminder is set, moved or cancelled.
_RITUAL_NAMES = frozenset({"StartCheckInIntent", "WeeklyReviewIntent", "MonthlyCheckInIntent"})
_MORE = frozenset(
    {YES, NO, "NextQuestionIntent", "AMAZON.NextIntent", "AMAZON.ResumeIntent", "SkipIntent"}
)

WAITS: dict[Waiting, Wait] = {
    Waiting.NAMES: Wait(frozenset({NAMES_INTENT}), "NamesIntent.firstName"),
    Waiting.NAMES_CONFIRM: Wait(_YES_NO | {NAMES_INTENT}),
    Waiting.WHO_LAUNCH: Wait(frozenset({NAMES_INTENT}), "NamesIntent.firstName"),
    Waiting.WHO_CHECKIN: Wait(frozenset({NAMES_INTENT}), "NamesIntent.firstName"),
    Waiting.WHO_APPRECIATION: Wait(frozenset({NAMES_INTENT}), "NamesIntent.firstName"),
    # Plus the intents the current question itself accepts (`Question.accepts`).
    Waiting.RITUAL_ANSWER: Wait(frozenset({ANSWER, APPRECIATE}), "answer"),
    Waiting.RITUAL_TALK: Wait(_YES_NO),
    Waiting.REVIEW_MORE: Wait(_MORE),
    Waiting.LEVEL: Wait(frozenset({"LevelIntent"}), "LevelIntent.level"),
    # A miss here is "you choose" (Alexa drops those words): the default length.
    Waiting.TIMEOUT_LENGTH: Wait(
        frozenset({"TimeoutIntent", "TalkTimerIntent"}), "TimeoutIntent.duration"
    ),
    Waiting.TIMEOUT_REMIND: Wait(_YES_NO),
    Waiting.GENTLE: Wait(_YES_NO),
    Waiting.FORGET: Wait(_YES_NO),
    Waiting.FORGET_ANSWERS: Wait(_YES_NO),
    Waiting.REMINDER_SLOT: Wait(frozenset({"SetReminderIntent"}) | _RITUAL_NAMES),
    Waiting.REMINDER_WHICH: Wait(
        frozenset({"MoveReminderIntent", "CancelReminderIntent"}) | _RITUAL_NAMES
    ),
    Waiting.REMINDER_CONFIRM: Wait(_YES_NO),
    Waiting.REMINDER_RESTORE: Wait(_YES_NO),
}


def waiting_from(value: Any) -> Waiting | None:
    """The stored `expect`, read back; anything unknown (an older session) waits for nothing."""
    try:
        return Waiting(value) if value else None
    except ValueError:
        return None


class Kind(StrEnum):
    """What one utterance is, where the skill waits."""

    ANSWER = "answer"  # an answer to the open question (its text in `Heard.text`)
    NOT_ANSWER = "not_answer"  # filler or thanks said to an open question: ask again gently
    MISSED = "missed"  # Alexa could not place the speech (FallbackIntent, no words)
    COMMAND = "command"  # anything else: handled as itself
    EVENT = "event"  # not an intent at all (launch, session end, permission answers)


class Heard(NamedTuple):
    """One request as the skill understands it: read once by the pipeline."""

    intent: str | None
    kind: Kind
    slots: Mapping[str, str] = MappingProxyType({})
    # The couple's own words for an answer (never logged).
    text: str | None = None
    # The intent Alexa sent, when the words meant another (for logs and tests).
    sent: str | None = None


def hear(
    waiting: Waiting | None,
    intent: str | None,
    slots: dict[str, str],
    locale: str,
    accepts: frozenset[str] = frozenset(),
) -> Heard:
    """Read one request where the skill waits for `waiting`.

    `accepts`: other intents the open question takes as its answer (e.g. HardDayIntent
    for "what felt most challenging?").
    """
    if intent is None:
        return Heard(None, Kind.EVENT)
    sent = intent
    text = next((slots[name] for name in TEXT_SLOTS if slots.get(name)), None)
    if intent in TEXT_INTENTS and text:
        meant = understanding(locale).meaning(text)
        if meant is not None:
            name, values = meant
            if name is None:
                return Heard(intent, Kind.NOT_ANSWER, slots, sent=sent)
            intent, slots, text = name, values, None
    wait = WAITS.get(waiting) if waiting is not None else None
    if wait is None:
        return Heard(intent, Kind.COMMAND, slots, text, sent)
    if intent == FALLBACK:
        return Heard(intent, Kind.MISSED, slots, sent=sent)
    if intent in TEXT_INTENTS and waiting is not Waiting.RITUAL_ANSWER:
        # Words where a name or a yes was wanted: not understood as an answer there.
        return Heard(intent, Kind.MISSED, slots, text, sent)
    if intent in wait.answers or intent in accepts:
        if intent in TEXT_INTENTS and not text:
            return Heard(intent, Kind.MISSED, slots, sent=sent)
        if text is None and intent in accepts:
            # Another intent's sample, heard as the answer: its slot values are its words.
            text = " ".join(v for v in slots.values() if v) or ""
        return Heard(intent, Kind.ANSWER, slots, text, sent)
    return Heard(intent, Kind.COMMAND, slots, text, sent)


# --- the words -----------------------------------------------------------------------------

_NOT_WORD = re.compile(r"[^\w\s]")
_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60}


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, punctuation to spaces: how the lists are written."""
    text = text.lower().replace("'", "").replace("\u2019", "")
    return " ".join(_NOT_WORD.sub(" ", text).split())


def number(words: str) -> int | None:
    """'15', 'fifteen', 'twenty five', 'a few' -> minutes; None when it is no number."""
    words = words.replace("-", " ").strip()
    if words.isdigit():
        return int(words)
    total = 0
    for word in words.split():
        if word in _TENS:
            total += _TENS[word]
        elif word in _UNITS:
            total += _UNITS.index(word)
        elif word not in ("and", "a", "an"):
            return None
    return total or None


class Understanding(NamedTuple):
    yes: frozenset[str]
    no: frozenset[str]
    filler_words: frozenset[str]
    filler_phrases: frozenset[str]
    commands: dict[str, str]
    timer: re.Pattern[str]
    timeout: re.Pattern[str]
    rename: re.Pattern[str]
    not_names: frozenset[str]
    # A level of the three-level helper said alone ("support") -> its id.
    levels: dict[str, str]
    level_frames: re.Pattern[str]
    # Lengths said without a number of minutes ("half an hour") -> minutes.
    spans: dict[str, int]

    def meaning(self, text: str) -> tuple[str | None, dict[str, str]] | None:
        """What a reply means when it is not an answer: (intent, slots), (None, {}) for
        filler, or None for a real answer."""
        said = normalise(text)
        if not said:
            return None, {}
        if said in self.yes:
            return YES, {}
        if said in self.no:
            return NO, {}
        if said in self.commands:
            return self.commands[said], {}
        framed = self.level_frames.match(said)
        level = framed.group("level") if framed else None
        if level in self.levels:
            return "LevelIntent", {"level": level}
        if self.timeout.match(said):
            return "TimeoutIntent", {}
        renamed = self.rename.match(said)
        if renamed:
            return "ChangeNamesIntent", {k: v.capitalize() for k, v in renamed.groupdict().items()}
        found = self.timer.match(said)
        minutes = None
        if found and found.group("minutes"):
            minutes = number(found.group("minutes"))
        elif found:
            minutes = self.spans.get(found.group("span"))
        if minutes is not None:
            return "TalkTimerIntent", {"minutes": str(minutes)}
        if said in self.filler_phrases or all(w in self.filler_words for w in said.split()):
            return None, {}
        return None

    def is_name(self, text: str) -> bool:
        words = normalise(text).split()
        return 0 < len(words) <= 2 and not any(w in self.not_names for w in words)


_CACHE: dict[str, Understanding] = {}


def understanding(locale: str) -> Understanding:
    found = _CACHE.get(locale)
    if found is None:
        data = catalog(locale).data("understanding")
        found = Understanding(
            yes=frozenset(data["yes"]),
            no=frozenset(data["no"]),
            filler_words=frozenset(data["filler_words"]),
            filler_phrases=frozenset(data["filler_phrases"]),
            commands=dict(data["commands"]),
            timer=re.compile(data["timer"]),
            timeout=re.compile(data["timeout"]),
            rename=re.compile(data["rename"]),
            not_names=frozenset(data["not_names"]),
            levels=dict(data["levels"]),
            level_frames=re.compile(data["level_frames"]),
            spans={k: int(v) for k, v in data["spans"].items()},
        )
        _CACHE[locale] = found
    return found
