"""A local HTTPS stand-in for the Alexa REST APIs the skill calls.

The ASK SDK's real service clients (reminders, timers, device settings) work against it
unchanged: put ``.endpoint`` in ``context.System.apiEndpoint``, ``.token`` in
``context.System.apiAccessToken`` and point REQUESTS_CA_BUNDLE at ``.ca_path``.

Shapes follow the ask-sdk-model 1.82.0 classes (their ``attribute_map`` names). Error codes
that the brief or ALEXA_NOTES.md do not name are this stand-in's own choice; they are marked
"stand-in code" where they are made up.
"""

from __future__ import annotations

import calendar
import copy
import ipaddress
import json
import os
import re
import secrets
import shutil
import ssl
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from xml.etree import ElementTree
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = [
    "REMINDERS_SCOPE",
    "TIMERS_SCOPE",
    "AlexaApiStandIn",
    "RecordedRequest",
]

REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"
TIMERS_SCOPE = "alexa::alerts:timers:skill:readwrite"
_SCOPE_NAMES = {"reminders": REMINDERS_SCOPE, "timers": TIMERS_SCOPE}

STATE_FILE_NAME = "alexa_api.json"

JsonBody = dict[str, Any] | list[Any] | str | None


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the stand-in received it (header names lower-cased)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    json: Any


class _ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.body = {"code": code, "message": message}


@dataclass
class _Failure:
    method: str
    path_prefix: str
    status: int | None
    body: dict[str, Any] | None
    remaining: int
    delay: float


# ---------------------------------------------------------------------------------------
# Time helpers

_LOCAL_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?")
_DURATION = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")
_WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_utc(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def _local_time(value: Any, field_name: str) -> datetime:
    # Alexa wants local wall-clock time here: an offset or a trailing Z is a client bug.
    if not isinstance(value, str) or not _LOCAL_TIME.fullmatch(value):
        raise _ApiError(
            400,
            "INVALID_TRIGGER_SCHEDULED_TIME_FORMAT",
            f"{field_name} must be local time like 2025-01-31T20:00:00, without offset or Z",
        )
    try:
        return datetime.fromisoformat(value)
    except ValueError as error:
        raise _ApiError(
            400, "INVALID_TRIGGER_SCHEDULED_TIME_FORMAT", f"{field_name} is not a real time"
        ) from error


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def _duration_seconds(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    match = _DURATION.fullmatch(value)
    if not match or value in ("P", "PT") or value.endswith("T"):
        return None
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def _iso_duration(seconds: int) -> str:
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"PT{hours}H{minutes}M{secs}S"


# ---------------------------------------------------------------------------------------
# Recurrence rules: the subset of RFC 5545 that the skill's rituals need


@dataclass(frozen=True)
class _Rule:
    freq: str
    interval: int = 1
    hours: tuple[int, ...] | None = None
    minutes: tuple[int, ...] | None = None
    seconds: tuple[int, ...] | None = None
    weekdays: tuple[tuple[int | None, int], ...] = ()
    monthdays: tuple[int, ...] = ()
    setpos: tuple[int, ...] = ()

    def times_of_day(self, anchor: datetime) -> list[time]:
        hours = self.hours if self.hours is not None else (anchor.hour,)
        minutes = self.minutes if self.minutes is not None else (anchor.minute,)
        seconds = self.seconds if self.seconds is not None else (anchor.second,)
        return sorted(time(h, m, s) for h in hours for m in minutes for s in seconds)

    def matches(self, day: date, anchor: date) -> bool:
        if self.freq == "DAILY":
            if (day - anchor).days % self.interval:
                return False
            return not self.weekdays or any(wd == day.weekday() for _, wd in self.weekdays)
        if self.freq == "WEEKLY":
            anchor_week = anchor - timedelta(days=anchor.weekday())
            week = day - timedelta(days=day.weekday())
            if ((week - anchor_week).days // 7) % self.interval:
                return False
            wanted = [wd for _, wd in self.weekdays] or [anchor.weekday()]
            return day.weekday() in wanted
        # MONTHLY
        months = (day.year - anchor.year) * 12 + day.month - anchor.month
        if months % self.interval:
            return False
        last = calendar.monthrange(day.year, day.month)[1]
        if self.monthdays:
            return any(day.day == (md if md > 0 else last + md + 1) for md in self.monthdays)
        if not self.weekdays:
            return day.day == anchor.day
        month_days = [date(day.year, day.month, d) for d in range(1, last + 1)]
        if self.setpos:
            candidates = [d for d in month_days if d.weekday() in {wd for _, wd in self.weekdays}]
            chosen = set()
            for pos in self.setpos:
                index = pos - 1 if pos > 0 else len(candidates) + pos
                if 0 <= index < len(candidates):
                    chosen.add(candidates[index])
            return day in chosen
        for ordinal, weekday in self.weekdays:
            same = [d for d in month_days if d.weekday() == weekday]
            if ordinal is None and day in same:
                return True
            if ordinal is not None:
                index = ordinal - 1 if ordinal > 0 else len(same) + ordinal
                if 0 <= index < len(same) and same[index] == day:
                    return True
        return False


def _unsupported(rule: str, why: str) -> _ApiError:
    return _ApiError(400, "UNSUPPORTED_TRIGGER_RECURRENCE", f"{why} in recurrence rule {rule!r}")


def _int_list(rule: str, key: str, value: str, low: int, high: int) -> tuple[int, ...]:
    try:
        numbers = tuple(int(part) for part in value.split(","))
    except ValueError as error:
        raise _unsupported(rule, f"{key} must be numbers") from error
    # Negative positions count from the end, so 0 means nothing there.
    if not numbers or any(not low <= n <= high or (n == 0 and low < 0) for n in numbers):
        raise _unsupported(rule, f"{key} out of range")
    return numbers


def _parse_rule(rule: Any) -> _Rule:
    if not isinstance(rule, str) or not rule.strip():
        raise _ApiError(400, "UNSUPPORTED_TRIGGER_RECURRENCE", "a recurrence rule must be text")
    parts: dict[str, str] = {}
    # Alexa's own examples end rules with ";", so empty parts are allowed.
    for part in filter(None, rule.strip().split(";")):
        key, sep, value = part.partition("=")
        if not sep or not value or key in parts:
            raise _unsupported(rule, f"malformed part {part!r}")
        parts[key.upper()] = value.upper()
    freq = parts.pop("FREQ", None)
    if freq not in ("DAILY", "WEEKLY", "MONTHLY"):
        raise _unsupported(rule, "FREQ must be DAILY, WEEKLY or MONTHLY")
    interval = _int_list(rule, "INTERVAL", parts.pop("INTERVAL", "1"), 1, 1000)
    hours = parts.pop("BYHOUR", None)
    minutes = parts.pop("BYMINUTE", None)
    seconds = parts.pop("BYSECOND", None)
    weekdays: list[tuple[int | None, int]] = []
    for item in filter(None, parts.pop("BYDAY", "").split(",")):
        match = re.fullmatch(r"([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)", item)
        if not match:
            raise _unsupported(rule, f"BYDAY {item!r}")
        ordinal = int(match.group(1)) if match.group(1) else None
        if ordinal is not None and (freq != "MONTHLY" or not 1 <= abs(ordinal) <= 5):
            raise _unsupported(rule, f"BYDAY ordinal {item!r}")
        weekdays.append((ordinal, _WEEKDAYS[match.group(2)]))
    monthdays = parts.pop("BYMONTHDAY", None)
    setpos = parts.pop("BYSETPOS", None)
    if parts:
        raise _unsupported(rule, f"unsupported part {sorted(parts)[0]}")
    if monthdays and freq != "MONTHLY":
        raise _unsupported(rule, "BYMONTHDAY needs FREQ=MONTHLY")
    if monthdays and weekdays:
        raise _unsupported(rule, "BYMONTHDAY with BYDAY")
    if setpos and (freq != "MONTHLY" or not weekdays or any(o for o, _ in weekdays)):
        raise _unsupported(rule, "BYSETPOS needs FREQ=MONTHLY and plain BYDAY")
    return _Rule(
        freq=freq,
        interval=interval[0],
        hours=_int_list(rule, "BYHOUR", hours, 0, 23) if hours else None,
        minutes=_int_list(rule, "BYMINUTE", minutes, 0, 59) if minutes else None,
        seconds=_int_list(rule, "BYSECOND", seconds, 0, 59) if seconds else None,
        weekdays=tuple(weekdays),
        monthdays=_int_list(rule, "BYMONTHDAY", monthdays, -31, 31) if monthdays else (),
        setpos=_int_list(rule, "BYSETPOS", setpos, -5, 5) if setpos else (),
    )


def _rules_of(recurrence: dict[str, Any]) -> list[_Rule]:
    rules = recurrence.get("recurrenceRules")
    if rules is not None:
        if not isinstance(rules, list) or not rules:
            raise _ApiError(400, "UNSUPPORTED_TRIGGER_RECURRENCE", "recurrenceRules must be a list")
        return [_parse_rule(rule) for rule in rules]
    # The deprecated freq/byDay form, still accepted when no recurrenceRules are sent.
    freq = recurrence.get("freq")
    by_day = recurrence.get("byDay") or []
    if freq not in ("DAILY", "WEEKLY") or not isinstance(by_day, list):
        raise _ApiError(400, "UNSUPPORTED_TRIGGER_RECURRENCE", "recurrence needs recurrenceRules")
    rule = f"FREQ={freq};INTERVAL={recurrence.get('interval') or 1}"
    if by_day:
        rule += ";BYDAY=" + ",".join(str(day) for day in by_day)
    return [_parse_rule(rule)]


# ---------------------------------------------------------------------------------------
# Request validation


def _require_dict(value: Any, code: str, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _ApiError(400, code, f"{what} must be an object")
    return value


def _validate_alert_info(body: dict[str, Any]) -> None:
    info = body.get("alertInfo")
    spoken = info.get("spokenInfo") if isinstance(info, dict) else None
    content = spoken.get("content") if isinstance(spoken, dict) else None
    if not isinstance(content, list) or not content:
        raise _ApiError(400, "INVALID_ALERT_INFO", "alertInfo.spokenInfo.content is required")
    for item in content:
        if not isinstance(item, dict):
            raise _ApiError(400, "INVALID_ALERT_INFO", "content items must be objects")
        for key in ("locale", "text", "ssml"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise _ApiError(400, "INVALID_ALERT_INFO", f"content {key} is required")
        try:
            root = ElementTree.fromstring(item["ssml"])
        except ElementTree.ParseError as error:
            raise _ApiError(400, "INVALID_ALERT_INFO", "ssml is not well-formed") from error
        if root.tag != "speak":
            raise _ApiError(400, "INVALID_ALERT_INFO", "ssml must be wrapped in <speak>")


def _validate_reminder(body: Any) -> None:
    body = _require_dict(body, "INVALID_REQUEST", "the request body")  # stand-in code
    if not isinstance(body.get("requestTime"), str):
        raise _ApiError(400, "INVALID_REQUEST", "requestTime is required")  # stand-in code
    trigger = _require_dict(body.get("trigger"), "INVALID_TRIGGER", "trigger")  # stand-in code
    kind = trigger.get("type")
    recurrence = trigger.get("recurrence")
    zone_name = trigger.get("timeZoneId")
    if zone_name is not None:
        try:
            _zone(str(zone_name))
        except ValueError as error:
            raise _ApiError(400, "INVALID_TIME_ZONE_ID", str(error)) from error  # stand-in code
    if kind == "SCHEDULED_RELATIVE":
        offset = trigger.get("offsetInSeconds")
        if isinstance(offset, bool) or not isinstance(offset, int) or offset <= 0:
            raise _ApiError(400, "INVALID_TRIGGER", "offsetInSeconds must be a positive number")
        if recurrence is not None:
            # UNVERIFIED whether Alexa refuses this; it never repeats, so refuse loudly here.
            raise _ApiError(
                400, "UNSUPPORTED_TRIGGER_RECURRENCE", "a relative trigger cannot recur"
            )
    elif kind == "SCHEDULED_ABSOLUTE":
        has_rules = isinstance(recurrence, dict) and "recurrenceRules" in recurrence
        # With recurrenceRules Alexa ignores scheduledTime, so it may be left out.
        if "scheduledTime" in trigger or not has_rules:
            _local_time(trigger.get("scheduledTime"), "scheduledTime")
        if recurrence is not None:
            recurrence = _require_dict(
                recurrence, "UNSUPPORTED_TRIGGER_RECURRENCE", "trigger.recurrence"
            )
            _rules_of(recurrence)
            start = end = None
            if recurrence.get("startDateTime") is not None:
                start = _local_time(recurrence["startDateTime"], "startDateTime")
            if recurrence.get("endDateTime") is not None:
                end = _local_time(recurrence["endDateTime"], "endDateTime")
            if start and end and end <= start:
                raise _ApiError(
                    400, "UNSUPPORTED_TRIGGER_RECURRENCE", "endDateTime is before startDateTime"
                )
    else:
        raise _ApiError(400, "INVALID_TRIGGER", f"unknown trigger type {kind!r}")
    _validate_alert_info(body)
    push = body.get("pushNotification")
    if push is not None and (
        not isinstance(push, dict) or push.get("status") not in ("ENABLED", "DISABLED")
    ):
        raise _ApiError(400, "INVALID_PUSH_NOTIFICATION", "status must be ENABLED or DISABLED")


def _validate_timer(body: Any) -> int:
    """Check a TimerRequest and return its duration in seconds."""
    body = _require_dict(body, "INVALID_REQUEST", "the request body")  # stand-in codes below
    seconds = _duration_seconds(body.get("duration"))
    if not seconds:
        raise _ApiError(400, "INVALID_DURATION", "duration must be an ISO 8601 span like PT15M")
    label = body.get("timerLabel")
    if label is not None and (not isinstance(label, str) or len(label) > 256):
        raise _ApiError(400, "INVALID_TIMER_LABEL", "timerLabel is text of at most 256 chars")
    creation = _require_dict(body.get("creationBehavior"), "INVALID_REQUEST", "creationBehavior")
    display = _require_dict(
        creation.get("displayExperience"), "INVALID_REQUEST", "displayExperience"
    )
    if display.get("visibility") not in ("VISIBLE", "HIDDEN"):
        raise _ApiError(400, "INVALID_REQUEST", "visibility must be VISIBLE or HIDDEN")
    triggering = _require_dict(
        body.get("triggeringBehavior"), "INVALID_REQUEST", "triggeringBehavior"
    )
    operation = _require_dict(triggering.get("operation"), "INVALID_REQUEST", "operation")
    kind = operation.get("type")
    if kind == "ANNOUNCE":
        texts = operation.get("textToAnnounce")
        if (
            not isinstance(texts, list)
            or not texts
            or not all(
                isinstance(t, dict) and isinstance(t.get("text"), str) and t["text"].strip()
                for t in texts
            )
        ):
            raise _ApiError(400, "INVALID_REQUEST", "ANNOUNCE needs textToAnnounce with text")
    elif kind == "LAUNCH_TASK":
        if not isinstance(operation.get("task"), dict) or not operation.get("textToConfirm"):
            raise _ApiError(400, "INVALID_REQUEST", "LAUNCH_TASK needs task and textToConfirm")
    elif kind != "NOTIFY_ONLY":
        raise _ApiError(400, "INVALID_REQUEST", f"unknown operation type {kind!r}")
    config = triggering.get("notificationConfig")
    if config is not None and not isinstance(
        _require_dict(config, "INVALID_REQUEST", "notificationConfig").get("playAudible"), bool
    ):
        raise _ApiError(400, "INVALID_REQUEST", "playAudible must be true or false")
    return seconds


# ---------------------------------------------------------------------------------------
# TLS


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def _make_tls(directory: Path) -> tuple[ssl.SSLContext, Path]:
    """Make a throwaway CA and a leaf for 127.0.0.1/localhost; return server context, CA."""
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "Closer Together local Alexa API CA")]
    )
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
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
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.IPv4Address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path = directory / "ca.pem"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_path = directory / "server.pem"
    cert_path.write_bytes(leaf_cert.public_bytes(serialization.Encoding.PEM))
    key_path = directory / "server.key"
    _write_private(
        key_path,
        leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_path, key_path)
    return context, ca_path


# ---------------------------------------------------------------------------------------
# HTTP plumbing


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, standin: AlexaApiStandIn, tls: ssl.SSLContext) -> None:
        self.standin = standin
        self.tls = tls
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that refuse the certificate or hang up are expected; stay quiet.
        return


class _Handler(BaseHTTPRequestHandler):
    # Headers and body go out in separate writes: without this, each answer waits for a
    # delayed ACK (about 40 ms on loopback).
    disable_nagle_algorithm = True
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 10  # a silent client must not hold a thread for ever

    def setup(self) -> None:
        # Handshake here, in the request's own thread, so one slow client cannot block accept().
        self.request.settimeout(self.timeout)
        self.request = self.server.tls.wrap_socket(self.request, server_side=True)
        super().setup()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.request.close()

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        status, payload = self.server.standin._handle(
            self.command, self.path, dict(self.headers.items()), raw
        )
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _serve


_RouteHandler = Callable[[dict[str, str], Any], tuple[int, JsonBody]]

_SETTINGS_ERROR_CODES = {400: "INVALID_KEY", 401: "INVALID_TOKEN", 403: "INVALID_TOKEN"}
_DEFAULT_ERROR_CODES = {
    400: "INVALID_REQUEST",
    401: "UNAUTHORIZED",
    403: "DEVICE_NOT_SUPPORTED",
    404: "ALERT_NOT_FOUND",
    409: "CONFLICT",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


def _default_error(path: str, status: int) -> dict[str, Any]:
    if path.startswith("/v2/"):
        # The settings client parses `code` into its ErrorCode enum; other words crash it.
        code = _SETTINGS_ERROR_CODES.get(status, "UNKNOWN_ERROR")
    else:
        code = _DEFAULT_ERROR_CODES.get(status, "ERROR")
    return {"code": code, "message": f"Scripted {status} from the local Alexa API stand-in."}


# ---------------------------------------------------------------------------------------
# The stand-in


class AlexaApiStandIn:
    """Reminders, Timers and device-settings APIs on https://127.0.0.1:<port>.

    ``granted`` holds the permissions the household has given ("reminders", "timers" or
    full scope names); the Reminders and Timers endpoints answer 401 without them, as Alexa
    does. ``clock`` gives "now" for created times and relative triggers (tests freeze it).
    """

    def __init__(
        self,
        data_dir: Path | None = None,
        time_zone: str = "America/New_York",
        token: str | None = None,
        granted: Iterable[str] = ("reminders", "timers"),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        _zone(time_zone)
        self.token = token or "local-" + secrets.token_urlsafe(24)
        self._data_dir = Path(data_dir) if data_dir is not None else None
        self._clock = clock or (lambda: datetime.now(UTC))
        self._default_zone = time_zone
        self._device_zones: dict[str, str] = {}
        self._granted = {self._scope(name) for name in granted}
        self._lock = threading.RLock()
        self._requests: list[RecordedRequest] = []
        self._failures: list[_Failure] = []
        self._reminders: dict[str, dict[str, Any]] = {}
        self._timers: dict[str, dict[str, Any]] = {}
        # Per alert: the UTC instant up to which due() has already spoken it.
        self._evaluated: dict[str, str] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._tls_dir: Path | None = None
        self._ca_path: Path | None = None
        self._stopping = threading.Event()
        self._routes: list[tuple[str, re.Pattern[str], str | None, _RouteHandler]] = [
            (
                "GET",
                re.compile(r"/v2/devices/(?P<device>[^/]+)/settings/System\.timeZone"),
                None,
                self._get_time_zone,
            ),
            ("POST", re.compile(r"/v1/alerts/reminders"), REMINDERS_SCOPE, self._create_reminder),
            ("GET", re.compile(r"/v1/alerts/reminders"), REMINDERS_SCOPE, self._list_reminders),
            (
                "GET",
                re.compile(r"/v1/alerts/reminders/(?P<token>[^/]+)"),
                REMINDERS_SCOPE,
                self._get_reminder,
            ),
            (
                "PUT",
                re.compile(r"/v1/alerts/reminders/(?P<token>[^/]+)"),
                REMINDERS_SCOPE,
                self._update_reminder,
            ),
            (
                "DELETE",
                re.compile(r"/v1/alerts/reminders/(?P<token>[^/]+)"),
                REMINDERS_SCOPE,
                self._delete_reminder,
            ),
            ("POST", re.compile(r"/v1/alerts/timers"), TIMERS_SCOPE, self._create_timer),
            ("GET", re.compile(r"/v1/alerts/timers"), TIMERS_SCOPE, self._list_timers),
            ("DELETE", re.compile(r"/v1/alerts/timers"), TIMERS_SCOPE, self._delete_timers),
            (
                "GET",
                re.compile(r"/v1/alerts/timers/(?P<id>[^/]+)"),
                TIMERS_SCOPE,
                self._get_timer,
            ),
            (
                "DELETE",
                re.compile(r"/v1/alerts/timers/(?P<id>[^/]+)"),
                TIMERS_SCOPE,
                self._delete_timer,
            ),
            (
                "POST",
                re.compile(r"/v1/alerts/timers/(?P<id>[^/]+)/(?P<action>pause|resume)"),
                TIMERS_SCOPE,
                self._pause_or_resume_timer,
            ),
        ]
        self._load()

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> AlexaApiStandIn:
        if self._server is not None:
            raise RuntimeError("the stand-in is already running")
        self._tls_dir = Path(tempfile.mkdtemp(prefix="alexa-api-tls-"))
        context, self._ca_path = _make_tls(self._tls_dir)
        self._stopping.clear()
        self._server = _Server(self, context)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            # Shutdown waits up to one poll: tests start and stop a stand-in each.
            kwargs={"poll_interval": 0.01},
            name="alexa-api-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # wakes handlers sleeping on a scripted delay
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None
        if self._tls_dir is not None:
            shutil.rmtree(self._tls_dir, ignore_errors=True)
        self._tls_dir = self._ca_path = None

    def __enter__(self) -> AlexaApiStandIn:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        if self._server is None:
            raise RuntimeError("start() the stand-in first")
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    @property
    def ca_path(self) -> Path:
        """PEM of the CA that signed the server certificate (for REQUESTS_CA_BUNDLE)."""
        if self._ca_path is None:
            raise RuntimeError("start() the stand-in first")
        return self._ca_path

    # -- test and console controls ---------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def clear(self) -> None:
        """Forget the recorded requests (state and scripted failures stay)."""
        with self._lock:
            self._requests.clear()

    def fail_next(
        self,
        method: str,
        path_prefix: str,
        status: int | None,
        body: dict[str, Any] | None = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        """Answer the next `times` matching requests with `status` and an Error body.

        `method` "*" matches any method. `delay` seconds pass before the answer, to make a
        client time out; with `status` None the request is then served normally.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._failures.append(_Failure(method.upper(), path_prefix, status, body, times, delay))

    def grant(self, scope: str) -> None:
        with self._lock:
            self._granted.add(self._scope(scope))

    def revoke(self, scope: str) -> None:
        with self._lock:
            self._granted.discard(self._scope(scope))

    def set_time_zone(self, device_id: str | None, time_zone: str) -> None:
        """Set one device's time zone, or the default one with `device_id` None."""
        _zone(time_zone)
        with self._lock:
            if device_id is None:
                self._default_zone = time_zone
            else:
                self._device_zones[device_id] = time_zone

    @property
    def reminders(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._reminders)

    @property
    def timers(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {key: self._timer_response(timer) for key, timer in self._timers.items()}

    def due(self, now: datetime) -> list[str]:
        """Texts of reminders and timers that went off since the last call, oldest first.

        A reminder that recurs speaks once per occurrence; a one-off reminder then turns
        COMPLETED and a timer that rang is gone, as on a device.
        """
        if now.tzinfo is None:
            raise ValueError("now must carry a time zone")
        now = now.astimezone(UTC)
        spoken: list[tuple[datetime, str]] = []
        with self._lock:
            for alert_token, reminder in self._reminders.items():
                if reminder["status"] != "ON":
                    continue
                since = _parse_utc(self._evaluated[alert_token])
                if now <= since:
                    continue
                moments, finished = self._occurrences(reminder, since, now)
                text = reminder["alertInfo"]["spokenInfo"]["content"][0]["text"]
                spoken.extend((moment, text) for moment in moments)
                self._evaluated[alert_token] = _iso_utc(now)
                if finished:
                    reminder["status"] = "COMPLETED"
            for timer_id, timer in list(self._timers.items()):
                rings = _parse_utc(timer["triggerTime"])
                if timer["status"] == "ON" and rings <= now:
                    spoken.append((rings, self._timer_text(timer)))
                    del self._timers[timer_id]
            self._save()
        spoken.sort(key=lambda item: item[0])
        return [text for _, text in spoken]

    # -- internals -----------------------------------------------------------------------

    @staticmethod
    def _scope(name: str) -> str:
        scope = _SCOPE_NAMES.get(name, name)
        if scope not in _SCOPE_NAMES.values():
            raise ValueError(f"unknown permission {name!r}")
        return scope

    def _now(self) -> datetime:
        return self._clock().astimezone(UTC)

    def _handle(
        self, method: str, raw_path: str, headers: dict[str, str], raw_body: bytes
    ) -> tuple[int, JsonBody]:
        parts = urlsplit(raw_path)
        path = parts.path
        body: Any = None
        body_ok = True
        if raw_body:
            try:
                body = json.loads(raw_body)
            except ValueError:
                body_ok = False
        record = RecordedRequest(
            method=method,
            path=path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in headers.items()},
            json=body,
        )
        with self._lock:
            self._requests.append(record)
            failure = self._take_failure(method, path)
        if failure is not None:
            if failure.delay:
                self._stopping.wait(failure.delay)
            if failure.status is not None:
                return failure.status, failure.body or _default_error(path, failure.status)
        return self._route(method, path, record.headers, body, body_ok)

    def _take_failure(self, method: str, path: str) -> _Failure | None:
        for failure in self._failures:
            if failure.method in ("*", method) and path.startswith(failure.path_prefix):
                failure.remaining -= 1
                if failure.remaining == 0:
                    self._failures.remove(failure)
                return failure
        return None

    def _route(
        self, method: str, path: str, headers: dict[str, str], body: Any, body_ok: bool
    ) -> tuple[int, JsonBody]:
        known_path = False
        for route_method, pattern, scope, handler in self._routes:
            match = pattern.fullmatch(path)
            if not match:
                continue
            known_path = True
            if route_method != method:
                continue
            if headers.get("authorization") != f"Bearer {self.token}":
                code = "INVALID_TOKEN" if scope is None else "UNAUTHORIZED"
                return 401, {"code": code, "message": "The access token is missing or invalid."}
            if scope is not None and scope not in self._granted:
                return 401, {
                    "code": "UNAUTHORIZED",
                    "message": f"The customer has not granted {scope}.",
                }
            if not body_ok:
                return 400, {"code": "INVALID_REQUEST", "message": "The body is not JSON."}
            params = {key: unquote(value) for key, value in match.groupdict().items()}
            try:
                with self._lock:
                    return handler(params, body)
            except _ApiError as error:
                return error.status, error.body
        if known_path:
            return 405, {"code": "METHOD_NOT_ALLOWED", "message": f"{method} is not allowed."}
        return 404, {"code": "NOT_FOUND", "message": f"No Alexa API at {path}."}

    # Settings

    def _get_time_zone(self, params: dict[str, str], body: Any) -> tuple[int, JsonBody]:
        return 200, self._device_zones.get(params["device"], self._default_zone)

    # Reminders

    def _reminder_response(self, reminder: dict[str, Any]) -> dict[str, Any]:
        return {
            "alertToken": reminder["alertToken"],
            "createdTime": reminder["createdTime"],
            "updatedTime": reminder["updatedTime"],
            "status": reminder["status"],
            "version": reminder["version"],
            "href": f"/v1/alerts/reminders/{reminder['alertToken']}",
        }

    def _find_reminder(self, alert_token: str) -> dict[str, Any]:
        reminder = self._reminders.get(alert_token)
        if reminder is None:
            raise _ApiError(404, "ALERT_NOT_FOUND", f"No reminder with token {alert_token}.")
        return reminder

    def _create_reminder(self, params: dict[str, str], body: Any) -> tuple[int, JsonBody]:
        _validate_reminder(body)
        now = _iso_utc(self._now())
        alert_token = f"amzn1.alert.reminder.local.{secrets.token_hex(12)}"
        self._reminders[alert_token] = {
            "alertToken": alert_token,
            "createdTime": now,
            "updatedTime": now,
            "status": "ON",
            "trigger": copy.deepcopy(body["trigger"]),
            "alertInfo": copy.deepcopy(body["alertInfo"]),
            "pushNotification": copy.deepcopy(body.get("pushNotification"))
            or {"status": "ENABLED"},
            "version": "1",
        }
        self._evaluated[alert_token] = now
        self._save()
        # UNVERIFIED whether Alexa answers 201 or 200 here; the SDK takes any 2xx alike.
        return 201, self._reminder_response(self._reminders[alert_token])

    def _list_reminders(self, params: dict[str, str], body: Any) -> tuple[int, JsonBody]:
        alerts = [copy.deepcopy(reminder) for reminder in self._reminders.values()]
        return 200, {"totalCount": str(len(alerts)), "alerts": alerts, "links": None}

    def _get_reminder(self, params: dict[str, str], body: Any) -> tuple[int, JsonBody]:
        return 200, copy.deepcopy(self._find_reminder(params["token"]))

    def _update_reminder(self, params: dict[str, str], body: Any) -> tuple[int, JsonBody]:
        reminder = self._find_reminder(params["token"])
        _validate_reminder(body)
        now = _iso_utc(self._now())
        reminder.update(
            updatedTime=now,
            status="ON",
            trigger=copy.deepcopy(body["trigger"]),
            alertInfo=copy.deepcopy(body["alertInfo"]),
            pushNotification=copy.deepcopy(body.get("pushNotification"))
            or reminder["pushNotification"],
            version=str(int(reminder["version"]) + 1),
        )
        self._evaluated[params["token"]] = now
        self._save()
        return 200, self._reminder_response(reminder)

    def _delete_reminder(self, params: dict[str, str], body: Any) -> tuple[int, JsonBody]:
        self._find_reminder(params["token"])
        del self._reminders[params["token"]]
        self._evaluated.pop(params["token"], None)
        self._save()
        return 200, None

    def _occurrences(
        self, reminder: dict[str, Any], since: datetime, until: datetime
    ) -> tuple[list[datetime], bool]:
        """UTC moments in (since, until] when `reminder` goes off; and whether it is over."""
        trigger = reminder["trigger"]
        base = _parse_utc(reminder["updatedTime"])
        if trigger["type"] == "SCHEDULED_RELATIVE":
            moment = base + timedelta(seconds=trigger["offsetInSeconds"])
            return ([moment] if since < moment <= until else []), moment <= until
        zone = ZoneInfo(trigger.get("timeZoneId") or self._default_zone)
        recurrence = trigger.get("recurrence")
        if recurrence is None:
            moment = datetime.fromisoformat(trigger["scheduledTime"]).replace(tzinfo=zone)
            moment = moment.astimezone(UTC)
            return ([moment] if since < moment <= until else []), moment <= until
        if recurrence.get("startDateTime"):
            start = datetime.fromisoformat(recurrence["startDateTime"])
        elif trigger.get("scheduledTime"):
            start = datetime.fromisoformat(trigger["scheduledTime"])
        else:
            start = base.astimezone(zone).replace(tzinfo=None)
        end = None
        if recurrence.get("endDateTime"):
            end = datetime.fromisoformat(recurrence["endDateTime"])
        rules = _rules_of(recurrence)
        moments: set[datetime] = set()
        # A day of slack on each side covers offsets that move a time across midnight.
        day = max(start.date(), since.astimezone(zone).date() - timedelta(days=1))
        last_day = until.astimezone(zone).date() + timedelta(days=1)
        if end is not None:
            last_day = min(last_day, end.date())
        while day <= last_day:
            for rule in rules:
                if not rule.matches(day, start.date()):
                    continue
                for clock_time in rule.times_of_day(start):
                    local = datetime.combine(day, clock_time)
                    if local < start or (end is not None and local > end):
                        continue
                    moment = local.replace(tzinfo=zone).astimezone(UTC)
                    if since < moment <= until:
                        moments.add(moment)
            day += timedelta(days=1)
        finished = end is not None and end.replace(tzinfo=zone).astimezone(UTC) <= until
        return sorted(moments), finished

    # Timers

    @staticmethod
    def _timer_text(timer: dict[str, Any]) -> str:
        operation = timer["_request"]["triggeringBehavior"]["operation"]
        if operation["type"] == "ANNOUNCE":
            return str(operation["textToAnnounce"][0]["text"])
        if operation["type"] == "LAUNCH_TASK":
            return str(operation["textToConfirm"][0].get("text", ""))
        label = timer.get("timerLabel")
        return f"Your {label} timer is done." if label else "Your timer is done."

    @staticmethod
    def _timer_response(timer: dict[str, Any]) -> dict[str, Any]:
        return {
            key: copy.deepcopy(value) for key, value in timer.items() if not key.startswith("_")
        }

    def _find_timer(self, timer_id: str) -> dict[str, Any]:
        timer = self._timers.get(timer_id)
        if timer is None:
            # stand-in code
            raise _ApiError(404, "TIMER_NOT_FOUND", f"No timer with id {timer_id}.")
        return timer

    def _create_timer(self, params: dict[str, str], body: Any) -> tuple[int, JsonBody]:
        seconds = _validate_timer(body)
        now = self._now()
        timer_id = f"amzn1.alert.timer.local.{secrets.token_hex(12)}"
        timer: dict[str, Any] = {
            "id": timer_id,
            "status": "ON",
            "duration": body["duration"],
            "triggerTime": _iso_utc(now + timedelta(seconds=seconds)),
            "createdTime": _iso_utc(now),
            "updatedTime": _iso_utc(now),
            "_request": copy.deepcopy(body),
        }
        if body.get("timerLabel") is not None:
            timer["timerLabel"] = body["timerLabel"]
        self._timers[timer_id] = timer
        self._save()
        return 200, self._timer_response(timer)

    def _list_timers(self, params: dict[str, str], body: Any) -> tuple[int, JsonBody]:
        timers = [self._timer_response(timer) for timer in self._timers.values()]
        return 200, {"totalCount": len(timers), "timers": timers, "nextToken": None}

    def _get_timer(self, params: dict[str, str], body: Any) -> tuple[int, JsonBody]:
        return 200, self._timer_response(self._find_timer(params["id"]))

    def _delete_timer(self, params: dict[str, str], body: Any) -> tuple[int, JsonBody]:
        self._find_timer(params["id"])
        del self._timers[params["id"]]
        self._save()
        return 200, None

    def _delete_timers(self, params: dict[str, str], body: Any) -> tuple[int, JsonBody]:
        self._timers.clear()
        self._save()
        return 200, None

    def _pause_or_resume_timer(self, params: dict[str, str], body: Any) -> tuple[int, JsonBody]:
        timer = self._find_timer(params["id"])
        now = self._now()
        if params["action"] == "pause" and timer["status"] == "ON":
            left = (_parse_utc(timer["triggerTime"]) - now).total_seconds()
            timer.update(status="PAUSED", remainingTimeWhenPaused=_iso_duration(int(left)))
        elif params["action"] == "resume" and timer["status"] == "PAUSED":
            left = _duration_seconds(timer.pop("remainingTimeWhenPaused")) or 0
            timer.update(status="ON", triggerTime=_iso_utc(now + timedelta(seconds=left)))
        timer["updatedTime"] = _iso_utc(now)
        self._save()
        return 200, None

    # Persistence

    @property
    def _state_path(self) -> Path | None:
        return self._data_dir / STATE_FILE_NAME if self._data_dir is not None else None

    def _load(self) -> None:
        path = self._state_path
        if path is None or not path.exists():
            return
        state = json.loads(path.read_text(encoding="utf-8"))
        self._reminders = state.get("reminders", {})
        self._timers = state.get("timers", {})
        self._evaluated = state.get("evaluatedUntil", {})
        for alert_token, reminder in self._reminders.items():
            self._evaluated.setdefault(alert_token, reminder["updatedTime"])

    def _save(self) -> None:
        path = self._state_path
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {
            "reminders": self._reminders,
            "timers": self._timers,
            "evaluatedUntil": self._evaluated,
        }
        scratch = path.with_name(path.name + ".tmp")
        scratch.write_text(json.dumps(state, indent=2, sort_keys=True), encoding="utf-8")
        # Replace in one step so a crash never leaves half a file behind.
        os.replace(scratch, path)
