"""Deliveries into a municipality's back office: one row per channel (email, Objects API) for
each change of a request the office must know about, written in that change's transaction.

`enqueue` adds rows (with where they go: the channel's address, or the Objects API's
settings); the worker in bot/delivery.py reads and marks them like the outbox's rows: a row is
'pending' until taken, 'sending' (committed) before the call, so one found 'sending' later is
one whose outcome is unknown; it ends 'sent' or 'failed' (refused for good, never retried).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot.domain import RequestEvent, SupportRequest
from bot.municipal import Channel, ObjectsApi
from bot.store import requests, rows
from bot.store.changes import Changes

if TYPE_CHECKING:
    from bot.store.writer import Writer

EMAIL, OBJECTS = "email", "objects"
_WAITING = "status IN ('pending', 'sending')"
_SENDING = "UPDATE deliveries SET status = 'sending', attempts = attempts + 1 WHERE id = ?"
_AGAIN = "UPDATE deliveries SET status = 'pending', error = ?, unknown = unknown + ? WHERE id = ?"
_SENT = "UPDATE deliveries SET status = 'sent', error = NULL, done_at = ? WHERE id = ?"
_FAILED = "UPDATE deliveries SET status = 'failed', error = ?, done_at = ? WHERE id = ?"
_OBJECT_URL = "UPDATE requests SET object_url = ? WHERE id = ?"


def _target(name: str, channel: Channel) -> str:
    if name == EMAIL:
        return channel.email
    assert channel.objects is not None
    return json.dumps(dict(vars(channel.objects)), sort_keys=True)


async def enqueue(
    db: aiosqlite.Connection,
    request_id: int,
    what: str,
    channel: Channel | None,
    now: dt.datetime,
    event_id: int | None = None,
) -> int:
    """Inside a transaction: the office hears `what` (an event of the request) by email and,
    when the municipality has it, through the Objects API. How many rows were added.

    The commit that runs this must wake the delivery worker: a `Changes` with a request
    effect does (`Writer.deliveries_added`)."""
    if channel is None:
        return 0
    channels = [EMAIL] + ([OBJECTS] if channel.objects is not None else [])
    await db.executemany(
        """INSERT INTO deliveries (request, event, channel, what, target, created_at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        [(request_id, event_id, c, what, _target(c, channel), rows.iso(now)) for c in channels],
    )
    return len(channels)


@dataclass(frozen=True)
class Due:
    """A row waiting: which lane it goes in (one mail server; one Objects API per base URL)."""

    id: int
    channel: str
    target: str | None

    @property
    def lane(self) -> str:
        if self.channel == OBJECTS and self.target:
            return f"{OBJECTS} {json.loads(self.target).get('base_url', '')}"
        return self.channel


@dataclass(frozen=True)
class Job:
    """Everything one delivery needs: the request as it is now, the event it is about (None
    for a row without one), where it goes, and whether a send of it may have arrived."""

    id: int
    channel: str
    what: str
    request: SupportRequest
    request_id: int
    event: RequestEvent | None
    event_id: int | None
    email: str | None
    objects: ObjectsApi | None
    again: bool
    attempts: int

    @property
    def first(self) -> bool:
        """The submission itself (the email every later one replies to; the object's POST)."""
        return self.what == "submitted"


@dataclass(frozen=True)
class Entry:
    """A row as the operators (and the tests) see it."""

    id: int
    request: int
    channel: str
    what: str
    status: str
    attempts: int
    unknown: int
    error: str | None


class Deliveries:
    def __init__(self, writer: Writer) -> None:
        self._writer = writer

    async def due(self) -> list[Due]:
        """Rows waiting, oldest first."""
        found = await self._writer.db.execute_fetchall(
            f"SELECT id, channel, target FROM deliveries WHERE {_WAITING} ORDER BY id"
        )
        return [Due(r[0], r[1], r[2]) for r in found]

    async def job(self, row_id: int) -> Job | None:
        """One row with its request and event; None once it is no longer waiting."""
        db = self._writer.db
        found = list(
            await db.execute_fetchall(
                f"""SELECT d.id, d.channel, d.what, d.request, d.event, d.target, d.status,
                           d.attempts, e.at, e.by_role, e.state, e.note, e.amount
                    FROM deliveries d LEFT JOIN request_events e ON e.id = d.event
                    WHERE d.id = ? AND d.{_WAITING}""",
                (row_id,),
            )
        )
        if not found:
            return None
        r = found[0]
        request = await requests.by_id(db, r["request"])
        if request is None:
            return None
        event = None
        if r["at"] is not None:
            at = rows.moment(r["at"])
            assert at is not None
            event = RequestEvent(at, r["by_role"], r["state"], r["note"], r["amount"])
        email, objects = None, None
        target: Any = r["target"]
        if r["channel"] == EMAIL:
            email = target
        elif target is not None:
            objects = ObjectsApi(**json.loads(target))
        return Job(
            r["id"],
            r["channel"],
            r["what"],
            request,
            r["request"],
            event,
            r["event"],
            email,
            objects,
            r["status"] == "sending",
            r["attempts"],
        )

    async def sending(self, row_id: int, again: bool) -> None:
        """Committed before the call: a crash after it means the outcome is unknown."""
        ops: list[tuple[str, tuple[Any, ...]]] = []
        if again:
            ops.append((_AGAIN, (None, 1, row_id)))
        ops.append((_SENDING, (row_id,)))
        await self._writer.commit(Changes(ops=ops))

    async def again(self, row_id: int, error: str, unknown: bool) -> None:
        """Not delivered this time; `unknown`: the other side may have it (a timeout)."""
        await self._writer.commit(Changes(ops=[(_AGAIN, (error[:300], int(unknown), row_id))]))

    async def sent(self, job: Job, now: dt.datetime, object_url: str | None = None) -> None:
        """Delivered; for the Objects API's first delivery, the object's URL is kept."""
        ops: list[tuple[str, tuple[Any, ...]]] = [(_SENT, (rows.iso(now), job.id))]
        if object_url is not None:
            ops.append((_OBJECT_URL, (object_url, job.request_id)))
        await self._writer.commit(Changes(ops=ops))

    @staticmethod
    def give_up(changes: Changes, row_id: int, error: str, now: dt.datetime) -> None:
        """Stage the end of a row the other side refused for good; the caller adds who to
        tell and commits it all at once."""
        changes.ops.append((_FAILED, (error[:300], rows.iso(now), row_id)))

    async def entries(self) -> list[Entry]:
        found = await self._writer.db.execute_fetchall(
            """SELECT id, request, channel, what, status, attempts, unknown, error
               FROM deliveries ORDER BY id"""
        )
        return [Entry(*r) for r in found]

    async def counts(self) -> dict[str, int]:
        found = await self._writer.db.execute_fetchall(
            "SELECT status, count(*) FROM deliveries GROUP BY status"
        )
        return {r[0]: r[1] for r in found}
