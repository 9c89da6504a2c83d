"""Accounts bound to a community builder of the directory: which builder, and their pause.

Which builder an account is bound to is read on every builder turn, joined with the
directory, never cached: a builder removed by `buurtbot directory load` (another process)
loses access at once.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from bot.domain import BUILDER, Seat
from bot.flows.effects import PauseBuilder

if TYPE_CHECKING:
    from bot.store.writer import Writer

_PAUSE = "UPDATE roles SET paused_until = ? WHERE user_id = ? AND role = ? AND builder = ?"


def pause(user_id: int, effect: PauseBuilder) -> tuple[str, tuple[Any, ...]]:
    """The statement that pauses (or, with no date, resumes) a bound builder's notifications."""
    until = None if effect.until is None else effect.until.isoformat()
    return _PAUSE, (until, user_id, BUILDER, effect.builder_id)


async def seat(writer: Writer, user_id: int) -> Seat | None:
    """The builder this account is bound to, and whether that builder is still in the
    directory: read on every builder turn, never cached, so a reload counts at once."""
    found = list(
        await writer.db.execute_fetchall(
            """SELECT r.builder, coalesce(b.name, r.name), r.paused_until,
                      b.id IS NOT NULL AND b.removed_at IS NULL
               FROM roles r LEFT JOIN directory_builders b ON b.id = r.builder
               WHERE r.user_id = ? AND r.role = ? AND r.builder IS NOT NULL""",
            (user_id, BUILDER),
        )
    )
    if not found:
        return None
    builder, name, until, active = found[0]
    paused = None if until is None else dt.date.fromisoformat(until)
    return Seat(builder, name, paused, bool(active))


async def paused_builders(writer: Writer, today: dt.date) -> frozenset[str]:
    """Builders who paused their notifications until today or later: routing skips them."""
    found = await writer.db.execute_fetchall(
        "SELECT builder FROM roles WHERE role = ? AND builder IS NOT NULL AND paused_until >= ?",
        (BUILDER, today.isoformat()),
    )
    return frozenset(r[0] for r in found)
