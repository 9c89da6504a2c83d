"""The outbox table: messages to others, from the commit that causes them to their delivery.

A row is 'pending' until the worker takes it; it is marked 'sending' (committed) before the
Bot API call, so a row found 'sending' at start-up is one whose outcome is unknown and is sent
again. It ends 'sent' (with Telegram's message id, its content dropped), 'failed' (Telegram
refused it for good: never retried) or 'blocked' (the recipient blocked the bot).

`silent` rows go out without a sound. A row with `copy_of` ("chat:message") delivers a copy of
that message; its `message_id` is the copy's, so a reply to the copy finds the row (`keyed`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.replies import Reply, reply_from_json
from bot.store import rows
from bot.store.changes import Changes

if TYPE_CHECKING:
    from bot.store.writer import Writer

_SENDING = "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ?"
_SENT = """
    UPDATE outbox SET status = 'sent', message_id = ?, message = NULL, error = NULL, done_at = ?
    WHERE id = ?
"""
_AGAIN = "UPDATE outbox SET status = 'pending', error = ?, unknown = unknown + ? WHERE id = ?"
_GIVE_UP = "UPDATE outbox SET status = ?, error = ?, done_at = ? WHERE id = ?"
_UNBLOCKED = "UPDATE users SET blocked_at = NULL WHERE user_id = ?"
# Someone who blocked the bot may never have written to it (a builder invited by an operator):
# their row holds only that, until they write.
_BLOCKED = """
    INSERT INTO users (user_id, blocked_at, created_at) VALUES (?, ?, ?)
    ON CONFLICT (user_id) DO UPDATE SET blocked_at = excluded.blocked_at
"""
_WAITING = "status IN ('pending', 'sending')"


def _copy_of(stored: str | None) -> tuple[int, int] | None:
    if stored is None:
        return None
    from_chat, _, message_id = stored.rpartition(":")
    return int(from_chat), int(message_id)


@dataclass(frozen=True)
class Waiting:
    """A row to deliver. `again` means a send of it may have reached Telegram already."""

    id: int
    chat_id: int
    kind: str
    key: str | None
    reply: Reply
    reason: str
    on_blocked: str
    attempts: int
    again: bool
    recipient_blocked: bool
    silent: bool = False
    copy_of: tuple[int, int] | None = None  # (chat id, message id) of the message to copy


@dataclass(frozen=True)
class Entry:
    """A row as the operators (and the tests) see it: no content."""

    id: int
    chat_id: int
    kind: str
    key: str | None
    reason: str
    status: str
    attempts: int
    unknown: int
    message_id: int | None
    error: str | None


class Outbox:
    def __init__(self, writer: Writer) -> None:
        self._writer = writer

    async def chats(self) -> list[int]:
        """Chats with rows waiting, the one waiting longest first."""
        found = await self._writer.db.execute_fetchall(
            f"SELECT chat_id FROM outbox WHERE {_WAITING} GROUP BY chat_id ORDER BY min(id)"
        )
        return [r[0] for r in found]

    async def next(self, chat_id: int) -> Waiting | None:
        """The oldest row waiting for this chat: later ones wait for it."""
        found = list(
            await self._writer.db.execute_fetchall(
                f"""
                SELECT o.id, o.chat_id, o.kind, o.key, o.message, o.reason, o.on_blocked,
                       o.attempts, o.status, u.blocked_at, o.silent, o.copy_of
                FROM outbox o LEFT JOIN users u ON u.user_id = o.chat_id
                WHERE o.chat_id = ? AND o.{_WAITING} ORDER BY o.id LIMIT 1
                """,
                (chat_id,),
            )
        )
        if not found:
            return None
        r = found[0]
        return Waiting(
            r["id"],
            r["chat_id"],
            r["kind"],
            r["key"],
            reply_from_json(json.loads(r["message"])),
            r["reason"],
            r["on_blocked"],
            r["attempts"],
            r["status"] == "sending",
            r["blocked_at"] is not None,
            bool(r["silent"]),
            _copy_of(r["copy_of"]),
        )

    async def sending(self, row_id: int, again: bool) -> None:
        """Committed before the call: a crash after it means the outcome is unknown."""
        ops: list[tuple[str, tuple[Any, ...]]] = []
        if again:
            ops.append((_AGAIN, (None, 1, row_id)))
        ops.append((_SENDING, (row_id,)))
        await self._writer.commit(Changes(ops=ops))

    async def sent(self, row_id: int, message_id: int | None, now: dt.datetime) -> None:
        await self._writer.commit(Changes(ops=[(_SENT, (message_id, rows.iso(now), row_id))]))

    async def again(self, row_id: int, error: str, unknown: bool) -> None:
        """Not delivered this time; `unknown`: Telegram may have it (a timeout)."""
        await self._writer.commit(Changes(ops=[(_AGAIN, (error, int(unknown), row_id))]))

    @staticmethod
    def give_up(changes: Changes, row_id: int, status: str, error: str, now: dt.datetime) -> None:
        """Stage the end of a row that cannot be delivered ('failed' or 'blocked'); the
        caller adds what follows from it (escalations) and commits it all at once."""
        assert status in ("failed", "blocked")
        changes.ops.append((_GIVE_UP, (status, error, rows.iso(now), row_id)))

    @staticmethod
    def mark_blocked(changes: Changes, user_id: int, now: dt.datetime) -> None:
        changes.ops.append((_BLOCKED, (user_id, rows.iso(now), rows.iso(now))))

    async def set_blocked(self, user_id: int, blocked: bool, now: dt.datetime) -> None:
        """Telegram told us (my_chat_member) that a person blocked the bot, or no longer does."""
        changes = Changes()
        if blocked:
            self.mark_blocked(changes, user_id, now)
        else:
            changes.ops.append((_UNBLOCKED, (user_id,)))
        await self._writer.commit(changes)
        self._writer.chats.stale(user_id)

    async def target(self, chat_id: int, key: str, before: int) -> int | None:
        """Telegram's id of the newest message sent with this key to this chat."""
        found = list(
            await self._writer.db.execute_fetchall(
                """
                SELECT message_id FROM outbox
                WHERE chat_id = ? AND key = ? AND id < ? AND message_id IS NOT NULL
                ORDER BY id DESC LIMIT 1
                """,
                (chat_id, key, before),
            )
        )
        return found[0][0] if found else None

    async def keyed(self, chat_id: int, message_id: int) -> str | None:
        """The key of the sent row whose (last) message in this chat is this one: what a
        reply to a copied message answers. None for any other message."""
        found = list(
            await self._writer.db.execute_fetchall(
                """
                SELECT key FROM outbox
                WHERE chat_id = ? AND message_id = ? AND status = 'sent'
                ORDER BY id DESC LIMIT 1
                """,
                (chat_id, message_id),
            )
        )
        return found[0][0] if found else None

    async def entries(self, chat_id: int | None = None) -> list[Entry]:
        where, params = ("WHERE chat_id = ?", (chat_id,)) if chat_id is not None else ("", ())
        found = await self._writer.db.execute_fetchall(
            f"""
            SELECT id, chat_id, kind, key, reason, status, attempts, unknown, message_id, error
            FROM outbox {where} ORDER BY id
            """,
            params,
        )
        return [Entry(*r) for r in found]

    async def counts(self) -> dict[str, int]:
        """How many rows are in each state: for the operators."""
        found = await self._writer.db.execute_fetchall(
            "SELECT status, count(*) FROM outbox GROUP BY status"
        )
        return {r[0]: r[1] for r in found}
