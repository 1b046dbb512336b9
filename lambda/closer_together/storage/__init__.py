"""Storage of households in DynamoDB, behind a small store the skill talks to."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.exceptions import DeleteError, GetError, PutError, PynamoDBException, QueryError

from closer_together.config import Settings
from closer_together.household import Household
from closer_together.storage.models import HOUSEHOLD_SK, HouseholdModel, PartnerAttribute

log = logging.getLogger(__name__)

# A household that has not used the skill for this long is removed by DynamoDB's TTL.
INACTIVE_RETENTION = timedelta(days=730)


class StoreError(Exception):
    """The table could not be reached or refused the write."""


class WriteConflict(StoreError):
    """Another device saved the household since it was read."""


def configure(settings: Settings) -> None:
    meta = HouseholdModel.Meta
    meta.table_name = settings.table_name
    meta.region = settings.region
    meta.host = settings.dynamodb_endpoint
    HouseholdModel._connection = None


def create_table() -> None:
    """Create the table where none exists: for the local console and tests only.

    On AWS the SAM template owns the table; the function never creates it.
    """
    configure(Settings.from_env())
    if not HouseholdModel.exists():
        HouseholdModel.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        HouseholdModel._connection = None


def _plain(value: Any) -> Any:
    """pynamodb hands raw maps back as MapAttribute objects; the domain wants dicts."""
    if isinstance(value, HouseholdModel.journal.__class__):
        return {k: _plain(v) for k, v in value.attribute_values.items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class HouseholdStore:
    def load(self, household_id: str) -> Household:
        try:
            item = HouseholdModel.get(household_id, HOUSEHOLD_SK)
        except HouseholdModel.DoesNotExist:
            return Household(household_id=household_id)
        except (GetError, PynamoDBException) as error:
            raise StoreError("load failed") from error
        return Household.from_dict(
            {
                "household_id": household_id,
                "partners": [
                    {"name": p.name, "person_id": p.person_id} for p in item.partners or []
                ],
                "created_on": item.created_on,
                "time_zone": item.time_zone,
                "save_answers": item.save_answers,
                "journal": _plain(item.journal) or {},
                "progress": _plain(item.progress),
                "memory": _plain(item.memory) or {},
                "schedule": _plain(item.schedule) or {},
                "version": item.version,
            }
        )

    def save(self, household: Household, now: datetime | None = None) -> None:
        """One conditional write: it succeeds only over the version this turn read."""
        data = household.to_dict()
        item = HouseholdModel(
            household.household_id,
            HOUSEHOLD_SK,
            partners=[PartnerAttribute(**p) for p in data["partners"]],
            created_on=household.created_on,
            time_zone=household.time_zone,
            save_answers=household.save_answers,
            journal=data["journal"],
            progress=data["progress"],
            memory=data["memory"],
            schedule=data["schedule"],
            expires_at=(now or datetime.now(UTC)) + INACTIVE_RETENTION,
        )
        if household.version is not None:
            item.version = household.version
        try:
            item.save()
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise WriteConflict("household changed elsewhere") from error
            raise StoreError("save failed") from error
        except PynamoDBException as error:
            raise StoreError("save failed") from error
        household.version = item.version

    def delete(self, household_id: str) -> None:
        """Remove every item of the household, whatever its kind."""
        try:
            for item in HouseholdModel.query(household_id, attributes_to_get=["pk", "sk"]):
                item.delete(add_version_condition=False)
        except (QueryError, DeleteError, PynamoDBException) as error:
            raise StoreError("delete failed") from error
