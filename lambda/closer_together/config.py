"""Settings read from the environment, once per container."""

from __future__ import annotations

import os
from typing import NamedTuple


class Settings(NamedTuple):
    table_name: str
    dynamodb_endpoint: str | None
    region: str
    skill_id: str | None
    log_level: str
    # Alexa waits 8 s for a turn: storage gives up in time to answer within it.
    store_budget_seconds: float = 6.0

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            table_name=os.environ.get("TABLE_NAME", "CloserTogether"),
            dynamodb_endpoint=os.environ.get("DYNAMODB_ENDPOINT") or None,
            region=os.environ.get("AWS_REGION")
            or os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
            skill_id=os.environ.get("SKILL_ID") or None,
            log_level=os.environ.get("LOG_LEVEL", "INFO"),
            store_budget_seconds=float(os.environ.get("STORE_BUDGET_SECONDS", "6")),
        )
