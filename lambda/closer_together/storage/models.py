"""The single DynamoDB table, as pynamodb models: a small household item and one item per day.

Every item of a couple shares its partition key (the hashed user id), so the session's one
read is a single Query: the household item and the days of the last week and a bit.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.models import Model

HOUSEHOLD_SK = "household"
# Day items sort before the household item ("day#..." < "household"), so one range
# condition on the sort key reads the recent days and the household together.
DAY_PREFIX = "day#"


class _Table:
    table_name = "CloserTogether"
    region = "us-east-1"
    host: str | None = None
    # Alexa waits 8 s for the whole turn: each call gives up within about 2 s, retries
    # included ((0.25 + 0.75) s, twice), and the store's own deadline bounds the turn.
    connect_timeout_seconds: float = 0.25
    read_timeout_seconds: float = 0.75
    max_retry_attempts = 1


class PartnerAttribute(MapAttribute):
    name = UnicodeAttribute()
    person_id = UnicodeAttribute(null=True)


class HouseholdModel(Model):
    """The couple: names, settings, progress, reminders, the ledger and today's entry.

    Kept small whatever the history: past days live in their own items (`DayModel`).
    Every write is conditioned on `version`; `epoch` changes when data is erased.
    """

    class Meta(_Table):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=HOUSEHOLD_SK)
    partners = ListAttribute(of=PartnerAttribute, default=list)
    created_on = UnicodeAttribute(null=True)
    time_zone = UnicodeAttribute(null=True)
    save_answers = BooleanAttribute(default=True)
    # Free-form maps: date -> {done, moments} (today only); ritual -> progress or memory.
    journal: MapAttribute[str, Any] = MapAttribute(default=dict)
    progress: MapAttribute[str, Any] = MapAttribute(null=True)
    memory: MapAttribute[str, Any] = MapAttribute(default=dict)
    schedule: MapAttribute[str, Any] = MapAttribute(default=dict)
    ledger: MapAttribute[str, Any] = MapAttribute(default=dict)
    kept_last = UnicodeAttribute(null=True)
    epoch = UnicodeAttribute(null=True)
    erased = BooleanAttribute(null=True)
    version = VersionAttribute()
    expires_at = TTLAttribute(null=True)


class DayModel(Model):
    """One past day of a couple: what was done and the moments they will hear again.

    Written only in a transaction with the household item (so an erasure, which changes the
    household's version, refuses it), and read only when its epoch is the household's.
    """

    class Meta(_Table):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    entry: MapAttribute[str, Any] = MapAttribute(default=dict)
    epoch = UnicodeAttribute(null=True)
    fingerprint = NumberAttribute(null=True)
    expires_at = TTLAttribute(null=True)


MODELS: tuple[type[Model], ...] = (HouseholdModel, DayModel)
