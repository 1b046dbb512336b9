"""The single DynamoDB table, as pynamodb models."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    TTLAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.models import Model

HOUSEHOLD_SK = "household"


class PartnerAttribute(MapAttribute):
    name = UnicodeAttribute()
    person_id = UnicodeAttribute(null=True)


class HouseholdModel(Model):
    """One item per couple: names, settings, the recent journal and ritual progress.

    Keeping it to one item gives one read when a session starts and one conditional
    write per turn; the journal is pruned so the item stays small.
    """

    class Meta:
        table_name = "CloserTogether"
        region = "us-east-1"
        host: str | None = None
        # Alexa waits 8 s for the whole turn: fail fast rather than retry for long.
        connect_timeout_seconds = 1
        read_timeout_seconds = 2
        max_retry_attempts = 2

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=HOUSEHOLD_SK)
    partners = ListAttribute(of=PartnerAttribute, default=list)
    created_on = UnicodeAttribute(null=True)
    time_zone = UnicodeAttribute(null=True)
    save_answers = BooleanAttribute(default=True)
    # Free-form maps: date -> {done, moments}; ritual -> progress or memory.
    journal: MapAttribute[str, Any] = MapAttribute(default=dict)
    progress: MapAttribute[str, Any] = MapAttribute(null=True)
    memory: MapAttribute[str, Any] = MapAttribute(default=dict)
    schedule: MapAttribute[str, Any] = MapAttribute(default=dict)
    version = VersionAttribute()
    expires_at = TTLAttribute(null=True)
