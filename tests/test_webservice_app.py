"""The Flask front door: answers verified requests, rejects the rest without calling the skill."""

from __future__ import annotations

import contextlib
import json
import logging
import select
import socket
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from ask_sdk_model.response import Response as SkillResponse
from ask_sdk_model.ui import PlainTextOutputSpeech
from flask import Flask
from flask.testing import FlaskClient
from test_webservice_verify import (
    CERT_URL,
    NOW,
    SKILL_ID,
    FakeBucket,
    body_of,
    envelope,
    pki,
)

from webservice.__main__ import build_server, main
from webservice.app import VERIFICATION_OFF_WARNING, Settings, SettingsError, create_app
from webservice.verify import CertUrlPolicy, RequestVerifier

WELCOME = "Welcome to Closer Together."
MAX_BODY = 4096
CHAINS = (
    "untrusted_root",
    "wrong_san",
    "wildcard_san",
    "expired",
    "missing_intermediate",
)


def chain_url(chain: str) -> str:
    return f"https://s3.amazonaws.com/echo.api/{chain}.pem"


class SpySkill:
    """Answers like the skill and records every envelope it is handed."""

    def __init__(self, failure: Exception | None = None) -> None:
        self.serializer = DefaultSerializer()
        self.calls: list[RequestEnvelope] = []
        self.failure = failure

    def invoke(self, request_envelope: RequestEnvelope, context: Any) -> ResponseEnvelope:
        self.calls.append(request_envelope)
        if self.failure is not None:
            raise self.failure
        speech = PlainTextOutputSpeech(text=WELCOME)
        return ResponseEnvelope(version="1.0", response=SkillResponse(output_speech=speech))


def verified_app(
    skill: SpySkill, verifier_options: dict[str, Any] | None = None, **settings: Any
) -> Flask:
    bucket = FakeBucket({CERT_URL: pki().chains["good"]})
    bucket.files.update({chain_url(chain): pki().chains[chain] for chain in CHAINS})
    verifier = RequestVerifier(
        trust_store=pki().store(), fetcher=bucket, clock=lambda: NOW, **(verifier_options or {})
    )
    options = {"skill_id": SKILL_ID, "max_body_bytes": MAX_BODY, **settings}
    return create_app(skill=skill, verifier=verifier, settings=Settings(**options))


@pytest.fixture
def spy() -> SpySkill:
    return SpySkill()


@pytest.fixture
def client(spy: SpySkill) -> FlaskClient:
    return verified_app(spy).test_client()


def signed(payload: dict[str, Any], **header_options: Any) -> tuple[dict[str, str], bytes]:
    body = body_of(payload)
    return pki().headers(body, **header_options), body


def test_valid_request_is_answered_by_the_skill(client: FlaskClient, spy: SpySkill) -> None:
    headers, body = signed(envelope())
    reply = client.post("/", data=body, headers=headers, content_type="application/json")
    assert reply.status_code == 200
    assert reply.get_json()["response"]["outputSpeech"]["text"] == WELCOME
    assert len(spy.calls) == 1
    assert spy.calls[0].request.object_type == "LaunchRequest"
    assert spy.calls[0].context.system.application.application_id == SKILL_ID


def test_skill_event_an_hour_old_is_answered(client: FlaskClient, spy: SpySkill) -> None:
    payload = envelope(
        timestamp=NOW - timedelta(seconds=3500),
        request_type="AlexaSkillEvent.SkillDisabled",
        with_session=False,
    )
    headers, body = signed(payload)
    assert client.post("/", data=body, headers=headers).status_code == 200
    assert len(spy.calls) == 1


def _tampered() -> tuple[dict[str, str], bytes]:
    headers, body = signed(envelope())
    return headers, body.replace(b"amzn1.ask.account.TESTHOUSEHOLD", b"amzn1.ask.account.INTRUDER")


def _sha1_only() -> tuple[dict[str, str], bytes]:
    headers, body = signed(envelope())
    return {"SignatureCertChainUrl": CERT_URL, "Signature": headers["Signature-256"]}, body


def _url(url: str) -> Callable[[], tuple[dict[str, str], bytes]]:
    return lambda: signed(envelope(), url=url)


def _at(offset: int, request_type: str = "LaunchRequest") -> Callable[[], Any]:
    return lambda: signed(
        envelope(timestamp=NOW + timedelta(seconds=offset), request_type=request_type)
    )


def _raw(body: bytes) -> Callable[[], tuple[dict[str, str], bytes]]:
    return lambda: (pki().headers(body), body)


REJECTED: dict[str, tuple[Callable[[], tuple[dict[str, str], bytes]], int]] = {
    "unsigned": (lambda: ({}, body_of(envelope())), 400),
    "tampered body": (_tampered, 400),
    "wrong key": (lambda: signed(envelope(), key=pki().other_key), 400),
    **{f"chain {chain}": (_url(chain_url(chain)), 400) for chain in CHAINS},
    "SHA-1 only": (_sha1_only, 400),
    "stale": (_at(-151), 400),
    "future": (_at(151), 400),
    "event too old": (_at(-3601, "AlexaSkillEvent.SkillDisabled"), 400),
    "http scheme": (_url(CERT_URL.replace("https:", "http:")), 400),
    "wrong host": (_url(CERT_URL.replace("s3.amazonaws.com", "s3.evil.example")), 400),
    "wrong path": (_url(CERT_URL.replace("/echo.api/", "/other.api/")), 400),
    "path traversal": (_url("https://s3.amazonaws.com/echo.api/../x/echo-api-cert.pem"), 400),
    "wrong port": (_url(CERT_URL.replace(".com/", ".com:8443/")), 400),
    "wrong skill id": (lambda: signed(envelope(skill_id="amzn1.ask.skill.other")), 403),
    "malformed JSON": (_raw(b'{"version": "1.0", "request": {'), 400),
    "JSON array": (_raw(b"[]"), 400),
    "not an envelope": (
        lambda: signed({**envelope(), "session": {"new": True, "attributes": 5}}),
        400,
    ),
    "no context": (lambda: signed({k: v for k, v in envelope().items() if k != "context"}), 400),
    "oversized body": (lambda: signed({**envelope(), "padding": "x" * MAX_BODY}), 413),
}


@pytest.mark.parametrize("case", REJECTED)
def test_bad_requests_are_rejected_without_calling_the_skill(
    case: str, client: FlaskClient, spy: SpySkill, caplog: pytest.LogCaptureFixture
) -> None:
    build, status = REJECTED[case]
    headers, body = build()
    with caplog.at_level(logging.WARNING, logger="webservice"):
        reply = client.post("/", data=body, headers=headers, content_type="application/json")
    assert reply.status_code == status
    assert reply.is_json and "error" in reply.get_json()
    assert spy.calls == []
    if status != 413:
        assert any(
            r.getMessage().startswith(f"rejected request ({status})") for r in caplog.records
        )


def test_rejection_logs_carry_no_request_text(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    headers, body = _tampered()
    with caplog.at_level(logging.DEBUG):
        client.post("/", data=body, headers=headers)
    assert caplog.records
    assert "INTRUDER" not in caplog.text and "TESTHOUSEHOLD" not in caplog.text


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_other_methods_on_the_skill_path_are_refused(
    method: str, client: FlaskClient, spy: SpySkill
) -> None:
    reply = client.open("/", method=method)
    assert reply.status_code == 405
    assert "POST" in reply.headers["Allow"]
    assert reply.get_json() == {"error": "Method Not Allowed"}
    assert spy.calls == []


def test_health_answers_without_loading_the_skill(monkeypatch: pytest.MonkeyPatch) -> None:
    # Any attempt to import the skill would now fail.
    monkeypatch.setitem(sys.modules, "closer_together.skill", None)
    app = create_app(settings=Settings(skill_id=SKILL_ID))
    for method in ("GET", "HEAD"):
        assert app.test_client().open("/health", method=method).status_code == 200
    assert app.test_client().get("/health").get_json() == {"status": "ok"}


def test_unknown_path_is_a_json_404(client: FlaskClient) -> None:
    reply = client.get("/admin")
    assert reply.status_code == 404
    assert reply.get_json() == {"error": "Not Found"}


def test_skill_is_loaded_lazily_once(monkeypatch: pytest.MonkeyPatch, spy: SpySkill) -> None:
    loads: list[SpySkill] = []

    def get_skill() -> SpySkill:
        loads.append(spy)
        return spy

    module = types.ModuleType("closer_together.skill")
    module.get_skill = get_skill  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "closer_together.skill", module)
    app = create_app(settings=Settings(verify_requests=False))
    client = app.test_client()
    assert client.get("/health").status_code == 200
    assert loads == []
    for _ in range(2):
        assert client.post("/", data=body_of(envelope())).status_code == 200
    assert len(loads) == 1
    assert len(spy.calls) == 2


def test_skill_failure_is_a_500_whose_log_holds_no_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    skill = SpySkill(failure=RuntimeError("we said: our secret answer"))
    headers, body = signed(envelope())
    with caplog.at_level(logging.ERROR, logger="webservice"):
        reply = verified_app(skill).test_client().post("/", data=body, headers=headers)
    assert reply.status_code == 500
    assert reply.get_json() == {"error": "Internal Server Error"}
    assert "RuntimeError" in caplog.text
    assert "secret answer" not in caplog.text


# --- verification off ---


def test_verification_off_warns_loudly_and_answers_unsigned_requests(
    spy: SpySkill, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="webservice"):
        app = create_app(skill=spy, settings=Settings(verify_requests=False))
    assert [r.getMessage() for r in caplog.records] == [VERIFICATION_OFF_WARNING]
    assert caplog.records[0].levelno == logging.WARNING
    stale = body_of(envelope(timestamp=NOW - timedelta(days=1)))
    assert app.test_client().post("/", data=stale).status_code == 200
    assert len(spy.calls) == 1


def test_verification_on_does_not_warn(spy: SpySkill, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="webservice"):
        create_app(skill=spy, settings=Settings(skill_id=SKILL_ID))
    assert VERIFICATION_OFF_WARNING not in caplog.text


def test_verification_off_still_checks_skill_id_and_json(spy: SpySkill) -> None:
    app = create_app(skill=spy, settings=Settings(verify_requests=False, skill_id=SKILL_ID))
    client = app.test_client()
    other = body_of(envelope(skill_id="amzn1.ask.skill.other"))
    assert client.post("/", data=other).status_code == 403
    assert client.post("/", data=b"{oops").status_code == 400
    assert spy.calls == []


# --- settings from the environment ---


def test_settings_defaults_are_strict_and_local() -> None:
    settings = Settings.from_env({"SKILL_ID": SKILL_ID})
    assert settings == Settings(
        host="127.0.0.1", port=8080, skill_id=SKILL_ID, verify_requests=True, max_body_bytes=131072
    )


def test_server_limits_default_to_the_hardened_values() -> None:
    settings = Settings.from_env({"SKILL_ID": SKILL_ID})
    assert (settings.channel_timeout, settings.request_timeout) == (15, 20)
    assert (settings.connection_limit, settings.backlog, settings.threads) == (1000, 2048, 8)
    assert (settings.cert_fetches_in_flight, settings.cert_fetches_per_minute) == (4, 30)


def test_settings_read_every_variable() -> None:
    settings = Settings.from_env(
        {
            "HOST": "0.0.0.0",
            "PORT": "9000",
            "VERIFY_REQUESTS": "False",
            "MAX_BODY_BYTES": "2048",
            "THREADS": "4",
            "CHANNEL_TIMEOUT": "10",
            "REQUEST_TIMEOUT": "12",
            "CONNECTION_LIMIT": "500",
            "BACKLOG": "100",
            "CERT_FETCHES_IN_FLIGHT": "2",
            "CERT_FETCHES_PER_MINUTE": "6",
        }
    )
    assert settings == Settings(
        host="0.0.0.0",
        port=9000,
        skill_id=None,
        verify_requests=False,
        max_body_bytes=2048,
        threads=4,
        channel_timeout=10,
        request_timeout=12,
        connection_limit=500,
        backlog=100,
        cert_fetches_in_flight=2,
        cert_fetches_per_minute=6,
    )


@pytest.mark.parametrize(
    "environ",
    [
        {},  # verification on by default, and then a skill id is required
        {"SKILL_ID": SKILL_ID, "VERIFY_REQUESTS": "flase"},
        {"SKILL_ID": SKILL_ID, "PORT": "eighty"},
        {"SKILL_ID": SKILL_ID, "PORT": "70000"},
        {"SKILL_ID": SKILL_ID, "MAX_BODY_BYTES": "0"},
        {"SKILL_ID": SKILL_ID, "CHANNEL_TIMEOUT": "0"},
        {"SKILL_ID": SKILL_ID, "CONNECTION_LIMIT": "-1"},
        {"SKILL_ID": SKILL_ID, "CERT_FETCHES_PER_MINUTE": "0"},
    ],
)
def test_settings_refuse_unsafe_or_invalid_environments(environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env(environ)


# --- end to end: real waitress, real downloads from a local "bucket" ---


class _Bucket(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        chain = pki().chains["good"]
        self.send_response(200 if self.path == "/echo.api/chain.pem" else 404)
        self.send_header("Content-Length", str(len(chain)))
        self.end_headers()
        self.wfile.write(chain)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _in_thread(target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def served(spy: SpySkill) -> Iterator[tuple[str, str]]:
    bucket = ThreadingHTTPServer(("127.0.0.1", 0), _Bucket)
    _in_thread(lambda: bucket.serve_forever(0.05))
    bucket_port = bucket.server_address[1]
    policy = CertUrlPolicy(
        schemes=frozenset({"http"}), hosts=frozenset({"127.0.0.1"}), ports=frozenset({bucket_port})
    )
    verifier = RequestVerifier(trust_store=pki().store(), cert_url_policy=policy, clock=lambda: NOW)
    settings = Settings(port=0, skill_id=SKILL_ID, max_body_bytes=MAX_BODY)
    server = build_server(create_app(skill=spy, verifier=verifier, settings=settings), settings)
    server.adj.asyncore_loop_timeout = 0.05  # so that close() ends run() at once
    thread = _in_thread(server.run)
    yield (
        f"http://127.0.0.1:{server.effective_port}",
        f"http://127.0.0.1:{bucket_port}/echo.api/chain.pem",
    )
    server.close()
    thread.join(timeout=2)
    assert not thread.is_alive()
    bucket.shutdown()
    bucket.server_close()


def test_waitress_serves_the_skill_end_to_end(served: tuple[str, str], spy: SpySkill) -> None:
    base, cert_url = served
    headers, body = signed(envelope(), url=cert_url)
    with requests.Session() as http:
        reply = http.post(f"{base}/", data=body, headers=headers, timeout=5)
        assert reply.status_code == 200
        assert reply.json()["response"]["outputSpeech"]["text"] == WELCOME
        assert (
            http.post(f"{base}/", data=body + b" ", headers=headers, timeout=5).status_code == 400
        )
        big_headers, big_body = signed({**envelope(), "padding": "x" * MAX_BODY}, url=cert_url)
        assert (
            http.post(f"{base}/", data=big_body, headers=big_headers, timeout=5).status_code == 413
        )
        assert http.get(f"{base}/", timeout=5).status_code == 405
        assert http.get(f"{base}/health", timeout=5).json() == {"status": "ok"}
    assert len(spy.calls) == 1


# --- the real skill, on moto's DynamoDB and the local Alexa API stand-in (tests/conftest.py) ---


def test_real_skill_answers_a_verified_launch_request(table: str, alexa_api: Any) -> None:
    from closer_together.skill import build_skill

    payload = envelope()
    payload["context"]["System"].update(
        apiEndpoint=alexa_api.endpoint, apiAccessToken=alexa_api.token
    )
    headers, body = signed(payload)
    bucket = FakeBucket({CERT_URL: pki().chains["good"]})
    verifier = RequestVerifier(trust_store=pki().store(), fetcher=bucket, clock=lambda: NOW)
    settings = Settings(skill_id=SKILL_ID)
    app = create_app(skill=build_skill(), verifier=verifier, settings=settings)
    reply = app.test_client().post("/", data=body, headers=headers)
    assert reply.status_code == 200, reply.get_data(as_text=True)
    answer = reply.get_json()
    assert answer["response"]["outputSpeech"]["ssml"].startswith("<speak>")
    # Without the table the skill apologises and ends the session; here it read the household.
    assert answer["response"].get("shouldEndSession") is not True
    assert "household" in answer["sessionAttributes"]


def test_real_skill_keeps_or_deletes_data_on_skill_disabled_by_persistence_status(
    table: str, alexa_api: Any
) -> None:
    from closer_together.household import Household, Partner, household_id_for
    from closer_together.skill import build_skill
    from closer_together.storage import HouseholdStore

    store = HouseholdStore()
    user = "amzn1.ask.account.WEBDISABLE"
    store.save(Household(household_id_for(user), partners=[Partner("Sam"), Partner("Alex")]))
    app = create_app(
        skill=build_skill(),
        verifier=None,
        settings=Settings(skill_id=SKILL_ID, verify_requests=False),
    )

    def disable(status: str) -> None:
        payload = envelope()
        payload.pop("session", None)
        payload["context"]["System"]["user"]["userId"] = user
        payload["request"] = {
            "type": "AlexaSkillEvent.SkillDisabled",
            "requestId": "amzn1.echo-api.request.disable",
            "timestamp": payload["request"]["timestamp"],
            "eventCreationTime": payload["request"]["timestamp"],
            "eventPublishingTime": payload["request"]["timestamp"],
            "body": {"userInformationPersistenceStatus": status},
        }
        reply = app.test_client().post("/", data=json.dumps(payload))
        assert reply.status_code == 200, reply.get_data(as_text=True)

    disable("PERSISTED")
    assert store.load(household_id_for(user)).names == ["Sam", "Alex"]
    disable("NOT_PERSISTED")
    assert store.load(household_id_for(user)).names == []


def test_server_refuses_to_start_verified_without_a_skill_id(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("SKILL_ID", "VERIFY_REQUESTS"):
        monkeypatch.delenv(name, raising=False)
    with caplog.at_level(logging.ERROR, logger="webservice"):
        assert main() == 2
    assert "SKILL_ID is required" in caplog.text


class _BrokenVerifier(RequestVerifier):
    def verify(self, headers: Any, body: bytes) -> dict[str, Any]:
        raise TypeError("a fault inside the checks")


def test_a_fault_inside_verification_fails_closed(
    spy: SpySkill, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(skill_id=SKILL_ID)
    app = create_app(skill=spy, verifier=_BrokenVerifier(), settings=settings)
    headers, body = signed(envelope())
    with caplog.at_level(logging.ERROR, logger="webservice"):
        reply = app.test_client().post("/", data=body, headers=headers)
    assert reply.status_code == 400
    assert "rejected request (400): check failed with TypeError" in caplog.text
    assert spy.calls == []


# --- slow clients and fetch floods ---


def test_refused_certificate_download_is_a_400_and_a_cached_one_still_answers(
    spy: SpySkill, caplog: pytest.LogCaptureFixture
) -> None:
    client = verified_app(spy, verifier_options={"fetches_per_minute": 1}).test_client()
    headers, body = signed(envelope())
    assert client.post("/", data=body, headers=headers).status_code == 200  # the one download
    flood_headers, _ = signed(envelope(), url="https://s3.amazonaws.com/echo.api/flood.pem")
    with caplog.at_level(logging.WARNING, logger="webservice"):
        assert client.post("/", data=body, headers=flood_headers).status_code == 400
    assert "budget spent" in caplog.text
    assert client.post("/", data=body, headers=headers).status_code == 200
    assert len(spy.calls) == 2


@contextlib.contextmanager
def running(app: Flask, settings: Settings) -> Iterator[tuple[int, Any]]:
    """A real waitress server on a free port, in a thread."""
    server = build_server(app, settings)
    server.adj.asyncore_loop_timeout = 0.05  # so that close() ends run() at once
    thread = _in_thread(server.run)
    try:
        yield server.effective_port, server
    finally:
        server.close()
        thread.join(timeout=10)
        assert not thread.is_alive()


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    """Whether the server closes `sock` within `within` seconds (a safety net, not a limit)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        readable, _, _ = select.select([sock], [], [], 0.2)
        if readable:
            try:
                return sock.recv(1024) == b""
            except ConnectionResetError:
                return True
    return False


def test_idle_connection_is_closed_after_the_channel_timeout(spy: SpySkill) -> None:
    settings = Settings(port=0, skill_id=SKILL_ID, channel_timeout=1)
    with (
        running(verified_app(spy), settings) as (port, _),
        socket.create_connection(("127.0.0.1", port)) as idle,
        socket.create_connection(("127.0.0.1", port)) as stalled,
    ):
        stalled.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")  # headers that never end
        started = time.monotonic()
        assert _closed_by_server(idle, within=30.0)
        assert _closed_by_server(stalled, within=30.0)
        assert time.monotonic() - started >= 0.9  # not before the timeout


def test_headers_trickling_in_are_cut_off_after_the_request_timeout(spy: SpySkill) -> None:
    # A silent-connection timeout of 60 s can never fire for a client talking every 0.2 s:
    # only the whole-request deadline (1 s) can close this one.
    settings = Settings(port=0, skill_id=SKILL_ID, channel_timeout=60, request_timeout=1)
    with (
        running(verified_app(spy), settings) as (port, _),
        socket.create_connection(("127.0.0.1", port)) as slow,
    ):
        slow.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
        deadline = time.monotonic() + 30.0
        closed = False
        while not closed and time.monotonic() < deadline:
            try:
                slow.sendall(b"X-Slow: a\r\n")
            except OSError:
                closed = True
                break
            closed = _closed_by_server(slow, within=0.2)
        assert closed


def test_legitimate_request_is_served_while_150_idle_connections_are_open(
    spy: SpySkill,
) -> None:
    # waitress's default connection_limit of 100 refused to serve anyone here.
    settings = Settings(port=0, skill_id=SKILL_ID, channel_timeout=60)
    with running(verified_app(spy), settings) as (port, _), contextlib.ExitStack() as stack:
        idle = [
            stack.enter_context(socket.create_connection(("127.0.0.1", port))) for _ in range(150)
        ]
        for sock in idle[::2]:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n")
        headers, body = signed(envelope())
        # Connection: close, so that no kept-alive socket outlives the server in the test.
        headers["Connection"] = "close"
        reply = requests.post(f"http://127.0.0.1:{port}/", data=body, headers=headers, timeout=30)
        assert reply.status_code == 200
        assert reply.json()["response"]["outputSpeech"]["text"] == WELCOME
        # The idle ones were not closed to make room.
        assert not any(select.select(idle, [], [], 0)[0])
