"""Everything the bot remembers, in one SQLite file, and every SQL statement that touches it.

Writes go through one committer task that owns the connection: callers stage their changes
and await the commit, and changes from chats handled at the same moment share one transaction
(group commit). Each aiosqlite call is a round trip to its worker thread that costs as much as
python-telegram-bot's whole handling of an update, so a turn costs one commit, not one per row.
Residents and sessions read once are cached; the cache only ever holds committed state.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import logging
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite

from bot.files import make_private
from bot.flows.conversation import FLOWS, Resident, Session
from bot.flows.engine import Draft
from bot.flows.initiative import Initiative

log = logging.getLogger(__name__)

# One ordered list: a migration is never edited once released, only followed by another.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE users (
        user_id     INTEGER PRIMARY KEY,
        language    TEXT,
        greeted_at  TEXT,
        blocked_at  TEXT,
        created_at  TEXT NOT NULL
    );
    CREATE TABLE consents (
        user_id      INTEGER NOT NULL
                     REFERENCES users (user_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        purpose      TEXT NOT NULL,
        given_at     TEXT NOT NULL,
        withdrawn_at TEXT,
        PRIMARY KEY (user_id, purpose)
    );
    CREATE TABLE flow_states (
        user_id      INTEGER PRIMARY KEY
                     REFERENCES users (user_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        rev          INTEGER NOT NULL,
        flow         TEXT,
        flow_version INTEGER,
        draft        TEXT,
        resume_asked INTEGER NOT NULL DEFAULT 0,
        active_at    TEXT,
        update_id    INTEGER
    );
    CREATE TABLE initiatives (
        id          INTEGER PRIMARY KEY,
        reference   TEXT NOT NULL UNIQUE,
        user_id     INTEGER NOT NULL
                    REFERENCES users (user_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        language    TEXT NOT NULL,
        title       TEXT NOT NULL,
        plan        TEXT NOT NULL,
        category    TEXT NOT NULL,
        postcode    TEXT NOT NULL,
        starts_on   TEXT,
        helpers     INTEGER NOT NULL,
        needs       TEXT NOT NULL,
        created_at  TEXT NOT NULL
    );
    CREATE INDEX initiatives_by_user ON initiatives (user_id, created_at);
    CREATE TABLE inbox (
        update_id   INTEGER PRIMARY KEY,
        chat_id     INTEGER,
        user_id     INTEGER,
        payload     TEXT,
        digest      TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('new', 'done', 'sent', 'failed')),
        arrival     INTEGER NOT NULL,
        received_at TEXT NOT NULL
    );
    CREATE INDEX inbox_by_status ON inbox (status, arrival);
    -- Saving a conversation also marks the update that moved it as handled, in the same
    -- statement: one round trip fewer per update on the hot path.
    CREATE TRIGGER flow_state_inserted AFTER INSERT ON flow_states
    WHEN new.update_id IS NOT NULL BEGIN
        UPDATE inbox SET status = 'done', payload = NULL WHERE update_id = new.update_id;
    END;
    -- A resident's next turn also means the previous one was answered.
    CREATE TRIGGER flow_state_updated AFTER UPDATE OF update_id ON flow_states
    WHEN new.update_id IS NOT NULL BEGIN
        UPDATE inbox SET status = 'done', payload = NULL WHERE update_id = new.update_id;
        UPDATE inbox SET status = 'sent' WHERE update_id = old.update_id AND status = 'done';
    END;
    """,
    # Voice notes given where text was asked: {"title" or "plan": {"voice": id, "seconds": n}}.
    """
    ALTER TABLE initiatives ADD COLUMN voice TEXT NOT NULL DEFAULT '{}';
    """,
    # Updates that could not be stored or handled as they came: kept with their raw bytes so
    # that a fixed Buurtbot can handle them again (`buurtbot inbox retry`), never blocking
    # the others. Ids are NULL when they do not fit SQLite's integer range.
    """
    CREATE TABLE quarantine (
        id             INTEGER PRIMARY KEY,
        update_id      INTEGER,
        chat_id        INTEGER,
        user_id        INTEGER,
        payload        BLOB NOT NULL,
        kind           TEXT NOT NULL,
        place          TEXT,
        arrival        INTEGER,
        quarantined_at TEXT NOT NULL,
        retry_at       TEXT
    );
    CREATE INDEX quarantine_by_time ON quarantine (quarantined_at);
    """,
)

INBOX_KEEP = dt.timedelta(hours=48)


class StoreError(RuntimeError):
    """The database cannot be used as it is (for example, written by a newer Buurtbot).

    The message is one line for an operator: it names the file and what to check. `kind` is
    what `error_kind` made of the error behind it, if there was one.
    """

    def __init__(self, message: str, kind: str = "other") -> None:
        super().__init__(message)
        self.kind = kind


# SQLite's primary result codes that pass by themselves: another process holds the write lock,
# the disk is full, the file was made read-only, or the disk had an I/O hiccup. Wait and try
# again; nothing is lost.
TRANSIENT = frozenset(
    {"SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_READONLY", "SQLITE_IOERR"}
)
# The file is not a database we can trust any more: only the operator can repair it.
FATAL = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB"})


def error_kind(error: BaseException) -> str:
    """SQLite's primary error name (`SQLITE_IOERR_WRITE` is `SQLITE_IOERR`), or, for an error
    that did not come from SQLite (a value it cannot hold, a bug), the Python error's name."""
    name = getattr(error, "sqlite_errorname", None)
    if isinstance(name, str) and name.startswith("SQLITE_"):
        return "_".join(name.split("_")[:2])
    return type(error).__name__


_CANNOT_OPEN = (
    "cannot be opened; check that BUURTBOT_DB names a file (not a directory) in a directory "
    "this user can write"
)
_LOCKED = "is locked by another program; stop it (or let it finish) and start again"
_DAMAGED = (
    "is damaged or is not a SQLite database; restore it from a backup, or set BUURTBOT_DB to "
    "the right file"
)
_WHAT = {
    "SQLITE_CORRUPT": _DAMAGED,
    "SQLITE_NOTADB": _DAMAGED,
    "SQLITE_READONLY": "cannot be written; Buurtbot must be able to write it, its -wal and -shm "
    "files and its directory: check their owner and permissions and that the disk is not "
    "mounted read-only",
    "SQLITE_CANTOPEN": _CANNOT_OPEN,
    "SQLITE_PERM": _CANNOT_OPEN,
    "SQLITE_AUTH": _CANNOT_OPEN,
    "SQLITE_BUSY": _LOCKED,
    "SQLITE_LOCKED": _LOCKED,
    "SQLITE_FULL": "cannot grow: the disk is full; make room and start again",
    "SQLITE_IOERR": "cannot be read or written (a disk error); check the disk and the system log",
}


def unusable(path: str | Path, kind: str, name: str | None = None) -> str:
    """One line for the operator: why the database at `path` cannot be used, what to check."""
    what = _WHAT.get(kind, "cannot be used; check the file, or set BUURTBOT_DB to another one")
    return f"the database {path} {what} ({name or kind})"


def _unusable(path: str | Path, error: sqlite3.Error) -> StoreError:
    kind = error_kind(error)
    return StoreError(unusable(path, kind, getattr(error, "sqlite_errorname", None)), kind)


class StoreFailure(StoreError):
    """A statement failed, named by kind so that callers never see a bare `OperationalError`.

    `transient`: wait and try again, nothing is lost. `fatal`: the file is damaged and the bot
    must stop. Anything else is a bug or a value SQLite cannot hold: the update is quarantined.
    """

    def __init__(self, kind: str) -> None:
        super().__init__(kind, kind)

    @property
    def transient(self) -> bool:
        return self.kind in TRANSIENT

    @property
    def fatal(self) -> bool:
        return self.kind in FATAL

    @classmethod
    def of(cls, error: BaseException) -> StoreFailure:
        if isinstance(error, StoreFailure):
            return error
        failure = cls(error_kind(error))
        failure.__cause__ = error
        return failure


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).isoformat()


def _moment(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


@dataclass(frozen=True)
class Incoming:
    """A raw update as fetched from Telegram, before anything was done with it."""

    update_id: int
    chat_id: int | None
    user_id: int | None
    payload: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.payload.encode()).hexdigest()

    def row(self, arrival: int, received_at: str | None) -> tuple[Any, ...]:
        """Its row in the inbox, as new."""
        return (
            self.update_id,
            self.chat_id,
            self.user_id,
            self.payload,
            self.digest,
            arrival,
            received_at,
        )


@dataclass(frozen=True)
class Delivery:
    """An update to handle. `repeat` means it was handled before: only ask again."""

    update_id: int
    chat_id: int | None
    user_id: int | None
    payload: str | None
    repeat: bool


@dataclass(frozen=True)
class Quarantined:
    """An update set aside: what it was (no content shown), why, and when."""

    id: int
    update_id: int | None
    chat_id: int | None
    user_id: int | None
    kind: str
    place: str | None
    quarantined_at: dt.datetime
    retry_at: dt.datetime | None


@dataclass(frozen=True)
class Retry:
    """A quarantined update the operator asked to handle again, taken out of quarantine.

    `delivery` is the update, back in the inbox as new. None means its chat went on without
    it: it is dropped, and the person is asked their pending question again instead, so an
    old answer never overwrites a newer one.
    """

    chat_id: int | None
    user_id: int | None
    delivery: Delivery | None


SQLITE_INT = (-(2**63), 2**63 - 1)


def fits(value: int | None) -> int | None:
    """An id SQLite can hold, or None: a quarantine row must be storable whatever came in."""
    if value is None or not SQLITE_INT[0] <= value <= SQLITE_INT[1]:
        return None
    return value


_UPSERT_USER = """
    INSERT INTO users (user_id, language, greeted_at, created_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (user_id) DO UPDATE SET
        language = excluded.language,
        greeted_at = coalesce(users.greeted_at, excluded.greeted_at),
        blocked_at = NULL
"""
_UPSERT_SESSION = """
    INSERT INTO flow_states (user_id, rev, flow, flow_version, draft, resume_asked, active_at,
                             update_id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (user_id) DO UPDATE SET
        rev = excluded.rev, flow = excluded.flow, flow_version = excluded.flow_version,
        draft = excluded.draft, resume_asked = excluded.resume_asked,
        active_at = excluded.active_at, update_id = excluded.update_id
"""
_INSERT_INITIATIVE = """
    INSERT INTO initiatives (reference, user_id, language, title, plan, category, postcode,
                             starts_on, helpers, needs, created_at, voice)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
# New updates, and a recycled id with other content, are (re)written and returned; a repeat
# of an update already stored is left alone and not returned.
_RECEIVE = """
    INSERT INTO inbox (update_id, chat_id, user_id, payload, digest, status, arrival, received_at)
    VALUES {rows}
    ON CONFLICT (update_id) DO UPDATE SET
        chat_id = excluded.chat_id, user_id = excluded.user_id, payload = excluded.payload,
        digest = excluded.digest, status = 'new', arrival = excluded.arrival,
        received_at = excluded.received_at
    WHERE inbox.digest != excluded.digest
    RETURNING update_id
"""
# Once handled, the update's text is not needed any more: only its id stays, to spot repeats.
_SENT = "UPDATE inbox SET status = 'sent' WHERE update_id = ? AND status = 'done'"
_IGNORED = "UPDATE inbox SET status = 'sent', payload = NULL WHERE update_id = ?"
# A quarantined update back in the inbox, replacing the row it left there when it failed.
_RETRIED = """
    INSERT INTO inbox (update_id, chat_id, user_id, payload, digest, status, arrival, received_at)
    VALUES (?, ?, ?, ?, ?, 'new', ?, ?)
    ON CONFLICT (update_id) DO UPDATE SET
        payload = excluded.payload, digest = excluded.digest, status = 'new',
        arrival = excluded.arrival, received_at = excluded.received_at
"""
# Whether a quarantined update's chat went on without it: a later update, or a later turn.
_LATER_OF_Q = """
    EXISTS (SELECT 1 FROM inbox i
            WHERE i.chat_id = q.chat_id AND i.update_id IS NOT q.update_id
              AND (i.arrival > q.arrival OR i.received_at > q.quarantined_at))
    OR EXISTS (SELECT 1 FROM flow_states f
               WHERE f.user_id = q.user_id AND f.active_at > q.quarantined_at)
"""
_LATER = f"SELECT {_LATER_OF_Q} FROM quarantine q WHERE q.id = ?"
_QUARANTINE = """
    INSERT INTO quarantine (update_id, chat_id, user_id, payload, kind, place, arrival,
                            quarantined_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""
# A stored update that could not be handled: its payload moves from the inbox to quarantine.
# The payload comes from the caller, not the inbox row: in a group commit, another update's
# "handled" mark (which clears payloads) may run first; the arrival number stays.
_QUARANTINE_STORED = """
    INSERT INTO quarantine (update_id, chat_id, user_id, payload, kind, place, arrival,
                            quarantined_at)
    VALUES (?, ?, ?, ?, ?, ?, (SELECT arrival FROM inbox WHERE update_id = ?), ?)
"""
_BLOCKED = "UPDATE users SET blocked_at = ? WHERE user_id = ?"


@dataclass
class Changes:
    """The writes one turn makes, committed together or not at all."""

    chats: dict[int, tuple[Resident, Session, int | None]] = field(default_factory=dict)
    initiatives: list[tuple[int, Initiative]] = field(default_factory=list)
    ops: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    now: dt.datetime | None = None
    inbox: list[tuple[Any, ...]] = field(default_factory=list)  # fetched updates to store
    accepted: set[int] = field(default_factory=set)  # filled by the commit: updates now stored

    def save_chat(
        self, resident: Resident, session: Session, now: dt.datetime, update_id: int | None
    ) -> None:
        """The resident's state after a turn; `update_id` is the update this turn handled."""
        self.chats[resident.user_id] = (resident, session, update_id)
        self.now = now

    def add_initiative(self, user_id: int, initiative: Initiative) -> None:
        self.initiatives.append((user_id, initiative))


def _session_row(user_id: int, session: Session, update_id: int | None) -> tuple[Any, ...]:
    draft = session.draft
    return (
        user_id,
        session.rev,
        None if draft is None else draft.flow,
        None if draft is None else draft.version,
        None if draft is None else json.dumps(draft.to_json(), ensure_ascii=False),
        int(session.resume_asked),
        _iso(session.active_at),
        update_id,
    )


def _initiative_row(user_id: int, i: Initiative) -> tuple[Any, ...]:
    voice = {
        key: value
        for key, value in (("title", i.title), ("plan", i.plan))
        if not isinstance(value, str)
    }
    return (
        i.reference,
        user_id,
        i.language,
        i.title if isinstance(i.title, str) else "",
        i.plan if isinstance(i.plan, str) else "",
        i.category,
        i.postcode,
        None if i.starts_on is None else i.starts_on.isoformat(),
        i.helpers,
        json.dumps(list(i.needs)),
        _iso(i.created_at),
        json.dumps(voice),
    )


def _initiative(row: sqlite3.Row) -> Initiative:
    voice = json.loads(row["voice"])
    return Initiative(
        reference=row["reference"],
        language=row["language"],
        title=voice.get("title", row["title"]),
        plan=voice.get("plan", row["plan"]),
        category=row["category"],
        postcode=row["postcode"],
        starts_on=None if row["starts_on"] is None else dt.date.fromisoformat(row["starts_on"]),
        helpers=row["helpers"],
        needs=tuple(json.loads(row["needs"])),
        created_at=dt.datetime.fromisoformat(row["created_at"]),
    )


class Store:
    """The bot's database. Open with `await Store.open(path)`, close with `await close()`."""

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
        # user id -> (resident, session, whether the users row is current), committed state
        # only. A row is not current when it is missing or says the resident blocked the bot.
        self._chats: OrderedDict[int, tuple[Resident, Session, bool]] = OrderedDict()
        # Updates answered but not yet marked so in the inbox, by user. A resident's next turn
        # marks them (a trigger); the rest are written when the writer has nothing else to do.
        self._unsent: dict[int, int] = {}
        # Bookkeeping that could not be written while the database was unavailable.
        self._deferred: list[Changes] = []
        self._arrival = 0
        self._writer: asyncio.Task[None] | None = None
        # Held while a transaction is open, so that nothing else writes into it.
        self._writing = asyncio.Lock()
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

    @classmethod
    async def open(cls, path: str | Path, *, now: Callable[[], dt.datetime] | None = None) -> Store:
        """Open (and migrate) the database. `now` is the bot's clock, for outage alarms."""
        if sqlite3.sqlite_version_info < (3, 35):
            raise StoreError(f"SQLite {sqlite3.sqlite_version} is too old: 3.35 or newer is needed")
        # Residents' data: the file is created for this user only before SQLite opens it
        # (SQLite then gives -wal and -shm the same mode), and narrowed if it is more open.
        try:
            make_private(Path(path))
        except OSError as error:
            raise StoreError(
                f"the database {path} cannot be opened ({error.strerror}); check that "
                "BUURTBOT_DB names a file (not a directory) in a directory this user can write",
                "SQLITE_CANTOPEN",
            ) from error
        # Autocommit: a turn that writes one statement commits in one round trip; batches
        # open their transaction themselves.
        db = await aiosqlite.connect(str(path), isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            await db.execute("PRAGMA journal_mode = WAL")
            # WAL with synchronous=NORMAL survives any crash of the process; only a power cut
            # can roll back the last commits. FULL would cost an fsync per commit.
            await db.execute("PRAGMA synchronous = NORMAL")
            await db.execute("PRAGMA foreign_keys = ON")
            await db.execute("PRAGMA busy_timeout = 5000")
            await _migrate(db, path)
            row = await (await db.execute("SELECT coalesce(max(arrival), 0) FROM inbox")).fetchone()
        except sqlite3.Error as error:
            await db.close()
            raise _unusable(path, error) from error
        except BaseException:
            await db.close()
            raise
        store = cls(db, Path(path), now or (lambda: dt.datetime.now(dt.UTC)))
        store._arrival = row[0] if row else 0
        store._writer = asyncio.create_task(store._write_forever(), name="buurtbot-store-writer")
        return store

    async def close(self) -> None:
        """Commit what is queued, then close the file."""
        if self._writer is not None:
            await self._queue.join()
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
            self._writer = None
            if self._unsent or self._deferred:
                with contextlib.suppress(StoreFailure):
                    await self._write([])
        for task in list(self._alarms):
            task.cancel()
        await self._db.close()

    # --- Writing -----------------------------------------------------------------------

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
        async with self._writing:
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
                for changes, future in batch:
                    for user_id, (resident, session, update_id) in changes.chats.items():
                        self._remember(user_id, (resident, session, True))
                        if update_id is not None:
                            self._unsent.pop(user_id, None)  # the trigger marked it
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
        ops = list(changes.ops)
        now = _iso(changes.now)
        for user_id, (resident, session, update_id) in changes.chats.items():
            known = self._chats.get(user_id)
            if known is None or not known[2] or known[0] != resident:
                ops.append(
                    (
                        _UPSERT_USER,
                        (user_id, resident.language, now if resident.greeted else None, now),
                    )
                )
            ops.append((_UPSERT_SESSION, _session_row(user_id, session, update_id)))
        ops += [(_INSERT_INITIATIVE, _initiative_row(u, i)) for u, i in changes.initiatives]
        return ops

    async def _apply(self, batch: Sequence[Changes], unsent: list[int]) -> None:
        grouped: dict[str, list[tuple[Any, ...]]] = {}
        for changes in batch:
            for sql, params in self._ops(changes):
                grouped.setdefault(sql, []).append(params)
        if unsent:
            grouped.setdefault(_SENT, []).extend((u,) for u in unsent)
        receiving = [c for c in batch if c.inbox]
        single = len(grouped) + len(receiving) == 1 and all(len(r) == 1 for r in grouped.values())
        if not single:
            # A lone statement commits by itself (autocommit); anything more is one transaction.
            await self._db.execute("BEGIN IMMEDIATE")
        for sql, rows in grouped.items():
            if len(rows) == 1:
                await self._db.execute(sql, rows[0])
            else:
                await self._db.executemany(sql, rows)
        for changes in receiving:
            # One statement for a whole fetched batch; RETURNING says which rows are new.
            values = ", ".join(["(?, ?, ?, ?, ?, 'new', ?, ?)"] * len(changes.inbox))
            written = await self._db.execute_fetchall(
                _RECEIVE.format(rows=values), [v for row in changes.inbox for v in row]
            )
            changes.accepted = {r[0] for r in written}
        if not single:
            await self._db.commit()

    def _remember(self, user_id: int, chat: tuple[Resident, Session, bool]) -> None:
        self._chats[user_id] = chat
        self._chats.move_to_end(user_id)
        while len(self._chats) > self.CACHE_SIZE:
            self._chats.popitem(last=False)

    # --- Residents and their conversations ---------------------------------------------

    async def chat(self, user_id: int) -> tuple[Resident, Session]:
        """A resident and their session; new residents start empty."""
        cached = self._chats.get(user_id)
        if cached is not None:
            self._chats.move_to_end(user_id)
            return cached[0], cached[1]
        cursor = await self._db.execute(
            """
            SELECT u.language, u.greeted_at, u.blocked_at, s.rev, s.flow, s.flow_version, s.draft,
                   s.resume_asked, s.active_at
            FROM users u LEFT JOIN flow_states s USING (user_id)
            WHERE u.user_id = ?
            """,
            (user_id,),
        )
        row = await cursor.fetchone()
        if row is None:
            chat = (Resident(user_id), Session(), False)
        else:
            draft = None
            if row["draft"] is not None and row["flow"] in FLOWS:
                draft = Draft.from_json(row["flow"], row["flow_version"], json.loads(row["draft"]))
            chat = (
                Resident(user_id, row["language"], row["greeted_at"] is not None),
                Session(
                    rev=row["rev"] or 0,
                    draft=draft,
                    resume_asked=bool(row["resume_asked"]),
                    active_at=_moment(row["active_at"]),
                ),
                row["blocked_at"] is None,
            )
        self._remember(user_id, chat)
        return chat[0], chat[1]

    async def initiatives_of(self, user_id: int) -> list[Initiative]:
        rows = await self._db.execute_fetchall(
            "SELECT * FROM initiatives WHERE user_id = ? ORDER BY created_at, id", (user_id,)
        )
        return [_initiative(r) for r in rows]

    async def initiative(self, user_id: int, reference: str) -> Initiative | None:
        """An initiative, only for the resident who made it."""
        rows = await self._db.execute_fetchall(
            "SELECT * FROM initiatives WHERE user_id = ? AND reference = ?", (user_id, reference)
        )
        return next((_initiative(r) for r in rows), None)

    def blocked(self, user_id: int, now: dt.datetime) -> None:
        """Remember that a resident blocked the bot, until they write to it again."""
        self.commit_soon(Changes(ops=[(_BLOCKED, (_iso(now), user_id))]))
        known = self._chats.get(user_id)
        if known is not None:
            self._chats[user_id] = (known[0], known[1], False)  # next turn clears the mark

    # --- The inbox of updates ------------------------------------------------------------

    async def receive(self, updates: Sequence[Incoming], now: dt.datetime) -> list[Delivery]:
        """Store fetched updates durably, before Telegram is told they arrived.

        An update id seen before with the same content is a repeat delivery: it is handled
        again only if it was never handled; otherwise the resident is asked the pending
        question again. Update ids are compared by identity, never by "highest seen":
        Telegram may start counting from a new number after a quiet week.

        The batch is written in one statement. Only when that fails for a reason of its own
        is it written one update at a time, and an update that cannot be stored at all (a
        value SQLite cannot hold) goes to quarantine, so that it never holds up the others.
        A transient failure is raised: nothing of the batch may be confirmed to Telegram.
        """
        if not updates:
            return []
        try:
            accepted = await self._store_inbox(updates, now)
        except StoreFailure as failure:
            if failure.transient or failure.fatal:
                raise
            accepted = set()
            skipped = set()
            for update in updates:
                try:
                    accepted |= await self._store_inbox([update], now)
                except StoreFailure as one:
                    if one.transient or one.fatal:
                        raise
                    kind = f"unstorable: {one.kind}"
                    await self.quarantine(
                        update.update_id,
                        update.chat_id,
                        update.user_id,
                        update.payload.encode("utf-8", "surrogatepass"),
                        kind,
                        None,
                        now,
                    )
                    log.warning("update %s quarantined: %s", update.update_id, kind)
                    skipped.add(update.update_id)
            updates = [u for u in updates if u.update_id not in skipped]
        return await self._deliveries(updates, accepted)

    async def _store_inbox(self, updates: Sequence[Incoming], now: dt.datetime) -> set[int]:
        rows = []
        for update in updates:
            self._arrival += 1
            rows.append(update.row(self._arrival, _iso(now)))
        changes = Changes(inbox=rows)
        await self.commit(changes)
        return changes.accepted

    async def _deliveries(self, updates: Sequence[Incoming], accepted: set[int]) -> list[Delivery]:
        """New updates to handle, and what to do with the ones stored before."""
        deliveries = [
            Delivery(u.update_id, u.chat_id, u.user_id, u.payload, False)
            for u in updates
            if u.update_id in accepted
        ]
        seen = [u for u in updates if u.update_id not in accepted]
        if seen:
            marks = ",".join("?" * len(seen))
            rows_seen = await self._db.execute_fetchall(
                f"SELECT update_id, status, payload FROM inbox WHERE update_id IN ({marks})",
                [u.update_id for u in seen],
            )
            found = {r["update_id"]: r for r in rows_seen}
            for u in seen:
                row = found.get(u.update_id)
                if row is None:
                    continue
                # Still new: stored by an earlier poll whose batch did not get through.
                fresh = row["status"] == "new"
                payload = row["payload"] if fresh else None
                deliveries.append(Delivery(u.update_id, u.chat_id, u.user_id, payload, not fresh))
        return deliveries

    async def unfinished(self) -> list[Delivery]:
        """Updates a previous process stored but did not finish, in the order they came."""
        rows = await self._db.execute_fetchall(
            """
            SELECT update_id, chat_id, user_id, payload, status FROM inbox
            WHERE status IN ('new', 'done') ORDER BY arrival
            """
        )
        return [
            Delivery(
                r["update_id"], r["chat_id"], r["user_id"], r["payload"], r["status"] == "done"
            )
            for r in rows
        ]

    # --- Quarantine ----------------------------------------------------------------------

    async def quarantine(
        self,
        update_id: int | None,
        chat_id: int | None,
        user_id: int | None,
        payload: bytes,
        kind: str,
        place: str | None,
        now: dt.datetime,
    ) -> None:
        """Set aside an update that could not be stored in the inbox as it came."""
        row = (fits(update_id), fits(chat_id), fits(user_id), payload, kind, place, None, _iso(now))
        await self.commit(Changes(ops=[(_QUARANTINE, row)]))

    async def quarantine_stored(
        self, delivery: Delivery, kind: str, place: str | None, now: dt.datetime
    ) -> None:
        """Set aside a stored update that could not be handled; it no longer waits in the inbox."""
        update_id = delivery.update_id
        payload = (delivery.payload or "").encode("utf-8", "surrogatepass")
        row = (update_id, delivery.chat_id, delivery.user_id, payload, kind, place, update_id)
        await self.commit(
            Changes(ops=[(_QUARANTINE_STORED, (*row, _iso(now))), (_IGNORED, (update_id,))])
        )

    async def quarantined(self) -> list[Quarantined]:
        rows = await self._db.execute_fetchall(
            """
            SELECT id, update_id, chat_id, user_id, kind, place, quarantined_at, retry_at
            FROM quarantine ORDER BY id
            """
        )
        return [
            Quarantined(
                r["id"],
                r["update_id"],
                r["chat_id"],
                r["user_id"],
                r["kind"],
                r["place"],
                dt.datetime.fromisoformat(r["quarantined_at"]),
                _moment(r["retry_at"]),
            )
            for r in rows
        ]

    async def request_retry(self, quarantine_id: int, now: dt.datetime) -> bool | None:
        """Ask the running bot to handle a quarantined update again.

        Returns None when there is no such entry, else whether its chat went on without it
        (then it will be dropped and the person asked their pending question again).
        """
        async with self._writing:
            cursor = await self._db.execute(
                "UPDATE quarantine SET retry_at = ? WHERE id = ?", (_iso(now), quarantine_id)
            )
            if cursor.rowcount == 0:
                return None
            rows = list(await self._db.execute_fetchall(_LATER, (quarantine_id,)))
        return bool(rows[0][0]) if rows else False

    async def take_retries(self, now: dt.datetime) -> list[Retry]:
        """The quarantined updates the operator asked to handle again, moved back into the
        inbox as new in one transaction (so a crash after it replays them at start-up)."""
        try:
            rows = await self._db.execute_fetchall(
                f"""
                SELECT q.id, q.update_id, q.chat_id, q.user_id, q.payload, ({_LATER_OF_Q})
                FROM quarantine q WHERE q.retry_at IS NOT NULL ORDER BY q.id
                """
            )
        except sqlite3.Error as error:
            raise StoreFailure.of(error) from error
        ops: list[tuple[str, tuple[Any, ...]]] = []
        retries = []
        for entry, update_id, chat_id, user_id, raw, later in rows:
            if update_id is None and not later:
                # Its id does not fit in SQLite, so it cannot be in the inbox: it stays here.
                log.warning("quarantined update %s cannot be handled again: no usable id", entry)
                ops.append(("UPDATE quarantine SET retry_at = NULL WHERE id = ?", (entry,)))
                continue
            ops.append(("DELETE FROM quarantine WHERE id = ?", (entry,)))
            if later:
                retries.append(Retry(chat_id, user_id, None))
                continue
            payload = bytes(raw).decode("utf-8", "replace")
            update = Incoming(update_id, chat_id, user_id, payload)
            self._arrival += 1
            ops.append((_RETRIED, (*update.row(self._arrival, _iso(now)),)))
            retries.append(
                Retry(chat_id, user_id, Delivery(update_id, chat_id, user_id, payload, False))
            )
        if ops:
            await self.commit(Changes(ops=ops))
        return retries

    def sent(self, update_id: int, user_id: int) -> None:
        """A turn's replies went out: marked soon, without a commit of its own."""
        self._unsent[user_id] = update_id

    def ignored(self, update_id: int) -> None:
        """An update that needed no change of state (or no answer at all) is finished."""
        self.commit_soon(Changes(ops=[(_IGNORED, (update_id,))]))

    async def is_blocked(self, user_id: int) -> bool:
        rows = await self._db.execute_fetchall(
            "SELECT 1 FROM users WHERE user_id = ? AND blocked_at IS NOT NULL", (user_id,)
        )
        return bool(list(rows))

    async def inbox_status(self, update_id: int) -> str | None:
        rows = list(
            await self._db.execute_fetchall(
                "SELECT status FROM inbox WHERE update_id = ?", (update_id,)
            )
        )
        return rows[0]["status"] if rows else None

    # --- Retention ---------------------------------------------------------------------

    async def sweep(self, now: dt.datetime, *, draft_days: int, keep_days: int) -> dict[str, int]:
        """Forget what we promised to forget: old inbox rows, stale drafts, expired plans."""
        inbox_before = _iso(now - INBOX_KEEP)
        draft_before = _iso(now - dt.timedelta(days=draft_days))
        keep_before = _iso(now - dt.timedelta(days=keep_days))
        counts: dict[str, int] = {}
        statements = {
            "inbox": (
                "DELETE FROM inbox WHERE received_at < ? AND status IN ('done', 'sent', 'failed')",
                (inbox_before,),
            ),
            "drafts": (
                """UPDATE flow_states SET flow = NULL, flow_version = NULL, draft = NULL,
                          resume_asked = 0, rev = rev + 1
                   WHERE draft IS NOT NULL AND active_at < ?""",
                (draft_before,),
            ),
            "initiatives": ("DELETE FROM initiatives WHERE created_at < ?", (keep_before,)),
            # Quarantined updates hold what people wrote: kept no longer than drafts.
            "quarantine": ("DELETE FROM quarantine WHERE quarantined_at < ?", (draft_before,)),
        }
        async with self._writing:
            await self._db.execute("BEGIN IMMEDIATE")
            for name, (sql, params) in statements.items():
                cursor = await self._db.execute(sql, params)
                counts[name] = cursor.rowcount
            await self._db.commit()
        if counts["drafts"]:
            self._chats.clear()
        return counts


async def _migrate(db: aiosqlite.Connection, path: str | Path) -> None:
    row = await (await db.execute("PRAGMA user_version")).fetchone()
    version = row[0] if row else 0
    if version > len(MIGRATIONS):
        raise StoreError(
            f"the database {path} was written by a newer Buurtbot (schema version {version}; "
            f"this one knows up to {len(MIGRATIONS)}): upgrade Buurtbot, or set BUURTBOT_DB "
            "to another file"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        await db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
        log.info("database migrated to schema version %d", number)
