"""Shared fixtures: DynamoDB through moto's server, the Alexa APIs through a local
TLS stand-in, and a simulator that sends the skill full Alexa request envelopes."""

from __future__ import annotations

import json
import os
import re
import socketserver
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "interaction_models" / "en-US.json"
TABLE = "CloserTogetherTest"
USER = "amzn1.ask.account.TESTHOUSEHOLD"
DEVICE = "amzn1.ask.device.TESTDEVICE"

os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_REGION="us-east-1",
    AWS_DEFAULT_REGION="us-east-1",
    TABLE_NAME=TABLE,
    # Storage gives up in time for Alexa's 8 s; moto on a busy test machine may be slower
    # without anything being wrong. Deadlines are tested with an injected clock.
    STORE_BUDGET_SECONDS="120",
)
os.environ.pop("SKILL_ID", None)


def _shared_model_session() -> Any:
    """A botocore session that reuses the service models already parsed in this process.

    Each test builds the skill afresh, as a new Lambda container would; pynamodb then makes
    a new botocore session, which parses DynamoDB's service model again (most of a short
    test's time). The sessions and clients stay separate; only the parsed JSON is shared.
    """
    import botocore.session

    session = botocore.session.get_session()
    session.register_component("data_loader", _LOADER)
    session.register("before-call.dynamodb", _watch_call)
    return session


class DynamoCalls:
    """The DynamoDB operations the skill makes, seen in botocore as they leave the process;
    `fail(...)` makes the named operations fail as an unreachable table would."""

    def __init__(self) -> None:
        self.ops: list[str] = []
        self.failing: set[str] = set()
        # The size of every item written, as DynamoDB counts it roughly (its JSON).
        self.written: list[int] = []

    def fail(self, *operations: str) -> None:
        self.failing = set(operations)

    def count(self, *operations: str) -> int:
        return sum(1 for op in self.ops if op in operations)

    def clear(self) -> None:
        self.ops.clear()

    def __call__(self, operation: str, params: dict[str, Any]) -> None:
        self.ops.append(operation)
        puts = [params.get("Item")] if operation == "PutItem" else []
        puts += [one.get("Put", {}).get("Item") for one in params.get("TransactItems", [])]
        self.written += [len(json.dumps(item).encode()) for item in puts if item]
        if operation in self.failing:
            from botocore.exceptions import EndpointConnectionError

            raise EndpointConnectionError(endpoint_url="http://dynamodb.test")


_WATCHERS: list[DynamoCalls] = []


def _watch_call(model: Any, params: Any = None, **kwargs: Any) -> None:
    body = params.get("body") if isinstance(params, dict) else None
    sent = json.loads(body) if isinstance(body, bytes | str) and body else {}
    for watcher in list(_WATCHERS):
        watcher(model.name, sent)


import botocore.loaders  # noqa: E402  (after the environment above is set)
import pynamodb.connection.base  # noqa: E402

_LOADER = botocore.loaders.create_loader()
pynamodb.connection.base.get_session = _shared_model_session  # type: ignore[assignment]

# moto's server and the API stand-in answer in several small writes; with Nagle's algorithm
# each later write waits for a delayed ACK (about 40 ms on loopback) on every request.
socketserver.StreamRequestHandler.disable_nagle_algorithm = True


class Clock:
    """The simulated wall clock: request timestamps come from here."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def dynamo_endpoint() -> Iterator[str]:
    from alexa_local.dynamo import AtomicMotoServer

    server = AtomicMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    os.environ["DYNAMODB_ENDPOINT"] = endpoint
    yield endpoint
    server.stop()


@pytest.fixture(scope="session")
def _created_table(dynamo_endpoint: str) -> str:
    from closer_together import storage

    storage.create_table()
    # The function fails fast (0.5 s / 1 s) for Alexa's 8 s; moto on a busy test machine can
    # be slower than that without anything being wrong. Store faults are injected explicitly.
    storage.set_timeouts(connect=10, read=30)
    return TABLE


@pytest.fixture
def table(_created_table: str) -> Iterator[str]:
    """An empty table for each test: created once per worker, emptied after every test
    (creating and deleting a table costs moto far more than deleting a few items)."""
    from closer_together.storage.models import HouseholdModel

    yield _created_table
    with HouseholdModel.batch_write() as batch:
        for item in HouseholdModel.scan(attributes_to_get=["pk", "sk"]):
            batch.delete(item)


@pytest.fixture
def dynamo_calls(table: str) -> Iterator[DynamoCalls]:
    watcher = DynamoCalls()
    _WATCHERS.append(watcher)
    yield watcher
    _WATCHERS.remove(watcher)


@pytest.fixture
def clock() -> Clock:
    # 8 pm in New York on a Friday.
    return Clock(datetime(2026, 11, 27, 1, 0, tzinfo=UTC))


@pytest.fixture
def alexa_api(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from alexa_local.api_standin import AlexaApiStandIn

    standin = AlexaApiStandIn(time_zone="America/New_York", clock=clock)
    standin.start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(standin.ca_path))
    yield standin
    standin.stop()


@pytest.fixture
def handler(table: str) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda handler of a freshly built skill (as one new container would have)."""
    from closer_together.skill import answer, build_skill

    skill = build_skill()

    def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return answer(skill, event, context)

    return handle


# -- NLU mode: "exact" (the kind stand-in) or "honest" (as real Alexa; alexa_local/nlu.py) ------
#
# A test module that declares `NLU_MODES = ("exact", "honest")` runs each of its simulator tests
# once per mode (ids like test_x[honest]); `pytest --nlu-mode honest` changes the default.


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--nlu-mode",
        choices=("exact", "honest"),
        default="exact",
        help="NLU mode of the simulator fixtures in modules without NLU_MODES (default: exact)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    modes = getattr(metafunc.module, "NLU_MODES", None)
    if modes and "nlu_mode" in metafunc.fixturenames:
        metafunc.parametrize("nlu_mode", list(modes), ids=[str(mode) for mode in modes])


@pytest.fixture
def nlu_mode(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--nlu-mode"))


@pytest.fixture
def make_sim(
    handler: Callable[..., dict[str, Any]], alexa_api: Any, clock: Clock, nlu_mode: str
) -> Callable[..., Any]:
    from alexa_local.simulator import Simulator

    def make(person_id: str | None = None, user_id: str = USER, device_id: str = DEVICE) -> Any:
        return Simulator(
            handler,
            model_path=MODEL,
            user_id=user_id,
            device_id=device_id,
            api_endpoint=alexa_api.endpoint,
            api_token=alexa_api.token,
            clock=clock,
            person_id=person_id,
            nlu_mode=nlu_mode,
        )

    return make


@pytest.fixture
def sim(make_sim: Callable[..., Any]) -> Any:
    return make_sim()


def raw_items() -> str:
    """Every item of the table, every attribute, as text: to prove what is (not) stored."""
    from closer_together.storage.models import HouseholdModel

    return json.dumps([item.to_simple_dict() for item in HouseholdModel.scan()], ensure_ascii=False)


def says(text: str, key: str, locale: str = "en-US") -> bool:
    """Whether `text` contains some variant of the prompt `key`, whatever its values."""
    from closer_together.speech import catalog

    for variant in catalog(locale).variants(key):
        pattern = ".+?".join(re.escape(part) for part in re.split(r"\{\w+\}", variant))
        if re.search(pattern, text):
            return True
    return False


def stored_household(user_id: str = USER) -> Any:
    """The household as DynamoDB holds it now, read fresh."""
    from closer_together.household import household_id_for
    from closer_together.storage import HouseholdStore

    return HouseholdStore().load(household_id_for(user_id))


def meet(sim: Any, first: str = "Sam", second: str = "Alex") -> None:
    """A first launch in which the couple gives their names, then a stop."""
    sim.launch()
    sim.say(f"we are {first} and {second}")
    sim.say("stop")
