"""Cold start, warm latency and memory of the skill, measured on this machine.

Each cold figure comes from a fresh Python process (as a new Lambda container
would be); DynamoDB is moto's server on 127.0.0.1, the Alexa APIs the local
stand-in. Run with `make bench`; results are printed and written as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "lambda"), str(ROOT)]

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import lambda_function
t1 = time.perf_counter()
loaded = sorted(m for m in ("boto3", "vaderSentiment", "flask", "moto") if m in sys.modules)
from bench.workload import Household
h = Household(lambda_function.lambda_handler)
t2 = time.perf_counter()
h.launch()
t3 = time.perf_counter()
h.checkin()
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"import_s": t1 - t0, "first_response_s": t3 - t2,
                  "heavy_modules_at_import": loaded, "peak_rss_mb": peak_kb / 1024}))
"""


def cold_runs(runs: int, env: dict[str, str]) -> list[dict[str, float]]:
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", CHILD],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


def warm_turns(turns: int) -> list[float]:
    import lambda_function

    from bench.workload import Household

    household = Household(lambda_function.lambda_handler)
    household.launch()
    return household.timed_checkins(turns)


def detector_costs(repeats: int = 20) -> dict[str, float]:
    """The crisis and abuse detector on every answer: first call (loads its data) and warm."""
    import time

    from closer_together import concerns

    answers = [
        line.split("\t")[1]
        for line in (ROOT / "tests" / "data" / "safety_dev.tsv").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    ] + [
        line.strip()
        for line in (ROOT / "tests" / "data" / "ordinary_answers.txt")
        .read_text("utf-8")
        .splitlines()
        if line.strip() and not line.startswith("#")
    ]
    start = time.perf_counter()
    concerns.detect(answers[0])
    first = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        for answer in answers:
            start = time.perf_counter()
            concerns.detect(answer)
            times.append(time.perf_counter() - start)
    times.sort()
    return {
        "detector_first_call_ms": round(first * 1000, 2),
        "detector_ms_median": round(statistics.median(times) * 1000, 3),
        "detector_ms_p99": round(times[int(len(times) * 0.99) - 1] * 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cold", type=int, default=5, help="fresh processes to start")
    parser.add_argument(
        "--side-by-side", type=int, default=10, help="cold runs of each: skill, floor, peer"
    )
    parser.add_argument("--warm", type=int, default=300, help="warm turns to time")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "latest.json"))
    args = parser.parse_args()

    import logging

    from alexa_local.dynamo import AtomicMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    from alexa_local.api_standin import AlexaApiStandIn

    with tempfile.TemporaryDirectory() as tmp:
        server = AtomicMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        standin = AlexaApiStandIn(data_dir=Path(tmp)).start()
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_REGION": "us-east-1",
            "TABLE_NAME": "CloserTogetherBench",
            "DYNAMODB_ENDPOINT": f"http://{host}:{port}",
            "REQUESTS_CA_BUNDLE": str(standin.ca_path),
            "BENCH_API_ENDPOINT": standin.endpoint,
            "BENCH_API_TOKEN": standin.token,
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "lambda"), str(ROOT)]),
        }
        os.environ.update(env)
        from closer_together.storage import create_table

        create_table()
        from bench.cold import cold_side_by_side, prepare

        prepare(env, Path(tmp) / "launch.json")
        side_by_side = cold_side_by_side(args.side_by_side, env)
        cold = cold_runs(args.cold, env)
        warm = warm_turns(args.warm)
        standin.stop()
        server.stop()

    warm_ms = sorted(t * 1000 for t in warm)
    report = {
        "python": sys.version.split()[0],
        "cold_import_ms_median": round(statistics.median(r["import_s"] for r in cold) * 1000, 1),
        "cold_first_response_ms_median": round(
            statistics.median(r["first_response_s"] for r in cold) * 1000, 1
        ),
        "heavy_modules_at_import": sorted({m for r in cold for m in r["heavy_modules_at_import"]}),
        "peak_rss_mb_after_checkin": round(max(r["peak_rss_mb"] for r in cold), 1),
        "warm_turn_ms_median": round(statistics.median(warm_ms), 2),
        "warm_turn_ms_p95": round(warm_ms[int(len(warm_ms) * 0.95) - 1], 2),
        "warm_turns": len(warm_ms),
        **side_by_side,
        **detector_costs(),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    for key, value in report.items():
        print(f"{key:34} {value}")


if __name__ == "__main__":
    main()
