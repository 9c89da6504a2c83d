"""Saved plans changed or withdrawn by the resident who made them.

Each is one conditional UPDATE inside the turn's transaction: it applies only when the plan is
still that person's, still active, and still at the revision the button or the change was
made for. A button from an old card, a plan withdrawn meanwhile, or a reference that belongs
to someone else changes nothing; the turn hears why.
"""

from __future__ import annotations

import datetime as dt

import aiosqlite

from bot.domain import ACTIVE, WITHDRAWN
from bot.flows.effects import Updated, UpdateInitiative, WithdrawInitiative
from bot.store import rows

_CHANGE = f"""
    UPDATE initiatives SET title = ?, plan = ?, category = ?, postcode = ?, starts_on = ?,
                           helpers = ?, needs = ?, voice = ?,
                           revision = revision + 1, updated_at = ?
    WHERE reference = ? AND user_id = ? AND status = '{ACTIVE}' AND revision = ?
    RETURNING *
"""
_WITHDRAW = f"""
    UPDATE initiatives SET status = '{WITHDRAWN}', revision = revision + 1, updated_at = ?
    WHERE reference = ? AND user_id = ? AND status = '{ACTIVE}' AND revision = ?
    RETURNING *
"""
_FIND = "SELECT * FROM initiatives WHERE reference = ? AND user_id = ?"


async def apply(
    db: aiosqlite.Connection, effect: UpdateInitiative | WithdrawInitiative, now: dt.datetime
) -> Updated:
    """Inside the turn's transaction: change or withdraw the plan, or say why not."""
    at = rows.iso(now)
    if isinstance(effect, UpdateInitiative):
        reference = effect.initiative.reference
        params = (*rows.initiative_content(effect.initiative), at)
        sql = _CHANGE
    else:
        reference = effect.reference
        params = (at,)
        sql = _WITHDRAW
    where = (reference, effect.owner, effect.revision)
    changed = list(await db.execute_fetchall(sql, (*params, *where)))
    if changed:
        return Updated(rows.initiative(changed[0]))
    found = list(await db.execute_fetchall(_FIND, (reference, effect.owner)))
    if not found:
        return Updated(None, "gone")
    now_as = rows.initiative(found[0])
    return Updated(now_as, "withdrawn" if now_as.withdrawn else "changed")
