"""Who is who: the partners' names as prompt values, and which partner is speaking when
Alexa recognises a voice profile."""

from __future__ import annotations

from closer_together.household import Household
from closer_together.speech import Line, Name, Reply, line

# Voice profiles remembered as already asked about.
MAX_ASKED = 8
ASKED = "asked_people"
# Alexa takes a bare "Sam" or "Sam and Alex" as this slot.
NAMES_SLOT = "NamesIntent.firstName"


def names(household: Household, partner: int | None = None) -> dict[str, Name]:
    """The couple's names as prompt values: both ({a} and {b}), or, for `partner`, theirs
    ({name}) and the other's ({other})."""
    partners = household.partners
    if partner is None:
        return {"a": Name(partners[0].name), "b": Name(partners[1].name)}
    return {"name": Name(partners[partner].name), "other": Name(partners[1 - partner].name)}


def partner_name(household: Household, index: int, speaker_person: str | None = None) -> Name:
    partner = household.partners[index]
    # Alexa says a recognised speaker's name from their profile; others by what we were told.
    person = (
        partner.person_id if partner.person_id and partner.person_id == speaker_person else None
    )
    return Name(partner.name, person)


def who_is_speaking(household: Household, person_id: str | None) -> Reply | None:
    """With an unknown voice profile, ask once which partner is speaking (the household
    remembers the profile as asked about)."""
    if not (person_id and household.named) or household.partner_for_person(person_id) is not None:
        return None
    asked = household.memory.setdefault(ASKED, [])
    if person_id in asked:
        return None
    asked.append(person_id)
    del asked[:-MAX_ASKED]  # the household item stays small whoever visits
    both = names(household)
    return Reply([line("who.ask", **both)], [line("who.reprompt", **both)], elicit=NAMES_SLOT)


def recognise(household: Household, heard: str, person_id: str | None) -> list[Line]:
    """The answer to "Is this Sam or Alex?": the voice profile linked to the partner named,
    and a line that says so; nothing when no partner was named or no profile is known."""
    if not heard or not person_id:
        return []
    for index, partner in enumerate(household.partners):
        if partner.name.lower() in heard.lower():
            household.link_person(index, person_id)
            return [line("who.linked", name=partner_name(household, index, person_id))]
    return []
