"""DynamoDB capacity of each conversation (bench/capacity.py), held to its bars.

Every figure is measured: the skill talks to moto's server in full Alexa envelopes, each
DynamoDB call is seen in botocore, and its capacity is computed from the items' sizes by
DynamoDB's documented rules. A couple is new, or has a year of daily check-ins stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bench.capacity import (
    CONVERSATIONS,
    HISTORIES,
    Meter,
    capacity_report,
    item_size,
    read_units,
    write_units,
)

BARS = (
    "one_read_per_session",
    "at_most_one_write_per_turn",
    "no_write_for_help_repeat_or_idle_stop",
    "ordinary_write_at_most_2_wcu",
    "session_read_at_most_4_rcu",
)
_MEASURED: dict[str, dict[str, Any]] = {}


@pytest.fixture
def measured(
    handler: Callable[..., dict[str, Any]], alexa_api: Any
) -> Callable[[str], dict[str, Any]]:
    """A conversation's rows (new, year), measured once per worker. The year's days past
    their TTL are left out of the table here (moto is slow with them); `make
    bench-capacity` keeps them, with the same figures: the session's read skips them."""

    def measure(conversation: str) -> dict[str, Any]:
        if conversation not in _MEASURED:
            report = capacity_report(
                handler, alexa_api, {conversation: CONVERSATIONS[conversation]}, keep_expired=False
            )
            _MEASURED[conversation] = report["conversations"][conversation]
        return _MEASURED[conversation]

    return measure


def _turns(row: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (t["turn"], t["session"], t["reads"], t["writes"], t["rcu"], t["wcu"], t["changed"])
        for t in row["per_turn"]
    ]


@pytest.mark.parametrize("conversation", list(CONVERSATIONS))
def test_bars(measured: Any, conversation: str) -> None:
    """Every bar for the new and the year-old couple. Measured, too: a read and a write seen
    in each, sizes that grow with a year of history, and a session's read that is the
    household and the last week's days, not 365."""
    rows = measured(conversation)
    for history in HISTORIES:
        row = rows[history]
        missed = [b for b in BARS if not row["bars"][b]]
        assert not missed, (history, missed, _turns(row))
        assert row["reads"] >= 1 and row["writes"] >= 1 and row["rcu"] >= 1
        assert row["largest_item_written"] > 0 and row["moto_reported_capacity"] > 0
    year_read = rows["year"]["per_turn"][0]["calls"][0]["read_sizes"]
    assert 5 <= len(year_read) <= 10, year_read
    assert rows["year"]["largest_item_read"] > rows["new"]["largest_item_read"]


@pytest.mark.parametrize("conversation", list(CONVERSATIONS))
def test_the_days_first_write_hands_over_yesterday_in_one_transaction(
    measured: Any, conversation: str
) -> None:
    """With yesterday in the household item, the day's first write is one transaction of
    two items (the household and yesterday's day): 2 x 1 KB x 2 = 4 WCU, once a day."""
    rows = measured(conversation)
    assert rows["new"]["hand_over_wcu"] == 0
    hand_overs = [t for t in rows["year"]["per_turn"] if t["hand_over"]]
    assert len(hand_overs) == 1
    (call,) = hand_overs[0]["calls"]
    assert call["operation"] == "TransactWriteItems" and len(call["written_sizes"]) == 2
    assert call["wcu"] == 2 * sum(write_units(s) for s in call["written_sizes"]) <= 4


# -- the sizing rules themselves ----------------------------------------------------------------


def test_item_sizes_follow_dynamodbs_rules() -> None:
    assert item_size({"pk": {"S": "abc"}}) == 2 + 3
    assert item_size({"n": {"N": "12345"}}) == 1 + 3 + 1  # ceil(5 / 2) + 1
    assert item_size({"n": {"N": "-0.0100"}}) == 1 + 1 + 1  # zeros trimmed: "1"
    assert item_size({"b": {"BOOL": True}, "z": {"NULL": True}}) == 4
    assert item_size({"s": {"S": "é"}}) == 1 + 2  # UTF-8 bytes
    assert item_size({"b": {"B": "AAEC"}}) == 1 + 3  # three bytes, base64
    # Maps and lists: 3 bytes, the contents, 1 per element.
    assert item_size({"m": {"M": {"ab": {"S": "xy"}}}}) == 1 + 3 + (2 + 2 + 1)
    assert item_size({"l": {"L": [{"S": "x"}, {"N": "1"}]}}) == 1 + 3 + (1 + 1) + (2 + 1)


def test_capacity_units_round_up_per_item_and_per_query() -> None:
    assert [write_units(s) for s in (1, 1024, 1025, 2048, 2049)] == [1, 1, 2, 2, 3]
    assert read_units(4096, consistent=True) == 1 and read_units(4097, consistent=True) == 2
    assert read_units(4097, consistent=False) == 1 and read_units(10, consistent=False) == 0.5
    meter = Meter()
    kilobyte = {"pk": {"S": "h"}, "sk": {"S": "x"}, "t": {"S": "a" * 1017}}  # 1024 bytes
    items = [dict(kilobyte, sk={"S": f"{n}"}) for n in range(5)]
    # A Query costs the sum of the items it returns (5 KB: 2 RCU), not 1 RCU per item.
    query = meter._costed("Query", {"TableName": "t", "ConsistentRead": True}, {"Items": items})
    assert query.rcu == 2
    put = meter._costed("PutItem", {"TableName": "t", "Item": items[0]}, {})
    assert put.wcu == 1 and put.unchanged == 1  # stored exactly so by the Query
    bigger = dict(items[0], t={"S": "a" * 1100})
    assert meter._costed("PutItem", {"TableName": "t", "Item": bigger}, {}).wcu == 2
    # A smaller item replacing it is charged for the larger of before and after.
    assert meter._costed("PutItem", {"TableName": "t", "Item": items[0]}, {}).wcu == 2
    transaction = {
        "TransactItems": [{"Put": {"TableName": "t", "Item": i}} for i in items[1:3]],
    }
    assert meter._costed("TransactWriteItems", transaction, {}).wcu == 2 * (1 + 1)
