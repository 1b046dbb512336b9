"""The local stack the benchmarks run against: moto's DynamoDB server, the Alexa API stand-in
and a freshly built skill, with the environment the function reads on Lambda."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@contextmanager
def local_stack(table: str, time_zone: str = "America/New_York") -> Iterator[tuple[Handler, Any]]:
    """(the skill's Lambda handler, the Alexa API stand-in), on a table of `table`'s name."""
    from alexa_local.api_standin import AlexaApiStandIn
    from alexa_local.dynamo import AtomicMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("closer_together").setLevel(logging.ERROR)
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_REGION="us-east-1",
        TABLE_NAME=table,
        LOG_LEVEL="ERROR",
        # moto on a loaded machine is slower than DynamoDB: the bench counts, it does not race.
        STORE_BUDGET_SECONDS="60",
    )
    with tempfile.TemporaryDirectory() as tmp:
        server = AtomicMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        os.environ["DYNAMODB_ENDPOINT"] = f"http://{host}:{port}"
        api = AlexaApiStandIn(data_dir=Path(tmp), time_zone=time_zone).start()
        os.environ["REQUESTS_CA_BUNDLE"] = str(api.ca_path)
        try:
            from closer_together import storage
            from closer_together.skill import answer, build_skill

            storage.create_table()
            storage.set_timeouts(connect=10, read=30)
            skill = build_skill()

            def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
                return answer(skill, event, context)

            yield handler, api
        finally:
            api.stop()
            server.stop()
            # pip and other clients after the bench must not trust the stand-in's local CA.
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
