"""The weekly relationship review: the week read back aloud, then each partner's turn.

The read-back says how many days the couple checked in, then the week by partner, not by
day: each one's best and connecting moments, then the appreciations, said to the partner
they were for ("Alex appreciated that you fixed the sink, Sam"). A few moments of each
kind are said and the rest counted, so it takes at most two turns of listening: a short
first turn and, after a yes to "want to hear more?", the rest, then the questions. The
questions are a guided ritual (plan "review"): a connecting moment and an appreciation are
saved; an area for more closeness never is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from closer_together.household import APPRECIATION, BEST_MOMENT, CONNECTING, Household, Moment
from closer_together.lazy import lazy
from closer_together.rituals import guided, perspective
from closer_together.rituals.people import names
from closer_together.speech import Line, Name, Reply, Screen, line, pause

if TYPE_CHECKING:
    from closer_together import screens
else:
    screens = lazy("closer_together.screens")  # built with every review reply

RITUAL = "review"
CHECKIN = "checkin"
WEEK_DAYS = 7
# Moments said per partner and kind; the others are counted ("and 3 other good moments").
MOST = 2
# Moments that fit in one turn; more are split: the first of each kind, then the rest.
FIT = 6
# Fewer words than this say less than a longer answer ("coffee"): said only if nothing else.
SPECIFIC_WORDS = 3
# Each partner's moments, then the appreciations, each said to the partner it was for.
_OWN_KINDS = (BEST_MOMENT, CONNECTING)


@dataclass(frozen=True)
class _Group:
    """The moments of one partner and kind that are said, and how many more there were."""

    partner: int
    kind: str
    said: list[Moment]
    rest: int


def week_moments(household: Household, today: date) -> list[tuple[date, Moment]]:
    """The saved moments of the last seven days, oldest first."""
    since = today - timedelta(days=WEEK_DAYS - 1)
    return [
        (day, moment)
        for day, moment in household.moments_between(since, today)
        if moment.kind in (*_OWN_KINDS, APPRECIATION) and moment.partner < len(household.partners)
    ]


def _groups(household: Household, today: date) -> list[_Group]:
    """The week by partner and kind; within each, the most specific and recent first."""
    moments = week_moments(household, today)
    order = [(p, kind) for p in (0, 1) for kind in _OWN_KINDS]
    order += [(p, APPRECIATION) for p in (0, 1)]
    groups = []
    for partner, kind in order:
        found = [
            (min(len(moment.text.split()), SPECIFIC_WORDS), at, _as_of(moment, day, today))
            for at, (day, moment) in enumerate(moments)
            if moment.partner == partner and moment.kind == kind
        ]
        if not found:
            continue
        found.sort(key=lambda item: (item[0], item[1]), reverse=True)
        said: list[Moment] = []
        for _, _, moment in found:
            # The same words on several days are said once.
            if len(said) < MOST and moment.text.casefold() not in {m.text.casefold() for m in said}:
                said.append(moment)
        groups.append(_Group(partner, kind, said, len(found) - len(said)))
    return groups


def _as_of(moment: Moment, day: date, today: date) -> Moment:
    """The moment as it is told today: an earlier day's "tonight" was "that night"."""
    if day == today:
        return moment
    return moment._replace(text=perspective.told_later(moment.text))


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


def _pronouns(household: Household) -> list[str | None]:
    """Each partner's pronoun, as the other partner's appreciations call them, if they do."""
    said: list[list[str]] = [[], []]
    for entry in household.journal.values():
        for moment in entry.moments:
            if moment.kind == APPRECIATION and moment.partner in (0, 1):
                said[moment.partner].append(moment.text)
    return [perspective.pronoun_in(said[1]), perspective.pronoun_in(said[0])]


def _group_lines(
    household: Household, group: _Group, moments: list[Moment], also: bool, counted: bool
) -> list[Line]:
    """One partner's moments of one kind; `also` after the first was said a turn before."""
    partner = household.partners[group.partner]
    other = household.partners[1 - group.partner]
    name = Name(partner.name)
    lines: list[Line] = []
    # The couple's words go in as values: speech escapes them for SSML.
    if group.kind == APPRECIATION:
        pronoun = _pronouns(household)[group.partner]
        for moment in moments:
            turned = perspective.listener_view(moment.text, partner.name, other.name, pronoun)
            key = f"review.appreciation.{turned.form}"
            lines.append(line(key, name=name, other=Name(other.name), text=turned.text))
    elif also:
        lines.extend(line(f"review.{group.kind}.also", name=name, text=m.text) for m in moments)
    elif len(moments) == 1:
        lines.append(line(f"review.{group.kind}.one", name=name, text=moments[0].text))
    elif moments:
        first, second = moments[0].text, moments[1].text
        lines.append(line(f"review.{group.kind}.two", name=name, first=first, second=second))
    if counted and group.rest:
        key = f"review.rest.{group.kind}" + (".one" if group.rest == 1 else "")
        lines.append(line(key, name=name, count=str(group.rest)))
    return [*lines, pause(500)] if lines else []


def _read(household: Household, today: date, part: int) -> tuple[list[Line], bool]:
    """Part 0 of the read-back, or part 1 (after a yes); and whether a part 1 waits."""
    groups = _groups(household, today)
    split = sum(len(group.said) for group in groups) > FIT
    lines: list[Line] = []
    for group in groups:
        if not split:
            lines += _group_lines(household, group, group.said, also=False, counted=True)
        elif part == 0:
            lines += _group_lines(household, group, group.said[:1], also=False, counted=False)
        else:
            lines += _group_lines(household, group, group.said[1:], also=True, counted=True)
    return lines, split and part == 0


def begin(household: Household, now: datetime, speaker: int | None = None) -> tuple[Reply, bool]:
    """The week read back; then the questions, or "want to hear more?".

    Returns the reply and whether the rest of the read-back waits for a yes.
    """
    today = now.date()
    lead = [line("review.open", **names(household)), _days_line(household, today), pause(400)]
    lines, more_waits = _read(household, today, 0)
    if not lines:
        # Said once; the questions' own opening is the one introduction that follows.
        return _questions(household, now, speaker, [*lead, line("review.moments.none")]), False
    if more_waits:
        reply = Reply([*lead, *lines, line("review.more.ask")], [line("review.more.reprompt")])
        reply.screen = _screen(household, today, None)
        return reply, True
    return _questions(household, now, speaker, [*lead, *lines]), False


def more(household: Household, now: datetime, speaker: int | None = None) -> Reply:
    """A yes to "want to hear more?": the rest of the week in short, then the questions."""
    lines, _ = _read(household, now.date(), 1)
    return _questions(household, now, speaker, [*lines, line("review.more.done")])


def move_on(household: Household, now: datetime, speaker: int | None = None) -> Reply:
    """A no to "want to hear more?": straight to the questions."""
    return _questions(household, now, speaker, [line("review.more.no")])


def more_help() -> Reply:
    return Reply([line("review.more.help")], [line("review.more.reprompt")])


def _questions(
    household: Household, now: datetime, speaker: int | None, intro: list[Line]
) -> Reply:
    reply = guided.start(household, guided.PLANS[RITUAL], now, speaker, intro)
    reply.screen = _screen(household, now.date(), reply.screen)
    return reply


def _screen(household: Household, today: date, asked: Screen | None) -> Screen:
    """The week at a glance: the days checked in, the streak, the moments as short cards,
    and the reflection question once it is asked."""
    since = today - timedelta(days=WEEK_DAYS - 1)
    cards = [
        (group.kind, household.partners[group.partner].name, moment.text)
        for group in _groups(household, today)
        for moment in group.said
    ]
    return screens.review(
        asked,
        today,
        set(household.days_with(CHECKIN, since, today)),
        household.streak(CHECKIN, today),
        cards[:FIT],
    )
