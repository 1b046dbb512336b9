"""Alexa API calls chained in one turn stay inside the function's time budget.

Every call hangs at the API stand-in (a delay far past the timeout); the turn still answers
with a clear spoken message. No wall-clock assertions: the budget runs on an injected clock
that says each call took its whole share, and the tests count the calls and their timeouts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import DEVICE, MODEL, USER, meet, says, stored_household

from alexa_local.simulator import Simulator
from closer_together.gateways.budget import (
    API_BUDGET_SECONDS,
    CONNECT_SECONDS,
    READ_SECONDS,
    ApiBudget,
)
from closer_together.skill import answer, build_skill

ROOT = Path(__file__).resolve().parents[1]
# Small real timeouts, so a hanging stand-in costs the test a fraction of a second.
CONNECT, READ, MIN_READ = 0.05, 0.2, 0.1
HANG = 5.0  # the stand-in's delay: far past every timeout


class Stepping:
    """A monotonic clock on which every reading is `step` seconds after the last: each
    call the budget allows is taken to have used `step` seconds."""

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


class Budgets:
    """The skill's budget factory: generous while the couple sets things up, then tight."""

    def __init__(self) -> None:
        self.made: list[ApiBudget] = []
        self.tight = False

    def __call__(self) -> ApiBudget:
        if not self.tight:
            budget = ApiBudget()
        else:
            # 1 s for the turn; every call "takes" 0.3 s: two calls fit, the third does not.
            budget = ApiBudget(1.0, Stepping(0.3), connect=CONNECT, read=READ, min_read=MIN_READ)
        self.made.append(budget)
        return budget

    @property
    def last(self) -> ApiBudget:
        return self.made[-1]


@pytest.fixture
def budgets() -> Budgets:
    return Budgets()


@pytest.fixture
def sim(table: str, alexa_api: Any, clock: Any, budgets: Budgets) -> Iterator[Simulator]:
    skill = build_skill(api_budget=budgets)
    yield Simulator(
        lambda event, context: answer(skill, event, context),
        model_path=MODEL,
        user_id=USER,
        device_id=DEVICE,
        api_endpoint=alexa_api.endpoint,
        api_token=alexa_api.token,
        clock=clock,
    )


def hang_everything(api: Any) -> None:
    api.fail_next("*", "/", None, times=100, delay=HANG)


def _within(budget: ApiBudget) -> None:
    assert budget.given, "the turn made no API call at all"
    for connect, read in budget.given:
        assert connect <= CONNECT and read <= READ


def test_setting_a_reminder_with_every_call_hanging_answers_clearly(
    sim: Simulator, alexa_api: Any, budgets: Budgets
) -> None:
    meet(sim)
    sim.launch()
    sim.say("remind us every evening at eight")
    budgets.tight = True
    hang_everything(alexa_api)
    turn = sim.say("yes")
    # Time zone, then the reminder: each given its short timeout, both timed out.
    _within(budgets.last)
    assert len(budgets.last.given) <= 2
    assert len(budgets.last.given) == 2  # the settings read, then the create
    # Said plainly: Alexa may have made it; the next listing looks for it.
    assert says(turn.text, "reminder.unsure")
    assert "checkin" not in stored_household().schedule


def test_forgetting_everything_with_every_call_hanging_stops_calling_in_time(
    sim: Simulator, alexa_api: Any, budgets: Budgets
) -> None:
    meet(sim)
    sim.launch()
    for ask in (
        "remind us every evening at eight",
        "remind us about the weekly review every sunday at seven pm",
        "remind us about the monthly check in on the first sunday of the month at six pm",
    ):
        sim.say(ask)
        sim.say("yes")
    assert len(alexa_api.reminders) == 3
    sim.say("stop")
    sim.launch()
    sim.say("forget everything")
    budgets.tight = True
    hang_everything(alexa_api)
    alexa_api.clear()
    turn = sim.say("yes")
    budget = budgets.last
    _within(budget)
    # Two deletes fit the turn's time; the third is never sent.
    assert len(budget.given) == 2 and budget.refused >= 1
    assert len([r for r in alexa_api.requests if r.method == "DELETE"]) <= 2
    assert says(turn.text, "forget.done") and says(turn.text, "forget.reminders_stay")
    assert turn.ends_session


def test_a_budget_gives_each_call_its_timeout_and_none_after_the_time_is_up() -> None:
    clock = Stepping(1.0)
    budget = ApiBudget(3.5, clock)  # clock at 1.0: the turn ends at 4.5
    assert budget.next_call() == (CONNECT_SECONDS, READ_SECONDS)  # at 2.0, 2.5 s left
    assert budget.next_call() == (CONNECT_SECONDS, 1.5 - CONNECT_SECONDS)  # at 3.0, 1.5 left
    assert budget.next_call() is None  # at 4.0: 0.5 s left is too little for a call
    assert budget.next_call() is None
    assert budget.refused == 2 and len(budget.given) == 2


def test_the_budget_fits_inside_the_lambda_timeout_and_alexas_eight_seconds() -> None:
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=_Loader)
    timeout = _function(template)["Timeout"]
    from closer_together.config import Settings

    store = Settings._field_defaults["store_budget_seconds"]  # tests' env gives moto more
    # The API calls end by API_BUDGET_SECONDS; the write's first try takes at most 2 s more.
    assert API_BUDGET_SECONDS + 2.0 < timeout <= 8
    assert store < timeout and CONNECT_SECONDS + READ_SECONDS <= API_BUDGET_SECONDS


class _Loader(yaml.SafeLoader):
    """template.yaml uses CloudFormation tags (!Ref, !Sub): read them as plain values."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def _function(template: dict[str, Any]) -> dict[str, Any]:
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            return dict(resource["Properties"])
    raise AssertionError("no function in template.yaml")
