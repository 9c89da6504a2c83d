"""Which conversation an input belongs to: the resident's, or that of another role.

Buttons carry their audience in their prefix (`op:` for operators), so a tap goes to the
conversation it came from, checked against the roles the person holds now. Typed text and
commands go to the audience whose menu the person chose last (`Session.audience`); first
contact (a language, the greeting, the privacy notice) is the resident conversation's for
everyone.
"""

from __future__ import annotations

from dataclasses import replace

from bot.domain import BUILDER, OPERATOR, RESIDENT, STAFF, Resident, Session
from bot.flows import (
    asking,
    building,
    conversation,
    handoff,
    neighbours,
    operating,
    privacy,
    relay,
    request_taps,
    requesting,
    screens,
    staffing,
    supporting,
)
from bot.flows.conversation import Command, Env, Input, Turn
from bot.flows.engine import Tapped
from bot.replies import Reply


def handle(person: Resident, session: Session, event: Input, env: Env) -> Turn:
    ready = person.language is not None and person.greeted
    if ready and privacy.handles(event):
        # /mydata and /forget work the same for every role (before the greeting, they get it).
        turn = privacy.handle(person, session, event, env)
        return replace(turn, session=replace(turn.session, active_at=env.now))
    if ready and privacy.waiting(session, event, env.now):
        return privacy.ask_again(person, session, event, env)
    builder = ready and BUILDER in person.roles and env.seat is not None and env.seat.active
    answering = (session.confirming or "").startswith(staffing.ANSWERING)
    if ready and answering and isinstance(event, relay.MESSAGES):
        # "Answer the municipality" mode: the message is the answer, never a flow's.
        return _active(staffing.answer(person, replace(session, writing=None), event, env), env)
    if ready and session.confirming != building.PAUSE:
        relayed = relay.handle(person, session, event, env, builder=builder)
        if relayed is not None:
            return relayed
    # Anything else ends "Write to …" mode: no flow answer is ever relayed, nor the reverse.
    session, stopped = relay.left(session, event)
    if stopped:
        turn = _route(person, session, event, env)
        return replace(turn, replies=(Reply.of(relay.STOPPED), *turn.replies))
    return _route(person, session, event, env)


def _route(person: Resident, session: Session, event: Input, env: Env) -> Turn:
    ready = person.language is not None and person.greeted
    # Any other command or button (or coming back later) leaves the /forget question
    # unanswered: nothing is deleted. (A builder's pause question is theirs to answer.)
    pausing = session.confirming == building.PAUSE
    staff = ready and STAFF in person.roles and env.desk is not None
    confirming = session.confirming or ""
    details = confirming if staff and confirming.startswith(staffing.ASKING) else None
    session = replace(session, confirming=None)
    builder = ready and BUILDER in person.roles and env.seat is not None and env.seat.active
    removed = ready and env.seat is not None and not env.seat.active
    if isinstance(event, Tapped):
        kind, _, rest = event.token.partition(":")
        if kind == screens.SWITCH and ready and rest == BUILDER and not builder:
            return (building.refused if removed else conversation.stale)(person, session, env)
        if kind == screens.SWITCH and ready and rest == STAFF and staff:
            switched = replace(session, audience=STAFF)
            return _active(
                staffing.handle(person, switched, Command("menu"), env, asking=None), env
            )
        if kind == screens.SWITCH and ready:
            return operating.switch(person, session, rest, env)
        if kind == staffing.ST:
            if staff:
                # What staff type next (a question, an amount) is theirs: their audience.
                at_desk = replace(session, audience=STAFF)
                return _active(staffing.handle(person, at_desk, event, env, asking=details), env)
            return conversation.stale(person, session, env)
        if kind == staffing.ANSWER and ready:
            # The resident's answer to the municipality: theirs whatever menu they were in.
            resident = replace(session, audience=RESIDENT)
            return _active(staffing.start_answer(person, resident, rest, env), env)
        if kind == screens.BUILDER:
            if builder:
                return _active(building.handle(person, session, event, env, pausing=False), env)
            if removed:
                return building.refused(person, session, env)
            return conversation.stale(person, session, env)
        if kind == screens.OP:
            if ready and OPERATOR in person.roles:
                return operating.handle(person, session, event, env)
            return conversation.stale(person, session, env)
        if kind in (screens.LANGUAGE, screens.GREETED, screens.PRIVACY):
            return conversation.handle(person, session, event, env)
        if kind == supporting.NEIGHBOUR and ready:
            # Support from neighbours: theirs whatever menu they were in.
            turn = neighbours.handle(person, replace(session, audience=RESIDENT), event.token, env)
            return replace(turn, session=replace(turn.session, active_at=env.now))
        if kind == handoff.HANDOFF and ready:
            # A resident's request for contact: theirs whatever menu they were in.
            turn = asking.handle(person, replace(session, audience=RESIDENT), event.token, env)
            return replace(turn, session=replace(turn.session, active_at=env.now))
        if kind == requesting.RQ and ready:
            # A resident's request for support: theirs whatever menu they were in.
            session = replace(session, audience=RESIDENT)
            turn = request_taps.handle(person, session, event.token, env)
            return replace(turn, session=replace(turn.session, active_at=env.now))
    if ready and session.audience == OPERATOR and OPERATOR in person.roles:
        turn = operating.handle(person, session, event, env)
        return replace(turn, session=replace(turn.session, active_at=env.now))
    if ready and session.audience == STAFF:
        if staff:
            return _active(staffing.handle(person, session, event, env, asking=details), env)
        session = replace(session, audience=RESIDENT)
    if ready and session.audience == BUILDER:
        if builder:
            return _active(building.handle(person, session, event, env, pausing=pausing), env)
        session = replace(session, audience=RESIDENT)  # removed from the directory meanwhile
    return conversation.handle(person, session, event, env)


def _active(turn: Turn, env: Env) -> Turn:
    return replace(turn, session=replace(turn.session, active_at=env.now))
