"""The timeout: a break of at least twenty minutes and under a day (thirty when the couple
leaves it to us), with a return agreed and said as a clock time in their time zone, and a
one-off reminder to come back together.

Plain values in (the household, the time, the length heard, the locale's prompts); the
Reminders API is the gateway a caller hands in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from closer_together.dialog import Waiting
from closer_together.household import Household
from closer_together.lazy import lazy
from closer_together.rituals import offers
from closer_together.rituals.wording import phrase
from closer_together.speech import Catalog, Reply, line

if TYPE_CHECKING:
    from closer_together.gateways import reminders
    from closer_together.gateways.reminders import ReminderGateway
else:
    reminders = lazy("closer_together.gateways.reminders")

# Alexa is asked to take the next utterance as the length ("an hour").
LENGTH_SLOT = "TimeoutIntent.duration"
# The AskFor token of the timeout's reminder: its answer comes back here, not to the
# ritual reminders' flow (token "reminders").
REMINDER_PERMISSION = "reminders:timeout"

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
OFFERS = "timeout.reminder"  # memory: the time-out's reminder offer (see rituals/offers.py)


def parse_duration(value: str | None) -> timedelta | None:
    """AMAZON.DURATION's ISO 8601 value ('PT45M', 'PT1H30M', 'P1D') as a timedelta."""
    found = _ISO_DURATION.match((value or "").strip().upper())
    if not found or not any(found.groupdict().values()):
        return None
    parts = {k: int(v) for k, v in found.groupdict().items() if v}
    return timedelta(**parts)


def timeout_open() -> Reply:
    return Reply(
        [line("timeout.open"), line("timeout.ask")],
        [line("timeout.ask.reprompt")],
        elicit=LENGTH_SLOT,
    )


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
        return Reply([line(key)], [line("timeout.ask.reprompt")], elicit=LENGTH_SLOT), None
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
    return offers.quiet(household.memory.get(OFFERS), today)


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


def reminder_declined(household: Household, seconds: int, today: date, prompts: Catalog) -> Reply:
    """No reminder, thanks: not offered again for a while."""
    offers.keep_quiet(household.memory.setdefault(OFFERS, {}), today)
    length = length_said(prompts, timedelta(seconds=seconds))
    return Reply([line("timeout.no_reminder", length=length)], end_session=True)


# --- one turn of the timeout ---------------------------------------------------------------


class Asked(NamedTuple):
    """The reply to a proposed length, what the session waits for next, how often the
    length has been asked again (None: no longer asked) and the agreed length in seconds."""

    reply: Reply
    waiting: Waiting | None
    tries: int | None
    seconds: int | None = None


def heard_length(talk_minutes: str | None, duration: str | None) -> timedelta | None:
    """A length as Alexa heard it: "give us 45 minutes" (digits) or AMAZON.DURATION."""
    if talk_minutes is not None:
        return timedelta(minutes=int(talk_minutes)) if talk_minutes.isdigit() else None
    return parse_duration(duration)


def asked_for(
    household: Household,
    heard: timedelta | None,
    *,
    asked: bool,
    tries: int,
    today: date,
    prompts: Catalog,
) -> Asked:
    """ "We need a timeout", or the length said to "how long?" (`asked`, for the
    `tries`-th time).

    A fresh request leaves the ritual under way (if any) waiting, its answer not taken.
    """
    if not asked and heard is None:
        return Asked(timeout_open(), Waiting.TIMEOUT_LENGTH, tries=0)
    lead = [] if asked else [line("timeout.open")]
    again, agreed = timeout_length(heard, tries if asked else 0)
    if again is not None:
        again.speak[:0] = lead
        return Asked(again, Waiting.TIMEOUT_LENGTH, tries=tries + 1)
    assert agreed is not None
    reply, offered = timeout_agreed(
        household,
        length_said(prompts, agreed),
        today,
        chosen=heard is None,
        long=agreed > LONG_TIMEOUT,
    )
    reply.speak[:0] = lead
    waiting = Waiting.TIMEOUT_REMIND if offered else None
    return Asked(reply, waiting, tries=None, seconds=int(agreed.total_seconds()))


def length_said(prompts: Catalog, length: timedelta) -> str:
    """A length as words ("45 minutes"), from the locale's own templates."""
    key, values = length_words(length)
    return phrase(prompts, key, **values)


def clock_said(prompts: Catalog, now: datetime, length: timedelta, zone: str | None) -> str | None:
    """When a break of `length` from now ends, in the couple's time zone ("8:40"); None
    when the zone is unknown (the pipeline asked Alexa for it at the session's start)."""
    at = come_back_at(now, length, zone)
    if at is None:
        return None
    half = phrase(prompts, at.half) if at.half else ""
    said = phrase(prompts, at.key, hour=at.hour, minute=f"{at.minute:02d}", half=half)
    return phrase(prompts, "timeout.clock.tomorrow", time=said) if at.tomorrow else said


def set_reminder(
    gateway: ReminderGateway,
    seconds: int,
    household: Household,
    now: datetime,
    prompts: Catalog,
    locale: str,
) -> Reply:
    """The one-off reminder to come back together, or what to do without one."""
    length = length_said(prompts, timedelta(seconds=seconds))
    text = prompts.variants("timeout.reminder_text")[0]
    outcome = gateway.remind_in(seconds, text, locale).outcome
    if outcome is reminders.ReminderOutcome.DONE:
        # Relative reminders count from when Alexa gets them: this request, give or take.
        at = clock_said(prompts, now, timedelta(seconds=seconds), household.time_zone)
        done = (
            line("timeout.reminder_at", time=at)
            if at
            else line("timeout.reminder_set", length=length)
        )
        # What to do meanwhile was said with the length: once is guidance, twice is a lecture.
        return Reply([done, line("timeout.goodbye")], end_session=True)
    if outcome is reminders.ReminderOutcome.NEEDS_PERMISSION:
        return Reply([line("timeout.permission")], ask_permission=REMINDER_PERMISSION)
    return Reply([line("timeout.reminder_failed", length=length)], end_session=True)


def permission_refused(seconds: int, prompts: Catalog) -> Reply:
    length = length_said(prompts, timedelta(seconds=seconds))
    return Reply([line("timeout.permission_denied", length=length)], end_session=True)
