"""Community builders in their private chat: their menu, their (open) cases, pausing.

The same shape as the operator audience (bot/flows/operating.py): a pure function from
(person, session, input) to a `Turn`. Which builder the person is comes in `env.seat`, read
from the store with the directory on every turn, so a builder removed from the directory is
refused at once (`refused`), whatever their old buttons say.

Pausing asks one date, read as residents' dates are read (bot/flows/dates.py): while the
question is open, `Session.confirming` is `PAUSE`, so typed text is taken as the date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.domain import RESIDENT, Handoff, Resident, Session
from bot.flows import conversation, handoff_screens, offers, screens
from bot.flows import validators as v
from bot.flows.conversation import Command, Env, Input, Turn
from bot.flows.effects import PauseBuilder
from bot.flows.engine import Tapped
from bot.flows.handoff import ACCEPT, ASSIGN, PASS
from bot.flows.kinds import Typed
from bot.replies import N_, Code, Day, Msg, Reply


@dataclass(frozen=True)
class OpenCases:
    """Query: a builder's accepted cases and the offers waiting for their answer."""

    builder_id: str


def answer_query(query: OpenCases, found: Sequence[Handoff], env: Env) -> tuple[Reply, ...]:
    if not found:
        none = N_(
            "You have no open cases. When a resident in your area asks for help, you get a "
            "message here."
        )
        return (menu(env, none),)
    replies = [handoff_screens.case_card(h, query.builder_id) for h in found[:20]]
    return (*replies, menu(env))


PAUSE = "pause"  # `Session.confirming` while the pause question waits for its date
PAUSE_DAYS = 366  # a pause ends within a year: longer is not a holiday


def menu(env: Env, intro: Msg | None = None) -> Reply:
    """The builder menu, with "Paused until …" while a pause lasts."""
    assert env.seat is not None
    today = env.now.date()
    until = env.seat.paused_until if env.seat.paused(today) else None
    return screens.builder_menu(until, intro=intro)


def handle(person: Resident, session: Session, event: Input, env: Env, *, pausing: bool) -> Turn:
    """A builder's input, in the builder audience (`pausing`: the pause question is open)."""
    if isinstance(event, Tapped):
        return _tap(person, session, event.token, env)
    if isinstance(event, Command):
        if conversation.is_deep_link(event):
            return conversation.handle(person, session, event, env)
        if event.name == "help":
            return Turn(person, session, (screens.builder_help(), menu(env)))
        if event.name == "language":
            return Turn(person, session, (screens.language_picker(env.languages),))
        if event.name in ("start", "menu", "cancel"):
            return Turn(person, session, (menu(env),))
        unknown = Reply.of(
            N_(
                "I do not know the command {command}. Type /help to see what I can do.",
                command=Code(f"/{event.name}"),
            )
        )
        return Turn(person, session, (unknown, menu(env)))
    if pausing and isinstance(event, Typed):
        return _pause_until(person, session, event.text, env)
    intro = N_("This is the community builder menu. Tap a button.")
    return Turn(person, session, (menu(env, intro),))


def _tap(person: Resident, session: Session, data: str, env: Env) -> Turn:
    kind, _, what = data.partition(":")
    assert env.seat is not None
    if kind == screens.BUILDER and what == screens.B_HOME:
        return Turn(person, session, (menu(env),))
    if kind == screens.BUILDER and what == screens.B_HELP:
        return Turn(person, session, (screens.builder_help(), menu(env)))
    if kind == screens.BUILDER and what == screens.B_CASES:
        return Turn(person, session, query=OpenCases(env.seat.builder_id))
    if kind == screens.BUILDER and what.split(":")[0] in (ACCEPT, PASS, ASSIGN):
        return offers.handle(person, session, data, env, menu(env))
    if kind == screens.BUILDER and what == screens.B_PAUSE:
        return Turn(person, replace(session, confirming=PAUSE), (screens.pause_question(),))
    if kind == screens.BUILDER and what == screens.B_RESUME:
        resumed = replace(env, seat=replace(env.seat, paused_until=None))
        on = N_("Notifications are on again. You can get new requests.")
        effect = PauseBuilder(env.seat.builder_id, None)
        return Turn(person, session, (menu(resumed, on),), effects=(effect,))
    if kind == screens.MENU and what == screens.PICK_LANGUAGE:
        return Turn(person, session, (screens.language_picker(env.languages),))
    return conversation.stale(person, session, env)


def _pause_until(person: Resident, session: Session, text: str, env: Env) -> Turn:
    assert env.seat is not None
    parsed = v.parse_date(
        text,
        today=env.now.date(),
        words=env.dates if env.dates is not None else env.months,
        horizon_days=PAUSE_DAYS,
    )
    if isinstance(parsed, v.Problem):
        asking = replace(session, confirming=PAUSE)
        return Turn(person, asking, (Reply.of(parsed.message), screens.pause_question()))
    until: dt.date = parsed.value
    paused = replace(env, seat=replace(env.seat, paused_until=until))
    said = N_("Notifications are paused until {date}.", date=Day(until, full=True))
    effect = PauseBuilder(env.seat.builder_id, until)
    return Turn(person, session, (menu(paused, said),), effects=(effect,))


def refused(person: Resident, session: Session, env: Env) -> Turn:
    """A builder removed from the directory: a polite no, and the resident menu."""
    back = replace(session, audience=RESIDENT, confirming=None)
    no = N_(
        "You are no longer registered as a community builder, so this button does not work "
        "for you any more. Questions? Ask the organisation you work for."
    )
    return Turn(person, back, (Reply.of(no), conversation.menu(person)), stale=True)
