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
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "lambda"), str(ROOT)]


FIRST_DETECTION = r"""
import json, sys, time
from closer_together import concerns
start = time.perf_counter()
concerns.detect(sys.argv[1])
print(json.dumps(time.perf_counter() - start))
"""


def _first_detection_in_a_fresh_process(answer: str) -> float:
    """The first answer a new container checks: it loads the rules, frames and model."""
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", FIRST_DETECTION, answer],
        env={**os.environ, "PYTHONPATH": str(ROOT / "lambda")},
        capture_output=True,
        text=True,
        check=True,
    )
    seconds: float = json.loads(done.stdout.strip().splitlines()[-1])
    return seconds


def detector_costs(repeats: int = 20) -> dict[str, float]:
    """The crisis and abuse detector on every answer: first call (loads its data) and warm."""
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
    # An ordinary answer goes through every rule and the model: the longest first call.
    first = _first_detection_in_a_fresh_process(answers[-1])
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


def slow_parts(details: dict[str, Any], web_seconds: float) -> dict[str, Any]:
    """DynamoDB capacity, the package, the web service's throughput and the cost table."""
    from bench.capacity import capacity_report
    from bench.cost import cost_table

    found: dict[str, Any] = {}
    print("DynamoDB capacity of each conversation ...", flush=True)
    capacity = capacity_report()
    for rows in capacity["conversations"].values():
        for row in rows.values():
            row.pop("per_turn", None)  # in bench/results/capacity.json via make bench-capacity
    found["capacity"] = capacity
    found["cost"] = cost_table(details, capacity)
    print("the package sam build makes ...", flush=True)
    # pip must trust the real index, not the Alexa API stand-in's local CA.
    os.environ.pop("REQUESTS_CA_BUNDLE", None)
    try:
        from bench.package import package_report

        package = package_report()
        package.pop("handler_import", None)
        found["package"] = package
    except (SystemExit, Exception) as error:  # no Python 3.12 or no index: said, not fatal
        found["package"] = {"error": f"{type(error).__name__}: {error}"}
    print("the web service's throughput ...", flush=True)
    from bench.webservice_load import throughput_report

    found["web"] = throughput_report(seconds=web_seconds)
    return found


def machine() -> dict[str, Any]:
    import platform

    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    return {
        "python": sys.version.split()[0],
        "cpu": model,
        "cores": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()}",
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
    }


def bars(details: dict[str, Any]) -> list[dict[str, Any]]:
    """Each goal of the benchmark: its figure, its bar and whether it holds."""
    found = []
    if "cold_skill_over_floor" in details:
        over_floor = details["cold_skill_over_floor"]
        over_peer = details["cold_skill_over_peer"]
        found.append(
            {
                "figure": "cold start over the floor / over the peer (medians)",
                "value": f"{over_floor} / {over_peer}",
                "bar": "<= 1.15 and < 1.00",
                "holds": over_floor <= 1.15 and over_peer < 1.0,
            }
        )
    if "warm_skill_over_floor_median" in details:
        ratio = details["warm_skill_over_floor_median"]
        found.append(
            {
                "figure": "warm turn over the floor (medians)",
                "value": ratio,
                "bar": "<= 1.5",
                "holds": ratio <= 1.5,
            }
        )
    if "memory_peak_rss_mb" in details:
        peak = details["memory_peak_rss_mb"]
        found.append(
            {
                "figure": f"peak RSS after {details['memory_turns']} warm turns (MB)",
                "value": peak,
                "bar": "< 128",
                "holds": peak < 128,
            }
        )
    capacity = details.get("capacity")
    if capacity:
        for name, rows in capacity["conversations"].items():
            for history, row in rows.items():
                failed = [bar for bar, ok in row["bars"].items() if not ok]
                found.append(
                    {
                        "figure": f"DynamoDB, {name} ({history}): reads/writes, RCU/WCU",
                        "value": f"{row['reads']}/{row['writes']}, {row['rcu']:g}/{row['wcu']:g}",
                        "bar": "capacity bars",
                        "holds": not failed,
                        **({"missed": failed} if failed else {}),
                    }
                )
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--side-by-side", type=int, default=12, help="cold runs of each: skill, floor, peer"
    )
    parser.add_argument("--warm", type=int, default=1100, help="warm turns of each, timed")
    parser.add_argument("--memory", type=int, default=1000, help="warm turns before peak RSS")
    parser.add_argument(
        "--web-seconds", type=float, default=10.0, help="each throughput run of the web service"
    )
    parser.add_argument("--quick", action="store_true", help="cold, warm and memory only")
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
        from bench.warm import memory_after, warm_side_by_side

        prepare(env, Path(tmp) / "launch.json")
        details: dict[str, Any] = {}
        print("cold starts, side by side ...", flush=True)
        details.update(cold_side_by_side(args.side_by_side, env))
        print("memory ...", flush=True)
        details.update(memory_after(args.memory, env))
        print("warm turns, side by side ...", flush=True)
        details.update(warm_side_by_side(args.warm))
        standin.stop()
        server.stop()
    details.update(detector_costs())
    if not args.quick:
        details.update(slow_parts(details, args.web_seconds))

    found = bars(details)
    report: dict[str, Any] = {"machine": machine(), "bars": found, "details": details}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print()
    for key, value in report["machine"].items():
        print(f"{key:10} {value}")
    print()
    for key, value in details.items():
        if key not in ("capacity", "package", "web", "cost"):
            print(f"{key:40} {value}")
    if "capacity" in details:
        from bench.capacity import table

        print("\n" + table(details["capacity"]))
    if "package" in details:
        package = details["package"]
        print(
            f"\npackage (sam build's artifact): {package.get('unzipped_mb')} MB unzipped, "
            f"{package.get('zipped_mb')} MB zipped, {package.get('files')} files, "
            f"boto3 absent: {package.get('boto3_absent')}"
            + (f" ({package['error']})" if "error" in package else "")
        )
    if "web" in details:
        from bench.webservice_load import print_throughput

        print_throughput(details["web"])
    if "cost" in details:
        from bench.cost import printed

        print("\n" + printed(details["cost"]))
    print()
    for bar in found:
        mark = "holds" if bar["holds"] else "MISSED"
        print(f"{bar['figure']:58} {bar['value']!s:>14}  bar {bar['bar']:>18}  {mark}")


if __name__ == "__main__":
    main()
