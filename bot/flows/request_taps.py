"""The resident's buttons for requests for support (`rq:`): which municipality, start the
request (bot/flows/requesting.py), "My support requests" and withdrawing.

A saved plan or a request a button names is looked up before the turn among the person's
own (`Env.plan`, `Env.request`), so a forged or old button changes and shows nothing of
anyone else's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.directory import Municipality
from bot.domain import Resident, Session, SupportRequest
from bot.flows import conversation, supporting
from bot.flows.conversation import Env, Turn
from bot.flows.effects import Moved, Result, WithdrawRequest
from bot.flows.initiative import Initiative
from bot.flows.requesting import (
    _TAP,
    DECIDED,
    GO,
    KIND_LABELS,
    MINE,
    PICK,
    PLAN,
    RQ,
    STATE_NAMES,
    SUBMIT_REQUEST,
    WITHDRAW,
    WITHDRAW_YES,
    _area,
    intro,
    municipality_intro,
)
from bot.municipal import MONEY
from bot.replies import N_, NP_, Button, Code, Day, Listing, Reply

# --- Taps ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyRequests:
    """Query: the resident's requests for support, newest first."""


NOT_YOURS = N_("I cannot find that request. Here is the menu.")


def handle(person: Resident, session: Session, token: str, env: Env) -> Turn:
    """A tap on an `rq:` button."""
    found = _TAP.match(token)
    if found is None:
        return conversation.stale(person, session, env)
    action = found["action"]
    language = person.language or ""
    directory = None if env.lookup is None else env.lookup.directory
    if action == MINE:
        return Turn(person, session, query=MyRequests())
    if action == PLAN:
        plan = env.plan
        if plan is None or plan.reference != found["reference"] or plan.withdrawn:
            return Turn(person, session, (conversation.menu(person, NOT_YOURS),), stale=True)
        return Turn(
            person, session, (intro(directory, _area(plan.postcode), plan.reference, language),)
        )
    if action in (PICK, GO):
        plan_ref = None if found["plan"] in (None, "-") else found["plan"]
        if plan_ref is not None and (env.plan is None or env.plan.reference != plan_ref):
            return conversation.stale(person, session, env)
        area = int(found["area"])
        m = next(
            (
                m
                for m in (directory.municipalities_of(area) if directory else ())
                if m.code == found["code"]
            ),
            None,
        )
        if m is None:
            return conversation.stale(person, session, env)
        if action == PICK or m.support is None or not m.support.kinds():
            return Turn(person, session, (municipality_intro(m, area, plan_ref, language),))
        return _start(person, session, m, area, env.plan if plan_ref else None, env)
    return _withdraw(person, session, action, found["reference"], env)


def _start(
    person: Resident,
    session: Session,
    m: Municipality,
    area: int,
    plan: Initiative | None,
    env: Env,
) -> Turn:
    assert m.support is not None
    district = m.district_of(area)
    context: dict[str, Any] = {
        "municipality": m.code,
        "name": m.name,
        "district": None if district is None else district.name,
        "area": area,
        "support": m.support.to_json(),
        "today": env.now.date().isoformat(),
    }
    answers: dict[str, Any] = {}
    if plan is not None:
        context["plan"] = plan.reference
        planned = plan.answers()
        # The plan goes with the request, as the resident wrote it (staff and the office read
        # what it is about; the kind of plan, too).
        context["plan_answers"] = {k: planned[k] for k in ("title", "plan", "category")}
        kinds = m.support.kinds()
        if MONEY in kinds and MONEY in (planned.get("needs") or ()):
            answers["kind"] = MONEY
        when = planned.get("when")
        if isinstance(when, str) and when >= env.now.date().isoformat():
            answers["date"] = when
        if isinstance(planned.get("postcode"), str):
            answers["postcode"] = planned["postcode"]
    return conversation.begin(person, session, SUBMIT_REQUEST, env, context, answers)


def _withdraw(
    person: Resident, session: Session, action: str, reference: str | None, env: Env
) -> Turn:
    request = env.request
    if request is None or request.reference != reference or request.owner != person.user_id:
        return Turn(person, session, (conversation.menu(person, NOT_YOURS),), stale=True)
    if request.state in DECIDED:
        said = N_(
            "Request {reference} can no longer be withdrawn: {state}.",
            reference=Code(request.reference or ""),
            state=STATE_NAMES.get(request.state, Code(request.state)),
        )
        return Turn(person, session, (Reply.of(said), conversation.menu(person)))
    if action == WITHDRAW:
        return Turn(person, session, (withdraw_question(request),))
    channel = None
    directory = None if env.lookup is None else env.lookup.directory
    m = None if directory is None else directory.municipality(request.municipality)
    if m is not None and m.support is not None:
        channel = m.support.channel(request.district)
    tell_staff = Reply.of(
        N_(
            "The resident withdrew request {reference}.",
            reference=Code(request.reference or ""),
        )
    )
    effect = WithdrawRequest(person.user_id, request.reference or "", channel, tell_staff)

    def told(results: Sequence[Result]) -> tuple[Reply, ...]:
        [moved] = results
        if isinstance(moved, Moved) and moved.moved:
            said = N_(
                "Done. Request {reference} is withdrawn. The municipality is told.",
                reference=Code(request.reference or ""),
            )
        else:
            said = N_(
                "Request {reference} can no longer be withdrawn.",
                reference=Code(request.reference or ""),
            )
        return (Reply.of(said), conversation.menu(person))

    return Turn(person, session, effects=(effect,), then=told)


def withdraw_question(request: SupportRequest) -> Reply:
    ref = request.reference or ""
    return Reply.of(
        N_(
            "Do you want to withdraw request {reference}? The municipality is told, and "
            "stops working on it.",
            reference=Code(ref),
        ),
        buttons=(
            (Button(NP_("button", "Yes, withdraw it"), f"{RQ}:{WITHDRAW_YES}:{ref}", "🗄"),),
            (Button(NP_("button", "No, keep it"), f"{RQ}:{MINE}", "↩"),),
        ),
    )


def my_requests(found: Sequence[SupportRequest], person: Resident) -> tuple[Reply, ...]:
    """Each request with its state and history, and Withdraw while it is not decided."""
    if not found:
        return (conversation.menu(person, N_("You have not sent a request for support yet.")),)
    replies: list[Reply] = []
    for r in found:
        history = Listing(
            tuple(
                N_(
                    "{day}: {state}",
                    day=Day(e.at.date()),
                    state=STATE_NAMES.get(e.state, Code(e.state)),
                )
                for e in r.history
            )
        )
        text = N_(
            "<b>{reference}</b>: {kind}\nNow: {state}\n{history}",
            reference=Code(r.reference or ""),
            kind=KIND_LABELS.get(r.kind, Code(r.kind)),
            state=STATE_NAMES.get(r.state, Code(r.state)),
            history=history,
        )
        buttons: tuple[tuple[Button, ...], ...] = ()
        if r.state not in DECIDED and r.reference is not None:
            # While it is open: a link for neighbours who support it, and withdrawing it.
            buttons = (
                (supporting.link_button(r.reference),),
                (Button(NP_("button", "Withdraw"), f"{RQ}:{WITHDRAW}:{r.reference}", "🗄"),),
            )
        replies.append(Reply.of(text, buttons=buttons))
    replies.append(conversation.menu(person))
    return tuple(replies)
