"""Request verification against a locally made PKI: root, intermediate, echo-api leaf."""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import verification
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from webservice.verify import (
    CertUrlPolicy,
    FetchError,
    RequestRejected,
    RequestVerifier,
    check_application_id,
    check_timestamp,
    fetch_url,
    load_certifi_store,
    parse_body,
)

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000001"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"

# --- a local PKI shaped like Amazon's: root -> intermediate -> leaf with SAN echo-api ---

Key = rsa.RSAPrivateKey


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _ca(
    common_name: str, key: Key, issuer: x509.Certificate | None, issuer_key: Key
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer.subject if issuer else _name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=365))
        .not_valid_after(NOW + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _leaf(
    key: Key,
    issuer: x509.Certificate,
    issuer_key: Key,
    *,
    san: str = "echo-api.amazon.com",
    not_before: datetime = NOW - timedelta(days=30),
    not_after: datetime = NOW + timedelta(days=30),
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(_name(san))
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .sign(issuer_key, hashes.SHA256())
    )


def pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


@dataclass(frozen=True)
class Pki:
    root: x509.Certificate
    intermediate: x509.Certificate
    leaf: x509.Certificate
    leaf_key: Key
    other_key: Key
    chains: dict[str, bytes]

    def store(self) -> verification.Store:
        return verification.Store([self.root])

    def sign(self, body: bytes, key: Key | None = None) -> str:
        signature = (key or self.leaf_key).sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode()

    def headers(self, body: bytes, url: str = CERT_URL, key: Key | None = None) -> dict[str, str]:
        return {"SignatureCertChainUrl": url, "Signature-256": self.sign(body, key)}


@cache
def pki() -> Pki:
    """One PKI per test run: RSA key generation is the slow part."""
    root_key, inter_key, leaf_key, other_key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(4)
    )
    root = _ca("Closer Together Test Root", root_key, None, root_key)
    intermediate = _ca("Closer Together Test Intermediate", inter_key, root, root_key)
    leaf = _leaf(leaf_key, intermediate, inter_key)
    # Same names, same leaf key, but a root nobody trusts.
    rogue_root = _ca("Closer Together Test Root", other_key, None, other_key)
    rogue_intermediate = _ca("Closer Together Test Intermediate", inter_key, rogue_root, other_key)

    def issued(**options: Any) -> bytes:
        return pem(_leaf(leaf_key, intermediate, inter_key, **options), intermediate)

    chains = {
        "good": pem(leaf, intermediate),
        "untrusted_root": pem(_leaf(leaf_key, rogue_intermediate, inter_key), rogue_intermediate),
        "wrong_san": issued(san="evil.example.com"),
        "wildcard_san": issued(san="*.amazon.com"),
        "expired": issued(
            not_before=NOW - timedelta(days=60), not_after=NOW - timedelta(seconds=1)
        ),
        "not_yet_valid": issued(not_before=NOW + timedelta(hours=1)),
        "missing_intermediate": pem(leaf),
        "garbage": b"-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n",
    }
    return Pki(root, intermediate, leaf, leaf_key, other_key, chains)


# --- requests ---


def envelope(
    *,
    timestamp: datetime = NOW,
    request_type: str = "LaunchRequest",
    skill_id: str = SKILL_ID,
    with_session: bool = True,
) -> dict[str, Any]:
    """A request envelope as Alexa sends it."""
    application = {"applicationId": skill_id}
    user = {"userId": "amzn1.ask.account.TESTHOUSEHOLD"}
    payload: dict[str, Any] = {
        "version": "1.0",
        "context": {
            "System": {
                "application": application,
                "user": user,
                "device": {"deviceId": "amzn1.ask.device.TEST", "supportedInterfaces": {}},
                "apiEndpoint": "https://api.amazonalexa.com",
            }
        },
        "request": {
            "type": request_type,
            "requestId": "amzn1.echo-api.request.TEST",
            "timestamp": timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "locale": "en-US",
        },
    }
    if with_session:
        payload["session"] = {
            "new": True,
            "sessionId": "amzn1.echo-api.session.TEST",
            "application": application,
            "user": user,
        }
    return payload


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()


@dataclass
class FakeBucket:
    """Stands in for the S3 bucket; records every download it is asked for."""

    files: dict[str, bytes] = field(default_factory=dict)
    calls: list[tuple[str, float, int]] = field(default_factory=list)

    def __call__(self, url: str, timeout: float, max_bytes: int) -> bytes:
        self.calls.append((url, timeout, max_bytes))
        if url not in self.files:
            raise FetchError("HTTP status 404")
        return self.files[url]


def make_verifier(
    chain: str = "good", clock: Callable[[], datetime] = lambda: NOW, **options: Any
) -> tuple[RequestVerifier, FakeBucket]:
    bucket = FakeBucket({CERT_URL: pki().chains[chain]})
    verifier = RequestVerifier(trust_store=pki().store(), fetcher=bucket, clock=clock, **options)
    return verifier, bucket


def rejection(verifier: RequestVerifier, headers: dict[str, str], body: bytes) -> RequestRejected:
    with pytest.raises(RequestRejected) as caught:
        verifier.verify(headers, body)
    return caught.value


# --- the signature and the chain ---


def test_valid_request_is_accepted_and_returns_the_payload() -> None:
    verifier, bucket = make_verifier()
    payload = envelope()
    body = body_of(payload)
    assert verifier.verify(pki().headers(body), body) == payload
    assert bucket.calls == [(CERT_URL, 3.0, 64 * 1024)]


def test_header_names_are_case_insensitive() -> None:
    verifier, _ = make_verifier()
    body = body_of(envelope())
    headers = {name.lower(): value for name, value in pki().headers(body).items()}
    assert verifier.verify(headers, body)["request"]["type"] == "LaunchRequest"


def test_tampered_body_is_rejected() -> None:
    verifier, _ = make_verifier()
    body = body_of(envelope())
    tampered = body.replace(b"LaunchRequest", b"IntentRequest")
    assert "does not match" in rejection(verifier, pki().headers(body), tampered).reason


def test_signature_by_another_key_is_rejected() -> None:
    verifier, _ = make_verifier()
    body = body_of(envelope())
    headers = pki().headers(body, key=pki().other_key)
    assert "does not match" in rejection(verifier, headers, body).reason


@pytest.mark.parametrize(
    ("chain", "reason"),
    [
        ("untrusted_root", "not trusted"),
        ("missing_intermediate", "not trusted"),
        ("wrong_san", "SAN lacks echo-api.amazon.com"),
        ("wildcard_san", "SAN lacks echo-api.amazon.com"),
        ("expired", "not valid now"),
        ("not_yet_valid", "not valid now"),
        ("garbage", "not PEM"),
    ],
)
def test_bad_certificate_chains_are_rejected(chain: str, reason: str) -> None:
    verifier, _ = make_verifier(chain)
    body = body_of(envelope())
    assert reason in rejection(verifier, pki().headers(body), body).reason


def test_sha1_signature_header_alone_is_not_accepted() -> None:
    verifier, bucket = make_verifier()
    body = body_of(envelope())
    sha1 = pki().leaf_key.sign(body, padding.PKCS1v15(), hashes.SHA1())
    headers = {"SignatureCertChainUrl": CERT_URL, "Signature": base64.b64encode(sha1).decode()}
    assert "Signature-256 required" in rejection(verifier, headers, body).reason
    assert bucket.calls == []


def test_sha1_signature_in_the_sha256_header_is_rejected() -> None:
    verifier, _ = make_verifier()
    body = body_of(envelope())
    sha1 = pki().leaf_key.sign(body, padding.PKCS1v15(), hashes.SHA1())
    headers = {"SignatureCertChainUrl": CERT_URL, "Signature-256": base64.b64encode(sha1).decode()}
    assert "does not match" in rejection(verifier, headers, body).reason


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Signature-256": "AAAA"}, "missing SignatureCertChainUrl"),
        ({"SignatureCertChainUrl": CERT_URL}, "missing Signature-256"),
        ({"SignatureCertChainUrl": CERT_URL, "Signature-256": "not base64!"}, "not base64"),
    ],
)
def test_missing_or_malformed_headers_are_rejected(headers: dict[str, str], reason: str) -> None:
    verifier, _ = make_verifier()
    assert reason in rejection(verifier, headers, body_of(envelope())).reason


def test_production_trust_store_does_not_trust_the_test_root() -> None:
    bucket = FakeBucket({CERT_URL: pki().chains["good"]})
    verifier = RequestVerifier(fetcher=bucket, clock=lambda: NOW)
    body = body_of(envelope())
    assert "not trusted" in rejection(verifier, pki().headers(body), body).reason


def test_certifi_store_loads() -> None:
    assert isinstance(load_certifi_store(), verification.Store)


# --- the timestamp ---


@pytest.mark.parametrize(
    ("offset", "request_type", "accepted"),
    [
        (timedelta(seconds=-149), "LaunchRequest", True),
        (timedelta(seconds=149), "IntentRequest", True),
        (timedelta(seconds=-151), "LaunchRequest", False),
        (timedelta(seconds=151), "LaunchRequest", False),
        (timedelta(seconds=-3000), "LaunchRequest", False),
        (timedelta(seconds=-3000), "AlexaSkillEvent.SkillDisabled", True),
        (timedelta(seconds=-3000), "Reminders.ReminderDeleted", True),
        (timedelta(seconds=-3601), "AlexaSkillEvent.SkillDisabled", False),
        (timedelta(seconds=3601), "AlexaSkillEvent.SkillEnabled", False),
    ],
)
def test_timestamp_tolerance(offset: timedelta, request_type: str, accepted: bool) -> None:
    verifier, _ = make_verifier()
    body = body_of(envelope(timestamp=NOW + offset, request_type=request_type))
    if accepted:
        assert verifier.verify(pki().headers(body), body)["request"]["type"] == request_type
    else:
        assert "timestamp" in rejection(verifier, pki().headers(body), body).reason


@pytest.mark.parametrize(
    "request_object",
    [None, {"type": "LaunchRequest"}, {"type": "LaunchRequest", "timestamp": "yesterday"}],
)
def test_missing_or_unparsable_timestamp_is_rejected(request_object: Any) -> None:
    with pytest.raises(RequestRejected):
        check_timestamp({"request": request_object}, NOW)


def test_timestamp_with_milliseconds_and_offset_is_understood() -> None:
    check_timestamp({"request": {"timestamp": "2025-06-01T14:01:00.250+02:00"}}, NOW)


# --- the certificate URL ---


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (CERT_URL, CERT_URL),
        ("HTTPS://S3.AmazonAWS.com/echo.api/echo-api-cert.pem", None),
        ("https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem", None),
        ("https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem", None),
    ],
)
def test_amazon_cert_url_forms_are_accepted(url: str, canonical: str | None) -> None:
    result = CertUrlPolicy().canonical_url(url)
    assert result == canonical or result.endswith("/echo.api/echo-api-cert.pem")
    assert result.startswith("https://s3.amazonaws.com")


@pytest.mark.parametrize(
    "url",
    [
        "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "ftp://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://notamazon.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem",
        "https://evil.example@s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
        "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/../x/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/../../echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/%2e%2e/x/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/..\\x/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api",
        "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com:80/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com:notaport/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem?x=1",
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem#x",
    ],
)
def test_bad_cert_urls_are_rejected_before_any_download(url: str) -> None:
    verifier, bucket = make_verifier()
    bucket.files[url] = pki().chains["good"]
    body = body_of(envelope())
    assert "cert URL" in rejection(verifier, pki().headers(body, url=url), body).reason
    assert bucket.calls == []


def test_dot_segments_are_resolved_before_download() -> None:
    verifier, bucket = make_verifier()
    body = body_of(envelope())
    url = "HTTPS://S3.AMAZONAWS.COM/echo.api/./sub/../echo-api-cert-test.pem"
    verifier.verify(pki().headers(body, url=url), body)
    assert [call[0] for call in bucket.calls] == [CERT_URL]


# --- download limits and the cache ---


def test_chain_is_downloaded_once_then_cached() -> None:
    verifier, bucket = make_verifier()
    for _ in range(3):
        body = body_of(envelope())
        verifier.verify(pki().headers(body), body)
    assert len(bucket.calls) == 1


def test_cache_entry_ends_when_the_leaf_expires() -> None:
    now = [NOW]
    verifier, bucket = make_verifier(clock=lambda: now[0])
    body = body_of(envelope())
    verifier.verify(pki().headers(body), body)
    now[0] = pki().leaf.not_valid_after_utc + timedelta(seconds=1)
    late = body_of(envelope(timestamp=now[0]))
    assert "not valid now" in rejection(verifier, pki().headers(late), late).reason
    assert len(bucket.calls) == 2


def test_cache_is_bounded() -> None:
    verifier, bucket = make_verifier(cache_size=1)
    other_url = CERT_URL.replace("test.pem", "other.pem")
    bucket.files[other_url] = pki().chains["good"]
    for url in (CERT_URL, other_url, CERT_URL):
        body = body_of(envelope())
        verifier.verify(pki().headers(body, url=url), body)
    assert [call[0] for call in bucket.calls] == [CERT_URL, other_url, CERT_URL]


def test_failed_chain_is_remembered_and_not_refetched_until_its_time_is_up() -> None:
    now = [NOW]
    verifier, bucket = make_verifier("wrong_san", clock=lambda: now[0])
    body = body_of(envelope())
    assert "SAN lacks" in rejection(verifier, pki().headers(body), body).reason
    now[0] += timedelta(minutes=4)
    body = body_of(envelope(timestamp=now[0]))
    assert "failed recently" in rejection(verifier, pki().headers(body), body).reason
    assert len(bucket.calls) == 1
    now[0] += timedelta(minutes=2)
    body = body_of(envelope(timestamp=now[0]))
    assert "SAN lacks" in rejection(verifier, pki().headers(body), body).reason
    assert len(bucket.calls) == 2


def test_transient_download_failure_is_remembered_briefly() -> None:
    now = [NOW]
    calls: list[str] = []

    def flaky(url: str, timeout: float, max_bytes: int) -> bytes:
        calls.append(url)
        if len(calls) == 1:
            raise FetchError("timed out", transient=True)
        return pki().chains["good"]

    verifier = RequestVerifier(trust_store=pki().store(), fetcher=flaky, clock=lambda: now[0])
    body = body_of(envelope())
    assert "download failed" in rejection(verifier, pki().headers(body), body).reason
    assert "failed recently" in rejection(verifier, pki().headers(body), body).reason
    now[0] += timedelta(seconds=11)
    body = body_of(envelope(timestamp=now[0]))
    assert verifier.verify(pki().headers(body), body)["request"]["type"] == "LaunchRequest"
    assert len(calls) == 2


# --- floods of distinct certificate URLs ---


def flood_url(n: int) -> str:
    return f"https://s3.amazonaws.com/echo.api/flood-{n}.pem"


def test_caches_stay_at_their_bounds_after_thousands_of_distinct_urls() -> None:
    good = pki().chains["good"]
    verifier = RequestVerifier(
        trust_store=pki().store(),
        fetcher=lambda url, timeout, size: good,
        clock=lambda: NOW,
        fetches_per_minute=1_000_000,
    )
    body = body_of(envelope())
    signature = pki().sign(body)
    for n in range(1500):
        verifier.verify({"SignatureCertChainUrl": flood_url(n), "Signature-256": signature}, body)
    assert verifier.cache_sizes() == (32, 0, 0)
    failing, _ = make_verifier(fetches_per_minute=1_000_000, negative_cache_size=100)
    for n in range(5000):
        with pytest.raises(RequestRejected, match="download failed"):
            failing.verify(
                {"SignatureCertChainUrl": flood_url(n), "Signature-256": signature}, body
            )
    assert failing.cache_sizes() == (0, 100, 0)


class BlockedBucket(FakeBucket):
    """A bucket whose downloads of flood URLs hang until `release` is set."""

    def __init__(self) -> None:
        super().__init__({CERT_URL: pki().chains["good"]})
        self.release = threading.Event()
        self.entered = threading.Semaphore(0)

    def __call__(self, url: str, timeout: float, max_bytes: int) -> bytes:
        if url != CERT_URL:
            self.entered.release()
            # A safety net only: the test sets `release` well before.
            assert self.release.wait(60.0)
        return super().__call__(url, timeout, max_bytes)


def _verify_in_thread(
    verifier: RequestVerifier, url: str, results: list[object]
) -> threading.Thread:
    body = body_of(envelope())

    def run() -> None:
        try:
            results.append(verifier.verify(pki().headers(body, url=url), body))
        except RequestRejected as error:
            results.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_in_flight_cap_refuses_at_once_while_a_cached_certificate_still_verifies() -> None:
    bucket = BlockedBucket()
    verifier = RequestVerifier(
        trust_store=pki().store(), fetcher=bucket, clock=lambda: NOW, max_fetches_in_flight=3
    )
    body = body_of(envelope())
    verifier.verify(pki().headers(body), body)  # CERT_URL is now cached
    results: list[object] = []
    threads = [_verify_in_thread(verifier, flood_url(n), results) for n in range(3)]
    for _ in threads:
        assert bucket.entered.acquire(timeout=30.0)
    assert verifier.cache_sizes()[2] == 3
    try:
        extra = rejection(verifier, pki().headers(body, url=flood_url(99)), body)
        assert "in flight" in extra.reason and extra.status == 400
        # The legitimate, cached certificate does not wait for the hung downloads.
        assert verifier.verify(pki().headers(body), body)["request"]["type"] == "LaunchRequest"
    finally:
        bucket.release.set()
        for thread in threads:
            thread.join(timeout=30.0)
    assert len(results) == 3 and all(isinstance(r, RequestRejected) for r in results)
    assert [call[0] for call in bucket.calls].count(flood_url(99)) == 0
    assert verifier.cache_sizes()[2] == 0
    # Slots free again: the next new URL is downloaded (and fails, being unknown).
    assert (
        "download failed" in rejection(verifier, pki().headers(body, url=flood_url(7)), body).reason
    )


def test_concurrent_requests_for_one_url_share_one_download() -> None:
    bucket = BlockedBucket()
    url = flood_url(1)
    bucket.files[url] = pki().chains["good"]
    verifier = RequestVerifier(
        trust_store=pki().store(),
        fetcher=bucket,
        clock=lambda: NOW,
        max_fetches_in_flight=1,
        fetches_per_minute=1,
    )
    results: list[object] = []
    threads = [_verify_in_thread(verifier, url, results)]
    assert bucket.entered.acquire(timeout=30.0)
    # Neither the cap (1) nor the budget (1) would let these download on their own.
    threads += [_verify_in_thread(verifier, url, results) for _ in range(5)]
    bucket.release.set()
    for thread in threads:
        thread.join(timeout=30.0)
    assert len(results) == 6 and all(isinstance(r, dict) for r in results)
    assert [call[0] for call in bucket.calls] == [url]


def test_download_budget_refuses_then_recovers_as_the_clock_moves() -> None:
    now = [NOW]
    verifier, bucket = make_verifier(clock=lambda: now[0], fetches_per_minute=3)
    body = body_of(envelope())
    verifier.verify(pki().headers(body), body)  # one of the three, and now cached
    for n in range(2):
        reason = rejection(verifier, pki().headers(body, url=flood_url(n)), body).reason
        assert "download failed" in reason
    spent = rejection(verifier, pki().headers(body, url=flood_url(2)), body)
    assert "budget spent" in spent.reason and spent.status == 400
    assert len(bucket.calls) == 3
    # Spent budget does not touch a cached certificate.
    assert verifier.verify(pki().headers(body), body)["request"]["type"] == "LaunchRequest"
    now[0] += timedelta(seconds=19)  # 3 a minute: one new download every 20 s
    body = body_of(envelope(timestamp=now[0]))
    assert "budget spent" in rejection(verifier, pki().headers(body, url=flood_url(2)), body).reason
    now[0] += timedelta(seconds=1)
    assert (
        "download failed" in rejection(verifier, pki().headers(body, url=flood_url(2)), body).reason
    )
    assert len(bucket.calls) == 4


def test_size_cap_holds_even_when_the_fetcher_ignores_it() -> None:
    verifier, bucket = make_verifier(max_chain_bytes=1000)
    body = body_of(envelope())
    assert "exceeds 1000 bytes" in rejection(verifier, pki().headers(body), body).reason
    assert bucket.calls == [(CERT_URL, 3.0, 1000)]


def test_download_failure_is_a_rejection() -> None:
    verifier, bucket = make_verifier()
    bucket.files.clear()
    body = body_of(envelope())
    assert "download failed" in rejection(verifier, pki().headers(body), body).reason


# --- the real downloader against a local server ---


class _ChainServer(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, Callable[[BaseHTTPRequestHandler], None]]] = {}

    def do_GET(self) -> None:
        # A broken pipe means the client gave up, as it should.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.routes[self.path](self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _send(body: bytes, *, length: bool = True, status: int = 200) -> Callable[[Any], None]:
    def route(handler: Any) -> None:
        handler.send_response(status)
        if status in (301, 302):
            handler.send_header("Location", "/good.pem")
        if length:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


def _trickle(handler: Any) -> None:
    handler.send_response(200)
    handler.end_headers()
    for _ in range(400):
        handler.wfile.write(b"-")
        handler.wfile.flush()
        time.sleep(0.05)


def _silent(handler: Any) -> None:
    time.sleep(20.0)


@pytest.fixture(scope="module")
def chain_server() -> Iterator[str]:
    _ChainServer.routes = {
        "/good.pem": _send(pki().chains["good"]),
        "/echo.api/chain.pem": _send(pki().chains["good"]),
        "/big.pem": _send(b"x" * 5000),
        "/big-unannounced.pem": _send(b"x" * 5000, length=False),
        "/trickle.pem": _trickle,
        "/silent.pem": _silent,
        "/moved.pem": _send(b"", status=302),
        "/missing.pem": _send(b"", status=404),
        "/unavailable.pem": _send(b"", status=503),
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ChainServer)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_url_downloads_the_chain(chain_server: str) -> None:
    assert fetch_url(f"{chain_server}/good.pem", 2.0, 64 * 1024) == pki().chains["good"]


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/big.pem", "declared size 5000 exceeds 4096"),
        ("/big-unannounced.pem", "exceeds 4096 bytes"),
        ("/moved.pem", "302"),
        ("/missing.pem", "404"),
    ],
)
def test_fetch_url_refuses_oversized_or_misdirected_downloads(
    chain_server: str, path: str, reason: str
) -> None:
    with pytest.raises(FetchError, match=reason):
        fetch_url(f"{chain_server}{path}", 2.0, 4096)


@pytest.mark.parametrize(
    ("path", "transient"),
    [
        ("/missing.pem", False),
        ("/big.pem", False),
        ("/unavailable.pem", True),
        ("/silent.pem", True),
    ],
)
def test_fetch_url_tells_failures_that_may_pass(
    chain_server: str, path: str, transient: bool
) -> None:
    with pytest.raises(FetchError) as caught:
        fetch_url(f"{chain_server}{path}", 0.2, 4096)
    assert caught.value.transient is transient


@pytest.mark.parametrize("path", ["/trickle.pem", "/silent.pem"])
def test_fetch_url_gives_up_after_the_timeout(chain_server: str, path: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError):
        fetch_url(f"{chain_server}{path}", 0.2, 64 * 1024)
    # The server would take 20 s: giving up well before proves the timeout, however busy.
    assert time.monotonic() - started < 10.0


def test_verifier_with_real_downloads_from_an_allowed_local_url(chain_server: str) -> None:
    port = int(chain_server.rsplit(":", 1)[1])
    policy = CertUrlPolicy(
        schemes=frozenset({"http"}), hosts=frozenset({"127.0.0.1"}), ports=frozenset({port})
    )
    verifier = RequestVerifier(trust_store=pki().store(), cert_url_policy=policy, clock=lambda: NOW)
    body = body_of(envelope())
    headers = pki().headers(body, url=f"{chain_server}/echo.api/chain.pem")
    assert verifier.verify(headers, body)["request"]["type"] == "LaunchRequest"
    timid = RequestVerifier(
        trust_store=pki().store(), cert_url_policy=policy, clock=lambda: NOW, max_chain_bytes=100
    )
    assert "exceeds 100 bytes" in rejection(timid, headers, body).reason


# --- body and skill id ---


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe{}",
        b"[1, 2]",
        b"",
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="nested-100000-deep"),
    ],
)
def test_bodies_that_are_not_json_objects_are_rejected(body: bytes) -> None:
    with pytest.raises(RequestRejected) as caught:
        parse_body(body)
    assert caught.value.status == 400


def test_signed_but_malformed_json_is_rejected() -> None:
    verifier, _ = make_verifier()
    body = b'{"request": '
    assert "not UTF-8 JSON" in rejection(verifier, pki().headers(body), body).reason


def test_matching_application_id_passes() -> None:
    check_application_id(envelope(), SKILL_ID)
    check_application_id(envelope(with_session=False), SKILL_ID)


@pytest.mark.parametrize(
    "payload",
    [
        envelope(skill_id="amzn1.ask.skill.someone-else"),
        {"request": {}},
        {**envelope(), "session": {"application": {"applicationId": "amzn1.ask.skill.other"}}},
        {"context": {"System": {"application": {"applicationId": {"nested": SKILL_ID}}}}},
    ],
)
def test_other_or_missing_application_id_is_forbidden(payload: dict[str, Any]) -> None:
    with pytest.raises(RequestRejected) as caught:
        check_application_id(payload, SKILL_ID)
    assert caught.value.status == 403
