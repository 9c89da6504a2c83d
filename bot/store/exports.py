"""Reads for `buurtbot export`: one municipality's requests with their history and supporter
counts, and counts of initiatives and handoffs per area, month and outcome (no personal data).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.domain import SupportRequest
from bot.store import requests

if TYPE_CHECKING:
    from bot.store.writer import Writer


async def requests_of(
    writer: Writer, municipality: str, since: dt.date | None = None
) -> list[SupportRequest]:
    """A municipality's submitted requests (submitted on or after `since`), oldest first,
    each with its history and its number of supporters."""
    found = await writer.db.execute_fetchall(
        """SELECT reference FROM requests
           WHERE municipality = ? AND reference IS NOT NULL AND substr(submitted_at, 1, 10) >= ?
           ORDER BY submitted_at, id""",
        (municipality, "" if since is None else since.isoformat()),
    )
    listed = []
    for (reference,) in found:
        request = await requests.named(writer, reference)
        if request is not None:
            listed.append(request)
    return listed


async def summary(writer: Writer) -> list[tuple[str, str, str, str, int]]:
    """(what, 4-digit area, month, outcome, count): initiatives by the area of their postcode
    and their status, handoffs (requests for contact) by their area and outcome or state."""
    found = await writer.db.execute_fetchall(
        """SELECT 'initiative', substr(replace(postcode, ' ', ''), 1, 4), substr(created_at, 1, 7),
                  status, count(*)
           FROM initiatives GROUP BY 2, 3, 4
           UNION ALL
           SELECT 'handoff', CASE WHEN area IS NULL THEN '' ELSE printf('%04d', area) END,
                  substr(created_at, 1, 7), coalesce(outcome, state), count(*)
           FROM handoffs WHERE state <> 'draft' GROUP BY 2, 3, 4
           ORDER BY 1, 2, 3, 4"""
    )
    return [(str(a), str(b), str(c), str(d), int(e)) for a, b, c, d, e in found]
