"""Quarantine: updates that could not be stored or handled as they came.

They are kept with their raw bytes, so that a fixed Buurtbot can handle them again
(`buurtbot inbox retry`), and they never hold up the others.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.store import rows
from bot.store.changes import Changes
from bot.store.errors import StoreFailure
from bot.store.inbox import IGNORED, Delivery, Inbox, Incoming

if TYPE_CHECKING:
    from bot.store.writer import Writer

log = logging.getLogger(__name__)


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


# A quarantined update back in the inbox, replacing the row it left there when it failed.
RETRIED = """
    INSERT INTO inbox (update_id, chat_id, user_id, payload, digest, status, arrival, received_at)
    VALUES (?, ?, ?, ?, ?, 'new', ?, ?)
    ON CONFLICT (update_id) DO UPDATE SET
        payload = excluded.payload, digest = excluded.digest, status = 'new',
        arrival = excluded.arrival, received_at = excluded.received_at
"""
# Whether a quarantined update's chat went on without it: a later update, or a later turn.
LATER_OF_Q = """
    EXISTS (SELECT 1 FROM inbox i
            WHERE i.chat_id = q.chat_id AND i.update_id IS NOT q.update_id
              AND (i.arrival > q.arrival OR i.received_at > q.quarantined_at))
    OR EXISTS (SELECT 1 FROM flow_states f
               WHERE f.user_id = q.user_id AND f.active_at > q.quarantined_at)
"""
LATER = f"SELECT {LATER_OF_Q} FROM quarantine q WHERE q.id = ?"
QUARANTINE = """
    INSERT INTO quarantine (update_id, chat_id, user_id, payload, kind, place, arrival,
                            quarantined_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""
# A stored update that could not be handled: its payload moves from the inbox to quarantine.
# The payload comes from the caller, not the inbox row: in a group commit, another update's
# "handled" mark (which clears payloads) may run first; the arrival number stays.
QUARANTINE_STORED = """
    INSERT INTO quarantine (update_id, chat_id, user_id, payload, kind, place, arrival,
                            quarantined_at)
    VALUES (?, ?, ?, ?, ?, ?, (SELECT arrival FROM inbox WHERE update_id = ?), ?)
"""


class Quarantine:
    def __init__(self, writer: Writer, inbox: Inbox) -> None:
        self._writer = writer
        self._inbox = inbox

    async def add(
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
        fit = rows.fits
        row = (
            fit(update_id),
            fit(chat_id),
            fit(user_id),
            payload,
            kind,
            place,
            None,
            rows.iso(now),
        )
        await self._writer.commit(Changes(ops=[(QUARANTINE, row)]))

    async def add_stored(
        self, delivery: Delivery, kind: str, place: str | None, now: dt.datetime
    ) -> None:
        """Set aside a stored update that could not be handled; it no longer waits in the inbox."""
        update_id = delivery.update_id
        payload = (delivery.payload or "").encode("utf-8", "surrogatepass")
        row = (update_id, delivery.chat_id, delivery.user_id, payload, kind, place, update_id)
        await self._writer.commit(
            Changes(ops=[(QUARANTINE_STORED, (*row, rows.iso(now))), (IGNORED, (update_id,))])
        )

    async def entries(self) -> list[Quarantined]:
        found = await self._writer.db.execute_fetchall(
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
                rows.moment(r["retry_at"]),
            )
            for r in found
        ]

    async def request_retry(self, quarantine_id: int, now: dt.datetime) -> bool | None:
        """Ask the running bot to handle a quarantined update again.

        Returns None when there is no such entry, else whether its chat went on without it
        (then it will be dropped and the person asked their pending question again).
        """
        db = self._writer.db
        async with self._writer.writing:
            cursor = await db.execute(
                "UPDATE quarantine SET retry_at = ? WHERE id = ?", (rows.iso(now), quarantine_id)
            )
            if cursor.rowcount == 0:
                return None
            found = list(await db.execute_fetchall(LATER, (quarantine_id,)))
        return bool(found[0][0]) if found else False

    async def take_retries(self, now: dt.datetime) -> list[Retry]:
        """The quarantined updates the operator asked to handle again, moved back into the
        inbox as new in one transaction (so a crash after it replays them at start-up)."""
        try:
            found = await self._writer.db.execute_fetchall(
                f"""
                SELECT q.id, q.update_id, q.chat_id, q.user_id, q.payload, ({LATER_OF_Q})
                FROM quarantine q WHERE q.retry_at IS NOT NULL ORDER BY q.id
                """
            )
        except sqlite3.Error as error:
            raise StoreFailure.of(error) from error
        ops: list[tuple[str, tuple[Any, ...]]] = []
        retries = []
        for entry, update_id, chat_id, user_id, raw, later in found:
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
            ops.append((RETRIED, (*update.row(self._inbox.next_arrival(), rows.iso(now)),)))
            retries.append(
                Retry(chat_id, user_id, Delivery(update_id, chat_id, user_id, payload, False))
            )
        if ops:
            await self._writer.commit(Changes(ops=ops))
        return retries
