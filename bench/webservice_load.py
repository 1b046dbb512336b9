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

`make bench-web`, or `python bench/webservice_load.py [--baseline]`. --baseline also runs
a and b against waitress's defaults and an unlimited verifier (the service before hardening).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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


# --- the service, in its own process ---


@dataclass(frozen=True)
class ServeOptions:
    files: str  # directory holding root.pem and chain.pem
    started: float  # wall time the clocks of both processes count from
    mode: str  # "hardened", "baseline" or "open-bucket"


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
    from webservice.app import Settings, create_app
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
    settings = Settings(port=0, skill_id=SKILL_ID)
    app = create_app(skill=StubSkill(), verifier=verifier, settings=settings)
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


@contextlib.contextmanager
def service(mode: str, files: str, started: float) -> Iterator[Service]:
    context = multiprocessing.get_context("spawn")
    port_out = context.Queue()
    stats = context.Array("q", 3)  # downloads, cached certificates, remembered failures
    process = context.Process(
        target=_serve, args=(ServeOptions(files, started, mode), port_out, stats), daemon=True
    )
    process.start()
    try:
        yield Service(port_out.get(timeout=60), process.pid or 0, stats)
    finally:
        process.terminate()
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
    args = parser.parse_args()
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
