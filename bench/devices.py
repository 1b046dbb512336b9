"""Devices of one household answering at the same moment, and what a year of history costs.

`make bench-devices`: for 2, 4 and 8 devices (barrier-synchronised, each an appreciation
ritual of two answers, repeated `--rounds` times on new days), how many answers were given
and stored, how many writes met a version conflict and were merged, and each turn's time;
then the household item's size and a session's read after a year of daily check-ins.
Figures from one run, on moto's server on this machine: compare them with each other.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "lambda"), str(ROOT)]
MODEL = ROOT / "interaction_models" / "en-US.json"

from bench.stack import local_stack  # noqa: E402  (after the path above)


class Calls:
    """DynamoDB operations as they leave the process (botocore's before-call event)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ops: list[str] = []
        self.sizes: list[int] = []

    def __call__(self, model: Any, params: Any = None, **_: Any) -> None:
        body = params.get("body") if isinstance(params, dict) else None
        sent = json.loads(body) if body else {}
        items = [sent.get("Item")]
        items += [t.get("Put", {}).get("Item") for t in sent.get("TransactItems", [])]
        with self.lock:
            self.ops.append(model.name)
            self.sizes += [len(json.dumps(i).encode()) for i in items if i]


def devices_at_once(handler: Any, count: int, rounds: int, api: Any) -> dict[str, Any]:
    from alexa_local.simulator import Simulator
    from closer_together.household import household_id_for
    from closer_together.storage import HouseholdStore

    user = f"amzn1.ask.account.DEVICES{count}{time.time_ns()}"
    day = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    clock = {"now": day}

    def sim(device: str) -> Simulator:
        return Simulator(
            handler,
            model_path=MODEL,
            user_id=user,
            device_id=device,
            api_endpoint=api.endpoint,
            api_token=api.token,
            clock=lambda: clock["now"],
        )

    setup = sim("setup")
    setup.launch()
    setup.intent("NamesIntent", firstName="Sam", secondName="Alex")
    setup.intent("AMAZON.StopIntent")
    devices = [sim(f"device-{n}") for n in range(count)]
    timings: list[float] = []
    lock = threading.Lock()
    failed_spoken = 0
    given = 0
    for r in range(rounds):
        clock["now"] = day + timedelta(days=r)
        steps: list[tuple[str, dict[str, str]]] = [("AppreciationIntent", {})]
        steps += [
            ("AnswerIntent", {"answer": f"how you fixed the sink {who} {{n}} {r}"})
            for who in ("Sam", "Alex")
        ]
        for name, slots in steps:
            barrier = threading.Barrier(count)

            def run(
                n: int,
                device: Any,
                name: str = name,
                slots: dict[str, str] = slots,
                barrier: threading.Barrier = barrier,
            ) -> None:
                filled = {k: v.format(n=n) for k, v in slots.items()}
                barrier.wait()
                started = time.perf_counter()
                turn = device.intent(name, **filled)
                elapsed = time.perf_counter() - started
                nonlocal failed_spoken
                with lock:
                    timings.append(elapsed)
                    failed_spoken += "couldn't save" in turn.text

            threads = [threading.Thread(target=run, args=(n, d)) for n, d in enumerate(devices)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            given += count if name == "AnswerIntent" else 0
    household = HouseholdStore().load(household_id_for(user))
    stored = sum(len(e.moments) for e in household.journal.values())
    ms = sorted(t * 1000 for t in timings)
    return {
        "devices": count,
        "answers_given": given,
        "answers_stored": stored,
        "save_failed_spoken": failed_spoken,
        "turn_ms_median": round(statistics.median(ms), 1),
        "turn_ms_max": round(ms[-1], 1),
    }


def a_year_of_history(calls: Calls) -> dict[str, Any]:
    from closer_together.household import Household
    from closer_together.storage import HouseholdStore

    store = HouseholdStore()
    household_id = f"bench-history-{time.time_ns()}"
    first = date(2025, 1, 1)
    household = Household(household_id=household_id)
    reads: list[int] = []
    largest = 0
    for n in range(365):
        today = first + timedelta(days=n)
        now = datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=20)
        household = store.load(household_id, today)
        for m in range(4):
            text = f"day {n} moment {m}: " + "we cooked " * 12
            household.keep(today, "best", m % 2, text, "checkin")
        household.mark_done(today, "checkin", ["0:best", "1:best"], now)
        household.prune(today)
        with calls.lock:
            calls.sizes.clear()
        household, _ = store.save(household, now, today)
        largest = max([largest, *calls.sizes])
        reads.append(len(json.dumps(household.to_dict()).encode()))
    last = first + timedelta(days=364)
    return {
        "days": 365,
        "largest_item_written_bytes": largest,
        "session_copy_bytes_last_day": reads[-1],
        "days_read_by_a_session": len(
            store.load(household_id, first + timedelta(days=364)).journal
        ),
        "streak_after_a_year": household.streak("checkin", last),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "devices.json"))
    args = parser.parse_args()
    calls = Calls()
    import botocore.session
    import pynamodb.connection.base

    def session() -> Any:
        made = botocore.session.get_session()
        made.register("before-call.dynamodb", calls)
        return made

    pynamodb.connection.base.get_session = session
    with local_stack("CloserTogetherDevices") as (handler, api):
        report: dict[str, Any] = {"devices_at_once": []}
        for count in (2, 4, 8):
            with calls.lock:
                calls.ops.clear()
            row = devices_at_once(handler, count, args.rounds, api)
            with calls.lock:
                writes = calls.ops.count("PutItem") + calls.ops.count("TransactWriteItems")
            row["writes_including_merged_retries"] = writes
            report["devices_at_once"].append(row)
        report["a_year_of_history"] = a_year_of_history(calls)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
