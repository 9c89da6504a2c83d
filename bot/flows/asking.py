"""The resident's side of a handoff: who covers my area, ask them, consent, my requests.

Every button names a handoff or a place (bot/flows/handoff.py); the handoff is looked up
before the turn among the handoffs of this very resident (`Env.handoff`), so a forged or old
button changes nothing and shows nothing of anyone else's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain import (
    ACCEPTED,
    CANCELLED,
    DRAFT,
    OFFERED,
    UNASSIGNED,
    Handoff,
    Resident,
    Session,
)
from bot.flows import conversation, handoff, handoff_screens, tiers
from bot.flows.conversation import Env, Turn
from bot.flows.effects import OPERATORS, DropHandoff, Moved, Notify, Result, ShareHandoff
from bot.flows.finding import ASK_CONTACT, NOWHERE
from bot.flows.handoff import HANDOFF, Where
from bot.replies import N_, NP_, Button, Code, Msg, Reply


def stop_sharing(reference: str) -> Reply:
    """For a builder who holds the offer or the case, when the resident stops sharing."""
    return Reply.of(
        N_(
            "The resident stopped request {reference}. Please delete what you noted about it. "
            "You do not need to do anything else.",
            reference=Code(reference),
        )
    )


@dataclass(frozen=True)
class MyRequests:
    """Query: the resident's requests for contact, newest first."""


def handle(person: Resident, session: Session, token: str, env: Env) -> Turn:
    """A tap on an `hf:` button."""
    _kind, _, rest = token.partition(":")
    action, _, tail = rest.partition(":")
    if action == "mine":
        return Turn(person, session, query=MyRequests())
    if action == "plan":
        return _for_plan(person, session, tail, env)
    if action in (handoff.ASK, handoff.MUNICIPALITY):
        where = Where.parse(tail)
        if where is None or env.lookup is None:
            return conversation.stale(person, session, env)
        if where.plan is not None and (env.plan is None or env.plan.reference != where.plan):
            return conversation.stale(person, session, env)  # not this person's plan
        if action == handoff.MUNICIPALITY:
            return _shown(person, session, where, env)
        context = {"where": where.token()}
        if env.plan is not None and where.plan is not None:
            context["plan_answers"] = env.plan.answers()  # type: ignore[assignment]
        return conversation.begin(person, session, ASK_CONTACT, env, context)
    reference = handoff.handoff_named(token)
    found = env.handoff
    if reference is None or found is None or found.reference != reference:
        return Turn(person, session, (conversation.menu(person, NOT_YOURS),), stale=True)
    if found.owner != person.user_id:
        return Turn(person, session, (conversation.menu(person, NOT_YOURS),), stale=True)
    if action == handoff.YES:
        return _share(person, session, env)
    if action == handoff.NO:
        return _drop(person, session, reference, handoff_screens.NOT_SENT)
    if action == handoff.STOP:
        return _drop(person, session, reference, STOPPED)
    return conversation.stale(person, session, env)


NOT_YOURS = N_("I cannot find that request. Here is the menu.")
STOPPED = N_(
    "Done. I stopped sharing this request. The community builder is told to delete what they "
    "noted. Your consent is withdrawn."
)


def _for_plan(person: Resident, session: Session, reference: str, env: Env) -> Turn:
    """A saved plan's "Find a community builder": its postcode is reused."""
    plan = env.plan
    if plan is None or plan.reference != reference or plan.withdrawn:
        return Turn(person, session, (conversation.menu(person, NOT_YOURS),), stale=True)
    where = handoff.where_of(plan.postcode, plan.reference)
    if where is None or env.lookup is None:
        return Turn(person, session, (handoff_screens.no_builder(NOWHERE, Where()),))
    return _shown(person, session, where, env)


def _shown(person: Resident, session: Session, where: Where, env: Env) -> Turn:
    assert env.lookup is not None
    language = person.language or ""
    found = handoff.routed(env.lookup, language, where)
    shown = handoff_screens.who_covers(found, where, env.lookup)
    if found.found or len(found.municipalities) > 1:
        return Turn(person, session, (shown,))
    told = Notify(OPERATORS, handoff_screens.missing_builder(where, language), reason="no builder")
    return Turn(person, session, (shown,), effects=(told,))


def _share(person: Resident, session: Session, env: Env) -> Turn:
    """Consent: offer the handoff to its first tier that can be reached now."""
    found, lookup = env.handoff, env.lookup
    assert found is not None
    if found.state != DRAFT or lookup is None:
        return Turn(
            person, session, (Reply.of(_state_said(found.state)), conversation.menu(person))
        )
    offered = tiers.offering(found, lookup, env.now, 0)
    if offered is None:
        # Everyone it would go to left or paused since the consent screen: start the sweep's
        # way at once (it moves an offered handoff with no open offer to the coordinators).
        share = ShareHandoff(found.reference, person.user_id, 0, (), env.now, ())
    else:
        share = ShareHandoff(
            found.reference,
            person.user_id,
            offered.tier,
            offered.to,
            offered.due_at,
            tuple(tiers.offer_messages(found, offered)),
        )

    def told(results: Sequence[Result]) -> tuple[Reply, ...]:
        [moved] = results
        assert isinstance(moved, Moved)
        if not moved.moved:
            return (Reply.of(_state_said(moved.state)), conversation.menu(person))
        return (handoff_screens.sent(found, len(share.offers)), conversation.menu(person))

    return Turn(person, session, effects=(share,), then=told)


def _drop(person: Resident, session: Session, reference: str, said: Msg) -> Turn:
    drop = DropHandoff(reference, person.user_id, stop_sharing(reference))

    def told(results: Sequence[Result]) -> tuple[Reply, ...]:
        [moved] = results
        assert isinstance(moved, Moved)
        if not moved.moved:
            return (Reply.of(_state_said(moved.state)), conversation.menu(person))
        return (conversation.menu(person, said),)

    return Turn(person, session, effects=(drop,), then=told)


def _state_said(state: str | None) -> Msg:
    if state in (OFFERED, UNASSIGNED, ACCEPTED):
        return N_("This request was sent already. Nothing changed.")
    if state == CANCELLED:
        return N_("This request was stopped already. Nothing changed.")
    return NOT_YOURS


def my_requests(
    found: Sequence[Handoff], person: Resident, names: Mapping[str, str] | None = None
) -> tuple[Reply, ...]:
    """The resident's requests for contact, each with its state and a way to stop sharing;
    an accepted one also with "Write to …" (`names`: builder id to name) and a way to say
    that help is no longer needed."""
    if not found:
        return (conversation.menu(person, N_("You have no requests for contact yet.")),)
    replies: list[Reply] = []
    for h in found[:10]:
        stop = Button(NP_("button", "Stop sharing"), f"{HANDOFF}:{handoff.STOP}:{h.reference}", "✖")
        open_ = h.state in (OFFERED, UNASSIGNED, ACCEPTED)
        buttons: tuple[tuple[Button, ...], ...] = ((stop,),) if open_ else ()
        if h.state == ACCEPTED:
            name = (names or {}).get(h.builder or "")
            done = Button(
                NP_("button", "I do not need help any more"),
                f"{HANDOFF}:{handoff.NOT_NEEDED}:{h.reference}",
                "🏁",
            )
            buttons = ((handoff_screens.write_to_builder(h.reference, name),), (done,), *buttons)
        replies.append(
            Reply(
                (
                    N_("<b>Request {reference}</b>", reference=Code(h.reference)),
                    _state_line(h.state),
                ),
                buttons,
            )
        )
    return (*replies, conversation.menu(person))


def _state_line(state: str) -> Msg:
    if state == OFFERED:
        return N_("Sent. Waiting for a community builder to say yes.")
    if state == UNASSIGNED:
        return N_("Sent. The team's coordinator is choosing a community builder for you.")
    if state == ACCEPTED:
        return N_("A community builder said yes. They will contact you.")
    if state == CANCELLED:
        return N_("Stopped by you.")
    return N_("Closed.")
