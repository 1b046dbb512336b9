"""Everything one turn of conversation needs, gathered once by the pipeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from closer_together.dialog import Heard, Kind, Waiting, waiting_from
from closer_together.household import Erasure, Household
from closer_together.speech import Voice
from closer_together.storage import Deadline


class Turn:
    """One request's state, shared by the pipeline and the handlers.

    A plain class, not a dataclass: every class built at import is paid for at cold start.
    """

    def __init__(
        self,
        household: Household,
        voice: Voice,
        now: datetime,
        locale: str,
        session: dict[str, Any],
        person_id: str | None = None,
        device_id: str | None = None,
        changed: bool = False,
        deadline: Deadline | None = None,
        slim_days: list[str] | None = None,
        reload: Callable[[], Household] | None = None,
        zone: str = "UTC",
        zone_assumed: bool = False,
    ) -> None:
        self.household = household
        self.voice = voice
        self.now = now
        self.locale = locale
        self.session = session
        self.person_id = person_id
        self.device_id = device_id
        self.changed = changed
        # An erasure the couple asked for: the pipeline carries it out instead of a write.
        self.erase: Erasure | None = None
        # The turn's budget for DynamoDB (set by the pipeline when the request arrives).
        self.deadline = deadline
        # Days whose saved moments this session left in DynamoDB (see Household.slimmed).
        self.slim_days: list[str] = slim_days if slim_days is not None else []
        self.reload = reload
        # The zone `now` is in: the device's, or the locale's default while Alexa cannot say.
        self.zone = zone
        self.zone_assumed = zone_assumed
        # What the session waited for when this request came, and what the request means there.
        self.waiting: Waiting | None = None
        self.heard = Heard(None, Kind.EVENT)

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def speaker(self) -> int | None:
        """The partner recognised by voice profile, if any."""
        return self.household.partner_for_person(self.person_id)

    def ensure_full(self) -> None:
        """Bring back the saved moments a slimmed session left out (one read, rarely)."""
        if self.slim_days and self.reload is not None:
            self.household.restore_moments(self.reload(), self.slim_days)
        self.slim_days = []

    def forget(self, kind: Erasure) -> None:
        """The couple asked to erase: the pipeline's save step does it instead of a write."""
        self.erase = kind

    def touch(self) -> None:
        """The household changed: the pipeline writes it at the end of the turn."""
        self.changed = True

    @property
    def expect(self) -> Waiting | None:
        """What this turn leaves the session waiting for (a ritual's question is derived
        from its progress, so it is not set here)."""
        return waiting_from(self.session.get("expect"))

    @expect.setter
    def expect(self, value: Waiting | None) -> None:
        if value is None:
            self.session.pop("expect", None)
        else:
            self.session["expect"] = value.value
