"""The cost table's arithmetic (bench/cost.py), on figures chosen so each part can be told."""

from __future__ import annotations

from typing import Any

import pytest

from bench.cost import (
    COLD_SHARE,
    COUPLES,
    DYNAMODB_READ_UNIT_USD,
    DYNAMODB_WRITE_UNIT_USD,
    MONTH,
    cost_table,
    lambda_ms,
)


def capacity(rcu: float, wcu: float) -> dict[str, Any]:
    row = {"turns": 10, "sessions": 1, "rcu": rcu, "wcu": wcu}
    return {"conversations": {name: {"year": dict(row)} for name in MONTH}}


DETAILS = {"cold_skill_ms_median": 300.0, "warm_skill_cpu_ms_mean": 4.0, "warm_skill_ms_mean": 10.0}


def test_cpu_scales_with_memory_and_waiting_does_not() -> None:
    assert lambda_ms(4.0, 10.0, 1769) == pytest.approx(10.0)
    assert lambda_ms(4.0, 10.0, 3538) == pytest.approx(10.0)  # never faster than one core
    assert lambda_ms(4.0, 10.0, 128) == pytest.approx(4.0 * 1769 / 128 + 6.0)


def test_dynamodb_cost_follows_the_request_units() -> None:
    cheap, dear = cost_table(DETAILS, capacity(1, 10)), cost_table(DETAILS, capacity(1, 20))
    conversations = sum(MONTH.values()) * COUPLES
    assert dear["write_units"] == 2 * cheap["write_units"] == 20 * conversations
    assert dear["dynamodb_usd"] - cheap["dynamodb_usd"] == pytest.approx(
        10 * conversations * DYNAMODB_WRITE_UNIT_USD, abs=0.001
    )
    more_reads = cost_table(DETAILS, capacity(2, 10))
    assert more_reads["dynamodb_usd"] - cheap["dynamodb_usd"] == pytest.approx(
        conversations * DYNAMODB_READ_UNIT_USD, abs=0.001
    )


def test_lambda_cost_counts_turns_and_cold_starts_at_each_memory() -> None:
    table = cost_table(DETAILS, capacity(1, 10))
    turns = 10 * sum(MONTH.values()) * COUPLES
    assert table["turns"] == turns and table["sessions"] == turns // 10
    for memory in (128, 256):
        row = table[f"{memory}mb"]
        seconds = (
            turns * lambda_ms(4.0, 10.0, memory)
            + table["sessions"] * COLD_SHARE * lambda_ms(300.0, 300.0, memory)
        ) / 1000
        expected = seconds * memory / 1024 * 0.0000133334 + turns * 0.20 / 1_000_000
        assert row["lambda_usd"] == pytest.approx(expected, abs=0.001)
        assert row["total_usd"] == pytest.approx(
            row["lambda_usd"] + table["dynamodb_usd"], abs=0.002
        )
    # Twice the memory, half the CPU time: about the same compute cost.
    assert table["256mb"]["turn_ms_estimated"] < table["128mb"]["turn_ms_estimated"]
