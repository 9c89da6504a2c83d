"""A resident's whole conversation: language, greeting, menu, resuming, and the flows.

`handle` is a pure function from (resident, session, input) to a `Turn`: the new state, the
replies, and what to store. The Telegram handlers only translate updates into inputs and turns
into messages; every decision a resident can notice is made here and tested without Telegram.

Every inline button carries where it came from. Flow and resume buttons also carry the
session's revision, which changes whenever the draft does and whenever a resume question is
asked, so a button from an older message (or callback data someone made up) can never act on
the wrong question. A resume button also needs its question to be the pending one: once it is
answered, by a tap or by typing, the same buttons are old.

A saved plan's buttons (change an answer, withdraw) carry the plan's revision instead, and are
checked against the plan as stored, which the handler looks up before the turn (`plan_named`,
`Env.plan`): only the person's own plan, only while it is active, only from its newest card.
Changing a plan is the initiative flow again, on a draft that holds the saved answers and the
reference it changes (`Draft.changing`); saving writes the plan under the same reference.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.domain import (
    BUILDER,
    OPERATOR,
    RESIDENT,
    Changing,
    Desk,
    Draft,
    Handoff,
    Resident,
    Seat,
    Session,
    SupportRequest,
)
from bot.flows import engine, requesting, screens
from bot.flows.dates import DateWords
from bot.flows.effects import (
    Effect,
    Redeem,
    Redeemed,
    Result,
    Updated,
    UpdateInitiative,
    WithdrawInitiative,
)
from bot.flows.engine import Ctx, Event, Flow, Tapped, Typed
from bot.flows.handoff import Lookup
from bot.flows.initiative import INITIATIVE, Initiative
from bot.flows.purpose import Ending, Finishing, Purpose
from bot.flows.registry import FLOWS, PURPOSES, START_INITIATIVE, startable
from bot.flows.screens import Operator
from bot.flows.supporting import Invitation, SupportLinks
from bot.municipal import MunicipalSupport
from bot.replies import N_, Code, Msg, Reply

# A resident who writes again after this long is asked whether to continue their draft at all
# (overnight, say: they may have given up on it, or want to start again).
RESUME_AFTER = dt.timedelta(hours=12)
# After this long the question has scrolled out of sight and out of mind (other chats, a
# meal, work), though the resident still means to go on: an answer that does not fit then
# comes with "welcome back, we were at question 5 of 7" and the question again. Shorter would
# greet someone who only paused to look up their postcode; the 12 hours above are for the
# different question whether to go on at all.
BACK_AFTER = dt.timedelta(hours=1)

# A deep-link payload as Telegram allows it: an opaque token, never data we trust as written.
START_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


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
    # The saved plan a tapped button names (`plan_named`), looked up before the turn; None
    # when it is not this person's or no longer kept.
    plan: Initiative | None = None
    dates: DateWords | None = None  # the resident's language's words for dates
    # The builder this account is bound to, as the directory has them now (builders only).
    seat: Seat | None = None
    # The directory and who can be reached in the bot, for turns that find a builder or
    # move a handoff (read before the turn when it may need them).
    lookup: Lookup | None = None
    # The handoff a tapped button names (`handoff_named`), looked up before the turn; for a
    # message in "Write to …" mode, the case written to (bot/flows/relay.py).
    handoff: Handoff | None = None
    # The case of a relayed copy this message is a Telegram reply to, if it is one.
    replied: str | None = None
    # Municipal staff: the municipality this account is bound to (bot/flows/staffing.py).
    desk: Desk | None = None
    # The request for support a staff button or a resident's answer names, as stored, and
    # what its municipality offers (for the answer date, the holidays and the office channel).
    request: SupportRequest | None = None
    support: MunicipalSupport | None = None
    # The request a neighbour's support link names (`/start <token>`, kept through first
    # contact, or their button), looked up before the turn (bot/flows/supporting.py).
    invitation: Invitation | None = None


@dataclass(frozen=True)
class ListInitiatives:
    page: int = 0


@dataclass(frozen=True)
class ShowInitiative:
    reference: str


@dataclass(frozen=True)
class PlayVoice:
    """Send again the voice note that answered `key` in the resident's saved plan."""

    reference: str
    key: str


Query = object  # a question for the store, answered after the commit (see `answer_query`)


@dataclass(frozen=True)
class Turn:
    """The outcome of one input: the new state, the replies, and what changes for others.

    `effects` are committed with the session in one transaction. Conditional ones report a
    result each, in order, and `then(results)` gives the replies that depend on them. `stale`
    marks a button that no longer applies.
    """

    resident: Resident
    session: Session
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
    then: Callable[[Sequence[Result]], tuple[Reply, ...]] | None = None
    query: Query | None = None
    stale: bool = False


# Changing a saved plan: the initiative's own questions and summary, with words that say a
# saved plan is being changed and that stopping leaves it as it was.
CHANGE_PLAN: Flow = replace(
    INITIATIVE,
    summary=N_("Here is your saved plan. Which answer do you want to change?"),
    stop_question=N_("Do you want to stop? Your changes are not saved. Your plan stays as it was."),
)


def flow_of(draft: Draft) -> Flow:
    """The flow a draft walks: a change of a saved plan has its own words."""
    return CHANGE_PLAN if draft.changing is not None else FLOWS[draft.flow]


def _ctx(env: Env) -> Ctx:
    return Ctx(today=env.now.date(), label_of=env.label_of, months=env.months, dates=env.dates)


def _stamp(reply: Reply, rev: int) -> Reply:
    """Flow buttons carry the revision they were made for."""
    rows = tuple(
        tuple(replace(b, data=f"{screens.FLOW}:{rev}:{b.data}") for b in row)
        for row in reply.buttons
    )
    return replace(reply, buttons=rows)


def menu(resident: Resident, intro: Msg | None = None) -> Reply:
    """The resident menu: what they may start, and a switch to each other role they hold."""
    others = [role for role in sorted(resident.roles) if role != RESIDENT]
    return screens.main_menu(intro, startable(RESIDENT), others)


def _resume_what(session: Session) -> Msg:
    assert session.draft is not None
    purpose = PURPOSES[session.draft.flow]
    return purpose.what(engine.title_of(purpose.flow, session.draft))


def _resume_reply(session: Session, rev: int) -> Reply:
    """ "You were starting …", or for a change of a saved plan "You were changing …"."""
    draft = session.draft
    assert draft is not None
    if draft.changing is not None:
        what = screens.plan_name(draft.answers.get(INITIATIVE.title_key), draft.changing.reference)
        return screens.change_resume_question(what, rev)
    return screens.resume_question(_resume_what(session), rev)


def pending(resident: Resident, session: Session, env: Env) -> tuple[Reply, ...]:
    """What the resident is expected to answer now: sent again whenever we are unsure it arrived."""
    if resident.language is None:
        return (screens.language_picker(env.languages),)
    if not resident.greeted:
        return (screens.greeting(env.languages),)
    if session.audience == OPERATOR and OPERATOR in resident.roles:
        return (screens.operator_menu(),)
    if session.audience == BUILDER and BUILDER in resident.roles and env.seat is not None:
        today = env.now.date()
        paused = env.seat.paused_until if env.seat.paused(today) else None
        return (screens.builder_menu(paused),)
    if session.draft is not None:
        flow = flow_of(session.draft)
        if session.resume_asked:
            return (_resume_reply(session, session.rev),)
        return (_stamp(engine.prompt(flow, session.draft, _ctx(env)), session.rev),)
    return (menu(resident),)


def _with_draft(resident: Resident, session: Session, outcome: engine.Outcome, env: Env) -> Turn:
    """Apply a flow outcome: new draft and revision, or the flow's own ending."""
    changed = outcome.draft != session.draft
    rev = session.rev + 1 if changed else session.rev
    new_session = replace(session, rev=rev, draft=outcome.draft, resume_asked=False)
    replies = tuple(_stamp(r, rev) for r in outcome.replies)
    changing = session.draft.changing if session.draft is not None else None
    if outcome.cancelled and changing is not None:
        # Stopping a change: the plan stays as it was, and its card shows so.
        shown = ShowInitiative(changing.reference)
        return Turn(resident, new_session, (Reply.of(screens.NOT_CHANGED),), query=shown)
    if outcome.cancelled:
        return Turn(resident, new_session, (menu(resident, N_("Stopped. Nothing was saved.")),))
    if outcome.finished is not None and changing is not None:
        return _save_change(resident, new_session, changing, outcome.finished, env)
    purpose = None if session.draft is None else PURPOSES[session.draft.flow]
    if outcome.finished is not None:
        assert session.draft is not None and purpose is not None
        done = Finishing(
            resident.user_id,
            resident.language or "",
            env.now,
            env.new_reference,
            context=session.draft.context,
            lookup=env.lookup,
        )
        return _ending(resident, new_session, purpose.finish(outcome.finished, done))
    early = purpose.early if purpose is not None else None
    if outcome.draft is not None and early is not None:
        ending = early(outcome.draft.answers)
        if ending is not None:
            return _ending(resident, replace(new_session, draft=None), ending)
    return Turn(resident, new_session, replies)


def _ending(resident: Resident, session: Session, ending: Ending) -> Turn:
    """A flow's own ending: its replies (then the menu, unless they ask something) and effects."""
    after = (menu(resident),) if ending.keep_menu else ()
    if ending.then is not None:
        then = ending.then
        return Turn(
            resident,
            session,
            ending.replies,
            effects=ending.effects,
            then=lambda results: (*then(results), *after),
        )
    return Turn(resident, session, (*ending.replies, *after), effects=ending.effects)


def begin(
    resident: Resident,
    session: Session,
    purpose: Purpose,
    env: Env,
    context: Mapping[str, Any] | None = None,
    answers: engine.Answers | None = None,
) -> Turn:
    """Start a purpose's flow (a draft in progress is asked about first)."""
    if session.draft is not None:
        return _resume_question(resident, session)
    outcome = engine.begin(purpose.flow, _ctx(env), context, answers)
    return _with_draft(resident, replace(session, draft=None), outcome, env)


def stale(resident: Resident, session: Session, env: Env) -> Turn:
    """A button that no longer applies: say so, and show where we are now."""
    notice = Reply.of(engine.STALE)
    return Turn(resident, session, (notice, *pending(resident, session, env)), stale=True)


def _resume_question(resident: Resident, session: Session) -> Turn:
    """Ask whether to continue the draft. Each time with a new revision: the buttons of an
    earlier resume question, and of the flow question before it, then count as old."""
    asked = replace(session, resume_asked=True, rev=session.rev + 1)
    return Turn(resident, asked, (_resume_reply(session, asked.rev),))


def handle(resident: Resident, session: Session, event: Input, env: Env) -> Turn:
    """The resident's input applied to their conversation.

    First contact comes first for everyone: a language, the greeting and the privacy notice.
    A deep link that arrived before them is kept in the session and acted on right after.
    """
    session = _upgraded(session)
    if isinstance(event, Tapped) and event.token.startswith(f"{screens.LANGUAGE}:"):
        return _choose_language(resident, session, event.token[2:], env)
    first_contact = resident.language is None or not resident.greeted
    if first_contact and isinstance(event, Command) and is_deep_link(event):
        session = replace(session, start_payload=event.payload)
    if resident.language is None:
        negotiated = env.negotiate(env.telegram_language)
        if negotiated is None:
            return Turn(resident, session, (screens.language_picker(env.languages),))
        resident = replace(resident, language=negotiated)
    if not resident.greeted:
        if event == Tapped(f"{screens.GREETED}:ok"):
            greeted = replace(resident, greeted=True)
            notice = screens.privacy(env.operator)
            if session.start_payload is not None:
                linked = _deep_link(greeted, session, env)
                return replace(linked, replies=(notice, *linked.replies))
            return Turn(greeted, session, (notice, *pending(greeted, session, env)))
        if isinstance(event, Tapped):
            return stale(resident, session, env)
        if event == Command("language"):
            return Turn(resident, session, (screens.language_picker(env.languages),))
        help_first = (screens.help_text(),) if event == Command("help") else ()
        return Turn(resident, session, (*help_first, screens.greeting(env.languages)))
    turn = _greeted(resident, session, event, env)
    return replace(turn, session=replace(turn.session, active_at=env.now))


def is_deep_link(command: Command) -> bool:
    """`/start <token>`, as an invite link sends it."""
    return command.name == "start" and START_PAYLOAD.match(command.payload) is not None


def _deep_link(resident: Resident, session: Session, env: Env) -> Turn:
    """Act on `/start <token>` (kept through first contact): redeem an invite. A draft in
    progress stays as it is, and the person is shown where they were after the answer."""
    token = session.start_payload or ""
    if env.invitation is not None and env.invitation.token == token:
        # A neighbour's support link, not a role invite (bot/flows/neighbours.py).
        from bot.flows import neighbours  # it builds on this module's turns

        return neighbours.invited(resident, session, env)
    session = replace(session, start_payload=None)

    def told(results: Sequence[Result]) -> tuple[Reply, ...]:
        [found] = results
        assert isinstance(found, Redeemed)
        now = (
            resident
            if found.role is None
            else replace(resident, roles=resident.roles | {found.role})
        )
        return (*invite_answer(found), *pending(now, session, env))

    return Turn(resident, session, effects=(Redeem(token, resident.user_id),), then=told)


def invite_answer(found: Redeemed) -> tuple[Reply, ...]:
    """What someone hears after opening an invite link."""
    if found.role is not None:
        return (
            Reply.of(
                N_(
                    "Welcome, {name}. You are now registered as {role}.",
                    name=Code(found.name or ""),
                    role=screens.ROLE_NAMES[found.role],
                ),
                buttons=((screens.switch_button(found.role),),),
            ),
        )
    if found.problem == "used":
        return (Reply.of(N_("This invite link was used already. Ask for a new one.")),)
    if found.problem == "expired":
        return (Reply.of(N_("This invite link has expired. Ask for a new one.")),)
    return (Reply.of(N_("I do not know this link. Check that you copied all of it.")),)


def _upgraded(session: Session) -> Session:
    """A draft from before the flow changed continues at its first unanswered step."""
    if session.draft is None:
        return session
    flow = FLOWS.get(session.draft.flow)
    if flow is None:
        return replace(session, draft=None)
    upgraded = engine.upgrade(flow, session.draft)
    # A change of a saved plan stays one after the flow changed.
    return replace(session, draft=replace(upgraded, changing=session.draft.changing))


def _choose_language(resident: Resident, session: Session, entry: str, env: Env) -> Turn:
    code = env.negotiate(entry) if entry in env.languages else None
    if code is None:
        return stale(resident, session, env)
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
        return Turn(resident, session, (menu(resident, intro),))
    idle = None if session.active_at is None else env.now - session.active_at
    if idle is not None and idle >= RESUME_AFTER and not session.resume_asked:
        return _resume_question(resident, session)
    returning = idle is not None and idle >= BACK_AFTER
    outcome = engine.advance(flow_of(draft), draft, event, _ctx(env), returning=returning)
    return _with_draft(resident, session, outcome, env)


def _command(resident: Resident, session: Session, command: Command, env: Env) -> Turn:
    name = command.name
    if is_deep_link(command):
        return _deep_link(resident, replace(session, start_payload=command.payload), env)
    if name in ("start", "menu"):
        if session.draft is not None:
            return _resume_question(resident, session)
        return Turn(resident, session, (menu(resident),))
    if name == "help":
        return Turn(resident, session, (screens.help_text(), *pending(resident, session, env)))
    if name == "support":
        return Turn(resident, session, query=SupportLinks())
    if name == "language":
        return Turn(resident, session, (screens.language_picker(env.languages),))
    if name == "cancel":
        if session.draft is None:
            return Turn(resident, session, (menu(resident, N_("There is nothing to stop.")),))
        flow = flow_of(session.draft)
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
        what, _, name = rest.partition(":")
        if what in (screens.NEW, screens.HOME) and draft is not None:
            return _resume_question(resident, session)
        if what == screens.NEW:
            # "m:new" alone comes from menus sent before there was more than one flow.
            purpose = PURPOSES.get(name or START_INITIATIVE.name)
            if purpose is None or RESIDENT not in purpose.roles:
                return stale(resident, session, env)
            return begin(resident, session, purpose, env)
        if rest == screens.HOME:
            return Turn(resident, session, (menu(resident),))
        if what == screens.MINE:
            page = page_number(name)
            if page is None:
                return stale(resident, session, env)
            return Turn(resident, session, query=ListInitiatives(page))
        if rest == screens.PICK_LANGUAGE:
            return Turn(resident, session, (screens.language_picker(env.languages),))
        if rest == screens.HELP:
            return Turn(resident, session, (screens.help_text(), *pending(resident, session, env)))
    if kind == screens.PRIVACY:
        full = screens.privacy_in_full(env.operator)
        return Turn(resident, session, (full, *pending(resident, session, env)))
    if kind == screens.SHOW and rest:
        return Turn(resident, session, query=ShowInitiative(rest))
    if kind == screens.PLAY:
        reference, _, key = rest.partition(":")
        if reference and key:
            return Turn(resident, session, query=PlayVoice(reference, key))
        return stale(resident, session, env)
    if kind == screens.PLAN:
        return _plan_tap(resident, session, data, env)
    if kind == screens.GREETED:
        return Turn(resident, session, pending(resident, session, env))
    rev, _, token = rest.partition(":")
    if draft is None or rev != str(session.rev):
        return stale(resident, session, env)
    if kind == screens.RESUME and not session.resume_asked:
        return stale(resident, session, env)
    if kind == screens.RESUME and token == screens.CONTINUE:
        resumed = replace(session, resume_asked=False)
        return Turn(resident, resumed, pending(resident, resumed, env))
    if kind == screens.RESUME and draft.changing is not None:
        # A change is not started again (that would make a new plan): it goes on or stops.
        if token != screens.END:
            return stale(resident, session, env)
        return _with_draft(resident, session, engine.Outcome(None, (), cancelled=True), env)
    if kind == screens.RESUME and token == screens.RESTART:
        outcome = engine.restart(FLOWS[draft.flow], draft, _ctx(env))
        return _with_draft(resident, session, outcome, env)
    if kind == screens.FLOW:
        outcome = engine.advance(flow_of(draft), draft, Tapped(token), _ctx(env))
        return replace(_with_draft(resident, session, outcome, env), stale=outcome.stale)
    return stale(resident, session, env)


def answer_query(
    query: ListInitiatives | ShowInitiative | PlayVoice,
    found: list[Initiative],
    resident: Resident,
) -> tuple[Reply, ...]:
    """Replies for a question about stored initiatives, once the store has looked them up."""
    if isinstance(query, ListInitiatives):
        return (screens.initiative_list(found, query.page),)
    if not found:
        return (menu(resident, screens.NOT_FOUND),)
    if isinstance(query, PlayVoice):
        voice = screens.voice_answer(found[0], query.key)
        return (voice or screens.initiative_card(found[0]),)
    return (screens.initiative_card(found[0]),)


# --- A saved plan: change an answer, withdraw ---------------------------------------------

_PAGE = re.compile(r"^[0-9]{1,4}$")
_PLAN_TAP = re.compile(
    rf"^{screens.PLAN}:(?P<action>{screens.CHANGE}|{screens.WITHDRAW}|{screens.WITHDRAW_YES}"
    rf"|{screens.WITHDRAW_NO}):(?P<revision>[0-9]{{1,9}}):(?P<reference>[A-Z0-9-]{{1,32}})$"
)


def page_number(text: str) -> int | None:
    """The page of "My initiatives" a button asks for ("" is the first), or None when the
    callback data is not one we make."""
    if text == "":
        return 0
    return int(text) if _PAGE.match(text) else None


@dataclass(frozen=True)
class PlanTap:
    """A tap on a saved plan's own button: what to do, and the plan as its card showed it."""

    action: str
    revision: int
    reference: str


def plan_tap(token: str) -> PlanTap | None:
    """`sp:<action>:<revision>:<reference>` read back; None for anything we never make."""
    found = _PLAN_TAP.match(token)
    if found is None:
        return None
    return PlanTap(found["action"], int(found["revision"]), found["reference"])


def plan_named(event: Input) -> str | None:
    """The reference of the saved plan an input acts on, for the store to look up before the
    turn (as `Env.plan`); the turn then checks that plan as it is stored."""
    if isinstance(event, Tapped):
        tap = plan_tap(event.token)
        if tap is not None:
            return tap.reference
        if event.token.startswith("rq:"):
            return requesting.plan_named(event.token)
        return plan_for_handoff(event.token)
    return None


_HANDOFF_PLAN = re.compile(r"^hf:(?:plan:|ask:[^:]*:[^:]*:)(?P<reference>[A-Z0-9-]{1,32})$")


def plan_for_handoff(token: str) -> str | None:
    """The saved plan a request for contact is about (`hf:plan:<ref>`, `hf:ask:…:<ref>`)."""
    found = _HANDOFF_PLAN.match(token)
    return None if found is None else found["reference"]


def changeable(plan: Initiative) -> bool:
    """Whether a saved plan may be changed or withdrawn now.

    HOOK for handoffs and requests (later issues; they do not exist yet, so nothing is checked
    for them here): a plan submitted as a request keeps its answers, so this must say no for
    it, and its card must offer Withdraw (then submit again) instead of "Change an answer".
    A plan handed to a builder stays changeable; see `_save_change` for what saving must add.
    """
    return not plan.withdrawn


def _plan_tap(resident: Resident, session: Session, data: str, env: Env) -> Turn:
    """A saved plan's button, checked against the plan as stored (looked up as `env.plan`)."""
    tap = plan_tap(data)
    if tap is None:
        return stale(resident, session, env)
    plan = env.plan
    if plan is None or plan.reference != tap.reference:
        # Not this person's plan (or no longer kept): it is not shown, nor is anything done.
        return Turn(resident, session, (menu(resident, screens.NOT_FOUND),))
    card = screens.initiative_card(plan)
    if tap.action == screens.WITHDRAW_NO:
        return Turn(resident, session, (card,))
    if plan.revision != tap.revision or not changeable(plan):
        # A card of an older version (changed or withdrawn since): show the plan as it is.
        return Turn(resident, session, (Reply.of(engine.STALE), card), stale=True)
    if session.draft is not None:
        # Like starting something new: first finish or stop what is open.
        return _resume_question(resident, session)
    if tap.action == screens.WITHDRAW:
        return Turn(resident, session, (screens.withdraw_question(plan),))
    if tap.action == screens.WITHDRAW_YES:
        withdraw = WithdrawInitiative(resident.user_id, plan.reference, plan.revision)
        told = _after_update(resident, screens.plan_withdrawn)
        return Turn(resident, session, effects=(withdraw,), then=told)
    return _begin_change(resident, session, plan, env)


def _begin_change(resident: Resident, session: Session, plan: Initiative, env: Env) -> Turn:
    """The summary of the saved plan, as before saving: a draft with its answers that knows
    which plan it changes."""
    draft = Draft(
        INITIATIVE.name,
        INITIATIVE.version,
        plan.answers(),
        at=engine.SUMMARY,
        changing=Changing(plan.reference, plan.revision),
    )
    outcome = engine.Outcome(draft, (engine.prompt(CHANGE_PLAN, draft, _ctx(env)),))
    return _with_draft(resident, session, outcome, env)


def _save_change(
    resident: Resident,
    session: Session,
    changing: Changing,
    answers: engine.Answers,
    env: Env,
) -> Turn:
    """Save a change under the plan's own reference, if the plan is still as it was when the
    change began; the resident sees the card as it is now.

    HOOK for handoffs (a later issue; none exist yet): when the plan was handed to a builder,
    this turn must also tell that builder what changed (a `Notify` beside the update).
    """
    changed = Initiative.from_answers(
        answers, reference=changing.reference, language=resident.language or "", now=env.now
    )
    update = UpdateInitiative(resident.user_id, changing.revision, changed)
    told = _after_update(resident, screens.changes_saved)
    return Turn(resident, session, effects=(update,), then=told)


def _after_update(
    resident: Resident, done: Callable[[Initiative], Msg]
) -> Callable[[Sequence[Result]], tuple[Reply, ...]]:
    """What the resident hears once a change or a withdrawal was tried: `done` and the card,
    or why nothing happened."""

    def told(results: Sequence[Result]) -> tuple[Reply, ...]:
        [found] = results
        assert isinstance(found, Updated)
        if found.initiative is None:
            return (menu(resident, screens.NOT_FOUND),)
        card = screens.initiative_card(found.initiative)
        if found.problem is not None:
            return (Reply.of(engine.STALE), card)
        return (Reply.of(done(found.initiative)), card)

    return told
