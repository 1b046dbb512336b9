"""DynamoDB capacity of each conversation, turn by turn, for a new couple and a year-old one.

`make bench-capacity`: every DynamoDB call the skill makes is seen in botocore (the
`before-call.dynamodb` and `after-call.dynamodb` events: the request sent, the response
parsed) while the simulator sends full Alexa envelopes; each call's capacity is computed
here from the items' sizes by DynamoDB's documented on-demand rules (not taken from moto):

- item size: attribute names' lengths plus values' sizes (strings UTF-8 bytes, numbers
  ceil(significant digits / 2) + 1, binary bytes, booleans and nulls 1, maps and lists
  3 bytes + contents + 1 per element);
- a write: 1 WCU per KB (rounded up) of the larger of the item before and after, per item;
  twice that inside a transaction;
- a GetItem: 1 RCU per 4 KB rounded up; a Query: the sum of the sizes of all items
  returned, rounded up to 4 KB; half of either when eventually consistent.

A year of history is 365 days of check-ins in the table (the day items, and the household
item as the last evening's session left it), each day shaped as the skill stores a real
check-in of `bench.workload.ANSWERS`.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "lambda"), str(ROOT)]
MODEL = ROOT / "interaction_models" / "en-US.json"

from bench.stack import local_stack  # noqa: E402  (after the path above)
from bench.workload import ANSWERS  # noqa: E402

READS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
HISTORY_DAYS = 365
# 8 pm in New York on Thursday 26 November 2026: the measured sessions' evening.
EVENING = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
ZONE = "America/New_York"

# The bars.
MAX_ORDINARY_WCU = 2
MAX_SESSION_RCU = 4

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


# -- item sizes and capacity units -------------------------------------------------------------


def number_size(text: str) -> int:
    """A number's size: about one byte per two significant digits, plus one."""
    digits = text.lstrip("+-").replace(".", "").lower().split("e")[0].strip("0")
    return math.ceil(max(len(digits), 1) / 2) + 1


def value_size(value: dict[str, Any]) -> int:
    """The size of one attribute value in DynamoDB's JSON (`{"S": ...}`, `{"M": ...}`, ...)."""
    (kind, data), *_ = value.items()
    if kind == "S":
        return len(str(data).encode("utf-8"))
    if kind == "N":
        return number_size(str(data))
    if kind == "B":
        return len(base64.b64decode(data))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(str(s).encode("utf-8")) for s in data)
    if kind == "NS":
        return sum(number_size(str(n)) for n in data)
    if kind == "BS":
        return sum(len(base64.b64decode(b)) for b in data)
    if kind == "M":
        return 3 + sum(len(k.encode("utf-8")) + value_size(v) + 1 for k, v in data.items())
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in data)
    raise ValueError(f"unknown attribute type {kind!r}")


def item_size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB bills it: names plus values."""
    return sum(len(name.encode("utf-8")) + value_size(v) for name, v in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / 4096))
    return float(units) if consistent else units / 2


# -- watching botocore --------------------------------------------------------------------------


@dataclass
class Call:
    """One DynamoDB operation: what it read or wrote, and what that costs."""

    operation: str
    read_sizes: list[int] = field(default_factory=list)
    written_sizes: list[int] = field(default_factory=list)
    rcu: float = 0.0
    wcu: float = 0.0
    transactional: bool = False
    moto_reported: float | None = None
    # Items written exactly as they were stored (bookkeeping attributes aside).
    unchanged: int = 0

    @property
    def is_read(self) -> bool:
        return self.operation in READS

    @property
    def is_write(self) -> bool:
        return self.operation in WRITES

    def as_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "read_sizes": self.read_sizes,
            "written_sizes": self.written_sizes,
            "rcu": self.rcu,
            "wcu": self.wcu,
            "moto_reported": self.moto_reported,
            "unchanged_items_written": self.unchanged,
        }


def _key(table: str, item: dict[str, Any]) -> tuple[str, str, str]:
    return (table, json.dumps(item.get("pk")), json.dumps(item.get("sk")))


# Attributes every write renews whatever changed: the version condition and the TTL.
ITEM_BOOKKEEPING = ("version", "expires_at")


def _content(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in ITEM_BOOKKEEPING}


class Meter:
    """Every DynamoDB call leaving this process, costed; `calls` collects while recording.

    Installed on the botocore sessions pynamodb makes (whatever made them before: the tests'
    shared-model session keeps its own hook). Item sizes seen in writes and reads are
    remembered by key, so a write is charged for the larger of the item before and after.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: list[Call] = []
        self.recording = False
        self.stored: dict[tuple[str, str, str], int] = {}
        self.contents: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._previous: Any = None

    @contextmanager
    def installed(self) -> Iterator[Meter]:
        import pynamodb.connection.base

        from closer_together.storage.models import MODELS

        previous = pynamodb.connection.base.get_session

        def session() -> Any:
            made = previous()
            made.register("before-call.dynamodb", self._before)
            made.register("after-call.dynamodb", self._after)
            return made

        pynamodb.connection.base.get_session = session
        for model in MODELS:
            model._connection = None  # the next call makes a session with the hooks
        try:
            yield self
        finally:
            pynamodb.connection.base.get_session = previous
            for model in MODELS:
                model._connection = None

    @contextmanager
    def recording_into(self, calls: list[Call]) -> Iterator[list[Call]]:
        with self.lock:
            self.calls, self.recording = calls, True
        try:
            yield calls
        finally:
            with self.lock:
                self.recording = False

    def _before(self, model: Any, params: Any = None, context: Any = None, **_: Any) -> None:
        body = params.get("body") if isinstance(params, dict) else None
        sent = json.loads(body) if isinstance(body, bytes | str) and body else {}
        if isinstance(context, dict):
            context["capacity_sent"] = sent

    def _after(self, model: Any, parsed: Any = None, context: Any = None, **_: Any) -> None:
        sent = context.get("capacity_sent", {}) if isinstance(context, dict) else {}
        call = self._costed(model.name, sent, parsed if isinstance(parsed, dict) else {})
        with self.lock:
            if self.recording:
                self.calls.append(call)

    def _costed(self, operation: str, sent: dict[str, Any], parsed: dict[str, Any]) -> Call:
        call = Call(operation)
        table = str(sent.get("TableName", ""))
        consistent = bool(sent.get("ConsistentRead", False))
        failed = "Error" in parsed or (
            "ResponseMetadata" in parsed
            and parsed["ResponseMetadata"].get("HTTPStatusCode", 200) >= 400
        )
        reported = parsed.get("ConsumedCapacity")
        if isinstance(reported, dict):
            call.moto_reported = float(reported.get("CapacityUnits", 0.0))
        elif isinstance(reported, list):
            call.moto_reported = sum(float(r.get("CapacityUnits", 0.0)) for r in reported)
        if operation in ("Query", "Scan"):
            items = parsed.get("Items", [])
            call.read_sizes = [item_size(i) for i in items]
            call.rcu = read_units(sum(call.read_sizes), consistent)
            for item, size in zip(items, call.read_sizes, strict=True):
                self.stored[_key(table, item)] = size
                self.contents[_key(table, item)] = _content(item)
        elif operation == "GetItem":
            item = parsed.get("Item")
            size = item_size(item) if item else 0
            call.read_sizes = [size] if item else []
            call.rcu = read_units(size, consistent)
        elif operation == "PutItem":
            call.wcu = self._write(call, table, sent["Item"], failed)
        elif operation in ("UpdateItem", "DeleteItem"):
            before = self.stored.get(_key(table, sent["Key"]), 0)
            call.written_sizes = [before]
            call.wcu = write_units(before)
        elif operation == "BatchWriteItem":
            for name, requests in sent.get("RequestItems", {}).items():
                for request in requests:
                    if "PutRequest" in request:
                        call.wcu += self._write(call, name, request["PutRequest"]["Item"], failed)
                    else:
                        key = request["DeleteRequest"]["Key"]
                        size = self.stored.pop(_key(name, key), 0)
                        self.contents.pop(_key(name, key), None)
                        call.written_sizes.append(size)
                        call.wcu += write_units(size)
        elif operation == "TransactWriteItems":
            call.transactional = True
            for one in sent.get("TransactItems", []):
                (kind, body), *_ = one.items()
                if kind == "Put":
                    call.wcu += 2 * self._write(call, body["TableName"], body["Item"], failed)
                else:
                    size = self.stored.get(_key(body["TableName"], body["Key"]), 0)
                    call.written_sizes.append(size)
                    call.wcu += 2 * write_units(size)
        return call

    def _write(self, call: Call, table: str, item: dict[str, Any], failed: bool) -> int:
        size = item_size(item)
        key = _key(table, item)
        units = write_units(max(size, self.stored.get(key, 0)))
        call.written_sizes.append(size)
        if self.contents.get(key) == _content(item):
            call.unchanged += 1
        if not failed:
            self.stored[key] = size
            self.contents[key] = _content(item)
        return units


# -- conversations ---------------------------------------------------------------------------


@dataclass
class Step:
    """One turn of a conversation: what is said, and what kind of turn it is."""

    label: str
    act: Callable[[Any], Any]
    kind: str = "ordinary"  # "help", "repeat", "stop" or "ordinary"
    # Said only while the session is still open (a turn may have ended it).
    in_session_only: bool = False


def _intent(name: str, **slots: str) -> Callable[[Any], Any]:
    return lambda sim: sim.intent(name, **slots)


def _say(text: str) -> Callable[[Any], Any]:
    return lambda sim: sim.say(text)


def _launch(sim: Any) -> Any:
    return sim.launch()


CHECKIN = [
    Step("LaunchRequest", _launch),
    Step("StartCheckInIntent", _intent("StartCheckInIntent")),
    *(Step(name, _intent(name, **slots)) for name, slots in ANSWERS),
]
REVIEW = [
    Step("LaunchRequest", _launch),
    Step("WeeklyReviewIntent", _intent("WeeklyReviewIntent")),
    Step("AMAZON.YesIntent (hear more)", _intent("AMAZON.YesIntent")),
    Step("AnswerIntent", _intent("AnswerIntent", answer="cooking dinner together on sunday")),
    Step("AnswerIntent", _intent("AnswerIntent", answer="more walks after work")),
    Step("AnswerIntent", _intent("AnswerIntent", answer="planning the holidays")),
    Step("AMAZON.StopIntent", _intent("AMAZON.StopIntent"), "stop"),
]
REMINDERS = [
    Step("LaunchRequest", _launch),
    Step("SetReminderIntent", _say("remind us every evening at eight")),
    Step("AMAZON.YesIntent (confirm)", _say("yes")),
    # Setting a reminder ends the session: a stop is said only if it is still open.
    Step("AMAZON.StopIntent", _intent("AMAZON.StopIntent"), "stop", in_session_only=True),
]
HELP_REPEAT_STOP = [
    Step("LaunchRequest", _launch),
    Step("AMAZON.HelpIntent", _intent("AMAZON.HelpIntent"), "help"),
    Step("AMAZON.RepeatIntent", _intent("AMAZON.RepeatIntent"), "repeat"),
    Step("StartCheckInIntent", _intent("StartCheckInIntent")),
    Step("AnswerIntent", _intent("AnswerIntent", answer="we went for a walk by the river")),
    Step("AMAZON.HelpIntent", _intent("AMAZON.HelpIntent"), "help"),
    Step("AMAZON.RepeatIntent", _intent("AMAZON.RepeatIntent"), "repeat"),
    Step("AMAZON.StopIntent", _intent("AMAZON.StopIntent"), "stop"),
]
CONVERSATIONS: dict[str, list[Step]] = {
    "daily check-in": CHECKIN,
    "weekly review": REVIEW,
    "reminders": REMINDERS,
    "help, repeat, stop": HELP_REPEAT_STOP,
}
HISTORIES = ("new", "year")

# Session-attribute fields that change with every write, not with what the couple did.
_BOOKKEEPING = ("version", "stored_days", "epoch", "erased")


def _held(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    return {k: v for k, v in raw.items() if k not in _BOOKKEEPING}


# -- a year of history -------------------------------------------------------------------------


class Bench:
    """The skill behind a handler, the API stand-in, and a meter on DynamoDB."""

    def __init__(self, handler: Handler, api: Any, meter: Meter, keep_expired: bool = True) -> None:
        self.handler = handler
        self.api = api
        self.meter = meter
        # Days past their TTL (older than MOMENT_DAYS + 2) stay in the table, as they may
        # for a while on DynamoDB and always on moto, which has no TTL; the session's read
        # must leave them out. Without them a year couple is built far faster.
        self.keep_expired = keep_expired
        self.clock = {"now": EVENING}

    def simulator(self, user_id: str) -> Any:
        from alexa_local.simulator import Simulator

        return Simulator(
            self.handler,
            model_path=MODEL,
            user_id=user_id,
            device_id="amzn1.ask.device.CAPACITY",
            api_endpoint=self.api.endpoint,
            api_token=self.api.token,
            clock=lambda: self.clock["now"],
        )

    def new_couple(self, tag: str) -> str:
        """A couple who met the skill earlier this evening (names given): nothing else."""
        user_id = f"amzn1.ask.account.CAPACITY{tag}{time.time_ns()}"
        sim = self.simulator(user_id)
        sim.launch()
        sim.intent("NamesIntent", firstName="Sam", secondName="Alex")
        sim.intent("AMAZON.StopIntent")
        return user_id

    def forget(self, user_id: str) -> None:
        """Delete a measured couple's items: moto copies the whole table for every
        transaction, so a table that only grows makes every later run slower."""
        from closer_together.household import household_id_for
        from closer_together.storage.models import DayModel, HouseholdModel

        keys = HouseholdModel._get_connection().query(household_id_for(user_id))
        with DayModel.batch_write() as batch:
            for raw in keys.get("Items", []):
                batch.delete(DayModel.from_raw_data(raw))

    def template(self) -> dict[str, Any]:
        """A day as the skill stores a real check-in, and the household after it."""
        global _TEMPLATE
        if _TEMPLATE is None:
            from closer_together.household import household_id_for
            from closer_together.storage import HouseholdStore

            user_id = self.new_couple("TEMPLATE")
            sim = self.simulator(user_id)
            sim.launch()
            for step in CHECKIN[1:]:
                step.act(sim)
            stored = HouseholdStore().load(household_id_for(user_id))
            day = (self.clock["now"].astimezone(_zone())).date().isoformat()
            _TEMPLATE = {
                "day": stored.journal[day].to_dict(),
                "memory": stored.memory,
                "created_on": stored.created_on,
            }
            self.forget(user_id)
        return _TEMPLATE

    def year_couple(self, tag: str) -> str:
        """A couple with a check-in every evening of the last 365 days (and a review weekly),
        stored as a year of sessions leaves it: a day item per past day, and the household
        item as last evening's session wrote it (yesterday's entry still in it)."""
        from closer_together.household import (
            MOMENT_DAYS,
            DayEntry,
            Household,
            Partner,
            household_id_for,
        )
        from closer_together.storage import HouseholdStore, _day_item
        from closer_together.storage.models import DayModel

        template = self.template()
        user_id = f"amzn1.ask.account.CAPACITY{tag}{time.time_ns()}"
        household_id = household_id_for(user_id)
        today = self.clock["now"].astimezone(_zone()).date()
        first = today - timedelta(days=HISTORY_DAYS)
        household = Household(
            household_id=household_id,
            partners=[Partner("Sam"), Partner("Alex")],
            created_on=first.isoformat(),
            time_zone=ZONE,
            memory=json.loads(json.dumps(template["memory"])),
        )
        older: list[tuple[str, dict[str, Any]]] = []
        for n in range(HISTORY_DAYS):
            day = first + timedelta(days=n)
            entry = _day_of_history(template["day"], n)
            if n % 7 == 6:
                entry["done"].append("review")
                entry.setdefault("answered", {})["review"] = ["0:connecting", "1:connecting"]
            household.journal[day.isoformat()] = DayEntry.from_dict(entry)
            for ritual in entry["done"]:
                at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=25)
                household.mark_done(day, ritual, entry.get("answered", {}).get(ritual), at)
            household.kept_last = day.isoformat()
            household.prune(day)
            if (today - day).days > MOMENT_DAYS + 1:  # handed over before last evening
                older.append((day.isoformat(), entry))
        yesterday = today - timedelta(days=1)
        now = datetime.combine(yesterday, datetime.min.time(), UTC) + timedelta(hours=25)
        # Last evening's write: the household (yesterday's entry in it) and the kept weeks.
        HouseholdStore(budget_seconds=120).save(household, now, yesterday)
        # The days before, as the evenings after them handed them over.
        if not self.keep_expired:
            return user_id
        with DayModel.batch_write() as batch:
            for day_iso, entry in older:
                batch.save(_day_item(household_id, day_iso, entry, household.epoch or ""))
        return user_id


# A real check-in's stored day, measured once per process (see Bench.template).
_TEMPLATE: dict[str, Any] | None = None


def _zone() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(ZONE)


def _day_of_history(template: dict[str, Any], n: int) -> dict[str, Any]:
    """The template day with its words made that day's own (same lengths, give or take)."""
    entry = json.loads(json.dumps(template))
    for moment in entry.get("moments", []):
        moment["text"] = f"{moment['text']} (day {n})"
    return entry


# -- measuring -----------------------------------------------------------------------------------


@dataclass
class TurnRecord:
    label: str
    kind: str
    session: str
    calls: list[Call]
    # What the couple did changed the household: its copy in the session attributes
    # (bookkeeping aside), or a stored item's content.
    changed: bool

    @property
    def reads(self) -> int:
        return sum(c.is_read for c in self.calls)

    @property
    def writes(self) -> int:
        return sum(c.is_write for c in self.calls)

    @property
    def rcu(self) -> float:
        return sum(c.rcu for c in self.calls)

    @property
    def wcu(self) -> float:
        return sum(c.wcu for c in self.calls)

    @property
    def hand_over(self) -> bool:
        """The day's first write: the household and the days it hands over, in a transaction."""
        return any(c.transactional for c in self.calls)

    @property
    def unchanged_writes(self) -> int:
        """Writes whose every item was stored exactly so already (bookkeeping aside)."""
        return sum(
            c.is_write and c.unchanged == len(c.written_sizes) and c.unchanged > 0
            for c in self.calls
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "turn": self.label,
            "kind": self.kind,
            "session": self.session,
            "changed": self.changed,
            "reads": self.reads,
            "writes": self.writes,
            "unchanged_writes": self.unchanged_writes,
            "rcu": self.rcu,
            "wcu": self.wcu,
            "hand_over": self.hand_over,
            "calls": [c.as_dict() for c in self.calls],
        }


def run_conversation(bench: Bench, steps: list[Step], history: str, tag: str) -> list[TurnRecord]:
    user_id = bench.year_couple(tag) if history == "year" else bench.new_couple(tag)
    try:
        return _talk(bench, steps, user_id)
    finally:
        bench.forget(user_id)


def _talk(bench: Bench, steps: list[Step], user_id: str) -> list[TurnRecord]:
    sim = bench.simulator(user_id)
    turns: list[TurnRecord] = []
    held: dict[str, Any] | None = None
    sessions = 0
    for step in steps:
        if step.in_session_only and not sim.in_session:
            continue
        calls: list[Call] = []
        with bench.meter.recording_into(calls):
            turn = step.act(sim)
        session = turn.request.get("session") or {}
        if session.get("new"):
            sessions += 1
            held = None
        now_held = _held((turn.raw.get("sessionAttributes") or {}).get("household"))
        moved = held is not None and now_held is not None and now_held != held
        wrote_new = any(c.is_write and c.unchanged < len(c.written_sizes) for c in calls)
        turns.append(TurnRecord(step.label, step.kind, f"s{sessions}", calls, moved or wrote_new))
        held = now_held if now_held is not None else held
    return turns


def _sessions(turns: list[TurnRecord]) -> dict[str, list[TurnRecord]]:
    by_session: dict[str, list[TurnRecord]] = {}
    for turn in turns:
        by_session.setdefault(turn.session, []).append(turn)
    return by_session


def summary(turns: list[TurnRecord]) -> dict[str, Any]:
    ordinary = [t.wcu for t in turns if t.writes and not t.hand_over]
    sizes_read = [s for t in turns for c in t.calls for s in c.read_sizes]
    sizes_written = [s for t in turns for c in t.calls for s in c.written_sizes]
    return {
        "turns": len(turns),
        "sessions": len(_sessions(turns)),
        "reads": sum(t.reads for t in turns),
        "writes": sum(t.writes for t in turns),
        "unchanged_writes": sum(t.unchanged_writes for t in turns),
        "rcu": sum(t.rcu for t in turns),
        "wcu": sum(t.wcu for t in turns),
        "max_rcu_session": max(sum(t.rcu for t in s) for s in _sessions(turns).values()),
        "max_wcu_turn": max((t.wcu for t in turns), default=0.0),
        "max_wcu_ordinary_turn": max(ordinary, default=0.0),
        "hand_over_wcu": sum(t.wcu for t in turns if t.hand_over),
        "largest_item_read": max(sizes_read, default=0),
        "largest_item_written": max(sizes_written, default=0),
        "moto_reported_capacity": sum(c.moto_reported or 0.0 for t in turns for c in t.calls),
    }


def bars(turns: list[TurnRecord]) -> dict[str, bool]:
    """The bars, from what was measured (a session is what Alexa opened with `new`)."""
    sessions = _sessions(turns).values()
    return {
        "one_read_per_session": all(sum(t.reads for t in s) == 1 for s in sessions),
        "at_most_one_write_per_turn": all(t.writes <= 1 for t in turns),
        "no_write_for_help_repeat_or_idle_stop": all(
            t.writes == 0
            for t in turns
            if t.kind in ("help", "repeat") or (t.kind == "stop" and not t.changed)
        ),
        # The day's first write (a transaction handing over the days before) is reported
        # on its own: it costs twice per item by DynamoDB's rules.
        "ordinary_write_at_most_2_wcu": all(
            t.wcu <= MAX_ORDINARY_WCU for t in turns if t.writes and not t.hand_over
        ),
        "session_read_at_most_4_rcu": all(
            sum(t.rcu for t in s) <= MAX_SESSION_RCU for s in sessions
        ),
    }


def measure(
    handler: Handler,
    api: Any,
    conversations: dict[str, list[Step]] | None = None,
    histories: tuple[str, ...] = HISTORIES,
    keep_expired: bool = True,
) -> dict[str, Any]:
    """Run each conversation for each history against a running table and stand-in."""
    meter = Meter()
    report: dict[str, Any] = {"conversations": {}}
    with meter.installed():
        bench = Bench(handler, api, meter, keep_expired)
        for name, steps in (conversations or CONVERSATIONS).items():
            rows: dict[str, Any] = {}
            for history in histories:
                tag = f"{name}{history}".replace(" ", "").replace(",", "").upper()
                turns = run_conversation(bench, steps, history, tag)
                rows[history] = {
                    **summary(turns),
                    "bars": bars(turns),
                    "per_turn": [t.as_dict() for t in turns],
                }
            report["conversations"][name] = rows
    report["all_bars_met"] = all(
        all(row["bars"].values())
        for rows in report["conversations"].values()
        for row in rows.values()
    )
    return report


def capacity_report(
    handler: Handler | None = None,
    api: Any = None,
    conversations: dict[str, list[Step]] | None = None,
    histories: tuple[str, ...] = HISTORIES,
    keep_expired: bool = True,
) -> dict[str, Any]:
    """The capacity of each conversation; on a local stack of its own unless given one."""
    if handler is not None and api is not None:
        return measure(handler, api, conversations, histories, keep_expired)
    with local_stack("CloserTogetherCapacity", ZONE) as (own_handler, own_api):
        return measure(own_handler, own_api, conversations, histories, keep_expired)


def table(report: dict[str, Any]) -> str:
    head = (
        f"{'conversation':20} {'history':7} {'turns':>5} {'reads':>5} {'writes':>6} "
        f"{'RCU':>5} {'WCU':>5} {'max WCU':>7} {'max ord':>7} {'hand-over':>9}  bars"
    )
    lines = [head, "-" * len(head)]
    for name, rows in report["conversations"].items():
        for history, row in rows.items():
            failed = [k for k, ok in row["bars"].items() if not ok]
            lines.append(
                f"{name:20} {history:7} {row['turns']:5} {row['reads']:5} {row['writes']:6} "
                f"{row['rcu']:5g} {row['wcu']:5g} {row['max_wcu_turn']:7g} "
                f"{row['max_wcu_ordinary_turn']:7g} {row['hand_over_wcu']:9g}  "
                + ("ok" if not failed else "FAILED: " + ", ".join(failed))
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--turns", action="store_true", help="print every turn's calls too")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "capacity.json"))
    parser.add_argument(
        "--without-expired",
        action="store_true",
        help="leave out the year's days past their TTL (faster; the figures are the same)",
    )
    args = parser.parse_args()
    report = capacity_report(keep_expired=not args.without_expired)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    if args.turns:
        for name, rows in report["conversations"].items():
            for history, row in rows.items():
                print(f"\n{name} ({history})")
                for t in row["per_turn"]:
                    ops = ", ".join(
                        f"{c['operation']} r{c['read_sizes']} w{c['written_sizes']}"
                        for c in t["calls"]
                    )
                    print(
                        f"  {t['turn']:32} {t['rcu']:4g} RCU {t['wcu']:4g} WCU"
                        f"{' changed' if t['changed'] else ''}  {ops}"
                    )
        print()
    print(table(report))
    print(f"\nall bars met: {report['all_bars_met']}  (details: {out})")


if __name__ == "__main__":
    main()
