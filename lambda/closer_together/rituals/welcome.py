"""Meeting the couple, greeting them again, and the menu of what they can do."""

from __future__ import annotations

from datetime import date

from closer_together.dialog import Waiting, understanding
from closer_together.household import Household, Partner
from closer_together.rituals.people import NAMES_SLOT, names
from closer_together.speech import Line, Name, Reply, line

MAX_NAME_CHARS = 40


def clean_name(raw: str | None, locale: str = "en-US") -> str | None:
    """A first name as heard, or None for a greeting or filler ("hi there", "um")."""
    if not raw or not understanding(locale).is_name(raw):
        return None
    name = " ".join(raw.split())[:MAX_NAME_CHARS].strip()
    return name[:1].upper() + name[1:] if name else None


def ask_names(lines: list[Line]) -> tuple[Reply, Waiting]:
    """Ask for both first names; Alexa takes a bare "Sam and Alex" as the names slot."""
    return Reply(lines, [line("names.reprompt")], elicit=NAMES_SLOT), Waiting.NAMES


def menu(household: Household, suggestion: Line | None = None) -> list[Line]:
    lines = [suggestion] if suggestion else []
    # After "time for your check-in", the choices do not name the check-in a second time.
    due_checkin = suggestion is not None and suggestion.key == "due.checkin"
    lines.append(line("menu.choices.checkin_due" if due_checkin else "menu.choices"))
    return lines


def launch(household: Household, suggestion: Line | None = None) -> tuple[Reply, Waiting | None]:
    """The launch reply and what it waits for (names, or a choice from the menu)."""
    if not household.partners:
        return ask_names([line("welcome.first"), line("names.ask")])
    if len(household.partners) == 1:
        return ask_names([line("names.ask_second", a=Name(household.partners[0].name))])
    return (
        Reply(
            [line("welcome.back", **names(household)), *menu(household, suggestion)],
            [line("menu.reprompt")],
        ),
        None,
    )


def names_heard(
    household: Household, first: str | None, second: str | None, today: date, locale: str = "en-US"
) -> tuple[Reply, Waiting | None]:
    """Names heard: kept at once (a stop keeps them), then confirmed once."""
    first, second = clean_name(first, locale), clean_name(second, locale)
    heard = [n for n in (first, second) if n]
    if not heard:
        return ask_names([line("names.missed"), line("names.reprompt")])
    if household.partners and len(household.partners) == 1:
        known = household.partners[0].name
        heard = [n for n in heard if n.lower() != known.lower()] or heard
        household.partners.append(Partner(heard[0]))
    elif len(heard) == 2 and heard[0].lower() == heard[1].lower():
        household.partners = [Partner(heard[0])]
    else:
        household.partners = [Partner(n) for n in heard[:2]]
    household.created_on = household.created_on or today.isoformat()
    if len(household.partners) == 1:
        return ask_names([line("names.ask_second", a=Name(household.partners[0].name))])
    return (
        Reply([line("names.confirm", **names(household))], [line("names.confirm.reprompt")]),
        Waiting.NAMES_CONFIRM,
    )


def names_confirmed(household: Household, yes: bool) -> tuple[Reply, Waiting | None]:
    """The answer to "did I get your names right?"."""
    if not yes:
        household.partners = []
        return ask_names([line("names.again")])
    return (
        Reply(
            [line("names.confirmed"), *menu(household)],
            [line("menu.reprompt")],
        ),
        None,
    )


def rename(
    household: Household, new: str | None, old: str | None, speaker: int | None, locale: str
) -> tuple[Reply, Waiting | None]:
    """ "Change our names", or "my name is Jordan, not Alex"."""
    new = clean_name(new, locale)
    index = speaker
    if old:
        index = next(
            (i for i, p in enumerate(household.partners) if p.name.lower() == old.lower()), None
        )
    if new is None and old is None:
        return ask_names([line("names.change")])
    if new is None or index is None or not household.named:
        return Reply([line("names.rename_how"), *menu(household)], [line("menu.reprompt")]), None
    was = household.partners[index].name
    household.partners[index].name = new
    return (
        Reply(
            [line("names.renamed", new=Name(new), old=Name(was)), *menu(household)],
            [line("menu.reprompt")],
        ),
        None,
    )
