"""Cold start side by side: this skill, the floor, and a skill written as Amazon's samples do.

Each run is a fresh Python process that answers one LaunchRequest of a known household
(its time zone known, so no Alexa API call), timed from the first import to the response.
The three kinds run interleaved, in a rotating order, so a noisy machine slows them alike:

- floor: imports `ask_sdk_core.skill_builder` and `pynamodb.models` and reads one item;
- peer: `StandardSkillBuilder` with the ask-sdk DynamoDB persistence adapter on boto3,
  reading and saving persistent attributes, as the official samples do;
- skill: `lambda_function.lambda_handler` from a copy of `lambda/` compiled beforehand with
  unchecked-hash bytecode, as `sam build` ships it (lambda/Makefile);
- skill_from_source: the same from `lambda/` as source, compiling its own modules on import
  (what a package without `.pyc` would cost).
"""

from __future__ import annotations

import compileall
import json
import os
import py_compile
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PEER_TABLE = "CloserTogetherBenchPeer"

FLOOR = r"""
import json, os, sys, time
t0 = time.perf_counter()
import ask_sdk_core.skill_builder
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

class Item(Model):
    class Meta:
        table_name = os.environ["TABLE_NAME"]
        region = os.environ["AWS_REGION"]
        host = os.environ["DYNAMODB_ENDPOINT"]
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)

Item.get(os.environ["BENCH_HOUSEHOLD"], "household")
print(json.dumps({"seconds": time.perf_counter() - t0}))
"""

PEER = r"""
import json, os, sys, time
event = json.loads(open(os.environ["BENCH_EVENT"]).read())
t0 = time.perf_counter()
import boto3
from ask_sdk.standard import StandardSkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_dynamodb.partition_keygen import user_id_partition_keygen

builder = StandardSkillBuilder(
    table_name=os.environ["BENCH_PEER_TABLE"],
    auto_create_table=False,
    partition_keygen=user_id_partition_keygen,
    dynamodb_client=boto3.resource("dynamodb", endpoint_url=os.environ["DYNAMODB_ENDPOINT"]),
)

@builder.request_handler(can_handle_func=is_request_type("LaunchRequest"))
def launch(handler_input):
    attributes = handler_input.attributes_manager.persistent_attributes
    attributes["visits"] = attributes.get("visits", 0) + 1
    handler_input.attributes_manager.save_persistent_attributes()
    return handler_input.response_builder.speak("Welcome back, Sam and Alex.").response

answer = builder.lambda_handler()(event, None)
assert "Welcome back" in json.dumps(answer)
print(json.dumps({"seconds": time.perf_counter() - t0}))
"""

SKILL = r"""
import json, os, sys, time
event = json.loads(open(os.environ["BENCH_EVENT"]).read())
t0 = time.perf_counter()
import lambda_function
answer = lambda_function.lambda_handler(event, None)
assert "Sam and Alex" in json.dumps(answer), answer
print(json.dumps({"seconds": time.perf_counter() - t0}))
"""

KINDS = {"floor": FLOOR, "peer": PEER, "skill": SKILL, "skill_from_source": SKILL}


def prepare(env: dict[str, str], event_path: Path) -> None:
    """A known household in the skill's table and the peer's, and its launch event."""
    from datetime import UTC, datetime

    import botocore.session

    from alexa_local import envelopes
    from closer_together.household import Household, Partner, household_id_for
    from closer_together.storage import HouseholdStore

    user = "amzn1.ask.account.BENCHCOLD"
    household = Household(household_id=household_id_for(user), time_zone="America/New_York")
    household.partners = [Partner("Sam"), Partner("Alex")]
    household.created_on = "2026-11-01"
    HouseholdStore().save(household)
    env["BENCH_HOUSEHOLD"] = household.household_id
    client = botocore.session.get_session().create_client(
        "dynamodb",
        endpoint_url=env["DYNAMODB_ENDPOINT"],
        region_name=env["AWS_REGION"],
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    client.create_table(
        TableName=PEER_TABLE,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    env["BENCH_PEER_TABLE"] = PEER_TABLE
    env.setdefault("AWS_DEFAULT_REGION", env["AWS_REGION"])  # boto3 reads this one
    device = envelopes.Device(
        user_id=user, device_id="d", api_endpoint=env["BENCH_API_ENDPOINT"], api_token=""
    )
    now = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    event_path.write_text(json.dumps(envelopes.launch(device, envelopes.Session(), now)))
    env["BENCH_EVENT"] = str(event_path)
    precompiled = event_path.parent / "lambda-precompiled"
    shutil.copytree(ROOT / "lambda", precompiled, ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(
        precompiled, quiet=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
    )
    env["BENCH_PRECOMPILED"] = str(precompiled)


def cold_side_by_side(runs: int, env: dict[str, str]) -> dict[str, Any]:
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    order = list(KINDS)
    places = {"skill": Path(env["BENCH_PRECOMPILED"]), "skill_from_source": ROOT / "lambda"}
    for run in range(runs):
        for kind in order[run % len(order) :] + order[: run % len(order)]:
            out = subprocess.run(
                [sys.executable, "-c", KINDS[kind]],
                env={**env, "PYTHONPATH": str(places.get(kind, ROOT))},
                cwd=places.get(kind, ROOT),
                capture_output=True,
                text=True,
            )
            if out.returncode != 0:
                raise RuntimeError(f"{kind} failed: {out.stderr[-2000:]}")
            times[kind].append(json.loads(out.stdout.strip().splitlines()[-1])["seconds"])
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    # The fastest run of each is the least disturbed by the rest of the machine.
    fastest = {kind: min(values) for kind, values in times.items()}
    return {
        "cold_runs_each": runs,
        **{f"cold_{kind}_ms_median": round(value * 1000, 1) for kind, value in medians.items()},
        **{f"cold_{kind}_ms_min": round(value * 1000, 1) for kind, value in fastest.items()},
        "cold_skill_over_floor": round(medians["skill"] / medians["floor"], 2),
        "cold_skill_over_peer": round(medians["skill"] / medians["peer"], 2),
        "cold_skill_over_floor_min": round(fastest["skill"] / fastest["floor"], 2),
        "cold_skill_over_peer_min": round(fastest["skill"] / fastest["peer"], 2),
        "cold_from_source_over_floor": round(medians["skill_from_source"] / medians["floor"], 2),
    }


def main() -> None:
    """Alone: `python bench/cold.py` (make bench runs it with the rest)."""
    sys.path[:0] = [str(ROOT / "lambda"), str(ROOT)]
    os.environ.setdefault("AWS_REGION", "us-east-1")
    print("run `make bench`")


if __name__ == "__main__":
    main()
