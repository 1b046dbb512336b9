"""`python -m webservice`: serve the skill with waitress, configured by the environment.

HOST (default 127.0.0.1), PORT (8080), SKILL_ID, VERIFY_REQUESTS (default true),
MAX_BODY_BYTES; storage reads TABLE_NAME, DYNAMODB_ENDPOINT and AWS_REGION.
"""

from __future__ import annotations

import logging
import os
import sys

from flask import Flask
from waitress import create_server
from waitress.server import BaseWSGIServer, MultiSocketServer

from webservice.app import Settings, SettingsError, create_app

log = logging.getLogger("webservice")


def build_server(app: Flask, settings: Settings) -> BaseWSGIServer | MultiSocketServer:
    """The waitress server for `app`; port 0 picks a free port (see `effective_port`)."""
    return create_server(
        app,
        host=settings.host,
        port=settings.port,
        # waitress stops oversized bodies before Flask sees them.
        max_request_body_size=settings.max_body_bytes,
        ident="closer-together",
    )


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
