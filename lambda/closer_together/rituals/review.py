"""The weekly relationship review: the week read back aloud, then each partner's turn.

The read-back says how many days the couple checked in and a few saved moments by name and
day, a page at a time ("want to hear more?"), so it stays a few breaths rather than a wall of
text. The questions are a guided ritual (plan "review"): a connecting moment and an
appreciation are saved; an area for more closeness never is.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from closer_together.household import APPRECIATION, BEST_MOMENT, CONNECTING, Household, Moment
from closer_together.rituals import guided
from closer_together.speech import Line, Name, Reply, line, pause

RITUAL = "review"
CHECKIN = "checkin"
WEEK_DAYS = 7
# Moments read before asking "want to hear more?": about what one can take in at once.
PAGE = 3
_MOMENT_KEYS = {
    BEST_MOMENT: "review.best",
    APPRECIATION: "review.appreciation",
    CONNECTING: "review.connecting",
}


def week_moments(household: Household, today: date) -> list[tuple[date, Moment]]:
    """The saved moments of the last seven days, oldest first."""
    since = today - timedelta(days=WEEK_DAYS - 1)
    return [
        (day, moment)
        for day, moment in household.moments_between(since, today)
        if moment.kind in _MOMENT_KEYS and moment.partner < len(household.partners)
    ]


def _names(household: Household) -> dict[str, Name]:
    return {"a": Name(household.partners[0].name), "b": Name(household.partners[1].name)}


def _days_line(household: Household, today: date) -> Line:
    since = today - timedelta(days=WEEK_DAYS - 1)
    days = len(household.days_with(CHECKIN, since, today))
    if days == 0:
        return line("review.days.none")
    if days == 1:
        return line("review.days.one")
    if days >= WEEK_DAYS:
        return line("review.days.all")
    return line("review.days.some", days=str(days))


def _when(day: date, today: date) -> Line:
    if day == today:
        return line("review.on.today")
    if day == today - timedelta(days=1):
        return line("review.on.yesterday")
    return line(f"review.on.{day.weekday()}")


def _moment_lines(household: Household, today: date, page: list[tuple[date, Moment]]) -> list[Line]:
    """ "On Tuesday, Sam's best moment was, ...", a short breath between moments."""
    lines: list[Line] = []
    previous: date | None = None
    for day, moment in page:
        lines.append(_when(day, today) if day != previous else line("review.and"))
        partner = household.partners[moment.partner]
        other = household.partners[1 - moment.partner]
        # The couple's words go in as a value: speech escapes them for SSML.
        lines.append(
            line(
                _MOMENT_KEYS[moment.kind],
                name=Name(partner.name),
                other=Name(other.name),
                text=moment.text,
            )
        )
        lines.append(pause(500))
        previous = day
    return lines


def begin(household: Household, now: datetime, speaker: int | None = None) -> tuple[Reply, int]:
    """The week read back; then the questions, or "want to hear more?".

    Returns the reply and where the read-back goes on after a yes (0: it is finished).
    """
    today = now.date()
    moments = week_moments(household, today)
    lead = [line("review.open", **_names(household)), _days_line(household, today), pause(400)]
    if not moments:
        return _questions(household, now, speaker, [*lead, line("review.moments.none")]), 0
    lead.extend(_moment_lines(household, today, moments[:PAGE]))
    if len(moments) > PAGE:
        return Reply([*lead, line("review.more.ask")], [line("review.more.reprompt")]), PAGE
    return _questions(household, now, speaker, lead), 0


def more(
    household: Household, now: datetime, at: int, speaker: int | None = None
) -> tuple[Reply, int]:
    """A yes to "want to hear more?": the next few moments."""
    today = now.date()
    moments = week_moments(household, today)
    lines = _moment_lines(household, today, moments[at : at + PAGE])
    if at + PAGE < len(moments):
        return Reply([*lines, line("review.more.ask")], [line("review.more.reprompt")]), at + PAGE
    return _questions(household, now, speaker, [*lines, line("review.more.done")]), 0


def move_on(household: Household, now: datetime, speaker: int | None = None) -> Reply:
    """A no to "want to hear more?": straight to the questions."""
    return _questions(household, now, speaker, [line("review.more.no")])


def more_help() -> Reply:
    return Reply([line("review.more.help")], [line("review.more.reprompt")])


def _questions(
    household: Household, now: datetime, speaker: int | None, intro: list[Line]
) -> Reply:
    return guided.start(household, guided.PLANS[RITUAL], now, speaker, intro)
