"""Time, in one place, so tests can move it instead of sleeping."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


class Clock:
    """The current time in the operator's time zone."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.zone)


class ManualClock(Clock):
    """A clock that only moves when told to: for tests and benchmarks."""

    def __init__(self, start: dt.datetime) -> None:
        assert start.tzinfo is not None, "a manual clock needs an aware start time"
        super().__init__(start.tzinfo if isinstance(start.tzinfo, ZoneInfo) else ZoneInfo("UTC"))
        self._now = start

    def now(self) -> dt.datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += dt.timedelta(**delta)
