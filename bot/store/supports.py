"""Support from neighbours: the link a request gets (a random token, made once), what a
neighbour who opens it may see, and their support, counted once per Telegram account.

Only supporters are stored (postcode and house number as they gave them, unchecked); a
neighbour who says no leaves nothing behind. The request's owner is never read here for a
neighbour: what they see is the plan's words and language.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot.flows.effects import GiveSupport, Supported
from bot.flows.supporting import CLOSED, Invitation, Shareable
from bot.store import rows
from bot.store.changes import Changes

if TYPE_CHECKING:
    from bot.store.writer import Writer

_CLOSED = ", ".join(f"'{state}'" for state in sorted(CLOSED))

_GIVE = f"""
    INSERT INTO supports (request, user_id, postcode, house_number, at)
    SELECT id, :user, :postcode, :house_number, :now FROM requests
    WHERE invite = :invite AND state NOT IN ({_CLOSED})
    ON CONFLICT (request, user_id) DO NOTHING
    RETURNING request
"""
_COUNT = "SELECT count(*) FROM supports WHERE request = ?"


async def give(db: aiosqlite.Connection, effect: GiveSupport, now: dt.datetime) -> Supported:
    """Inside the turn's transaction: count this account's support, once."""
    added = list(
        await db.execute_fetchall(
            _GIVE,
            {
                "user": effect.user_id,
                "postcode": effect.postcode,
                "house_number": effect.house_number,
                "now": rows.iso(now),
                "invite": effect.invite,
            },
        )
    )
    if added:
        count = list(await db.execute_fetchall(_COUNT, (added[0][0],)))
        return Supported(True, int(count[0][0]))
    found = list(
        await db.execute_fetchall(
            """SELECT r.state, (SELECT count(*) FROM supports s WHERE s.request = r.id),
                      EXISTS (SELECT 1 FROM supports s WHERE s.request = r.id AND s.user_id = ?)
               FROM requests r WHERE r.invite = ?""",
            (effect.user_id, effect.invite),
        )
    )
    if not found:
        return Supported(False, problem="unknown")
    state, count, already = found[0]
    if already:
        return Supported(False, int(count), problem="again")
    return Supported(False, int(count), problem="closed" if state in CLOSED else "unknown")


def _text(value: Any) -> str | None:
    """A written answer; a voice note or nothing is not shown to a neighbour."""
    return value if isinstance(value, str) and value.strip() else None


async def invitation(writer: Writer, token: str, user_id: int) -> Invitation | None:
    """The request a support link names, as a neighbour may see it (None: no such link)."""
    found = list(
        await writer.db.execute_fetchall(
            """SELECT r.answers, r.language, r.state, i.title, i.plan, i.language,
                      EXISTS (SELECT 1 FROM supports s WHERE s.request = r.id AND s.user_id = ?)
               FROM requests r LEFT JOIN initiatives i ON i.reference = r.initiative
               WHERE r.invite = ?""",
            (user_id, token),
        )
    )
    if not found:
        return None
    answers_json, language, state, title, plan, plan_language, already = found[0]
    answers = json.loads(answers_json)
    answers = answers if isinstance(answers, dict) else {}
    # The request's own words first; a request made from a saved plan may carry only a link.
    own_title, own_plan = _text(answers.get("title")), _text(answers.get("plan"))
    return Invitation(
        token=token,
        title=own_title or _text(title),
        plan=own_plan or _text(plan),
        language=language if own_title or own_plan or plan_language is None else plan_language,
        open=state not in CLOSED,
        already=bool(already),
    )


async def shareable(writer: Writer, owner: int) -> list[Shareable]:
    """The resident's submitted requests, newest first, for `/support`."""
    found = await writer.db.execute_fetchall(
        """SELECT r.reference, r.answers, r.state, i.title,
                  (SELECT count(*) FROM supports s WHERE s.request = r.id)
           FROM requests r LEFT JOIN initiatives i ON i.reference = r.initiative
           WHERE r.owner = ? AND r.reference IS NOT NULL
           ORDER BY r.submitted_at DESC, r.id DESC""",
        (owner,),
    )
    listed = []
    for reference, answers_json, state, title, count in found:
        answers = json.loads(answers_json)
        own = _text(answers.get("title")) if isinstance(answers, dict) else None
        listed.append(Shareable(reference, own or _text(title), int(count), state not in CLOSED))
    return listed


async def link(writer: Writer, owner: int, reference: str) -> tuple[str, int] | None:
    """The request's support token (made now if it has none yet) and its supporters, if the
    request is `owner`'s and still gathers support; None otherwise."""
    token = secrets.token_urlsafe(16)
    sql = f"""UPDATE requests SET invite = coalesce(invite, ?)
              WHERE reference = ? AND owner = ? AND state NOT IN ({_CLOSED})"""
    await writer.commit(Changes(ops=[(sql, (token, reference, owner))]))
    found = list(
        await writer.db.execute_fetchall(
            f"""SELECT invite, (SELECT count(*) FROM supports s WHERE s.request = r.id)
                FROM requests r WHERE reference = ? AND owner = ? AND state NOT IN ({_CLOSED})
                AND invite IS NOT NULL""",
            (reference, owner),
        )
    )
    return (str(found[0][0]), int(found[0][1])) if found else None


def deep_link(username: str | None, token: str) -> str | None:
    """`https://t.me/<bot>?start=<token>`, once the bot knows its own username."""
    return None if not username else f"https://t.me/{username}?start={token}"


async def given_by(db: aiosqlite.Connection, user_id: int) -> list[dict[str, Any]]:
    """The supports a person gave, for `/mydata`: which request (its reference), when, and
    the postcode and house number they gave."""
    found = await db.execute_fetchall(
        """SELECT r.reference, s.postcode, s.house_number, s.at FROM supports s
           JOIN requests r ON r.id = s.request WHERE s.user_id = ? ORDER BY s.at""",
        (user_id,),
    )
    return [
        {"request": r[0], "postcode": r[1], "house_number": r[2], "given_at": r[3]} for r in found
    ]
