"""Handoffs and their offers: every transition one conditional UPDATE, plus its outbox rows,
in the turn's transaction, so two builders pressing Accept at once cannot both win, and a
message about a transition exists exactly when the transition happened.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot.domain import (
    ACCEPTED,
    BUILDER,
    CANCELLED,
    CLOSED,
    DRAFT,
    OFFERED,
    UNASSIGNED,
    Handoff,
    OutboxMessage,
)
from bot.flows.effects import (
    CloseHandoff,
    DraftHandoff,
    DropHandoff,
    Moved,
    MoveOn,
    PassOffer,
    RelayMessage,
    ShareHandoff,
    TakeHandoff,
)
from bot.flows.handoff import ON_BLOCKED, offer_key
from bot.store import messages, rows

if TYPE_CHECKING:
    from bot.store.writer import Writer

INSERT = """
    INSERT INTO handoffs (reference, owner, language, area, municipality, initiative, details,
                          tiers, tier, state, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)
"""
_COLUMNS = """h.id, h.reference, h.owner, h.language, h.area, h.municipality, h.initiative,
    h.details, h.state, h.created_at, h.tiers, h.tier, h.builder, h.consent_at, h.due_at,
    h.outcome, h.closed_at"""


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def insert(effect: DraftHandoff) -> tuple[str, tuple[Any, ...]]:
    h = effect.handoff
    at = rows.iso(h.created_at)
    return INSERT, (
        h.reference,
        h.owner,
        h.language,
        h.area,
        h.municipality,
        h.initiative,
        _json(dict(h.details)),
        _json([list(t) for t in h.tiers]),
        DRAFT,
        at,
        at,
    )


def _handoff(r: Any, offers: dict[str, str] | None = None) -> Handoff:
    return Handoff(
        reference=r[1],
        owner=r[2],
        language=r[3],
        area=r[4],
        municipality=r[5],
        initiative=r[6],
        details=json.loads(r[7]),
        state=r[8],
        created_at=rows.at(r[9]),
        tiers=tuple(tuple(t) for t in json.loads(r[10])),
        tier=r[11],
        builder=r[12],
        consent_at=rows.moment(r[13]),
        due_at=rows.moment(r[14]),
        outcome=r[15],
        closed_at=rows.moment(r[16]),
        offers=offers or {},
    )


async def _offer(
    db: aiosqlite.Connection,
    handoff_id: int,
    tier: int,
    offers: tuple[tuple[str, int], ...],
    now: dt.datetime,
) -> None:
    await db.executemany(
        """INSERT INTO offers (handoff, builder, user_id, tier, state, sent_at)
           VALUES (?, ?, ?, ?, 'open', ?)
           ON CONFLICT (handoff, builder) DO UPDATE SET
               user_id = excluded.user_id, tier = excluded.tier, state = 'open',
               sent_at = excluded.sent_at, answered_at = NULL""",
        [(handoff_id, b, u, tier, rows.iso(now)) for b, u in offers],
    )


async def share(
    db: aiosqlite.Connection, effect: ShareHandoff, now: dt.datetime, told: list[OutboxMessage]
) -> Moved:
    """Consent given: the draft goes to its first tier, if it is still the resident's draft."""
    moved = list(
        await db.execute_fetchall(
            """UPDATE handoffs SET state = ?, tier = ?, due_at = ?, consent_at = ?, updated_at = ?
               WHERE reference = ? AND owner = ? AND state = ? RETURNING id""",
            (
                OFFERED,
                effect.tier,
                rows.iso(effect.due_at),
                rows.iso(now),
                rows.iso(now),
                effect.reference,
                effect.owner,
                DRAFT,
            ),
        )
    )
    if not moved:
        return Moved(False, await _state(db, effect.reference))
    await db.execute(
        """INSERT INTO consents (user_id, purpose, given_at) VALUES (?, ?, ?)
           ON CONFLICT (user_id, purpose) DO UPDATE SET given_at = excluded.given_at,
               withdrawn_at = NULL""",
        (effect.owner, consent_purpose(effect.reference), rows.iso(now)),
    )
    await _offer(db, moved[0][0], effect.tier, effect.offers, now)
    for message in effect.messages:
        await messages.write(db, message, now, told)
    return Moved(True, OFFERED)


def consent_purpose(reference: str) -> str:
    return f"handoff:{reference}"


async def _state(db: aiosqlite.Connection, reference: str) -> str | None:
    found = list(
        await db.execute_fetchall("SELECT state FROM handoffs WHERE reference = ?", (reference,))
    )
    return found[0][0] if found else None


async def take(
    db: aiosqlite.Connection, effect: TakeHandoff, now: dt.datetime, told: list[OutboxMessage]
) -> Moved:
    """Accept (needs this builder's open offer) or assign (needs the handoff unassigned)."""
    at = rows.iso(now)
    if effect.expect == OFFERED:
        condition = """state = 'offered' AND EXISTS (SELECT 1 FROM offers o
                       WHERE o.handoff = handoffs.id AND o.builder = ? AND o.state = 'open')"""
        params: tuple[Any, ...] = (effect.builder_id,)
    else:
        condition = "state = 'unassigned'"
        params = ()
    moved = list(
        await db.execute_fetchall(
            f"""UPDATE handoffs SET state = ?, builder = ?, due_at = NULL, updated_at = ?
                WHERE reference = ? AND {condition} RETURNING id, owner""",
            (ACCEPTED, effect.builder_id, at, effect.reference, *params),
        )
    )
    if not moved:
        return Moved(False, await _state(db, effect.reference))
    handoff_id, owner = moved[0]
    others = list(
        await db.execute_fetchall(
            """UPDATE offers SET state = CASE WHEN builder = ? THEN 'accepted' ELSE 'taken' END,
                   answered_at = ?
               WHERE handoff = ? AND state = 'open' RETURNING builder, user_id""",
            (effect.builder_id, at, handoff_id),
        )
    )
    for builder, user_id in others:
        if builder != effect.builder_id:
            edit = OutboxMessage(
                user_id, effect.taken, "offer taken", key=offer_key(effect.reference), kind="edit"
            )
            await messages.write(db, edit, now, told)
    if owner is not None:
        await messages.write(
            db, OutboxMessage(owner, effect.tell_owner, "handoff accepted"), now, told
        )
    for message in effect.tell_builder:
        await messages.write(db, message, now, told)
    return Moved(True, ACCEPTED)


async def pass_(db: aiosqlite.Connection, effect: PassOffer, now: dt.datetime) -> Moved:
    moved = list(
        await db.execute_fetchall(
            """UPDATE offers SET state = 'passed', answered_at = ?
               WHERE builder = ? AND state = 'open'
                 AND handoff = (SELECT id FROM handoffs WHERE reference = ? AND state = 'offered')
               RETURNING handoff""",
            (rows.iso(now), effect.builder_id, effect.reference),
        )
    )
    return Moved(bool(moved), await _state(db, effect.reference))


async def move_on(
    db: aiosqlite.Connection, effect: MoveOn, now: dt.datetime, told: list[OutboxMessage]
) -> Moved:
    """The next tier, or the coordinators: only if the handoff is still offered at `from_tier`."""
    at = rows.iso(now)
    state = OFFERED if effect.tier is not None else UNASSIGNED
    moved = list(
        await db.execute_fetchall(
            """UPDATE handoffs SET state = ?, tier = coalesce(?, tier), due_at = ?, updated_at = ?
               WHERE reference = ? AND state = 'offered' AND tier = ? RETURNING id""",
            (state, effect.tier, rows.iso(effect.due_at), at, effect.reference, effect.from_tier),
        )
    )
    if not moved:
        return Moved(False, await _state(db, effect.reference))
    handoff_id = moved[0][0]
    expired = list(
        await db.execute_fetchall(
            """UPDATE offers SET state = 'expired', answered_at = ?
               WHERE handoff = ? AND state = 'open' RETURNING user_id""",
            (at, handoff_id),
        )
    )
    for (user_id,) in expired:
        edit = OutboxMessage(
            user_id, effect.expired, "offer expired", key=offer_key(effect.reference), kind="edit"
        )
        await messages.write(db, edit, now, told)
    if effect.tier is not None:
        await _offer(db, handoff_id, effect.tier, effect.offers, now)
    for message in effect.messages:
        await messages.write(db, message, now, told)
    return Moved(True, state)


async def drop(
    db: aiosqlite.Connection, effect: DropHandoff, now: dt.datetime, told: list[OutboxMessage]
) -> Moved:
    """No at the consent screen (the draft goes), or sharing stopped (cancelled, builders told)."""
    gone = list(
        await db.execute_fetchall(
            "DELETE FROM handoffs WHERE reference = ? AND owner = ? AND state = ? RETURNING id",
            (effect.reference, effect.owner, DRAFT),
        )
    )
    if gone:
        return Moved(True, None)
    at = rows.iso(now)
    moved = list(
        await db.execute_fetchall(
            """UPDATE handoffs SET state = ?, due_at = NULL, updated_at = ?, closed_at = ?,
                   closed_by = 'resident'
               WHERE reference = ? AND owner = ? AND state IN ('offered', 'unassigned', 'accepted')
               RETURNING id, state, builder""",
            (CANCELLED, at, at, effect.reference, effect.owner),
        )
    )
    if not moved:
        return Moved(False, await _state(db, effect.reference))
    handoff_id, _state_now, builder = moved[0]
    await db.execute(
        "UPDATE consents SET withdrawn_at = ? WHERE user_id = ? AND purpose = ?",
        (at, effect.owner, consent_purpose(effect.reference)),
    )
    holders = list(
        await db.execute_fetchall(
            """UPDATE offers SET state = 'withdrawn', answered_at = ?
               WHERE handoff = ? AND (state = 'open' OR (state = 'accepted' AND builder = ?))
               RETURNING user_id""",
            (at, handoff_id, builder),
        )
    )
    for (user_id,) in holders:
        message = OutboxMessage(
            user_id,
            effect.tell_builders,
            "handoff withdrawn",
            key=offer_key(effect.reference),
            kind="edit",
        )
        await messages.write(db, message, now, told)
    return Moved(True, CANCELLED)


_BETWEEN = "reference = ? AND state = 'accepted' AND builder = ? AND owner IS ?"


async def relay(
    db: aiosqlite.Connection, effect: RelayMessage, now: dt.datetime, told: list[OutboxMessage]
) -> Moved:
    """A Write-to message goes through only while the case is accepted between these two."""
    found = list(
        await db.execute_fetchall(
            f"SELECT id FROM handoffs WHERE {_BETWEEN}",
            (effect.reference, effect.builder_id, effect.owner),
        )
    )
    if not found:
        return Moved(False, await _state(db, effect.reference))
    await messages.write(db, effect.message, now, told)
    return Moved(True, ACCEPTED)


async def close(
    db: aiosqlite.Connection, effect: CloseHandoff, now: dt.datetime, told: list[OutboxMessage]
) -> Moved:
    """Accepted to closed, with its outcome, by its builder or its resident; the other side
    is told."""
    at = rows.iso(now)
    moved = list(
        await db.execute_fetchall(
            f"""UPDATE handoffs SET state = ?, outcome = ?, closed_at = ?, closed_by = ?,
                   updated_at = ?,
                   details = CASE WHEN ? IS NULL THEN details
                                  ELSE json_set(details, '$.referred_to', ?) END
               WHERE {_BETWEEN} RETURNING id""",
            (
                CLOSED,
                effect.outcome,
                at,
                effect.by,
                at,
                effect.referred_to,
                effect.referred_to,
                effect.reference,
                effect.builder_id,
                effect.owner,
            ),
        )
    )
    if not moved:
        return Moved(False, await _state(db, effect.reference))
    for message in effect.tell:
        await messages.write(db, message, now, told)
    return Moved(True, CLOSED)


# --- Reads ------------------------------------------------------------------------------


async def _offers(db: aiosqlite.Connection, handoff_id: int) -> dict[str, str]:
    found = await db.execute_fetchall(
        "SELECT builder, state FROM offers WHERE handoff = ?", (handoff_id,)
    )
    return {r[0]: r[1] for r in found}


async def named(writer: Writer, reference: str) -> Handoff | None:
    """A handoff with its offers, by reference (the turn checks who may act on it)."""
    found = list(
        await writer.db.execute_fetchall(
            f"SELECT {_COLUMNS} FROM handoffs h WHERE reference = ?", (reference,)
        )
    )
    if not found:
        return None
    return _handoff(found[0], await _offers(writer.db, found[0][0]))


async def of_owner(writer: Writer, owner: int) -> list[Handoff]:
    """A resident's requests for contact, newest first (drafts not included)."""
    found = await writer.db.execute_fetchall(
        f"""SELECT {_COLUMNS} FROM handoffs h WHERE owner = ? AND state != ?
            ORDER BY created_at DESC, id DESC""",
        (owner, DRAFT),
    )
    return [_handoff(r) for r in found]


async def of_builder(writer: Writer, builder_id: str) -> list[Handoff]:
    """A builder's open cases (accepted, not closed), oldest first, and offers waiting."""
    found = await writer.db.execute_fetchall(
        f"""SELECT {_COLUMNS} FROM handoffs h
            WHERE (h.builder = ? AND h.state = ?)
               OR (h.state = ? AND EXISTS (SELECT 1 FROM offers o WHERE o.handoff = h.id
                                           AND o.builder = ? AND o.state = 'open'))
            ORDER BY h.created_at, h.id""",
        (builder_id, ACCEPTED, OFFERED, builder_id),
    )
    return [_handoff(r) for r in found]


async def open_counts(writer: Writer) -> dict[str, int]:
    """Open cases per builder: routing offers to the least busy first."""
    found = await writer.db.execute_fetchall(
        """SELECT builder, count(*) FROM handoffs WHERE state = ? AND builder IS NOT NULL
           GROUP BY builder""",
        (ACCEPTED,),
    )
    return {r[0]: int(r[1]) for r in found}


async def accounts(writer: Writer) -> dict[str, int]:
    """Builder id to the Telegram account bound to it (the newest binding wins)."""
    found = await writer.db.execute_fetchall(
        "SELECT builder, user_id FROM roles WHERE role = ? AND builder IS NOT NULL ORDER BY rowid",
        (BUILDER,),
    )
    return {r[0]: int(r[1]) for r in found}


async def due(writer: Writer, now: dt.datetime) -> list[Handoff]:
    """Offered handoffs whose window ended, or whose tier has nobody left to answer."""
    found = await writer.db.execute_fetchall(
        f"""SELECT {_COLUMNS} FROM handoffs h WHERE h.state = ?
              AND (h.due_at <= ? OR NOT EXISTS (SELECT 1 FROM offers o WHERE o.handoff = h.id
                                                AND o.state = 'open'))
            ORDER BY h.due_at""",
        (OFFERED, rows.iso(now)),
    )
    return [_handoff(r) for r in found]


async def unassigned(writer: Writer) -> list[Handoff]:
    found = await writer.db.execute_fetchall(
        f"SELECT {_COLUMNS} FROM handoffs h WHERE h.state = ? ORDER BY h.created_at", (UNASSIGNED,)
    )
    return [_handoff(r) for r in found]


__all__ = ["ON_BLOCKED"]
