"""A local DynamoDB (moto's server) whose items survive restarts as a JSON file.

moto keeps everything in memory, so the console snapshots every table after each turn and
puts the items back at the next start, once the skill has created its table.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import botocore.session
from moto.moto_server.threaded_moto_server import MotoRequestHandler
from moto.server import DomainDispatcherApplication, ThreadedMotoServer, create_backend_app
from werkzeug.serving import WSGIRequestHandler, make_server

# moto's server writes each answer in pieces; Nagle's algorithm would hold every later
# piece for a delayed ACK (about 40 ms on loopback), on every DynamoDB call.
WSGIRequestHandler.disable_nagle_algorithm = True

SNAPSHOT_FILE = "dynamodb.json"
REGION = "us-east-1"
# moto accepts any credentials; these never leave the machine
_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


class AtomicMotoServer(ThreadedMotoServer):
    """moto's server answering one request at a time.

    DynamoDB applies each conditional write atomically. moto's threaded server does not:
    two PutItems with the same version condition, arriving together, can both succeed,
    and a test of devices writing at once would lose an answer DynamoDB would keep.
    """

    def _server_entry(self) -> None:
        app = DomainDispatcherApplication(create_backend_app)
        lock = threading.Lock()

        def one_at_a_time(
            environ: dict[str, Any], start_response: Callable[..., Any]
        ) -> Iterable[bytes]:
            with lock:
                return list(app(environ, start_response))

        self._server = make_server(
            self._ip_address,
            self._port,
            one_at_a_time,
            True,
            request_handler=MotoRequestHandler,
        )
        self._server_ready_event.set()
        self._server.serve_forever()


class LocalDynamo:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._server: ThreadedMotoServer | None = None
        self._client: Any = None

    @property
    def snapshot_path(self) -> Path:
        return self.data_dir / SNAPSHOT_FILE

    @property
    def endpoint(self) -> str:
        if self._server is None:
            raise RuntimeError("LocalDynamo is not started")
        host, port = self._server.get_host_and_port()
        return f"http://{host}:{port}"

    def start(self) -> LocalDynamo:
        self._server = AtomicMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        self._client = botocore.session.get_session().create_client(
            "dynamodb", endpoint_url=self.endpoint, region_name=REGION, **_CREDENTIALS
        )
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
            self._client = None

    def __enter__(self) -> LocalDynamo:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def snapshot(self) -> int:
        """Write every table's items to the snapshot file; returns how many items."""
        tables: dict[str, list[dict[str, Any]]] = {}
        for name in self._tables():
            items: list[dict[str, Any]] = []
            for page in self._client.get_paginator("scan").paginate(TableName=name):
                items.extend(page.get("Items", []))
            tables[name] = items
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # write then rename, so a Ctrl-C mid-write never leaves half a file
        handle, temporary = tempfile.mkstemp(dir=self.data_dir, prefix=".dynamodb-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"tables": tables}, out, indent=1, sort_keys=True)
        os.replace(temporary, self.snapshot_path)
        return sum(len(items) for items in tables.values())

    def restore(self) -> int:
        """Put back the items of tables that exist now; returns how many items."""
        if not self.snapshot_path.exists():
            return 0
        saved = json.loads(self.snapshot_path.read_text(encoding="utf-8")).get("tables", {})
        existing = set(self._tables())
        restored = 0
        for name, items in saved.items():
            if name not in existing:
                continue
            for item in items:
                self._client.put_item(TableName=name, Item=item)
                restored += 1
        return restored

    def _tables(self) -> list[str]:
        if self._client is None:
            raise RuntimeError("LocalDynamo is not started")
        names: list[str] = []
        for page in self._client.get_paginator("list_tables").paginate():
            names.extend(page.get("TableNames", []))
        return names
