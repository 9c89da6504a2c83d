"""What one turn writes: staged in memory, committed together or not at all."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bot.domain import Initiative, OutboxMessage, Resident, Session
from bot.flows.effects import (
    ChangeRequest,
    Claim,
    CloseHandoff,
    DraftHandoff,
    DropHandoff,
    Effect,
    Forget,
    GiveSupport,
    MoveOn,
    OpenCase,
    PassOffer,
    PauseBuilder,
    Redeem,
    RelayMessage,
    Result,
    SaveInitiative,
    ShareHandoff,
    SubmitRequest,
    TakeHandoff,
    UpdateInitiative,
    WithdrawInitiative,
    WithdrawRequest,
)
from bot.store import builders, cases, handoffs

# Effects that happen only if the database still agrees; each reports a result.
Conditional = (
    Claim
    | Redeem
    | UpdateInitiative
    | WithdrawInitiative
    | Forget
    | ShareHandoff
    | TakeHandoff
    | PassOffer
    | MoveOn
    | DropHandoff
    | RelayMessage
    | CloseHandoff
    | SubmitRequest
    | WithdrawRequest
    | ChangeRequest
    | GiveSupport
)
REQUEST_MOVES = (SubmitRequest, WithdrawRequest, ChangeRequest, GiveSupport)
HANDOFF_MOVES = (
    ShareHandoff,
    TakeHandoff,
    PassOffer,
    MoveOn,
    DropHandoff,
    RelayMessage,
    CloseHandoff,
)


@dataclass
class Changes:
    """The writes one turn makes, committed together or not at all."""

    chats: dict[int, tuple[Resident, Session, int | None]] = field(default_factory=dict)
    initiatives: list[tuple[int, Initiative]] = field(default_factory=list)
    ops: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    now: dt.datetime | None = None
    inbox: list[tuple[Any, ...]] = field(default_factory=list)  # fetched updates to store
    accepted: set[int] = field(default_factory=set)  # filled by the commit: updates now stored
    outbox: list[OutboxMessage] = field(default_factory=list)  # messages to others, in order
    # Effects that happen only if the database still agrees (a case still open, an invite
    # still unused), in the turn's order; the commit fills `results`, one each.
    conditional: list[tuple[int, Conditional]] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    # People whose data a `Forget` deleted in this commit: the cache must forget them too.
    forgotten: set[int] = field(default_factory=set)
    # Outbox rows a conditional effect wrote inside the transaction (filled by the commit, and
    # again if it is retried; `outbox` above is only what the turn staged).
    told: list[OutboxMessage] = field(default_factory=list)

    def save_chat(
        self, resident: Resident, session: Session, now: dt.datetime, update_id: int | None
    ) -> None:
        """The resident's state after a turn; `update_id` is the update this turn handled."""
        self.chats[resident.user_id] = (resident, session, update_id)
        self.now = now

    def add_initiative(self, user_id: int, initiative: Initiative) -> None:
        self.initiatives.append((user_id, initiative))

    def send(self, message: OutboxMessage) -> None:
        """Send a message to someone other than the actor, once these changes are committed.

        It becomes an outbox row in the same transaction: committed with the change that
        causes it, or not at all. Messages to one person go out in the order they were added.
        """
        self.outbox.append(message)

    def effect(self, actor: int, effect: Effect, now: dt.datetime) -> None:
        """A turn's effect as rows of this commit: the one place that maps effects to rows
        (messages for others go through `send`, after their recipients are known)."""
        if isinstance(effect, SaveInitiative):
            self.add_initiative(actor, effect.initiative)
        elif isinstance(effect, OpenCase):
            self.ops.append((cases.INSERT, cases.row(effect, now)))
        elif isinstance(effect, PauseBuilder):
            self.ops.append(builders.pause(actor, effect))
        elif isinstance(effect, DraftHandoff):
            self.ops.append(handoffs.insert(effect))
        elif isinstance(effect, HANDOFF_MOVES + REQUEST_MOVES):
            # A handoff moves only if it is still where the turn saw it (bot/store/handoffs.py).
            self.conditional.append((actor, effect))
        elif isinstance(effect, Claim | Redeem | UpdateInitiative | WithdrawInitiative):
            # A plan changed or withdrawn: one conditional UPDATE (bot/store/initiatives.py).
            self.conditional.append((actor, effect))
        elif isinstance(effect, Forget):
            # Everything kept about a person, deleted in this transaction (bot/store/privacy.py),
            # after the turn's own writes, so that nothing of theirs is written back.
            self.conditional.append((actor, effect))
        else:
            raise TypeError(f"not an effect for the store: {effect!r}")
