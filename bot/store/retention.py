"""Retention: forget what we promised to forget, once a minute."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.domain import CANCELLED, CLOSED, DRAFT
from bot.store import rows

if TYPE_CHECKING:
    from bot.store.writer import Writer

INBOX_KEEP = dt.timedelta(hours=48)


async def sweep(
    writer: Writer, now: dt.datetime, *, draft_days: int, keep_days: int, case_days: int = 365
) -> dict[str, int]:
    """Old inbox rows, stale drafts, expired plans, finished handoffs and quarantined updates:
    how many went."""
    inbox_before = rows.iso(now - INBOX_KEEP)
    draft_before = rows.iso(now - dt.timedelta(days=draft_days))
    keep_before = rows.iso(now - dt.timedelta(days=keep_days))
    case_before = rows.iso(now - dt.timedelta(days=case_days))
    counts: dict[str, int] = {}
    statements = {
        "inbox": (
            "DELETE FROM inbox WHERE received_at < ? AND status IN ('done', 'sent', 'failed')",
            (inbox_before,),
        ),
        "drafts": (
            """UPDATE flow_states SET flow = NULL, flow_version = NULL, draft = NULL,
                      resume_asked = 0, rev = rev + 1
               WHERE draft IS NOT NULL AND active_at < ?""",
            (draft_before,),
        ),
        "initiatives": ("DELETE FROM initiatives WHERE created_at < ?", (keep_before,)),
        # Questions hold what people wrote: kept as long as plans, counted from the last change.
        "cases": ("DELETE FROM cases WHERE updated_at < ?", (keep_before,)),
        # Requests for contact: closed and cancelled ones after `case_days` (counted from
        # the end), abandoned drafts with the other drafts. Offers go with them (cascade).
        "handoffs": (
            f"""DELETE FROM handoffs
                WHERE (state IN ('{CLOSED}', '{CANCELLED}')
                       AND coalesce(closed_at, updated_at) < ?)
                   OR (state = '{DRAFT}' AND updated_at < ?)""",
            (case_before, draft_before),
        ),
        # A consent to share a request for contact goes with the request.
        "consents": (
            """DELETE FROM consents WHERE purpose LIKE 'handoff:%'
                   AND substr(purpose, 9) NOT IN (SELECT reference FROM handoffs)""",
            (),
        ),
        # An invite names the person it was for: gone once it can no longer be used.
        "invites": ("DELETE FROM invites WHERE expires_at < ?", (draft_before,)),
        # Quarantined updates hold what people wrote: kept no longer than drafts.
        "quarantine": ("DELETE FROM quarantine WHERE quarantined_at < ?", (draft_before,)),
        # Delivered messages keep no content, only what a later edit needs: kept as long as
        # plans. Undelivered ones keep theirs for the operators: as long as drafts.
        "outbox": (
            """DELETE FROM outbox WHERE (status = 'sent' AND created_at < ?)
                   OR (status IN ('failed', 'blocked') AND created_at < ?)""",
            (keep_before, draft_before),
        ),
    }
    db = writer.db
    async with writer.writing:
        await db.execute("BEGIN IMMEDIATE")
        for name, (sql, params) in statements.items():
            cursor = await db.execute(sql, params)
            counts[name] = cursor.rowcount
        await db.commit()
    if counts["drafts"]:
        writer.chats.clear()
    return counts
