"""A couple's evening, as the benchmark replays it: launch, names, a check-in."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alexa_local.simulator import Simulator

MODEL = Path(__file__).resolve().parents[1] / "interaction_models" / "en-US.json"
ANSWERS = [
    ("AnswerIntent", {"answer": "we went for a walk by the river"}),
    ("NextQuestionIntent", {}),
    ("AnswerIntent", {"answer": "a long meeting that went badly"}),
    ("NextQuestionIntent", {}),
    ("AnswerIntent", {"answer": "lunch with my sister"}),
    ("NextQuestionIntent", {}),
    ("AnswerIntent", {"answer": "worrying about money"}),
    ("NextQuestionIntent", {}),
    ("AnswerIntent", {"answer": "how you made me coffee this morning"}),
    ("AnswerIntent", {"answer": "how patient you were with my mom"}),
]


class Household:
    def __init__(self, handler: Callable[[dict[str, Any], Any], dict[str, Any]]) -> None:
        self.day = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
        self.sim = Simulator(
            handler,
            model_path=MODEL,
            user_id=f"amzn1.ask.account.BENCH{os.getpid()}{time.time_ns()}",
            device_id="amzn1.ask.device.BENCH",
            api_endpoint=os.environ["BENCH_API_ENDPOINT"],
            api_token=os.environ["BENCH_API_TOKEN"],
            clock=lambda: self.day,
        )

    def launch(self) -> None:
        self.sim.launch()
        self.sim.intent("NamesIntent", firstName="Sam", secondName="Alex")

    def checkin(self) -> None:
        self.sim.intent("StartCheckInIntent")
        for name, slots in ANSWERS:
            self.sim.intent(name, **slots)

    def next_day(self) -> None:
        self.day += timedelta(days=1)

    def timed_checkins(self, turns: int) -> list[float]:
        timings: list[float] = []
        while len(timings) < turns:
            self.next_day()
            for name, slots in [("StartCheckInIntent", {}), *ANSWERS]:
                started = time.perf_counter()
                self.sim.intent(name, **slots)
                timings.append(time.perf_counter() - started)
        return timings[:turns]
