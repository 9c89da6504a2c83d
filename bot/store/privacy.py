"""A person's privacy rights: everything kept about them (`/mydata`), and forgetting it all
(`/forget`).

Both read or write every table that holds something of a person, so a new table that does
must be added here too (and to the README's list of what `/mydata` holds).
Handoffs (requests for contact): a resident's go, except a case a builder accepted, which
stays with that builder anonymised (like a taken question); a builder's export lists the
cases they hold by reference and state only, not the residents' data.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot.domain import ACCEPTED, BUILDER, SUBMITTED, UNASSIGNED, OutboxMessage
from bot.flows import handoff
from bot.flows.effects import Forget, Forgotten
from bot.flows.operating import OPEN, TAKEN
from bot.store import requests, rows, supports

if TYPE_CHECKING:
    from bot.store.writer import Writer

CLOSED = "closed"  # a question whose asker had their data deleted while someone held it
FORGOTTEN_TEXT = json.dumps(None)  # the neutral marker that replaces the words of such a question

# A question someone else took stays with them, anonymised and closed: they are told.
_ANONYMISE = f"""
    UPDATE cases SET owner = NULL, text = '{FORGOTTEN_TEXT}', language = '', state = '{CLOSED}',
                     updated_at = ?
    WHERE owner = ? AND holder IS NOT NULL AND holder <> owner
    RETURNING reference, holder
"""
# In the order they run; `?` is the person's id each time.
_FORGET = (
    # Their own questions that nobody else holds (open ones) go.
    "DELETE FROM cases WHERE owner = ?",
    # Questions they took as an operator: open again for the other operators; closed ones
    # simply lose their holder.
    f"""UPDATE cases SET holder = NULL,
               state = CASE WHEN state = '{TAKEN}' THEN '{OPEN}' ELSE state END
        WHERE holder = ?""",
    "DELETE FROM initiatives WHERE user_id = ?",
    "DELETE FROM consents WHERE user_id = ?",
    "DELETE FROM flow_states WHERE user_id = ?",
    "DELETE FROM roles WHERE user_id = ?",
    "DELETE FROM invites WHERE used_by = ?",
    "DELETE FROM outbox WHERE chat_id = ?",
    "DELETE FROM quarantine WHERE user_id = ?1 OR chat_id = ?1",
    # Update ids stay (48 hours) so that a repeated update is still recognised; what was
    # written goes. Updates not handled yet keep theirs: they are handled as a new person's.
    "UPDATE inbox SET payload = NULL WHERE (user_id = ?1 OR chat_id = ?1) AND status <> 'new'",
    "DELETE FROM users WHERE user_id = ?",
)


async def forget(
    db: aiosqlite.Connection, effect: Forget, now: dt.datetime
) -> tuple[Forgotten, list[OutboxMessage]]:
    """Inside the turn's transaction: delete everything kept about the person, and the
    messages for whoever held one of their questions (outbox rows of the same commit)."""
    user_id = effect.user_id
    held = list(await db.execute_fetchall(_ANONYMISE, (rows.iso(now), user_id)))
    told = [
        OutboxMessage(holder, effect.tell_holder(reference), "question closed: data deleted")
        for reference, holder in held
    ]
    await _forget_handoffs(db, effect, now, told)
    kept_requests = await _forget_requests(db, user_id)
    handed_back = await _hand_back(db, user_id, now)
    for sql in _FORGET:
        await db.execute(sql, (user_id,))
    forgotten = Forgotten(closed=len(held), handed_back=handed_back, kept_requests=kept_requests)
    return forgotten, told


# What identifies an applicant in a request's answers (the request flow's keys, and any key
# that names one of these): removed from the bot's copy of a request the municipality has.
PERSONAL = (
    "name",
    "address",
    "street",
    "postcode",
    "house",
    "phone",
    "email",
    "iban",
    "holder",
    "contact",
)


def scrubbed(answers: Any) -> Any:
    """Answers without what identifies the applicant (name, address, street, postcode, phone,
    email, IBAN, account holder, contact), at any depth; the plan itself stays."""
    if isinstance(answers, dict):
        return {
            key: None if any(p in key.lower() for p in PERSONAL) else scrubbed(value)
            for key, value in answers.items()
        }
    if isinstance(answers, list):
        return [scrubbed(value) for value in answers]
    return answers


# A submitted request the office may have: anything sent (or perhaps sent), or moved on by
# staff. One that nothing went out for yet is deleted with its waiting deliveries.
_WITH_OFFICE = f"""
    SELECT r.id, r.reference, r.answers, coalesce(m.name, r.municipality), m.contact
    FROM requests r LEFT JOIN directory_municipalities m ON m.code = r.municipality
    WHERE r.owner = ? AND r.reference IS NOT NULL
      AND (r.state <> '{SUBMITTED}' OR EXISTS (
           SELECT 1 FROM deliveries d WHERE d.request = r.id
           AND (d.status <> 'pending' OR d.attempts > 0 OR d.unknown <> 0)))
    ORDER BY r.id
"""


async def _forget_requests(
    db: aiosqlite.Connection, user_id: int
) -> tuple[tuple[str, str, str | None], ...]:
    """A resident's requests to the municipality: one the office has stays with it (the bot's
    copy anonymised: no owner, no name, address, phone, email, IBAN or holder); drafts, and
    requests nothing went out for yet, are deleted. Their support for others' requests goes.
    What stays: (reference, municipality, its contact), for the resident to be told."""
    kept = list(await db.execute_fetchall(_WITH_OFFICE, (user_id,)))
    for request_id, _reference, answers, _name, _contact in kept:
        await db.execute(
            "UPDATE requests SET owner = NULL, answers = ? WHERE id = ?",
            (json.dumps(scrubbed(json.loads(answers)), ensure_ascii=False), request_id),
        )
    await db.execute("UPDATE request_events SET by_user = NULL WHERE by_user = ?", (user_id,))
    # Events and deliveries go with their request (ON DELETE CASCADE).
    await db.execute("DELETE FROM requests WHERE owner = ?", (user_id,))
    await db.execute("DELETE FROM supports WHERE user_id = ?", (user_id,))
    return tuple((str(r[1]), str(r[3]), r[4]) for r in kept)


async def _forget_handoffs(
    db: aiosqlite.Connection, effect: Forget, now: dt.datetime, told: list[OutboxMessage]
) -> None:
    """A resident's requests for contact: a case a builder accepted (or closed) stays with
    them anonymised, and the builder still holding it is told; open offers (and the
    coordinators' "Assign to …") are withdrawn; everything else of theirs is deleted."""
    user_id = effect.user_id
    accounts = {
        r[0]: int(r[1])
        for r in await db.execute_fetchall(
            "SELECT builder, user_id FROM roles WHERE role = ? AND builder IS NOT NULL "
            "ORDER BY rowid",
            (BUILDER,),
        )
    }
    kept = await db.execute_fetchall(
        "SELECT id, reference, state, builder, details FROM handoffs "
        "WHERE owner = ? AND builder IS NOT NULL",
        (user_id,),
    )
    for handoff_id, reference, state, builder, details in kept:
        await db.execute(
            "UPDATE handoffs SET owner = NULL, details = ?, initiative = NULL WHERE id = ?",
            (json.dumps(handoff.anonymised(json.loads(details))), handoff_id),
        )
        if state == ACCEPTED and builder in accounts and effect.tell_builder is not None:
            reply = effect.tell_builder(reference)
            told.append(OutboxMessage(accounts[builder], reply, "handoff: resident forgotten"))
    waiting = await db.execute_fetchall(
        """SELECT o.user_id, h.reference, 'offer:' || h.reference FROM offers o
               JOIN handoffs h ON h.id = o.handoff
           WHERE h.owner = ?1 AND h.builder IS NULL AND o.state = 'open'
           UNION
           SELECT DISTINCT x.chat_id, h.reference, x.key FROM outbox x
               JOIN handoffs h ON x.key = 'assign:' || h.reference
           WHERE h.owner = ?1 AND h.state = ?2""",
        (user_id, UNASSIGNED),
    )
    if effect.tell_offered is not None:
        for chat_id, reference, key in waiting:
            reply = effect.tell_offered(reference)
            told.append(OutboxMessage(chat_id, reply, "handoff withdrawn", key=key, kind="edit"))
    # Offers go with their handoff (ON DELETE CASCADE).
    await db.execute("DELETE FROM handoffs WHERE owner = ?", (user_id,))


async def _hand_back(db: aiosqlite.Connection, user_id: int, now: dt.datetime) -> int:
    """A builder's own /forget: the cases they accepted go back to 'unassigned' (unless
    another account is bound to the same builder), and their open offers count as passed,
    so the sweep moves those on."""
    at = rows.iso(now)
    back = await db.execute_fetchall(
        f"""UPDATE handoffs SET state = '{UNASSIGNED}', builder = NULL, updated_at = ?1
            WHERE state = '{ACCEPTED}'
              AND builder IN (SELECT builder FROM roles WHERE user_id = ?2 AND role = ?3)
              AND NOT EXISTS (SELECT 1 FROM roles r WHERE r.builder = handoffs.builder
                              AND r.role = ?3 AND r.user_id <> ?2)
            RETURNING id""",
        (at, user_id, BUILDER),
    )
    await db.execute(
        "UPDATE offers SET state = 'passed', answered_at = ? WHERE user_id = ? AND state = 'open'",
        (at, user_id),
    )
    return len(list(back))


async def export(writer: Writer, user_id: int) -> dict[str, Any]:
    """Everything kept about a person, as JSON-ready data (keys documented in the README)."""
    async with writer.writing:  # one consistent picture: no commit runs in between
        return await _export(writer.db, user_id)


async def _all(db: aiosqlite.Connection, sql: str, user_id: int) -> list[Any]:
    return list(await db.execute_fetchall(sql, (user_id,)))


async def _export(db: aiosqlite.Connection, user_id: int) -> dict[str, Any]:
    users = await _all(
        db,
        "SELECT language, greeted_at, blocked_at, created_at FROM users WHERE user_id = ?",
        user_id,
    )
    sessions = await _all(
        db,
        """SELECT flow, draft, active_at, audience, start_payload FROM flow_states
           WHERE user_id = ?""",
        user_id,
    )
    return {
        "telegram_user_id": user_id,
        "account": next(
            (
                {
                    "language": r["language"],
                    "greeted_at": r["greeted_at"],
                    "blocked_at": r["blocked_at"],
                    "first_seen_at": r["created_at"],
                }
                for r in users
            ),
            None,
        ),
        "consents": [
            {"purpose": r[0], "given_at": r[1], "withdrawn_at": r[2]}
            for r in await _all(
                db,
                "SELECT purpose, given_at, withdrawn_at FROM consents WHERE user_id = ?",
                user_id,
            )
        ],
        "conversation": next((_session(r) for r in sessions), None),
        "requests_for_contact": [
            _request(r)
            for r in await _all(
                db,
                """SELECT h.*, b.name AS builder_name,
                           coalesce(o.name, b.organisation) AS builder_organisation
                    FROM handoffs h
                    LEFT JOIN directory_builders b ON b.id = h.builder
                    LEFT JOIN directory_organisations o ON o.code = b.organisation
                    WHERE h.owner = ? ORDER BY h.created_at, h.id""",
                user_id,
            )
        ],
        # As a community builder: the cases they hold or held and the offers they had, by
        # reference and state; the residents' data is theirs, not the builder's.
        "cases_you_hold_as_builder": [
            {
                "reference": r[0],
                "state": r[1],
                "outcome": r[2],
                "accepted_at": r[3],
                "closed_at": r[4],
            }
            for r in await _all(
                db,
                """SELECT h.reference, h.state, h.outcome, o.answered_at, h.closed_at
                   FROM handoffs h LEFT JOIN offers o ON o.handoff = h.id AND o.builder = h.builder
                   WHERE h.builder IN (SELECT builder FROM roles WHERE user_id = ?1
                                       AND builder IS NOT NULL)
                   ORDER BY h.id""",
                user_id,
            )
        ],
        "offers_to_you_as_builder": [
            {"reference": r[0], "state": r[1], "sent_at": r[2], "answered_at": r[3]}
            for r in await _all(
                db,
                """SELECT h.reference, o.state, o.sent_at, o.answered_at FROM offers o
                   JOIN handoffs h ON h.id = o.handoff WHERE o.user_id = ? ORDER BY o.sent_at""",
                user_id,
            )
        ],
        # Requests for support to the municipality, each with its history.
        "requests_to_the_municipality": await _requests(db, user_id),
        # Support given to neighbours' requests: which request, when, and what was given.
        "support_you_gave": await supports.given_by(db, user_id),
        "initiatives": [
            _initiative(r)
            for r in await _all(
                db, "SELECT * FROM initiatives WHERE user_id = ? ORDER BY created_at, id", user_id
            )
        ],
        "questions": [
            {
                "reference": r["reference"],
                "state": r["state"],
                "taken_by_someone": r["holder"] is not None,
                "language": r["language"],
                "text": json.loads(r["text"]),
                "created_at": r["created_at"],
                "updated_at": r["updated_at"],
            }
            for r in await _all(
                db, "SELECT * FROM cases WHERE owner = ? ORDER BY created_at, id", user_id
            )
        ],
        # What they took as an operator: the reference and state, not the asker's words.
        "questions_you_took": [
            {"reference": r[0], "state": r[1], "updated_at": r[2]}
            for r in await _all(
                db,
                "SELECT reference, state, updated_at FROM cases WHERE holder = ? ORDER BY id",
                user_id,
            )
        ],
        "roles": [
            {"role": r[0], "name": r[1], "since": r[2]}
            for r in await _all(
                db,
                "SELECT role, name, bound_at FROM roles WHERE user_id = ? ORDER BY role",
                user_id,
            )
        ],
        "invites_used": [
            {"role": r[0], "name": r[1], "created_at": r[2], "used_at": r[3]}
            for r in await _all(
                db,
                "SELECT role, name, created_at, used_at FROM invites WHERE used_by = ?",
                user_id,
            )
        ],
        # Messages to them not delivered yet; a delivered one keeps no content, only Telegram's
        # message id (for a later edit), which is listed without the rest.
        "messages_to_you": [
            {
                "id": r["id"],
                "status": r["status"],
                "reason": r["reason"],
                "created_at": r["created_at"],
                "content": None if r["message"] is None else json.loads(r["message"]),
            }
            for r in await _all(db, "SELECT * FROM outbox WHERE chat_id = ? ORDER BY id", user_id)
        ],
        "quarantined_updates": [
            {
                "id": r["id"],
                "update_id": r["update_id"],
                "kind": r["kind"],
                "quarantined_at": r["quarantined_at"],
                "size_in_bytes": len(r["payload"]),
                "your_text": written(r["payload"]),
            }
            for r in await _all(
                db,
                "SELECT * FROM quarantine WHERE user_id = ?1 OR chat_id = ?1 ORDER BY id",
                user_id,
            )
        ],
        "updates_received": [
            {"update_id": r[0], "status": r[1], "received_at": r[2]}
            for r in await _all(
                db,
                """SELECT update_id, status, received_at FROM inbox
                   WHERE user_id = ?1 OR chat_id = ?1 ORDER BY arrival""",
                user_id,
            )
        ],
    }


def _session(r: Any) -> dict[str, Any]:
    draft = None if r["draft"] is None else json.loads(r["draft"])
    return {
        "menu": r["audience"],
        "last_active_at": r["active_at"],
        "draft": None
        if draft is None
        else {
            "flow": r["flow"],
            "answers": draft.get("answers", {}),
            "changing_plan": (draft.get("changing") or {}).get("reference"),
        },
        "invite_link_waiting": r["start_payload"],
    }


def _request(r: Any) -> dict[str, Any]:
    """One request for contact; the builder's name and organisation once one accepted."""
    accepted = r["builder"] is not None
    return {
        "reference": r["reference"],
        "state": r["state"],
        "area": None if r["area"] is None else f"{r['area']:04d}",
        "language": r["language"],
        "details": json.loads(r["details"]),
        "created_at": r["created_at"],
        "consent_given_at": r["consent_at"],
        "closed_at": r["closed_at"],
        "outcome": r["outcome"],
        "community_builder": {
            "name": r["builder_name"],
            "organisation": r["builder_organisation"],
        }
        if accepted
        else None,
    }


def _initiative(r: Any) -> dict[str, Any]:
    voice = json.loads(r["voice"])
    return {
        "reference": r["reference"],
        "status": r["status"],
        "language": r["language"],
        "title": voice.get("title", r["title"]),
        "plan": voice.get("plan", r["plan"]),
        "category": r["category"],
        "postcode": r["postcode"],
        "starts_on": r["starts_on"],
        "helpers": r["helpers"],
        "needs": json.loads(r["needs"]),
        "voice_answers": voice,
        "created_at": r["created_at"],
        "updated_at": r["updated_at"],
        "revision": r["revision"],
    }


def written(payload: bytes | str) -> str | None:
    """What the person wrote in a quarantined update (the text, caption or button data), if it
    can be read; the rest of the raw update is not exported: it is Telegram's own account data
    or, in a forwarded or quoted message, someone else's."""
    try:
        update = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(update, dict):
        return None
    for key in ("message", "edited_message", "callback_query"):
        part = update.get(key)
        if isinstance(part, dict):
            found = part.get("text") or part.get("caption") or part.get("data")
            return found if isinstance(found, str) else None
    return None


async def _requests(db: aiosqlite.Connection, user_id: int) -> list[dict[str, Any]]:
    found = await db.execute_fetchall(
        "SELECT uuid, reference, municipality, state, kind, answers, created_at, submitted_at, "
        "case_number, letter_date, id, (SELECT count(*) FROM supports s WHERE s.request = r.id) "
        "FROM requests r WHERE owner = ? ORDER BY created_at, id",
        (user_id,),
    )
    listed = []
    for r in found:
        history = await requests.history_of(db, r[10])
        listed.append(
            {
                "uuid": r[0],
                "reference": r[1],
                "municipality": r[2],
                "state": r[3],
                "kind": r[4],
                "answers": json.loads(r[5]),
                "created_at": r[6],
                "submitted_at": r[7],
                "case_number": r[8],
                "letter_date": r[9],
                "supporters": r[11],
                "history": [
                    {
                        "at": e.at.isoformat(),
                        "by": e.by_role,
                        "state": e.state,
                        "note": e.note,
                        "amount": e.amount,
                    }
                    for e in history
                ],
            }
        )
    return listed
