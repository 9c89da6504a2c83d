"""Requests for support: submitting one (its reference drawn in the same transaction), and
reading them back with their history and the count of their supporters.

A reference is unique per municipality and year: the next number is taken with the insert
itself, by the one writer, and `UNIQUE (municipality, year, number)` turns any second claim on
a number into a failed commit rather than a shared reference.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot.domain import (
    APPROVED,
    PARTLY,
    R_WITHDRAWN,
    REJECTED,
    SUBMITTED,
    OutboxMessage,
    RequestEvent,
    SupportRequest,
)
from bot.flows.effects import Moved, SubmitRequest, Submitted, WithdrawRequest
from bot.store import deliveries, messages, people, rows

_FINAL = (APPROVED, PARTLY, REJECTED, R_WITHDRAWN)  # a request in these is decided

if TYPE_CHECKING:
    from bot.store.writer import Writer

_SUBMIT = """
    INSERT INTO requests (uuid, reference, municipality, year, number, owner, language,
                          initiative, kind, answers, state, district, created_at, submitted_at,
                          updated_at)
    SELECT :uuid, printf('%s-%d-%04d', :prefix, :year, n), :municipality, :year, n, :owner,
           :language, :initiative, :kind, :answers, :state, :district, :now, :now, :now
    FROM (SELECT coalesce(max(number), 0) + 1 AS n FROM requests
          WHERE municipality = :municipality AND year = :year)
    RETURNING id, reference
"""
_EVENT = """
    INSERT INTO request_events (request, at, by_role, by_user, state, note, amount)
    VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id
"""
_COLUMNS = """r.id, r.uuid, r.municipality, r.owner, r.language, r.kind, r.answers, r.state,
    r.created_at, r.reference, r.initiative, r.district, r.submitted_at, r.case_number,
    r.letter_date, r.object_url,
    (SELECT count(*) FROM supports s WHERE s.request = r.id) AS supporters"""


async def event(
    db: aiosqlite.Connection,
    request_id: int,
    now: dt.datetime,
    by_role: str,
    by_user: int | None,
    state: str,
    note: str | None = None,
    amount: str | None = None,
) -> int:
    """Inside a transaction: one change of a request, with who and when. Its id."""
    found = list(
        await db.execute_fetchall(
            _EVENT, (request_id, rows.iso(now), by_role, by_user, state, note, amount)
        )
    )
    return int(found[0][0])


async def submit(db: aiosqlite.Connection, effect: SubmitRequest, now: dt.datetime) -> Submitted:
    """Inside the turn's transaction: the request with the next reference of its municipality
    and year, its first event, and the delivery to the office."""
    r = effect.request
    year = now.year  # in the operator's time zone: the bot's clock gives local time
    found = list(
        await db.execute_fetchall(
            _SUBMIT,
            {
                "uuid": r.uuid,
                "prefix": effect.prefix or r.municipality,
                "year": year,
                "municipality": r.municipality,
                "owner": r.owner,
                "language": r.language,
                "initiative": r.initiative,
                "kind": r.kind,
                "answers": json.dumps(dict(r.answers), ensure_ascii=False),
                "state": SUBMITTED,
                "district": r.district,
                "now": rows.iso(now),
            },
        )
    )
    request_id, reference = found[0]
    event_id = await event(db, request_id, now, "resident", r.owner, SUBMITTED)
    await deliveries.enqueue(db, request_id, SUBMITTED, effect.channel, now, event_id)
    return Submitted(str(reference))


def _request(r: Any, history: tuple[RequestEvent, ...] = ()) -> SupportRequest:
    return SupportRequest(
        uuid=r[1],
        municipality=r[2],
        owner=r[3],
        language=r[4],
        kind=r[5],
        answers=json.loads(r[6]),
        state=r[7],
        created_at=rows.at(r[8]),
        reference=r[9],
        initiative=r[10],
        district=r[11],
        submitted_at=rows.moment(r[12]),
        case_number=r[13],
        letter_date=None if r[14] is None else dt.date.fromisoformat(r[14]),
        object_url=r[15],
        supporters=int(r[16]),
        history=history,
    )


async def history_of(db: aiosqlite.Connection, request_id: int) -> tuple[RequestEvent, ...]:
    """A request's changes, oldest first (for `/mydata` too)."""
    return await _history(db, request_id)


async def _history(db: aiosqlite.Connection, request_id: int) -> tuple[RequestEvent, ...]:
    found = await db.execute_fetchall(
        """SELECT at, by_role, state, note, amount FROM request_events
           WHERE request = ? ORDER BY id""",
        (request_id,),
    )
    return tuple(RequestEvent(rows.at(e[0]), e[1], e[2], e[3], e[4]) for e in found)


async def named(writer: Writer, reference: str) -> SupportRequest | None:
    """A request by its reference, with its history (the caller checks who may see it)."""
    found = list(
        await writer.db.execute_fetchall(
            f"SELECT {_COLUMNS} FROM requests r WHERE reference = ?", (reference,)
        )
    )
    if not found:
        return None
    return _request(found[0], await _history(writer.db, found[0][0]))


async def of_owner(writer: Writer, owner: int) -> list[SupportRequest]:
    """A resident's submitted requests, newest first, each with its history."""
    found = await writer.db.execute_fetchall(
        f"""SELECT {_COLUMNS} FROM requests r WHERE owner = ? AND reference IS NOT NULL
            ORDER BY submitted_at DESC, id DESC""",
        (owner,),
    )
    return [_request(r, await _history(writer.db, r[0])) for r in found]


async def withdraw(
    db: aiosqlite.Connection, effect: WithdrawRequest, now: dt.datetime, told: list[OutboxMessage]
) -> Moved:
    """Inside the turn's transaction: the request withdrawn, only if it is still the owner's
    and not decided or withdrawn; an event, the office told through its channel, and staff
    bound to the municipality in the bot told `tell_staff`."""
    found = list(
        await db.execute_fetchall(
            f"""UPDATE requests SET state = ?, updated_at = ?
                WHERE reference = ? AND owner = ? AND state NOT IN ({", ".join("?" * len(_FINAL))})
                RETURNING id, municipality""",
            (R_WITHDRAWN, rows.iso(now), effect.reference, effect.owner, *_FINAL),
        )
    )
    if not found:
        state = list(
            await db.execute_fetchall(
                "SELECT state FROM requests WHERE reference = ? AND owner = ?",
                (effect.reference, effect.owner),
            )
        )
        return Moved(False, state[0][0] if state else None)
    request_id, municipality = found[0]
    event_id = await event(db, request_id, now, "resident", effect.owner, R_WITHDRAWN)
    await deliveries.enqueue(db, request_id, R_WITHDRAWN, effect.channel, now, event_id)
    for user_id in await people.staff_of(db, municipality):
        message = OutboxMessage(user_id, effect.tell_staff, "request withdrawn")
        await messages.write(db, message, now, told)
    return Moved(True, R_WITHDRAWN)


async def by_id(db: aiosqlite.Connection, request_id: int) -> SupportRequest | None:
    """A request by its row id, with its history (for the delivery into the back office)."""
    found = list(
        await db.execute_fetchall(f"SELECT {_COLUMNS} FROM requests r WHERE id = ?", (request_id,))
    )
    if not found:
        return None
    return _request(found[0], await _history(db, request_id))
