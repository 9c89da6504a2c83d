"""Time, in one place, so tests can move it instead of sleeping."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo


class Clock:
    """The current time in the operator's time zone, and waiting."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.zone)

    async def sleep(self, seconds: float) -> None:
        """Let time pass: a flood limit Telegram set, a pause before trying the network again."""
        await asyncio.sleep(seconds)

    async def wait_real(self, seconds: float) -> None:
        """Wait in real time, on every clock, for something outside the bot to change.

        For a database that another program holds locked, or a disk that is full or read-only:
        only real time frees them, so a manual clock waits here too and does not move (moving
        it with every retry would make an outage of seconds look like hours to the alarms).
        """
        await asyncio.sleep(seconds)


class ManualClock(Clock):
    """A clock that only moves when told to: for tests and benchmarks.

    `sleep` moves it forward and returns at once, so waiting out a flood limit or a network
    back-off costs no real time; `wait_real` still waits (see `Clock.wait_real`).
    """

    def __init__(self, start: dt.datetime) -> None:
        assert start.tzinfo is not None, "a manual clock needs an aware start time"
        super().__init__(start.tzinfo if isinstance(start.tzinfo, ZoneInfo) else ZoneInfo("UTC"))
        self._now = start

    def now(self) -> dt.datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += dt.timedelta(**delta)

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds=seconds)
        await asyncio.sleep(0)  # others run meanwhile, as they would while we wait
