"""The one writer: a task that owns the connection and commits what turns stage (group commit).

Callers stage their changes and await the commit, and changes from chats handled at the same
moment share one transaction. Each aiosqlite call is a round trip to its worker thread that
costs as much as python-telegram-bot's whole handling of an update, so a turn costs one commit,
not one per row. The writer also keeps track of an outage (since when writes fail, and one
alarm for the operators once it lasts) and of a damaged file (the bot must stop).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiosqlite

from bot.domain import OutboxMessage
from bot.flows.effects import (
    ChangeRequest,
    CloseHandoff,
    DropHandoff,
    Forget,
    GiveSupport,
    MoveOn,
    PassOffer,
    Redeem,
    RelayMessage,
    ShareHandoff,
    SubmitRequest,
    TakeHandoff,
    UpdateInitiative,
    WithdrawInitiative,
    WithdrawRequest,
)
from bot.store import (
    cases,
    handoffs,
    initiatives,
    messages,
    people,
    privacy,
    request_status,
    requests,
    rows,
    supports,
)
from bot.store.cache import Chats
from bot.store.changes import REQUEST_MOVES, Changes
from bot.store.errors import StoreFailure
from bot.store.inbox import RECEIVE, SENT
from bot.store.messages import INSERT as INSERT_OUTBOX
from bot.store.messages import insert_row as outbox_row

__all__ = ["Changes", "Writer"]

log = logging.getLogger(__name__)


class Writer:
    """The connection, the queue of changes to commit, and the cache of committed chats."""

    CACHE_SIZE = 10_000
    SENT_FLUSH = 1.0  # seconds without writes before "reply sent" marks are written
    SENT_BACKLOG = 1000  # or as soon as this many wait
    # Telegram keeps unfetched updates for 24 hours: the operators hear of an outage long
    # before that.
    ALARM_AFTER = dt.timedelta(minutes=5)

    def __init__(
        self, db: aiosqlite.Connection, path: Path, now: Callable[[], dt.datetime]
    ) -> None:
        self._db = db
        self.path = path
        self._now = now
        self._queue: asyncio.Queue[tuple[Changes, asyncio.Future[None] | None]] = asyncio.Queue()
        # Committed state only: a chat enters it when its turn's commit succeeded.
        self.chats = Chats(self.CACHE_SIZE)
        # Updates answered but not yet marked so in the inbox, by user. A resident's next turn
        # marks them (a trigger); the rest are written when the writer has nothing else to do.
        self._unsent: dict[int, int] = {}
        # Bookkeeping that could not be written while the database was unavailable.
        self._deferred: list[Changes] = []
        self._task: asyncio.Task[None] | None = None
        # Held while a transaction is open, so that nothing else writes into it.
        self.writing = asyncio.Lock()
        # Since when writes fail for a passing reason (locked, full, read-only), if they do.
        self.failing_since: dt.datetime | None = None
        self.failing = asyncio.Event()  # set while it lasts: for whoever waits on it
        self._alarmed = False
        # Told once per outage, after ALARM_AFTER: the app tells the operators.
        self.alarm: Callable[[str], Coroutine[Any, Any, None]] | None = None
        # Set when the file turned out to be damaged: the bot must stop.
        self.broken: StoreFailure | None = None
        self.broken_event = asyncio.Event()
        self._alarms: set[asyncio.Task[None]] = set()
        # Set when a commit added outbox rows: the outbox worker waits on it.
        self.outbox_added = asyncio.Event()
        # Set when a commit may have added back-office deliveries (a request effect): the
        # delivery worker (bot/delivery.py) waits on it.
        self.deliveries_added = asyncio.Event()

    @property
    def db(self) -> aiosqlite.Connection:
        """The connection, for reads; writes go through `commit` (or hold `writing`)."""
        return self._db

    def start(self) -> None:
        self._task = asyncio.create_task(self._write_forever(), name="buurtbot-store-writer")

    async def close(self) -> None:
        """Commit what is queued, then close the file."""
        if self._task is not None:
            await self._queue.join()
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
            if self._unsent or self._deferred:
                with contextlib.suppress(StoreFailure):
                    await self._write([])
        for task in list(self._alarms):
            task.cancel()
        await self._db.close()

    async def commit(self, changes: Changes) -> None:
        """Write these changes durably; returns once they are committed.

        Raises `StoreFailure`: transient ones mean "nothing was written, try again".
        """
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((changes, future))
        await future

    def commit_soon(self, changes: Changes) -> None:
        """Write with the next commit, without waiting: for bookkeeping a crash may lose."""
        self._queue.put_nowait((changes, None))

    def sent(self, update_id: int, user_id: int) -> None:
        """A turn's replies went out: marked soon, without a commit of its own."""
        self._unsent[user_id] = update_id

    async def _write_forever(self) -> None:
        while True:
            try:
                first = await asyncio.wait_for(self._queue.get(), self.SENT_FLUSH)
            except TimeoutError:
                if self._unsent or self._deferred:
                    await self._write([])
                continue
            batch = [first]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._write(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _write(self, batch: list[tuple[Changes, asyncio.Future[None] | None]]) -> None:
        """Commit a batch; a batch that fails for one turn's sake is retried a turn at a time."""
        async with self.writing:
            deferred, self._deferred = self._deferred, []
            batch = [*batch, *((c, None) for c in deferred)]
            unsent: dict[int, int] = {}
            if not batch or len(self._unsent) >= self.SENT_BACKLOG:
                unsent, self._unsent = self._unsent, {}
            try:
                await self._apply([c for c, _ in batch], list(unsent.values()))
            except Exception as error:
                with contextlib.suppress(Exception):
                    if self._db.in_transaction:
                        await self._db.rollback()
                self._unsent.update(unsent)
                failure = StoreFailure.of(error)
                self._trouble(failure)
                # A passing or fatal failure is the database's, not one turn's: all wait.
                retry = len(batch) > 1 and not (failure.transient or failure.fatal)
                if not retry:
                    for changes, future in batch:
                        if future is not None and not future.done():
                            future.set_exception(StoreFailure.of(error))
                        elif future is None and failure.transient:
                            self._deferred.append(changes)
                        elif future is None:
                            log.error("background write failed: %s", failure.kind)
            else:
                retry = False
                self._recovered()
                if any(changes.outbox or changes.told for changes, _ in batch):
                    self.outbox_added.set()
                if any(isinstance(e, REQUEST_MOVES) for c, _ in batch for _, e in c.conditional):
                    self.deliveries_added.set()
                for changes, future in batch:
                    for user_id, (resident, session, update_id) in changes.chats.items():
                        if update_id is not None:
                            self._unsent.pop(user_id, None)  # the trigger marked it
                        if user_id not in changes.forgotten:
                            self.chats.remember(user_id, (resident, session, True))
                    for user_id in changes.forgotten:
                        self.chats.forget(user_id)  # a new person from now on
                    if future is not None and not future.done():
                        future.set_result(None)
        if retry:
            # One bad turn must not fail the others it happened to share a commit with.
            for item in batch:
                await self._write([item])

    def _trouble(self, failure: StoreFailure) -> None:
        """Keep track of an outage: warn once, alarm the operators once it lasts."""
        if failure.fatal and self.broken is None:
            log.error("the database file %s is damaged (%s)", self.path, failure.kind)
            self.broken = failure
            self.broken_event.set()
        if not failure.transient:
            return
        now = self._now()
        if self.failing_since is None:
            self.failing_since = now
            self.failing.set()
            log.warning(
                "the database cannot be written (%s); every update waits and is tried again",
                failure.kind,
            )
        elif not self._alarmed and now - self.failing_since >= self.ALARM_AFTER:
            self._alarmed = True
            log.error(
                "the database %s could not be written for %d minutes (%s); updates wait in "
                "Telegram, which keeps them for only 24 hours",
                self.path,
                (now - self.failing_since).total_seconds() // 60,
                failure.kind,
            )
            if self.alarm is not None:
                task = asyncio.create_task(self.alarm(failure.kind))
                self._alarms.add(task)
                task.add_done_callback(self._alarms.discard)

    def _recovered(self) -> None:
        if self.failing_since is not None:
            log.warning("the database can be written again")
        self.failing_since = None
        self.failing.clear()
        self._alarmed = False

    def _ops(self, changes: Changes) -> list[tuple[str, tuple[Any, ...]]]:
        """The statements for one turn's changes, in the order they must run."""
        ops = list(changes.ops)
        now = rows.iso(changes.now)
        for user_id, (resident, session, update_id) in changes.chats.items():
            known = self.chats.peek(user_id)
            if known is None or not known[2] or known[0] != resident:
                ops.append((rows.UPSERT_USER, rows.user_row(resident, now)))
            ops.append((rows.UPSERT_SESSION, rows.session_row(user_id, session, update_id)))
        ops += [(rows.INSERT_INITIATIVE, rows.initiative_row(u, i)) for u, i in changes.initiatives]
        if changes.outbox:
            created = now or rows.iso(self._now())
            ops += [(INSERT_OUTBOX, outbox_row(m, created)) for m in changes.outbox]
        return ops

    async def _apply(self, batch: Sequence[Changes], unsent: list[int]) -> None:
        grouped: dict[str, list[tuple[Any, ...]]] = {}
        for changes in batch:
            for sql, params in self._ops(changes):
                grouped.setdefault(sql, []).append(params)
        if unsent:
            grouped.setdefault(SENT, []).extend((u,) for u in unsent)
        receiving = [c for c in batch if c.inbox]
        deciding = [c for c in batch if c.conditional]
        single = (
            len(grouped) + len(receiving) == 1
            and all(len(r) == 1 for r in grouped.values())
            and not deciding
        )
        if not single:
            # A lone statement commits by itself (autocommit); anything more is one transaction.
            await self._db.execute("BEGIN IMMEDIATE")
        for sql, params_list in grouped.items():
            if len(params_list) == 1:
                await self._db.execute(sql, params_list[0])
            else:
                await self._db.executemany(sql, params_list)
        for changes in receiving:
            # One statement for a whole fetched batch; RETURNING says which rows are new.
            values = ", ".join(["(?, ?, ?, ?, ?, 'new', ?, ?)"] * len(changes.inbox))
            written = await self._db.execute_fetchall(
                RECEIVE.format(rows=values), [v for row in changes.inbox for v in row]
            )
            changes.accepted = {r[0] for r in written}
        for changes in deciding:
            await self._decide(changes)
        if not single:
            await self._db.commit()

    async def _decide(self, changes: Changes) -> None:
        """Conditional effects, one statement each (their row counts are the answers)."""
        now = changes.now or self._now()
        changes.results = []
        changes.forgotten = set()
        changes.told = []
        for actor, effect in changes.conditional:
            if isinstance(effect, Redeem):
                found = await people.redeem(self._db, effect, now)
                if found.role is not None and actor in changes.chats:
                    # The turn's resident gains the role: the cache must know it at once.
                    resident, session, update_id = changes.chats[actor]
                    roles = resident.roles | {found.role}
                    changes.chats[actor] = (replace(resident, roles=roles), session, update_id)
                changes.results.append(found)
            elif isinstance(effect, Forget):
                # Everything of theirs goes; whoever held one of their questions is told.
                forgotten, told = await privacy.forget(self._db, effect, now)
                for message in told:
                    await messages.write(self._db, message, now, changes.told)
                changes.forgotten.add(effect.user_id)
                changes.results.append(forgotten)
            elif isinstance(effect, ShareHandoff):
                changes.results.append(await handoffs.share(self._db, effect, now, changes.told))
            elif isinstance(effect, TakeHandoff):
                changes.results.append(await handoffs.take(self._db, effect, now, changes.told))
            elif isinstance(effect, PassOffer):
                changes.results.append(await handoffs.pass_(self._db, effect, now))
            elif isinstance(effect, MoveOn):
                changes.results.append(await handoffs.move_on(self._db, effect, now, changes.told))
            elif isinstance(effect, DropHandoff):
                changes.results.append(await handoffs.drop(self._db, effect, now, changes.told))
            elif isinstance(effect, RelayMessage):
                changes.results.append(await handoffs.relay(self._db, effect, now, changes.told))
            elif isinstance(effect, CloseHandoff):
                changes.results.append(await handoffs.close(self._db, effect, now, changes.told))
            elif isinstance(effect, SubmitRequest):
                submitted = await requests.submit(self._db, effect, now)
                if submitted.reference is not None:
                    # The municipality's staff in the bot get it with their status buttons.
                    await request_status.tell_staff(
                        self._db, effect.request, submitted.reference, now, changes.told
                    )
                changes.results.append(submitted)
            elif isinstance(effect, WithdrawRequest):
                changes.results.append(await requests.withdraw(self._db, effect, now, changes.told))
            elif isinstance(effect, ChangeRequest):
                changes.results.append(
                    await request_status.change(self._db, effect, now, changes.told)
                )
            elif isinstance(effect, GiveSupport):
                changes.results.append(await supports.give(self._db, effect, now))
            elif isinstance(effect, UpdateInitiative | WithdrawInitiative):
                # A saved plan changed or withdrawn by its owner, if still as the turn saw it.
                changes.results.append(await initiatives.apply(self._db, effect, now))
            else:
                claimed = await cases.claim(self._db, effect, now)
                if claimed.moved and claimed.owner is not None and effect.tell_owner:
                    # The owner hears it with the move, in the same transaction, or not at all.
                    # In `told`, not `outbox`: a retried batch would write it twice.
                    taken = OutboxMessage(claimed.owner, effect.tell_owner, "case taken")
                    await messages.write(self._db, taken, now, changes.told)
                changes.results.append(claimed)
