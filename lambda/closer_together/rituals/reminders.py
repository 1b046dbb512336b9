"""Ritual reminders as a conversation: set, list, move and cancel them, and offer them back.

Plain values in (`Talk`, what was heard, a `Keeper`), a `Step` out: what to say, the
question left open, whether the household changed. Alexa's side is the `Keeper`
(`scheduling.ReminderKeeper`): a reminder is created only after an explicit yes, and the
schedule never claims a reminder Alexa does not hold. Events from Alexa (a reminder
deleted or changed in the app, the permission switched off) change the stored household:
`seen`, `permission_changed`.

What was heard is a mapping of ritual (an id), day, week, part and time as Alexa gave
them (and a permission request's answer); `schedule.VALIDATORS` read each slot.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from closer_together.dialog import YES, Waiting
from closer_together.gateways.reminders import ReminderOutcome
from closer_together.household import Household
from closer_together.lazy import lazy
from closer_together.rituals import people, welcome
from closer_together.rituals import schedule as sched
from closer_together.rituals.wording import clock, items, phrase
from closer_together.speech import Catalog, Line, Reply, line, plain

if TYPE_CHECKING:
    from closer_together import screens
else:
    screens = lazy("closer_together.screens")  # the list, on a screen

TOKEN = "reminders"  # the AskFor token, and the permission's short name
DRAFT = "reminder"  # session: the reminder being set, as far as it is known
WHICH_FOR = "reminder_which"  # session: the intent a "which reminder?" question serves
PENDING = "reminder_pending"  # session and memory: entries waiting for the permission
MOVE = "MoveReminderIntent"
CANCEL = "CancelReminderIntent"
# The slot of SetReminderIntent each question is answered in.
_ASKED_SLOT = {"ritual": "ritual", "day": "day", "time": "time", "ampm": "time", "hour": "time"}


class Talk(NamedTuple):
    """One request about reminders, as plain values."""

    household: Household
    catalog: Catalog
    session: dict[str, Any]  # the flow's notes between turns (DRAFT, WHICH_FOR, PENDING)
    today: date
    intent: str | None = None
    heard: Mapping[str, Any] = MappingProxyType({})  # ritual, day, week, part, time, permission
    waiting: Waiting | None = None  # the question this request came to

    @property
    def yes(self) -> bool:
        return self.intent == YES


class Step(NamedTuple):
    """One turn's answer, and what it asks of the turn around it."""

    reply: Reply
    waiting: Waiting | None = None  # the question left open
    changed: bool = False  # the household changed (beyond what the keeper saved)
    consent_card: bool = False  # the Alexa app shows the way to the permission


class Saved(NamedTuple):
    """What saving a reminder came to (`Keeper.save`)."""

    outcome: ReminderOutcome | None  # None: no time zone, nothing was asked of Alexa
    entry: sched.Entry
    changed: bool = False  # an existing reminder was updated rather than created

    @property
    def ok(self) -> bool:
        return self.outcome is ReminderOutcome.DONE


class Keeper(Protocol):
    """Alexa's reminders and the household schedule, kept in agreement."""

    @property
    def schedule(self) -> sched.RitualSchedule: ...

    def save(self, entry: sched.Entry, *, once: bool = False) -> Saved: ...

    def cancel(self, entry: sched.Entry) -> ReminderOutcome: ...

    def renew(self) -> None: ...

    def reconcile(self) -> None: ...


# -- words ---------------------------------------------------------------------------------


def _ritual(catalog: Catalog, ritual: str) -> str:
    return phrase(catalog, f"reminder.ritual.{ritual}")


def _when(catalog: Catalog, entry: sched.Entry) -> str:
    time = clock(catalog, entry.hour, entry.minute)
    day = phrase(catalog, f"reminder.day.{entry.day}") if entry.day else ""
    week = phrase(catalog, f"reminder.week.{entry.week}") if entry.week is not None else ""
    return phrase(catalog, f"reminder.when.{entry.cadence}", time=time, day=day, week=week)


def _date(catalog: Catalog, moment: datetime) -> str:
    weekday = phrase(catalog, f"reminder.day.{sched.WEEKDAYS[moment.weekday()]}")
    month = phrase(catalog, f"reminder.month.{moment.month}")
    return phrase(catalog, "reminder.date", weekday=weekday, month=month, day=moment.day)


def _about(catalog: Catalog, entry: sched.Entry) -> dict[str, str]:
    return {"ritual": _ritual(catalog, entry.ritual), "when": _when(catalog, entry)}


def _names(catalog: Catalog, entries: list[sched.Entry]) -> str:
    return items(catalog, [_ritual(catalog, e.ritual) for e in entries])


def _done(catalog: Catalog, saved: Saved) -> list[Line]:
    entry = saved.entry
    if entry.once and entry.next:
        moment = datetime.fromisoformat(entry.next)
        at = clock(catalog, moment.hour, moment.minute)
        return [line("reminder.monthly_once", date=_date(catalog, moment), time=at)]
    key = "reminder.updated" if saved.changed else "reminder.set"
    return [line(key, **_about(catalog, entry))]


def _listed(catalog: Catalog, entry: sched.Entry) -> str:
    if entry.once and entry.next:
        moment = datetime.fromisoformat(entry.next)
        return phrase(
            catalog,
            "reminder.list.once",
            ritual=_ritual(catalog, entry.ritual),
            date=_date(catalog, moment),
            time=clock(catalog, moment.hour, moment.minute),
        )
    return phrase(catalog, "reminder.list.item", **_about(catalog, entry))


# Keyed by the ReminderOutcome values (a StrEnum: its members look up as their values).
_ERRORS: dict[str | None, str] = {
    None: "reminder.error.no_zone",
    "not_supported": "reminder.error.not_supported",
    "rejected": "reminder.error.rejected",
    "unsupported_recurrence": "reminder.error.rejected",
    "not_found": "reminder.error.rejected",
    "throttled": "reminder.error.throttled",
    "unavailable": "reminder.error.unavailable",
    "timed_out": "reminder.error.timed_out",
}


def _failed(outcome: ReminderOutcome | None) -> Line:
    return line(_ERRORS.get(outcome, "reminder.error.failed"))


def _unsaved(outcome: ReminderOutcome | None) -> Line:
    # Timed out on a save: Alexa may have made it anyway (the next listing looks).
    return line("reminder.unsure") if outcome is ReminderOutcome.TIMED_OUT else _failed(outcome)


def _ended(*said: Line) -> Step:
    return Step(Reply(list(said), end_session=True))


# -- setting a reminder ----------------------------------------------------------------------


def asked(session: Mapping[str, Any]) -> str | None:
    """What the reminder being set is waiting on ("ritual", "day", ...), if anything."""
    draft = session.get(DRAFT)
    return draft.get("asked") if isinstance(draft, dict) else None


def set_reminder(talk: Talk) -> Step:
    """ "Remind us every evening at eight", and each answer while details are asked for."""
    draft = talk.session.get(DRAFT) if talk.waiting is Waiting.REMINDER_SLOT else None
    folded, missing = sched.collect(dict(draft or {}), talk.heard)
    return _continue(talk, folded, missing)


def _continue(talk: Talk, draft: dict[str, Any], missing: str | None) -> Step:
    """Ask for what is missing, or restate the reminder and ask for a yes."""
    talk.session[DRAFT] = draft
    if missing is not None:
        return Step(_question(talk.catalog, draft, missing), Waiting.REMINDER_SLOT)
    entry = sched.Entry.from_draft(draft)
    old = sched.RitualSchedule(talk.household.schedule).get(entry.ritual)
    about = _about(talk.catalog, entry)
    confirm = line("reminder.confirm", **about)
    if old is not None and old.status == sched.ON:
        if not sched.differs(old, entry):
            talk.session.pop(DRAFT, None)
            return _ended(line("reminder.move.same", **about))
        confirm = line("reminder.confirm.change", old=_when(talk.catalog, old), **about)
    reprompt = [line("reminder.confirm.reprompt", when=about["when"])]
    return Step(Reply([confirm], reprompt), Waiting.REMINDER_CONFIRM)


def _question(catalog: Catalog, draft: Mapping[str, Any], missing: str) -> Reply:
    values: dict[str, Any] = {}
    if draft.get("ritual"):
        values["ritual"] = _ritual(catalog, draft["ritual"])
    if missing == "ampm":
        hour, minute = (int(part) for part in str(draft["pending"]).split(":"))
        values["time"] = f"{hour}:{minute:02d}" if minute else str(hour)
    if missing == "hour":
        values["part"] = phrase(catalog, f"reminder.part.{draft['part']}")
    return Reply(
        [line(f"reminder.ask.{missing}", **values)],
        [line(f"reminder.ask.{missing}.reprompt")],
        elicit=f"SetReminderIntent.{_ASKED_SLOT[missing]}",
    )


def confirmed(talk: Talk, keeper: Keeper) -> Step:
    """Yes or no to "I'll remind you every day at 8 PM. Shall I set it?"."""
    draft = talk.session.pop(DRAFT, None)
    if not talk.yes or not draft:
        return _ended(line("reminder.declined"))
    return _save(talk, keeper, [sched.Entry.from_draft(draft)], restoring=False)


def _save(talk: Talk, keeper: Keeper, entries: list[sched.Entry], restoring: bool) -> Step:
    """Save each entry at Alexa; ask for the permission when Alexa answers 401."""
    said: list[Line] = []
    restored: list[sched.Entry] = []
    for index, entry in enumerate(entries):
        saved = keeper.save(entry)
        if saved.outcome is ReminderOutcome.NEEDS_PERMISSION:
            return _ask_permission(talk, entries[index:], restoring, said)
        if not saved.ok:
            # One failure is enough: further calls would only use up the turn.
            said.append(_unsaved(saved.outcome))
            break
        if restoring:
            restored.append(entry)
        else:
            said.extend(_done(talk.catalog, saved))
    if restored:
        said.insert(0, line("reminder.restored", items=_names(talk.catalog, restored)))
    return _ended(*said)


def _ask_permission(
    talk: Talk, entries: list[sched.Entry], restoring: bool, said: list[Line]
) -> Step:
    memory = talk.household.memory
    if sched.quiet(memory, talk.today):
        # They said no within the week: no voice request, only the way to the setting.
        reply = Reply([*said, line("reminder.permission.quiet")], end_session=True)
        return Step(reply, consent_card=True)
    pending: dict[str, Any] = {"entries": [{"ritual": e.ritual, **e.to_dict()} for e in entries]}
    if restoring:
        pending["restoring"] = True
    # Alexa may answer the request in a new session: keep it in the household too.
    talk.session[PENDING] = pending
    sched.reminder_memory(memory)[PENDING] = pending
    reply = Reply([*said, line("reminder.permission")], ask_permission=TOKEN)
    return Step(reply, changed=True)


def permission_answered(talk: Talk, keeper: Keeper) -> Step:
    """The answer to our voice request for the permission: ACCEPTED, DENIED, or neither."""
    memory = sched.reminder_memory(talk.household.memory)
    pending = talk.session.pop(PENDING, None) or memory.get(PENDING) or {}
    forgotten = memory.pop(PENDING, None) is not None
    step = _permission_step(talk, keeper, str(talk.heard.get("permission")), pending)
    return step._replace(changed=step.changed or forgotten)


def _permission_step(talk: Talk, keeper: Keeper, status: str, pending: dict[str, Any]) -> Step:
    if status == "ACCEPTED":
        sched.end_quiet(talk.household.memory)
        entries = [sched.Entry.from_dict(e["ritual"], e) for e in pending.get("entries", [])]
        if not entries:
            return _ended(line("reminder.permission.thanks"))
        return _save(talk, keeper, entries, bool(pending.get("restoring")))
    if status == "DENIED":
        sched.keep_quiet(talk.household.memory, talk.today)
        reply = Reply([line("reminder.permission.denied")], end_session=True)
        return Step(reply, changed=True, consent_card=True)
    return _ended(line("reminder.permission.not_answered"))


# -- reading, moving, cancelling ----------------------------------------------------------------


def list_reminders(talk: Talk, keeper: Keeper) -> Step:
    """ "What reminders do we have?": the schedule, checked against Alexa's reminders."""
    keeper.renew()
    keeper.reconcile()
    listed = [_listed(talk.catalog, e) for e in keeper.schedule.with_status(sched.ON)]
    said = [line("reminder.list.on", items=items(talk.catalog, listed))] if listed else []
    gone = keeper.schedule.with_status(sched.GONE)
    if gone:
        step = _offer_back(talk.catalog, gone, said)
    else:
        if not listed:
            said.append(line("reminder.list.none"))
        step = _ended(*said)
    step.reply.screen = screens.reminders([plain(item) for item in listed])
    return step


def _offer_back(catalog: Catalog, gone: list[sched.Entry], said: list[Line]) -> Step:
    key = "reminder.gone.one" if len(gone) == 1 else "reminder.gone.many"
    offer = line(key, items=_names(catalog, gone))
    return Step(Reply([*said, offer], [line("reminder.gone.reprompt")]), Waiting.REMINDER_RESTORE)


def _ritual_heard(heard: Mapping[str, Any]) -> str | None:
    return sched.validate_ritual(heard.get("ritual"), {}).get("ritual")


def _target(
    talk: Talk, ritual: str | None, intent: str, question: str
) -> tuple[sched.Entry | None, Step | None]:
    """The reminder a move or cancel is about: named, the only one, or asked for."""
    schedule = sched.RitualSchedule(talk.household.schedule)
    if ritual is not None:
        return schedule.get(ritual), None
    standing = [e for e in schedule.entries() if e.status != sched.OFF]
    if len(standing) == 1:
        return standing[0], None
    if not standing:
        return None, None
    talk.session[WHICH_FOR] = intent
    reply = Reply(
        [line(question, items=_names(talk.catalog, standing))],
        [line("reminder.cancel.which.reprompt")],
        elicit=f"{intent}.ritual",
    )
    return None, Step(reply, Waiting.REMINDER_WHICH)


def move(talk: Talk, keeper: Keeper) -> Step:
    """ "Move our daily reminder to nine": same reminder, new time or day."""
    ritual = _ritual_heard(talk.heard)
    wanted = {slot: value for slot, value in _cleaned(talk.heard).items() if value}
    draft = talk.session.get(DRAFT)
    if talk.waiting is Waiting.REMINDER_WHICH and isinstance(draft, dict):
        # The answer to "which reminder?": what was asked to change is in the draft.
        wanted = {**draft, **wanted}
    talk.session.pop(WHICH_FOR, None)
    entry, question = _target(talk, ritual, MOVE, "reminder.move.which")
    if question is not None:
        talk.session[DRAFT] = wanted
        return question
    talk.session.pop(DRAFT, None)
    if entry is None or entry.status == sched.OFF:
        # Nothing to move: treat it as a new reminder, asked for and confirmed.
        return _move_as_new(talk, entry.ritual if entry else ritual, wanted)
    return _move_entry(talk, keeper, entry, wanted)


def _cleaned(heard: Mapping[str, Any]) -> dict[str, Any]:
    """Ritual, day, week and part as codes; the time as Alexa gave it (read in context)."""
    found: dict[str, Any] = {"time": heard.get("time")}
    for slot in ("ritual", "day", "week", "part"):
        found[slot] = sched.VALIDATORS[slot](heard.get(slot), {}).get(slot)
    return found


def _move_as_new(talk: Talk, ritual: str | None, wanted: Mapping[str, Any]) -> Step:
    draft, missing = sched.collect({"ritual": ritual} if ritual else {}, wanted)
    step = _continue(talk, draft, missing)
    if missing is None:
        about = _about(talk.catalog, sched.Entry.from_draft(draft))
        step.reply.speak = [line("reminder.move.none", **about)]
    return step


def _move_entry(talk: Talk, keeper: Keeper, entry: sched.Entry, wanted: Mapping[str, Any]) -> Step:
    reading = sched.read_time(wanted.get("time"), wanted.get("part"), near=entry.time)
    at = reading.clock if reading is not None else None
    day = wanted.get("day")
    if at is None and not day:
        # No usable time: ask for it, then confirm the change.
        draft = {"ritual": entry.ritual, "day": entry.day, "week": entry.week}
        draft, missing = sched.collect(draft, {"part": wanted.get("part")})
        return _continue(talk, draft, missing)
    moved = sched.Entry.from_dict(entry.ritual, entry.to_dict())
    moved.time = at or moved.time
    if day and moved.day:
        moved.day = day
    about = _about(talk.catalog, entry)
    if (moved.time, moved.day) == (entry.time, entry.day):
        return _ended(line("reminder.move.same", **about))
    saved = keeper.save(moved, once=entry.once)
    if saved.outcome is ReminderOutcome.NEEDS_PERMISSION:
        return _ask_permission(talk, [moved], False, [])
    if saved.ok:
        return _ended(*_done(talk.catalog, saved))
    return _ended(_unsaved(saved.outcome), line("reminder.kept", **about))


def cancel(talk: Talk, keeper: Keeper) -> Step:
    """ "Cancel the weekly reminder"."""
    ritual = _ritual_heard(talk.heard)
    talk.session.pop(WHICH_FOR, None)
    entry, question = _target(talk, ritual, CANCEL, "reminder.cancel.which")
    if question is not None:
        return question
    if entry is None or entry.status == sched.OFF:
        if ritual is not None:
            return _ended(line("reminder.cancel.none", ritual=_ritual(talk.catalog, ritual)))
        return _ended(line("reminder.cancel.nothing"))
    outcome = keeper.cancel(entry)
    about = _about(talk.catalog, entry)
    if outcome is ReminderOutcome.DONE or outcome is ReminderOutcome.NOT_FOUND:
        return _ended(line("reminder.cancel.done", **about))
    if outcome is ReminderOutcome.NEEDS_PERMISSION:
        return _ended(line("reminder.cancel.no_permission", **about))
    return _ended(_failed(outcome), line("reminder.kept", **about))


def ritual_named(talk: Talk, keeper: Keeper) -> Step:
    """ "The weekly review" as the answer to "which ritual?" or "which reminder?"."""
    if talk.waiting is Waiting.REMINDER_SLOT:
        return set_reminder(talk)
    if talk.session.get(WHICH_FOR) == MOVE:
        return move(talk, keeper)
    return cancel(talk, keeper)


# -- bringing reminders back -------------------------------------------------------------------


def renewal_due(household: Household, now: datetime) -> bool:
    """A monthly ritual's one-off has passed: the next one is set at this launch."""
    return bool(sched.RitualSchedule(household.schedule).renewals_due(now))


def offers_back(household: Household, today: date) -> bool:
    """Reminders went (permission revoked, completed), and no offer was declined this week."""
    gone = sched.RitualSchedule(household.schedule).with_status(sched.GONE)
    return bool(gone) and not sched.quiet(household.memory, today)


def offer_back(talk: Talk) -> Step:
    """A launch that offers back the reminders that went."""
    household = talk.household
    gone = sched.RitualSchedule(household.schedule).with_status(sched.GONE)
    intro = [line("welcome.back", **people.names(household))] if household.named else []
    return _offer_back(talk.catalog, gone, intro)


def restore_answered(talk: Talk, keeper: Keeper) -> Step:
    """Yes or no to "Your reminder was switched off. Shall I set it again?"."""
    household = talk.household
    gone = sched.RitualSchedule(household.schedule).with_status(sched.GONE)
    if talk.yes and gone:
        return _save(talk, keeper, gone, restoring=True)
    sched.keep_quiet(household.memory, talk.today)
    speak = [line("reminder.restore.declined"), *welcome.menu(household)]
    return Step(Reply(speak, [line("menu.reprompt")]), changed=True)


# -- events from Alexa (no session): each says whether the household changed ----------------------


def _mark(household: Household, entries: list[sched.Entry], status: str, now: datetime) -> bool:
    """Give entries a new status; Alexa's token is dropped once the reminder is off."""
    schedule = sched.RitualSchedule(household.schedule)
    changed = False
    for entry in entries:
        if entry.status == status:
            continue
        entry.status = status
        if status == sched.OFF:
            entry.alert_token = None
        schedule.put(entry, now)
        changed = True
    return changed


def _with_tokens(household: Household, tokens: list[str]) -> list[sched.Entry]:
    schedule = sched.RitualSchedule(household.schedule)
    return [e for e in (schedule.by_token(t) for t in tokens if t) if e is not None]


# The events that may change the schedule (ReminderCreated echoes a reminder this skill
# just made; ReminderStarted needs nothing).
CHANGING = frozenset({"ReminderDeleted", "ReminderStatusChanged", "ReminderUpdated"})


class Event(NamedTuple):
    """A reminder changed outside the skill, as Alexa tells of it."""

    kind: str  # ReminderDeleted, ReminderStatusChanged, ReminderUpdated, ...
    tokens: tuple[str, ...]  # the reminders it is about
    status: str | None = None  # a status change: ON or COMPLETED
    rule: str | None = None  # an update: what Alexa holds now, read back
    at: str | None = None


def seen(household: Household, now: datetime, event: Event) -> bool:
    """The schedule follows what happened to its reminders at Alexa."""
    found = _with_tokens(household, list(event.tokens))
    if event.kind == "ReminderDeleted":
        # Deleted in the Alexa app: off, as if cancelled by voice. A monthly one-off whose
        # time has passed is Alexa clearing a done reminder: the next session renews it.
        return _mark(household, [e for e in found if not e.renewal_due(now)], sched.OFF, now)
    if event.kind == "ReminderStatusChanged" and event.status == "COMPLETED":
        # A one-off is renewed by time; a repeating one that ended is offered back.
        return _mark(household, [e for e in found if not e.once], sched.GONE, now)
    if event.kind == "ReminderStatusChanged" and event.status == "ON":
        return _mark(household, found, sched.ON, now)
    if event.kind == "ReminderUpdated" and found:
        return _updated(household, now, found[0], event)
    return False


def _updated(household: Household, now: datetime, entry: sched.Entry, event: Event) -> bool:
    """Changed in the Alexa app: the schedule's time follows."""
    alexa = sched.entry_from_alert(entry.ritual, event.rule, event.at)
    if alexa is None or not sched.differs(entry, alexa):
        return False
    sched.adopt(entry, alexa)
    sched.RitualSchedule(household.schedule).put(entry, now)
    return True


def permission_changed(household: Household, now: datetime, granted: bool) -> bool:
    if granted:
        # Switched on in the Alexa app: the week of schedule.quiet is over.
        return sched.end_quiet(household.memory)
    # Switched off: keep the schedule, note that Alexa no longer holds the reminders.
    standing = sched.RitualSchedule(household.schedule).with_status(sched.ON)
    return _mark(household, standing, sched.GONE, now)
