"""Storage of households in DynamoDB, behind a small store the skill talks to.

A couple is a small household item plus one item per past day. A session reads both in
one Query; a turn writes the household item alone, or, on the first write of a new day,
the household item and the days it hands over, in one transaction. Every write is
conditioned on the version the session read: on a conflict the store reloads, merges and
tries again while the turn's deadline allows, unless the data was erased meanwhile, in
which case the erasure wins and the session's copy is dropped.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from pynamodb.exceptions import PutError, PynamoDBException, TransactWriteError

from closer_together.config import Settings
from closer_together.errors import StoreError
from closer_together.household import (
    INACTIVE_RETENTION,
    MOMENT_DAYS,
    DayEntry,
    Erasure,
    Household,
    fingerprint_of,
)
from closer_together.storage.models import (
    DAY_PREFIX,
    HOUSEHOLD_SK,
    MODELS,
    DayModel,
    HouseholdModel,
    PartnerAttribute,
)

log = logging.getLogger(__name__)

# An erased household leaves an empty marker (no names, no words: its key, a new epoch, a
# version), so a session that read before the erasure cannot write; no session lives a day.
TOMBSTONE_RETENTION = timedelta(days=1)
# Days read when a session starts: the weekly review's seven, and a day either side for
# time zones far from UTC.
WINDOW_DAYS = 8
# A transaction holds at most 100 items; one is the household's condition.
TRANSACTION_DAYS = 99
# The worst a single call can take ((connect + read timeout) x attempts): a retry after a
# conflict starts only when that much of the turn's budget is left.
CALL_WORST_SECONDS = 2.0


class WriteConflict(StoreError):
    """Another device saved the household since it was read."""


def configure(settings: Settings) -> None:
    for model in MODELS:
        meta = model.Meta
        meta.table_name = settings.table_name
        meta.region = settings.region
        meta.host = settings.dynamodb_endpoint
        model._connection = None


def set_timeouts(connect: float, read: float) -> None:
    """Per-call timeouts (tests on a busy machine give moto more room than Alexa gives us)."""
    for model in MODELS:
        setattr(model.Meta, "connect_timeout_seconds", connect)  # noqa: B010  (typed int)
        setattr(model.Meta, "read_timeout_seconds", read)  # noqa: B010
        model._connection = None


def create_table() -> None:
    """Create the table where none exists: for the local console and tests only.

    On AWS the SAM template owns the table; the function never creates it.
    """
    configure(Settings.from_env())
    if not HouseholdModel.exists():
        HouseholdModel.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        for model in MODELS:
            model._connection = None


def _plain(value: Any) -> Any:
    """pynamodb hands raw maps back as MapAttribute objects; the domain wants dicts."""
    if hasattr(value, "attribute_values"):
        return {k: _plain(v) for k, v in value.attribute_values.items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _new_epoch() -> str:
    return uuid.uuid4().hex[:16]


def _day_expiry(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), clock_time(), UTC) + timedelta(
        days=MOMENT_DAYS + 2
    )


def erased_since(ours: Household, stored: Household) -> bool:
    """Whether `stored` was erased after `ours` was read: then ours must not be written."""
    if ours.epoch is not None:
        return stored.epoch != ours.epoch
    return stored.erased


class Deadline:
    """The turn's budget for storage, on an injectable monotonic clock."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._end = clock() + seconds

    def allows(self, seconds: float) -> bool:
        return self._clock() + seconds <= self._end


class HouseholdStore:
    def __init__(
        self,
        budget_seconds: float = 6.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.budget_seconds = budget_seconds
        self._sleep = sleep
        self._clock = clock

    def deadline(self) -> Deadline:
        """A new turn's budget, from now."""
        return Deadline(self.budget_seconds, self._clock)

    # -- reading --------------------------------------------------------------------------
    def load(self, household_id: str, today: date | None = None) -> Household:
        """The household with its days since `today - WINDOW_DAYS` (all days without `today`)."""
        condition = None
        if today is not None:
            first = today - timedelta(days=WINDOW_DAYS)
            condition = HouseholdModel.sk >= f"{DAY_PREFIX}{first.isoformat()}"
        try:
            found = HouseholdModel._get_connection().query(
                household_id, range_key_condition=condition, consistent_read=True
            )
            items = list(found.get("Items", []))
            while found.get("LastEvaluatedKey"):
                found = HouseholdModel._get_connection().query(
                    household_id,
                    range_key_condition=condition,
                    consistent_read=True,
                    exclusive_start_key=found["LastEvaluatedKey"],
                )
                items.extend(found.get("Items", []))
        except PynamoDBException as error:
            raise StoreError("load failed") from error
        household_item = next((i for i in items if i["sk"]["S"] == HOUSEHOLD_SK), None)
        if household_item is None:
            return Household(household_id=household_id)
        household = _household_from(HouseholdModel.from_raw_data(household_item))
        for raw in items:
            if not raw["sk"]["S"].startswith(DAY_PREFIX):
                continue
            day = DayModel.from_raw_data(raw)
            if day.epoch != household.epoch:
                continue  # left over from before an erasure: never brought back
            key = day.sk.removeprefix(DAY_PREFIX)
            entry = DayEntry.from_dict(_plain(day.entry) or {})
            if key in household.journal:
                entry = _joined(entry, household.journal[key])
            household.journal[key] = entry
            household.stored_days[key] = int(day.fingerprint or 0)
        return household

    # -- writing --------------------------------------------------------------------------
    def save(
        self,
        household: Household,
        now: datetime | None = None,
        today: date | None = None,
        deadline: Deadline | None = None,
    ) -> tuple[Household, bool]:
        """Write the household; returns it as stored, and whether an erasure overruled it.

        On a version conflict: reload, merge (moments and marks from both devices survive)
        and try again while the deadline allows, with a little random wait so devices that
        collided do not collide again.
        """
        now = now or datetime.now(UTC)
        if today is None:  # outside a turn (tools, tests): the household's latest day is today
            latest = max(household.journal, default=None)
            today = date.fromisoformat(latest) if latest else now.date()
        attempt = 0
        while True:
            try:
                self._write(household, now, today)
                return household, False
            except WriteConflict:
                attempt += 1
                if deadline is not None and not deadline.allows(2 * CALL_WORST_SECONDS):
                    raise
                self._sleep(random.uniform(0.005, 0.02 * min(attempt, 8)))
                stored = self.load(household.household_id, today)
                if erased_since(household, stored):
                    log.info("household erased elsewhere: this session's copy is dropped")
                    return stored, True
                household = household.merged_with(stored)

    def apply(
        self,
        household_id: str,
        change: Callable[[Household], bool],
        now: datetime,
        deadline: Deadline | None = None,
    ) -> None:
        """Load, change and write a stored household (events without a session); on a
        conflict the change is applied again to what is stored now."""
        while True:
            household = self.load(household_id, now.date())
            if household.version is None or household.erased or not change(household):
                return
            try:
                self._write(household, now, now.date())
                return
            except WriteConflict:
                if deadline is not None and not deadline.allows(2 * CALL_WORST_SECONDS):
                    raise
                self._sleep(random.uniform(0.005, 0.05))

    def _write(self, household: Household, now: datetime, today: date) -> None:
        data = household.stored_form()
        epoch = household.epoch or _new_epoch()
        item = _household_item(household, data, epoch, today, now)
        handed = self._days_to_hand_over(household, data, today)
        days = [
            _day_item(household.household_id, day, data["journal"][day], epoch) for day in handed
        ]
        try:
            if not days:
                item.save()
            else:
                self._transact(item, days)
        except (PutError, TransactWriteError) as error:
            if _conflict(error):
                raise WriteConflict("household changed elsewhere") from error
            raise StoreError("save failed") from error
        except PynamoDBException as error:
            raise StoreError("save failed") from error
        household.version = item.version
        household.epoch = epoch
        household.erased = False
        for day, model in zip(handed, days, strict=True):
            household.stored_days[day] = int(model.fingerprint or 0)

    @staticmethod
    def _days_to_hand_over(household: Household, data: dict[str, Any], today: date) -> list[str]:
        """Past days (not older than kept) whose own item is missing or out of date."""
        oldest = (today - timedelta(days=MOMENT_DAYS)).isoformat()
        return sorted(
            day
            for day, entry in data["journal"].items()
            if oldest <= day < today.isoformat()
            and household.stored_days.get(day) != fingerprint_of(entry)
        )

    @staticmethod
    def _transact(item: HouseholdModel, days: list[DayModel]) -> None:
        """The days and the household in one transaction (several if there are very many
        days; the earlier ones hold only while the household is still as read)."""
        from pynamodb.transactions import TransactWrite  # a day's hand-over only, not at launch

        connection = HouseholdModel._get_connection().connection
        chunks = [days[i : i + TRANSACTION_DAYS] for i in range(0, len(days), TRANSACTION_DAYS)]
        for index, chunk in enumerate(chunks):
            with TransactWrite(connection=connection) as transaction:
                for day in chunk:
                    transaction.save(day)
                if index < len(chunks) - 1:
                    read = item.version
                    transaction.condition_check(
                        HouseholdModel,
                        item.pk,
                        HOUSEHOLD_SK,
                        condition=(HouseholdModel.version == read)
                        if read is not None
                        else HouseholdModel.pk.does_not_exist(),
                    )
                else:
                    transaction.save(item)

    # -- erasing --------------------------------------------------------------------------
    def erase(
        self,
        household: Household,
        kind: Erasure,
        now: datetime,
        deadline: Deadline | None = None,
    ) -> Household:
        """Erase, whatever other devices have written: first a new epoch on the household
        item (from then on every older session's write is refused), then the days."""
        household_id = household.household_id
        while True:
            stored = self.load(household_id)
            # Nothing stored yet: the erasure applies to this session's copy.
            after = self._erased(stored if stored.version is not None else household, kind)
            try:
                after.version = stored.version
                item = _household_item(after, after.to_dict(), after.epoch or "", now.date(), now)
                if kind is Erasure.EVERYTHING:
                    item.expires_at = now + TOMBSTONE_RETENTION
                item.save()
                break
            except PutError as error:
                if not _conflict(error) or (
                    deadline is not None and not deadline.allows(2 * CALL_WORST_SECONDS)
                ):
                    raise StoreError("erase failed") from error
                self._sleep(random.uniform(0.005, 0.05))
            except PynamoDBException as error:
                raise StoreError("erase failed") from error
        after.version = item.version
        self._erase_days(stored, after, kind)
        after.stored_days = {}
        return after

    @staticmethod
    def _erased(base: Household, kind: Erasure) -> Household:
        epoch = _new_epoch()
        if kind is Erasure.EVERYTHING:
            return Household(household_id=base.household_id, epoch=epoch, erased=True)
        after = Household.from_dict(base.to_dict())
        after.save_answers = False
        after.epoch = epoch
        if kind is Erasure.ANSWERS:
            after.forget_answers()
        after.progress = after.stored_form()["progress"]
        return after

    def _erase_days(self, stored: Household, after: Household, kind: Erasure) -> None:
        """Delete the day items, or, when only the answers go, write them back without
        moments under the new epoch (marks of what was done stay)."""
        try:
            keys = list(
                HouseholdModel._get_connection()
                .query(
                    stored.household_id,
                    range_key_condition=HouseholdModel.sk.startswith(DAY_PREFIX),
                    consistent_read=True,
                )
                .get("Items", [])
            )
            with DayModel.batch_write() as batch:
                for raw in keys:
                    day = DayModel.from_raw_data(raw)
                    if kind is Erasure.EVERYTHING or day.epoch != stored.epoch:
                        batch.delete(day)
                        continue
                    entry = _plain(day.entry) or {}
                    if kind is Erasure.ANSWERS:
                        entry.pop("moments", None)
                    day.entry = entry
                    day.epoch = after.epoch
                    day.fingerprint = DayEntry.from_dict(entry).fingerprint()
                    batch.save(day)
        except PynamoDBException as error:
            raise StoreError("erase failed") from error


def _conflict(error: PynamoDBException) -> bool:
    if isinstance(error, TransactWriteError):
        # Another transaction on the same item at the same moment is a conflict too.
        return any(
            reason is not None and reason.code in ("ConditionalCheckFailed", "TransactionConflict")
            for reason in error.cancellation_reasons
        )
    # Not `error.cause_response_code`: it raises for a timeout, whose cause has no response.
    response = getattr(error.cause, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code == "ConditionalCheckFailedException"


def _joined(a: DayEntry, b: DayEntry) -> DayEntry:
    joined = DayEntry.from_dict(a.to_dict())
    joined.done.extend(r for r in b.done if r not in joined.done)
    joined.moments.extend(m for m in b.moments if m not in joined.moments)
    for ritual, who in b.answered.items():
        joined.answered.setdefault(ritual, who)
    for ritual, when in b.completed.items():
        joined.completed.setdefault(ritual, when)
    return joined


def _household_from(item: HouseholdModel) -> Household:
    return Household.from_dict(
        {
            "household_id": item.pk,
            "partners": [{"name": p.name, "person_id": p.person_id} for p in item.partners or []],
            "created_on": item.created_on,
            "time_zone": item.time_zone,
            "save_answers": item.save_answers,
            "journal": _plain(item.journal) or {},
            "progress": _plain(item.progress),
            "memory": _plain(item.memory) or {},
            "schedule": _plain(item.schedule) or {},
            "ledger": _plain(item.ledger) or {},
            "kept_last": item.kept_last,
            "epoch": item.epoch,
            "erased": bool(item.erased),
            "version": item.version,
        }
    )


def _household_item(
    household: Household, data: dict[str, Any], epoch: str, today: date, now: datetime
) -> HouseholdModel:
    """The household item: everything but the days before `today`, which have their own."""
    item = HouseholdModel(
        household.household_id,
        HOUSEHOLD_SK,
        partners=[PartnerAttribute(**p) for p in data["partners"]],
        created_on=household.created_on,
        time_zone=household.time_zone,
        save_answers=household.save_answers,
        journal={d: e for d, e in data["journal"].items() if d >= today.isoformat()},
        progress=data["progress"],
        memory=data["memory"],
        schedule=data["schedule"],
        ledger=data["ledger"],
        kept_last=household.kept_last,
        epoch=epoch,
        erased=True if household.erased else None,
        expires_at=now + INACTIVE_RETENTION,
    )
    if household.version is not None:
        item.version = household.version
    return item


def _day_item(household_id: str, day: str, entry: dict[str, Any], epoch: str) -> DayModel:
    return DayModel(
        household_id,
        f"{DAY_PREFIX}{day}",
        entry=entry,
        epoch=epoch,
        fingerprint=fingerprint_of(entry),
        expires_at=_day_expiry(day),
    )
