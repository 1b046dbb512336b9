"""The couple's control of their data: what is kept about them, "forget everything", and
saving their answers on or off.

What is kept is said in numbers taken from `household` (never restated here). An erasure
is carried out by the pipeline at the end of the turn: these functions say which one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, NamedTuple

from closer_together.dialog import Waiting
from closer_together.household import INACTIVE_RETENTION, MOMENT_DAYS, Erasure, Household
from closer_together.lazy import lazy
from closer_together.rituals.welcome import menu
from closer_together.speech import Line, Reply, line

if TYPE_CHECKING:
    from datetime import date

    from closer_together.gateways import reminders
    from closer_together.gateways.reminders import ReminderGateway
else:
    reminders = lazy("closer_together.gateways.reminders")

# Deleting the couple's Alexa reminders shares the 8-second turn with the table delete.
REMINDER_DELETE_BUDGET_SECONDS = 3.0


class Decided(NamedTuple):
    """A reply, what the session waits for next, the erasure the couple asked for, and
    whether the household changed otherwise."""

    reply: Reply
    waiting: Waiting | None = None
    erase: Erasure | None = None
    changed: bool = False


def retention() -> dict[str, str]:
    """The retention figures of `household` in the units a person would say ("about 5 weeks")."""
    return {"weeks": str(max(1, round(MOMENT_DAYS / 7)))}


def what_we_keep(household: Household) -> Reply:
    figures = retention()
    inactive_years = max(1, round(INACTIVE_RETENTION.days / 365))
    speak: list[Line] = [line("keep.what", weeks=figures["weeks"])]
    if household.save_answers:
        speak.append(line("keep.options"))
    else:
        speak.extend([line("keep.saving_off"), line("keep.options.off")])
    card_body = line("keep.card.body", weeks=figures["weeks"], years=str(inactive_years))
    return Reply(speak, [line("keep.reprompt")], card=(line("keep.card.title"), card_body))


def forget_confirm() -> tuple[Reply, Waiting]:
    """Nothing is forgotten before an explicit yes."""
    return Reply([line("forget.confirm")], [line("forget.reprompt")]), Waiting.FORGET


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


def saving(household: Household, on: bool, today: date) -> Decided:
    """ "Start saving our answers" (`on`) or "stop saving our answers"."""
    was = household.save_answers
    if on:
        return Decided(start_saving(household), changed=household.save_answers != was)
    reply, asking = stop_saving(household, today)
    # Off on every device: a session that read before this can no longer write.
    erase = Erasure.SAVING_OFF if household.save_answers != was else None
    return Decided(reply, Waiting.FORGET_ANSWERS if asking else None, erase)


def confirmed(
    asked: Waiting | None, yes: bool, household: Household, gateway: ReminderGateway
) -> Decided:
    """Yes or no to "delete what is saved?" or to "forget everything?"."""
    if asked is Waiting.FORGET_ANSWERS:
        erase = Erasure.ANSWERS if yes else None
        return Decided(saved_answers_decision(household, yes), erase=erase)
    if not yes:
        return Decided(Reply([line("forget.kept"), *menu(household)], [line("menu.reprompt")]))
    return forget_everything(household, gateway)


def forget_everything(
    household: Household, gateway: ReminderGateway, clock: Callable[[], float] = time.monotonic
) -> Decided:
    """Every item of the household goes at the end of this turn (the pipeline erases it,
    and says so if it could not); the reminders go now."""
    remaining = delete_reminders(household, gateway, clock)
    return Decided(forget_done(had_reminders=remaining > 0), erase=Erasure.EVERYTHING)


def delete_reminders(
    household: Household, gateway: ReminderGateway, clock: Callable[[], float] = time.monotonic
) -> int:
    """Cancel the ritual reminders the skill set, while the turn's time allows; returns
    how many could not be."""
    tokens = [
        entry.get("alert_token")
        for entry in household.schedule.values()
        if isinstance(entry, Mapping) and entry.get("alert_token")
    ]
    if not tokens:
        return 0
    deadline = clock() + REMINDER_DELETE_BUDGET_SECONDS
    remaining = len(tokens)
    for token in tokens:
        if clock() > deadline:
            break
        outcome = gateway.delete(str(token)).outcome
        if outcome in (reminders.ReminderOutcome.DONE, reminders.ReminderOutcome.NOT_FOUND):
            remaining -= 1
    return remaining
