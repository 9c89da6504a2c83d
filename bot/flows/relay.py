"""After a builder accepted: resident and builder write to each other through the bot, and
either of them closes the case. Pure, like every flow.

"Write to …" is an explicit mode (`Session.writing` = `<side>:<reference>`, the side being the
button prefix `hf` for the resident, `b` for the builder): while it lasts, what the person
sends (text, a voice note, a photo, …) is never a flow answer; it goes to the other side as a
copy of their message (`copyMessage`, so neither sees the other's username or phone number
unless they write it), with a header that names the case. A Telegram reply to such a copy
writes to that copy's case (`Env.replied`, found from the outbox key `relay:<reference>`), so
a builder with several cases answers each where it came in. The mode ends with Stop, /menu,
/cancel, /start, any other button, or after `IDLE` without messages: a message after that is
not sent, and the person is told so and shown their menu.

Every button and message is checked against the handoff as stored (`Env.handoff`) and the
presser's side: only its resident and the builder who holds it, only while it is accepted.
The store checks again when it commits (`RelayMessage`, `CloseHandoff`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.domain import (
    ACCEPTED,
    BUILDER,
    CANCELLED,
    CLOSED,
    Handoff,
    OutboxMessage,
    Resident,
    Session,
)
from bot.flows import building, conversation, handoff
from bot.flows.conversation import Command, Env, Input, Turn
from bot.flows.effects import CloseHandoff, Moved, RelayMessage, Result
from bot.flows.engine import Tapped
from bot.flows.handoff import CLOSE, HANDOFF, NOT_NEEDED, OUTCOME, STOP_WRITING, WRITE
from bot.flows.kinds import Origin, Sent, SharedContact, SharedLocation, Typed, Voice
from bot.replies import N_, NP_, Button, Code, Msg, Param, Reply, Said

IDLE = dt.timedelta(minutes=30)
RESIDENT_SIDE, BUILDER_SIDE = HANDOFF, "b"
KEY = "relay:"  # outbox key of a relayed copy: relay:<reference>
REFER = "refer:"  # `Session.confirming` while the builder names where they referred to
PICK = "pick:"  # `Session.confirming` while a builder picks the case for a message
HELPED, REFERRED, NO_CONTACT, NOT_NEEDED_ANY_MORE = "helped", "referred", "no_contact", "not_needed"
OUTCOMES = (
    (HELPED, NP_("outcome", "They were helped")),
    (REFERRED, NP_("outcome", "Referred to another organisation")),
    (NO_CONTACT, NP_("outcome", "No contact")),
    (NOT_NEEDED_ANY_MORE, NP_("outcome", "Help not needed")),
)
MESSAGES = (Typed, Voice, Sent, SharedContact, SharedLocation)
_ACTIONS = (WRITE, STOP_WRITING, CLOSE, OUTCOME, NOT_NEEDED)

NOT_YOURS = N_("I cannot find that conversation. Nothing was sent.")
IS_CLOSED = N_("This case is closed. I did not pass on your message.")
UNREACHABLE = N_(
    "The other side cannot be reached in this bot at the moment. I did not pass on your message."
)
STOPPED = N_("You stopped writing. Your messages no longer go to the other side.")
ENDED = N_(
    "You did not write for 30 minutes, so writing mode ended. I did not send this message. "
    "To write again, tap “Write to …”."
)


@dataclass(frozen=True)
class PickCase:
    """Query: a builder typed outside writing mode; their accepted cases to pick from."""

    builder_id: str


def named(token: str) -> str | None:
    """The handoff a relay button names, for the store to look up before the turn."""
    side, _, rest = token.partition(":")
    action, _, tail = rest.partition(":")
    if side not in (RESIDENT_SIDE, BUILDER_SIDE) or action not in _ACTIONS:
        return None
    reference = tail.partition(":")[0]
    return reference if handoff.reference_in(f"x:y:{reference}", "y", "x") else None


def writing_reference(session: Session) -> str | None:
    """The case a message may be for: the one the builder names a referral for, or the one
    the person is writing to."""
    if session.confirming is not None and session.confirming.startswith(REFER):
        return session.confirming[len(REFER) :] or None
    return None if session.writing is None else session.writing.partition(":")[2] or None


def replied_reference(key: str | None) -> str | None:
    """The case of a relayed copy, from the key of the outbox row that sent it."""
    if key is None or not key.startswith(KEY):
        return None
    return key[len(KEY) :] or None


def left(session: Session, event: Input) -> tuple[Session, bool]:
    """Anything but the relay's own input ends writing mode; True when /menu, /cancel or
    /start ended it (the person is told)."""
    if session.writing is None:
        return session, False
    told = isinstance(event, Command) and event.name in ("menu", "cancel", "start")
    return replace(session, writing=None), told


def handle(
    person: Resident, session: Session, event: Input, env: Env, *, builder: bool
) -> Turn | None:
    """The relay's turn, or None when the input is not the relay's."""
    if isinstance(event, Tapped):
        side, _, rest = event.token.partition(":")
        action, _, tail = rest.partition(":")
        if side not in (RESIDENT_SIDE, BUILDER_SIDE) or action not in _ACTIONS:
            return None
        if side == BUILDER_SIDE and not builder:
            return None  # the builder audience refuses it
        return _active(_tap(person, session, side, action, tail, env), env)
    if not isinstance(event, MESSAGES):
        return None
    if builder and session.confirming and session.confirming.startswith(REFER):
        if isinstance(event, Typed) and event.text.strip():
            reference = session.confirming[len(REFER) :]
            return _active(
                _close(
                    person,
                    session,
                    BUILDER_SIDE,
                    reference,
                    REFERRED,
                    env,
                    event.text.strip()[:200],
                ),
                env,
            )
        return Turn(person, session, (Reply.of(_REFER_ASK),))
    if env.replied is not None and env.handoff is not None:
        answering = _side_of(person, session, env.handoff, env, builder)
        if answering is not None:
            turn = _relay(person, session, answering, env.replied, event.origin, env)
            return _active(turn, env)
    if session.writing is not None:
        side, _, reference = session.writing.partition(":")
        idle = None if session.active_at is None else env.now - session.active_at
        out = replace(session, writing=None)
        if idle is not None and idle >= IDLE:
            return _active(Turn(person, out, (_menu(person, side, env, ENDED),)), env)
        if side == BUILDER_SIDE and not builder:
            return None
        return _active(_relay(person, session, side, reference, event.origin, env), env)
    if builder and session.audience == BUILDER and env.seat is not None and event.origin:
        # Typed to nobody in particular: which case is it for? It goes once they pick.
        waiting = replace(session, confirming=f"{PICK}{event.origin.message_id}")
        return _active(Turn(person, waiting, query=PickCase(env.seat.builder_id)), env)
    return None


def _active(turn: Turn, env: Env) -> Turn:
    return replace(turn, session=replace(turn.session, active_at=env.now))


def _side_of(
    person: Resident, session: Session, found: Handoff, env: Env, builder: bool
) -> str | None:
    mine = builder and env.seat is not None and found.builder == env.seat.builder_id
    if mine and (session.audience == BUILDER or found.owner != person.user_id):
        return BUILDER_SIDE
    if found.owner == person.user_id:
        return RESIDENT_SIDE
    return None


def _menu(person: Resident, side: str, env: Env, intro: Msg | None = None) -> Reply:
    if side == BUILDER_SIDE and env.seat is not None:
        return building.menu(env, intro)
    return conversation.menu(person, intro)


def _checked(person: Resident, side: str, reference: str, env: Env) -> Handoff | None:
    """The handoff, if it is this very one and the person is its resident or its builder."""
    found = env.handoff
    if found is None or found.reference != reference:
        return None
    if side == RESIDENT_SIDE and found.owner == person.user_id:
        return found
    if side == BUILDER_SIDE and env.seat is not None and found.builder == env.seat.builder_id:
        return found
    return None


def _refused(person: Resident, session: Session, side: str, said: Msg, env: Env) -> Turn:
    out = replace(session, writing=None, confirming=None)
    return Turn(person, out, (Reply.of(said), _menu(person, side, env)), stale=True)


def _closed_said(found: Handoff) -> Msg:
    return IS_CLOSED if found.state in (CLOSED, CANCELLED) else NOT_YOURS


def _builder_name(found: Handoff, env: Env) -> str | None:
    builder = None if env.lookup is None else env.lookup.builder(found.builder)
    return None if builder is None else builder.name


def _other(side: str, found: Handoff, env: Env) -> Param:
    """Who the person writes to, as they may see them."""
    if side == RESIDENT_SIDE:
        name = _builder_name(found, env)
        return N_("the community builder") if name is None else Code(name)
    name = found.details.get("name")
    return Said(name, found.language) if isinstance(name, str) else N_("the resident")


def _stop(side: str, reference: str) -> Button:
    return Button(NP_("button", "Stop writing"), f"{side}:{STOP_WRITING}:{reference}", "⏹")


def _tap(person: Resident, session: Session, side: str, action: str, tail: str, env: Env) -> Turn:
    reference, _, extra = tail.partition(":")
    if action == STOP_WRITING:
        out = replace(session, writing=None)
        return Turn(person, out, (_menu(person, side, env, STOPPED),))
    found = _checked(person, side, reference, env)
    if found is None:
        return _refused(person, session, side, NOT_YOURS, env)
    if found.state != ACCEPTED:
        return _refused(person, session, side, _closed_said(found), env)
    if action == WRITE:
        return _write(person, session, side, found, env)
    if action == NOT_NEEDED and side == RESIDENT_SIDE:
        return _close(person, session, side, reference, NOT_NEEDED_ANY_MORE, env)
    if action == CLOSE and side == BUILDER_SIDE:
        return Turn(person, replace(session, writing=None), (_outcomes(reference),))
    if action == OUTCOME and side == BUILDER_SIDE and extra in dict(OUTCOMES):
        if extra == REFERRED:
            asking = replace(session, writing=None, confirming=f"{REFER}{reference}")
            return Turn(person, asking, (Reply.of(_REFER_ASK),))
        return _close(person, session, side, reference, extra, env)
    return _refused(person, session, side, NOT_YOURS, env)


_REFER_ASK = N_(
    "To which organisation did you refer them? A short name is enough. For example: Juridisch Loket"
)


def _outcomes(reference: str) -> Reply:
    return Reply(
        (N_("How did request {reference} end?", reference=Code(reference)),),
        tuple(
            (Button(label, f"{BUILDER_SIDE}:{OUTCOME}:{reference}:{code}"),)
            for code, label in OUTCOMES
        ),
    )


def _write(person: Resident, session: Session, side: str, found: Handoff, env: Env) -> Turn:
    writing = replace(session, writing=f"{side}:{found.reference}")
    pending = session.confirming if side == BUILDER_SIDE else None
    if pending is not None and pending.startswith(PICK) and pending[len(PICK) :].isdigit():
        # The message they typed before picking this case goes now.
        origin = Origin(person.user_id, int(pending[len(PICK) :]))
        return _relay(person, replace(writing, confirming=None), side, found.reference, origin, env)
    said = N_(
        "Write your message to {name} now: text, a voice message or a photo. I pass it on "
        "without your phone number or username. Tap Stop writing when you are done.",
        name=_other(side, found, env),
    )
    return Turn(person, writing, (Reply((said,), ((_stop(side, found.reference),),)),))


def _relay(
    person: Resident,
    session: Session,
    side: str,
    reference: str,
    origin: Origin | None,
    env: Env,
) -> Turn:
    found = _checked(person, side, reference, env)
    if found is None:
        return _refused(person, session, side, NOT_YOURS, env)
    if found.state != ACCEPTED or found.builder is None:
        return _refused(person, session, side, _closed_said(found), env)
    if side == RESIDENT_SIDE:
        to = None if env.lookup is None else env.lookup.accounts.get(found.builder)
        header = N_(
            "Message from {name} about request {reference}:",
            name=_other(BUILDER_SIDE, found, env),
            reference=Code(reference),
        )
        answer = Button(NP_("button", "Reply"), f"{BUILDER_SIDE}:{WRITE}:{reference}", "↩")
    else:
        to = found.owner
        header = N_(
            "Message from {name}, your community builder (request {reference}):",
            name=_other(RESIDENT_SIDE, found, env),
            reference=Code(reference),
        )
        answer = Button(NP_("button", "Reply"), f"{RESIDENT_SIDE}:{WRITE}:{reference}", "↩")
    if to is None or origin is None:
        return _refused(person, session, side, UNREACHABLE, env)
    copy = OutboxMessage(
        to,
        Reply((header,), ((answer,),)),
        reason="relay",
        key=f"{KEY}{reference}",
        copy_of=(origin.chat_id, origin.message_id),
    )
    writing = replace(session, writing=f"{side}:{reference}", confirming=None)
    effect = RelayMessage(reference, found.owner, found.builder, copy) if found.owner else None
    if effect is None:
        return _refused(person, session, side, UNREACHABLE, env)
    name = _other(side, found, env)

    def told(results: Sequence[Result]) -> tuple[Reply, ...]:
        [moved] = results
        assert isinstance(moved, Moved)
        if not moved.moved:
            return (Reply.of(IS_CLOSED), _menu(person, side, env))
        sent = N_("Sent to {name}.", name=name)
        return (Reply((sent,), ((_stop(side, reference),),)),)

    return Turn(person, writing, effects=(effect,), then=told)


def _close(
    person: Resident,
    session: Session,
    side: str,
    reference: str,
    outcome: str,
    env: Env,
    referred_to: str | None = None,
) -> Turn:
    """The builder closes with an outcome, or the resident says help is not needed any more."""
    found = _checked(person, side, reference, env)
    out = replace(session, writing=None, confirming=None)
    if found is None:
        return _refused(person, out, side, NOT_YOURS, env)
    if found.state != ACCEPTED or found.builder is None:
        return _refused(person, out, side, _closed_said(found), env)
    tell: tuple[OutboxMessage, ...] = ()
    if side == BUILDER_SIDE:
        if found.owner is not None:
            tell = (
                OutboxMessage(
                    found.owner, _resident_closed(found, outcome, referred_to, env), "case closed"
                ),
            )
        done = N_(
            "Request {reference} is closed. Thank you for your help.", reference=Code(reference)
        )
    else:
        account = None if env.lookup is None else env.lookup.accounts.get(found.builder)
        if account is not None:
            said = N_(
                "The resident closed request {reference}: they do not need help any more. "
                "Thank you.",
                reference=Code(reference),
            )
            tell = (OutboxMessage(account, Reply.of(said), "case closed"),)
        done = N_(
            "Request {reference} is closed. I told the community builder. Thank you, and good "
            "luck with your plans.",
            reference=Code(reference),
        )
    by = "builder" if side == BUILDER_SIDE else "resident"
    effect = CloseHandoff(reference, found.owner, found.builder, by, outcome, tell, referred_to)

    def told(results: Sequence[Result]) -> tuple[Reply, ...]:
        [moved] = results
        assert isinstance(moved, Moved)
        if not moved.moved:
            return (
                Reply.of(N_("This case is closed already. Nothing changed.")),
                _menu(person, side, env),
            )
        return (_menu(person, side, env, done),)

    return Turn(person, out, effects=(effect,), then=told)


def _resident_closed(found: Handoff, outcome: str, referred_to: str | None, env: Env) -> Reply:
    """What the resident hears when their builder closes the case, in their language."""
    name = _other(RESIDENT_SIDE, found, env)
    reference = Code(found.reference)
    if outcome == REFERRED and referred_to:
        said = N_(
            "{name} closed request {reference}. They referred you to {organisation}. "
            "Thank you for using this bot.",
            name=name,
            reference=reference,
            organisation=Said(referred_to),
        )
    elif outcome == NO_CONTACT:
        said = N_(
            "{name} closed request {reference}, because you could not be reached. Do you still "
            "want help? Tap “Find a community builder” in the menu. Thank you.",
            name=name,
            reference=reference,
        )
    else:
        said = N_(
            "{name} closed request {reference}. Thank you for using this bot, and good luck "
            "with your plans.",
            name=name,
            reference=reference,
        )
    return Reply.of(said)


def answer_query(query: PickCase, found: Sequence[Handoff], env: Env) -> tuple[Reply, ...]:
    """The builder's accepted cases to pick one for the message they typed."""
    cases = [h for h in found if h.state == ACCEPTED and h.builder == query.builder_id]
    if not cases:
        return (building.menu(env, N_("This is the community builder menu. Tap a button.")),)
    return (
        Reply(
            (N_("Which case is your message for? Tap it, and I pass your message on."),),
            tuple(
                (Button(_case_label(h), f"{BUILDER_SIDE}:{WRITE}:{h.reference}", "✉"),)
                for h in cases[:20]
            ),
        ),
    )


def _case_label(found: Handoff) -> Code:
    name = found.details.get("name")
    return Code(f"{found.reference} · {name}" if isinstance(name, str) else found.reference)
