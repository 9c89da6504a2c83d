"""Roles beside "resident", the one-time invite links that bind them, and facts about the bot.

An invite token is opaque: it is looked up here, never read as data. Using one is a single
conditional UPDATE, so the same link opened twice, or by two people at once, binds once.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

import aiosqlite

from bot.flows.effects import Redeem, Redeemed
from bot.store import rows
from bot.store.changes import Changes

if TYPE_CHECKING:
    from bot.store.writer import Writer

BOT_USERNAME = "bot_username"

_USE = """
    UPDATE invites SET used_at = ?, used_by = ?
    WHERE token = ? AND used_at IS NULL AND expires_at > ?
    RETURNING role, name, builder, municipality
"""
_BIND = """
    INSERT INTO roles (user_id, role, name, bound_at, builder, municipality)
    VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (user_id, role) DO UPDATE SET name = excluded.name, bound_at = excluded.bound_at,
        builder = excluded.builder, paused_until = NULL, municipality = excluded.municipality
"""


async def redeem(db: aiosqlite.Connection, effect: Redeem, now: dt.datetime) -> Redeemed:
    """Inside the turn's transaction: use the token, bind its role, or say why not."""
    at = rows.iso(now)
    used = list(await db.execute_fetchall(_USE, (at, effect.user_id, effect.token, at)))
    if used:
        role, name, builder, municipality = used[0]
        await db.execute(_BIND, (effect.user_id, role, name, at, builder, municipality))
        return Redeemed(role, name)
    found = list(
        await db.execute_fetchall("SELECT used_at FROM invites WHERE token = ?", (effect.token,))
    )
    if not found:
        return Redeemed(None, problem="unknown")
    return Redeemed(None, problem="used" if found[0][0] is not None else "expired")


async def create_invite(
    writer: Writer,
    role: str,
    name: str,
    now: dt.datetime,
    expires: dt.datetime,
    builder: str | None = None,
    municipality: str | None = None,
) -> str:
    """A new single-use token for `role` (for a builder: which one; for municipal staff:
    which municipality): 128 random bits, URL-safe, under Telegram's 64."""
    token = secrets.token_urlsafe(16)
    sql = """INSERT INTO invites (token, role, name, created_at, expires_at, builder,
                                  municipality)
             VALUES (?, ?, ?, ?, ?, ?, ?)"""
    row = (token, role, name, rows.iso(now), rows.iso(expires), builder, municipality)
    await writer.commit(Changes(ops=[(sql, row)]))
    return token


async def holders(writer: Writer, role: str) -> set[int]:
    found = await writer.db.execute_fetchall("SELECT user_id FROM roles WHERE role = ?", (role,))
    return {r[0] for r in found}


async def bot_username(writer: Writer) -> str | None:
    found = list(
        await writer.db.execute_fetchall("SELECT value FROM meta WHERE key = ?", (BOT_USERNAME,))
    )
    return found[0][0] if found else None


async def remember_username(writer: Writer, username: str) -> None:
    """Kept from the last start's getMe, so `buurtbot invite` can print a link offline."""
    sql = """INSERT INTO meta (key, value) VALUES (?, ?)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value"""
    await writer.commit(Changes(ops=[(sql, (BOT_USERNAME, username))]))


_SET_META = """INSERT INTO meta (key, value) VALUES (?, ?)
               ON CONFLICT (key) DO UPDATE SET value = excluded.value"""


async def meta(writer: Writer, key: str) -> str | None:
    found = list(await writer.db.execute_fetchall("SELECT value FROM meta WHERE key = ?", (key,)))
    return found[0][0] if found else None


def set_meta(key: str, value: str) -> tuple[str, tuple[str, str]]:
    """The statement that keeps a fact about the bot (for a commit of its own or a turn's)."""
    return _SET_META, (key, value)


async def builder_of(writer: Writer, user_id: int) -> str | None:
    """The directory builder id an account is bound to, if any."""
    found = list(
        await writer.db.execute_fetchall(
            "SELECT builder FROM roles WHERE user_id = ? AND role = 'builder'", (user_id,)
        )
    )
    return found[0][0] if found else None


async def desk(writer: Writer, user_id: int) -> str | None:
    """The municipality (its code) a staff account is bound to, if any."""
    found = list(
        await writer.db.execute_fetchall(
            "SELECT municipality FROM roles WHERE user_id = ? AND role = 'staff'", (user_id,)
        )
    )
    return found[0][0] if found else None


async def staff_of(db: aiosqlite.Connection, municipality: str) -> list[int]:
    """The accounts bound as staff of a municipality (inside a transaction, or for reads)."""
    found = await db.execute_fetchall(
        "SELECT user_id FROM roles WHERE role = 'staff' AND municipality = ? ORDER BY user_id",
        (municipality,),
    )
    return [int(r[0]) for r in found]
