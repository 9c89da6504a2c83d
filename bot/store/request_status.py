"""The status of a request for support: municipal staff (or the operator for them) move it on.

Every move is one conditional UPDATE on the states it may come from (two staff members
tapping at once cannot both move it), with in the same transaction: an event with who and
when, a delivery to the office's channel (so the municipality's own file stays complete), the
resident told through the outbox, and, for a resident's answer, the municipality's staff.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

import aiosqlite

from bot.domain import SUBMITTED, OutboxMessage, SupportRequest
from bot.flows import staffing
from bot.flows.effects import ChangeRequest, Moved
from bot.store import deliveries, messages, people, requests, rows

if TYPE_CHECKING:
    from bot.store.writer import Writer

_MOVE = """
    UPDATE requests SET state = ?, updated_at = ?,
        case_number = coalesce(?, case_number), letter_date = coalesce(?, letter_date)
    WHERE reference = ? AND municipality = ? AND state IN ({expect})
    RETURNING id, owner
"""


async def change(
    db: aiosqlite.Connection, effect: ChangeRequest, now: dt.datetime, told: list[OutboxMessage]
) -> Moved:
    """Inside the turn's transaction: move the request if it is in one of `effect.expect`."""
    marks = ", ".join("?" * len(effect.expect))
    letter = None if effect.letter_date is None else effect.letter_date.isoformat()
    found = list(
        await db.execute_fetchall(
            _MOVE.format(expect=marks),
            (
                effect.state,
                rows.iso(now),
                effect.case_number,
                letter,
                effect.reference,
                effect.municipality,
                *effect.expect,
            ),
        )
    )
    if not found:
        now_in = list(
            await db.execute_fetchall(
                "SELECT state FROM requests WHERE reference = ? AND municipality = ?",
                (effect.reference, effect.municipality),
            )
        )
        return Moved(False, now_in[0][0] if now_in else None)
    request_id, owner = found[0]
    event_id = await requests.event(
        db,
        request_id,
        now,
        effect.by_role,
        effect.by_user,
        effect.state,
        effect.note,
        effect.amount,
    )
    await deliveries.enqueue(db, request_id, effect.state, effect.channel, now, event_id)
    if owner is not None and effect.tell_owner is not None:
        message = OutboxMessage(int(owner), effect.tell_owner, "request status")
        await messages.write(db, message, now, told)
    if effect.tell_staff is not None:
        for account in await people.staff_of(db, effect.municipality):
            if account != effect.by_user:
                message = OutboxMessage(account, effect.tell_staff, "request answer")
                await messages.write(db, message, now, told)
    return Moved(True, effect.state)


async def tell_staff(
    db: aiosqlite.Connection,
    request: SupportRequest,
    reference: str,
    now: dt.datetime,
    told: list[OutboxMessage],
) -> None:
    """Inside the submitting transaction: the municipality's staff in the bot get the new
    request, with its status buttons (no address or phone number: see `staffing.card`)."""
    submitted = replace(request, reference=reference, state=SUBMITTED, submitted_at=now)
    card = staffing.card(submitted, new=True)
    for account in await people.staff_of(db, request.municipality):
        await messages.write(db, OutboxMessage(account, card, "new request"), now, told)


async def of_municipality(writer: Writer, municipality: str) -> list[SupportRequest]:
    """A municipality's open requests, oldest first (for its staff), with their history."""
    marks = ", ".join("?" * len(staffing.OPEN))
    found = await writer.db.execute_fetchall(
        f"""SELECT reference FROM requests
            WHERE municipality = ? AND reference IS NOT NULL AND state IN ({marks})
            ORDER BY submitted_at, id""",
        (municipality, *staffing.OPEN),
    )
    named = [await requests.named(writer, r[0]) for r in found]
    return [r for r in named if r is not None]
