"""Domain objects to rows and back: the one place that knows how a resident, a session and an
initiative are laid out in their tables."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from bot.domain import RESIDENT, Initiative, Resident, Session
from bot.flows.engine import Draft
from bot.flows.registry import FLOWS

SQLITE_INT = (-(2**63), 2**63 - 1)


def fits(value: int | None) -> int | None:
    """An id SQLite can hold, or None: a quarantine row must be storable whatever came in."""
    if value is None or not SQLITE_INT[0] <= value <= SQLITE_INT[1]:
        return None
    return value


def iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).isoformat()


def moment(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


def at(text: str) -> dt.datetime:
    """A moment from a column that is never empty (NOT NULL)."""
    return dt.datetime.fromisoformat(text)


UPSERT_USER = """
    INSERT INTO users (user_id, language, greeted_at, created_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (user_id) DO UPDATE SET
        language = excluded.language,
        greeted_at = coalesce(users.greeted_at, excluded.greeted_at),
        blocked_at = NULL
"""
UPSERT_SESSION = """
    INSERT INTO flow_states (user_id, rev, flow, flow_version, draft, resume_asked, active_at,
                             update_id, audience, start_payload, confirming, writing)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (user_id) DO UPDATE SET
        rev = excluded.rev, flow = excluded.flow, flow_version = excluded.flow_version,
        draft = excluded.draft, resume_asked = excluded.resume_asked,
        active_at = excluded.active_at, update_id = excluded.update_id,
        audience = excluded.audience, start_payload = excluded.start_payload,
        confirming = excluded.confirming, writing = excluded.writing
"""
INSERT_INITIATIVE = """
    INSERT INTO initiatives (reference, user_id, language, title, plan, category, postcode,
                             starts_on, helpers, needs, created_at, voice)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
SELECT_CHAT = """
    SELECT u.language, u.greeted_at, u.blocked_at, s.rev, s.flow, s.flow_version, s.draft,
           s.resume_asked, s.active_at, s.audience, s.start_payload, s.confirming,
           s.writing,
           (SELECT group_concat(role, ' ') FROM roles r WHERE r.user_id = u.user_id) AS roles
    FROM users u LEFT JOIN flow_states s USING (user_id)
    WHERE u.user_id = ?
"""


def user_row(resident: Resident, now: str | None) -> tuple[Any, ...]:
    return (resident.user_id, resident.language, now if resident.greeted else None, now)


def session_row(user_id: int, session: Session, update_id: int | None) -> tuple[Any, ...]:
    draft = session.draft
    return (
        user_id,
        session.rev,
        None if draft is None else draft.flow,
        None if draft is None else draft.version,
        None if draft is None else json.dumps(draft.to_json(), ensure_ascii=False),
        int(session.resume_asked),
        iso(session.active_at),
        update_id,
        session.audience,
        session.start_payload,
        session.confirming,
        session.writing,
    )


def chat(user_id: int, row: sqlite3.Row | None) -> tuple[Resident, Session, bool]:
    """A resident, their session, and whether their users row is current (present and not
    marked blocked), from a `SELECT_CHAT` row; no row is a new resident."""
    if row is None:
        return Resident(user_id), Session(), False
    draft = None
    if row["draft"] is not None and row["flow"] in FLOWS:
        draft = Draft.from_json(row["flow"], row["flow_version"], json.loads(row["draft"]))
    roles = frozenset({RESIDENT, *(row["roles"] or "").split()})
    return (
        Resident(user_id, row["language"], row["greeted_at"] is not None, roles),
        Session(
            rev=row["rev"] or 0,
            draft=draft,
            resume_asked=bool(row["resume_asked"]),
            active_at=moment(row["active_at"]),
            audience=row["audience"] or RESIDENT,
            start_payload=row["start_payload"],
            confirming=row["confirming"],
            writing=row["writing"],
        ),
        row["blocked_at"] is None,
    )


def initiative_row(user_id: int, i: Initiative) -> tuple[Any, ...]:
    title, plan, category, postcode, starts_on, helpers, needs, voice = initiative_content(i)
    return (
        i.reference,
        user_id,
        i.language,
        title,
        plan,
        category,
        postcode,
        starts_on,
        helpers,
        needs,
        iso(i.created_at),
        voice,
    )


def initiative_content(i: Initiative) -> tuple[Any, ...]:
    """The answers of a plan as columns: title, plan, category, postcode, starts_on, helpers,
    needs, voice (voice notes given as the title or plan, by file id)."""
    voice = {
        key: value
        for key, value in (("title", i.title), ("plan", i.plan))
        if not isinstance(value, str)
    }
    return (
        i.title if isinstance(i.title, str) else "",
        i.plan if isinstance(i.plan, str) else "",
        i.category,
        i.postcode,
        None if i.starts_on is None else i.starts_on.isoformat(),
        i.helpers,
        json.dumps(list(i.needs)),
        json.dumps(voice),
    )


def initiative(row: sqlite3.Row) -> Initiative:
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
        status=row["status"],
        revision=row["revision"],
        updated_at=moment(row["updated_at"]),
    )
