"""Slow clients and certificate-fetch floods against the web service, measured.

The service runs in its own process (so that its RSS is its own), on a free port, with
verification on: a local PKI shaped like Amazon's (the tests' one), and a fake S3 bucket that
knows one chain and answers every other URL with a 404 after FETCH_LATENCY seconds, as a
real round trip would. Phases:

  a. N idle connections (half of them half-open: headers begun, never ended), then
     legitimate requests: are they served, and how fast?
  b. a flood of requests with distinct, rule-conforming certificate URLs, while a legitimate
     client keeps asking: its p50/p99, and how many downloads the flood caused;
  c. RSS before and after 6,000 distinct URLs (default limits), and again with the download
     budget lifted and a bucket that serves a valid chain for every URL, so that every URL is
     downloaded, checked and cached: the caches' bounds are then all that holds memory.
  d. throughput (`--throughput`, alone): the real skill on a moto DynamoDB, answering signed
     LaunchRequests of a known household from client processes on 1 and 8 keep-alive
     connections, with verification on and off side by side: requests a second, p50/p95/p99
     and errors for each, and the on/off ratio. `throughput_report(seconds)` returns it.

`make bench-web`, or `python bench/webservice_load.py [--baseline]`. --baseline also runs
a and b against waitress's defaults and an unlimited verifier (the service before hardening).
`make bench-web-rps`, or `python bench/webservice_load.py --throughput [--seconds 10]`.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "lambda"), str(ROOT), str(ROOT / "tests")]

FETCH_LATENCY = 0.2
IDLE_CONNECTIONS = 150
FLOOD_SECONDS = 10.0
FLOOD_THREADS = 8
MEMORY_URLS = 6000
THROUGHPUT_TABLE = "CloserTogetherThroughput"
THROUGHPUT_SECONDS = 10.0
THROUGHPUT_CONNECTIONS = (1, 8)
# The household every throughput request is from: named, its time zone known, so a launch
# reads DynamoDB once and asks no Alexa API (the endpoint below would refuse it anyway).
BENCH_USER_ID = "amzn1.ask.account.BENCHTHROUGHPUT"
BENCH_NAMES = ("Sam", "Alex")
UNREACHABLE_API = "http://127.0.0.1:9"
# Distinct signed requests each connection cycles through (the verifier checks signature and
# freshness, not uniqueness); signed just before each measurement, so they stay fresh.
SIGNED_PER_CONNECTION = 64
# The verifier refuses timestamps 150 s off: a measurement must end well within that.
MAX_THROUGHPUT_SECONDS = 120.0
WARMUP_REQUESTS = 20


# --- the service, in its own process ---


@dataclass(frozen=True)
class ServeOptions:
    files: str  # directory holding root.pem and chain.pem
    started: float  # wall time the clocks of both processes count from
    mode: str  # "hardened", "baseline", "open-bucket", "skill" or "skill-unverified"
    # For the skill modes: the storage environment (TABLE_NAME, DYNAMODB_ENDPOINT, ...).
    env: dict[str, str] = field(default_factory=dict)
    # For the skill modes: create the table and store the bench household before serving.
    seed: bool = False


SKILL_MODES = ("skill", "skill-unverified")


def _serve(options: ServeOptions, port_out: Any, stats: Any) -> None:
    import logging

    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import ResponseEnvelope
    from ask_sdk_model.response import Response as SkillResponse
    from cryptography import x509
    from cryptography.x509 import verification
    from test_webservice_verify import CERT_URL, NOW, SKILL_ID
    from waitress import create_server

    from webservice.__main__ import build_server
    from webservice.app import Settings, SkillLike, create_app
    from webservice.verify import FetchError, RequestVerifier

    logging.basicConfig(level=logging.ERROR)  # one warning per refused request otherwise
    files = Path(options.files)
    root = x509.load_pem_x509_certificate((files / "root.pem").read_bytes())
    chain = (files / "chain.pem").read_bytes()

    def fetch(url: str, timeout: float, max_bytes: int) -> bytes:
        with stats.get_lock():
            stats[0] += 1
        if url == CERT_URL or options.mode == "open-bucket":
            return chain
        time.sleep(FETCH_LATENCY)
        raise FetchError("HTTP status 404")

    class StubSkill:
        serializer = DefaultSerializer()

        def invoke(self, request_envelope: Any, context: Any) -> ResponseEnvelope:
            return ResponseEnvelope(version="1.0", response=SkillResponse())

    skill: SkillLike = StubSkill()
    if options.mode in SKILL_MODES:
        os.environ.update(options.env)
        if options.seed:
            _seed_household(NOW)
        from closer_together.skill import get_skill

        skill = get_skill()
        logging.getLogger("botocore").setLevel(logging.ERROR)  # the skill sets it to INFO

    limits: dict[str, Any] = {}
    if options.mode == "baseline":
        limits = {"max_fetches_in_flight": 10**9, "fetches_per_minute": 10**9}
    elif options.mode == "open-bucket":
        limits = {"fetches_per_minute": 10**9}
    verifier = RequestVerifier(
        trust_store=verification.Store([root]),
        fetcher=fetch,
        clock=lambda: NOW + timedelta(seconds=time.time() - options.started),
        **limits,
    )
    settings = Settings(
        port=0, skill_id=SKILL_ID, verify_requests=options.mode != "skill-unverified"
    )
    app = create_app(skill=skill, verifier=verifier, settings=settings)
    if options.mode == "baseline":
        # What build_server did before: waitress's defaults but for the body cap.
        server = create_server(
            app, host="127.0.0.1", port=0, max_request_body_size=settings.max_body_bytes
        )
    else:
        server = build_server(app, settings)

    def report() -> None:
        while True:
            cached, failed, _ = verifier.cache_sizes()
            stats[1], stats[2] = cached, failed
            time.sleep(0.2)

    threading.Thread(target=report, daemon=True).start()
    port_out.put(server.effective_port)
    server.run()


def _seed_household(now: Any) -> None:
    """The table, and a named household with a time zone (for the skill modes)."""
    from closer_together.household import Household, Partner, household_id_for
    from closer_together.storage import HouseholdStore, create_table

    create_table()
    store = HouseholdStore()
    household_id = household_id_for(BENCH_USER_ID)
    if store.load(household_id).version is None:
        household = Household(
            household_id=household_id,
            partners=[Partner(name) for name in BENCH_NAMES],
            created_on=now.date().isoformat(),
            time_zone="America/New_York",
        )
        store.save(household, now=now, today=now.date())


@contextlib.contextmanager
def service(mode: str, files: str, started: float) -> Iterator[Service]:
    with services([ServeOptions(files, started, mode)]) as (svc,):
        yield svc


@contextlib.contextmanager
def services(options: Sequence[ServeOptions]) -> Iterator[tuple[Service, ...]]:
    """Services in processes of their own, started together; yields once all listen."""
    context = multiprocessing.get_context("spawn")
    started = []
    try:
        for option in options:
            port_out = context.Queue()
            stats = context.Array("q", 3)  # downloads, cached certificates, remembered failures
            process = context.Process(target=_serve, args=(option, port_out, stats), daemon=True)
            process.start()
            started.append((process, port_out, stats))
        yield tuple(
            Service(port_out.get(timeout=60), process.pid or 0, stats)
            for process, port_out, stats in started
        )
    finally:
        for process, _, _ in started:
            process.terminate()
        for process, _, _ in started:
            process.join(10)


@dataclass
class Service:
    port: int
    pid: int
    stats: Any

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def downloads(self) -> int:
        return int(self.stats[0])

    def cpu_seconds(self) -> float:
        """User and system time the service process has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def settle(self) -> tuple[int, int]:
        time.sleep(0.5)  # the service reports its cache sizes every 0.2 s
        return int(self.stats[1]), int(self.stats[2])


# --- the clients ---


class Signer:
    def __init__(self, started: float) -> None:
        from test_webservice_verify import pki

        self.pki = pki()
        self.started = started

    def request(self, url: str | None = None) -> tuple[dict[str, str], bytes]:
        from test_webservice_verify import CERT_URL, NOW, body_of, envelope

        now = NOW + timedelta(seconds=time.time() - self.started)
        body = body_of(envelope(timestamp=now))
        return self.pki.headers(body, url=url or CERT_URL), body


def timed_post(
    http: requests.Session, service: Service, request: tuple[dict[str, str], bytes]
) -> tuple[float, int]:
    headers, body = request
    start = time.perf_counter()
    try:
        status = http.post(service.url, data=body, headers=headers, timeout=10).status_code
    except requests.RequestException:
        status = 0  # no answer within 10 s
    return time.perf_counter() - start, status


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0.0


def idle_connections(service: Service, signer: Signer) -> dict[str, Any]:
    with requests.Session() as http:
        quiet = [timed_post(http, service, signer.request())[0] for _ in range(10)]
    with contextlib.ExitStack() as stack:
        sockets = [
            stack.enter_context(socket.create_connection(("127.0.0.1", service.port)))
            for _ in range(IDLE_CONNECTIONS)
        ]
        for sock in sockets[::2]:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n")
        results = []
        for _ in range(10):
            with requests.Session() as http:  # a new connection each time, as a stranger
                results.append(timed_post(http, service, signer.request()))
            if results[-1][1] == 0:
                break  # starved: one 10 s wait says it, ten would only cost time
    served = [took for took, status in results if status == 200]
    return {
        "quiet_p50_ms": statistics.median(quiet) * 1000,
        "served": f"{len(served)}/{len(results)}",
        "p50_ms": statistics.median([took for took, _ in results]) * 1000,
        "max_ms": max(took for took, _ in results) * 1000,
    }


def flood(
    service: Service, signer: Signer, *, seconds: float | None, urls: int | None, tag: str
) -> dict[str, Any]:
    """Distinct certificate URLs from FLOOD_THREADS clients; a legitimate client meanwhile."""
    stop = threading.Event()
    counter = iter(range(10**9))
    lock = threading.Lock()
    statuses: dict[int, int] = {}

    def attacker() -> None:
        with requests.Session() as http:
            while not stop.is_set():
                with lock:
                    n = next(counter)
                if urls is not None and n >= urls:
                    return
                url = f"https://s3.amazonaws.com/echo.api/{tag}-{n}.pem"
                _, status = timed_post(http, service, signer.request(url))
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1

    downloads_before = service.downloads()
    threads = [threading.Thread(target=attacker, daemon=True) for _ in range(FLOOD_THREADS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    legit: list[float] = []
    legit_ok = 0
    with requests.Session() as http:
        while any(thread.is_alive() for thread in threads):
            if seconds is not None and time.monotonic() - started > seconds:
                stop.set()
            took, status = timed_post(http, service, signer.request())
            legit.append(took)
            legit_ok += status == 200
    for thread in threads:
        thread.join()
    return {
        "seconds": time.monotonic() - started,
        "flood_requests": sum(statuses.values()),
        "flood_statuses": dict(sorted(statuses.items())),
        "downloads": service.downloads() - downloads_before,
        "legit_ok": f"{legit_ok}/{len(legit)}",
        "legit_p50_ms": percentile(legit, 0.5) * 1000,
        "legit_p99_ms": percentile(legit, 0.99) * 1000,
    }


def memory(service: Service, signer: Signer, tag: str) -> dict[str, Any]:
    rss = [service.rss_mb()]
    for step in range(MEMORY_URLS // 1000):
        flood(service, signer, seconds=None, urls=1000, tag=f"{tag}{step}")
        rss.append(service.rss_mb())
    cached, failed = service.settle()
    return {"rss_mb": rss, "cached": cached, "failed": failed, "downloads": service.downloads()}


# --- d. throughput: the real skill, verification on and off ---

SignedRequest = tuple[dict[str, str], bytes]


def launch_requests(
    signer: Signer, count: int, *, bad_signature: bool = False
) -> list[SignedRequest]:
    """`count` distinct LaunchRequests of the bench household (new sessions), signed now."""
    from test_webservice_verify import CERT_URL, NOW, SKILL_ID

    from alexa_local.envelopes import Device, Session, launch

    device = Device(
        user_id=BENCH_USER_ID,
        device_id="amzn1.ask.device.BENCHTHROUGHPUT",
        api_endpoint=UNREACHABLE_API,
        api_token="bench-token",
        skill_id=SKILL_ID,
    )
    now = NOW + timedelta(seconds=time.time() - signer.started)
    signed = []
    for _ in range(count):
        body = json.dumps(launch(device, Session(), now)).encode()
        headers = signer.pki.headers(body, url=CERT_URL)
        if bad_signature:
            headers["Signature-256"] = signer.pki.sign(body + b" ")
        signed.append(({**headers, "Content-Type": "application/json"}, body))
    return signed


@dataclass(frozen=True)
class LoadJob:
    port: int
    requests: list[SignedRequest]
    start_at: float  # time.time() when every connection begins
    seconds: float
    expect: bytes  # in every right answer (a name of the household)


@dataclass
class LoadResult:
    latencies: list[float]
    statuses: dict[int, int]
    unexpected: int  # 200s whose body is not the skill's answer to the household
    finished_at: float


def _load_connection(job: LoadJob) -> LoadResult:
    """One keep-alive connection sending requests back to back (runs in a client process)."""

    def connect() -> http.client.HTTPConnection:
        connection = http.client.HTTPConnection("127.0.0.1", job.port, timeout=10)
        connection.connect()
        return connection

    connection = connect()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    unexpected = 0
    time.sleep(max(0.0, job.start_at - time.time()))
    end = job.start_at + job.seconds
    n = 0
    while time.time() < end:
        headers, body = job.requests[n % len(job.requests)]
        n += 1
        started = time.perf_counter()
        try:
            connection.request("POST", "/", body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status, answer = 0, b""  # no answer: counted, and a new connection
            connection.close()
            connection = connect()
        latencies.append(time.perf_counter() - started)
        statuses[status] = statuses.get(status, 0) + 1
        unexpected += status == 200 and job.expect not in answer
    connection.close()
    return LoadResult(latencies, statuses, unexpected, time.time())


def measure(
    pool: Any, svc: Service, signer: Signer, connections: int, seconds: float
) -> dict[str, Any]:
    """Requests a second and latency of `connections` client connections for `seconds`."""
    signed = [launch_requests(signer, SIGNED_PER_CONNECTION) for _ in range(connections)]
    start_at = time.time() + 0.3  # every client process has its job by then
    expect = BENCH_NAMES[0].encode()
    jobs = [LoadJob(svc.port, batch, start_at, seconds, expect) for batch in signed]
    service_cpu, own_cpu = svc.cpu_seconds(), time.process_time()
    results: list[LoadResult] = pool.map(_load_connection, jobs, chunksize=1)
    service_cpu, own_cpu = svc.cpu_seconds() - service_cpu, time.process_time() - own_cpu
    latencies = [took for result in results for took in result.latencies]
    statuses: dict[int, int] = {}
    for result in results:
        for status, count in result.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    unexpected = sum(result.unexpected for result in results)
    elapsed = max(result.finished_at for result in results) - start_at
    return {
        "connections": connections,
        "seconds": round(elapsed, 2),
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1) if elapsed > 0 else 0.0,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "errors": sum(count for status, count in statuses.items() if status != 200) + unexpected,
        "statuses": {str(status): count for status, count in sorted(statuses.items())},
        "unexpected_answers": unexpected,
        # CPU per request, whatever the machine's other load: the service process, and this
        # one (moto's DynamoDB, nearly all of it; 10 ms clock ticks: coarse on short runs).
        "service_cpu_ms_per_request": _per(service_cpu * 1000, len(latencies)),
        "dynamo_cpu_ms_per_request": _per(own_cpu * 1000, len(latencies)),
    }


def _per(total: float, count: int) -> float:
    return round(total / count, 3) if count else float("nan")


def _probe(svc: Service, request: SignedRequest) -> int:
    with requests.Session() as http:
        return timed_post(http, svc, request)[1]


def _bench_env(endpoint: str) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_REGION": "us-east-1",
        "TABLE_NAME": THROUGHPUT_TABLE,
        "DYNAMODB_ENDPOINT": endpoint,
        "SKILL_ID": _skill_id(),
        "LOG_LEVEL": "WARNING",
    }


def _skill_id() -> str:
    from test_webservice_verify import SKILL_ID

    return SKILL_ID


def throughput_report(
    seconds: float = THROUGHPUT_SECONDS, connections: Sequence[int] = THROUGHPUT_CONNECTIONS
) -> dict[str, Any]:
    """Phase d: the skill's requests a second and latency, verification on versus off.

    Three kinds of process: this one (moto's DynamoDB, shared by both services), one per
    service (verified, unverified), and `max(connections)` client processes. Each level runs
    on then off, so that drift of the machine falls on both alike.
    """
    if not 0 < seconds <= MAX_THROUGHPUT_SECONDS:
        raise ValueError(
            f"seconds must be in (0, {MAX_THROUGHPUT_SECONDS:.0f}]: requests are "
            "signed before each measurement and go stale after 150 s"
        )
    import logging

    from alexa_local.dynamo import AtomicMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    started = time.time()
    signer = Signer(started)
    moto = AtomicMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    context = multiprocessing.get_context("spawn")
    try:
        host, port = moto.get_host_and_port()
        env = _bench_env(f"http://{host}:{port}")
        with tempfile.TemporaryDirectory() as files:
            write_pki(Path(files))
            options = {
                "on": ServeOptions(files, started, "skill", env=env, seed=True),
                "off": ServeOptions(files, started, "skill-unverified", env=env),
            }
            with (
                context.Pool(max(connections)) as pool,
                services(list(options.values())) as running,
            ):
                by_mode = dict(zip(options, running, strict=True))
                for svc in by_mode.values():  # the chain download, lazy imports, first reads
                    for request in launch_requests(signer, WARMUP_REQUESTS):
                        _probe(svc, request)
                runs: dict[str, dict[str, Any]] = {mode: {} for mode in by_mode}
                for level in connections:
                    for mode, svc in by_mode.items():
                        runs[mode][str(level)] = measure(pool, svc, signer, level, seconds)
                (good,) = launch_requests(signer, 1)
                (bad,) = launch_requests(signer, 1, bad_signature=True)
                probes = {
                    mode: {"good": _probe(svc, good), "bad_signature": _probe(svc, bad)}
                    for mode, svc in by_mode.items()
                }
    finally:
        _drop_table(moto)
        moto.stop()
    ratio = {
        level: {
            "rps": _ratio(runs["on"][level]["rps"], runs["off"][level]["rps"]),
            "p50_ms": _ratio(runs["on"][level]["p50_ms"], runs["off"][level]["p50_ms"]),
            "p99_ms": _ratio(runs["on"][level]["p99_ms"], runs["off"][level]["p99_ms"]),
            "service_cpu_ms_per_request": _ratio(
                runs["on"][level]["service_cpu_ms_per_request"],
                runs["off"][level]["service_cpu_ms_per_request"],
            ),
        }
        for level in runs["on"]
    }
    return {
        "turn": "LaunchRequest, new session, of a named household (one DynamoDB query)",
        "seconds_per_run": seconds,
        "cpus": os.cpu_count(),
        "verification_on": runs["on"],
        "verification_off": runs["off"],
        "on_off_ratio": ratio,
        "probes": probes,
    }


def _drop_table(moto: Any) -> None:
    """moto keeps its tables for the whole process: leave none behind for what runs next."""
    import botocore.session

    host, port = moto.get_host_and_port()
    client = botocore.session.get_session().create_client(
        "dynamodb",
        endpoint_url=f"http://{host}:{port}",
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    with contextlib.suppress(client.exceptions.ResourceNotFoundException):
        client.delete_table(TableName=THROUGHPUT_TABLE)


def _ratio(on: float, off: float) -> float:
    return round(on / off, 3) if off else float("nan")


def print_throughput(result: dict[str, Any]) -> None:
    print(
        f"\n== d. throughput: {result['turn']}; {result['seconds_per_run']:g} s a run, "
        f"{result['cpus']} CPUs"
    )
    header = (
        f"{'verification':>12} {'conns':>5} {'requests':>8} {'rps':>8} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'p99 ms':>8} {'errors':>6} {'svc cpu ms/req':>14} {'db cpu ms/req':>13}"
    )
    print(header)
    for mode in ("on", "off"):
        for level, row in result[f"verification_{mode}"].items():
            print(
                f"{mode:>12} {level:>5} {row['requests']:>8} {row['rps']:>8.1f} "
                f"{row['p50_ms']:>8.2f} {row['p95_ms']:>8.2f} {row['p99_ms']:>8.2f} "
                f"{row['errors']:>6} {row['service_cpu_ms_per_request']:>14.2f} "
                f"{row['dynamo_cpu_ms_per_request']:>13.2f}"
            )
    for level, ratio in result["on_off_ratio"].items():
        print(
            f"on/off at {level} connection(s): rps x{ratio['rps']:.3f}, "
            f"p50 x{ratio['p50_ms']:.3f}, p99 x{ratio['p99_ms']:.3f}, "
            f"service CPU a request x{ratio['service_cpu_ms_per_request']:.3f}"
        )
    probes = ", ".join(
        f"{mode}: signed {p['good']}, bad signature {p['bad_signature']}"
        for mode, p in result["probes"].items()
    )
    print(f"probes after the runs ({probes})")


def write_pki(directory: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from test_webservice_verify import pki

    root = pki().root.public_bytes(serialization.Encoding.PEM)
    (directory / "root.pem").write_bytes(root)
    (directory / "chain.pem").write_bytes(pki().chains["good"])


def run(mode: str, files: str, started: float, signer: Signer, phases: str) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with service(mode, files, started) as svc:
        # Warm up: the first request downloads and caches the legitimate chain.
        timed_post(requests.Session(), svc, signer.request())
        if "a" in phases:
            results["a"] = idle_connections(svc, signer)
        if "b" in phases:
            results["b"] = flood(svc, signer, seconds=FLOOD_SECONDS, urls=None, tag="b")
        if "c" in phases:
            results["c"] = memory(svc, signer, tag=f"c-{mode}")
    return results


def report(name: str, results: dict[str, Any]) -> None:
    print(f"\n== {name}")
    if "a" in results:
        a = results["a"]
        print(
            f"a. {IDLE_CONNECTIONS} idle/half-open connections: legitimate served {a['served']}, "
            f"p50 {a['p50_ms']:.1f} ms, max {a['max_ms']:.1f} ms "
            f"(without them: p50 {a['quiet_p50_ms']:.1f} ms)"
        )
    if "b" in results:
        b = results["b"]
        print(
            f"b. flood of {b['flood_requests']} distinct cert URLs in {b['seconds']:.1f} s "
            f"({FLOOD_THREADS} clients; answers {b['flood_statuses']}): {b['downloads']} "
            f"downloads; legitimate {b['legit_ok']} ok, p50 {b['legit_p50_ms']:.1f} ms, "
            f"p99 {b['legit_p99_ms']:.1f} ms"
        )
    if "c" in results:
        c = results["c"]
        steps = " -> ".join(f"{mb:.1f}" for mb in c["rss_mb"])
        print(
            f"c. RSS (MB) every 1,000 distinct URLs: {steps}; "
            f"held {c['cached']} certificates, {c['failed']} failures; "
            f"{c['downloads']} downloads in all"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", action="store_true", help="also run the unhardened setup")
    parser.add_argument(
        "--throughput",
        action="store_true",
        help="run phase d alone: requests a second, verification on versus off",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=THROUGHPUT_SECONDS,
        help=f"length of each throughput run (default {THROUGHPUT_SECONDS:g})",
    )
    parser.add_argument(
        "--connections",
        default=",".join(map(str, THROUGHPUT_CONNECTIONS)),
        help="throughput concurrency levels, comma-separated (default 1,8)",
    )
    parser.add_argument("--json", help="also write the throughput report to this file")
    args = parser.parse_args()
    if args.throughput:
        levels = [int(level) for level in args.connections.split(",") if level]
        result = throughput_report(args.seconds, levels)
        print_throughput(result)
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
        return
    started = time.time()
    signer = Signer(started)
    with tempfile.TemporaryDirectory() as files:
        write_pki(Path(files))
        runs: list[tuple[str, Callable[[], dict[str, Any]]]] = [
            ("hardened (defaults)", lambda: run("hardened", files, started, signer, "abc")),
            (
                "hardened, budget lifted, every URL a valid chain",
                lambda: run("open-bucket", files, started, signer, "c"),
            ),
        ]
        if args.baseline:
            runs.append(
                (
                    "baseline: waitress defaults, no download limits",
                    lambda: run("baseline", files, started, signer, "ab"),
                )
            )
        for name, action in runs:
            report(name, action())


if __name__ == "__main__":
    main()
