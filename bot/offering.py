"""The timers of handoffs: moving an offer on, and the operators' daily digest.

Timers are rows (a handoff's `due_at`), swept every minute by the bot's sweep with the
bot's clock, so tests move the clock instead of waiting. Each move is a conditional effect
committed like any turn: a handoff someone accepted a moment ago is left alone.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from bot.domain import OutboxMessage
from bot.flows import handoff_screens, tiers
from bot.flows.effects import PassOffer
from bot.store import Changes

if TYPE_CHECKING:
    from bot.handlers.turns import Services
    from bot.outbox import Undelivered

log = logging.getLogger(__name__)

DIGEST_AT = dt.time(9, 0)  # local time: the operators' daily list of handoffs nobody took
DIGEST_KEY = "handoff_digest_on"


async def sweep(services: Services, now: dt.datetime) -> int:
    """Move every handoff whose offer window ended (or whose tier all passed); how many."""
    store = services.store
    due = await store.handoffs_due(now)
    if not due:
        return 0
    directory = await services.directory(fresh=True)
    if directory is None:
        return 0
    lookup = await store.lookup(directory, now.date())
    moved = 0
    for found in due:
        changes = Changes(now=now)
        changes.conditional.append((0, tiers.next_move(found, lookup, now)))
        await store.commit(changes)
        moved += 1
        log.info("a handoff moved on from tier %d", found.tier + 1)
    return moved


async def digest(services: Services, now: dt.datetime) -> bool:
    """Once a day after DIGEST_AT: the operators hear which handoffs nobody took."""
    store = services.store
    today = now.date()
    if now.timetz().replace(tzinfo=None) < DIGEST_AT or await store.meta(DIGEST_KEY) == str(today):
        return False
    waiting = await store.unassigned_handoffs()
    changes = Changes(now=now)
    changes.ops.append(store.set_meta(DIGEST_KEY, str(today)))
    if waiting:
        reply = handoff_screens.unassigned_digest(waiting)
        for operator in sorted(services.admins | await store.operators()):
            changes.send(OutboxMessage(operator, reply, reason="handoff digest"))
    await store.commit(changes)
    return bool(waiting)


async def builder_blocked(services: Services, row: Undelivered, changes: Changes) -> None:
    """The outbox hook for an offer to a builder who blocked the bot: their offer counts as
    passed, so the sweep moves the handoff on (the operators are told too)."""
    if row.key is None or not row.key.startswith("offer:"):
        return
    reference = row.key.removeprefix("offer:")
    builder = await services.store.builder_of(row.chat_id)
    if builder is not None:
        changes.conditional.append((0, PassOffer(reference, builder)))
