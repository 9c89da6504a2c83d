"""The turns of support from neighbours (the words and the flow are in `bot.flows.supporting`).

A neighbour's link (`/start <token>`) and their buttons (`nb:yes:<token>`, `nb:no:<token>`)
are checked against the request the token names as stored (`Env.invitation`, looked up before
the turn), never trusted as sent; a token the store does not know is a role invite's business
(`conversation._deep_link` redeems it, and says kindly that it does not know the link).
"""

from __future__ import annotations

from dataclasses import replace

from bot.domain import Resident, Session
from bot.flows import conversation, supporting
from bot.flows.conversation import Env, Turn
from bot.flows.supporting import ALREADY, NOT_NOW, NOT_OPEN, UNKNOWN_LINK
from bot.replies import Msg, Reply


def invited(resident: Resident, session: Session, env: Env) -> Turn:
    """A neighbour opened a support link (after first contact, if it was their first)."""
    session = replace(session, start_payload=None)
    found = env.invitation
    assert found is not None
    if found.already:
        return _told(resident, session, ALREADY, env)
    if not found.open:
        return _told(resident, session, NOT_OPEN, env)
    return Turn(resident, session, (supporting.plan_view(found),))


def handle(resident: Resident, session: Session, token: str, env: Env) -> Turn:
    """A tap on `nb:…`: support (then postcode and house number), no, or a link to share."""
    tapped = supporting.tap(token)
    if tapped is None:
        return conversation.stale(resident, session, env)
    action, value = tapped
    if action == supporting.LINK:
        return Turn(resident, session, query=supporting.ShareLink(value))
    if action == supporting.NO:
        # Nothing is kept: not the answer, not that the link was opened.
        return Turn(resident, session, (conversation.menu(resident, NOT_NOW),))
    found = env.invitation
    if found is None or found.token != value:
        return _told(resident, session, UNKNOWN_LINK, env)
    if found.already:
        return _told(resident, session, ALREADY, env)
    if not found.open:
        return _told(resident, session, NOT_OPEN, env)
    context = {"invite": value}
    return conversation.begin(resident, session, supporting.GIVE_SUPPORT, env, context)


def _told(resident: Resident, session: Session, said: Msg, env: Env) -> Turn:
    return Turn(resident, session, (Reply.of(said), *conversation.pending(resident, session, env)))
