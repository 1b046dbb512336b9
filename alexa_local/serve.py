"""`make serve-local`: the web service on an embedded DynamoDB, verification off unless asked.

For trying the self-hosted front door with curl on one machine; data is kept in
the same `.local/` folder as the console's (snapshotted every few seconds and at exit).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from pathlib import Path

from alexa_local.dynamo import LocalDynamo

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT_SECONDS = 5.0
log = logging.getLogger("alexa_local.serve")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=str(ROOT / ".local"))
    parser.add_argument("--port", default=os.environ.get("PORT", "8080"))
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT / "lambda"))
    with LocalDynamo(data_dir) as dynamo:
        os.environ.pop("AWS_PROFILE", None)
        os.environ.pop("AWS_SESSION_TOKEN", None)
        os.environ.update(
            AWS_ACCESS_KEY_ID="local",
            AWS_SECRET_ACCESS_KEY="local",
            AWS_REGION="us-east-1",
            TABLE_NAME=os.environ.get("TABLE_NAME", "CloserTogether"),
            DYNAMODB_ENDPOINT=dynamo.endpoint,
            VERIFY_REQUESTS=os.environ.get("VERIFY_REQUESTS", "false"),
            PORT=str(args.port),
        )
        from closer_together.storage import create_table

        create_table()
        dynamo.restore()
        stop = threading.Event()

        def keep_snapshots() -> None:
            while not stop.wait(SNAPSHOT_SECONDS):
                dynamo.snapshot()

        threading.Thread(target=keep_snapshots, daemon=True).start()
        from webservice.__main__ import main as serve

        try:
            return serve()
        except KeyboardInterrupt:
            return 0
        finally:
            stop.set()
            dynamo.snapshot()


if __name__ == "__main__":
    sys.exit(main())
