"""Residents, their conversations and their plans: reads through the cache of committed state."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.domain import Initiative, Resident, Session
from bot.store import rows
from bot.store.changes import Changes

if TYPE_CHECKING:
    from bot.store.writer import Writer

BLOCKED = "UPDATE users SET blocked_at = ? WHERE user_id = ?"


async def chat(writer: Writer, user_id: int) -> tuple[Resident, Session]:
    """A resident and their session; new residents start empty."""
    cached = writer.chats.get(user_id)
    if cached is not None:
        return cached[0], cached[1]
    cursor = await writer.db.execute(rows.SELECT_CHAT, (user_id,))
    found = rows.chat(user_id, await cursor.fetchone())
    writer.chats.remember(user_id, found)
    return found[0], found[1]


async def initiatives_of(writer: Writer, user_id: int) -> list[Initiative]:
    found = await writer.db.execute_fetchall(
        "SELECT * FROM initiatives WHERE user_id = ? ORDER BY created_at, id", (user_id,)
    )
    return [rows.initiative(r) for r in found]


async def initiative(writer: Writer, user_id: int, reference: str) -> Initiative | None:
    """An initiative, only for the resident who made it."""
    found = await writer.db.execute_fetchall(
        "SELECT * FROM initiatives WHERE user_id = ? AND reference = ?", (user_id, reference)
    )
    return next((rows.initiative(r) for r in found), None)


def blocked(writer: Writer, user_id: int, now: dt.datetime) -> None:
    """Remember that a resident blocked the bot, until they write to it again."""
    writer.commit_soon(Changes(ops=[(BLOCKED, (rows.iso(now), user_id))]))
    writer.chats.stale(user_id)  # next turn clears the mark


async def is_blocked(writer: Writer, user_id: int) -> bool:
    found = await writer.db.execute_fetchall(
        "SELECT 1 FROM users WHERE user_id = ? AND blocked_at IS NOT NULL", (user_id,)
    )
    return bool(list(found))
