"""Ritual reminders: set, list, move and cancel them by voice, and keep them true.

One job: the couple's schedule (`household.schedule`, see `rituals.schedule`) and the
Alexa reminders that carry it agree. `ReminderKeeper` does the work on both sides; the
handlers turn requests into its calls and its outcomes into replies. A reminder is only
created after an explicit yes, and the schedule never claims a reminder Alexa does not
hold. Events from Alexa (a reminder deleted in the app, the permission turned off)
arrive without a session: `EVENT_HANDLERS` change the stored household directly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler, AbstractRequestInterceptor
from ask_sdk_core.utils import is_request_type

from closer_together.dialog import Waiting
from closer_together.gateways.settings import SettingsGateway
from closer_together.household import Household
from closer_together.lazy import lazy
from closer_together.permissions import SCOPES
from closer_together.pipeline import (
    change_stored,
    current,
    expected,
    intent_name,
    loaded,
    request_of,
    respond,
    session_of,
    slot_id,
    slot_text,
)
from closer_together.rituals import welcome
from closer_together.speech import Line, Reply, line
from closer_together.turn import Turn

if TYPE_CHECKING:
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_model import Response

    from closer_together import scheduling
    from closer_together.gateways import reminders as alexa_reminders
    from closer_together.rituals import schedule as sched
else:
    # The reminders machinery loads on the first turn about reminders (or a household
    # that has some), never for a plain launch.
    scheduling = lazy("closer_together.scheduling")
    alexa_reminders = lazy("closer_together.gateways.reminders")
    sched = lazy("closer_together.rituals.schedule")

log = logging.getLogger(__name__)


def reminder_keeper(handler_input: HandlerInput) -> scheduling.ReminderKeeper:
    """The scheduling service for this turn, speaking to Alexa through the SDK's clients."""
    factory = handler_input.service_client_factory
    return scheduling.ReminderKeeper(
        current(handler_input), alexa_reminders.ReminderGateway(factory), SettingsGateway(factory)
    )


TOKEN = "reminders"  # the AskFor token, and the permission's short name
# What these flows wait for (see closer_together.dialog).
EXPECT_ASK = Waiting.REMINDER_SLOT
EXPECT_WHICH = Waiting.REMINDER_WHICH
EXPECT_CONFIRM = Waiting.REMINDER_CONFIRM
EXPECT_RESTORE = Waiting.REMINDER_RESTORE
DRAFT = "reminder"  # session: the reminder being set, as far as it is known
WHICH_FOR = "reminder_which"  # session: the intent a "which reminder?" question serves
PENDING = "reminder_pending"  # session and memory: entries waiting for the permission
SLOTS = {
    "SetReminderIntent": ("ritual", "time", "partOfDay", "day", "week"),
    "MoveReminderIntent": ("ritual", "time", "partOfDay", "day"),
    "CancelReminderIntent": ("ritual",),
}
_ASKED_SLOT = {"ritual": "ritual", "day": "day", "time": "time", "ampm": "time", "hour": "time"}
# Saying just "the weekly review" when asked which ritual matches that ritual's own intent
# (Alexa switches intents on a whole sample): heard as the answer while we are asking.
RITUAL_INTENTS = {
    "StartCheckInIntent": "checkin",
    "WeeklyReviewIntent": "weekly_review",
    "MonthlyCheckInIntent": "monthly_checkin",
}


# -- keeping the schedule and Alexa in agreement ------------------------------------------


# -- words ---------------------------------------------------------------------------------


def _phrase(turn: Turn, key: str, **values: Any) -> str:
    """A plain-text phrase from the catalogue, used as a value inside a spoken line."""
    return turn.voice.catalog.variants(key)[0].format(**values)


def _clock(turn: Turn, hour: int, minute: int) -> str:
    half = _phrase(turn, "reminder.am" if hour < 12 else "reminder.pm")
    key = "reminder.clock.hour" if minute == 0 else "reminder.clock"
    return _phrase(turn, key, hour=hour % 12 or 12, minute=f"{minute:02d}", half=half)


def _when(turn: Turn, entry: sched.Entry) -> str:
    time = _clock(turn, entry.hour, entry.minute)
    day = _phrase(turn, f"reminder.day.{entry.day}") if entry.day else ""
    week = _phrase(turn, f"reminder.week.{entry.week}") if entry.week is not None else ""
    return _phrase(turn, f"reminder.when.{entry.cadence}", time=time, day=day, week=week)


def _date(turn: Turn, moment: datetime) -> str:
    weekday = _phrase(turn, f"reminder.day.{sched.WEEKDAYS[moment.weekday()]}")
    month = _phrase(turn, f"reminder.month.{moment.month}")
    return _phrase(turn, "reminder.date", weekday=weekday, month=month, day=moment.day)


def _ritual(turn: Turn, ritual: str) -> str:
    return _phrase(turn, f"reminder.ritual.{ritual}")


def _items(turn: Turn, items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {_phrase(turn, 'reminder.and')} {items[-1]}"


def _about(turn: Turn, entry: sched.Entry) -> dict[str, str]:
    return {"ritual": _ritual(turn, entry.ritual), "when": _when(turn, entry)}


def _done(turn: Turn, saved: scheduling.Saved) -> list[Line]:
    entry = saved.entry
    if entry.once and entry.next:
        moment = datetime.fromisoformat(entry.next)
        return [
            line(
                "reminder.monthly_once",
                date=_date(turn, moment),
                time=_clock(turn, moment.hour, moment.minute),
            )
        ]
    return [line("reminder.updated" if saved.changed else "reminder.set", **_about(turn, entry))]


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


def _failed(outcome: alexa_reminders.ReminderOutcome | None) -> Line:
    return line(_ERRORS.get(outcome, "reminder.error.failed"))


# -- what was heard --------------------------------------------------------------------------


def _ritual_heard(handler_input: HandlerInput) -> str | None:
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    named = RITUAL_INTENTS.get(intent.name) if intent is not None else None
    return named or slot_id(handler_input, "ritual")


def _heard(handler_input: HandlerInput) -> dict[str, Any]:
    week = slot_id(handler_input, "week")
    return {
        "ritual": _ritual_heard(handler_input),
        "part": slot_id(handler_input, "partOfDay"),
        "day": sched.day_code(slot_text(handler_input, "day")),
        "week": int(week) if week and week.lstrip("-").isdigit() else None,
        "time": slot_text(handler_input, "time"),
    }


def _expecting(handler_input: HandlerInput, *wanted: str) -> bool:
    return expected(handler_input) in wanted


# -- setting a reminder ----------------------------------------------------------------------


def _continue(handler_input: HandlerInput, draft: dict[str, Any], missing: str | None) -> Reply:
    """Ask for what is missing, or restate the reminder and ask for a yes."""
    turn = current(handler_input)
    turn.session[DRAFT] = draft
    if missing is not None:
        turn.expect = EXPECT_ASK
        values: dict[str, Any] = {}
        if draft.get("ritual"):
            values["ritual"] = _ritual(turn, draft["ritual"])
        if missing == "ampm":
            hour, minute = (int(part) for part in str(draft["pending"]).split(":"))
            values["time"] = f"{hour}:{minute:02d}" if minute else str(hour)
        if missing == "hour":
            values["part"] = _phrase(turn, f"reminder.part.{draft['part']}")
        return Reply(
            [line(f"reminder.ask.{missing}", **values)],
            [line(f"reminder.ask.{missing}.reprompt")],
            elicit=f"SetReminderIntent.{_ASKED_SLOT[missing]}",
        )
    entry = sched.Entry.from_draft(draft)
    old = sched.RitualSchedule(turn.household.schedule).get(entry.ritual)
    about = _about(turn, entry)
    if old is not None and old.status == sched.ON and not scheduling.differs(old, entry):
        turn.expect = None
        turn.session.pop(DRAFT, None)
        return Reply([line("reminder.move.same", **about)], end_session=True)
    turn.expect = EXPECT_CONFIRM
    if old is not None and old.status == sched.ON:
        confirm = line("reminder.confirm.change", old=_when(turn, old), **about)
    else:
        confirm = line("reminder.confirm", **about)
    return Reply([confirm], [line("reminder.confirm.reprompt", when=about["when"])])


def _save_and_answer(
    handler_input: HandlerInput, entries: list[sched.Entry], restoring: bool
) -> Reply:
    """Save each entry at Alexa; ask for the permission when Alexa answers 401."""
    turn = current(handler_input)
    keeper = reminder_keeper(handler_input)
    said: list[Line] = []
    restored: list[str] = []
    for index, entry in enumerate(entries):
        saved = keeper.save(entry)
        if saved.outcome is alexa_reminders.ReminderOutcome.NEEDS_PERMISSION:
            return _ask_permission(handler_input, entries[index:], restoring, said)
        if saved.ok:
            if restoring:
                restored.append(_ritual(turn, entry.ritual))
            else:
                said.extend(_done(turn, saved))
        else:
            # One failure is enough: further calls would only use up the turn.
            timed_out = saved.outcome is alexa_reminders.ReminderOutcome.TIMED_OUT
            said.append(line("reminder.unsure") if timed_out else _failed(saved.outcome))
            break
    if restored:
        said.insert(0, line("reminder.restored", items=_items(turn, restored)))
    return Reply(said, end_session=True)


def _ask_permission(
    handler_input: HandlerInput, entries: list[sched.Entry], restoring: bool, said: list[Line]
) -> Reply:
    turn = current(handler_input)
    if sched.quiet(turn.household.memory, turn.today):
        # They said no within the week: no voice request, only the way to the setting.
        _consent_card(handler_input)
        return Reply([*said, line("reminder.permission.quiet")], end_session=True)
    pending: dict[str, Any] = {"entries": [{"ritual": e.ritual, **e.to_dict()} for e in entries]}
    if restoring:
        pending["restoring"] = True
    # Alexa may answer the request in a new session: keep it in the household too.
    turn.session[PENDING] = pending
    sched.reminder_memory(turn.household.memory)[PENDING] = pending
    turn.touch()
    turn.expect = None
    return Reply([*said, line("reminder.permission")], ask_permission=TOKEN)


def _consent_card(handler_input: HandlerInput) -> None:
    from ask_sdk_model.ui import AskForPermissionsConsentCard

    handler_input.response_builder.set_card(
        AskForPermissionsConsentCard(permissions=[SCOPES[TOKEN]])
    )


class SetReminderHandler(AbstractRequestHandler):
    """ "Remind us every evening at eight", and each answer while details are asked for."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) == "SetReminderIntent"

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        draft = turn.session.get(DRAFT) if turn.expect == EXPECT_ASK else None
        draft, missing = sched.collect(dict(draft or {}), _heard(handler_input))
        return respond(handler_input, _continue(handler_input, draft, missing))


class ConfirmReminderHandler(AbstractRequestHandler):
    """Yes or no to "I'll remind you every day at 8 PM. Shall I set it?"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return _expecting(handler_input, EXPECT_CONFIRM) and (
            intent_name(handler_input) == "AMAZON.YesIntent"
            or intent_name(handler_input) == "AMAZON.NoIntent"
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        turn.expect = None
        draft = turn.session.pop(DRAFT, None)
        if intent_name(handler_input) == "AMAZON.NoIntent" or not draft:
            return respond(handler_input, Reply([line("reminder.declined")], end_session=True))
        entry = sched.Entry.from_draft(draft)
        return respond(handler_input, _save_and_answer(handler_input, [entry], restoring=False))


class ReminderPermissionHandler(AbstractRequestHandler):
    """The answer to our voice request for the reminders permission."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        return (
            is_request_type("Connections.Response")(handler_input)
            and getattr(request, "token", None) == TOKEN
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        request = request_of(handler_input)
        status = str((request.payload or {}).get("status", "NOT_ANSWERED")).upper()
        memory = sched.reminder_memory(turn.household.memory)
        pending = turn.session.pop(PENDING, None) or memory.get(PENDING) or {}
        if memory.pop(PENDING, None) is not None:
            turn.touch()
        entries = [sched.Entry.from_dict(e["ritual"], e) for e in pending.get("entries", [])]
        if status == "ACCEPTED":
            memory.pop("quiet_until", None)
            if not entries:
                reply = Reply([line("reminder.permission.thanks")], end_session=True)
                return respond(handler_input, reply)
            reply = _save_and_answer(handler_input, entries, bool(pending.get("restoring")))
            return respond(handler_input, reply)
        if status == "DENIED":
            sched.keep_quiet(turn.household.memory, turn.today)
            turn.touch()
            _consent_card(handler_input)
            return respond(
                handler_input, Reply([line("reminder.permission.denied")], end_session=True)
            )
        return respond(
            handler_input, Reply([line("reminder.permission.not_answered")], end_session=True)
        )


# -- reading, moving, cancelling ----------------------------------------------------------------


def _gone_offer(turn: Turn, gone: list[sched.Entry]) -> list[Line]:
    names = _items(turn, [_ritual(turn, e.ritual) for e in gone])
    turn.expect = EXPECT_RESTORE
    return [line("reminder.gone.one" if len(gone) == 1 else "reminder.gone.many", items=names)]


class ListRemindersHandler(AbstractRequestHandler):
    """ "What reminders do we have?": the schedule, checked against Alexa's reminders."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) == "ListRemindersIntent"

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        keeper = reminder_keeper(handler_input)
        keeper.renew()
        keeper.reconcile()
        said: list[Line] = []
        items = []
        for entry in keeper.schedule.with_status(sched.ON):
            if entry.once and entry.next:
                moment = datetime.fromisoformat(entry.next)
                items.append(
                    _phrase(
                        turn,
                        "reminder.list.once",
                        ritual=_ritual(turn, entry.ritual),
                        date=_date(turn, moment),
                        time=_clock(turn, moment.hour, moment.minute),
                    )
                )
            else:
                items.append(_phrase(turn, "reminder.list.item", **_about(turn, entry)))
        if items:
            said.append(line("reminder.list.on", items=_items(turn, items)))
        gone = keeper.schedule.with_status(sched.GONE)
        if gone:
            return respond(
                handler_input,
                Reply([*said, *_gone_offer(turn, gone)], [line("reminder.gone.reprompt")]),
            )
        if not items:
            said.append(line("reminder.list.none"))
        return respond(handler_input, Reply(said, end_session=True))


def _target(
    handler_input: HandlerInput, intent: str, question: str
) -> tuple[sched.Entry | None, Reply | None]:
    """The reminder a move or cancel is about: named, the only one, or asked for."""
    turn = current(handler_input)
    schedule = sched.RitualSchedule(turn.household.schedule)
    ritual = _ritual_heard(handler_input)
    if ritual in sched.RITUALS:
        return schedule.get(ritual), None
    standing = [e for e in schedule.entries() if e.status != sched.OFF]
    if len(standing) == 1:
        return standing[0], None
    if not standing:
        return None, None
    turn.expect = EXPECT_WHICH
    turn.session[WHICH_FOR] = intent
    names = _items(turn, [_ritual(turn, e.ritual) for e in standing])
    return None, Reply(
        [line(question, items=names)],
        [line("reminder.cancel.which.reprompt")],
        elicit=f"{intent}.ritual",
    )


class MoveReminderHandler(AbstractRequestHandler):
    """ "Move our daily reminder to nine": same reminder, new time or day."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) == "MoveReminderIntent"

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        heard = _heard(handler_input)
        if turn.expect == EXPECT_WHICH and isinstance(turn.session.get(DRAFT), dict):
            # The answer to "which reminder?": what was asked to change is in the draft.
            heard = {**turn.session[DRAFT], **{k: v for k, v in heard.items() if v}}
        turn.expect = None
        turn.session.pop(WHICH_FOR, None)
        entry, question = _target(handler_input, "MoveReminderIntent", "reminder.move.which")
        if question is not None:
            turn.session[DRAFT] = {k: v for k, v in heard.items() if v}
            return respond(handler_input, question)
        turn.session.pop(DRAFT, None)
        if entry is None or entry.status == sched.OFF:
            # Nothing to move: treat it as a new reminder, asked for and confirmed.
            ritual = entry.ritual if entry else _ritual_heard(handler_input)
            draft, missing = sched.collect({"ritual": ritual} if ritual else {}, heard)
            reply = _continue(handler_input, draft, missing)
            if missing is None:
                reply.speak = [
                    line("reminder.move.none", **_about(turn, sched.Entry.from_draft(draft)))
                ]
            return respond(handler_input, reply)
        reading = sched.read_time(heard.get("time"), heard.get("part"), near=entry.time)
        moved = sched.Entry.from_dict(entry.ritual, entry.to_dict())
        if reading is not None and reading.clock:
            moved.time = reading.clock
        if heard.get("day") and moved.day:
            moved.day = heard["day"]
        if (reading is None or reading.clock is None) and not heard.get("day"):
            # No usable time: ask for it, then confirm the change.
            draft = {"ritual": entry.ritual, "day": entry.day, "week": entry.week}
            draft, missing = sched.collect(draft, {"part": heard.get("part")})
            return respond(handler_input, _continue(handler_input, draft, missing))
        if (moved.time, moved.day) == (entry.time, entry.day):
            return respond(
                handler_input,
                Reply([line("reminder.move.same", **_about(turn, entry))], end_session=True),
            )
        saved = reminder_keeper(handler_input).save(moved, once=entry.once)
        if saved.outcome is alexa_reminders.ReminderOutcome.NEEDS_PERMISSION:
            return respond(handler_input, _ask_permission(handler_input, [moved], False, []))
        if saved.ok:
            return respond(handler_input, Reply(_done(turn, saved), end_session=True))
        failure = (
            line("reminder.unsure")
            if saved.outcome is alexa_reminders.ReminderOutcome.TIMED_OUT
            else None
        )
        return respond(
            handler_input,
            Reply(
                [failure or _failed(saved.outcome), line("reminder.kept", **_about(turn, entry))],
                end_session=True,
            ),
        )


class CancelReminderHandler(AbstractRequestHandler):
    """ "Cancel the weekly reminder"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) == "CancelReminderIntent"

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        turn.expect = None
        turn.session.pop(WHICH_FOR, None)
        entry, question = _target(handler_input, "CancelReminderIntent", "reminder.cancel.which")
        if question is not None:
            return respond(handler_input, question)
        ritual = _ritual_heard(handler_input)
        if entry is None or entry.status == sched.OFF:
            if ritual in sched.RITUALS:
                reply = Reply([line("reminder.cancel.none", ritual=_ritual(turn, str(ritual)))])
            else:
                reply = Reply([line("reminder.cancel.nothing")])
            reply.end_session = True
            return respond(handler_input, reply)
        outcome = reminder_keeper(handler_input).cancel(entry)
        about = _about(turn, entry)
        if (
            outcome is alexa_reminders.ReminderOutcome.DONE
            or outcome is alexa_reminders.ReminderOutcome.NOT_FOUND
        ):
            said = [line("reminder.cancel.done", **about)]
        elif outcome is alexa_reminders.ReminderOutcome.NEEDS_PERMISSION:
            said = [line("reminder.cancel.no_permission", **about)]
        else:
            said = [_failed(outcome), line("reminder.kept", **about)]
        return respond(handler_input, Reply(said, end_session=True))


class RitualNamedHandler(AbstractRequestHandler):
    """ "The weekly review" as the answer to "which ritual?" or "which reminder?"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if intent_name(handler_input) not in RITUAL_INTENTS:
            return False
        asked = (session_of(handler_input).get(DRAFT) or {}).get("asked")
        expect = expected(handler_input)
        return expect == EXPECT_WHICH or (expect == EXPECT_ASK and asked == "ritual")

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        if turn.expect == EXPECT_ASK:
            return SetReminderHandler().handle(handler_input)
        if turn.session.get(WHICH_FOR) == "MoveReminderIntent":
            return MoveReminderHandler().handle(handler_input)
        return CancelReminderHandler().handle(handler_input)


# -- bringing reminders back -------------------------------------------------------------------


class RenewMonthlyReminders(AbstractRequestInterceptor):
    """At a launch, set the next one-off of a monthly ritual whose last one has passed.

    Runs after the household is loaded, whichever handler then answers the launch; it
    calls Alexa only when a renewal is due.
    """

    def process(self, handler_input: HandlerInput) -> None:
        if not is_request_type("LaunchRequest")(handler_input):
            return
        turn = loaded(handler_input)
        if turn is None or not turn.household.schedule:
            return
        if sched.RitualSchedule(turn.household.schedule).renewals_due(turn.now):
            reminder_keeper(handler_input).renew()


class ReminderLaunchHandler(AbstractRequestHandler):
    """A launch that offers back reminders that went (permission revoked, completed).

    `can_handle` only looks at the household the pipeline has already loaded.
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if not is_request_type("LaunchRequest")(handler_input):
            return False
        turn = loaded(handler_input)
        if turn is None or not turn.household.schedule:
            return False
        gone = sched.RitualSchedule(turn.household.schedule).with_status(sched.GONE)
        return bool(gone) and not sched.quiet(turn.household.memory, turn.today)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        gone = sched.RitualSchedule(turn.household.schedule).with_status(sched.GONE)
        intro = (
            [line("welcome.back", **welcome.both(turn.household))] if turn.household.named else []
        )
        return respond(
            handler_input,
            Reply([*intro, *_gone_offer(turn, gone)], [line("reminder.gone.reprompt")]),
        )


class RestoreAnswerHandler(AbstractRequestHandler):
    """Yes or no to "Your reminder was switched off. Shall I set it again?"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return _expecting(handler_input, EXPECT_RESTORE) and (
            intent_name(handler_input) == "AMAZON.YesIntent"
            or intent_name(handler_input) == "AMAZON.NoIntent"
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = current(handler_input)
        turn.expect = None
        gone = sched.RitualSchedule(turn.household.schedule).with_status(sched.GONE)
        if intent_name(handler_input) == "AMAZON.NoIntent" or not gone:
            sched.keep_quiet(turn.household.memory, turn.today)
            turn.touch()
            return respond(
                handler_input,
                Reply(
                    [line("reminder.restore.declined"), *welcome.menu(turn.household)],
                    [line("menu.reprompt")],
                ),
            )
        return respond(handler_input, _save_and_answer(handler_input, gone, restoring=True))


# -- events from Alexa (no session) -------------------------------------------------------------


def _change_stored(
    handler_input: HandlerInput, change: Callable[[Household, datetime], bool]
) -> None:
    change_stored(handler_input, change)


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


class ReminderEventHandler(AbstractRequestHandler):
    """Reminders.ReminderDeleted / StatusChanged / Updated / Created / Started."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        kind = getattr(handler_input.request_envelope.request, "object_type", "") or ""
        return kind.startswith("Reminders.")

    def handle(self, handler_input: HandlerInput) -> Response:
        request = request_of(handler_input)
        kind = str(request.object_type).removeprefix("Reminders.")
        body = getattr(request, "body", None)
        log.info("reminders event %s", kind)
        if kind == "ReminderDeleted":
            tokens = list(getattr(body, "alert_tokens", None) or [])

            def deleted(household: Household, now: datetime) -> bool:
                return _mark(household, _with_tokens(household, tokens), sched.OFF, now)

            _change_stored(handler_input, deleted)
        elif kind == "ReminderStatusChanged":
            token = getattr(body, "alert_token", None)
            status = getattr(getattr(body, "status", None), "value", None)

            def status_changed(household: Household, now: datetime) -> bool:
                found = _with_tokens(household, [token or ""])
                if status == "COMPLETED":
                    # A one-off is renewed by time; a repeating one that ended is offered back.
                    return _mark(household, [e for e in found if not e.once], sched.GONE, now)
                if status == "ON":
                    return _mark(household, found, sched.ON, now)
                return False

            _change_stored(handler_input, status_changed)
        elif kind == "ReminderUpdated":
            token = getattr(body, "alert_token", None)
            if token:
                self._updated(handler_input, token)
        # ReminderCreated echoes a reminder this skill just made; ReminderStarted needs nothing.
        return handler_input.response_builder.response

    @staticmethod
    def _updated(handler_input: HandlerInput, token: str) -> None:
        """Changed in the Alexa app: read it back and keep the schedule's time in step."""
        found = alexa_reminders.ReminderGateway(handler_input.service_client_factory).get(token)
        if not found.ok or not found.alerts:
            return
        alert = found.alerts[0]

        def updated(household: Household, now: datetime) -> bool:
            schedule = sched.RitualSchedule(household.schedule)
            entry = schedule.by_token(token)
            if entry is None:
                return False
            seen = sched.entry_from_alert(entry.ritual, alert.rule, alert.scheduled)
            if seen is None or not scheduling.differs(entry, seen):
                return False
            scheduling.adopt(entry, seen)
            schedule.put(entry, now)
            return True

        _change_stored(handler_input, updated)


class PermissionEventHandler(AbstractRequestHandler):
    """AlexaSkillEvent.SkillPermissionChanged / SkillPermissionAccepted."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("AlexaSkillEvent.SkillPermissionChanged")(
            handler_input
        ) or is_request_type("AlexaSkillEvent.SkillPermissionAccepted")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        body = getattr(handler_input.request_envelope.request, "body", None)
        scopes = {p.scope for p in (getattr(body, "accepted_permissions", None) or [])}
        granted = SCOPES[TOKEN] in scopes

        def permission(household: Household, now: datetime) -> bool:
            memory = household.memory.get("reminders") or {}
            if granted:
                # Turned on in the Alexa app: the week of sched.quiet is over.
                return memory.pop("quiet_until", None) is not None
            # Turned off: keep the schedule, note that Alexa no longer holds the reminders.
            standing = sched.RitualSchedule(household.schedule).with_status(sched.ON)
            return _mark(household, standing, sched.GONE, now)

        _change_stored(handler_input, permission)
        return handler_input.response_builder.response


HANDLERS: list[AbstractRequestHandler] = [
    ReminderPermissionHandler(),
    ConfirmReminderHandler(),
    RestoreAnswerHandler(),
    RitualNamedHandler(),
    SetReminderHandler(),
    ListRemindersHandler(),
    MoveReminderHandler(),
    CancelReminderHandler(),
    ReminderLaunchHandler(),
]
# Requests without a session (reminder and permission events).
EVENT_HANDLERS: list[AbstractRequestHandler] = [ReminderEventHandler(), PermissionEventHandler()]
