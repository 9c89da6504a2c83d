"""The inbox: every fetched update, stored before Telegram is told it arrived.

An update's row goes from 'new' (stored, not handled) to 'done' (its turn committed: a trigger
on `flow_states` marks it in the same statement) to 'sent' (its replies went out); updates that
needed no change of state go straight to 'sent'. The payload is dropped once handled: only the
id stays, to spot a repeat delivery.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.store import rows
from bot.store.changes import Changes
from bot.store.errors import StoreFailure

if TYPE_CHECKING:
    from bot.store.writer import Writer

log = logging.getLogger(__name__)

# New updates, and a recycled id with other content, are (re)written and returned; a repeat
# of an update already stored is left alone and not returned.
RECEIVE = """
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
SENT = "UPDATE inbox SET status = 'sent' WHERE update_id = ? AND status = 'done'"
IGNORED = "UPDATE inbox SET status = 'sent', payload = NULL WHERE update_id = ?"


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


# Sets aside an update that cannot be stored: (update id, chat id, user id, payload, kind,
# place, now).
SetAside = Callable[
    [int | None, int | None, int | None, bytes, str, str | None, dt.datetime], Awaitable[None]
]


class Inbox:
    def __init__(self, writer: Writer, arrival: int) -> None:
        self._writer = writer
        self._arrival = arrival  # the order updates came in, across restarts

    def next_arrival(self) -> int:
        self._arrival += 1
        return self._arrival

    async def receive(
        self, updates: Sequence[Incoming], now: dt.datetime, set_aside: SetAside
    ) -> list[Delivery]:
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
            accepted = await self._store(updates, now)
        except StoreFailure as failure:
            if failure.transient or failure.fatal:
                raise
            accepted = set()
            skipped = set()
            for update in updates:
                try:
                    accepted |= await self._store([update], now)
                except StoreFailure as one:
                    if one.transient or one.fatal:
                        raise
                    kind = f"unstorable: {one.kind}"
                    await set_aside(
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

    async def _store(self, updates: Sequence[Incoming], now: dt.datetime) -> set[int]:
        received = rows.iso(now)
        changes = Changes(inbox=[u.row(self.next_arrival(), received) for u in updates])
        await self._writer.commit(changes)
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
            rows_seen = await self._writer.db.execute_fetchall(
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
        found = await self._writer.db.execute_fetchall(
            """
            SELECT update_id, chat_id, user_id, payload, status FROM inbox
            WHERE status IN ('new', 'done') ORDER BY arrival
            """
        )
        return [
            Delivery(
                r["update_id"], r["chat_id"], r["user_id"], r["payload"], r["status"] == "done"
            )
            for r in found
        ]

    def ignored(self, update_id: int) -> None:
        """An update that needed no change of state (or no answer at all) is finished."""
        self._writer.commit_soon(Changes(ops=[(IGNORED, (update_id,))]))

    async def status(self, update_id: int) -> str | None:
        found = list(
            await self._writer.db.execute_fetchall(
                "SELECT status FROM inbox WHERE update_id = ?", (update_id,)
            )
        )
        return found[0]["status"] if found else None
