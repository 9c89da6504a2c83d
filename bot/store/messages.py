"""A message for someone other than the person acting, as its outbox row.

Rows are written with the change that causes them: a turn stages them (`Changes.send`) and
the writer adds them to its commit; a transaction that decides something (a case taken, a
handoff moved on, a request's status changed) writes them itself, with `write`, only when the
decision went that way. The outbox worker (bot/outbox.py) delivers them.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import aiosqlite

from bot.domain import OutboxMessage
from bot.replies import reply_to_json
from bot.store import rows

INSERT = """
    INSERT INTO outbox (chat_id, kind, key, message, reason, on_blocked, silent, copy_of, status,
                        created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)
"""


def insert_row(message: OutboxMessage, now: str | None) -> tuple[Any, ...]:
    if message.copy_of is not None and message.reply.voice is not None:
        raise ValueError("an outbox row copies a message or sends a voice note, not both")
    body = json.dumps(reply_to_json(message.reply), ensure_ascii=False)
    copy_of = None
    if message.copy_of is not None:
        from_chat, message_id = message.copy_of
        copy_of = f"{from_chat}:{message_id}"
    return (
        message.chat_id,
        message.kind,
        message.key,
        body,
        message.reason,
        message.on_blocked,
        int(message.silent),
        copy_of,
        now,
    )


async def write(
    db: aiosqlite.Connection, message: OutboxMessage, now: dt.datetime, told: list[OutboxMessage]
) -> None:
    """Inside the deciding transaction: the message's row. It is noted in `told` (the commit's
    `Changes.told`, refilled if the batch is retried) so the commit wakes the worker."""
    await db.execute(INSERT, insert_row(message, rows.iso(now)))
    told.append(message)
