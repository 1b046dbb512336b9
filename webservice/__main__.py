"""`python -m webservice`: serve the skill with waitress, configured by the environment.

HOST (default 127.0.0.1), PORT (8080), SKILL_ID, VERIFY_REQUESTS (default true),
MAX_BODY_BYTES, THREADS, CHANNEL_TIMEOUT, REQUEST_TIMEOUT, CONNECTION_LIMIT, BACKLOG,
CERT_FETCHES_IN_FLIGHT, CERT_FETCHES_PER_MINUTE; storage reads TABLE_NAME,
DYNAMODB_ENDPOINT and AWS_REGION. See webservice/README.md.
"""

from __future__ import annotations

import logging
import os
import resource
import sys
import time

from flask import Flask
from waitress import create_server
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, MultiSocketServer

from webservice.app import Settings, SettingsError, create_app

log = logging.getLogger("webservice")

# Headers of a request, alone, may not exceed this (waitress allows 256 KiB); Alexa's are ~2 KiB.
MAX_HEADER_BYTES = 16 * 1024
# Descriptors kept for the listening sockets, logs, certificate downloads and the storage client.
_RESERVED_FDS = 64


class _ReadDeadlineChannel(HTTPChannel):
    """A waitress channel that drops a request still arriving after `read_timeout` seconds.

    waitress has no header timeout: channel_timeout closes silent connections, but a client
    that sends a byte every few seconds stays. This bounds the whole request instead.
    """

    read_timeout: float = 20.0
    _reading_since: float | None = None

    def received(self, data: bytes) -> bool:
        now = time.monotonic()
        if self.request is None:
            self._reading_since = now  # these bytes begin a new request
        accepted: bool = super().received(data)
        if self.request is None:
            self._reading_since = None
        elif (
            self._reading_since is not None
            and now - self._reading_since > self.read_timeout
            and not self.requests  # never close under a request being answered
        ):
            self.will_close = True
        return accepted


def _connection_limit(wanted: int) -> int:
    """`wanted`, or fewer if the process may not open that many descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + _RESERVED_FDS
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft != resource.RLIM_INFINITY and soft < needed:
        # Past the descriptor limit accept() fails in a busy loop; stop accepting first.
        limit = max(1, soft - _RESERVED_FDS)
        log.warning("CONNECTION_LIMIT lowered from %d to %d (open files limit)", wanted, limit)
        return limit
    return wanted


def build_server(app: Flask, settings: Settings) -> BaseWSGIServer | MultiSocketServer:
    """The waitress server for `app`; port 0 picks a free port (see `effective_port`)."""
    server = create_server(
        app,
        host=settings.host,
        port=settings.port,
        # waitress stops oversized bodies before Flask sees them.
        max_request_body_size=settings.max_body_bytes,
        max_request_header_size=MAX_HEADER_BYTES,
        threads=settings.threads,
        # Idle keep-alive, half-open and stalled connections are closed after this.
        channel_timeout=settings.channel_timeout,
        # How often the idle check runs: 1 s keeps the close near channel_timeout.
        cleanup_interval=1,
        # waitress's default of 100 let 110 idle sockets lock everyone out.
        connection_limit=_connection_limit(settings.connection_limit),
        backlog=settings.backlog,
        # select() cannot watch descriptors above 1023; poll() has no such ceiling.
        asyncore_use_poll=True,
        ident="closer-together",
    )
    channel_class = type(
        "ReadDeadlineChannel", (_ReadDeadlineChannel,), {"read_timeout": settings.request_timeout}
    )
    # A MultiSocketServer (several listen addresses) keeps its listeners in its map.
    listeners = server.map.values() if isinstance(server, MultiSocketServer) else [server]
    for listener in listeners:
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = channel_class
    return server


def main() -> int:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        log.error("cannot start: %s", error)
        return 2
    try:
        from closer_together.skill import get_skill
        from closer_together.storage import create_table
    except ImportError as error:
        log.error("cannot import the skill (%s): run with PYTHONPATH=lambda", error)
        return 2
    if os.environ.get("DYNAMODB_ENDPOINT"):
        # A local DynamoDB starts empty; on AWS the SAM template owns the table.
        create_table()
    app = create_app(skill=get_skill(), settings=settings)
    server = build_server(app, settings)
    log.info("serving the skill on http://%s:%s/", settings.host, server.effective_port)
    server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
