"""What a turn changes beyond the session of the person who acted, as plain data.

A turn returns these next to its replies; the store turns them into rows in one place and
commits them with the session and the inbox mark, in one transaction. Messages for anyone but
the actor become outbox rows, so they are never lost and never sent twice. Some effects are
conditional (a case taken only if still open, an invite used only once): the store reports
whether they happened, and the turn's `then` says what the actor is told.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from bot.domain import Handoff, OutboxMessage, SupportRequest
from bot.flows.initiative import Initiative
from bot.municipal import Channel
from bot.replies import Reply

OPERATORS: Literal["operators"] = "operators"
Recipient: TypeAlias = int | Literal["operators"]  # a Telegram user id, or every operator


@dataclass(frozen=True)
class SaveInitiative:
    initiative: Initiative


@dataclass(frozen=True)
class OpenCase:
    """Something someone else has to pick up (a question for the operators, later a handoff)."""

    reference: str
    kind: str
    owner: int
    language: str
    text: Any  # what the person wrote: str, or a voice note {"voice": id, "seconds": n}


@dataclass(frozen=True)
class Notify:
    """A message for someone other than the actor, delivered through the outbox.

    `on_blocked` names what happens when the recipient blocked the bot (for now: tell the
    operators; a handoff will offer the case to the next builder).
    """

    to: Recipient
    reply: Reply
    reason: str
    on_blocked: str = OPERATORS


@dataclass(frozen=True)
class Claim:
    """Move a case from `expect` to `state` for `by`, only if it is still in `expect`; when it
    moves, its owner is told `tell_owner` (in the same transaction, through the outbox)."""

    reference: str
    expect: str
    state: str
    by: int
    tell_owner: Reply | None = None


@dataclass(frozen=True)
class Redeem:
    """Use a one-time invite token: it binds a role to the person, if unused and not expired."""

    token: str
    user_id: int


@dataclass(frozen=True)
class PauseBuilder:
    """A builder pauses their notifications until a date (inclusive), or resumes them (None)."""

    builder_id: str
    until: dt.date | None


@dataclass(frozen=True)
class UpdateInitiative:
    """Write the changed answers of a saved plan under its own reference: only if it is still
    `owner`'s, still active, and still at `revision` (the one the change began from)."""

    owner: int
    revision: int
    initiative: Initiative  # the plan as changed: its reference and its new answers


@dataclass(frozen=True)
class WithdrawInitiative:
    """Mark a saved plan withdrawn (it is kept): only if it is still `owner`'s, still active,
    and still at `revision` (the one on the card whose button was tapped)."""

    owner: int
    reference: str
    revision: int


@dataclass(frozen=True)
class Forget:
    """Delete everything kept about `user_id` (the `/forget` right), in the turn's transaction.

    Their open questions go; a question someone already took is anonymised and closed, and
    its holder is told `tell_holder(reference)` through the outbox, in the same transaction.
    The person is new afterwards: the turn's own state for them is not kept either.
    Their requests for contact (handoffs): drafts, and requests nobody holds yet, go; open
    offers are withdrawn (each offer message edited to `tell_offered(reference)`); a case a
    builder accepted stays with that builder, anonymised, and the builder is told
    `tell_builder(reference)`, in the same transaction. Their consents go.
    A builder's own binding goes with their roles: the cases they hold go back to
    'unassigned' (the coordinators assign them; the operators' digest lists them).
    """

    user_id: int
    tell_holder: Callable[[str], Reply]
    tell_builder: Callable[[str], Reply] | None = None
    tell_offered: Callable[[str], Reply] | None = None


@dataclass(frozen=True)
class DraftHandoff:
    """Keep a request for contact as a draft, shared with nobody, until the resident says yes
    on the consent screen (abandoned drafts go with other drafts)."""

    handoff: Handoff


@dataclass(frozen=True)
class ShareHandoff:
    """The resident consented: their draft handoff is offered to one tier of builders (one
    offer row and one message each), if it is still their draft. Consent is recorded with
    the time. `messages` are empty when nobody can be reached now (the sweep moves on)."""

    reference: str
    owner: int
    tier: int
    offers: tuple[tuple[str, int], ...]  # (builder id, Telegram user id)
    due_at: dt.datetime
    messages: tuple[OutboxMessage, ...]


@dataclass(frozen=True)
class TakeHandoff:
    """A builder accepts their open offer (`expect` OFFERED), or a coordinator assigns a
    handoff nobody took (`expect` UNASSIGNED): the first wins. When it moves, the other open
    offers are edited to `taken`, the resident (if still known) is told `tell_owner`, and
    `tell_builder` goes to the builder it was assigned to (nothing for one who accepted:
    they get the details as the answer to their tap)."""

    reference: str
    builder_id: str
    expect: str
    taken: Reply
    tell_owner: Reply
    tell_builder: tuple[OutboxMessage, ...] = ()


@dataclass(frozen=True)
class PassOffer:
    """A builder passes on their open offer; once a tier has no open offer left, the sweep
    offers the handoff to the next tier."""

    reference: str
    builder_id: str


@dataclass(frozen=True)
class MoveOn:
    """The offer window of tier `from_tier` ended, or all its builders passed: its open offers
    expire (edited to `expired`), and the handoff goes to the next tier (`tier`, `offers`,
    `messages`) or, with no tier left (`tier` None), to the coordinators (`messages`)."""

    reference: str
    from_tier: int
    tier: int | None
    offers: tuple[tuple[str, int], ...]
    due_at: dt.datetime | None
    messages: tuple[OutboxMessage, ...]
    expired: Reply


@dataclass(frozen=True)
class DropHandoff:
    """The resident says no on the consent screen (a draft is deleted) or stops sharing a
    handoff later (it is cancelled, its open offers withdrawn, consent marked withdrawn);
    whoever holds an offer or the case is told `tell_builders`."""

    reference: str
    owner: int
    tell_builders: Reply


@dataclass(frozen=True)
class RelayMessage:
    """A message written in "Write to …" mode, to the other side of an accepted case: the
    copy (`message.copy_of`) goes through the outbox only if the case is still accepted and
    still between these two (`owner` and `builder_id`)."""

    reference: str
    owner: int
    builder_id: str
    message: OutboxMessage


@dataclass(frozen=True)
class CloseHandoff:
    """Close an accepted case, by its builder (with an outcome) or by its resident: only if it
    is still accepted and still between `owner` and `builder_id`. The other side is told
    `tell` in the same transaction. `referred_to` names where the builder sent them."""

    reference: str
    owner: int | None
    builder_id: str
    by: str  # "builder" or "resident"
    outcome: str
    tell: tuple[OutboxMessage, ...] = ()
    referred_to: str | None = None


@dataclass(frozen=True)
class SubmitRequest:
    """Submit a request for support: it gets the next number of its municipality and year
    (`<prefix>-<year>-<number>`, drawn in the committing transaction), a 'submitted' event,
    and a delivery to the office's `channel` (bot/store/deliveries.py)."""

    request: SupportRequest
    prefix: str
    channel: Channel | None


@dataclass(frozen=True)
class WithdrawRequest:
    """The resident withdraws their submitted request (if still theirs and not decided); the
    office hears it through its channel, and staff bound to the municipality in the bot get
    `tell_staff`."""

    owner: int
    reference: str
    channel: Channel | None
    tell_staff: Reply


@dataclass(frozen=True)
class ChangeRequest:
    """Municipal staff (or the operator for them) move a request to `state`, if it is in
    one of `expect`: an event with who and what, the resident told `tell_owner`, the office's
    own file told through its channel. Staff bound to the municipality get `tell_staff` (a
    resident's answer to their question). `by_role` is 'staff', 'operator' or 'resident'."""

    reference: str
    municipality: str
    expect: tuple[str, ...]
    state: str
    by_role: str
    by_user: int | None
    channel: Channel | None
    tell_owner: Reply | None = None
    note: str | None = None
    amount: str | None = None
    case_number: str | None = None
    letter_date: dt.date | None = None
    tell_staff: Reply | None = None


@dataclass(frozen=True)
class GiveSupport:
    """A neighbour supports a request (opened from its invite link): once per Telegram
    account, with the postcode and house number they give (not checked by the bot)."""

    invite: str
    user_id: int
    postcode: str
    house_number: str


Effect: TypeAlias = (
    SaveInitiative
    | PauseBuilder
    | OpenCase
    | Notify
    | Claim
    | Redeem
    | UpdateInitiative
    | WithdrawInitiative
    | Forget
    | DraftHandoff
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


@dataclass(frozen=True)
class Claimed:
    """What a `Claim` found: whether it moved the case, and the case as it is now."""

    moved: bool
    owner: int | None = None
    language: str | None = None
    text: Any = None


@dataclass(frozen=True)
class Redeemed:
    """What a `Redeem` found: the role it bound, or why it did not (used, expired, unknown)."""

    role: str | None
    name: str | None = None
    problem: str | None = None


@dataclass(frozen=True)
class Updated:
    """What an `UpdateInitiative` or `WithdrawInitiative` found: the plan as it is now, and
    why nothing changed if so ("gone": not this person's plan or no longer kept,
    "withdrawn", "changed": a newer revision)."""

    initiative: Initiative | None
    problem: str | None = None


@dataclass(frozen=True)
class Forgotten:
    """What a `Forget` did: how many questions it closed for someone who held them (their
    holders are told)."""

    closed: int = 0
    handed_back: int = 0  # a builder's accepted cases that went back to 'unassigned'
    # Requests the municipality already has, which stay there (the bot's copy anonymised):
    # (reference, municipality's name, its contact), so the resident is told where to ask.
    kept_requests: tuple[tuple[str, str, str | None], ...] = ()


@dataclass(frozen=True)
class Moved:
    """What a conditional handoff effect found: whether it changed the handoff, and the
    handoff's state now (None when there is no such handoff of this person's)."""

    moved: bool
    state: str | None = None


@dataclass(frozen=True)
class Submitted:
    """What a `SubmitRequest` did: the request's reference (None: it was not submitted)."""

    reference: str | None


@dataclass(frozen=True)
class Supported:
    """What a `GiveSupport` found: whether this account's support was counted now (False when
    it had been counted before, or the link is unknown: `problem`), and the count now."""

    counted: bool
    count: int = 0
    problem: str | None = None


Result: TypeAlias = Claimed | Redeemed | Updated | Forgotten | Moved | Submitted | Supported
