"""Warm turns side by side, and memory after many of them.

- warm: the scripted two-partner check-in of bench/workload.py, replayed day after day in
  one process, each turn timed against the same turn sent to a floor skill (ask-sdk, one
  pynamodb get and one put per turn, on the same DynamoDB). Both are driven by the same
  simulator, so the envelope building and JSON round trips cost both sides alike; the turns
  alternate, so a noisy machine slows both.
- memory: a fresh process answers launch, names and N warm turns of the skill alone; its
  peak RSS (VmHWM, counted for this process only) is the figure.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def floor_handler() -> Any:
    """A minimal ask-sdk skill: per turn, one get and one put of a small item."""
    from ask_sdk_core.dispatch_components import AbstractRequestHandler
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_core.skill_builder import SkillBuilder
    from ask_sdk_core.utils.request_util import get_user_id
    from ask_sdk_model import Response
    from pynamodb.attributes import NumberAttribute, UnicodeAttribute
    from pynamodb.exceptions import DoesNotExist
    from pynamodb.models import Model

    class Item(Model):
        class Meta:
            table_name = os.environ["TABLE_NAME"]
            region = os.environ["AWS_REGION"]
            host = os.environ["DYNAMODB_ENDPOINT"]

        pk = UnicodeAttribute(hash_key=True)
        sk = UnicodeAttribute(range_key=True)
        turns = NumberAttribute(default=0)

    class Everything(AbstractRequestHandler):
        def can_handle(self, handler_input: HandlerInput) -> bool:
            return True

        def handle(self, handler_input: HandlerInput) -> Response:
            user = str(get_user_id(handler_input))
            try:
                item = Item.get(f"floor#{user}", "household")
            except DoesNotExist:
                item = Item(f"floor#{user}", "household")
            item.turns += 1
            item.save()
            builder = handler_input.response_builder
            return builder.speak("Noted.").ask("What else?").response

    builder = SkillBuilder()
    builder.add_request_handler(Everything())
    return builder.lambda_handler()


def percentile(sorted_values: list[float], share: float) -> float:
    return sorted_values[max(0, int(len(sorted_values) * share) - 1)]


def summary(values: list[float]) -> dict[str, float]:
    ms = sorted(v * 1000 for v in values)
    return {
        "median": round(statistics.median(ms), 2),
        "p95": round(percentile(ms, 0.95), 2),
        "p99": round(percentile(ms, 0.99), 2),
    }


def warm_side_by_side(turns: int) -> dict[str, Any]:
    """The skill's warm turns against the floor's, alternating turn by turn."""
    import gc

    import lambda_function

    from bench.workload import ANSWERS, Household

    skill, floor = Household(lambda_function.lambda_handler), Household(floor_handler())
    skill.launch()
    floor.launch()
    times: dict[str, list[float]] = {"skill": [], "floor": []}
    by_intent: dict[str, list[float]] = defaultdict(list)
    cpu: list[float] = []
    gc_before = sum(s["collections"] for s in gc.get_stats())
    while len(times["skill"]) < turns:
        skill.next_day()
        floor.next_day()
        for index, (name, slots) in enumerate([("StartCheckInIntent", {}), *ANSWERS]):
            pair = [("skill", skill), ("floor", floor)]
            for kind, household in pair if index % 2 else pair[::-1]:
                started, cpu_started = time.perf_counter(), time.thread_time()
                household.sim.intent(name, **slots)
                elapsed = time.perf_counter() - started
                times[kind].append(elapsed)
                if kind == "skill":
                    by_intent[name].append(elapsed)
                    # This thread only: moto's server answers in threads of its own.
                    cpu.append(time.thread_time() - cpu_started)
    collections = sum(s["collections"] for s in gc.get_stats()) - gc_before
    skill_s, floor_s = summary(times["skill"]), summary(times["floor"])
    return {
        "warm_turns": len(times["skill"]),
        "warm_skill_ms": skill_s,
        "warm_floor_ms": floor_s,
        "warm_skill_over_floor_median": round(skill_s["median"] / floor_s["median"], 2),
        "warm_skill_ms_median_by_intent": {
            name: round(statistics.median(v) * 1000, 2) for name, v in sorted(by_intent.items())
        },
        "warm_gc_collections": collections,
        # For the cost estimate: Lambda bills the mean, and scales the CPU part with memory.
        "warm_skill_ms_mean": round(statistics.fmean(times["skill"]) * 1000, 2),
        "warm_skill_cpu_ms_mean": round(statistics.fmean(cpu) * 1000, 2),
    }


MEMORY_CHILD = r"""
import json, sys
import lambda_function
from bench.workload import Household
household = Household(lambda_function.lambda_handler)
household.launch()
household.timed_checkins(int(sys.argv[1]))
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(json.dumps({"peak_rss_mb": int(status["VmHWM"].split()[0]) / 1024,
                  "rss_mb": int(status["VmRSS"].split()[0]) / 1024}))
"""


def memory_after(turns: int, env: dict[str, str]) -> dict[str, Any]:
    """Peak RSS of a fresh process after `turns` warm turns of the skill alone."""
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(turns)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    return {
        "memory_turns": turns,
        "memory_peak_rss_mb": round(found["peak_rss_mb"], 1),
        "memory_rss_mb_at_end": round(found["rss_mb"], 1),
    }
