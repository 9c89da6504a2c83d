"""The builder's side of a handoff: Accept, Pass, and a coordinator's "Assign to …".

Each tap is checked against the handoff as stored (`Env.handoff`) and the presser's seat
(`Env.seat`): only a builder with an open offer may accept or pass it, only a coordinator of
the team it was routed to may assign it, and only to someone of that team. Anything else is
a polite refusal that changes nothing. The transition itself is conditional in the store, so
of two builders who accept at once, one wins and the other hears it was taken.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain import OFFERED, UNASSIGNED, Handoff, OutboxMessage, Resident, Session
from bot.flows import handoff, handoff_screens
from bot.flows.conversation import Env, Turn
from bot.flows.effects import Moved, PassOffer, Result, TakeHandoff
from bot.flows.handoff import ACCEPT, ASSIGN, PASS
from bot.replies import N_, Code, Reply

NOT_FOR_YOU = N_("This request is not for you, or no longer open. Nothing changed.")


def handle(person: Resident, session: Session, token: str, env: Env, menu: Reply) -> Turn:
    """A tap on `b:acc:<ref>`, `b:pass:<ref>` or `b:asg:<ref>:<builder id>`."""
    assert env.seat is not None
    _b, _, rest = token.partition(":")
    action, _, tail = rest.partition(":")
    reference, _, target = tail.partition(":")
    found = env.handoff
    refused = Turn(person, session, (Reply.of(NOT_FOR_YOU), menu), stale=True)
    if found is None or found.reference != reference or env.lookup is None:
        return refused
    me = env.seat.builder_id
    if action == ACCEPT and not target:
        if found.state != OFFERED or found.offers.get(me) != "open":
            return Turn(person, session, (handoff_screens.too_late(reference), menu), stale=True)
        return _take(person, session, found, me, OFFERED, env, menu)
    if action == PASS and not target:
        if found.state != OFFERED or found.offers.get(me) != "open":
            return Turn(person, session, (handoff_screens.too_late(reference), menu), stale=True)
        return _pass(person, session, found, me, menu)
    if action == ASSIGN and target:
        if not _may_assign(found, me, target, env):
            return refused
        if found.state != UNASSIGNED:
            return Turn(person, session, (handoff_screens.too_late(reference), menu), stale=True)
        return _take(person, session, found, target, UNASSIGNED, env, menu)
    return refused


def _may_assign(found: Handoff, me: str, target: str, env: Env) -> bool:
    """A coordinator of a team the handoff was routed to, assigning someone of that team."""
    assert env.lookup is not None
    coordinator, chosen = env.lookup.builder(me), env.lookup.builder(target)
    if coordinator is None or chosen is None or not coordinator.coordinator:
        return False
    teams = {b.team_key for tier in found.tiers for i in tier if (b := env.lookup.builder(i))}
    return (
        coordinator.team_key in teams
        and chosen.team_key == coordinator.team_key
        and target in env.lookup.accounts
    )


def _take(
    person: Resident,
    session: Session,
    found: Handoff,
    builder_id: str,
    expect: str,
    env: Env,
    menu: Reply,
) -> Turn:
    assert env.lookup is not None
    builder = env.lookup.builder(builder_id)
    assert builder is not None
    details = handoff_screens.accepted_details(found)
    assigned: tuple[OutboxMessage, ...] = ()
    if expect == UNASSIGNED:
        user_id = env.lookup.accounts[builder_id]
        assigned = tuple(
            OutboxMessage(user_id, r, reason="handoff assigned", on_blocked=handoff.ON_BLOCKED)
            for r in (_assigned_intro(found.reference), *details)
        )
    take = TakeHandoff(
        found.reference,
        builder_id,
        expect,
        taken=handoff_screens.taken(found.reference),
        tell_owner=handoff_screens.resident_told(found, builder, env.lookup),
        tell_builder=assigned,
    )

    def told(results: Sequence[Result]) -> tuple[Reply, ...]:
        [moved] = results
        assert isinstance(moved, Moved)
        if not moved.moved:
            return (handoff_screens.too_late(found.reference), menu)
        if expect == UNASSIGNED:
            done = N_(
                "Request {reference} is assigned to {name}. They and the resident are told.",
                reference=Code(found.reference),
                name=Code(builder.name),
            )
            return (Reply.of(done), menu)
        return (*details, menu)

    return Turn(person, session, effects=(take,), then=told)


def _assigned_intro(reference: str) -> Reply:
    return Reply.of(
        N_(
            "Your coordinator gave you request {reference}. Here is everything about it.",
            reference=Code(reference),
        )
    )


def _pass(person: Resident, session: Session, found: Handoff, me: str, menu: Reply) -> Turn:
    def told(results: Sequence[Result]) -> tuple[Reply, ...]:
        [moved] = results
        assert isinstance(moved, Moved)
        if not moved.moved:
            return (handoff_screens.too_late(found.reference), menu)
        return (handoff_screens.passed(found.reference), menu)

    return Turn(person, session, effects=(PassOffer(found.reference, me),), then=told)
