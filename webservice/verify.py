"""Checks that a request to the self-hosted endpoint really comes from Alexa.

The rules are Amazon's for skills hosted as a web service: the signing certificate comes
from a URL under https://s3.amazonaws.com/echo.api/, is valid now, names echo-api.amazon.com
and chains to a trusted root; the Signature-256 header signs the raw body; the request
timestamp is fresh. Every failure raises RequestRejected with a short reason for the log.
"""

from __future__ import annotations

import base64
import binascii
import json
import posixpath
import ssl
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.client import HTTPException
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import certifi
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import verification

ECHO_API_HOSTNAME = "echo-api.amazon.com"
REQUEST_TOLERANCE = timedelta(seconds=150)
# Alexa may deliver skill events (enable, disable, permissions, reminders) up to an hour late.
SKILL_EVENT_TOLERANCE = timedelta(seconds=3600)
SKILL_EVENT_PREFIXES = ("AlexaSkillEvent.", "AlexaHouseholdListEvent.", "Reminders.")

DEFAULT_DOWNLOAD_TIMEOUT = 3.0
DEFAULT_MAX_CHAIN_BYTES = 64 * 1024
# Alexa signs with very few certificates at a time; the bounds are what a flood of
# distinct (rule-conforming) URLs can make the verifier hold or do.
DEFAULT_CACHE_SIZE = 32
DEFAULT_NEGATIVE_CACHE_SIZE = 1024
DEFAULT_NEGATIVE_TTL = timedelta(minutes=5)
# A timeout or a 5xx may pass: remembering it long would lock Alexa out for as long.
DEFAULT_TRANSIENT_NEGATIVE_TTL = timedelta(seconds=10)
DEFAULT_MAX_FETCHES_IN_FLIGHT = 4
DEFAULT_FETCHES_PER_MINUTE = 30

_DEFAULT_PORTS = {"https": 443, "http": 80}

Clock = Callable[[], datetime]
# fetch(url, timeout_seconds, max_bytes) -> body; raises FetchError.
Fetcher = Callable[[str, float, int], bytes]


class RequestRejected(Exception):
    """The request must not reach the skill; `status` is the HTTP answer to give."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class FetchError(Exception):
    """The certificate chain could not be downloaded within the limits.

    `transient` marks failures that may pass (timeouts, resets, 5xx, 429); they are
    remembered for a shorter time than a 404 or an oversized chain.
    """

    def __init__(self, reason: str, *, transient: bool = False) -> None:
        super().__init__(reason)
        self.transient = transient


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CertUrlPolicy:
    """Where a signing certificate may come from. The defaults are Amazon's rules."""

    schemes: frozenset[str] = frozenset({"https"})
    hosts: frozenset[str] = frozenset({"s3.amazonaws.com"})
    ports: frozenset[int] = frozenset({443})
    path_prefix: str = "/echo.api/"

    def canonical_url(self, url: str) -> str:
        """The URL to download and cache under, or RequestRejected when the rules fail."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise RequestRejected(f"cert URL unparsable: {error}") from error
        scheme = parts.scheme.lower()
        if scheme not in self.schemes:
            raise RequestRejected(f"cert URL scheme not allowed: {scheme!r}")
        if parts.username is not None or parts.password is not None:
            raise RequestRejected("cert URL carries credentials")
        host = parts.hostname or ""
        if host not in self.hosts:
            raise RequestRejected(f"cert URL host not allowed: {host!r}")
        if (port if port is not None else _DEFAULT_PORTS.get(scheme)) not in self.ports:
            raise RequestRejected(f"cert URL port not allowed: {port}")
        if "?" in url or "#" in url:
            raise RequestRejected("cert URL has a query or fragment")
        # Encoded or backslashed segments could mean one path here and another on the server.
        if "%" in parts.path or "\\" in parts.path:
            raise RequestRejected("cert URL path has escapes")
        path = posixpath.normpath(parts.path) if parts.path else ""
        if not path.startswith(self.path_prefix):
            raise RequestRejected(f"cert URL path not allowed: {path!r}")
        netloc = f"[{host}]" if ":" in host else host
        if port is not None:
            netloc = f"{netloc}:{port}"
        return urlunsplit((scheme, netloc, path, "", ""))


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would lead away from the host the URL rules approved.
    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> None:
        return None


_ssl_context: ssl.SSLContext | None = None


def _shared_ssl_context() -> ssl.SSLContext:
    # Loading certifi's bundle costs milliseconds and memory; one context serves every fetch.
    global _ssl_context
    if _ssl_context is None:
        _ssl_context = ssl.create_default_context(cafile=certifi.where())
    return _ssl_context


def fetch_url(url: str, timeout: float, max_bytes: int) -> bytes:
    """Downloads `url` within about `timeout` seconds, refusing more than `max_bytes`."""
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(
        _RefuseRedirects(), urllib.request.HTTPSHandler(context=_shared_ssl_context())
    )
    chunks: list[bytes] = []
    size = 0
    try:
        with opener.open(url, timeout=timeout) as response:
            if response.status != 200:
                status = response.status
                raise FetchError(f"HTTP status {status}", transient=_transient_status(status))
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"declared size {declared} exceeds {max_bytes} bytes")
            while True:
                # The socket timeout bounds each read; the deadline bounds a slow trickle.
                if time.monotonic() > deadline:
                    raise FetchError(f"download took longer than {timeout} s", transient=True)
                chunk = response.read1(16 * 1024)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"download exceeds {max_bytes} bytes")
                chunks.append(chunk)
    except urllib.error.HTTPError as error:
        transient = _transient_status(error.code)
        raise FetchError(f"download failed: {error}", transient=transient) from error
    except (OSError, HTTPException) as error:
        raise FetchError(f"download failed: {error}", transient=True) from error
    except ValueError as error:
        raise FetchError(f"download failed: {error}") from error
    return b"".join(chunks)


def _transient_status(status: int) -> bool:
    return status == 429 or status >= 500


def load_certifi_store() -> verification.Store:
    """A trust store of certifi's roots."""
    with open(certifi.where(), "rb") as handle:
        return verification.Store(list(_load_roots(handle.read())))


def _load_roots(pem: bytes) -> Iterable[x509.Certificate]:
    marker = b"-----END CERTIFICATE-----"
    for block in pem.split(marker):
        if b"-----BEGIN CERTIFICATE-----" not in block:
            continue
        with warnings.catch_warnings():
            # A few old roots have non-positive serial numbers; they are still roots.
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            try:
                yield x509.load_pem_x509_certificate(block + marker)
            except ValueError:
                continue  # a root this cryptography version refuses cannot anchor a chain


def parse_body(body: bytes) -> dict[str, Any]:
    """The request JSON object, or RequestRejected."""
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise RequestRejected(f"body is not UTF-8 JSON: {error}") from error
    except RecursionError as error:
        raise RequestRejected("body JSON is nested too deeply") from error
    if not isinstance(payload, dict):
        raise RequestRejected("body is not a JSON object")
    return payload


def check_timestamp(payload: Mapping[str, Any], now: datetime) -> None:
    """Rejects a request whose timestamp is too far from `now` (replay protection)."""
    request = payload.get("request")
    if not isinstance(request, dict):
        raise RequestRejected("body has no request object")
    stamp = request.get("timestamp")
    if not isinstance(stamp, str):
        raise RequestRejected("request has no timestamp")
    try:
        sent = datetime.fromisoformat(stamp)
    except ValueError as error:
        raise RequestRejected(f"request timestamp unparsable: {stamp!r}") from error
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=UTC)
    request_type = request.get("type")
    is_event = isinstance(request_type, str) and request_type.startswith(SKILL_EVENT_PREFIXES)
    tolerance = SKILL_EVENT_TOLERANCE if is_event else REQUEST_TOLERANCE
    drift = abs(now - sent)
    if drift > tolerance:
        off, limit = int(drift.total_seconds()), int(tolerance.total_seconds())
        raise RequestRejected(f"request timestamp {off} s off (limit {limit} s)")


def check_application_id(payload: Mapping[str, Any], expected: str) -> None:
    """Rejects with 403 a request meant for another skill."""
    found = [
        value
        for value in (
            _dig(payload, "context", "System", "application", "applicationId"),
            _dig(payload, "session", "application", "applicationId"),
        )
        if value is not None
    ]
    if not found or any(value != expected for value in found):
        raise RequestRejected("application id does not match SKILL_ID", status=403)


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


@dataclass(frozen=True)
class _SigningKey:
    key: RSAPublicKey
    valid_from: datetime
    valid_until: datetime


@dataclass(frozen=True)
class _Failure:
    reason: str
    until: datetime


class _Flight:
    """One download in progress; requests for the same URL wait for it instead of fetching."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.key: _SigningKey | None = None
        self.failure: RequestRejected | None = None


class FetchBudget:
    """A token bucket of new certificate downloads, refilled continuously, read off `clock`."""

    def __init__(self, per_minute: int, clock: Clock) -> None:
        if per_minute <= 0:
            raise ValueError("the download budget must be positive")
        self._capacity = float(per_minute)
        self._rate = per_minute / 60.0  # tokens a second
        self._tokens = self._capacity
        self._clock = clock
        self._last = clock()

    def take(self) -> bool:
        """Spends one download if the budget allows it; the caller holds the verifier lock."""
        now = self._clock()
        # A clock that steps back must not mint tokens or stall the refill for long.
        elapsed = max(0.0, (now - self._last).total_seconds())
        self._last = now
        self._tokens = min(self._capacity, self._tokens + elapsed * self._rate)
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True


class RequestVerifier:
    """Verifies signature and freshness of Alexa requests; safe to share between threads.

    Production uses the defaults. Tests inject a trust store with their own root, a URL
    policy that allows a local server, a fetcher and a clock.

    Every certificate URL conforming to the rules could be a download, so downloads are
    bounded: at most `max_fetches_in_flight` distinct URLs at once and `fetches_per_minute`
    new ones (both refuse at once, never queue), failed URLs are remembered for a while,
    and requests for a URL being downloaded share that download. Caches have fixed sizes.
    A request whose certificate is cached takes the lock only for a dictionary lookup.
    """

    def __init__(
        self,
        *,
        trust_store: verification.Store | None = None,
        cert_url_policy: CertUrlPolicy | None = None,
        fetcher: Fetcher = fetch_url,
        clock: Clock = utc_now,
        download_timeout: float = DEFAULT_DOWNLOAD_TIMEOUT,
        max_chain_bytes: int = DEFAULT_MAX_CHAIN_BYTES,
        cache_size: int = DEFAULT_CACHE_SIZE,
        negative_cache_size: int = DEFAULT_NEGATIVE_CACHE_SIZE,
        negative_ttl: timedelta = DEFAULT_NEGATIVE_TTL,
        transient_negative_ttl: timedelta = DEFAULT_TRANSIENT_NEGATIVE_TTL,
        max_fetches_in_flight: int = DEFAULT_MAX_FETCHES_IN_FLIGHT,
        fetches_per_minute: int = DEFAULT_FETCHES_PER_MINUTE,
    ) -> None:
        if min(cache_size, negative_cache_size, max_fetches_in_flight) <= 0:
            raise ValueError("cache sizes and the in-flight cap must be positive")
        self._trust_store = trust_store
        self._url_policy = cert_url_policy or CertUrlPolicy()
        self._fetch = fetcher
        self._clock = clock
        self._download_timeout = download_timeout
        self._max_chain_bytes = max_chain_bytes
        self._cache_size = cache_size
        self._negative_cache_size = negative_cache_size
        self._negative_ttl = negative_ttl
        self._transient_negative_ttl = transient_negative_ttl
        self._max_in_flight = max_fetches_in_flight
        self._budget = FetchBudget(fetches_per_minute, clock)
        self._cache: OrderedDict[str, _SigningKey] = OrderedDict()
        self._failures: OrderedDict[str, _Failure] = OrderedDict()
        self._in_flight: dict[str, _Flight] = {}
        self._lock = threading.Lock()

    def cache_sizes(self) -> tuple[int, int, int]:
        """Entries held: (certificates, remembered failures, downloads in flight)."""
        with self._lock:
            return len(self._cache), len(self._failures), len(self._in_flight)

    def verify(self, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
        """Returns the request JSON when the request is authentic and fresh."""
        lowered = {name.lower(): value for name, value in headers.items()}
        cert_url = lowered.get("signaturecertchainurl")
        if not cert_url:
            raise RequestRejected("missing SignatureCertChainUrl header")
        signature_b64 = lowered.get("signature-256")
        if not signature_b64:
            if "signature" in lowered:
                raise RequestRejected("only the SHA-1 Signature header; Signature-256 required")
            raise RequestRejected("missing Signature-256 header")
        try:
            signature = base64.b64decode(signature_b64.strip(), validate=True)
        except (binascii.Error, ValueError) as error:
            raise RequestRejected("Signature-256 is not base64") from error
        now = self._clock()
        signing_key = self._signing_key(cert_url, now)
        try:
            signing_key.verify(signature, body, PKCS1v15(), hashes.SHA256())
        except InvalidSignature as error:
            raise RequestRejected("Signature-256 does not match the body") from error
        payload = parse_body(body)
        check_timestamp(payload, now)
        return payload

    def _signing_key(self, url: str, now: datetime) -> RSAPublicKey:
        canonical = self._url_policy.canonical_url(url)
        with self._lock:
            cached = self._cache.get(canonical)
            if cached is not None:
                if cached.valid_from <= now < cached.valid_until:
                    self._cache.move_to_end(canonical)
                    return cached.key
                del self._cache[canonical]
            failure = self._failures.get(canonical)
            if failure is not None:
                if now < failure.until:
                    raise RequestRejected(f"cert chain failed recently: {failure.reason}")
                del self._failures[canonical]
            flight = self._in_flight.get(canonical)
            leader = flight is None
            if flight is None:
                # Refuse rather than queue: a queue would hold server threads hostage.
                if len(self._in_flight) >= self._max_in_flight:
                    raise RequestRejected("too many cert chain downloads in flight")
                if not self._budget.take():
                    raise RequestRejected("cert chain download budget spent for this minute")
                flight = self._in_flight[canonical] = _Flight()
        if leader:
            return self._download(canonical, flight, now).key
        # The leader's fetch has its own timeout; this wait is a safety net only.
        if not flight.done.wait(self._download_timeout * 4 + 5.0):
            raise RequestRejected("cert chain download did not finish")
        if flight.key is None:
            raise flight.failure or RequestRejected("cert chain download failed")
        return flight.key.key

    def _download(self, canonical: str, flight: _Flight, now: datetime) -> _SigningKey:
        ttl = self._negative_ttl
        try:
            try:
                pem = self._fetch(canonical, self._download_timeout, self._max_chain_bytes)
            except FetchError as error:
                if error.transient:
                    ttl = self._transient_negative_ttl
                raise RequestRejected(f"cert chain download failed: {error}") from error
            # The cap holds whatever the fetcher does.
            if len(pem) > self._max_chain_bytes:
                raise RequestRejected(f"cert chain exceeds {self._max_chain_bytes} bytes")
            flight.key = self._verify_chain(pem, now)
        except RequestRejected as rejection:
            flight.failure = rejection
            raise
        except Exception as error:
            # A fault in the checks fails closed for the followers too.
            flight.failure = RequestRejected(f"cert chain check failed: {type(error).__name__}")
            raise
        finally:
            self._land(canonical, flight, now, ttl)
        return flight.key

    def _land(self, canonical: str, flight: _Flight, now: datetime, ttl: timedelta) -> None:
        with self._lock:
            del self._in_flight[canonical]
            if flight.key is not None:
                self._cache[canonical] = flight.key
                self._cache.move_to_end(canonical)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
            elif flight.failure is not None:
                reason = flight.failure.reason
                self._failures[canonical] = _Failure(reason, until=now + ttl)
                self._failures.move_to_end(canonical)
                while len(self._failures) > self._negative_cache_size:
                    self._failures.popitem(last=False)
        flight.done.set()

    def _verify_chain(self, pem: bytes, now: datetime) -> _SigningKey:
        try:
            leaf, *intermediates = x509.load_pem_x509_certificates(pem)
        except ValueError as error:
            raise RequestRejected("cert chain is not PEM certificates") from error
        if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
            raise RequestRejected("signing certificate is not valid now")
        if not _names_echo_api(leaf):
            raise RequestRejected(f"signing certificate SAN lacks {ECHO_API_HOSTNAME}")
        if self._trust_store is None:
            self._trust_store = load_certifi_store()
        verifier = (
            verification.PolicyBuilder()
            .store(self._trust_store)
            .time(now)
            .build_server_verifier(verification.DNSName(ECHO_API_HOSTNAME))
        )
        try:
            chain = verifier.verify(leaf, intermediates)
        except verification.VerificationError as error:
            raise RequestRejected(f"cert chain not trusted: {error}") from error
        key = leaf.public_key()
        if not isinstance(key, RSAPublicKey):
            raise RequestRejected("signing certificate key is not RSA")
        return _SigningKey(
            key=key,
            valid_from=max(cert.not_valid_before_utc for cert in chain),
            valid_until=min(cert.not_valid_after_utc for cert in chain),
        )


def _names_echo_api(certificate: x509.Certificate) -> bool:
    # Amazon's rule is an exact SAN entry; the chain check alone would also accept a wildcard.
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except (x509.ExtensionNotFound, ValueError):  # ValueError: malformed extensions
        return False
    names = san.value.get_values_for_type(x509.DNSName)
    return any(name.lower() == ECHO_API_HOSTNAME for name in names)
