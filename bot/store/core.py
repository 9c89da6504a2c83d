"""The `Store`: everything the bot remembers, in one SQLite file.

It is the writer (one connection, group commit, outage bookkeeping) with the inbox, the
quarantine, the residents and retention on top; each concern keeps its SQL in its own module
of this package, and this class is the one door the rest of the bot goes through.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from bot.directory import Directory
from bot.domain import (
    BUILDER,
    OPERATOR,
    STAFF,
    Case,
    Handoff,
    Initiative,
    Resident,
    Seat,
    Session,
    SupportRequest,
)
from bot.files import make_private
from bot.flows.handoff import Lookup
from bot.flows.screens import Counts
from bot.store import (
    builders,
    cases,
    handoffs,
    people,
    privacy,
    request_status,
    requests,
    residents,
    retention,
)
from bot.store import directory as directory_rows
from bot.store.deliveries import Deliveries
from bot.store.directory import Reload
from bot.store.errors import StoreError, unusable_error
from bot.store.inbox import Delivery, Inbox, Incoming
from bot.store.migrations import migrate
from bot.store.outbox import Outbox
from bot.store.quarantine import Quarantine, Quarantined, Retry
from bot.store.writer import Writer


class Store(Writer):
    """The bot's database. Open with `await Store.open(path)`, close with `await close()`."""

    def __init__(
        self,
        db: aiosqlite.Connection,
        path: Path,
        now: Callable[[], dt.datetime],
        arrival: int = 0,
    ) -> None:
        super().__init__(db, path, now)
        self._inbox = Inbox(self, arrival)
        self._quarantine = Quarantine(self, self._inbox)
        # Messages to others: rows are added with `Changes.send`; the worker in bot/outbox.py
        # uses this to deliver them.
        self.outbox = Outbox(self)
        # Requests on their way into the municipalities' back offices (bot/delivery.py).
        self.deliveries = Deliveries(self)

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
            await migrate(db, path)
            row = await (await db.execute("SELECT coalesce(max(arrival), 0) FROM inbox")).fetchone()
        except sqlite3.Error as error:
            await db.close()
            raise unusable_error(path, error) from error
        except BaseException:
            await db.close()
            raise
        store = cls(db, Path(path), now or (lambda: dt.datetime.now(dt.UTC)), row[0] if row else 0)
        store.start()
        return store

    # --- Residents and their conversations ---------------------------------------------

    async def chat(self, user_id: int) -> tuple[Resident, Session]:
        """A resident and their session; new residents start empty."""
        return await residents.chat(self, user_id)

    async def initiatives_of(self, user_id: int) -> list[Initiative]:
        return await residents.initiatives_of(self, user_id)

    async def initiative(self, user_id: int, reference: str) -> Initiative | None:
        """An initiative, only for the resident who made it."""
        return await residents.initiative(self, user_id, reference)

    def blocked(self, user_id: int, now: dt.datetime) -> None:
        """Remember that a resident blocked the bot, until they write to it again."""
        residents.blocked(self, user_id, now)

    async def is_blocked(self, user_id: int) -> bool:
        return await residents.is_blocked(self, user_id)

    async def set_blocked(self, user_id: int, blocked: bool, now: dt.datetime) -> None:
        """Telegram told us (my_chat_member) that a person blocked the bot, or no longer does."""
        await self.outbox.set_blocked(user_id, blocked, now)

    # --- The inbox of updates ------------------------------------------------------------

    async def receive(self, updates: Sequence[Incoming], now: dt.datetime) -> list[Delivery]:
        """Store fetched updates durably, before Telegram is told they arrived (see
        `Inbox.receive`); one that cannot be stored at all goes to quarantine."""
        return await self._inbox.receive(updates, now, self._quarantine.add)

    async def unfinished(self) -> list[Delivery]:
        """Updates a previous process stored but did not finish, in the order they came."""
        return await self._inbox.unfinished()

    def ignored(self, update_id: int) -> None:
        """An update that needed no change of state (or no answer at all) is finished."""
        self._inbox.ignored(update_id)

    async def inbox_status(self, update_id: int) -> str | None:
        return await self._inbox.status(update_id)

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
        await self._quarantine.add(update_id, chat_id, user_id, payload, kind, place, now)

    async def quarantine_stored(
        self, delivery: Delivery, kind: str, place: str | None, now: dt.datetime
    ) -> None:
        """Set aside a stored update that could not be handled; it no longer waits in the inbox."""
        await self._quarantine.add_stored(delivery, kind, place, now)

    async def quarantined(self) -> list[Quarantined]:
        return await self._quarantine.entries()

    async def request_retry(self, quarantine_id: int, now: dt.datetime) -> bool | None:
        """Ask the running bot to handle a quarantined update again (see `Quarantine`)."""
        return await self._quarantine.request_retry(quarantine_id, now)

    async def take_retries(self, now: dt.datetime) -> list[Retry]:
        """Quarantined updates an operator asked for, back in the inbox as new."""
        return await self._quarantine.take_retries(now)

    # --- Roles, invites, cases ----------------------------------------------------------

    async def create_invite(
        self,
        role: str,
        name: str,
        now: dt.datetime,
        expires: dt.datetime,
        builder: str | None = None,
        municipality: str | None = None,
    ) -> str:
        """A one-time token that binds `role` (for a builder: `builder`, an id of the
        directory; for staff: `municipality`, its code) to whoever opens the link, until
        `expires`."""
        return await people.create_invite(self, role, name, now, expires, builder, municipality)

    async def desk(self, user_id: int) -> str | None:
        """The municipality (code) a staff account is bound to, if any."""
        return await people.desk(self, user_id)

    async def staff_accounts(self) -> set[int]:
        """Accounts bound as municipal staff (for their command list at start)."""
        return await people.holders(self, STAFF)

    async def support_request(self, reference: str) -> SupportRequest | None:
        """A request for support by its reference, with its history (the turn checks who may
        see it)."""
        return await requests.named(self, reference)

    async def open_requests(self, municipality: str) -> list[SupportRequest]:
        """A municipality's open requests, for its staff."""
        return await request_status.of_municipality(self, municipality)

    async def seat(self, user_id: int) -> Seat | None:
        """The builder this account is bound to, as the directory has them now."""
        return await builders.seat(self, user_id)

    async def paused_builders(self, today: dt.date) -> frozenset[str]:
        """Builders whose notifications are paused today (routing skips them)."""
        return await builders.paused_builders(self, today)

    async def builder_accounts(self) -> set[int]:
        """Accounts bound to a builder (for their command list at start)."""
        return await people.holders(self, BUILDER)

    async def operators(self) -> set[int]:
        """Accounts bound as operators with an invite (BUURTBOT_ADMINS come on top)."""
        return await people.holders(self, OPERATOR)

    async def bot_username(self) -> str | None:
        return await people.bot_username(self)

    async def remember_username(self, username: str) -> None:
        await people.remember_username(self, username)

    async def open_questions(self) -> list[Case]:
        return await cases.open_questions(self)

    async def counts(self) -> Counts:
        """What the operator menu shows: open questions, undelivered messages, quarantine."""
        quarantined = len(await self._quarantine.entries())
        outbox = await self.outbox.counts()
        waiting = outbox.get("pending", 0) + outbox.get("sending", 0)
        undeliverable = outbox.get("failed", 0) + outbox.get("blocked", 0)
        return Counts(await cases.count_open(self), waiting, undeliverable, quarantined)

    # --- Handoffs ------------------------------------------------------------------------

    async def handoff(self, reference: str) -> Handoff | None:
        """A handoff with its offers (the turn checks who may act on it)."""
        return await handoffs.named(self, reference)

    async def handoffs_of(self, owner: int) -> list[Handoff]:
        return await handoffs.of_owner(self, owner)

    async def builder_cases(self, builder_id: str) -> list[Handoff]:
        return await handoffs.of_builder(self, builder_id)

    async def lookup(self, directory: Directory, today: dt.date) -> Lookup:
        """With the directory: who can be reached in the bot now, and how busy they are."""
        return Lookup(
            directory,
            await handoffs.open_counts(self),
            await handoffs.accounts(self),
            await self.paused_builders(today),
        )

    async def meta(self, key: str) -> str | None:
        return await people.meta(self, key)

    def set_meta(self, key: str, value: str) -> tuple[str, tuple[str, str]]:
        return people.set_meta(key, value)

    async def builder_of(self, user_id: int) -> str | None:
        return await people.builder_of(self, user_id)

    async def handoffs_due(self, now: dt.datetime) -> list[Handoff]:
        return await handoffs.due(self, now)

    async def unassigned_handoffs(self) -> list[Handoff]:
        return await handoffs.unassigned(self)

    # --- Privacy rights ------------------------------------------------------------------

    async def data_of(self, user_id: int) -> dict[str, Any]:
        """Everything kept about a person, for `/mydata` (forgetting is the `Forget` effect)."""
        return await privacy.export(self, user_id)

    # --- The directory of builders ----------------------------------------------------

    async def load_directory(self, directory: Directory, now: dt.datetime, source: str) -> Reload:
        """Replace the directory in one transaction; what changed for the builders."""
        return await directory_rows.replace(self, directory, now, source)

    async def directory(self) -> Directory | None:
        """The directory last loaded, or None if there is none yet."""
        return await directory_rows.directory(self)

    async def directory_loaded(self) -> tuple[dt.datetime, str] | None:
        """When the directory was last loaded, and from where."""
        return await directory_rows.loaded(self)

    # --- Retention ---------------------------------------------------------------------

    async def sweep(
        self, now: dt.datetime, *, draft_days: int, keep_days: int, case_days: int = 365
    ) -> dict[str, int]:
        """Forget what we promised to forget: old inbox rows, stale drafts, expired plans,
        finished handoffs."""
        return await retention.sweep(
            self, now, draft_days=draft_days, keep_days=keep_days, case_days=case_days
        )
