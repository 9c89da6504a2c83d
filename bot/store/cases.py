"""Cases: something a person asked that someone else picks up (for now, questions for the
operators). Every move is one conditional UPDATE, so two people taking a case at the same
moment cannot both win; the loser's turn hears so.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot.domain import Case
from bot.flows.effects import Claim, Claimed, OpenCase
from bot.flows.operating import OPEN
from bot.flows.question import CASE
from bot.store import rows

if TYPE_CHECKING:
    from bot.store.writer import Writer

INSERT = """
    INSERT INTO cases (reference, kind, state, owner, language, text, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""
_MOVE = """
    UPDATE cases SET state = ?, holder = ?, updated_at = ?
    WHERE reference = ? AND state = ?
    RETURNING owner, language, text
"""


def row(effect: OpenCase, now: dt.datetime) -> tuple[Any, ...]:
    at = rows.iso(now)
    text = json.dumps(effect.text, ensure_ascii=False)
    return (effect.reference, effect.kind, OPEN, effect.owner, effect.language, text, at, at)


async def claim(db: aiosqlite.Connection, effect: Claim, now: dt.datetime) -> Claimed:
    """Inside the turn's transaction: move the case if it is still where the claim expects."""
    moved = list(
        await db.execute_fetchall(
            _MOVE, (effect.state, effect.by, rows.iso(now), effect.reference, effect.expect)
        )
    )
    if not moved:
        return Claimed(False)
    owner, language, text = moved[0]
    return Claimed(True, owner, language, json.loads(text))


async def open_questions(writer: Writer, limit: int = 20) -> list[Case]:
    """The oldest questions nobody has taken, oldest first."""
    found = await writer.db.execute_fetchall(
        """SELECT reference, kind, state, owner, language, text FROM cases
           WHERE kind = ? AND state = ? ORDER BY created_at, id LIMIT ?""",
        (CASE, OPEN, limit),
    )
    return [Case(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in found]


async def count_open(writer: Writer) -> int:
    found = list(
        await writer.db.execute_fetchall(
            "SELECT count(*) FROM cases WHERE kind = ? AND state = ?", (CASE, OPEN)
        )
    )
    return int(found[0][0])
