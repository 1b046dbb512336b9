"""The Flask front door to the skill: POST / answers Alexa, GET /health answers load balancers."""

from __future__ import annotations

import json
import logging
import os
import threading
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ask_sdk_model import RequestEnvelope
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as WerkzeugResponse

from webservice.verify import (
    DEFAULT_FETCHES_PER_MINUTE,
    DEFAULT_MAX_FETCHES_IN_FLIGHT,
    RequestRejected,
    RequestVerifier,
    check_application_id,
    parse_body,
)

log = logging.getLogger(__name__)

SKILL_PATH = "/"
DEFAULT_PORT = 8080
DEFAULT_MAX_BODY_BYTES = 128 * 1024
# Server limits (waitress). Alexa sends one small request per connection within a second or
# two; anything slower or idler is a client that would otherwise hold a connection.
DEFAULT_THREADS = 8
DEFAULT_CHANNEL_TIMEOUT = 15
DEFAULT_REQUEST_TIMEOUT = 20
DEFAULT_CONNECTION_LIMIT = 1000
DEFAULT_BACKLOG = 2048

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class SettingsError(ValueError):
    """The environment does not describe a service that may start."""


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    skill_id: str | None = None
    verify_requests: bool = True
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    threads: int = DEFAULT_THREADS
    # Seconds a connection may stay silent (idle keep-alive, half-open, stalled headers).
    channel_timeout: int = DEFAULT_CHANNEL_TIMEOUT
    # Seconds to receive one whole request, however steadily it trickles in.
    request_timeout: int = DEFAULT_REQUEST_TIMEOUT
    connection_limit: int = DEFAULT_CONNECTION_LIMIT
    backlog: int = DEFAULT_BACKLOG
    cert_fetches_in_flight: int = DEFAULT_MAX_FETCHES_IN_FLIGHT
    cert_fetches_per_minute: int = DEFAULT_FETCHES_PER_MINUTE

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise SettingsError(f"PORT out of range: {self.port}")
        for name, value in self._positive().items():
            if value <= 0:
                raise SettingsError(f"{name} must be positive")
        # Verified but unbound, the endpoint would serve any skill that points at it.
        if self.verify_requests and not self.skill_id:
            raise SettingsError("SKILL_ID is required while VERIFY_REQUESTS is on")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            host=env.get("HOST") or "127.0.0.1",
            port=_integer(env, "PORT", DEFAULT_PORT),
            skill_id=env.get("SKILL_ID") or None,
            verify_requests=_flag(env, "VERIFY_REQUESTS", default=True),
            max_body_bytes=_integer(env, "MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
            threads=_integer(env, "THREADS", DEFAULT_THREADS),
            channel_timeout=_integer(env, "CHANNEL_TIMEOUT", DEFAULT_CHANNEL_TIMEOUT),
            request_timeout=_integer(env, "REQUEST_TIMEOUT", DEFAULT_REQUEST_TIMEOUT),
            connection_limit=_integer(env, "CONNECTION_LIMIT", DEFAULT_CONNECTION_LIMIT),
            backlog=_integer(env, "BACKLOG", DEFAULT_BACKLOG),
            cert_fetches_in_flight=_integer(
                env, "CERT_FETCHES_IN_FLIGHT", DEFAULT_MAX_FETCHES_IN_FLIGHT
            ),
            cert_fetches_per_minute=_integer(
                env, "CERT_FETCHES_PER_MINUTE", DEFAULT_FETCHES_PER_MINUTE
            ),
        )

    def _positive(self) -> dict[str, int]:
        return {
            "MAX_BODY_BYTES": self.max_body_bytes,
            "THREADS": self.threads,
            "CHANNEL_TIMEOUT": self.channel_timeout,
            "REQUEST_TIMEOUT": self.request_timeout,
            "CONNECTION_LIMIT": self.connection_limit,
            "BACKLOG": self.backlog,
            "CERT_FETCHES_IN_FLIGHT": self.cert_fetches_in_flight,
            "CERT_FETCHES_PER_MINUTE": self.cert_fetches_per_minute,
        }


def _integer(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise SettingsError(f"{name} is not an integer: {raw!r}") from error


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    # A typo must not silently switch verification off.
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


class Serializer(Protocol):
    def deserialize(self, payload: str, obj_type: Any) -> Any: ...

    def serialize(self, obj: Any) -> Any: ...


class SkillLike(Protocol):
    """What the app needs of ask_sdk_core's CustomSkill."""

    @property
    def serializer(self) -> Serializer: ...

    def invoke(self, request_envelope: Any, context: Any) -> Any: ...


class _LazySkill:
    # Importing the skill pulls in storage; health checks and verification do not need it.
    def __init__(self, skill: SkillLike | None) -> None:
        self._skill = skill
        self._lock = threading.Lock()

    def get(self) -> SkillLike:
        with self._lock:
            if self._skill is None:
                from closer_together.skill import get_skill

                self._skill = get_skill()
            return self._skill


VERIFICATION_OFF_WARNING = (
    "REQUEST VERIFICATION IS OFF (VERIFY_REQUESTS=false): anyone who can reach this "
    "server can drive the skill. Use this only for local development."
)


def create_app(
    skill: SkillLike | None = None,
    verifier: RequestVerifier | None = None,
    settings: Settings | None = None,
) -> Flask:
    """The web application.

    `skill` defaults to the Lambda's process-wide skill, loaded on the first request.
    `verifier` defaults to the strict production verifier; it is unused when
    `settings.verify_requests` is off.
    """
    settings = Settings.from_env() if settings is None else settings
    if settings.verify_requests:
        active_verifier: RequestVerifier | None = verifier or RequestVerifier(
            max_fetches_in_flight=settings.cert_fetches_in_flight,
            fetches_per_minute=settings.cert_fetches_per_minute,
        )
    else:
        active_verifier = None
        log.warning(VERIFICATION_OFF_WARNING)
    skill_ref = _LazySkill(skill)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes

    @app.get("/health")
    def health() -> Response:
        return _json({"status": "ok"}, 200)

    @app.post(SKILL_PATH)
    def answer() -> Response:
        # Reading the body enforces MAX_CONTENT_LENGTH (413), chunked bodies included.
        body = request.get_data(cache=False)
        try:
            if active_verifier is not None:
                payload = active_verifier.verify(dict(request.headers), body)
            else:
                payload = parse_body(body)
            if settings.skill_id:
                check_application_id(payload, settings.skill_id)
        except RequestRejected as rejection:
            log.warning("rejected request (%d): %s", rejection.status, rejection.reason)
            return _error(rejection.status)
        except Exception as error:
            # Fail closed: a fault while checking must not let the request through or be a 500.
            log.error("rejected request (400): check failed with %s", type(error).__name__)
            return _error(400)
        skill = skill_ref.get()
        try:
            envelope = skill.serializer.deserialize(
                payload=body.decode("utf-8"), obj_type=RequestEnvelope
            )
        except Exception as error:  # the SDK raises several types for a malformed envelope
            log.warning("rejected request (400): not a request envelope: %s", type(error).__name__)
            return _error(400)
        system = envelope.context.system if envelope.context is not None else None
        if envelope.request is None or system is None:
            # The skill reads both on every turn.
            log.warning("rejected request (400): envelope lacks request or context.System")
            return _error(400)
        # ask-sdk-model drops SkillDisabled's body; its persistence status decides a deletion.
        from closer_together.request_util import keep_persistence_status

        keep_persistence_status(envelope, payload)
        response = skill.invoke(request_envelope=envelope, context=None)
        return _json(skill.serializer.serialize(response), 200)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> WerkzeugResponse:
        response = error.get_response()
        response.set_data(json.dumps({"error": error.name}))
        response.content_type = "application/json"
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        # Type and place only: the message could echo what the couple said.
        frames = traceback.extract_tb(error.__traceback__)
        where = f"{frames[-1].filename}:{frames[-1].lineno} in {frames[-1].name}" if frames else "?"
        log.error("skill failed: %s at %s", type(error).__name__, where)
        return _error(500)

    return app


_REASONS = {400: "Bad Request", 403: "Forbidden", 500: "Internal Server Error"}


def _error(status: int) -> Response:
    return _json({"error": _REASONS.get(status, "Error")}, status)


def _json(data: Any, status: int) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json")
