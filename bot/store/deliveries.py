"""Deliveries into a municipality's back office: one row per channel (email, Objects API) for
each change of a request the office must know about, written in that change's transaction.

This module only adds rows (`enqueue`); the worker that sends them lives in bot/delivery.py.
"""

from __future__ import annotations

import datetime as dt

import aiosqlite

from bot.municipal import Channel
from bot.store import rows

EMAIL, OBJECTS = "email", "objects"


async def enqueue(
    db: aiosqlite.Connection,
    request_id: int,
    what: str,
    channel: Channel | None,
    now: dt.datetime,
    event_id: int | None = None,
) -> int:
    """Inside a transaction: the office hears `what` (an event of the request) by email and,
    when the municipality has it, through the Objects API. How many rows were added."""
    if channel is None:
        return 0
    channels = [EMAIL] + ([OBJECTS] if channel.objects is not None else [])
    await db.executemany(
        "INSERT INTO deliveries (request, event, channel, what, created_at) VALUES (?, ?, ?, ?, ?)",
        [(request_id, event_id, c, what, rows.iso(now)) for c in channels],
    )
    return len(channels)
