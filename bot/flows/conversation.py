"""A resident's whole conversation: language, greeting, menu, resuming, and the flows.

`handle` is a pure function from (resident, session, input) to a `Turn`: the new state, the
replies, and what to store. The Telegram handlers only translate updates into inputs and turns
into messages; every decision a resident can notice is made here and tested without Telegram.

Every inline button carries where it came from. Flow and resume buttons also carry the
session's revision, which changes whenever the draft does and whenever a resume question is
asked, so a button from an older message (or callback data someone made up) can never act on
the wrong question. A resume button also needs its question to be the pending one: once it is
answered, by a tap or by typing, the same buttons are old.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from bot.domain import Resident, Session
from bot.flows import engine, screens
from bot.flows.engine import Ctx, Event, Flow, Tapped, Typed
from bot.flows.initiative import INITIATIVE, Initiative
from bot.flows.screens import Operator
from bot.replies import N_, Code, Msg, Reply

RESUME_AFTER = dt.timedelta(hours=12)
FLOWS: Mapping[str, Flow] = {INITIATIVE.name: INITIATIVE}


@dataclass(frozen=True)
class Command:
    name: str
    payload: str = ""


Input = Command | Event


@dataclass(frozen=True)
class Env:
    """The world around one turn, passed in so that `handle` stays pure."""

    now: dt.datetime
    languages: Mapping[str, str]  # code -> the language's own name
    telegram_language: str | None
    negotiate: Callable[[str | None], str | None]
    label_of: Callable[[Msg], str]
    months: Mapping[str, int]
    operator: Operator
    new_reference: Callable[[], str]


@dataclass(frozen=True)
class ListInitiatives:
    pass


@dataclass(frozen=True)
class ShowInitiative:
    reference: str


@dataclass(frozen=True)
class Turn:
    """The outcome of one input. `stale` marks a button that no longer applies."""

    resident: Resident
    session: Session
    replies: tuple[Reply, ...] = ()
    saved: Initiative | None = None
    query: ListInitiatives | ShowInitiative | None = None
    stale: bool = False


def _ctx(env: Env) -> Ctx:
    return Ctx(today=env.now.date(), label_of=env.label_of, months=env.months)


def _stamp(reply: Reply, rev: int) -> Reply:
    """Flow buttons carry the revision they were made for."""
    rows = tuple(
        tuple(replace(b, data=f"{screens.FLOW}:{rev}:{b.data}") for b in row)
        for row in reply.buttons
    )
    return replace(reply, buttons=rows)


def pending(resident: Resident, session: Session, env: Env) -> tuple[Reply, ...]:
    """What the resident is expected to answer now: sent again whenever we are unsure it arrived."""
    if resident.language is None:
        return (screens.language_picker(env.languages),)
    if not resident.greeted:
        return (screens.greeting(env.languages),)
    if session.draft is not None:
        flow = FLOWS[session.draft.flow]
        if session.resume_asked:
            return (screens.resume_question(engine.title_of(flow, session.draft), session.rev),)
        return (_stamp(engine.prompt(flow, session.draft, _ctx(env)), session.rev),)
    return (screens.main_menu(),)


def _with_draft(resident: Resident, session: Session, outcome: engine.Outcome, env: Env) -> Turn:
    """Apply a flow outcome: new draft and revision, or the end of the flow."""
    changed = outcome.draft != session.draft
    rev = session.rev + 1 if changed else session.rev
    new_session = replace(session, rev=rev, draft=outcome.draft, resume_asked=False)
    replies = tuple(_stamp(r, rev) for r in outcome.replies)
    if outcome.cancelled:
        return Turn(resident, new_session, (screens.main_menu(N_("Stopped. Nothing was saved.")),))
    if outcome.finished is not None:
        initiative = Initiative.from_answers(
            outcome.finished,
            reference=env.new_reference(),
            language=resident.language or "",
            now=env.now,
        )
        return Turn(
            resident,
            new_session,
            (screens.saved(initiative.reference), screens.main_menu()),
            saved=initiative,
        )
    return Turn(resident, new_session, replies)


def _begin(resident: Resident, session: Session, env: Env) -> Turn:
    return _with_draft(
        resident, replace(session, draft=None), engine.begin(INITIATIVE, _ctx(env)), env
    )


def _stale(resident: Resident, session: Session, env: Env) -> Turn:
    notice = Reply.of(engine.STALE)
    return Turn(resident, session, (notice, *pending(resident, session, env)), stale=True)


def _resume_question(resident: Resident, session: Session) -> Turn:
    """Ask whether to continue the draft. Each time with a new revision: the buttons of an
    earlier resume question, and of the flow question before it, then count as old."""
    assert session.draft is not None
    flow = FLOWS[session.draft.flow]
    asked = replace(session, resume_asked=True, rev=session.rev + 1)
    title = engine.title_of(flow, session.draft)
    return Turn(resident, asked, (screens.resume_question(title, asked.rev),))


def handle(resident: Resident, session: Session, event: Input, env: Env) -> Turn:
    """The resident's input applied to their conversation."""
    session = _upgraded(session)
    if isinstance(event, Tapped) and event.token.startswith(f"{screens.LANGUAGE}:"):
        return _choose_language(resident, session, event.token[2:], env)
    if resident.language is None:
        negotiated = env.negotiate(env.telegram_language)
        if negotiated is None:
            return Turn(resident, session, (screens.language_picker(env.languages),))
        resident = replace(resident, language=negotiated)
    if not resident.greeted:
        if event == Tapped(f"{screens.GREETED}:ok"):
            greeted = replace(resident, greeted=True)
            return Turn(
                greeted, session, (screens.privacy(env.operator), *pending(greeted, session, env))
            )
        if isinstance(event, Tapped):
            return _stale(resident, session, env)
        if event == Command("language"):
            return Turn(resident, session, (screens.language_picker(env.languages),))
        help_first = (screens.help_text(),) if event == Command("help") else ()
        return Turn(resident, session, (*help_first, screens.greeting(env.languages)))
    turn = _greeted(resident, session, event, env)
    return replace(turn, session=replace(turn.session, active_at=env.now))


def _upgraded(session: Session) -> Session:
    """A draft from before the flow changed continues at its first unanswered step."""
    if session.draft is None:
        return session
    flow = FLOWS.get(session.draft.flow)
    if flow is None:
        return replace(session, draft=None)
    return replace(session, draft=engine.upgrade(flow, session.draft))


def _choose_language(resident: Resident, session: Session, entry: str, env: Env) -> Turn:
    code = env.negotiate(entry) if entry in env.languages else None
    if code is None:
        return _stale(resident, session, env)
    chosen = replace(resident, language=code)
    if not chosen.greeted:
        return Turn(chosen, session, (replace(screens.greeting(env.languages), edit_tapped=True),))
    said = Reply.of(
        N_("OK. I will write in {language} from now on.", language=Code(env.languages[code]))
    )
    return Turn(chosen, session, (said, *pending(chosen, session, env)))


def _greeted(resident: Resident, session: Session, event: Input, env: Env) -> Turn:
    draft = session.draft
    if isinstance(event, Command):
        return _command(resident, session, event, env)
    if isinstance(event, Tapped):
        return _tap(resident, session, event.token, env)
    if draft is None:
        intro = (
            N_("Hello! What do you want to do? Tap a button.")
            if isinstance(event, Typed)
            else N_("I can only read text and buttons. What do you want to do?")
        )
        return Turn(resident, session, (screens.main_menu(intro),))
    away = session.active_at is not None and env.now - session.active_at >= RESUME_AFTER
    if away and not session.resume_asked:
        return _resume_question(resident, session)
    outcome = engine.advance(FLOWS[draft.flow], draft, event, _ctx(env))
    return _with_draft(resident, session, outcome, env)


def _command(resident: Resident, session: Session, command: Command, env: Env) -> Turn:
    name = command.name
    if name in ("start", "menu"):
        if session.draft is not None:
            return _resume_question(resident, session)
        return Turn(resident, session, (screens.main_menu(),))
    if name == "help":
        return Turn(resident, session, (screens.help_text(), *pending(resident, session, env)))
    if name == "language":
        return Turn(resident, session, (screens.language_picker(env.languages),))
    if name == "cancel":
        if session.draft is None:
            return Turn(resident, session, (screens.main_menu(N_("There is nothing to stop.")),))
        flow = FLOWS[session.draft.flow]
        return _with_draft(resident, session, engine.cancel(flow, session.draft, _ctx(env)), env)
    unknown = Reply.of(
        N_(
            "I do not know the command {command}. Type /help to see what I can do.",
            command=Code(f"/{name}"),
        )
    )
    return Turn(resident, session, (unknown, *pending(resident, session, env)))


def _tap(resident: Resident, session: Session, data: str, env: Env) -> Turn:
    kind, _, rest = data.partition(":")
    draft = session.draft
    if kind == screens.MENU:
        if rest in (screens.NEW, screens.HOME) and draft is not None:
            return _resume_question(resident, session)
        if rest == screens.NEW:
            return _begin(resident, session, env)
        if rest == screens.HOME:
            return Turn(resident, session, (screens.main_menu(),))
        if rest == screens.MINE:
            return Turn(resident, session, query=ListInitiatives())
        if rest == screens.PICK_LANGUAGE:
            return Turn(resident, session, (screens.language_picker(env.languages),))
        if rest == screens.HELP:
            return Turn(resident, session, (screens.help_text(), *pending(resident, session, env)))
    if kind == screens.SHOW and rest:
        return Turn(resident, session, query=ShowInitiative(rest))
    if kind == screens.GREETED:
        return Turn(resident, session, pending(resident, session, env))
    rev, _, token = rest.partition(":")
    if draft is None or rev != str(session.rev):
        return _stale(resident, session, env)
    if kind == screens.RESUME and not session.resume_asked:
        return _stale(resident, session, env)
    if kind == screens.RESUME and token == screens.CONTINUE:
        resumed = replace(session, resume_asked=False)
        return Turn(resident, resumed, pending(resident, resumed, env))
    if kind == screens.RESUME and token == screens.RESTART:
        outcome = engine.restart(FLOWS[draft.flow], draft, _ctx(env))
        return _with_draft(resident, session, outcome, env)
    if kind == screens.FLOW:
        outcome = engine.advance(FLOWS[draft.flow], draft, Tapped(token), _ctx(env))
        return replace(_with_draft(resident, session, outcome, env), stale=outcome.stale)
    return _stale(resident, session, env)


def answer_query(
    query: ListInitiatives | ShowInitiative, found: list[Initiative]
) -> tuple[Reply, ...]:
    """Replies for a question about stored initiatives, once the store has looked them up."""
    if isinstance(query, ListInitiatives):
        return (screens.initiative_list(found),)
    if not found:
        return (screens.main_menu(N_("I cannot find that initiative.")),)
    return (screens.initiative_card(found[0]),)
