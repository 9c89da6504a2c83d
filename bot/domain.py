"""What the bot knows about people and their plans: the types flows and the store share.

Flows decide with these and the store keeps them; neither needs the other to name them. They
are plain frozen data, with no Telegram and no SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

if TYPE_CHECKING:
    from bot.replies import Reply


RESIDENT, OPERATOR, BUILDER = "resident", "operator", "builder"

# A flow's answer: a JSON value (str, int, bool, None, a list of strings, or a dict).
Answer: TypeAlias = Any


@dataclass(frozen=True)
class Changing:
    """The saved plan a draft changes: its reference, and the revision the change began from
    (a save applies only if the plan is still at that revision, and still the person's)."""

    reference: str
    revision: int


@dataclass(frozen=True)
class Draft:
    """Where one resident is in one flow. Stored as JSON between updates.

    `changing` marks a draft that edits a saved plan instead of making a new one.
    """

    flow: str
    version: int
    answers: Mapping[str, Answer]
    at: str
    back: tuple[str, ...] = ()
    picks: tuple[str, ...] | None = None
    cancelling: bool = False
    restarting: bool = False
    changing: Changing | None = None
    # What the draft is about beyond its answers, fixed when it began (a request for contact
    # knows the area it is for, and the saved plan it comes from).
    context: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "answers": dict(self.answers),
            "at": self.at,
            "back": list(self.back),
            "picks": None if self.picks is None else list(self.picks),
            "cancelling": self.cancelling,
            "restarting": self.restarting,
        }
        if self.changing is not None:
            data["changing"] = {
                "reference": self.changing.reference,
                "revision": self.changing.revision,
            }
        if self.context:
            data["context"] = dict(self.context)
        return data

    @staticmethod
    def from_json(flow: str, version: int, data: Mapping[str, Any]) -> Draft:
        picks = data.get("picks")
        changing = data.get("changing")
        return Draft(
            flow=flow,
            version=version,
            answers=dict(data["answers"]),
            at=data["at"],
            back=tuple(data.get("back", ())),
            picks=None if picks is None else tuple(picks),
            cancelling=bool(data.get("cancelling", False)),
            restarting=bool(data.get("restarting", False)),
            changing=(
                None
                if changing is None
                else Changing(str(changing["reference"]), int(changing["revision"]))
            ),
            context=dict(data.get("context", {})),
        )


@dataclass(frozen=True)
class Resident:
    """A person as the bot knows them. Everyone is a resident; other roles come by binding
    (an invite link) or, for operators, by `BUURTBOT_ADMINS`."""

    user_id: int
    language: str | None = None
    greeted: bool = False
    roles: frozenset[str] = frozenset({RESIDENT})


@dataclass(frozen=True)
class Seat:
    """The community builder a Telegram account is bound to (`buurtbot invite builder`).

    `active` is whether the builder is still in the loaded directory: looked up on every
    turn of a builder, so one removed by a load loses access at once. `paused_until` is the
    last day their notifications are paused (a holiday), or None.
    """

    builder_id: str
    name: str
    paused_until: dt.date | None = None
    active: bool = True

    def paused(self, today: dt.date) -> bool:
        return self.paused_until is not None and self.paused_until >= today


@dataclass(frozen=True)
class Session:
    """Where a person is: their draft, the role whose menu they use, a deep link to act on
    once they have chosen a language and seen the privacy notice, and a confirmation asked."""

    rev: int = 0
    draft: Draft | None = None
    resume_asked: bool = False
    active_at: dt.datetime | None = None
    audience: str = RESIDENT
    start_payload: str | None = None
    # A yes/no question outside any flow that waits for its answer ("forget": delete all my
    # data?): typed text is then not taken as an answer to the flow below it.
    confirming: str | None = None
    # The case (a handoff's reference) this person is writing to the other side of, in the
    # explicit "Write to …" mode: their messages then go there, never into a flow.
    writing: str | None = None


@dataclass(frozen=True)
class Case:
    """Something a person asked that someone else picks up (for now: a resident's question
    for the operators). `text` is what they wrote, or a voice note."""

    reference: str
    kind: str
    state: str
    owner: int | None
    language: str
    text: Any


# A free-text answer: what was typed, or a voice note ({"voice": file id, "seconds": n}).
FreeText: TypeAlias = str | dict[str, Any]


# What became of a saved plan. A withdrawn plan is kept (and listed as withdrawn), but can no
# longer be changed.
ACTIVE, WITHDRAWN = "active", "withdrawn"


@dataclass(frozen=True)
class Initiative:
    """A confirmed plan as it is stored. `language` is the one the resident wrote in.

    `revision` counts the changes since it was saved: buttons on a card carry it, so a card of
    an older version cannot act on the plan as it is now.
    """

    reference: str
    language: str
    title: FreeText
    plan: FreeText
    category: str
    postcode: str
    starts_on: dt.date | None
    helpers: int
    needs: tuple[str, ...]
    created_at: dt.datetime
    status: str = ACTIVE
    revision: int = 0
    updated_at: dt.datetime | None = None

    @property
    def withdrawn(self) -> bool:
        return self.status == WITHDRAWN

    @staticmethod
    def from_answers(
        answers: Mapping[str, Any], *, reference: str, language: str, now: dt.datetime
    ) -> Initiative:
        when = answers["when"]
        return Initiative(
            reference=reference,
            language=language,
            title=answers["title"],
            plan=answers["plan"],
            category=answers["category"],
            postcode=answers["postcode"],
            starts_on=None if when is None else dt.date.fromisoformat(when),
            helpers=int(answers["helpers"]),
            needs=tuple(answers["needs"]),
            created_at=now,
        )

    def answers(self) -> dict[str, Any]:
        """The initiative as flow answers, so the flow's own summary can show it again."""
        return {
            "title": self.title,
            "plan": self.plan,
            "category": self.category,
            "postcode": self.postcode,
            "when": None if self.starts_on is None else self.starts_on.isoformat(),
            "helpers": self.helpers,
            "needs": list(self.needs),
        }


# What happens when the recipient of an outbox message has blocked the bot: the name of a
# hook the outbox worker knows. "operators" tells the operators; flows add their own (the
# builder handoff routes the case to the next builder).
TELL_OPERATORS = "operators"


@dataclass(frozen=True)
class OutboxMessage:
    """A message to someone other than the person acting, written with the change that
    causes it and delivered by the outbox worker (at least once, in order per recipient).

    `reply` is abstract: it is rendered in the recipient's language when it goes out.
    `key` names the message so that a later change can replace it: a message with
    `kind="edit"` and the same key edits the newest message sent with that key to the same
    chat, or is sent as a new message when that cannot be edited (or was never sent).
    `reason` says in a few words why it is sent (for operators and logs; no personal data).
    """

    chat_id: int
    reply: Reply
    reason: str = ""
    on_blocked: str = TELL_OPERATORS
    key: str | None = None
    kind: Literal["send", "edit"] = "send"
    # Sent without sound (`disable_notification`): an offer outside working hours.
    silent: bool = False
    # Instead of `reply`'s text: a copy of a message someone sent the bot (`copyMessage`),
    # as (chat id, message id); `reply` then holds the buttons to show with it.
    copy_of: tuple[int, int] | None = None


# What became of a handoff (bot/flows/handoff.py has the transitions).
DRAFT, OFFERED, UNASSIGNED, ACCEPTED, CLOSED, CANCELLED = (
    "draft",
    "offered",
    "unassigned",
    "accepted",
    "closed",
    "cancelled",
)


@dataclass(frozen=True)
class Handoff:
    """A resident's request that a community builder contact them.

    `details` is what the resident answered (JSON values): what a builder may see before
    accepting (the kind of plan, needs, how to contact, interpreter) and only after (name,
    their own words, voice notes); bot/flows/handoff.py decides which is which. `tiers` are
    the builder ids to offer it to, a tier at a time, fixed when the resident consented.
    `owner` is None once the resident used /forget (the case is anonymised).
    """

    reference: str
    owner: int | None
    language: str
    area: int | None
    municipality: str | None
    initiative: str | None
    details: Mapping[str, Any]
    state: str
    created_at: dt.datetime
    tiers: tuple[tuple[str, ...], ...] = ()
    tier: int = 0
    builder: str | None = None
    consent_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    outcome: str | None = None
    closed_at: dt.datetime | None = None
    # Builder id to the state of the offer made to them ('open', 'passed', 'taken', ...).
    offers: Mapping[str, str] = field(default_factory=dict)


# What became of a request for support (bot/flows/requesting.py has the conversation, the
# status buttons of municipal staff move it on).
R_DRAFT, SUBMITTED, RECEIVED, IN_REVIEW, QUESTION, APPROVED, PARTLY, REJECTED, R_WITHDRAWN = (
    "draft",
    "submitted",
    "received",
    "in_review",
    "question",
    "approved",
    "partly_approved",
    "rejected",
    "withdrawn",
)
STAFF = "staff"  # the role of municipal staff, bound to one municipality by an invite link


@dataclass(frozen=True)
class Desk:
    """The municipality a staff account is bound to (`buurtbot invite staff`): its code and
    its name as the loaded directory has it."""

    municipality: str
    name: str


@dataclass(frozen=True)
class RequestEvent:
    """One change of a request: when, by whom (a role, and the account if there is one), the
    state it moved to, and what came with it (a note, an amount)."""

    at: dt.datetime
    by_role: str
    state: str
    note: str | None = None
    amount: str | None = None


@dataclass(frozen=True)
class SupportRequest:
    """A resident's request for support from their municipality.

    `answers` are the request conversation's answers (JSON values); `reference` is None until
    it is submitted (`AMS-2026-0042`). `uuid` is its own identity in the back office.
    `supporters` counts the neighbours who support it.
    """

    uuid: str
    municipality: str
    owner: int | None
    language: str
    kind: str
    answers: Mapping[str, Any]
    state: str
    created_at: dt.datetime
    reference: str | None = None
    initiative: str | None = None
    district: str | None = None
    submitted_at: dt.datetime | None = None
    case_number: str | None = None
    letter_date: dt.date | None = None
    object_url: str | None = None
    supporters: int = 0
    history: tuple[RequestEvent, ...] = ()
