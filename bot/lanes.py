"""Durable rows delivered in lanes: the one mechanism behind the outbox (messages in Telegram)
and the deliveries into a municipality's back office (email, Objects API).

Rows wait in a table, written in the transaction of the change they are about. A lane is one
task per key (a chat; a mail server or an Objects API), taking that key's rows oldest first,
so rows to one place keep their order while different places are served at once. The runner
wakes when a commit added rows (`added`, set by the store's writer), when told to (`wake`:
the minute sweep, for rows another process wrote), and when a lane ends. What one row needs
(the calls, retries, what a failure means) is the owner's `deliver`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.store import StoreFailure

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


@dataclass(frozen=True)
class Policy:
    """How long the workers wait. Tests pass a `sleep` that returns at once (and notes the
    wait), so retries cost no real time and nothing is asserted about timing."""

    first: float = 1.0  # seconds before the first retry after a network error or a 5xx
    factor: float = 2.0
    most: float = 300.0
    lanes: int = 16  # lanes served at once
    stop_grace: float = 5.0  # seconds a stopping bot gives sends in flight to finish
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def backoff(self, failures: int) -> float:
        return float(min(self.most, self.first * self.factor ** max(failures - 1, 0)))


class Lanes(Generic[K, T]):
    """The runner: `keys()` are the lanes with a row that can go out now, `first(key)` is a
    lane's oldest such row (None: done), and `deliver(row)` sends it and records the outcome."""

    def __init__(
        self,
        name: str,
        policy: Policy,
        added: Callable[[], asyncio.Event],
        keys: Callable[[], Awaitable[Iterable[K]]],
        first: Callable[[K], Awaitable[T | None]],
        deliver: Callable[[T], Awaitable[None]],
    ) -> None:
        self.name = name
        self.policy = policy
        self._added = added
        self._keys = keys
        self._first = first
        self._deliver = deliver
        self._lanes: dict[K, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._changed = asyncio.Event()
        self._main: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        self._stopping = False
        self._wake.set()  # whatever a previous process left: look at once
        self._main = asyncio.create_task(self._run(), name=f"buurtbot-{self.name}")

    def wake(self) -> None:
        """Look at the table again (the minute sweep: rows another process wrote)."""
        self._wake.set()

    async def stop(self) -> None:
        """Take no new rows; give sends in flight `stop_grace` seconds, then leave the rest
        for the next start (a row cut off while 'sending' is sent again then)."""
        self._stopping = True
        if self._main is not None:
            self._main.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._main
            self._main = None
        lanes = list(self._lanes.values())
        if lanes:
            _done, late = await asyncio.wait(lanes, timeout=self.policy.stop_grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*lanes, return_exceptions=True)
        self._lanes.clear()

    async def idle(self) -> None:
        """Until no row that can go out waits and nothing is being sent (tests, try-mode)."""
        while True:
            self._changed.clear()
            if not self._lanes and not list(await self._keys()):
                return
            await self._changed.wait()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            added = self._added()
            added.clear()
            try:
                keys = list(await self._keys())
            except StoreFailure as failure:
                log.warning("the %s cannot be read (%s); trying again", self.name, failure.kind)
                await self.policy.sleep(self.policy.first)
                continue
            for key in keys:
                if key in self._lanes or len(self._lanes) >= self.policy.lanes:
                    continue
                self._lanes[key] = asyncio.create_task(
                    self._lane(key), name=f"buurtbot-{self.name}-{key}"
                )
            self._changed.set()
            waiting = {asyncio.create_task(added.wait()), asyncio.create_task(self._wake.wait())}
            try:
                await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in waiting:
                    task.cancel()

    async def _lane(self, key: K) -> None:
        """Deliver one lane's rows, oldest first, until none is waiting."""
        try:
            while not self._stopping:
                row = await self._first(key)
                if row is None:
                    break
                await self._deliver(row)
                self._changed.set()
        except StoreFailure as failure:
            log.warning("the %s could not be written (%s); trying again", self.name, failure.kind)
            await self.policy.sleep(self.policy.first)
        except Exception:
            log.exception("a lane of the %s stopped", self.name)
            await self.policy.sleep(self.policy.first)
        finally:
            self._lanes.pop(key, None)
            self._wake.set()  # rows may have come for this lane meanwhile, or others wait
            self._changed.set()
