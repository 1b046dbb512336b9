"""Hard moments and the couple's control of their data, as plain replies (no SDK).

- The three-level helper from the article: after "I had a terrible day", ask which level
  is needed now (content: the practical issue, process: the feelings, meaning: what it
  says about them or the relationship), then give the listener one way to respond.
- The timeout: a break of at least twenty minutes and under a day (thirty when the couple
  leaves it to us), with a return agreed and said as a clock time in their time zone.
- What is kept about the couple, in numbers taken from `household` (never restated here).

Handlers keep what a conversation is waiting for in `turn.expect` and the session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from closer_together.household import MOMENT_DAYS, Household
from closer_together.speech import Line, Name, Reply, line

# --- three levels ------------------------------------------------------------------------------

CONTENT = "content"
PROCESS = "process"
MEANING = "meaning"
LEVELS = (CONTENT, PROCESS, MEANING)


def _pair(household: Household, speaker: int | None) -> dict[str, Name] | None:
    """The partner who had the day and the one listening, when a voice told us who spoke."""
    if speaker is None or not household.named:
        return None
    return {
        "name": Name(household.partners[speaker].name),
        "other": Name(household.partners[1 - speaker].name),
    }


def hard_day(household: Household, speaker: int | None) -> Reply:
    """Ask which level is needed most right now (at most three choices)."""
    names = _pair(household, speaker)
    if names:
        return Reply([line("hardday.open.named", **names)], [line("level.reprompt")])
    return Reply([line("hardday.open")], [line("level.reprompt")])


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
    names = _pair(household, speaker)
    if names:
        return Reply([*lead, line(f"level.{level}.named", **names)], end_session=True), False
    return Reply([*lead, line(f"level.{level}")], end_session=True), False


# --- timeout -----------------------------------------------------------------------------------

MIN_TIMEOUT = timedelta(minutes=20)
# Twenty to thirty minutes lets a flooded body calm down; the top of that range when the
# couple leaves the choice to us.
DEFAULT_TIMEOUT = timedelta(minutes=30)
# Longer than this is still theirs to take, with one gentle word for coming back sooner.
LONG_TIMEOUT = timedelta(hours=2)
# A timeout ends within a day: a longer pause is no longer a break from one argument.
MAX_TIMEOUT = timedelta(days=1)
_ISO_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
# How long a "no thanks" to the reminder offer is respected (Alexa's reminder guideline).
DECLINE_DAYS = 7
DECLINED = "timeout.reminder_declined"


def parse_duration(value: str | None) -> timedelta | None:
    """AMAZON.DURATION's ISO 8601 value ('PT45M', 'PT1H30M', 'P1D') as a timedelta."""
    found = _ISO_DURATION.match((value or "").strip().upper())
    if not found or not any(found.groupdict().values()):
        return None
    parts = {k: int(v) for k, v in found.groupdict().items() if v}
    return timedelta(**parts)


def timeout_open() -> Reply:
    return Reply([line("timeout.open"), line("timeout.ask")], [line("timeout.ask.reprompt")])


def timeout_length(heard: timedelta | None, tries: int) -> tuple[Reply | None, timedelta | None]:
    """Check a proposed length: (question to ask again, None) or (None, agreed length).

    No length at all ("you choose", "I don't know", "whatever": Alexa hands these over
    without words) is the default. Out of range, it is asked once more; a second miss is
    clamped to the nearest bound.
    """
    if heard is None:
        return None, DEFAULT_TIMEOUT
    if MIN_TIMEOUT <= heard < MAX_TIMEOUT:
        return None, heard
    if tries < 1:
        key = "timeout.too_short" if heard < MIN_TIMEOUT else "timeout.too_long"
        return Reply([line(key)], [line("timeout.ask.reprompt")]), None
    if heard >= MAX_TIMEOUT:
        return None, MAX_TIMEOUT - timedelta(hours=1)
    return None, MIN_TIMEOUT


def length_words(length: timedelta) -> tuple[str, dict[str, str]]:
    """The prompt key and values that say a length aloud ('length.hours_minutes', ...)."""
    minutes = max(1, round(length.total_seconds() / 60))
    hours, rest = divmod(minutes, 60)
    if hours == 0:
        return "length.minutes", {"n": str(rest)}
    if rest == 0:
        return ("length.hour", {}) if hours == 1 else ("length.hours", {"n": str(hours)})
    if hours == 1:
        return "length.hour_minutes", {"m": str(rest)}
    return "length.hours_minutes", {"n": str(hours), "m": str(rest)}


def reminder_declined_recently(household: Household, today: date) -> bool:
    when = household.memory.get(DECLINED)
    if not isinstance(when, str):
        return False
    try:
        return (today - date.fromisoformat(when)).days < DECLINE_DAYS
    except ValueError:
        return False


def timeout_agreed(
    household: Household, length: str, today: date, *, chosen: bool = False, long: bool = False
) -> tuple[Reply, bool]:
    """Calm guidance for the break; (reply, whether a reminder is offered).

    `chosen`: the couple left the length to us. `long`: over LONG_TIMEOUT.
    """
    speak = [line("timeout.default" if chosen else "timeout.agreed", length=length)]
    if long:
        speak.append(line("timeout.long"))
    speak.extend([line("timeout.apart"), line("timeout.idea")])
    if reminder_declined_recently(household, today):
        return Reply([*speak, line("timeout.no_offer", length=length)], end_session=True), False
    return (
        Reply(
            [*speak, line("timeout.offer", length=length)],
            [line("timeout.offer.reprompt", length=length)],
        ),
        True,
    )


@dataclass(frozen=True)
class ClockWords:
    """A clock time as prompt keys: `key` filled with `hour` and `minute`, and `half` (the
    key of AM or PM) when it must be said; "tomorrow" added when `tomorrow`."""

    key: str
    hour: int
    minute: int
    half: str | None = None
    tomorrow: bool = False


def come_back_at(now: datetime, length: timedelta, zone: str | None) -> ClockWords | None:
    """When a break of `length` from `now` ends, as the couple's clock shows it.

    None when their time zone is unknown: a time in UTC would be wrong, not approximate.
    Under twelve hours the next time a 12-hour clock shows is unambiguous ("8:40"); a longer
    break says AM or PM, and "tomorrow" when it ends on another day.
    """
    if not zone:
        return None
    try:
        here = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    # Added in UTC: a break across a daylight-saving change lasts as long as it says.
    ends = (now.astimezone(UTC) + length).astimezone(here)
    half_day = length >= timedelta(hours=12)
    tomorrow = half_day and ends.date() != now.astimezone(here).date()
    hour, minute = ends.hour, ends.minute
    if minute == 0 and hour == 0:
        return ClockWords("timeout.clock.midnight", 12, 0)  # "tomorrow" would be a day late
    if minute == 0 and hour == 12:
        return ClockWords("timeout.clock.noon", 12, 0, tomorrow=tomorrow)
    if half_day:
        half = "reminder.am" if hour < 12 else "reminder.pm"
        key = "reminder.clock.hour" if minute == 0 else "reminder.clock"
        return ClockWords(key, hour % 12 or 12, minute, half, tomorrow)
    key = "timeout.clock.hour" if minute == 0 else "timeout.clock"
    return ClockWords(key, hour % 12 or 12, minute)


def reminder_declined(household: Household, length: str, today: date) -> Reply:
    household.memory[DECLINED] = today.isoformat()
    return Reply([line("timeout.no_reminder", length=length)], end_session=True)


# --- the couple's data -------------------------------------------------------------------------


def retention() -> dict[str, str]:
    """The retention figures of `household` in the units a person would say ("about 5 weeks")."""
    return {"weeks": str(max(1, round(MOMENT_DAYS / 7)))}


def what_we_keep(household: Household, inactive_years: int) -> Reply:
    figures = retention()
    speak: list[Line] = [line("keep.what", weeks=figures["weeks"])]
    if household.save_answers:
        speak.append(line("keep.options"))
    else:
        speak.extend([line("keep.saving_off"), line("keep.options.off")])
    card_body = line("keep.card.body", weeks=figures["weeks"], years=str(inactive_years))
    return Reply(speak, [line("keep.reprompt")], card=(line("keep.card.title"), card_body))


def forget_confirm() -> Reply:
    return Reply([line("forget.confirm")], [line("forget.reprompt")])


def forget_done(had_reminders: bool) -> Reply:
    speak = [line("forget.done")]
    if had_reminders:
        speak.append(line("forget.reminders_stay"))
    return Reply(speak, end_session=True)


def stop_saving(household: Household, today: date) -> tuple[Reply, bool]:
    """Turn saving off; (reply, whether we now ask to delete what is already saved)."""
    if not household.save_answers:
        return Reply([line("saving.already_off")], end_session=True), False
    household.save_answers = False
    if household.has_saved_moments(today):
        return (
            Reply(
                [line("saving.stopped"), line("saving.offer_delete")],
                [line("saving.offer_delete.reprompt")],
            ),
            True,
        )
    return Reply([line("saving.stopped"), line("saving.restart_hint")], end_session=True), False


def saved_answers_decision(household: Household, delete: bool) -> Reply:
    if delete:
        household.forget_answers()
        return Reply([line("saving.deleted")], end_session=True)
    return Reply([line("saving.kept", weeks=retention()["weeks"])], end_session=True)


def start_saving(household: Household) -> Reply:
    if household.save_answers:
        return Reply([line("saving.already_on", weeks=retention()["weeks"])], end_session=True)
    household.save_answers = True
    return Reply([line("saving.started", weeks=retention()["weeks"])], end_session=True)
