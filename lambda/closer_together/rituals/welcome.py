"""Meeting the couple, greeting them again, and the menu of what they can do."""

from __future__ import annotations

from datetime import date

from closer_together.household import Household, Partner
from closer_together.speech import Line, Name, Reply, line

MAX_NAME_CHARS = 40


def partner_name(household: Household, index: int, speaker_person: str | None = None) -> Name:
    partner = household.partners[index]
    # Alexa says a recognised speaker's name from their profile; others by what we were told.
    person = (
        partner.person_id if partner.person_id and partner.person_id == speaker_person else None
    )
    return Name(partner.name, person)


def both(household: Household) -> dict[str, Name]:
    return {"a": Name(household.partners[0].name), "b": Name(household.partners[1].name)}


def clean_name(raw: str | None) -> str | None:
    if not raw:
        return None
    name = " ".join(raw.split())[:MAX_NAME_CHARS].strip()
    return name[:1].upper() + name[1:] if name else None


def menu(household: Household, suggestion: Line | None = None) -> list[Line]:
    lines = [suggestion] if suggestion else []
    lines.append(line("menu.choices"))
    return lines


def launch(household: Household, suggestion: Line | None = None) -> tuple[Reply, str | None]:
    """The launch reply and what it waits for (names, or a choice from the menu)."""
    if not household.partners:
        return (
            Reply([line("welcome.first"), line("names.ask")], [line("names.reprompt")]),
            "names",
        )
    if len(household.partners) == 1:
        first = Name(household.partners[0].name)
        return Reply([line("names.ask_second", a=first)], [line("names.reprompt")]), "names"
    return (
        Reply(
            [line("welcome.back", **both(household)), *menu(household, suggestion)],
            [line("menu.reprompt")],
        ),
        None,
    )


def names_heard(
    household: Household, first: str | None, second: str | None, today: date
) -> tuple[Reply, str | None]:
    first, second = clean_name(first), clean_name(second)
    heard = [n for n in (first, second) if n]
    if not heard:
        return Reply([line("names.missed")], [line("names.reprompt")]), "names"
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
        name = Name(household.partners[0].name)
        return Reply([line("names.ask_second", a=name)], [line("names.reprompt")]), "names"
    return (
        Reply(
            [line("names.welcome", **both(household)), *menu(household)],
            [line("menu.reprompt")],
        ),
        None,
    )
